// A file's text at a git revision (`git show <ref>:<path>`), in the repository the file is in: the
// previous version of a contract document for `contracts check --since`.
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { MesE2eError } from '../errors.ts';

const run = promisify(execFile);

/** git's output in `cwd`, or undefined when git fails there (not a repository, no git, a bad ref). */
export async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch {
    return undefined;
  }
}

export interface FileAtRevision {
  /** `<ref>:<path in the repository>`, for messages. */
  source: string;
  /** Undefined when the file did not exist at that revision: the document is new. */
  text: string | undefined;
}

export async function fileAtRevision(file: string, ref: string): Promise<FileAtRevision> {
  // A ref is never an option: `--since --output=x` must not reach git as one.
  if (ref.startsWith('-') || ref.trim() === '')
    throw new MesE2eError(
      'usage',
      `--since: "${ref}" is not a git revision`,
      'Give a commit, branch or tag.',
    );
  const real = realpathSync(file);
  const top = (await git(dirname(real), ['rev-parse', '--show-toplevel']))?.trim();
  if (!top)
    throw new MesE2eError(
      'usage',
      `--since: ${file} is not in a git repository`,
      'Check it against an earlier version with --previous <file> instead.',
    );
  const commit = (await git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]))?.trim();
  if (!commit)
    throw new MesE2eError(
      'usage',
      `--since: no commit "${ref}" in the repository ${top}`,
      'Give a commit, branch or tag that exists there (in CI, fetch enough history: fetch-depth: 0).',
    );
  const path = relative(realpathSync(top), real).split(sep).join('/');
  const source = `${ref}:${path}`;
  const exists = (await git(top, ['cat-file', '-e', `${commit}:${path}`])) !== undefined;
  return { source, text: exists ? await git(top, ['show', `${commit}:${path}`]) : undefined };
}
