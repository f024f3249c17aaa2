/**
 * Unified-diff parser with git extended headers. Hand-written rather than jsdiff's `parsePatch`:
 * we need the input line of every diff line (jsdiff keeps none), copy/rename/mode/binary headers,
 * whitespace-damaged mail (empty context lines), and a precise message for a hunk whose body does
 * not match its header — jsdiff throws on the first such hunk and loses the rest of the input.
 */
import type { FilePatch, Hunk, HunkLine, PatchProblem, SrcLine } from './model';
import { describeHunk } from './model';

export interface DiffParseResult {
  files: FilePatch[];
  /** Messages without the patch prefix; the caller names the patch. */
  problems: Omit<PatchProblem, 'patch'>[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;
const GIT_HEADER = /^diff --git (.+)$/;
const EXTENDED = /^(old mode|new mode|deleted file mode|new file mode|copy from|copy to|rename from|rename to|rename old|rename new|similarity index|dissimilarity index|index) ?(.*)$/;

/** Unquote a git C-style quoted path (`"a/foo\tbar"`); other paths are returned as they are. */
export function unquotePath(p: string): string {
  if (!(p.startsWith('"') && p.endsWith('"') && p.length >= 2)) return p;
  const body = p.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
      continue;
    }
    const n = body[++i];
    const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
    if (n !== undefined && n in simple) bytes.push(simple[n]);
    else if (n !== undefined && /[0-7]/.test(n)) {
      const oct = body.slice(i, i + 3);
      bytes.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else if (n !== undefined) bytes.push(n.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Strip the `a/` / `b/` prefix (git), or the first path component of a non-git diff (like `patch -p1`). */
function stripPrefix(p: string, git: boolean): string {
  if (p === '/dev/null') return p;
  if (git) return p.replace(/^[abciwo12]\//, ''); // a/ b/, or diff.mnemonicPrefix's c/ i/ w/ o/ 1/ 2/
  const i = p.indexOf('/');
  return i > 0 ? p.slice(i + 1) : p;
}

/** The path part of a `---` / `+++` line: unquoted, without a trailing timestamp. */
function headerPath(rest: string): string {
  const t = rest.startsWith('"') ? rest.replace(/^("(?:[^"\\]|\\.)*").*$/, '$1') : rest.split('\t')[0].replace(/\s+$/, '');
  return unquotePath(t);
}

/** Split `a/x b/x` from a `diff --git` line; ambiguous when names contain spaces, so prefer equal halves. */
function gitHeaderPaths(rest: string): { a?: string; b?: string } {
  const q = /^("(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)$/.exec(rest);
  if (q) return { a: unquotePath(q[1]), b: unquotePath(q[2]) };
  // Unquoted names with spaces: `a/x y b/x y` → the split where both halves name the same file.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ') {
    const a = rest.slice(0, half);
    const b = rest.slice(half + 1);
    if (a.replace(/^a\//, '') === b.replace(/^b\//, '')) return { a, b };
  }
  return {};
}

function isNoiseAfterHunk(t: string): boolean {
  return /^-- ?$/.test(t);
}

/** Parse the diff part of a message body (commit text and diffstat before it are skipped). */
export function parseDiff(lines: SrcLine[]): DiffParseResult {
  const files: FilePatch[] = [];
  const problems: Omit<PatchProblem, 'patch'>[] = [];
  let cur: FilePatch | undefined;
  let git = false;
  /** In a git file header (between `diff --git` and the first hunk). */
  let inHeader = false;
  let inBinary = false;
  let afterSignature = false;

  const newFile = (line: number, isGit: boolean): FilePatch => {
    const f: FilePatch = { oldPath: null, newPath: null, status: 'modified', binary: false, patchLine: line, hunks: [] };
    files.push(f);
    git = isGit;
    return f;
  };

  for (let i = 0; i < lines.length; i++) {
    const { text: t, line } = lines[i];
    const gm = GIT_HEADER.exec(t);
    if (gm) {
      cur = newFile(line, true);
      const p = gitHeaderPaths(gm[1]);
      if (p.a) cur.oldPath = stripPrefix(p.a, true);
      if (p.b) cur.newPath = stripPrefix(p.b, true);
      inHeader = true;
      inBinary = false;
      afterSignature = false;
      continue;
    }
    if (afterSignature) continue;
    if (inBinary) {
      if (isNoiseAfterHunk(t)) afterSignature = true;
      continue;
    }
    // A non-git file header: `--- x` followed by `+++ y`.
    if (t.startsWith('--- ') && lines[i + 1]?.text.startsWith('+++ ') && !(inHeader && cur)) {
      cur = newFile(line, false);
      inHeader = true;
    }
    if (inHeader && cur) {
      if (t.startsWith('--- ')) {
        const p = headerPath(t.slice(4));
        if (p === '/dev/null') {
          cur.oldPath = null;
          cur.status = 'added';
        } else cur.oldPath = stripPrefix(p, git);
        continue;
      }
      if (t.startsWith('+++ ')) {
        const p = headerPath(t.slice(4));
        if (p === '/dev/null') {
          cur.newPath = null;
          cur.status = 'deleted';
        } else cur.newPath = stripPrefix(p, git);
        continue;
      }
      const em = git ? EXTENDED.exec(t) : null;
      if (em) {
        applyExtended(cur, em[1], em[2]);
        continue;
      }
      if (/^Binary files .* differ$/.test(t) || t === 'GIT binary patch') {
        cur.binary = true;
        inBinary = t === 'GIT binary patch';
        inHeader = false;
        continue;
      }
    }
    const hm = HUNK_HEADER.exec(t);
    if (hm && cur) {
      inHeader = false;
      const { hunk, next, problem } = parseHunk(lines, i, hm, cur.hunks.length + 1, cur);
      cur.hunks.push(hunk);
      if (problem) problems.push(problem);
      i = next - 1;
      // Lines that look like hunk lines right after a complete hunk: the header undercounts.
      let j = next;
      while (j < lines.length && /^[-+ ]/.test(lines[j].text) && !/^(--- |\+\+\+ )/.test(lines[j].text) && !isNoiseAfterHunk(lines[j].text) && !(lines[j].text.startsWith(' ') && /^ \S.*\|\s+\d+/.test(lines[j].text))) j++;
      if (j > next) {
        // Only a problem if more hunk-shaped lines follow before anything else diff-like.
        hunk.malformed ??= `has more lines than its header declares (${j - next} extra from line ${lines[next].line})`;
        problems.push({ message: `${describeHunk(cur, hunk)} ${hunk.malformed}; the hunk is skipped`, line: lines[next].line });
        i = j - 1;
      }
      continue;
    }
    if (hm && !cur) {
      problems.push({ message: `hunk header without a file header at line ${line}; skipped`, line });
      continue;
    }
    if (isNoiseAfterHunk(t) && cur && cur.hunks.length > 0) afterSignature = true;
  }
  for (const f of files) finishFile(f);
  return { files, problems };
}

function applyExtended(f: FilePatch, key: string, value: string): void {
  switch (key) {
    case 'old mode':
      f.oldMode = value;
      break;
    case 'new mode':
      f.newMode = value;
      break;
    case 'deleted file mode':
      f.status = 'deleted';
      f.oldMode = value;
      break;
    case 'new file mode':
      f.status = 'added';
      f.newMode = value;
      break;
    case 'copy from':
      f.status = 'copied';
      f.oldPath = unquotePath(value);
      break;
    case 'copy to':
      f.status = 'copied';
      f.newPath = unquotePath(value);
      break;
    case 'rename from':
    case 'rename old':
      f.status = 'renamed';
      f.oldPath = unquotePath(value);
      break;
    case 'rename to':
    case 'rename new':
      f.status = 'renamed';
      f.newPath = unquotePath(value);
      break;
    case 'similarity index':
    case 'dissimilarity index':
      f.similarity = parseInt(value, 10);
      break;
    default:
      break; // index
  }
}

function finishFile(f: FilePatch): void {
  if (f.status === 'added') f.oldPath = null;
  if (f.status === 'deleted') f.newPath = null;
  if (f.status === 'modified' && f.oldPath !== null && f.newPath !== null && f.oldPath !== f.newPath) f.status = 'renamed';
}

function parseHunk(
  lines: SrcLine[],
  at: number,
  hm: RegExpExecArray,
  index: number,
  file: FilePatch,
): { hunk: Hunk; next: number; problem?: Omit<PatchProblem, 'patch'> } {
  const oldStart = parseInt(hm[1], 10);
  const oldCount = hm[2] === undefined ? 1 : parseInt(hm[2], 10);
  const newStart = parseInt(hm[3], 10);
  const newCount = hm[4] === undefined ? 1 : parseInt(hm[4], 10);
  const hunk: Hunk = {
    index,
    header: lines[at].text,
    oldStart,
    oldCount,
    newStart,
    newCount,
    section: hm[5].trim(),
    patchLine: lines[at].line,
    lines: [],
  };
  // For an empty side the start names the line *before* the change.
  let oldLine = oldCount === 0 ? oldStart + 1 : oldStart;
  let newLine = newCount === 0 ? newStart + 1 : newStart;
  let oldRem = oldCount;
  let newRem = newCount;
  let i = at + 1;
  for (; i < lines.length && (oldRem > 0 || newRem > 0); i++) {
    const { text, line } = lines[i];
    let kind = text[0];
    if (text === '') kind = ' '; // whitespace-damaged mail: an empty context line lost its space
    if (kind === '\\') continue; // "\ No newline at end of file"
    let hl: HunkLine | undefined;
    if (kind === ' ' && oldRem > 0 && newRem > 0) {
      hl = { kind: ' ', text: text.slice(1), patchLine: line, oldLine: oldLine++, newLine: newLine++ };
      oldRem--;
      newRem--;
    } else if (kind === '-' && oldRem > 0) {
      hl = { kind: '-', text: text.slice(1), patchLine: line, oldLine: oldLine++ };
      oldRem--;
    } else if (kind === '+' && newRem > 0) {
      hl = { kind: '+', text: text.slice(1), patchLine: line, newLine: newLine++ };
      newRem--;
    }
    if (!hl) break;
    hunk.lines.push(hl);
  }
  // A trailing "\ No newline at end of file" belongs to this hunk.
  while (i < lines.length && lines[i].text.startsWith('\\')) i++;
  if (oldRem > 0 || newRem > 0) {
    const got = `${oldCount - oldRem} old / ${newCount - newRem} new`;
    const where = i < lines.length ? `at line ${lines[i].line}` : 'at the end of the input (truncated?)';
    hunk.malformed = `declares ${oldCount} old / ${newCount} new lines but ends after ${got} ${where}`;
    return {
      hunk,
      next: i,
      problem: { message: `${describeHunk(file, hunk)} ${hunk.malformed}; the hunk is skipped`, line: hunk.patchLine },
    };
  }
  return { hunk, next: i };
}
