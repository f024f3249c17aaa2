/**
 * Child process for "vmalias: Analyze Workspace": runs the whole-tree scanner (analyzer/scan) on
 * the workspace folders in a process of its own, so the extension host neither shares its heap,
 * its threads nor its crashes with a scan of a whole kernel tree. The scanner's own worker pool
 * (dist/worker.js) does the parsing; this process walks, runs the pre-pass and orders the
 * analyses, and reports progress. Owning the process lets it raise V8's tier-up budget before the
 * pool starts (ScanOptions.tuneJit, docs/scale.md "JIT"), which the extension host's own
 * process must never do. The on-disk cache makes a re-run of an unchanged workspace near-instant.
 * Pure (no `vscode`).
 */
import { scanPaths } from '../../analyzer/scan';
import type { FieldFact, Finding, FunctionSummary } from '../../analyzer/types';
import type { ScanNote, ScanOptions, ScanProgress, ScanStats } from '../../analyzer/scan/types';

export interface ScanWorkerInput {
  roots: string[];
  options: Pick<ScanOptions, 'kernel' | 'extraAllocators' | 'extraSinks' | 'rules' | 'exclude' | 'cacheDir' | 'noCache' | 'maxFileBytes' | 'jobs' | 'git'>;
}

export type ScanWorkerMessage =
  | { kind: 'progress'; progress: ScanProgress }
  | { kind: 'done'; findings: Finding[]; notes: ScanNote[]; stats: ScanStats; summaries: FunctionSummary[]; fieldFacts: FieldFact[] }
  | { kind: 'cancelled' }
  | { kind: 'error'; message: string };

/** Parent → child: the scan to run (once), then possibly a request to stop. */
export type ScanWorkerRequest = { kind: 'start'; input: ScanWorkerInput } | { kind: 'cancel' };

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
    }
  });
  process.on('disconnect', () => process.exit(0));
}

main();
