/**
 * Child process for "vmalias: Analyze Workspace": runs the whole-tree scanner (analyzer/scan) on
 * the workspace folders in a process of its own, so the extension host neither shares its heap,
 * its threads nor its crashes with a scan of a whole kernel tree. The scanner's own worker pool
 * (dist/worker.js) does the parsing; this process walks, runs the pre-pass and orders the
 * analyses, and reports progress. Owning the process lets it raise V8's tier-up budget before the
 * pool starts (ScanOptions.tuneJit, docs/scale.md "JIT"), which the extension host's own
 * process must never do. The on-disk cache makes a re-run of an unchanged workspace near-instant.
 * "Review Git Range…" runs here too: the base context of a git revision is a scan of its
 * subsystems (analyzer/scan/gitbase.ts), as for `vmalias review --git`. Pure (no `vscode`).
 */
import { scanPaths } from '../../analyzer/scan';
import { reviewContext } from '../../analyzer/scan/context';
import { reviewGitRange } from '../../analyzer/patch/review';
import { formatReply } from '../../analyzer/patch/format';
import type { AnalyzeOptions, FieldFact, Finding, FunctionSummary } from '../../analyzer/types';
import type { ScanNote, ScanOptions, ScanProgress, ScanStats } from '../../analyzer/scan/types';

export interface ScanWorkerInput {
  roots: string[];
  options: Pick<ScanOptions, 'kernel' | 'extraAllocators' | 'extraSinks' | 'rules' | 'exclude' | 'cacheDir' | 'noCache' | 'maxFileBytes' | 'jobs' | 'git'>;
}

/** "Review Git Range…": the commits of `range` in `repoDir`, on the range's base with its context. */
export interface ReviewWorkerInput {
  repoDir: string;
  range: string;
  options: AnalyzeOptions;
  /** The base-context scan's cache (the workspace scan's). */
  cacheDir: string;
}

export type ScanWorkerMessage =
  | { kind: 'progress'; progress: ScanProgress }
  | { kind: 'done'; findings: Finding[]; notes: ScanNote[]; stats: ScanStats; summaries: FunctionSummary[]; fieldFacts: FieldFact[] }
  | { kind: 'reply'; text: string; findings: number; notes: string[] }
  | { kind: 'cancelled' }
  | { kind: 'error'; message: string };

/** Parent → child: the scan or review to run (once), then possibly a request to stop. */
export type ScanWorkerRequest = { kind: 'start'; input: ScanWorkerInput } | { kind: 'review'; input: ReviewWorkerInput } | { kind: 'cancel' };

async function run(input: ScanWorkerInput, signal: AbortSignal): Promise<void> {
  let last = 0;
  const post = (m: ScanWorkerMessage): void => { process.send?.(m); };
  try {
    const r = await scanPaths(input.roots, {
      ...input.options, quiet: true, signal, tuneJit: true,
      onProgress: (p) => {
        const now = performance.now();
        if (now - last < 100 && p.done !== p.total) return;
        last = now;
        post({ kind: 'progress', progress: p });
      },
    });
    post({ kind: 'done', findings: r.findings, notes: r.notes, stats: r.stats, summaries: [...r.summaries.values()], fieldFacts: r.fieldFacts });
  } catch (e) {
    if ((e as Error).name === 'AbortError') post({ kind: 'cancelled' });
    else post({ kind: 'error', message: (e as Error).stack ?? String(e) });
  }
}

/** The reply to a git range, reviewed with the base context the CLI gives it (`vmalias review --git`). */
async function review(input: ReviewWorkerInput): Promise<void> {
  const post = (m: ScanWorkerMessage): void => { process.send?.(m); };
  try {
    const r = await reviewGitRange(input.repoDir, input.range, {
      ...input.options,
      baseContext: (paths, o) => reviewContext(o.base, paths, { ...input.options, kernel: o.kernel ?? input.options.kernel, cacheDir: input.cacheDir, quiet: true, tuneJit: true }),
    });
    post({ kind: 'reply', text: formatReply(r), findings: r.findings.length, notes: r.notes });
  } catch (e) {
    post({ kind: 'error', message: (e as Error).message });
  }
}

function main(): void {
  // Only ever started by workspaceScan.ts with an IPC channel; it stops this process when it has
  // the answer (or gives up on it), and this process ends with its parent.
  if (!process.send) return;
  const ac = new AbortController();
  let started = false;
  process.on('message', (m: ScanWorkerRequest) => {
    if (m.kind === 'cancel') ac.abort();
    else if (m.kind === 'start' && !started) {
      started = true;
      void run(m.input, ac.signal);
    } else if (m.kind === 'review' && !started) {
      started = true;
      void review(m.input);
    }
  });
  process.on('disconnect', () => process.exit(0));
}

main();
