/**
 * `vmalias review PATCH… [--base DIR] [--all] [--format reply|mailback|json]`: reviews a series
 * (files in argument order, `-` for stdin) and prints a mailing-list reply, b4 mailback lines, or JSON.
 * Exit status: 1 findings, else 2 for a usage error or input that could not be reviewed (a problem:
 * malformed or truncated input, a hunk that does not apply, an empty or binary file), else 0.
 */
import * as fs from 'fs';
import type { KernelVersion } from '../types';
import type { ContextBase } from '../scan/context';
import { ConsequenceFn, formatMailback, formatReply } from './format';
import type { BaseTree } from './apply';
import { gitBase } from './git';
import { parsePatchInputs } from './parse';
import { AnalyzeTextFn, PatchReview, PatchReviewOptions, reviewGitRange, reviewSet } from './review';

export interface CommandIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** Read for the `-` argument. */
  stdin?: AsyncIterable<Buffer | string>;
}

export interface ReviewDeps {
  analyze?: AnalyzeTextFn;
  consequence?: ConsequenceFn;
  /**
   * What the untouched files of the base say about the touched ones (the CLI: a scan of their
   * subsystems, analyzer/scan/context.ts reviewContext) — a directory base, or the revision of
   * --base-rev or of --git RANGE; not used with --no-base-context.
   */
  baseContext?: (base: ContextBase, paths: string[], opts: BaseContextOptions) => ReturnType<NonNullable<PatchReviewOptions['baseContext']>>;
}

/** How the base-context scan runs: the whole-tree scan's options `vmalias review` accepts. */
export interface BaseContextOptions {
  kernel?: KernelVersion;
  /** On-disk cache directory (default: the user's, analyzer/scan/cache.ts defaultCacheDir). */
  cacheDir?: string;
  noCache?: boolean;
  /** false: do not ask git which files of a directory base's checkout are unchanged. */
  git?: boolean;
  jobs?: number;
}

export const REVIEW_USAGE = `usage: vmalias review PATCH... [--base DIR [--base-rev REV|auto]] [--all] [--format reply|mailback|json] [--kernel X.Y]
                      [--cache-dir DIR | --no-cache] [--no-git] [--jobs N]
       vmalias review --git RANGE [--repo DIR] [--all] [--format …]

Reviews patches (git format-patch files, mbox series, .eml mails, git diff output; '-' reads stdin)
and prints a plain-text reply for the mailing list with the findings each patch introduces.
  --base DIR   apply the series in memory on top of DIR (never written) and compare before/after
  --base-rev R with a git DIR: read the base from revision R instead of the work tree; 'auto'
               takes the series' base-commit: trailer (git format-patch --base, b4)
  --no-base-context
               do not scan the touched files' subsystems of the base (DIR, or the revision of
               --base-rev or --git) for the summaries and struct-member facts of the files the
               series leaves alone
  --cache-dir DIR, --no-cache, --no-git, --jobs N
               for that scan: its cache (default ~/.cache/vmalias, or $XDG_CACHE_HOME/vmalias;
               a revision's subsystems are written out there, v2/revs/), no cache at all, not
               asking git which files of DIR are unchanged, worker threads
  --git RANGE  review the commits of a git range (A..B, A...B or one commit) of --repo (default .),
               on the range's base read from git
  --all        also show findings that exist before the patch (marked pre-existing)
  --format F   reply (default), mailback (b4 per-patch check: path:line: message [rule]), json
  --kernel V   apply the rules for kernel version V (e.g. 6.1); default: the base's top Makefile
               (the nearest at or above --base DIR, the one at --base-rev or the range's base),
               else the newest kernel
`;

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c, 'utf8') : c);
  return Buffer.concat(chunks);
}

export function parseKernelVersion(v: string): KernelVersion | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(v.trim());
  if (!m) return undefined;
  return { major: +m[1], minor: +m[2], ...(m[3] !== undefined ? { patch: +m[3] } : {}) };
}

