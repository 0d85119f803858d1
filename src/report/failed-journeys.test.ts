// Which journeys the summary draws: those the final attempt of a failed scenario attached, read from
// the messages of one stream or of several shards; passed and flaky scenarios have none drawn.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttachmentContentEncoding } from '@cucumber/messages';
import { compatibilityStream as cck } from '../../test/support/compatibility-kit.ts';
import { stopped, withJourneyAttachments } from '../../test/support/journeys.ts';
import { summarizeRun } from '../gate/scenarios.ts';
import { failedScenarioJourneys } from './failed-journeys.ts';

const failing = "Test cases won't retry after failing more than the --retry limit";

/** The retry sample with each attempt attaching a journey.json whose order is named by its attempt. */
const retryWithJourneys = (encoding?: AttachmentContentEncoding) =>
  withJourneyAttachments(
    cck('retry'),
    (name, attempt) => [{ ...stopped, orderId: `${name} attempt ${attempt}` }],
    encoding,
  );

describe('failedScenarioJourneys', () => {
  it("takes the final attempt's journeys of each failed scenario, and none of the others", () => {
    const envelopes = retryWithJourneys();
    const found = failedScenarioJourneys([envelopes], summarizeRun(envelopes).scenarios);
    assert.deepEqual(
      found.map((scenario) => [scenario.name, scenario.journeys.map((journey) => journey.orderId)]),
      [[failing, [`${failing} attempt 2`]]],
    );
    assert.deepEqual(found[0]?.journeys[0]?.hops, stopped.hops);
  });

  it('reads a base64 body as well, and finds each scenario in its own shard', () => {
    const shard = retryWithJourneys(AttachmentContentEncoding.BASE64);
    const other = cck('minimal');
    const scenarios = [...summarizeRun(other).scenarios, ...summarizeRun(shard).scenarios];
    assert.equal(
      failedScenarioJourneys([other, shard], scenarios)[0]?.journeys[0]?.orderId,
      `${failing} attempt 2`,
    );
  });

  it('leaves out a failed scenario whose journey.json is not a list of journeys', () => {
    const envelopes = retryWithJourneys().map((envelope) =>
      envelope.attachment
        ? { attachment: { ...envelope.attachment, body: '{"not": "journeys"}' } }
        : envelope,
    );
    assert.deepEqual(failedScenarioJourneys([envelopes], summarizeRun(envelopes).scenarios), []);
  });
});
