/**
 * The per-architecture consequence for a list reply, from the simulator: one line per
 * architecture (bytes corrupted as written / with the fix) and one concrete byte example. The
 * simulator's own text renderer is meant for a terminal and is far too long for a mail.
 */
import type { Finding } from '../types';
import { simulateFinding } from '../../simulator/simulate';
import type { ArchResult } from '../../simulator/run';

function first4(hexes: string): string {
  return hexes.split(' ').slice(0, 4).join(' ');
}

function at(off: number, buffer: string): string {
  return off === 0 ? buffer : `${buffer}+0x${off.toString(16)}`;
}

function verdict(corrupted: number, size: number): string {
  return corrupted ? `${corrupted}/${size} bytes corrupted` : 'intact';
}

/** Plain-text consequence for a finding, or undefined when the simulator cannot model it. */
export function simulatedConsequence(f: Finding, archs?: string[]): string | undefined {
  return simulatedConsequenceParts(f, archs)?.text;
}

/**
 * The consequence paragraph, and for a reply that already showed the table of the same simulation
 * (`key`: scenario and size), the one line that replaces it (`brief`: which architectures corrupt).
 */
export function simulatedConsequenceParts(f: Finding, archs?: string[]): { text: string; key: string; brief: string } | undefined {
  const rep = simulateFinding(f.facts, archs);
  if (rep.results.length === 0) return undefined;
  const bad = rep.results.filter((r) => r.corruptedBytes > 0).map((r) => r.arch);
  const ok = rep.results.filter((r) => r.corruptedBytes === 0).map((r) => r.arch);
  const brief = `Simulated as above (${rep.scenario}, ${rep.sizeBytes} bytes): ${bad.length ? `corrupts on ${bad.join(', ')}` : 'corrupts on none'}${ok.length ? `; intact on ${ok.join(', ')}` : ''}.`;
  return { text: render(f, rep), key: `${rep.scenario}\u0000${rep.sizeBytes}`, brief };
}

function render(f: Finding, rep: ReturnType<typeof simulateFinding>): string {
  const lines: string[] = [`Simulated (vmalias simulate --scenario ${rep.scenario} --size ${rep.sizeBytes}):`];
  const unaffected: string[] = [];
  const width = Math.max(...rep.results.map((r) => r.arch.length));
  for (const r of rep.results) {
    if (!r.corruptedBytes && !r.fixed.corruptedBytes && r.indexing === 'PIPT') {
      unaffected.push(r.arch);
      continue;
    }
    // name the call: for a linear-map finding the fix is another page lookup, and the vmap-range call is what does nothing
    // (a linear-map fix is right about the page: what still fails there is the vmap call it also needs)
    const vmapCall = r.direction === 'read' ? 'invalidate_kernel_vmap_range()' : 'flush_kernel_vmap_range()';
    const noop = r.fixed.corruptedBytes && r.fixed.notes.some((n) => /cannot work|no-op|empty/.test(n))
      ? (f.rule === 'vmalloc-linear-map' ? ` (vmalloc_to_page() gives the right page, but ${vmapCall} is a no-op there)` : ` (${vmapCall} is a no-op there)`) : '';
    lines.push(`  ${r.arch.padEnd(width)}  ${verdict(r.corruptedBytes, r.sizeBytes)}, fixed: ${verdict(r.fixed.corruptedBytes, r.sizeBytes)}${noop}`);
  }
  if (unaffected.length) lines.push(`  ${unaffected.join(', ')}: not affected (physically indexed)`);
  const ex: ArchResult | undefined = rep.results.find((r) => r.corruptedBytes > 0);
  if (ex) {
    const where = at(ex.sampleOffset, f.buffer);
    // the analysis could not tell the direction (an op passed through a helper): say which one the example is
    const on = f.facts.direction === 'both' ? `on ${ex.arch}, replayed as a ${ex.direction} (the direction is not known here),` : `on ${ex.arch}`;
    lines.push(
      ex.direction === 'write'
        ? `E.g. ${on} the CPU wrote ${first4(ex.expected)} at ${where}; the device received ${first4(ex.observed)}.`
        : `E.g. ${on} the device wrote ${first4(ex.expected)} at ${where}; the CPU read ${first4(ex.observed)}.`,
    );
  }
  return lines.join('\n');
}
