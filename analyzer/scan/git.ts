/**
 * Content ids from git, without reading files. A CI job scans a fresh checkout: every file has a
 * new mtime and inode, so the stat index (cache.ts) trusts none of them and the whole pre-pass
 * runs again, although most files have the same content as in the last run. git's index already
 * holds, for each tracked file, its blob id and the stat data the file had when git last saw its
 * content (a checkout records it as it writes the file). A file whose current size, mtime and
 * inode equal those, and whose recorded mtime is older than the index file itself (git's racy-file
 * rule: a file changed within the timestamp tick its stat data was recorded in could still look
 * unchanged, and git only trusts entries recorded before the index was written), has
 * exactly the content of that blob — the test `git status` makes, done here on the stat data the
 * walk already has. A stat-index row stored with the same blob id (and size) is then trusted
 * whatever its mtime and inode.
 *
 * Only `git rev-parse` and `git ls-files --debug` are run, through analyzer/git.ts (no fsmonitor,
 * no transport): neither runs hooks, filters or any other program a repository's configuration
 * names (`git status` may run clean filters and an fsmonitor command, so it is not used on trees
 * that may come from anywhere).
 * Anything unexpected (no git, not a work tree, a failing or slow command, odd output) gives no
 * answer: the scan then trusts stat data only, as without git.
 */
import * as fs from 'fs';
import * as path from 'path';
import { gitSync, gitTopLevel } from '../git';

export interface GitOptions {
  /** git executable (tests use a missing one). */
  command?: string;
  /** Per command. */
  timeoutMs?: number;
}

/** Stat data of the walked file (as SourceFile has it). */
export interface FileStat {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Blob id of a scanned file (absolute path as the walk spelled it, its stat data), when git vouches for it. */
export type BlobLookup = (absPath: string, st: FileStat) => string | undefined;

function git(cmd: string, cwd: string, args: string[], timeoutMs: number): string | undefined {
  const r = gitSync(args, { command: cmd, repo: cwd, timeoutMs, stderr: 'ignore' });
  if (r.error || r.status !== 0 || !r.stdout) return undefined;
  return r.stdout.toString('utf8');
}

interface IndexEntry {
  blob: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * `git ls-files -s --debug`: per entry "<mode> <blob> <stage>\t<path>" then indented lines
 * `ctime: s:ns`, `mtime: s:ns`, `dev: d\tino: i`, `uid: u\tgid: g`, `size: n\tflags: f`.
 * Regular files at stage 0 only; a path git had to quote (control characters, quotes) is skipped.
 */
export function parseDebugListing(out: string): Map<string, IndexEntry> {
  const entries = new Map<string, IndexEntry>();
  let cur: { rel: string; e: IndexEntry; seen: number } | undefined;
  const finish = (): void => {
    // all three of mtime, ino and size must have been read
    if (cur && cur.seen === 7) entries.set(cur.rel, cur.e);
    cur = undefined;
  };
  for (const line of out.split('\n')) {
    if (line.startsWith('  ')) {
      if (!cur) continue;
      let m: RegExpExecArray | null;
      if ((m = /^ {2}mtime: (\d+):(\d+)$/.exec(line))) {
        cur.e.mtimeMs = Number(m[1]) * 1000 + Number(m[2]) / 1e6;
        cur.seen |= 1;
      } else if ((m = /^ {2}dev: \d+\tino: (\d+)$/.exec(line))) {
        cur.e.ino = Number(m[1]);
        cur.seen |= 2;
      } else if ((m = /^ {2}size: (\d+)\tflags: [0-9a-f]+$/.exec(line))) {
        cur.e.size = Number(m[1]);
        cur.seen |= 4;
      }
      continue;
    }
    finish();
    const m = /^(\d{6}) ([0-9a-f]{40,64}) (\d)\t(.*)$/.exec(line);
    if (!m || m[3] !== '0' || (m[1] !== '100644' && m[1] !== '100755') || m[4].startsWith('"')) continue;
    cur = { rel: m[4], e: { blob: m[2], size: -1, mtimeMs: -1, ino: -1 }, seen: 0 };
  }
  finish();
  return entries;
}

/**
 * What git's index says about the files under `roots`, as a lookup, or undefined when git cannot
 * say anything (no git, not inside a work tree). Paths are matched through each root's real path,
 * so a root reached through a symbolic link still finds its files.
 */
export function cleanBlobs(roots: readonly string[], opts: GitOptions = {}): BlobLookup | undefined {
  const cmd = opts.command ?? 'git';
  const timeoutMs = opts.timeoutMs ?? 60_000;
  // work tree top → its index entries and the index file's mtime
  const trees = new Map<string, { entries: Map<string, IndexEntry>; indexMtimeMs: number }>();
  // [root as walked (absolute), its real path, work tree top]
  const prefixes: [string, string, string][] = [];
  for (const root of roots) {
    const abs = path.resolve(root);
    let real: string;
    let dir: string;
    try {
      real = fs.realpathSync(abs);
      dir = fs.statSync(real).isDirectory() ? real : path.dirname(real);
    } catch {
      continue;
    }
    const top = gitTopLevel(dir, { command: cmd, timeoutMs });
    if (!top) continue;
    if (!trees.has(top)) {
      const indexFile = git(cmd, top, ['rev-parse', '--path-format=absolute', '--git-path', 'index'], timeoutMs)?.trim();
      const listing = indexFile ? git(cmd, top, ['ls-files', '-s', '--debug'], timeoutMs) : undefined;
      let indexMtimeMs = -1;
      try {
        if (indexFile) indexMtimeMs = fs.statSync(indexFile).mtimeMs;
      } catch {
        /* no index file: nothing can be vouched for */
      }
      if (listing === undefined || indexMtimeMs < 0) continue;
      trees.set(top, { entries: parseDebugListing(listing), indexMtimeMs });
    }
    prefixes.push([abs, real, top]);
  }
  if (prefixes.length === 0) return undefined;
  return (absPath: string, st: FileStat): string | undefined => {
    for (const [abs, real, top] of prefixes) {
      let p: string;
      if (absPath === abs) p = real;
      else if (absPath.startsWith(abs + path.sep)) p = real + absPath.slice(abs.length);
      else continue;
      const t = trees.get(top);
      if (!t || !p.startsWith(top + path.sep)) return undefined;
      const e = t.entries.get(p.slice(top.length + 1).split(path.sep).join('/'));
      if (!e) return undefined;
      // git's own test for an unchanged file, on the stat data the walk has; racy entries fail it
      const same = e.size === st.size && e.ino === st.ino && e.ino !== 0 && Math.abs(e.mtimeMs - st.mtimeMs) < 0.001;
      return same && e.mtimeMs < t.indexMtimeMs ? e.blob : undefined;
    }
    return undefined;
  };
}
