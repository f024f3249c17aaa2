/**
 * The pre-pass's first cut, delegated to grep when it is there. On a kernel tree 94% of the files
 * name no table function; reading each one into V8 and running a regex over a latin1 view costs
 * about 3× what `grep -lwE` needs for the same bytes (docs/scale.md), and grep runs outside the
 * event loop, one process per core. Only the files grep lists are then read by the workers, which
 * classify them exactly (source/sink bits, lexical details): grep decides nothing but "cannot
 * match". `-w` in the C locale uses the same word characters as the JS `\b` ([A-Za-z0-9_]), so the
 * candidate set is a superset of what the JS regex would accept.
 *
 * Anything unexpected makes it fall back to reading everything: grep missing (spawn error), a batch
 * exiting with status 2 (an unreadable or vanished file — the workers then report it with a
 * note), output that names a file it was not given.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import { abortError } from './types';
import { isIdentifier } from './prefilter';

export interface GrepOptions {
  /** Concurrent grep processes. */
  jobs: number;
  signal?: AbortSignal;
  /** grep executable (tests use a missing or failing one). */
  command?: string;
  /** Argument bytes per grep invocation (file names), well under ARG_MAX everywhere. */
  maxArgBytes?: number;
  /** Long-lived shells to run the greps from (else each grep is spawned from this process). */
  shells?: GrepShells;
}

/**
 * Collects file names into batches whose joined names stay under `maxBytes` (a name longer than
 * that alone is a batch of its own): one grep command line each.
 */
class ArgBatcher {
  private files: string[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Add a file; returns the batch it closed when it would have gone over the budget. */
  add(file: string): string[] | undefined {
    const len = Buffer.byteLength(file) + 1;
    let full: string[] | undefined;
    if (this.files.length && this.bytes + len > this.maxBytes) {
      full = this.files;
      this.files = [];
      this.bytes = 0;
    }
    this.files.push(file);
    this.bytes += len;
    return full;
  }

  /** The last, partly filled batch (undefined when empty). */
  flush(): string[] | undefined {
    if (this.files.length === 0) return undefined;
    const last = this.files;
    this.files = [];
    this.bytes = 0;
    return last;
  }
}

/** Split `files` into batches whose joined names stay under `maxBytes`. */
export function argBatches(files: readonly string[], maxBytes: number): string[][] {
  const b = new ArgBatcher(maxBytes);
  const out: string[][] = [];
  for (const f of files) {
    const full = b.add(f);
    if (full) out.push(full);
  }
  const last = b.flush();
  if (last) out.push(last);
  return out;
}

interface BatchResult {
  /** File → the names found in it (with `-o`; an empty set with `-l`). */
  hits: Map<string, Set<string>>;
  /** Files grep could not vouch for (it exited with status 2): the caller reads them itself. */
  failed: string[];
}

/** What a grep run printed and how it ended (null: killed by a signal). */
interface Ran {
  code: number | null;
  out: Buffer;
}

/** grep started directly from this process (one fork of it per batch). */
function spawnGrep(cmd: string, args: string[], signal?: AbortSignal): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'ignore'], signal });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out: Buffer.concat(chunks) }));
  });
}

/** A shell word: single-quoted, so nothing in it (spaces, newlines, `$`, a leading `-`) is interpreted. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/**
 * One long-lived `/bin/sh` that runs command lines one after another, read from its stdin. Forking
 * the scan's process costs about 13 ms of its CPU per grep once the workers hold a few hundred MB
 * (page tables are copied), and the linking pass starts dozens of short greps there; the shell is
 * started while the process is small, and its own fork for each grep is cheap. After each command
 * it prints a NUL, a newline, a random marker and the exit status: grep's output (`path\0…`) can
 * only contain the marker if a file name does.
 */
class Shell {
  private readonly child: ChildProcess;
  private readonly marker = `${crypto.randomBytes(12).toString('hex')}:`;
  private chunks: Buffer[] = [];
  private tail = '';
  private current: { resolve: (r: Ran) => void; reject: (e: Error) => void } | undefined;
  dead = false;

