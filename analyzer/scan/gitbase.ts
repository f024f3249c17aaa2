/**
 * The base context of a review whose base is a git revision (`vmalias review --base-rev REV`,
 * `--base-rev auto`, `--git A..B`): the same subsystem scan as for a directory base (context.ts),
 * on files read from the revision's objects, never from the work tree (which may be at another
 * commit, or hold the series already).
 *
 * Each scope directory of the revision (a touched file's subsystem, or one of a file including a
 * touched include/ header, found with `git grep REV`) is written out once, `.c`/`.h` blobs only,
 * into the scan cache: `<cache>/v2/revs/<key>/<scope>/…`, key = sha256(git directory, scope, the
 * scope's tree id). A scope whose tree is unchanged between two reviews is the same directory, so
 * the whole-tree scanner's cache (keyed by absolute path and content) answers for it; a changed
 * tree is a new directory. With `noCache` the scopes go to a temporary directory that `dispose()`
 * removes.
 *
 * git runs with nothing a repository can configure to execute: `rev-parse`, `cat-file --batch`,
 * `ls-tree` and `grep` on a revision run no hooks, filters, textconv or fsmonitor, and a partial
 * clone may not fetch missing objects (`protocol.allow=never`, GIT_NO_LAZY_FETCH). Anything that
 * fails (missing objects, a shallow clone without the revision, a scope over the size limit) is a
 * note, and the review goes on with what could be read.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gitFailure, gitSpawn, gitSync, gitTopLevel } from '../git';
import { defaultCacheDir } from './cache';
import { contextScopes, findCallers, findMemberReaders, headerIncluders } from './callers';
import type { BaseContext } from './context';
import { DEFAULT_MAX_FILE_BYTES } from './files';
import { scanPaths } from './index';
import { untouchedFactsBy } from './summaries';
import type { ScanOptions } from './types';

/** A base read from git: a repository (any directory `git -C` accepts) and a commit's full object id. */
export interface GitRevision {
  repo: string;
  commit: string;
}

export interface GitContextOptions extends ScanOptions {
  /** Bytes of `.c`/`.h` files a review may write out for its scopes (default 256 MiB). */
  maxScopeBytes?: number;
  /** Per git command (default 120 s). */
  gitTimeoutMs?: number;
}

export const DEFAULT_MAX_SCOPE_BYTES = 256 << 20;
/** Written-out scopes kept in the cache: the most recently used ones, at most this many and bytes. */
const KEEP_TREES = 24;
const KEEP_BYTES = 1 << 30;
/** A tree used this recently may belong to a review still running: never pruned. */
const IN_USE_MS = 15 * 60_000;

const OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const META = '.vmalias-tree.json';

class GitError extends Error {}

function git(repo: string, args: string[], timeoutMs: number, input?: string): Buffer {
  const r = gitSync(args, { repo, input, timeoutMs });
  if (r.error) throw new GitError(`git ${args[0]}: ${r.error.message}`);
  if (r.status !== 0) throw new GitError(`git ${args[0]} failed: ${gitFailure(r)}`);
  return r.stdout;
}

/** One entry of `git ls-tree -l -z`: a regular file's blob and size, its path below the listed tree. */
interface TreeBlob {
  oid: string;
  size: number;
  rel: string;
}

/** `.c`/`.h` regular files of `git ls-tree -l -z` output; symlinks, submodules and odd names are left out. */
export function parseLsTree(out: string): TreeBlob[] {
  const blobs: TreeBlob[] = [];
  for (const rec of out.split('\0')) {
    // git prints a size it cannot read (a missing object) as BAD: NaN, refused by writeScope
    const m = /^(\d{6}) blob ([0-9a-f]{40,64}) +(\d+|\S+)\t(.+)$/s.exec(rec);
    if (!m || (m[1] !== '100644' && m[1] !== '100755') || !/\.[ch]$/.test(m[4])) continue;
    // a tree object can name anything: only plain relative names are written out
    const segs = m[4].split('/');
    if (segs.some((s) => s === '' || s === '.' || s === '..' || s.toLowerCase() === '.git' || s.includes('\\') || [...s].some((c) => c.charCodeAt(0) < 32))) continue;
    blobs.push({ oid: m[2], size: Number(m[3]), rel: m[4] });
  }
  return blobs;
}

/**
 * Reads `oids` with one `git cat-file --batch`, calling `onBlob` for each in order; a missing
 * object rejects (the scope is then skipped).
 */
