// Which scenarios run beside no other: @destructive ones break a shared component, @alone ones measure
// the whole pipeline (its analytics, its throughput), which another scenario's orders would change.
// The worker's scheduling hook and the runner's ordering plugin both ask this one question.

const aloneTags = new Set(['@destructive', '@alone']);

export const runsAlone = (pickle: { tags: ReadonlyArray<{ name: string }> }): boolean =>
  pickle.tags.some((tag) => aloneTags.has(tag.name));