  constructor(env: NodeJS.ProcessEnv) {
    // its own process group, so killing it also kills the grep it is running
    this.child = spawn('/bin/sh', [], { env, stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    this.child.on('error', (e) => this.fail(e));
    this.child.on('exit', () => this.fail(new Error('grep shell exited')));
    this.child.stdin?.on('error', (e) => this.fail(e));
    this.child.stdout?.on('data', (d: Buffer) => this.data(d));
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  run(cmd: string, args: string[]): Promise<Ran> {
    return new Promise((resolve, reject) => {
      if (this.dead) { reject(new Error('grep shell exited')); return; }
      this.current = { resolve, reject };
      this.chunks = [];
      this.tail = '';
      // grep runs in a fork of the (small) shell; printf is a builtin, so the marker costs no process
      this.child.stdin?.write(`${[cmd, ...args].map(shellQuote).join(' ')}\nprintf '\\000\\n%s%d\\n' '${this.marker}' "$?"\n`);
    });
  }

  private data(d: Buffer): void {
    if (!this.current) return;
    this.chunks.push(d);
    this.tail = (this.tail + d.toString('latin1')).slice(-64);
    const m = /\0\n([0-9a-f]{24}:)(\d+)\n$/.exec(this.tail);
    if (!m || m[1] !== this.marker) return;
    const all = Buffer.concat(this.chunks);
    const cur = this.current;
    this.current = undefined;
    this.chunks = [];
    cur.resolve({ code: Number(m[2]), out: all.subarray(0, all.length - m[0].length) });
  }

  private fail(e: Error): void {
    this.dead = true;
    const cur = this.current;
    this.current = undefined;
    cur?.reject(e);
  }

  close(kill: boolean): void {
    if (kill && !this.dead && this.child.pid !== undefined) {
      try { process.kill(-this.child.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    this.child.stdin?.end();
  }
}

/**
 * Shells that run the scan's greps, one per concurrent grep. A shell that cannot start or dies
 * hands its command to a grep spawned directly, so a missing `/bin/sh` only costs the forks.
 */
export class GrepShells {
  private readonly shells: Shell[] = [];
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  private readonly onAbort = (): void => this.close();

  constructor(private readonly size: number, private readonly signal?: AbortSignal) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  async run(cmd: string, args: string[], signal?: AbortSignal): Promise<Ran> {
    for (;;) {
      if (this.closed || signal?.aborted) return spawnGrep(cmd, args, signal);
      let sh = this.shells.find((x) => !x.busy && !x.dead);
      if (!sh && this.shells.filter((x) => !x.dead).length < this.size) {
        sh = new Shell({ ...process.env, LC_ALL: 'C' });
        this.shells.push(sh);
      }
      if (!sh) {
        if (this.shells.every((x) => x.dead)) return spawnGrep(cmd, args, signal);
        await new Promise<void>((r) => this.waiting.push(r));
        continue;
      }
      const mine = sh;
      const stop = (): void => mine.close(true);
      signal?.addEventListener('abort', stop, { once: true });
      try {
        return await mine.run(cmd, args);
      } catch {
        if (signal?.aborted) throw abortError();
        // the shell died: this command goes to a directly spawned grep
        return spawnGrep(cmd, args, signal);
      } finally {
        signal?.removeEventListener('abort', stop);
        this.waiting.shift()?.();
      }
    }
  }

  /** End the shells (killing what they run when the scan was cancelled). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    for (const sh of this.shells) sh.close(this.signal?.aborted === true);
    for (const w of this.waiting.splice(0)) w();
  }
}

/** From this many names on, an -E alternation beats -F fixed strings (see grepBatch). */
const REGEX_MIN_NAMES = 64;

/** One grep run over a batch of files. */
async function grepBatch(cmd: string, names: readonly string[], batch: string[], words: boolean, signal?: AbortSignal, shells?: GrepShells): Promise<BatchResult> {
  // Many identifiers go as one extended-regex alternation: GNU grep's DFA is then faster than its
  // fixed-string matcher on the same list, few are faster as fixed strings. 6.18's first pass, 103
  // names, two processes: 2.2-2.3 against 2.7 s of user CPU, the same 3,612 files. Over the
  // 21,684 .c files of drivers/ (user CPU, -E against -F): 5 names 0.78/0.52 s, 20 names
  // 1.24/0.80 s, 60 names 1.29/1.24 s, 96 names 1.48/2.24 s, 120 names 1.50/2.61 s.
  const ids = names.length >= REGEX_MIN_NAMES && names.every(isIdentifier);
  const pattern = ids ? ['-e', `(${names.join('|')})`] : names.flatMap((n) => ['-e', n]);
  // -H: with a single file grep -o would print the matches without the file name
  const args = [`-${words ? 'o' : 'l'}Hw${ids ? 'E' : 'F'}s`, '--null', ...pattern, '--', ...batch];
  const { code, out: raw } = shells ? await shells.run(cmd, args, signal) : await spawnGrep(cmd, args, signal);
  if (signal?.aborted) throw abortError();
  if (code === 2) return { hits: new Map(), failed: batch };
  if (code !== 0 && code !== 1) throw new Error(`grep exited with ${code}`);
  const given = new Set(batch);
  const hits = new Map<string, Set<string>>();
  const out = raw.toString('utf8');
  // -l --null: "path\0path\0…"; -o --null: "path\0match\n" per match. A path may hold a newline
  // but no NUL, a match (an identifier) neither: read up to the NUL, then up to the newline.
  for (let at = 0; at < out.length;) {
    const z = out.indexOf('\0', at);
    const file = out.slice(at, z < 0 ? out.length : z);
    const nl = words && z >= 0 ? out.indexOf('\n', z + 1) : -1;
    if (z < 0 || !given.has(file) || (words && nl < 0)) throw new Error(`unexpected grep output: ${out.slice(at, at + 80)}`);
    let set = hits.get(file);
    if (!set) hits.set(file, (set = new Set()));
    if (words) set.add(out.slice(z + 1, nl));
    at = words ? nl + 1 : z + 1;
  }
  return { hits, failed: [] };
}

export interface GrepResult {
  /** Files that contain at least one of the names as a word, with the names found (`words` only). */
  hits: Map<string, Set<string>>;
  /** Files grep could not read or vouch for; treat them as candidates. */
  failed: string[];
}

/** Files to search for a list of names: one grep command line per batch of them. */
export interface GrepGroup {
  files: readonly string[];
  names: readonly string[];
}

/**
 * Which of `files` contain one of `names` as a whole word (and, with `words`, which names), or
 * undefined when grep cannot be used (the caller reads every file itself).
 */
export async function grepFiles(files: readonly string[], names: readonly string[], opts: GrepOptions & { words?: boolean }): Promise<GrepResult | undefined> {
  return grepGroups([{ files, names }], opts);
}

/**
 * `grepFiles` for several groups at once, each file searched for its own group's names only.
 * grep's time grows with the number of names (264 of them ran at about a sixth of the speed of one
 * name on the same bytes, as fixed strings), so a search where each name only matters in
 * part of the tree is cheaper split this way. All groups' batches share one queue of `jobs`
 * processes; a file listed in two groups gets the union of what both found.
 */
export async function grepGroups(groups: readonly GrepGroup[], opts: GrepOptions & { words?: boolean }): Promise<GrepResult | undefined> {
  const run = new GrepRun(opts);
  for (const g of groups) for (const f of g.files) run.push(g.names, f);
  return run.end();
}

/**
 * A grep search fed file by file: batches start as soon as they are full, `jobs` processes at a
 * time, so a search can run while the files are still being listed (the scan starts its first
 * grep during the walk of a tree it has no stat index for). `end()` flushes what is left and
 * resolves to the whole result, or to undefined when grep cannot be used.
 */
export class GrepRun {
  private readonly queue: { names: readonly string[]; batch: string[] }[] = [];
  private readonly pending = new Map<readonly string[], ArgBatcher>();
  private readonly res: GrepResult = { hits: new Map(), failed: [] };
  private readonly maxBytes: number;
  private next = 0;
  private running = 0;
  private ended = false;
  private broken = false;
  private settled = false;
  private error: Error | undefined;
  private resolve: ((r: GrepResult | undefined) => void) | undefined;
  private reject: ((e: Error) => void) | undefined;
  private readonly ac = new AbortController();
  /** Files pushed so far. */
  count = 0;

  private jobs: number;

  constructor(private readonly opts: GrepOptions & { words?: boolean }) {
    this.jobs = Math.max(1, opts.jobs);
    this.maxBytes = opts.maxArgBytes ?? 256 * 1024;
    if (opts.signal?.aborted) this.ac.abort();
    else opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private readonly onAbort = (): void => this.ac.abort();

  /** Change the number of concurrent processes (from the next start on); 0 holds every batch back. */
  setJobs(jobs: number): void {
    this.jobs = Math.max(0, jobs);
    this.pump();
  }

  /** Stop: running greps are killed, nothing more starts (a pending end() rejects with AbortError). */
  cancel(): void {
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.ac.abort();
  }

  /** Search `file` for `names` (the same array object for the files of one group). */
  push(names: readonly string[], file: string): void {
    if (this.ended) throw new Error('GrepRun: push after end');
    this.count++;
    if (names.length === 0) return;
    let b = this.pending.get(names);
    if (!b) this.pending.set(names, (b = new ArgBatcher(this.maxBytes)));
    const full = b.add(file);
    if (full) {
      this.queue.push({ names, batch: full });
      this.pump();
    }
  }

  /** No more files: the result once every batch is done. */
  end(): Promise<GrepResult | undefined> {
    if (!this.ended) {
      this.ended = true;
      for (const [names, b] of this.pending) {
        const last = b.flush();
        if (last) this.queue.push({ names, batch: last });
      }
      this.pending.clear();
    }
    const done = new Promise<GrepResult | undefined>((resolve, reject) => { this.resolve = resolve; this.reject = reject; });
    this.pump();
    return done;
  }

  private pump(): void {
    if (this.ac.signal.aborted && !this.error) this.error = abortError();
    while (!this.broken && !this.error && this.running < this.jobs && this.next < this.queue.length) {
      const q = this.queue[this.next++];
      this.running++;
      grepBatch(this.opts.command ?? 'grep', q.names, q.batch, this.opts.words === true, this.ac.signal, this.opts.shells).then((r) => {
        for (const [f, w] of r.hits) {
          const had = this.res.hits.get(f);
          if (had) for (const x of w) had.add(x);
          else this.res.hits.set(f, w);
        }
        this.res.failed.push(...r.failed);
      }, (e: Error) => {
        if (e.name === 'AbortError') this.error ??= e;
        else this.broken = true;
      }).finally(() => {
        this.running--;
        this.pump();
      });
    }
    if (this.ended && this.resolve && !this.settled && this.running === 0 && (this.next >= this.queue.length || this.broken || this.error)) {
      this.settled = true;
      this.opts.signal?.removeEventListener('abort', this.onAbort);
      if (this.error) (this.reject as (e: Error) => void)(this.error);
      else this.resolve(this.broken ? undefined : this.res);
    }
  }
}
