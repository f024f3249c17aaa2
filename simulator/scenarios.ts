/**
 * Scenarios: the operations a piece of kernel code performs on a vmalloc/vmap buffer around one
 * I/O, in program order — as written, and with the analyzer's suggested fix applied. Named
 * scenarios are canned finding facts; `scenarioFromFacts` builds the same thing from a finding.
 *
 * Byte patterns are fixed so a reader recognises them in any output: memory starts as 00, the CPU
 * writes 5a, the device writes d5.
 */
import type { FindingFacts } from '../analyzer/types';

export const INITIAL_BYTE = 0x00;
export const CPU_BYTE = 0x5a;
export const DEVICE_BYTE = 0xd5;

/** Default buffer size when the finding's size is unknown: two 4 KB pages. */
export const DEFAULT_SIZE = 8192;
/** The model's linear map covers 64 MB; keep buffers well inside it. */
export const MAX_SIZE = 16 * 1024 * 1024;

export type IoDirection = 'write' | 'read';
export type DmaDir = 'to-device' | 'from-device';

/** One program step. Offsets are relative to the buffer start; `offset: size` means "past the buffer". */
export type Op =
  | { kind: 'cpu-load'; offset: number; length: number; stride?: number; why: string }
  | { kind: 'cpu-store'; offset: number; length: number; byte: number; why: string }
  | { kind: 'flush-vmap'; offset: number; length: number; why: string }
  | { kind: 'invalidate-vmap'; offset: number; length: number; why: string }
  | { kind: 'dma-map'; dir: DmaDir; wrongPage?: boolean }
  | { kind: 'dma-unmap'; dir: DmaDir; wrongPage?: boolean }
  | { kind: 'speculate' }
  | { kind: 'device-read'; wrongPage?: boolean }
  | { kind: 'device-write'; byte: number; wrongPage?: boolean }
  | { kind: 'evict'; offset: number; length: number; why: string }
  | { kind: 'cpu-read-result' };

export interface Scenario {
  name: string;
  title: string;
  description: string;
  direction: IoDirection;
  sizeBytes: number;
  asWritten: Op[];
  fixed: Op[];
  /** What "fixed" changes, in words. */
  fixDescription: string;
  /** Assumptions the scenario adds to what the finding states. */
  assumptions: string[];
  facts: FindingFacts;
}

export const SCENARIO_NAMES = ['write-no-flush', 'read-no-invalidate', 'read-dirty-no-flush', 'wrong-range', 'api-noop', 'linear-map'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

interface Preset {
  title: string;
  description: string;
  facts: FindingFacts;
  /** The "fixed" program equals the written one: the C code is already right (api-noop). */
  codeAlreadyCorrect?: boolean;
}

const PRESETS: Record<ScenarioName, Preset> = {
  'write-no-flush': {
    title: 'WRITE without flush_kernel_vmap_range()',
    description: 'The CPU fills the buffer through the vmalloc alias and submits a write; the DMA API cleans only the linear alias, so the device reads memory that never received the dirty alias lines.',
    facts: { rule: 'vmap-io-missing-flush', direction: 'write', cpuWroteBefore: true, cpuReadsAfter: false, hasFlush: false, hasInvalidate: false, source: 'vmalloc' },
  },
  'read-no-invalidate': {
    title: 'READ without invalidate_kernel_vmap_range()',
    description: 'Alias lines cached before the I/O (or moved in during it) survive the transfer; the CPU reads them instead of the device\'s data.',
    facts: { rule: 'vmap-io-missing-invalidate', direction: 'read', cpuWroteBefore: false, cpuReadsAfter: true, hasFlush: false, hasInvalidate: false, source: 'vmalloc' },
  },
  'read-dirty-no-flush': {
    title: 'READ into a buffer with dirty alias lines, no flush before submission',
    description: 'The CPU wrote the buffer and then reads into it without flushing first. Dirty alias lines evicted during the transfer, or written back by a clean+invalidate at completion, land on top of the device\'s data. SH-4\'s invalidate discards instead of writing back.',
    facts: { rule: 'vmap-io-missing-flush', direction: 'read', cpuWroteBefore: true, cpuReadsAfter: true, hasFlush: false, hasInvalidate: true, source: 'vmalloc' },
  },
  'wrong-range': {
    title: 'READ with invalidate_kernel_vmap_range() on the wrong range',
    description: 'The invalidate covers the range just past the buffer (the pointer was advanced while building the bio, as in xfs_rw_bdev before v6.16); the buffer keeps its stale alias lines.',
    facts: { rule: 'vmap-io-maintenance-range', direction: 'read', cpuWroteBefore: false, cpuReadsAfter: true, hasFlush: false, hasInvalidate: true, wrongRange: true, source: 'vmalloc' },
  },
  'api-noop': {
    title: 'Correct code on a kernel where the calls do nothing',
    description: 'The code flushes before the write as the API demands, but on nios2 (and aliasing xtensa cores) flush_kernel_vmap_range() is the generic empty stub although the D-cache aliases.',
    facts: { rule: 'vmap-io-missing-flush', direction: 'write', cpuWroteBefore: true, cpuReadsAfter: false, hasFlush: true, hasInvalidate: false, source: 'vmalloc' },
    codeAlreadyCorrect: true,
  },
  'linear-map': {
    title: 'Linear-map conversion of a vmalloc address (virt_to_page / __pa)',
    description: 'virt_to_page() on a vmalloc address computes a page from linear-map arithmetic: the device transfers an unrelated page. This is not a cache effect; it corrupts on every architecture.',
    facts: { rule: 'vmalloc-linear-map', direction: 'write', cpuWroteBefore: true, cpuReadsAfter: false, hasFlush: false, hasInvalidate: false, source: 'vmalloc' },
  },
};

export function isScenarioName(s: string): s is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(s);
}

