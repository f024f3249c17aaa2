/**
 * Finding the files to scan: explicit files as given, directories recursively (`.c` and `.h`),
 * with --exclude globs, a size limit, and symlink loops broken. Reading a file checks for binary
 * content and invalid UTF-8. Every skipped input gets a note naming its path; nothing here throws
 * for one bad input, so the rest of the tree is still scanned.
 */
import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';
import type { ScanNote } from './types';

export interface SourceFile {
  /** Path as shown to the user: the input path joined with the path inside it. */
  path: string;
  /** Path relative to the input it was found under ('' parts for explicit files), `/`-separated. */
  rel: string;
  size: number;
  mtimeMs: number;
  ino: number;
  dev: number;
}

export interface WalkOptions {
  exclude?: string[];
  maxFileBytes?: number;
  signal?: AbortSignal;
  /** Each file as it is added to the result (the scan starts grep on files while the walk goes on). */
  onFile?: (f: SourceFile) => void;
}

export const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;
const SOURCE_EXT = /\.[ch]$/;
/** Version-control metadata is never source. */
const SKIP_DIRS = new Set(['.git', '.hg', '.svn']);

export type Excluder = (rel: string, isDir: boolean) => boolean;

/**
 * Patterns with a `/` match the path relative to the scanned root (`drivers/gpu/**` also prunes the
 * directory itself); patterns without match the base name (`*.mod.c`), like .gitignore.
 */
export function makeExcluder(globs: string[] | undefined): Excluder {
  if (!globs || globs.length === 0) return () => false;
  const withSlash = globs.filter((g) => g.includes('/')).map((g) => g.replace(/^\.\//, ''));
  const bare = globs.filter((g) => !g.includes('/'));
  const full = withSlash.length ? picomatch(withSlash, { dot: true }) : undefined;
  const base = bare.length ? picomatch(bare, { dot: true, basename: true }) : undefined;
  return (rel, isDir) => {
    if (full && (full(rel) || (isDir && full(rel + '/')))) return true;
    if (base && base(rel)) return true;
    return false;
  };
}

function posixRel(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * Walk the given paths. Directories are walked iteratively in sorted order (deterministic output);
 * a directory reached twice through symlinks (same dev:ino) is a loop or a duplicate and is skipped.
 * The same file reached twice (given twice, or via a symlink) is scanned once.
 */
export async function walkPaths(inputs: string[], opts: WalkOptions, notes: ScanNote[]): Promise<SourceFile[]> {
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const excluded = makeExcluder(opts.exclude);
  const out: SourceFile[] = [];
  // dev → inodes seen (numbers: a string key per file cost more than the lookup on a kernel tree)
  const seenFiles = new Map<number, Set<number>>();
  const seenDirs = new Set<string>();

  const addFile = (display: string, rel: string, st: fs.Stats): void => {
    let inos = seenFiles.get(st.dev);
    if (!inos) seenFiles.set(st.dev, (inos = new Set()));
    if (inos.has(st.ino)) return;
    inos.add(st.ino);
    if (st.size > maxBytes) {
      notes.push({ path: display, severity: 'warning', message: `skipped: ${st.size} bytes is over the size limit of ${maxBytes} bytes` });
      return;
    }
    const f: SourceFile = { path: display, rel, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, dev: st.dev };
    out.push(f);
    opts.onFile?.(f);
  };

  for (const input of inputs) {
    if (opts.signal?.aborted) return out;
    let st: fs.Stats;
    try {
      // Synchronous stat/readdir: tens of thousands of async round trips through the libuv
      // thread pool cost more than the calls themselves.
      st = fs.statSync(input);
    } catch (e) {
      notes.push({ path: input, severity: 'error', message: describeFsError(e) });
      continue;
    }
    if (st.isFile()) {
      // An explicit file is scanned whatever its extension: the user named it.
      addFile(input, posixRel(path.basename(input)), st);
      continue;
    }
    if (!st.isDirectory()) {
      notes.push({ path: input, severity: 'warning', message: 'skipped: not a regular file or directory' });
      continue;
    }
    seenDirs.add(`${st.dev}:${st.ino}`);
    // path.join(input, rel) for names read from directories is the normalised input plus `/rel`.
    const base = path.normalize(input);
    const under = (rel: string): string => (base === '.' ? rel : base.endsWith(path.sep) ? base + rel : base + path.sep + rel);
    const stack: string[] = [''];
    let visited = 0;
    while (stack.length > 0) {
      if (opts.signal?.aborted) return out;
      // Let the event loop breathe (an editor's extension host, an abort) every few hundred directories.
      if (++visited % 256 === 0) await new Promise<void>((r) => setImmediate(r));
      const relDir = stack.pop() as string;
      const absDir = relDir ? path.join(input, relDir) : input;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(absDir, { withFileTypes: true });
      } catch (e) {
        notes.push({ path: absDir, severity: 'error', message: describeFsError(e) });
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: string[] = [];
      for (const ent of entries) {
        let isDir = ent.isDirectory();
        let isFile = ent.isFile();
        // most entries of a kernel tree are other files: skip them before building any path
        if (isFile && !SOURCE_EXT.test(ent.name)) continue;
        const rel = relDir ? `${relDir}/${ent.name}` : ent.name;
        const display = under(rel);
        let est: fs.Stats | undefined;
        if (ent.isSymbolicLink()) {
          try {
            est = fs.statSync(display);
          } catch {
            notes.push({ path: display, severity: 'warning', message: 'skipped: dangling or unreadable symbolic link' });
            continue;
          }
          isDir = est.isDirectory();
          isFile = est.isFile();
        }
        if (isDir) {
          if (SKIP_DIRS.has(ent.name) || excluded(rel, true)) continue;
          if (!est) {
            try { est = fs.statSync(display); } catch { continue; }
          }
          const id = `${est.dev}:${est.ino}`;
          if (seenDirs.has(id)) {
            if (ent.isSymbolicLink()) notes.push(symlinkSeenNote(display, absDir));
            continue;
          }
          seenDirs.add(id);
          subdirs.push(rel);
        } else if (isFile) {
          if (!SOURCE_EXT.test(ent.name) || excluded(rel, false)) continue;
          try {
            est ??= fs.statSync(display);
          } catch (e) {
            notes.push({ path: display, severity: 'error', message: describeFsError(e) });
            continue;
          }
          addFile(display, rel, est);
        }
      }
      // Reverse so that pop() visits subdirectories in sorted order.
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
    }
  }
  return out;
}

/**
 * A symbolic link to a directory the walk has already entered. Pointing at one of the directories
 * it sits in, it is a loop (a warning: a tree rarely means it); pointing elsewhere, it is a second
 * name for files that are scanned anyway (the kernel's `scripts/dtc/include-prefixes/*` point
 * into `arch/`), which only `--verbose` needs to mention.
 */
function symlinkSeenNote(link: string, dir: string): ScanNote {
  let loop: boolean;
  try {
    const target = fs.realpathSync(link);
    const here = fs.realpathSync(dir);
    loop = here === target || here.startsWith(target.endsWith(path.sep) ? target : target + path.sep);
  } catch {
    loop = true; // it resolved a moment ago; if it no longer does, say the more cautious thing
  }
  return loop
    ? { path: link, severity: 'warning', message: 'skipped: symbolic link loop (points to a directory containing it)' }
    : { path: link, severity: 'info', message: 'skipped: symbolic link to a directory already scanned' };
}

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    case 'ELOOP': return 'skipped: symbolic link loop';
    default: return `cannot read: ${err.message ?? String(e)}`;
  }
}

/** A NUL byte in the first 8 KiB: not C source (what git and grep use to call a file binary). */
export function looksBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192);
  return buf.subarray(0, n).indexOf(0) !== -1;
}

