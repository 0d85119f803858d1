// The rule that lets a breaking change through: the document's info.version has a greater major number.

/** The major number of `1.4.2`, `v2`, `3.0.0-beta`; undefined for anything else. */
export function majorOf(version: unknown): number | undefined {
  if (typeof version !== 'string') return undefined;
  const major = /^v?(\d+)(?:[.-]|$)/i.exec(version.trim())?.[1];
  return major === undefined ? undefined : Number(major);
}

/** Whether `current` announces a new API version over `previous` (both info.version values). */
export function isNewMajorVersion(previous: unknown, current: unknown): boolean {
  const before = majorOf(previous);
  const after = majorOf(current);
  return before !== undefined && after !== undefined && after > before;
}
