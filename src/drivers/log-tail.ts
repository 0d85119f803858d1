// The last lines of a component's log with its credentials masked: from the file a process writes, or
// from a container's log stream as the Docker engine sends it.
import { readFileSync } from 'node:fs';

/** Replaces every secret in a text with ***. */
export const masker = (secrets: readonly string[]) => (text: string) =>
  secrets.filter(Boolean).reduce((masked, secret) => masked.replaceAll(secret, '***'), text);

/** The last lines of a log file, masked; empty when there is no file. */
export function tailOfFile(file: string, secrets: readonly string[], lines = 20): string {
  try {
    const text = masker(secrets)(readFileSync(file, 'utf8')).trimEnd();
    return text ? text.split('\n').slice(-lines).join('\n') : '';
  } catch {
    return '';
  }
}

/** Docker's log stream: 8-byte frame headers (stream, size) before each chunk when there is no TTY. */
export function dockerLogText(buffer: Buffer): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    chunks.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(chunks).toString('utf8');
}
