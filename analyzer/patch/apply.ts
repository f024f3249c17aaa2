/**
 * Applies a patch series in order, in memory, to a read-only base tree. Never writes anywhere.
 * Hunks are placed like `patch`: at the header position, else the nearest offset where the
 * pre-image matches exactly, else ignoring trailing whitespace (mail clients strip it). A hunk
 * that fits nowhere is reported by patch and hunk; the file's other hunks and the other patches
 * are still applied, so the rest of the series can be reviewed.
 */
import * as fs from 'fs';
import type { FilePatch, Hunk, Patch, PatchProblem, PatchSet } from './model';
import { describeHunk, describePatch } from './model';
import { checkRelativePath, resolveInBase } from './paths';
import type { GitRevision } from '../scan/gitbase';

/** A read-only view of the tree the series applies to. */
export interface BaseTree {
  /** File text, `undefined` when absent; throws a PathRefused for an unsafe path. */
  read(rel: string): string | undefined;
  /** Reason to refuse the path, or undefined when it is safe. */
  refuse(rel: string): string | undefined;
  /** The git revision the files are read from (gitBase), for a base context read from it too. */
  git?: GitRevision;
}

/** A base that has no files at all (review without --base). Paths are still checked lexically. */
export const EMPTY_BASE: BaseTree = {
  read: () => undefined,
  refuse: (rel) => {
    const r = checkRelativePath(rel);
    return r.ok ? undefined : r.reason;
  },
};