export function namedScenario(name: ScenarioName, sizeBytes?: number): Scenario {
  const p = PRESETS[name];
  const facts: FindingFacts = { ...p.facts, sizeBytes: sizeBytes ?? p.facts.sizeBytes };
  const s = buildScenario(facts, name, p.title, p.description);
  if (p.codeAlreadyCorrect) {
    s.fixed = s.asWritten;
    s.fixDescription = 'Nothing to change in the C code: it already calls the API. The fix belongs in the kernel (implement the API for the arch) or in the caller (bounce through linear-mapped memory).';
  }
  return s;
}

/** Direction a finding's scenario replays: reads for missing invalidates, writes otherwise. */
function ioDirection(f: FindingFacts): IoDirection {
  if (f.direction === 'read') return 'read';
  if (f.direction === 'write') return 'write';
  return f.rule === 'vmap-io-missing-invalidate' ? 'read' : 'write';
}

function scenarioNameFor(f: FindingFacts, dir: IoDirection): ScenarioName {
  if (f.rule === 'vmalloc-linear-map' || f.rule === 'vmap-blk-rq-map-kern') return 'linear-map';
  if (f.wrongRange || f.rule === 'vmap-io-maintenance-range') return 'wrong-range';
  if (dir === 'write') return 'write-no-flush';
  return f.cpuWroteBefore && !f.hasFlush ? 'read-dirty-no-flush' : 'read-no-invalidate';
}

/** Build the scenario a finding describes: as written and with the suggested fix applied. */
export function scenarioFromFacts(facts: FindingFacts): Scenario {
  const dir = ioDirection(facts);
  const name = scenarioNameFor(facts, dir);
  const p = PRESETS[name];
  return buildScenario(facts, name, p.title, p.description);
}

interface Maintenance {
  flush: 'none' | 'whole' | 'wrong';
  invalidate: 'none' | 'whole' | 'wrong';
}

function buildScenario(facts: FindingFacts, name: ScenarioName, title: string, description: string): Scenario {
  const size = facts.sizeBytes && facts.sizeBytes > 0 ? Math.min(Math.floor(facts.sizeBytes), MAX_SIZE) : DEFAULT_SIZE;
  const dir = ioDirection(facts);
  const assumptions: string[] = [];
  if (!facts.sizeBytes) assumptions.push(`Buffer size unknown: ${size} bytes (two pages) assumed.`);
  if (facts.sizeBytes && facts.sizeBytes > MAX_SIZE) assumptions.push(`Buffer size capped at ${MAX_SIZE} bytes for the model.`);
  if (dir === 'write' && !facts.cpuWroteBefore) {
    assumptions.push('The analysed code does not show the CPU writing the buffer; the simulation assumes it was filled through the vmalloc alias, as for any buffer that escapes.');
  }
  if (facts.direction === 'both') assumptions.push(`Direction unknown (both): the ${dir} side is replayed.`);
  if (dir === 'read' && !facts.cpuReadsAfter) assumptions.push('The analysed code does not read the buffer after completion itself; the final read stands for whoever uses the data next.');
  if (facts.source === 'maybe-vmalloc') assumptions.push('kvmalloc-family buffer: the simulation assumes the vmalloc fallback was taken (sizes above a page when kmalloc fails); a kmalloc\'d buffer has no alias.');
  if (facts.source === 'vmap') assumptions.push('vmap() of a page array: the pages keep their linear-map alias, which is what the DMA API maintains.');
  const wrongPage = name === 'linear-map';
  if (wrongPage && facts.refused) {
    assumptions.unshift('On the analysed kernel this call refuses vmalloc memory (a warning, and the mapping or the URB fails): nothing is transferred and the I/O fails. The replay shows what the same linear-map arithmetic transfers where nothing refuses it: older kernels, and the virt_to_page()/sg_set_buf() paths that have no check.');
  }
  const wrong = facts.wrongRange || facts.rule === 'vmap-io-maintenance-range';
  const written: Maintenance = {
    flush: facts.hasFlush ? (wrong && dir === 'write' ? 'wrong' : 'whole') : 'none',
    invalidate: dir === 'read' && facts.hasInvalidate ? (wrong ? 'wrong' : 'whole') : 'none',
  };
  // The fix the analyzer suggests: flush the whole buffer before a write, or before a read into a
  // buffer the CPU dirtied (or when the code already flushed); invalidate the whole buffer after a
  // read completes; vmalloc_to_page() instead of a linear-map conversion.
  const fixed: Maintenance = {
    flush: dir === 'write' || facts.cpuWroteBefore || facts.hasFlush ? 'whole' : 'none',
    invalidate: dir === 'read' ? 'whole' : 'none',
  };
  const fixParts: string[] = [];
  if (wrongPage) fixParts.push(facts.refused ? 'hand the device kmalloc() or dma_alloc_coherent() memory (or map each vmalloc_to_page() page, with the vmap alias flushed and invalidated around the I/O)' : 'use vmalloc_to_page() for each page');
  if (fixed.flush !== written.flush) fixParts.push(`flush_kernel_vmap_range(buf, ${size}) before submission`);
  if (fixed.invalidate !== written.invalidate) fixParts.push(`invalidate_kernel_vmap_range(buf, ${size}) after completion`);
  if (dir === 'read' && !facts.cpuWroteBefore) {
    assumptions.push(`The CPU read the start of ${size > PAGE_BYTES ? 'each of the first two pages' : 'the page'} of the buffer before the I/O (a reused buffer, a header check), so those alias lines are cached.`);
  }
  if (dir === 'write' || facts.cpuWroteBefore) {
    assumptions.push('The buffer was read through the vmalloc alias before the CPU wrote it (it is being modified, not filled from scratch); on read-allocate caches (ARM926, ARM1136) stores that miss go straight to memory and leave no dirty alias lines.');
  }
  const dirtyDuringRead = dir === 'read' && facts.cpuWroteBefore;
  if (dirtyDuringRead) assumptions.push('During the transfer unrelated activity evicts one line of the buffer (the one at the start of its second page).');
  return {
    name,
    title,
    description,
    direction: dir,
    sizeBytes: size,
    asWritten: programFor(dir, size, facts, written, wrongPage),
    fixed: programFor(dir, size, facts, fixed, false),
    fixDescription: fixParts.length ? `Fix: ${fixParts.join('; ')}.` : 'Fix: nothing to add.',
    assumptions,
    facts: { ...facts, sizeBytes: size },
  };
}

