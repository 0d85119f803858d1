// A cucumber plugin that moves @destructive scenarios to the end of the run. cucumber-js 13 never
// wakes a worker it refused work to (CUCUMBER.md), so a refusal early in the run would serialise the
// rest; at the end, only the destructive scenarios are left, and they run one at a time anyway.
import type { IFilterablePickle, Plugin } from '@cucumber/cucumber/api';

const isDestructive = (item: IFilterablePickle) =>
  item.pickle.tags.some((tag) => tag.name === '@destructive');

const destructiveLast: Plugin = {
  type: 'plugin',
  coordinator: async ({ transform }) => {
    transform('pickles:order', (pickles) => [
      ...pickles.filter((item) => !isDestructive(item)),
      ...pickles.filter(isDestructive),
    ]);
  },
};

export default destructiveLast;
