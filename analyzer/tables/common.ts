/** Shared shape of every domain-table row: the kernel versions it applies to and where the fact comes from. */
export interface Versioned {
  /** First kernel version with this behaviour ("2.6.34"); absent = always. */
  since?: string;
  /** First kernel version WITHOUT this behaviour; absent = still true in the newest kernel. */
  until?: string;
  /** Where the fact was read: kernel file + version, or commit. */
  source: string;
}

export interface KVersion {
  major: number;
  minor: number;
  patch?: number;
}

export function parseVersion(v: string): KVersion {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  if (!m) throw new Error(`bad kernel version "${v}" (expected X.Y or X.Y.Z)`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? undefined : Number(m[3]) };
}

export function compareVersion(a: KVersion, b: KVersion): number {
  return a.major - b.major || a.minor - b.minor || (a.patch ?? 0) - (b.patch ?? 0);
}

/** Does a row apply to kernel `k`? An unknown kernel means "newest": rows with an `until` do not apply. */
export function appliesTo(row: Versioned, k: KVersion | undefined): boolean {
  if (!k) return row.until === undefined;
  if (row.since && compareVersion(k, parseVersion(row.since)) < 0) return false;
  if (row.until && compareVersion(k, parseVersion(row.until)) >= 0) return false;
  return true;
}
