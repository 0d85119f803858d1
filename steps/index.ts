// Every shipped step definition and support hook, registered with cucumber when this module loads: what
// `mes-e2e run` imports for its suite, and what a team's own cucumber run imports (`mes-e2e/steps`)
// to use the shipped steps beside its own. Listed explicitly, in the order they have always loaded
// (support first, then the steps, each alphabetically): Before hooks run in the order they are
// registered, so the generic hooks' bus watching starts before the journey's observer; After hooks run
// in reverse, so the answer contract's, registered first, attaches what every other one's reads found.
// src/config/selection.test.ts fails when a file of steps/ that registers anything is missing here.
import './support/answer-contract.ts';
import './support/early-stop.ts';
import './support/generic-hooks.ts';
import './support/hooks.ts';
import './support/parameter-types.ts';
import './support/queue-samples.ts';
import './support/timeouts.ts';
import './support/world.ts';
import './api.steps.ts';
import './dashboard.steps.ts';
import './faults.steps.ts';
import './generic.steps.ts';
import './load.steps.ts';
import './mes.steps.ts';
import './orders.steps.ts';
import './replica.steps.ts';
import './scale.steps.ts';
