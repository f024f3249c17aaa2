/**
 * Kernel version of a source tree, from its top-level Makefile (`VERSION = 6` / `PATCHLEVEL = 18` /
 * `SUBLEVEL = 2`, the first lines of every kernel Makefile since 2.6). Pure: no `vscode`.
 */
import type { KernelVersion } from '../analyzer/types';

function field(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}\\s*=\\s*(\\d+)\\s*$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/** VERSION and PATCHLEVEL (SUBLEVEL when present) of a kernel top-level Makefile, else undefined. */
export function parseKernelMakefile(text: string): KernelVersion | undefined {
  // Only the head of the file: a kernel Makefile states these in its first few lines.
  const head = text.slice(0, 4096);
  const major = field(head, 'VERSION');
  const minor = field(head, 'PATCHLEVEL');
  if (major === undefined || minor === undefined) return undefined;
  const patch = field(head, 'SUBLEVEL');
  return patch === undefined ? { major, minor } : { major, minor, patch };
}

/** "6.18", "2.6.34" … or undefined for a string that is not a version. */
export function parseKernelVersionString(s: string): KernelVersion | undefined {
  const m = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?\s*$/.exec(s);
  if (!m) return undefined;
  const v: KernelVersion = { major: Number(m[1]), minor: Number(m[2]) };
  if (m[3] !== undefined) v.patch = Number(m[3]);
  return v;
}

export function formatKernelVersion(v: KernelVersion | undefined): string {
  if (!v) return 'newest';
  return v.patch === undefined ? `${v.major}.${v.minor}` : `${v.major}.${v.minor}.${v.patch}`;
}
