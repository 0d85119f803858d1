// Where mes-e2e's own files are. In a checkout the sources run as they are (src/, steps/, fixtures/
// beside package.json); the published package runs them compiled, in the same layout under dist/
// (dist/src, dist/steps, dist/fixtures), while features/, services/ and package.json stay at its root.
import { fileURLToPath } from 'node:url';

/** True when this code runs compiled (the published package), false when it runs from TypeScript sources. */
export const isCompiled = import.meta.url.endsWith('.js');

/** The package's root folder, with a trailing slash. */
export const packageRoot = fileURLToPath(new URL(isCompiled ? '../../' : '../', import.meta.url));

/** The folder that holds src/, steps/ and fixtures/ as they run: the root, or dist/ when compiled. */
export const codeRoot = fileURLToPath(new URL('../', import.meta.url));

/** The extension of the code that runs: support code is imported by path, so it must be named. */
export const codeExtension = isCompiled ? 'js' : 'ts';
