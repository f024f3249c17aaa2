/** Plain-text report for the terminal (`vmalias simulate --format text`). */
import type { ArchResult, RunResult } from '../run';
import type { SimulationReport } from '../simulate';
import { byteExample } from './markdown';

function verdict(r: RunResult, size: number): string {
  return r.corruptedBytes
    ? `CORRUPTED ${r.corruptedBytes}/${size} bytes, first at buf+0x${(r.firstCorruptOffset ?? 0).toString(16)}`
    : `ok (0 bytes corrupted)`;
}

function stepsText(r: RunResult, indent: string): string[] {
  return r.steps.map((s) => `${indent}${String(s.n).padStart(2)}. ${s.call}\n${indent}    → ${s.text}`);
}

function linesText(r: RunResult, indent: string): string[] {
  if (!r.linesTotal) return [`${indent}no line of the buffer was in the cache`];
  const head = `${indent}${r.linesTotal} line(s) of the buffer in the cache (${r.dirtyLines} dirty); first ${r.lines.length}:`;
  return [head, ...r.lines.map((l) => `${indent}  ${l.alias.padEnd(6)} buf+0x${l.offset.toString(16).padEnd(5)} va ${l.va} pa ${l.pa} set ${l.set} way ${l.way} tag ${l.tag}${l.dirty ? ' dirty' : ''}`)];
}

export function renderArchText(r: ArchResult, verbose = true): string {
  const out: string[] = [];
  out.push(`== ${r.arch} — ${r.cpu} (${r.indexing}${r.indexing === 'VIPT' ? `, ${r.colours} colours` : ''})`);
  out.push(`   as written: ${verdict(r, r.sizeBytes)}`);
  if (r.corruptedBytes) out.push(`               ${byteExample(r).replace(/`/g, '')}`);
  out.push(`   with fix:   ${verdict(r.fixed, r.sizeBytes)}`);
  if (r.fixed.corruptedBytes) out.push(`               ${byteExample(r, true).replace(/`/g, '')}`);
  for (const n of r.notes) out.push(`   note: ${n}`);
  if (verbose) {
    const pg = r.placement[0];
    if (pg) out.push(`   placement: page 0 vmalloc ${pg.vmapVa} (colour ${pg.vmapColour}, set ${pg.vmapSet}) = pa ${pg.pa} = linear ${pg.linearVa} (colour ${pg.linearColour}, set ${pg.linearSet})`);
    out.push('   lines at the decisive moment:');
    out.push(...linesText(r, '     '));
    out.push('   timeline as written:');
    out.push(...stepsText(r, '     '));
    out.push('   timeline with the fix:');
    out.push(...stepsText(r.fixed, '     '));
  }
  return out.join('\n');
}

export function renderText(rep: SimulationReport, verbose = rep.results.length === 1): string {
  const out: string[] = [];
  out.push(`${rep.title} [${rep.scenario}], ${rep.sizeBytes} bytes, ${rep.direction}`);
  out.push(rep.description);
  for (const a of rep.assumptions) out.push(`assumption: ${a}`);
  out.push(rep.fixDescription);
  out.push('');
  for (const r of rep.results) {
    out.push(renderArchText(r, verbose));
    out.push('');
  }
  return out.join('\n');
}
