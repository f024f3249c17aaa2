/**
 * Worker thread for "vmalias: Analyze Workspace": runs the whole-tree scanner (analyzer/scan) on the
 * workspace folders, off the extension host's thread. The scanner's own worker pool
 * (dist/worker.js) does the parsing; this thread walks, runs the pre-pass and orders the analyses,
 * and reports progress. The on-disk cache makes a re-run of an unchanged workspace near-instant.
 * Pure (no `vscode`).
 */
import { parentPort, workerData } from 'worker_threads';
import { scanPaths } from '../../analyzer/scan';
import type { Finding, FunctionSummary } from '../../analyzer/types';
import type { ScanNote, ScanOptions, ScanProgress, ScanStats } from '../../analyzer/scan/types';

export interface ScanWorkerInput {
  roots: string[];
  options: Pick<ScanOptions, 'kernel' | 'extraAllocators' | 'extraSinks' | 'rules' | 'exclude' | 'cacheDir' | 'noCache' | 'maxFileBytes' | 'jobs' | 'git'>;
}

export type ScanWorkerMessage =
  | { kind: 'progress'; progress: ScanProgress }
  | { kind: 'done'; findings: Finding[]; notes: ScanNote[]; stats: ScanStats; summaries: FunctionSummary[] }
  | { kind: 'cancelled' }
  | { kind: 'error'; message: string };

/** Parent → worker: stop now. */
export interface ScanWorkerCancel {
  kind: 'cancel';
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const input = workerData as ScanWorkerInput;
  const ac = new AbortController();
  port.on('message', (m: ScanWorkerCancel) => { if (m.kind === 'cancel') ac.abort(); });
  let last = 0;
  const post = (m: ScanWorkerMessage): void => port.postMessage(m);
  try {
    const r = await scanPaths(input.roots, {
      ...input.options, quiet: true, signal: ac.signal,
      onProgress: (p) => {
        const now = performance.now();
        if (now - last < 100 && p.done !== p.total) return;
        last = now;
        post({ kind: 'progress', progress: p });
      },
    });
    post({ kind: 'done', findings: r.findings, notes: r.notes, stats: r.stats, summaries: [...r.summaries.values()] });
  } catch (e) {
    if ((e as Error).name === 'AbortError') post({ kind: 'cancelled' });
    else post({ kind: 'error', message: (e as Error).stack ?? String(e) });
  }
}

void main();