/** Implements `vmalias review`; `argv` is what follows the word `review`. */
export async function reviewCommand(argv: string[], io: CommandIO, deps: ReviewDeps = {}): Promise<number> {
  const files: string[] = [];
  let base: string | undefined;
  let baseRev: string | undefined;
  let gitRange: string | undefined;
  let repo = '.';
  let all = false;
  let noContext = false;
  let format = 'reply';
  let kernel: KernelVersion | undefined;
  const scan: BaseContextOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string | undefined => {
      const eq = a.indexOf('=');
      if (eq > 0) return a.slice(eq + 1);
      return argv[++i];
    };
    if (a === '-h' || a === '--help') {
      io.stdout.write(REVIEW_USAGE);
      return 0;
    } else if (a === '--all') all = true;
    else if (a === '--base' || a.startsWith('--base=')) base = value();
    else if (a === '--base-rev' || a.startsWith('--base-rev=')) baseRev = value();
    else if (a === '--no-base-context') noContext = true;
    else if (a === '--no-cache') scan.noCache = true;
    else if (a === '--no-git') scan.git = false;
    else if (a === '--cache-dir' || a.startsWith('--cache-dir=')) {
      const v = value();
      if (!v) {
        io.stderr.write(`vmalias review: --cache-dir needs a directory\n`);
        return 2;
      }
      scan.cacheDir = v;
    } else if (a === '--jobs' || a.startsWith('--jobs=')) {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 1) {
        io.stderr.write(`vmalias review: --jobs must be a positive integer\n`);
        return 2;
      }
      scan.jobs = v;
    }
    else if (a === '--git' || a.startsWith('--git=')) gitRange = value();
    else if (a === '--repo' || a.startsWith('--repo=')) repo = value() ?? '.';
    else if (a === '--format' || a.startsWith('--format=')) format = value() ?? '';
    else if (a === '--kernel' || a.startsWith('--kernel=')) {
      const v = value() ?? '';
      kernel = parseKernelVersion(v);
      if (!kernel) {
        io.stderr.write(`vmalias review: bad --kernel ${JSON.stringify(v)} (expected e.g. 6.1)\n`);
        return 2;
      }
    } else if (a.startsWith('-') && a !== '-') {
      io.stderr.write(`vmalias review: unknown option ${a}\n${REVIEW_USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (!['reply', 'text', 'mailback', 'json'].includes(format)) {
    io.stderr.write(`vmalias review: unknown format ${JSON.stringify(format)} (reply, mailback, json)\n`);
    return 2;
  }
  if (gitRange !== undefined) {
    if (files.length > 0 || base !== undefined) {
      io.stderr.write(`vmalias review: --git takes no patch files and no --base (the base comes from git)\n`);
      return 2;
    }
    let review: PatchReview;
    try {
      review = await reviewGitRange(repo, gitRange, { all, kernel, analyze: deps.analyze, ...contextOf(deps, noContext, scan, kernel) });
    } catch (e) {
      io.stderr.write(`vmalias review: ${(e as Error).message.split('\n')[0]}\n`);
      return 2;
    }
    return emit(review, format, io, deps);
  }
  if (files.length === 0) {
    io.stderr.write(`vmalias review: no patch given\n${REVIEW_USAGE}`);
    return 2;
  }
  if (base !== undefined && !(fs.existsSync(base) && fs.statSync(base).isDirectory())) {
    io.stderr.write(`vmalias review: --base ${base} is not a directory\n`);
    return 2;
  }
  const inputs: { name: string; data: Uint8Array }[] = [];
  for (const f of files) {
    try {
      if (f === '-') {
        if (!io.stdin) throw new Error('no standard input');
        inputs.push({ name: '<stdin>', data: await readAll(io.stdin) });
      } else inputs.push({ name: f, data: fs.readFileSync(f) });
    } catch (e) {
      io.stderr.write(`vmalias review: cannot read ${f}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const set = parsePatchInputs(inputs);
  let baseTree: BaseTree | undefined;
  if (baseRev !== undefined) {
    const rev = baseRev === 'auto' ? set.baseCommit : baseRev;
    if (base === undefined || rev === undefined) {
      io.stderr.write(`vmalias review: --base-rev needs --base DIR (a git repository)${baseRev === 'auto' ? ' and a base-commit: trailer in the series' : ''}\n`);
      return 2;
    }
    try {
      baseTree = gitBase(base, rev);
    } catch (e) {
      io.stderr.write(`vmalias review: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const review = await reviewSet(set, { base, baseTree, all, kernel, analyze: deps.analyze, ...contextOf(deps, noContext, scan, kernel) });
  return emit(review, format, io, deps);
}

/** The review's base-context hook: the CLI's scan of the base (a directory or a revision), with the scan options given. */
function contextOf(deps: ReviewDeps, noContext: boolean, scan: BaseContextOptions, kernel: KernelVersion | undefined): Pick<PatchReviewOptions, 'baseContext'> {
  const ctx = deps.baseContext;
  if (noContext || !ctx) return {};
  return { baseContext: (paths, o) => ctx(o.base, paths, { ...scan, kernel: o.kernel ?? kernel }) };
}

function emit(review: PatchReview, format: string, io: CommandIO, deps: ReviewDeps): number {
  // b4 turns every stderr line of a check command into a failure: in mailback mode only real
  // problems go there, not "skipped the cover letter" and the like.
  for (const n of format === 'mailback' ? review.problems.map((p) => p.message) : review.notes) io.stderr.write(`vmalias: ${n}\n`);
  if (format === 'json') {
    // a finding in a file the patch leaves alone carries the lines a reply quotes of it
    const findings = review.items.map((it) => (it.untouched ? { ...it.pf, untouched: it.untouched } : it.pf));
    io.stdout.write(JSON.stringify({ findings, notes: review.notes }, null, 2) + '\n');
  } else if (format === 'mailback') {
    io.stdout.write(formatMailback(review));
  } else if (review.items.length > 0) {
    io.stdout.write(formatReply(review, { consequence: deps.consequence }));
  }
  // input that could not be reviewed is not a pass: a CI job must not read it as one
  // information alone (Kconfig-confined code, a finding a later patch of the series fixes) is no failure, as for scan
  return review.findings.some((pf) => pf.finding.severity !== 'info') ? 1 : review.problems.length > 0 ? 2 : 0;
}