function catBlobs(repo: string, oids: readonly string[], timeoutMs: number, onBlob: (i: number, data: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = gitSpawn(['cat-file', '--batch'], { repo });
    const timer = setTimeout(() => { p.kill(); fail(new GitError(`git cat-file: no answer in ${timeoutMs / 1000} s`)); }, timeoutMs);
    let done = false;
    const fail = (e: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      p.kill();
      reject(e);
    };
    // chunks of stdout not consumed yet: an object is joined once, when all of it has come
    let chunks: Buffer[] = [];
    let have = 0;
    let next = 0;
    let want = -1; // bytes of the current object (+1 for its newline), -1 = a header line comes
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString('utf8')).slice(-500); });
    p.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      have += d.length;
      while (!done) {
        if (want >= 0 && have < want) return;
        const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, have);
        chunks = [buf];
        let rest: Buffer;
        if (want < 0) {
          const nl = buf.indexOf(10);
          if (nl < 0) return;
          const head = buf.subarray(0, nl).toString('latin1');
          rest = buf.subarray(nl + 1);
          const m = /^([0-9a-f]+) blob (\d+)$/.exec(head);
          if (!m) return fail(new GitError(`git cat-file: ${head.includes('missing') ? `object ${oids[next]} is missing (a shallow or partial clone?)` : `unexpected ${JSON.stringify(head.slice(0, 80))}`}`));
          want = Number(m[2]) + 1;
        } else {
          onBlob(next++, buf.subarray(0, want - 1));
          rest = buf.subarray(want);
          want = -1;
          if (next === oids.length) {
            done = true;
            clearTimeout(timer);
            p.stdin.end();
            return resolve();
          }
        }
        chunks = [rest];
        have = rest.length;
      }
    });
    p.on('error', (e) => fail(new GitError(`git cat-file: ${e.message}`)));
    p.on('close', (code) => { if (!done) fail(new GitError(`git cat-file ended (${code ?? 'killed'}) after ${next} of ${oids.length} objects${stderr ? `: ${stderr.trim().split('\n')[0]}` : ''}`)); });
    p.stdin.on('error', () => { /* reported by close */ });
    if (oids.length === 0) {
      done = true;
      clearTimeout(timer);
      p.stdin.end();
      resolve();
      return;
    }
    p.stdin.end(oids.join('\n') + '\n');
  });
}

/** `git grep` on the revision: base-relative `.c` files including `<spelling>`. */
function revisionIncluders(repo: string, commit: string, timeoutMs: number): (spelling: string) => string[] {
  return (spelling) => {
    const esc = spelling.replace(/[.+*?^$()[\]{}|\\]/g, '\\$&');
    const r = gitSync(['grep', '-l', '-I', '--no-textconv', '--no-color', '-E', '-e', `^[[:space:]]*#[[:space:]]*include[[:space:]]*<${esc}>`, commit, '--', '*.c'], { repo, timeoutMs, maxBuffer: 64 << 20 });
    if (r.error || (r.status !== 0 && r.status !== 1)) throw new GitError(`git grep: ${gitFailure(r)}`);
    const prefix = `${commit}:`;
    return r.stdout.toString('utf8').split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length)).filter((p) => !p.startsWith('"')).sort();
  };
}

/** A scope of the revision as written out: where it is on disk and what the scan reads of it. */
interface Written {
  scope: string;
  /** The directory holding `<scope>/…` (the base root for this scope's files). */
  root: string;
  inputs: string[];
}

interface TreeMeta {
  repo: string;
  scope: string;
  tree: string;
  files: number;
  bytes: number;
}

/**
 * The base context of `paths` (base-relative) at `rev`: summaries and member facts of the untouched
 * files of their scopes, their callers and readers, as context.ts baseContext gives for a
 * directory. Call `dispose()` when the review is done (it removes a temporary copy).
 */
