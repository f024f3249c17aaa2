/**
 * Every git process vmalias starts goes through here. The repositories it reads may come from
 * anywhere (a series' tree, a CI checkout, an editor workspace the user has not looked at), and a
 * repository's own configuration can name programs git then runs: an fsmonitor hook (any command
 * reading the index), the upload-pack or ssh command of a promisor remote (a partial clone fetches
 * a missing object on demand, from inside `cat-file`, `ls-tree`, `format-patch` or `grep`), an
 * external diff or a textconv filter (`format-patch`, `grep`), gpg for signatures.
 *
 * So each command runs with:
 * - `core.fsmonitor=false`: no hook when the index is read;
 * - `GIT_NO_LAZY_FETCH=1` and `protocol.allow=never`: a missing object is an error, never a
 *   fetch, and no transport of any kind is allowed anyway;
 * - `log.showSignature=false`: no gpg;
 * - `core.quotePath=true`: unusual paths come out quoted, so the parsers see one form;
 * - `GIT_TERMINAL_PROMPT=0`, `GIT_OPTIONAL_LOCKS=0`, `LC_ALL=C`: never waits on a prompt, never
 *   takes the index lock to refresh it (a read-only scan of someone's tree), messages unlocalised;
 * - `GIT_NO_REPLACE_OBJECTS=1`: objects as the commits hold them, not as `refs/replace` says.
 * The commands that could run a diff driver or textconv are given `--no-ext-diff`/`--no-textconv`
 * by their callers. Nothing here runs hooks (`format-patch`, `rev-parse`, `ls-files`, `ls-tree`,
 * `cat-file`, `grep`, `merge-base` have none).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type SpawnSyncReturns } from 'child_process';

const CONFIG = ['core.fsmonitor=false', 'protocol.allow=never', 'log.showSignature=false', 'core.quotePath=true'];

/** The arguments of `git [-C repo] args…` with the configuration above. */
export function gitArgv(args: readonly string[], repo?: string): string[] {
  return [...(repo !== undefined ? ['-C', repo] : []), ...CONFIG.flatMap((c) => ['-c', c]), ...args];
}

export function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0', GIT_NO_LAZY_FETCH: '1', GIT_TERMINAL_PROMPT: '0', GIT_NO_REPLACE_OBJECTS: '1' };
}

export interface GitRunOptions {
  /** `git -C repo` (else the command runs in `cwd`, or here). */
  repo?: string;
  cwd?: string;
  /** git executable (tests use a missing or failing one). */
  command?: string;
  input?: string | Buffer;
  timeoutMs?: number;
  maxBuffer?: number;
  /** stderr is kept for error messages unless 'ignore'. */
  stderr?: 'pipe' | 'ignore';
}

/** Run git to completion; the caller reads `error`, `status`, `stdout` as from spawnSync. */
export function gitSync(args: readonly string[], opts: GitRunOptions = {}): SpawnSyncReturns<Buffer> {
  return spawnSync(opts.command ?? 'git', gitArgv(args, opts.repo), {
    cwd: opts.cwd, input: opts.input, timeout: opts.timeoutMs, maxBuffer: opts.maxBuffer ?? 512 << 20, env: gitEnv(),
    stdio: [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', opts.stderr ?? 'pipe'],
  });
}

/** A long-running git (e.g. `cat-file --batch`), its three streams piped. */
export function gitSpawn(args: readonly string[], opts: Pick<GitRunOptions, 'repo' | 'cwd' | 'command'> = {}): ChildProcessWithoutNullStreams {
  return spawn(opts.command ?? 'git', gitArgv(args, opts.repo), { cwd: opts.cwd, env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** What a failed run says: its first `fatal:`/`error:` line (warnings come first), else its first line or status. */
export function gitFailure(r: SpawnSyncReturns<Buffer>): string {
  if (r.error) return r.error.message;
  const lines = r.stderr?.toString('utf8').trim().split('\n').filter(Boolean) ?? [];
  return lines.find((l) => /^(fatal|error):/.test(l)) ?? lines[0] ?? `status ${r.status ?? r.signal}`;
}

/** The top of the work tree `dir` is in; undefined outside one (a bare repository) or on any failure. */
export function gitTopLevel(dir: string, opts: Pick<GitRunOptions, 'command' | 'timeoutMs'> = {}): string | undefined {
  const r = gitSync(['rev-parse', '--show-toplevel'], { ...opts, repo: dir, stderr: 'ignore' });
  const top = !r.error && r.status === 0 ? r.stdout.toString('utf8').trim() : '';
  return top || undefined;
}
