// One of a resource per cucumber worker (a bus observer, a browser): opened on first use, opened
// again when it stopped being usable (the broker restarted, the browser crashed), closed at the end.
export interface PerWorker<T> {
  get(open: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function perWorker<T>(
  usable: (resource: T) => boolean,
  close: (resource: T) => Promise<void>,
): PerWorker<T> {
  let current: Promise<T> | undefined;
  return {
    async get(open) {
      const resource = await current?.catch(() => undefined);
      if (resource === undefined || !usable(resource)) current = open();
      return current ?? open();
    },
    async close() {
      const resource = await current?.catch(() => undefined);
      current = undefined;
      if (resource !== undefined) await close(resource);
    },
  };
}