/** How much of the buffer the CPU touched before a read (the first line of each of these pages). */
const PRE_READ_BYTES = 8192;
const PAGE_BYTES = 4096;

function evictOffset(size: number): number {
  return size > 4096 ? 4096 : 0;
}

function programFor(dir: IoDirection, size: number, facts: FindingFacts, m: Maintenance, wrongPage: boolean): Op[] {
  const ops: Op[] = [];
  const cpuWrites = dir === 'write' || facts.cpuWroteBefore;
  if (cpuWrites) {
    ops.push({ kind: 'cpu-load', offset: 0, length: size, why: 'the CPU reads the buffer\'s current contents' });
    ops.push({ kind: 'cpu-store', offset: 0, length: size, byte: CPU_BYTE, why: 'the CPU writes the buffer' });
  } else {
    // the first two pages only: on a buffer larger than a cache way, the page-start lines of
    // later pages would evict each other (and the final read's misses evict the rest) before the
    // CPU reads them, and the replay would find no stale line to show (a blind audit saw 32 KiB
    // come out "ok" on the VIVT and aliasing VIPT profiles)
    ops.push({ kind: 'cpu-load', offset: 0, length: Math.min(size, PRE_READ_BYTES), stride: 4096, why: 'the CPU reads the first line of the first pages (a header check; stale after the I/O)' });
  }
  const range = (w: 'whole' | 'wrong') => (w === 'whole' ? { offset: 0, length: size } : { offset: size, length: size });
  if (m.flush !== 'none') ops.push({ kind: 'flush-vmap', ...range(m.flush), why: m.flush === 'wrong' ? 'on the range past the buffer' : 'before submission' });
  const dmaDir: DmaDir = dir === 'write' ? 'to-device' : 'from-device';
  ops.push({ kind: 'dma-map', dir: dmaDir, wrongPage: wrongPage || undefined });
  ops.push({ kind: 'speculate' });
  if (dir === 'write') {
    ops.push({ kind: 'device-read', wrongPage: wrongPage || undefined });
    ops.push({ kind: 'dma-unmap', dir: dmaDir, wrongPage: wrongPage || undefined });
  } else {
    ops.push({ kind: 'device-write', byte: DEVICE_BYTE, wrongPage: wrongPage || undefined });
    if (facts.cpuWroteBefore) ops.push({ kind: 'evict', offset: evictOffset(size), length: 1, why: 'unrelated activity evicts the line' });
    ops.push({ kind: 'dma-unmap', dir: dmaDir, wrongPage: wrongPage || undefined });
    if (m.invalidate !== 'none') ops.push({ kind: 'invalidate-vmap', ...range(m.invalidate), why: m.invalidate === 'wrong' ? 'on the range past the buffer' : 'after completion' });
    ops.push({ kind: 'cpu-read-result' });
  }
  return ops;
}
