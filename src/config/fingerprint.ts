// One hash for "the same configuration and policy": shards of one run must agree on it before the gate
// merges them, and a verdict names it. It covers what the run was told (the configuration as written,
// the policy as merged, the profile, the tag expression), never where it ran: no absolute path of the
// machine goes in, so two CI machines with different checkouts agree.
import { createHash } from 'node:crypto';

/** JSON with sorted keys; numbers JSON cannot hold (Infinity) and functions are named, not dropped. */
function canonical(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value));
  if (typeof value === 'function') return JSON.stringify(`function ${value.name}`);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function sha256Of(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex');
}
