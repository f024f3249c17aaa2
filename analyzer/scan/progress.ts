/**
 * A one-line progress bar on stderr: phase, files done/total, findings so far, ETA. Only on a TTY
 * and not with --quiet (CI logs and pipes must stay clean); redrawn at most every 100 ms; the line
 * is erased when the scan ends so the findings that follow start on a clean line.
 */
import type { ScanProgress } from './types';

export interface ProgressSink {
  update(p: ScanProgress): void;
  done(): void;
}

const NOOP: ProgressSink = { update: () => undefined, done: () => undefined };

export function formatEta(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--:--';
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** The bar's text for a given state and width (pure, for tests). */
export function renderBar(p: ScanProgress, elapsedMs: number, width: number): string {
  const label = p.phase === 'prefilter' ? 'pre-pass' : p.phase === 'analyze' ? 'analysing' : p.phase;
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const eta = p.done > 0 && p.total > 0 ? formatEta((elapsedMs / p.done) * (p.total - p.done)) : '--:--';
  const tail = ` ${p.done}/${p.total || '?'} files, ${p.findings} finding${p.findings === 1 ? '' : 's'}, ETA ${eta}`;
  const head = `vmalias ${label} `;
  const barWidth = Math.max(10, Math.min(40, width - head.length - tail.length - 2));
  const filled = Math.round(frac * barWidth);
  return `${head}[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${tail}`.slice(0, Math.max(20, width - 1));
}

export function createProgress(stream: NodeJS.WriteStream | undefined, quiet: boolean | undefined): ProgressSink {
  if (quiet || !stream || !stream.isTTY) return NOOP;
  let last = 0;
  let phaseStart = Date.now();
  let phase = '';
  let drawn = false;
  return {
    update(p) {
      const now = Date.now();
      if (p.phase !== phase) { phase = p.phase; phaseStart = now; }
      if (now - last < 100 && p.done !== p.total) return;
      last = now;
      stream.write(`\r${renderBar(p, now - phaseStart, stream.columns || 80)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