export async function gitBaseContext(rev: GitRevision, paths: readonly string[], opts: GitContextOptions = {}): Promise<BaseContext & { dispose: () => void }> {
  const timeoutMs = opts.gitTimeoutMs ?? 120_000;
  const notes: string[] = [];
  const none = async (): Promise<Map<string, string[]>> => new Map();
  const empty = (why?: string): BaseContext & { dispose: () => void } => {
    if (why) notes.push(why);
    return { summaries: [], fields: [], callers: none, readers: none, scopes: [], notes, dispose: () => undefined };
  };
  if (!OID.test(rev.commit)) return empty(`base context not available: ${JSON.stringify(rev.commit)} is not a commit id`);
  // ls-tree and grep work relative to the directory they run in: run them at the work tree's top
  // (a review started in a subdirectory, an editor folder below it); a bare repository has none
  const top = gitTopLevel(rev.repo, { timeoutMs });
  if (top !== undefined) rev = { ...rev, repo: top };
  let gitDir: string;
  let short: string;
  let when: Date;
  try {
    // the files get the commit's time: settled for the scan's stat index from the first run on
    const text = git(rev.repo, ['cat-file', 'commit', rev.commit], timeoutMs).toString('latin1');
    when = new Date(Number(/^committer .* (\d+) [-+]\d{4}$/m.exec(text)?.[1] ?? 0) * 1000);
    // the repository's identity: its object store (every work tree of it shares the copies)
    gitDir = fs.realpathSync(path.resolve(rev.repo, git(rev.repo, ['rev-parse', '--git-common-dir'], timeoutMs).toString('utf8').trim()));
    short = rev.commit.slice(0, 12);
  } catch (e) {
    return empty(`base context not available: ${(e as Error).message}`);
  }
  // a touched header of an include directory: the subsystems that include it, at the revision
  let includers: string[] = [];
  try {
    const inc = await headerIncluders('', paths, revisionIncluders(rev.repo, rev.commit, timeoutMs));
    includers = inc.files;
    notes.push(...inc.notes);
  } catch (e) {
    notes.push(`the files including ${paths.filter((p) => /\.h$/.test(p)).join(', ')} at ${short} were not searched: ${(e as Error).message}`);
  }
  const wanted = contextScopes([...paths, ...includers]);
  if (wanted.length === 0) return empty();
  // each scope's tree id at the revision; a scope the revision lacks is no context (as for a directory)
  let trees: (string | undefined)[];
  try {
    const out = git(rev.repo, ['cat-file', '--batch-check'], timeoutMs, wanted.map((s) => `${rev.commit}:${s.replace(/\/$/, '')}`).join('\n') + '\n').toString('utf8').split('\n');
    trees = wanted.map((_, i) => /^([0-9a-f]{40,64}) tree \d+$/.exec(out[i] ?? '')?.[1]);
  } catch (e) {
    return empty(`base context not available: ${(e as Error).message}`);
  }
  const temp = opts.noCache ? fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-rev-')) : undefined;
  const store = temp ?? path.join(opts.cacheDir ?? defaultCacheDir(), 'v2', 'revs');
  const dispose = (): void => { if (temp) fs.rmSync(temp, { recursive: true, force: true }); };
  const written: Written[] = [];
  let budget = opts.maxScopeBytes ?? DEFAULT_MAX_SCOPE_BYTES;
  try {
    for (let i = 0; i < wanted.length; i++) {
      const scope = wanted[i];
      const tree = trees[i];
      if (!tree) continue;
      const deep = scope.split('/').filter(Boolean).length > 1;
      try {
        const w = await writeScope(rev.repo, gitDir, { scope, tree, deep, when }, store, budget, opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, timeoutMs);
        budget -= w.bytes;
        written.push(w);
      } catch (e) {
        notes.push(`${scope} at ${short} not read for the base context: ${(e as Error).message}`);
      }
    }
    if (!temp) pruneTrees(store, new Set(written.map((w) => w.root)));
    const inputs = written.flatMap((w) => w.inputs);
    const scopes = written.map((w) => w.scope);
    if (inputs.length === 0) return { summaries: [], fields: [], callers: none, readers: none, scopes, notes, dispose };
    // a written-out revision never changes under its path: git's index has nothing to add (`git: false`)
    const r = await scanPaths(inputs, { ...opts, quiet: true, exportLinks: true, git: false });
    const rel = (file: string): string => {
      const abs = path.resolve(file);
      const w = written.find((x) => abs.startsWith(x.root + path.sep));
      return w ? abs.slice(w.root.length + 1).split(path.sep).join('/') : file;
    };
    const { summaries, fields } = untouchedFactsBy(rel, paths, r.summaries.values(), r.fieldFacts);
    notes.push(...r.notes.filter((n) => n.severity === 'error').map((n) => `${rel(n.path)}: ${n.message} (base context)`));
    // per written scope: its files are under their own root
    const merge = async (f: (w: Written) => Promise<Map<string, string[]>>): Promise<Map<string, string[]>> => {
      const out = new Map<string, string[]>();
      for (const w of written) for (const [k, v] of await f(w)) out.set(k, [...(out.get(k) ?? []), ...v].sort());
      return out;
    };
    const callers = (names: string[]): Promise<Map<string, string[]>> => merge((w) => findCallers(w.root, w.inputs, paths, names));
    const readers = (members: string[]): Promise<Map<string, string[]>> => merge((w) => findMemberReaders(w.root, w.inputs, paths, members));
    return { summaries, fields, callers, readers, scopes, notes, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

/**
 * `scope` (tree `tree`) of the repository written out under `store`: reused when a previous review
 * wrote the same tree, else written to a temporary directory renamed into place (a concurrent
 * review writing the same tree loses the race harmlessly).
 */
async function writeScope(repo: string, gitDir: string, at: { scope: string; tree: string; deep: boolean; when: Date }, store: string, budget: number, maxFileBytes: number,
  timeoutMs: number): Promise<Written & { bytes: number }> {
  const { scope, tree, deep, when } = at;
  const key = crypto.createHash('sha256').update(JSON.stringify([gitDir, scope, tree, deep])).digest('hex').slice(0, 32);
  const root = path.join(store, key);
  const dir = path.join(root, ...scope.split('/').filter(Boolean));
  const inputsOf = (): string[] => {
    if (deep) return [dir];
    // a top-level scope (`fs/` for fs/buffer.c): its own files, not every filesystem below it
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && /\.[ch]$/.test(e.name)).map((e) => path.join(dir, e.name)).sort();
  };
  const meta = readMeta(root);
  if (meta && meta.tree === tree && meta.scope === scope && fs.existsSync(dir)) {
    if (meta.bytes > budget) throw new Error(`${mb(meta.bytes)} of source is over the review's limit`);
    const now = new Date();
    try {
      fs.utimesSync(path.join(root, META), now, now);
    } catch { /* only the pruning order */ }
    return { scope, root, inputs: inputsOf(), bytes: meta.bytes };
  }
  const listed = parseLsTree(git(repo, ['ls-tree', '-l', '-z', ...(deep ? ['-r'] : []), tree], timeoutMs).toString('utf8'));
  const missing = listed.find((b) => Number.isNaN(b.size));
  if (missing) throw new GitError(`object ${missing.oid} (${scope}${missing.rel}) is missing (a shallow or partial clone?)`);
  const blobs = listed.filter((b) => b.size <= maxFileBytes);
  const bytes = blobs.reduce((s, b) => s + b.size, 0);
  if (bytes > budget) throw new Error(`${mb(bytes)} of source in ${blobs.length} files is over the review's limit`);
  fs.mkdirSync(store, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(store, `tmp-${key.slice(0, 8)}-`));
  try {
    const tdir = path.join(tmp, ...scope.split('/').filter(Boolean));
    fs.mkdirSync(tdir, { recursive: true });
    const made = new Set<string>([tdir]);
    await catBlobs(repo, blobs.map((b) => b.oid), timeoutMs, (i, data) => {
      const file = path.join(tdir, ...blobs[i].rel.split('/'));
      const d = path.dirname(file);
      if (!made.has(d)) {
        fs.mkdirSync(d, { recursive: true });
        made.add(d);
      }
      fs.writeFileSync(file, data, { flag: 'wx' });
      fs.utimesSync(file, when, when);
    });
    fs.writeFileSync(path.join(tmp, META), JSON.stringify({ repo: gitDir, scope, tree, files: blobs.length, bytes } satisfies TreeMeta));
    if (!install(tmp, root)) throw new Error(`could not write ${root}`);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return { scope, root, inputs: inputsOf(), bytes };
}

/**
 * Rename the written-out `tmp` to `root`. A complete copy already there (a concurrent review wrote
 * the same tree) wins and `tmp` goes; an incomplete one (a review that died) is replaced.
 */
function install(tmp: string, root: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.renameSync(tmp, root);
      return true;
    } catch {
      if (readMeta(root)) {
        fs.rmSync(tmp, { recursive: true, force: true });
        return true;
      }
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  return false;
}

function mb(n: number): string {
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

function readMeta(root: string): TreeMeta | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(root, META), 'utf8')) as TreeMeta;
    return typeof m.tree === 'string' && typeof m.scope === 'string' && typeof m.bytes === 'number' ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keep the written-out trees of `store` to the KEEP_TREES most recently used ones and KEEP_BYTES;
 * never one of `keep` or one used in the last IN_USE_MS. Leftover temporary directories of a
 * review that died go too.
 */
function pruneTrees(store: string, keep: ReadonlySet<string>): void {
  let ents: fs.Dirent[];
  try {
    ents = fs.readdirSync(store, { withFileTypes: true });
  } catch {
    return;
  }
  const now = Date.now();
  const trees: { root: string; used: number; bytes: number }[] = [];
  for (const e of ents) {
    if (!e.isDirectory()) continue;
    const root = path.join(store, e.name);
    let used: number;
    try {
      used = fs.statSync(e.name.startsWith('tmp-') ? root : path.join(root, META)).mtimeMs;
    } catch {
      used = 0;
    }
    if (e.name.startsWith('tmp-')) {
      if (now - used > IN_USE_MS * 4) fs.rmSync(root, { recursive: true, force: true });
      continue;
    }
    trees.push({ root, used, bytes: readMeta(root)?.bytes ?? 0 });
  }
  trees.sort((a, b) => b.used - a.used);
  let total = 0;
  trees.forEach((t, i) => {
    total += t.bytes;
    if (keep.has(t.root) || now - t.used < IN_USE_MS) return;
    if (i >= KEEP_TREES || total > KEEP_BYTES) fs.rmSync(t.root, { recursive: true, force: true });
  });
}

