/**
 * Data model of a parsed patch series. Every diff line remembers the line of the input file
 * (the .patch / .mbox / .eml the user opened) it came from, so findings can be reported there.
 */
import type { Finding } from '../types';

/** One line of decoded mail/diff text and where it sits in the input file (1-based). */
export interface SrcLine {
  text: string;
  line: number;
}

export type HunkLineKind = ' ' | '-' | '+';

export interface HunkLine {
  kind: HunkLineKind;
  /** Line text without the diff prefix character. */
  text: string;
  /** Line in the input file. */
  patchLine: number;
  /** Line in the pre-image according to the hunk header (context and removed lines). */
  oldLine?: number;
  /** Line in the post-image according to the hunk header (context and added lines). */
  newLine?: number;
}

export interface Hunk {
  /** 1-based index of the hunk within its file section. */
  index: number;
  /** The `@@ … @@` line as written. */
  header: string;
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** Text after the second `@@` (git's function-name heuristic). */
  section: string;
  /** Input line of the `@@` header. */
  patchLine: number;
  lines: HunkLine[];
  /** Set when the hunk's body does not match its header counts; such a hunk is never applied. */
  malformed?: string;
}

export type FileStatus = 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';

export interface FilePatch {
  /** Path before the patch, without a/ prefix; null for a new file. */
  oldPath: string | null;
  /** Path after the patch, without b/ prefix; null for a deleted file. */
  newPath: string | null;
  status: FileStatus;
  binary: boolean;
  oldMode?: string;
  newMode?: string;
  similarity?: number;
  /** Input line of `diff --git` (or `---`). */
  patchLine: number;
  hunks: Hunk[];
}

export interface PatchNumber {
  k: number;
  n: number;
}

/** One problem in the input that did not stop the rest of the review. */
export interface PatchProblem {
  /** Index of the patch in series order (1-based), 0 for the input as a whole. */
  patch: number;
  message: string;
  /** Input line the problem is at. */
  line: number;
}

export interface Patch {
  /** The input (file path or `<stdin>`) the patch was read from. */
  source: string;
  /** 1-based position in series order (after sorting by [PATCH k/N] and dropping the cover letter). */
  index: number;
  /** The full subject (prefix included), or a synthesized name for a bare diff. */
  subject: string;
  number?: PatchNumber;
  from?: string;
  date?: string;
  messageId?: string;
  /** First input line of the message. */
  startLine: number;
  files: FilePatch[];
  problems: PatchProblem[];
  notes: string[];
}

export interface PatchSet {
  /** The input's name (path, or `<stdin>`). */
  name: string;
  patches: Patch[];
  /** Things skipped on purpose (cover letter, binary files, non-C files). */
  notes: string[];
  /** Problems not tied to one patch. */
  problems: PatchProblem[];
  /** The `base-commit:` trailer of the series (git format-patch --base, b4), when present. */
  baseCommit?: string;
}

/** A finding placed in a patch: the analyzer's Finding plus where it shows in the patch and in the tree. */
export interface PatchFinding {
  finding: Finding;
  patch: {
    index: number;
    subject: string;
    /** The .patch / .mbox / .eml file (or `<stdin>`). */
    file: string;
    line: number;
    column: number;
  };
  target: {
    path: string;
    /** Line in the post-image of `path` after this patch. */
    line: number;
  };
  /**
   * A later patch of the series after which the finding is gone for good (the series as a whole
   * is fine, this patch is not: a bisection can stop between the two).
   */
  fixedLater?: { index: number; subject: string };
}

/** `3/4` — a patch's place in its series: `k/N` as its subject numbers it, else its position among `total`. */
export function patchTag(p: Pick<Patch, 'index' | 'number'>, total: number): string {
  return p.number ? `${p.number.k}/${p.number.n}` : `${p.index}/${total}`;
}

/** `Patch 2/3 "[PATCH 2/3] foo: bar"` — how messages name a patch. */
export function describePatch(p: Pick<Patch, 'index' | 'subject'>): string {
  return `patch ${p.index} "${p.subject}"`;
}

export function describeHunk(f: Pick<FilePatch, 'oldPath' | 'newPath'>, h: Pick<Hunk, 'index' | 'header' | 'patchLine'>): string {
  const path = f.newPath ?? f.oldPath ?? '?';
  const header = h.header.replace(/^(@@[^@]*@@).*$/, '$1');
  return `hunk ${h.index} of ${path} (${header}, line ${h.patchLine})`;
}

/** Files the analyzer understands. */
export function isCFile(path: string | null): boolean {
  return path !== null && /\.[ch]$/.test(path);
}