/** A directory on disk, read with readFileSync only. */
export function fsBase(dir: string): BaseTree {
  return {
    refuse(rel) {
      const r = resolveInBase(dir, rel);
      return r.ok ? undefined : r.reason;
    },
    read(rel) {
      const r = resolveInBase(dir, rel);
      if (!r.ok || r.abs === undefined) return undefined;
      try {
        const st = fs.statSync(r.abs);
        if (!st.isFile()) return undefined;
        return fs.readFileSync(r.abs, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** Where one hunk landed in the post-image. */
export interface HunkPlacement {
  hunk: Hunk;
  applied: boolean;
  /** Actual first post-image line of the hunk (1-based), when applied. */
  newStart?: number;
  /** Lines moved from the header's position. */
  offset?: number;
  /** Post-image lines of the hunk's changes: added lines, or the line following a pure removal. */
  changedPostLines?: number[];
  /** Patch line of the first `+` or `-` line. */
  firstChangedPatchLine?: number;
  /** Post-image range [first, last] (inclusive) covered by the hunk. */
  postRange?: [number, number];
}

/** Two-way map between post-image lines of a file and lines of the patch input. */
export class LineMap {
  private readonly toPatch = new Map<number, number>();
  private readonly toPost = new Map<number, number>();

  set(postLine: number, patchLine: number): void {
    this.toPatch.set(postLine, patchLine);
    this.toPost.set(patchLine, postLine);
  }

  /** Patch line showing this post-image line, if the line is inside a hunk. */
  patchLineOf(postLine: number): number | undefined {
    return this.toPatch.get(postLine);
  }

  /** Post-image line of a context or added patch line. */
  postLineOf(patchLine: number): number | undefined {
    return this.toPost.get(patchLine);
  }

  get size(): number {
    return this.toPatch.size;
  }
}

export interface FileResult {
  patch: Patch;
  file: FilePatch;
  /** Path reported for the file (the new path, or the old one for a deletion). */
  path: string;
  /** Text before this patch; undefined for a new file or when the base does not have the file. */
  before?: string;
  /** Text after this patch; undefined for a deletion or when the file could not be built. */
  after?: string;
  /** True when before/after are whole files; false when the base lacked the file (fragments needed). */
  complete: boolean;
  placements: HunkPlacement[];
  map: LineMap;
  problems: PatchProblem[];
}

export interface SeriesResult {
  files: FileResult[];
  problems: PatchProblem[];
}

function splitText(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === '') return { lines: [], finalNewline: false };
  const finalNewline = text.endsWith('\n');
  const lines = (finalNewline ? text.slice(0, -1) : text).split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  return { lines, finalNewline };
}

function joinText(lines: string[]): string {
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

function matchesAt(base: string[], at: number, pre: string[], loose: boolean): boolean {
  if (at < 0 || at + pre.length > base.length) return false;
  for (let k = 0; k < pre.length; k++) {
    const a = base[at + k];
    const b = pre[k];
    if (loose ? a.replace(/\s+$/, '') !== b.replace(/\s+$/, '') : a !== b) return false;
  }
  return true;
}

/** Find where the hunk's pre-image sits, searching outward from the expected index, not before `min`. */
function locate(base: string[], pre: string[], expected: number, min: number): { at: number; loose: boolean } | undefined {
  for (const loose of [false, true]) {
    const span = Math.max(base.length, 1);
    for (let d = 0; d <= span; d++) {
      for (const at of d === 0 ? [expected] : [expected - d, expected + d]) {
        if (at >= min && matchesAt(base, at, pre, loose)) return { at, loose };
      }
    }
  }
  return undefined;
}

/** Explain a failed hunk by its best partial match: where most pre-image lines agree, and the first that does not. */
function mismatchDetail(base: string[], pre: string[], expected: number): string {
  if (pre.length > base.length) return `the file has only ${base.length} lines, the hunk needs ${pre.length}`;
  let best = { at: Math.min(Math.max(0, expected), Math.max(0, base.length - pre.length)), score: -1 };
  for (let at = 0; at + pre.length <= base.length; at++) {
    let score = 0;
    for (let k = 0; k < pre.length; k++) if (base[at + k].replace(/\s+$/, '') === pre[k].replace(/\s+$/, '')) score++;
    if (score > best.score || (score === best.score && Math.abs(at - expected) < Math.abs(best.at - expected))) best = { at, score };
  }
  for (let k = 0; k < pre.length; k++) {
    const got = base[best.at + k];
    if (got === undefined) break;
    if (got.replace(/\s+$/, '') !== pre[k].replace(/\s+$/, '')) {
      return `closest match at line ${best.at + 1} (${best.score} of ${pre.length} lines agree): line ${best.at + k + 1} is ${JSON.stringify(got.trim())}, the patch expects ${JSON.stringify(pre[k].trim())}`;
    }
  }
  return 'context not found';
}

/**
 * Apply the hunks of one file section to `baseText` (undefined = empty new file).
 * Returns the post-image, the placement of each hunk, the line map and per-hunk problems.
 */
export function applyHunks(
  patch: Patch,
  file: FilePatch,
  baseText: string,
): { text: string; placements: HunkPlacement[]; map: LineMap; problems: PatchProblem[] } {
  const { lines: base } = splitText(baseText);
  const out: string[] = [];
  const map = new LineMap();
  const placements: HunkPlacement[] = [];
  const problems: PatchProblem[] = [];
  let cursor = 0; // next unconsumed base line (0-based)
  for (const hunk of file.hunks) {
    const fail = (why: string): void => {
      placements.push({ hunk, applied: false });
      problems.push({ patch: patch.index, line: hunk.patchLine, message: `${describePatch(patch)}: ${describeHunk(file, hunk)} does not apply: ${why}` });
    };
    if (hunk.malformed) {
      placements.push({ hunk, applied: false });
      continue; // already reported by the parser
    }
    const pre = hunk.lines.filter((l) => l.kind !== '+').map((l) => l.text);
    const expected = hunk.oldCount === 0 ? hunk.oldStart : hunk.oldStart - 1;
    const found = locate(base, pre, Math.max(0, expected), cursor);
    if (!found) {
      fail(mismatchDetail(base, pre, Math.max(0, expected)));
      continue;
    }
    while (cursor < found.at) out.push(base[cursor++]);
    const newStart = out.length + 1;
    const changed: number[] = [];
    let firstChanged: number | undefined;
    let k = 0;
    for (const l of hunk.lines) {
      if (l.kind === ' ') {
        // Keep the base's own text (it differs only in trailing whitespace when matched loosely).
        out.push(base[found.at + k++]);
        map.set(out.length, l.patchLine);
      } else if (l.kind === '-') {
        k++;
        changed.push(out.length + 1);
        firstChanged ??= l.patchLine;
      } else {
        out.push(l.text);
        map.set(out.length, l.patchLine);
        changed.push(out.length);
        firstChanged ??= l.patchLine;
      }
    }
    cursor = found.at + pre.length;
    placements.push({
      hunk,
      applied: true,
      newStart,
      offset: found.at - Math.max(0, expected),
      changedPostLines: changed,
      firstChangedPatchLine: firstChanged ?? hunk.patchLine,
      postRange: [newStart, Math.max(newStart, out.length)],
    });
  }
  while (cursor < base.length) out.push(base[cursor++]);
  return { text: joinText(out), placements, map, problems };
}

/**
 * Apply every patch of the set, in order, on top of `base`. Files the base lacks and that no
 * earlier patch created are returned with `complete: false` (review falls back to fragments).
 */
export function applySeries(set: PatchSet, base: BaseTree = EMPTY_BASE): SeriesResult {
  const state = new Map<string, string | null>(); // null: deleted by an earlier patch
  const current = (p: string): string | undefined => {
    if (state.has(p)) return state.get(p) ?? undefined;
    return base.read(p);
  };
  const results: FileResult[] = [];
  const problems: PatchProblem[] = [];
  for (const patch of set.patches) {
    for (const file of patch.files) {
      const path = file.newPath ?? file.oldPath ?? '';
      const who = describePatch(patch);
      const refusal = [file.oldPath, file.newPath].map((p) => (p === null ? undefined : base.refuse(p))).find((r) => r !== undefined);
      if (refusal) {
        problems.push({ patch: patch.index, line: file.patchLine, message: `${who}: ${refusal}` });
        continue;
      }
      const r: FileResult = { patch, file, path, complete: true, placements: [], map: new LineMap(), problems: [] };
      if (file.status === 'added') {
        const exists = current(path);
        if (exists !== undefined) {
          r.problems.push({ patch: patch.index, line: file.patchLine, message: `${who}: creates ${path}, which already exists; the file is skipped` });
          r.complete = false;
        } else {
          const a = applyHunks(patch, file, '');
          Object.assign(r, { after: a.text, placements: a.placements, map: a.map });
          r.problems.push(...a.problems);
          state.set(path, a.text);
        }
      } else {
        const src = file.oldPath ?? path;
        const text = current(src);
        if (text === undefined) {
          r.complete = false; // unknown pre-image: review from the hunks alone
          if (state.has(src) || base !== EMPTY_BASE) {
            const why = state.has(src) ? 'was deleted by an earlier patch' : 'is not in the base tree';
            r.problems.push({ patch: patch.index, line: file.patchLine, message: `${who}: ${src} ${why}; reviewed from the hunks alone` });
          }
        } else {
          r.before = text;
          if (file.status === 'deleted') {
            state.set(src, null);
          } else {
            const a = applyHunks(patch, file, text);
            Object.assign(r, { after: a.text, placements: a.placements, map: a.map });
            r.problems.push(...a.problems);
            state.set(path, a.text);
            if (file.status === 'renamed' && src !== path) state.set(src, null);
          }
        }
      }
      problems.push(...r.problems);
      results.push(r);
    }
  }
  return { files: results, problems };
}
