/**
 * Compact Markdown for hovers: one verdict row per architecture, one concrete byte-level example,
 * and what the fix changes. Kept short: VS Code hovers are small.
 */
import type { ArchResult } from '../run';
import type { SimulationReport } from '../simulate';

function first4(hexes: string): string {
  return hexes.split(' ').slice(0, 4).join(' ');
}

function off(n: number): string {
  return n === 0 ? 'buf' : `buf+0x${n.toString(16)}`;
}

function cell(r: { corruptedBytes: number; verdict: string }, size: number): string {
  return r.corruptedBytes ? `✗ ${r.corruptedBytes} of ${size} B corrupted` : '✓ intact';
}

/** The concrete sentence: what should have arrived where, and what did. */
export function byteExample(r: ArchResult, fixed = false): string {
  const run = fixed ? r.fixed : r;
  const at = off(run.sampleOffset);
  if (r.direction === 'write') {
    return `the CPU wrote \`${first4(run.expected)}\` at ${at}; the device received \`${first4(run.observed)}\``;
  }
  return `the device wrote \`${first4(run.expected)}\` at ${at}; the CPU read \`${first4(run.observed)}\``;
}

export function renderMarkdown(rep: SimulationReport): string {
  const out: string[] = [];
  out.push(`**Cache-alias simulation** — ${rep.title} (\`${rep.scenario}\`, ${rep.sizeBytes} bytes)`);
  out.push('');
  out.push('| architecture | as written | with the fix |');
  out.push('|---|---|---|');
  for (const r of rep.results) {
    const fixNote = r.fixed.corruptedBytes && r.fixed.notes.some((n) => n.includes('cannot work')) ? ' (API is a no-op here)' : '';
    out.push(`| \`${r.arch}\` ${r.indexing}${r.colours > 1 && r.indexing === 'VIPT' ? `, ${r.colours} colours` : ''} | ${cell(r, r.sizeBytes)} | ${cell(r.fixed, r.sizeBytes)}${fixNote} |`);
  }
  out.push('');
  // The most striking example: the architecture with the most corrupted bytes (first on ties).
  const bad = rep.results.reduce<ArchResult | undefined>((best, r) => (r.corruptedBytes > (best?.corruptedBytes ?? 0) ? r : best), undefined);
  if (bad) {
    out.push(`Example on \`${bad.arch}\`: ${byteExample(bad)}.`);
    if (bad.fixed.corruptedBytes === 0) out.push(`With the fix: ${byteExample(bad, true)}.`);
    else out.push(`With the fix it still corrupts ${bad.fixed.corruptedBytes} bytes: ${bad.fixed.notes[0] ?? ''}`);
  } else {
    out.push('No corruption on the architectures simulated.');
  }
  const noop = rep.results.filter((r) => r.fixed.corruptedBytes > 0 && r !== bad);
  if (noop.length) out.push(`Still corrupted with the fix on ${noop.map((r) => `\`${r.arch}\``).join(', ')}: the kernel does not implement the API there.`);
  out.push('');
  out.push(rep.fixDescription);
  return out.join('\n');
}
