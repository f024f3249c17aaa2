/**
 * Self-contained SVG timeline: per architecture, one frame per step for the code as written and one
 * row for the fixed code. A frame shows the cache sets that the first lines of the buffer's pages
 * index (rows) and their ways (cells), coloured by which alias the line was filled through; dirty
 * lines have a red dashed border and each cell shows the line's first byte. Styling comes from
 * media/simulation.css (inlined, or linked by the webview).
 */
import type { ArchResult, RunResult, Step } from '../run';
import type { SimulationReport } from '../simulate';
import { SIMULATION_CSS } from './simulation-css.generated';

export interface SvgOptions {
  /** Inline media/simulation.css in a <style> element (standalone files, README). Default true. */
  inlineCss?: boolean;
}

const CELL_W = 22;
const CELL_H = 14;
const LABEL_W = 112;
const MEM_W = 30;
const GAP = 10;
const HEAD_H = 16;
const CAPTION_H = 26;
const PAD = 12;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const OP_LABEL: Record<Step['op'], string> = {
  'cpu-load': 'CPU load',
  'cpu-store': 'CPU store',
  'flush-vmap': 'flush_kernel_vmap_range',
  'invalidate-vmap': 'invalidate_kernel_vmap_range',
  'dma-map': 'dma_map',
  'dma-unmap': 'dma_unmap',
  speculate: 'speculative move-in',
  'device-read': 'device reads memory',
  'device-write': 'device writes memory',
  evict: 'eviction',
  'cpu-read-result': 'CPU reads result',
};

function frameSize(r: ArchResult): { w: number; h: number } {
  const rows = Math.max(1, r.steps[0]?.frame.length ?? 1);
  const ways = r.steps[0]?.frame[0]?.cells.length ?? 1;
  const w = Math.max(LABEL_W + ways * CELL_W + MEM_W + 6, 190);
  return { w, h: HEAD_H + rows * CELL_H + CAPTION_H };
}

function renderFrame(s: Step, x: number, y: number, w: number, decisive: boolean): string {
  const out: string[] = [];
  const rowsH = s.frame.length * CELL_H;
  out.push(`<g class="vmsim-step" transform="translate(${x},${y})"><title>${esc(`${s.n}. ${s.call}\n${s.text}`)}</title>`);
  out.push(`<rect class="vmsim-frame${decisive ? ' vmsim-decisive' : ''}" x="0" y="0" width="${w}" height="${HEAD_H + rowsH + CAPTION_H - 4}" rx="3"/>`);
  out.push(`<text class="vmsim-caption" x="4" y="11">${s.n}. ${esc(OP_LABEL[s.op])}</text>`);
  s.frame.forEach((row, i) => {
    const ry = HEAD_H + i * CELL_H;
    out.push(`<text class="vmsim-setlabel" x="4" y="${ry + 10}">set ${row.set} ${esc(row.label)}</text>`);
    const mx = LABEL_W + row.cells.length * CELL_W + 4;
    out.push(`<rect class="vmsim-cell vmsim-mem" x="${mx}" y="${ry}" width="${MEM_W - 4}" height="${CELL_H - 2}"><title>memory at ${esc(row.label)}</title></rect><text class="vmsim-membyte" x="${mx + 5}" y="${ry + 9}">${row.mem}</text>`);
    row.cells.forEach((c, wy) => {
      const cx = LABEL_W + wy * CELL_W;
      const cls = `vmsim-cell vmsim-${c.alias}${c.dirty ? ' vmsim-dirty' : ''}`;
      const tip = c.alias === 'empty' ? 'invalid' : `${c.alias} alias${c.offset !== undefined ? ` buf+0x${c.offset.toString(16)}` : ''}${c.dirty ? ', dirty' : ''}`;
      out.push(`<rect class="${cls}" x="${cx}" y="${ry}" width="${CELL_W - 2}" height="${CELL_H - 2}"><title>${esc(tip)}</title></rect>`);
      if (c.byte) out.push(`<text class="vmsim-byte" x="${cx + 4}" y="${ry + 9}">${c.byte}</text>`);
    });
  });
  wrap(s.text, Math.floor((w - 8) / 5.5), 2).forEach((line, k) => out.push(`<text class="vmsim-setlabel" x="4" y="${HEAD_H + rowsH + 10 + k * 10}">${esc(line)}</text>`));
  out.push('</g>');
  return out.join('');
}