export type DecodeResult = { ok: true; text: string } | { ok: false; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Decode as strict UTF-8 (offsets must match the editor's, so no silent U+FFFD replacement).
 * The error names the first bad byte's line so the user can find it.
 */
export function decodeSource(buf: Buffer): DecodeResult {
  try {
    return { ok: true, text: utf8.decode(buf) };
  } catch {
    const bad = firstInvalidUtf8(buf);
    let line = 1;
    for (let i = 0; i < bad; i++) if (buf[i] === 0x0a) line++;
    return { ok: false, message: `skipped: invalid UTF-8 at byte ${bad} (line ${line})` };
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    if (b < 0x80) { i++; continue; }
    let n: number;
    if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) n = 2;
    else if (b >= 0xf0 && b <= 0xf4) n = 3;
    else return i;
    for (let k = 1; k <= n; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlongs and surrogates.
    if (b === 0xe0 && buf[i + 1] < 0xa0) return i;
    if (b === 0xed && buf[i + 1] > 0x9f) return i;
    if (b === 0xf0 && buf[i + 1] < 0x90) return i;
    if (b === 0xf4 && buf[i + 1] > 0x8f) return i;
    i += n + 1;
  }
  return buf.length;
}

export type ReadResult =
  | { ok: true; buf: Buffer }
  | { ok: false; note: ScanNote };

/** Read a file's bytes; binary files and read errors become notes. */
export function readSourceBytes(file: string): ReadResult {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    return { ok: false, note: { path: file, severity: 'error', message: describeFsError(e) } };
  }
  if (looksBinary(buf)) return { ok: false, note: { path: file, severity: 'warning', message: 'skipped: binary file (NUL byte in the first 8 KiB)' } };
  return { ok: true, buf };
}
