// Preloaded into the real CLI (NODE_OPTIONS=--import) by the crash test: once env up says it is
// isolating the run, a timer throws. That is an uncaught error outside any promise chain, as a bug
// in a callback would be; the CLI must still remove everything the run started.
const write = process.stderr.write.bind(process.stderr);
let armed = true;
process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  if (armed && String(chunk).includes('isolating the run')) {
    armed = false;
    setImmediate(() => {
      throw new Error('injected crash');
    });
  }
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stderr.write;
