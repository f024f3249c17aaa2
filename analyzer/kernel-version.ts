/**
 * The kernel version a tree is, from its top Makefile (`VERSION`, `PATCHLEVEL`, `SUBLEVEL`): the
 * default `--kernel` of a whole-tree scan (the nearest Makefile at or above the scanned path) and of
 * a patch review (the base directory's, or the `Makefile` of the base revision).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { KernelVersion } from './types';

/** The version a kernel top Makefile's text declares; undefined for any other Makefile. */
export function kernelVersionOfMakefile(text: string): KernelVersion | undefined {
  const head = text.slice(0, 4096);
  const v = /^VERSION\s*=\s*(\d+)/m.exec(head);
  const p = /^PATCHLEVEL\s*=\s*(\d+)/m.exec(head);
  if (!v || !p) return undefined;
  const s = /^SUBLEVEL\s*=\s*(\d+)/m.exec(head);
  return { major: Number(v[1]), minor: Number(p[1]), ...(s ? { patch: Number(s[1]) } : {}) };
}

/** VERSION/PATCHLEVEL/SUBLEVEL of the nearest kernel Makefile at or above `start`. */
export function kernelVersionAbove(start: string): KernelVersion | undefined {
  let dir = path.resolve(start);
  try { if (!fs.statSync(dir).isDirectory()) dir = path.dirname(dir); } catch { dir = path.dirname(dir); }
  for (;;) {
    let text: string | undefined;
    try {
      text = fs.readFileSync(path.join(dir, 'Makefile'), 'utf8');
    } catch { /* no Makefile here */ }
    const k = text !== undefined ? kernelVersionOfMakefile(text) : undefined;
    if (k) return k;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