/** Greedy word wrap into at most `maxLines` lines of `width` characters (last one ellipsised). */
function wrap(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/)) {
    if (cur && (cur + ' ' + word).length > width) {
      lines.push(cur);
      cur = word;
    } else {
      cur = cur ? cur + ' ' + word : word;
    }
  }
  if (cur) lines.push(cur);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = kept[maxLines - 1].slice(0, width - 1) + '…';
    return kept;
  }
  return lines;
}

function verdictText(r: RunResult, size: number): string {
  return r.corruptedBytes ? `${r.corruptedBytes} of ${size} bytes corrupted (expected ${r.expected.slice(0, 11)}, got ${r.observed.slice(0, 11)})` : 'no corruption';
}

function renderRun(r: RunResult, size: number, label: string, x: number, y: number, fw: number): { svg: string; w: number } {
  const out: string[] = [];
  out.push(`<text class="${r.corruptedBytes ? 'vmsim-bad' : 'vmsim-good'}" x="${x}" y="${y + 10}">${esc(label)}: ${esc(verdictText(r, size))}</text>`);
  const decisiveIndex = r.steps.findIndex((s) => s.op === 'device-read' || s.op === 'cpu-read-result');
  r.steps.forEach((s, i) => out.push(renderFrame(s, x + i * (fw + GAP), y + 16, fw, i === decisiveIndex)));
  return { svg: out.join(''), w: r.steps.length * (fw + GAP) };
}

export function renderSvg(rep: SimulationReport, opts: SvgOptions = {}): string {
  const inline = opts.inlineCss !== false;
  const parts: string[] = [];
  let y = PAD;
  let width = 640;
  parts.push(`<text class="vmsim-title" x="${PAD}" y="${y + 12}">${esc(rep.title)} — ${rep.sizeBytes} bytes</text>`);
  y += 20;
  parts.push(`<text class="vmsim-sub" x="${PAD}" y="${y + 10}">${esc(rep.fixDescription)}</text>`);
  y += 18;
  // Legend
  const legend: [string, string][] = [['vmsim-vmap', 'vmalloc alias (buf)'], ['vmsim-linear', 'linear alias (lin = PAGE_OFFSET + pa)'], ['vmsim-empty', 'invalid'], ['vmsim-mem', 'memory (what the device sees)']];
  let lx = PAD;
  for (const [cls, text] of legend) {
    parts.push(`<rect class="vmsim-cell ${cls}" x="${lx}" y="${y}" width="12" height="12"/><text x="${lx + 16}" y="${y + 10}">${esc(text)}</text>`);
    lx += 24 + text.length * 7;
  }
  parts.push(`<rect class="vmsim-cell vmsim-empty vmsim-dirty" x="${lx}" y="${y}" width="12" height="12"/><text x="${lx + 16}" y="${y + 10}">dirty</text>`);
  y += 24;
  for (const r of rep.results) {
    const { w: fw, h: fh } = frameSize(r);
    const colourText = r.indexing === 'VIPT' ? `, ${r.colours} colours` : '';
    parts.push(`<g class="vmsim-archgroup" data-arch="${esc(r.arch)}">`);
    parts.push(`<text class="vmsim-arch" x="${PAD}" y="${y + 12}">${esc(r.arch)} — ${esc(r.cpu)} (${r.indexing}${colourText})</text>`);
    y += 20;
    const a = renderRun(r, r.sizeBytes, 'as written', PAD, y, fw);
    parts.push(a.svg);
    y += 16 + fh + 8;
    const f = renderRun(r.fixed, r.sizeBytes, 'with the fix', PAD, y, fw);
    parts.push(f.svg);
    y += 16 + fh + 16;
    parts.push('</g>');
    width = Math.max(width, PAD * 2 + a.w, PAD * 2 + f.w);
  }
  const height = y + PAD;
  const style = inline ? `<style>${SIMULATION_CSS}</style>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" class="vmsim" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(rep.title)}">${style}<rect class="vmsim-bg" x="0" y="0" width="${width}" height="${height}"/>${parts.join('')}</svg>\n`;
}
