// A cucumber plugin that moves the scenarios that run alone (@destructive, @alone) to the end of the
// run. cucumber-js 13 never wakes a worker it refused work to (CUCUMBER.md), so a refusal early in the
// run would serialise the rest; at the end, only those scenarios are left, and they run one at a time
// anyway.
import type { IFilterablePickle, Plugin } from '@cucumber/cucumber/api';
import { runsAlone } from '../config/alone.ts';

const alone = (item: IFilterablePickle) => runsAlone(item.pickle);

const aloneLast: Plugin = {
  type: 'plugin',
  coordinator: async ({ transform }) => {
    transform('pickles:order', (pickles) => [
      ...pickles.filter((item) => !alone(item)),
      ...pickles.filter(alone),
    ]);
  },
};

export default aloneLast;
