/**
 * Runs a scenario on one architecture profile: places the buffer, executes the program step by
 * step on a fresh Machine, records a timeline (with a small cache "frame" per step for the SVG), and
 * compares what the device or the CPU got with what the program meant.
 */
import type { CacheEventKind, CacheLine } from './cache';
import { setIndex, indexerFor } from './cache';
import { pooledMachine, type Segment } from './machine';
import { type ArchProfile, type RangeOp, canAlias, colourOf, geometry } from './profiles';
import { INITIAL_BYTE, type Op, type Scenario } from './scenarios';

export type Alias = 'vmap' | 'linear' | 'other';

export interface PagePlacement {
  /** Offset of the page in the buffer. */
  offset: number;
  vmapVa: string;
  pa: string;
  linearVa: string;
  vmapColour: number;
  linearColour: number;
  /** Set of the first line through each alias. */
  vmapSet: number;
  linearSet: number;
}

export interface Placement {
  vmapBase: number;
  pfns: number[];
  pages: PagePlacement[];
}

export interface LineInfo {
  alias: Alias;
  /** Offset in the buffer of the line's first byte. */
  offset: number;
  va: string;
  pa: string;
  set: number;
  way: number;
  tag: string;
  dirty: boolean;
}

export interface FrameCell {
  alias: Alias | 'empty';
  offset?: number;
  dirty: boolean;
  /** First data byte in the line, hex. */
  byte?: string;
}

export interface FrameRow {
  set: number;
  /** Which alias of which buffer offset indexes this set (for labelling rows). */
  label: string;
  cells: FrameCell[];
  /** First byte of physical memory at that buffer offset, hex: what the device would see. */
  mem: string;
}

export interface Step {
  n: number;
  op: Op['kind'];
  /** The kernel-level call or CPU action, as code. */
  call: string;
  /** What happened in the cache and memory. */
  text: string;
  counts: Partial<Record<`${Alias}:${CacheEventKind}`, number>>;
  frame: FrameRow[];
}

export interface RunResult {
  verdict: 'corrupted' | 'ok';
  corruptedBytes: number;
  firstCorruptOffset: number | null;
  /** Offset of the hex samples below. */
  sampleOffset: number;
  /** What should have arrived (disk for a write, CPU for a read), 16 bytes hex. */
  expected: string;
  observed: string;
  /**
   * Cache lines holding the buffer at the decisive moment (first 8): just before the device reads
   * memory (write), or just after the device's data landed in memory (read).
   */
  lines: LineInfo[];
  linesTotal: number;
  dirtyLines: number;
  /** Bytes of an unrelated page the device overwrote (linear-map scenario). */
  collateralBytes: number;
  steps: Step[];
  notes: string[];
}

export interface ArchResult extends RunResult {
  arch: string;
  cpu: string;
  scenario: string;
  title: string;
  direction: 'write' | 'read';
  sizeBytes: number;
  indexing: string;
  colours: number;
  /** Per page: probability that a random placement puts the two aliases in different lines. */
  aliasProbability: number;
  placement: PagePlacement[];
  fixed: RunResult;
  fixDescription: string;
  assumptions: string[];
}

const SAMPLE = 16;
const FRAME_LINES_PER_PAGE = 4;
const FRAME_PAGES = 2;
const BASE_PFN = 0x1000;

export function hex(n: number, bits: 32 | 48): string {
  if (bits === 48) return '0xffff' + n.toString(16).padStart(12, '0');
  return '0x' + n.toString(16).padStart(8, '0');
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hexBytes(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (i ? ' ' : '') + HEX[b[i]];
  return s;
}

/**
 * Deterministic placement: the vmalloc area starts on a way boundary; each page's frame is the next
 * free frame whose linear alias has a different colour from its vmalloc alias — n colours apart
 * when the cache has room for that, so the two aliases of different pages never share sets either.
 */
const placementCache = new WeakMap<ArchProfile, Map<number, Placement>>();

export function placementFor(p: ArchProfile, size: number): Placement {
  let bySize = placementCache.get(p);
  if (!bySize) {
    bySize = new Map();
    placementCache.set(p, bySize);
  }
  let pl = bySize.get(size);
  if (!pl) {
    pl = computePlacement(p, size);
    Object.freeze(pl.pfns);
    pl.pages.forEach((pg) => Object.freeze(pg));
    if (bySize.size > 64) bySize.clear();
    bySize.set(size, pl);
  }
  return pl;
}

function computePlacement(p: ArchProfile, size: number): Placement {
  const g = geometry(p);
  const align = Math.max(g.wayBytes, p.pageBytes);
  const vmapBase = Math.ceil(p.vmallocStart / align) * align;
  const n = Math.ceil(size / p.pageBytes);
  const colours = g.colours;
  const ix = indexerFor(p);
  const pfns: number[] = [];
  let pfn = BASE_PFN;
  for (let i = 0; i < n; i++) {
    const vc = colourOf(p, vmapBase + i * p.pageBytes);
    if (colours > 1) {
      const target = (vc + (colours >= 2 * n ? n : 1)) % colours;
      while (colourOf(p, p.pageOffset + pfn * p.pageBytes) !== target) pfn++;
    }
    pfns.push(pfn);
    pfn++;
  }
  const pages = pfns.map((f, i) => {
    const va = vmapBase + i * p.pageBytes;
    const pa = f * p.pageBytes;
    const lin = p.pageOffset + pa;
    return {
      offset: i * p.pageBytes,
      vmapVa: hex(va, p.addressBits), pa: hex(pa, 32), linearVa: hex(lin, p.addressBits),
      vmapColour: colourOf(p, va), linearColour: colourOf(p, lin),
      vmapSet: setIndex(ix, va, pa), linearSet: setIndex(ix, lin, pa),
    };
  });
  return { vmapBase, pfns, pages };
}

function segmentsOf(p: ArchProfile, pl: Placement, size: number, wrongPage: boolean): Segment[] {
  return pl.pfns.map((pfn, i) => {
    const length = Math.min(p.pageBytes, size - i * p.pageBytes);
    if (!wrongPage) return { pa: pfn * p.pageBytes, length };
    // virt_to_page()/__pa() on a vmalloc address: linear-map arithmetic, wrapping like the
    // kernel's unsigned long would.
    const mod = p.addressBits === 48 ? 2 ** 48 : 2 ** 32;
    const bogus = (((pl.vmapBase + i * p.pageBytes - p.pageOffset) % mod) + mod) % mod;
    return { pa: bogus, length };
  });
}

const KINDS: readonly CacheEventKind[] = ['fill', 'hit', 'store', 'writeback', 'clean', 'discard', 'evict', 'move-in', 'write-around', 'snoop'];
const KIND_INDEX: Record<CacheEventKind, number> = { fill: 0, hit: 1, store: 2, writeback: 3, clean: 4, discard: 5, evict: 6, 'move-in': 7, 'write-around': 8, snoop: 9 };
const ALIASES: readonly Alias[] = ['vmap', 'linear', 'other'];

/** Counts line events per (alias, kind) without allocating per event. */
class Recorder {
  private readonly counts = new Int32Array(ALIASES.length * KINDS.length);
  constructor(private readonly classify: (va: number, pa: number) => number) {}
  on = (kind: CacheEventKind, _set: number, _way: number, l: CacheLine): void => {
    this.counts[this.classify(l.va, l.pa) * KINDS.length + KIND_INDEX[kind]]++;
  };
  take(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < this.counts.length; i++) {
      if (this.counts[i]) out[`${ALIASES[Math.floor(i / KINDS.length)]}:${KINDS[i % KINDS.length]}`] = this.counts[i];
    }
    this.counts.fill(0);
    return out;
  }
}

const ALIAS_NAME: Record<Alias, string> = { vmap: 'vmalloc alias', linear: 'linear alias', other: 'other' };
const EVENT_TEXT: Record<CacheEventKind, string> = {
  fill: 'filled from memory', hit: 'hit', store: 'written in the cache (dirty)', writeback: 'written back',
  clean: 'dirty, written back', discard: 'discarded', evict: 'evicted', 'move-in': 'moved in speculatively',
  'write-around': 'store missed, went to memory', snoop: 'snooped by the device',
};

function describeCounts(c: Record<string, number>): string {
  const parts: string[] = [];
  for (const alias of ['vmap', 'linear', 'other'] as Alias[]) {
    const mine = Object.entries(c).filter(([k]) => k.startsWith(alias + ':'));
    if (!mine.length) continue;
    parts.push(`${ALIAS_NAME[alias]}: ` + mine.map(([k, n]) => `${n} line${n === 1 ? '' : 's'} ${EVENT_TEXT[k.slice(alias.length + 1) as CacheEventKind]}`).join(', '));
  }
  return parts.length ? parts.join('; ') : 'no line of the buffer in the cache is affected';
}

export interface RunOptions {
  /** Record a cache frame per step (for the SVG/HTML timeline); hovers do not need them. */
  frames?: boolean;
  /**
   * Override the profile's speculative move-in (documented only for PA-RISC; unverified elsewhere,
   * so the user may switch it on to see the worst case, or off).
   */
  speculate?: boolean;
}

const speculationVariants = new WeakMap<ArchProfile, Map<boolean, ArchProfile>>();

/** The profile with speculative move-in forced on or off (memoised: caches key on the object). */
export function withSpeculation(p: ArchProfile, on: boolean | undefined): ArchProfile {
  if (on === undefined || on === p.speculativeMoveIn) return p;
  let m = speculationVariants.get(p);
  if (!m) {
    m = new Map();
    speculationVariants.set(p, m);
  }
  let v = m.get(on);
  if (!v) {
    v = { ...p, speculativeMoveIn: on, notes: [...p.notes, `speculative move-in forced ${on ? 'on' : 'off'} by the user`] };
    m.set(on, v);
  }
  return v;
}

export function runProgram(p: ArchProfile, sc: Scenario, program: readonly Op[], opts: RunOptions = { frames: true }): RunResult {
  const size = sc.sizeBytes;
  const m = pooledMachine(p, INITIAL_BYTE);
  const pl = placementFor(p, size);
  m.mapVmalloc(pl.vmapBase, pl.pfns);
  const pfnIndex = new Map<number, number>();
  pl.pfns.forEach((f, i) => pfnIndex.set(f, i));
  const vmapEnd = pl.vmapBase + pl.pfns.length * p.pageBytes;
  const classifyIndex = (va: number, pa: number): number => {
    if (va >= pl.vmapBase && va < vmapEnd) return 0;
    if (pa >= 0 && pfnIndex.has(Math.floor(pa / p.pageBytes)) && va === p.pageOffset + pa) return 1;
    return 2;
  };
  const classify = (va: number, pa: number): Alias => ALIASES[classifyIndex(va, pa)];
  const bufOffset = (pa: number): number => {
    const i = pfnIndex.get(Math.floor(pa / p.pageBytes));
    return i === undefined ? -1 : i * p.pageBytes + (pa % p.pageBytes);
  };
  const rec = new Recorder(classifyIndex);
  m.cache.listener = rec.on;
  const ix = indexerFor(p);
  const bits = p.addressBits;

  // Rows of the timeline frame: the sets of the first lines of the first pages through both aliases.
  const rows: { set: number; label: string; pa: number }[] = [];
  const seenSets = new Set<number>();
  for (let i = 0; i < Math.min(FRAME_PAGES, pl.pfns.length); i++) {
    for (let k = 0; k < FRAME_LINES_PER_PAGE; k++) {
      const off = i * p.pageBytes + k * p.lineBytes;
      if (off >= size) break;
      const pa = pl.pfns[i] * p.pageBytes + k * p.lineBytes;
      for (const [alias, va] of [['vmap', pl.vmapBase + off], ['linear', p.pageOffset + pa]] as const) {
        const set = setIndex(ix, va, pa);
        if (seenSets.has(set)) continue;
        seenSets.add(set);
        rows.push({ set, label: `${alias === 'vmap' ? 'buf' : 'lin'}+0x${off.toString(16)}`, pa });
      }
    }
  }
  rows.sort((a, b) => a.set - b.set);
  const frame = (): FrameRow[] => {
    if (!opts.frames) return [];
    return rows.map(({ set, label, pa }) => {
      const cells: FrameCell[] = [];
      const lines = m.cache.linesOfSet(set);
      for (let w = 0; w < p.ways; w++) {
        const l = lines[w];
        if (!l || !l.valid) { cells.push({ alias: 'empty', dirty: false }); continue; }
        const off = bufOffset(l.pa);
        cells.push({ alias: classify(l.va, l.pa), offset: off >= 0 ? off : undefined, dirty: l.dirty, byte: l.data[l.off].toString(16).padStart(2, '0') });
      }
      return { set, label, cells, mem: HEX[m.mem.byteAt(pa)] };
    });
  };

  const snapshotLines = (): { lines: LineInfo[]; total: number; dirty: number } => {
    const raw: { set: number; way: number; line: CacheLine; off: number; alias: Alias }[] = [];
    let dirty = 0;
    for (const line of m.cache.validLines()) {
      const { set, way } = line;
      const off = bufOffset(line.pa);
      if (off < 0 || off >= size) continue;
      if (line.dirty) dirty++;
      raw.push({ set, way, line, off, alias: classify(line.va, line.pa) });
    }
    // Plain numeric comparison: localeCompare goes through ICU and dominated cold runs.
    raw.sort((a, b) => a.off - b.off || ALIASES.indexOf(a.alias) - ALIASES.indexOf(b.alias));
    const lines = raw.slice(0, 8).map(({ set, way, line, off, alias }) => ({
      alias, offset: off, va: hex(line.va, bits), pa: hex(line.pa, 32), set, way, tag: '0x' + line.tag.toString(16), dirty: line.dirty,
    }));
    return { lines, total: raw.length, dirty };
  };

  const shadow = new Uint8Array(size).fill(INITIAL_BYTE);
  let expected: Uint8Array | undefined;
  let observed: Uint8Array | undefined;
  let decisive: { lines: LineInfo[]; total: number; dirty: number } | undefined;
  let collateral = 0;
  const steps: Step[] = [];
  const notes: string[] = [];
  const buf = (off: number) => (off === 0 ? 'buf' : `buf + 0x${off.toString(16)}`);

  for (const op of program) {
    let call = '';
    let extra = '';
    switch (op.kind) {
      case 'cpu-load': {
        if (op.stride) {
          for (let o = op.offset; o < op.offset + op.length; o += op.stride) m.cpuTouch(pl.vmapBase + o, Math.min(p.lineBytes, size - o));
          call = `for each page: READ_ONCE(*(u32 *)(buf + i * PAGE_SIZE))  /* ${op.why} */`;
        } else {
          m.cpuTouch(pl.vmapBase + op.offset, op.length);
          call = `memcmp(buf, old, ${op.length})  /* ${op.why} */`;
        }
        break;
      }
      case 'cpu-store': {
        m.cpuStore(pl.vmapBase + op.offset, new Uint8Array(op.length).fill(op.byte));
        shadow.fill(op.byte, op.offset, op.offset + op.length);
        call = `memset(${buf(op.offset)}, 0x${op.byte.toString(16)}, ${op.length})  /* ${op.why} */`;
        break;
      }
      case 'flush-vmap': {
        m.flushKernelVmapRange(pl.vmapBase + op.offset, op.length);
        call = `flush_kernel_vmap_range(${buf(op.offset)}, ${op.length})  /* ${op.why} */`;
        extra = maintenanceNote(p, p.flushVmap);
        break;
      }
      case 'invalidate-vmap': {
        m.invalidateKernelVmapRange(pl.vmapBase + op.offset, op.length);
        call = `invalidate_kernel_vmap_range(${buf(op.offset)}, ${op.length})  /* ${op.why} */`;
        extra = maintenanceNote(p, p.invalidateVmap);
        break;
      }
      case 'dma-map': {
        const segs = segmentsOf(p, pl, size, !!op.wrongPage);
        m.dmaMap(segs, op.dir);
        const dir = `DMA_${op.dir === 'to-device' ? 'TO' : 'FROM'}_DEVICE`;
        call = op.wrongPage
          ? `sg_set_page(sg, virt_to_page(buf + i * PAGE_SIZE), …); dma_map_sg(dev, sgl, ${segs.length}, ${dir})  /* linear-map arithmetic on a vmalloc address */`
          : `dma_map_sg(dev, sgl, ${segs.length}, ${dir})  /* submission */`;
        extra = p.coherentDma ? 'coherent DMA: no CPU cache maintenance' : `${RANGE_OP_TEXT[op.dir === 'to-device' ? p.dmaToDevice : p.dmaFromDeviceMap]} through the linear alias only`;
        break;
      }
      case 'dma-unmap': {
        const segs = segmentsOf(p, pl, size, !!op.wrongPage);
        m.dmaUnmap(segs, op.dir);
        call = `dma_unmap_sg(dev, sgl, ${segs.length}, DMA_${op.dir === 'to-device' ? 'TO' : 'FROM'}_DEVICE)  /* completion */`;
        break;
      }
      case 'speculate': {
        if (!p.speculativeMoveIn) continue; // nothing happens on this CPU: keep the timeline short
        m.speculate();
        call = '/* while the transfer runs, the CPU moves in lines of pages it has translations for */';
        break;
      }
      case 'device-read': {
        decisive = snapshotLines();
        const segs = segmentsOf(p, pl, size, !!op.wrongPage);
        observed = m.deviceRead(segs);
        expected = shadow.slice();
        call = '/* the device reads the buffer\'s pages from memory */';
        extra = `the device receives ${hexBytes(observed.subarray(0, 4))} … at buf`;
        break;
      }
      case 'device-write': {
        const segs = segmentsOf(p, pl, size, !!op.wrongPage);
        m.deviceWrite(segs, new Uint8Array(size).fill(op.byte));
        shadow.fill(op.byte);
        if (op.wrongPage) collateral += size;
        // The decisive moment of a read: the alias lines that now disagree with memory.
        decisive = snapshotLines();
        call = `/* the device writes ${op.byte.toString(16)} into ${op.wrongPage ? 'the pages virt_to_page() computed' : 'the buffer\'s pages'} */`;
        break;
      }
      case 'evict': {
        m.evict(pl.vmapBase + op.offset, op.length);
        call = `/* ${op.why} at ${buf(op.offset)} */`;
        break;
      }
      case 'cpu-read-result': {
        decisive ??= snapshotLines();
        observed = m.cpuLoad(pl.vmapBase, size);
        expected = shadow.slice();
        call = `memcpy(out, buf, ${size})  /* the CPU reads the result */`;
        extra = `the CPU reads ${hexBytes(observed.subarray(0, 4))} … at buf`;
        break;
      }
    }
    const counts = rec.take();
    const text = [describeCounts(counts), extra].filter(Boolean).join('. ');
    steps.push({ n: steps.length + 1, op: op.kind, call, text, counts, frame: frame() });
  }

  if (!expected || !observed) throw new Error(`scenario ${sc.name} has no device-read or cpu-read-result step`);
  const { corrupted, first } = countDifferences(expected, observed);
  const sampleOffset = first < 0 ? 0 : first - (first % 4);
  const d = decisive ?? { lines: [], total: 0, dirty: 0 };
  if (collateral) notes.push(`The device also overwrote ${collateral} bytes of unrelated memory.`);
  return {
    verdict: corrupted ? 'corrupted' : 'ok',
    corruptedBytes: corrupted,
    firstCorruptOffset: first < 0 ? null : first,
    sampleOffset,
    expected: hexBytes(expected.subarray(sampleOffset, sampleOffset + SAMPLE)),
    observed: hexBytes(observed.subarray(sampleOffset, sampleOffset + SAMPLE)),
    lines: d.lines,
    linesTotal: d.total,
    dirtyLines: d.dirty,
    collateralBytes: collateral,
    steps,
    notes,
  };
}

/** The fixed program is the written one (api-noop): same result, own notes array. */
function structuredCloneRun(r: RunResult): RunResult {
  return { ...r, notes: [...r.notes] };
}

/**
 * Differing bytes and the first differing offset. Most runs agree completely (fixed code, PIPT),
 * so a native comparison goes first; otherwise whole words are skipped when equal.
 */
export function countDifferences(a: Uint8Array, b: Uint8Array): { corrupted: number; first: number } {
  if (Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))) return { corrupted: 0, first: -1 };
  let corrupted = 0;
  let first = -1;
  const n = Math.min(a.length, b.length);
  const aligned = a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0;
  const words = aligned ? Math.floor(n / 4) : 0;
  const wa = aligned ? new Uint32Array(a.buffer, a.byteOffset, words) : new Uint32Array(0);
  const wb = aligned ? new Uint32Array(b.buffer, b.byteOffset, words) : new Uint32Array(0);
  for (let w = 0; w < words; w++) {
    if (wa[w] === wb[w]) continue;
    for (let i = w * 4; i < w * 4 + 4; i++) {
      if (a[i] !== b[i]) {
        corrupted++;
        if (first < 0) first = i;
      }
    }
  }
  for (let i = words * 4; i < n; i++) {
    if (a[i] !== b[i]) {
      corrupted++;
      if (first < 0) first = i;
    }
  }
  return { corrupted, first };
}

const RANGE_OP_TEXT: Record<RangeOp, string> = {
  clean: 'writes back', invalidate: 'invalidates', 'clean-invalidate': 'writes back and invalidates',
  'whole-cache': 'flushes the whole cache', none: 'does nothing',
};

function maintenanceNote(p: ArchProfile, op: string): string {
  switch (op) {
    case 'none': return canAlias(p) ? `no-op on ${p.linuxArch} (generic stub) although this cache aliases` : `no-op on ${p.linuxArch} (not needed: no aliasing)`;
    case 'whole-cache': return 'purges the TLB range and flushes the whole data cache';
    case 'clean': return 'writes dirty lines back, lines stay valid';
    case 'invalidate': return 'discards the lines without writing them back';
    default: return 'cleans and invalidates each line of the range';
  }
}

/** Run a scenario as written and fixed on one profile. */
export function runScenario(profile: ArchProfile, sc: Scenario, opts: RunOptions = { frames: true }): ArchResult {
  const p = withSpeculation(profile, opts.speculate);
  const g = geometry(p);
  const pl = placementFor(p, sc.sizeBytes);
  const asWritten = runProgram(p, sc, sc.asWritten, opts);
  const fixed = sc.fixed === sc.asWritten ? structuredCloneRun(asWritten) : runProgram(p, sc, sc.fixed, opts);
  const notes = asWritten.notes;
  if (!canAlias(p)) notes.push(`${p.indexing === 'PIPT' ? 'Physically indexed' : 'Non-aliasing'} cache: one line per physical line, the aliases cannot diverge${p.coherentDma ? '; DMA is cache-coherent' : ''}.`);
  else if (g.aliasesAlwaysDistinct) notes.push('VIVT: the vmalloc alias and the linear alias always occupy different lines.');
  else notes.push(`VIPT with ${g.colours} colours: for a random placement the two aliases of a page differ in colour with probability ${(g.aliasProbability * 100).toFixed(1)}% (1 − 1/${g.colours}); this placement is one where they differ.`);
  if (!p.kernelImplementsApi && canAlias(p)) {
    const m = `flush_kernel_vmap_range()/invalidate_kernel_vmap_range() are empty on ${p.linuxArch} although the cache aliases: the fix cannot work here.`;
    notes.push(m);
    fixed.notes.push(m);
  }
  if (!p.writeAllocate && sc.asWritten.some((o) => o.kind === 'cpu-store')) notes.push('Read-allocate cache: only the earlier read keeps the alias lines in the cache for the stores to dirty.');
  if (p.speculativeMoveIn && canAlias(p)) notes.push(`Speculative move-in is modelled${p === profile ? '' : ' (forced on by the user)'}: lines of any page with a translation may be moved in during the transfer.`);
  return {
    arch: p.id,
    cpu: p.cpu,
    scenario: sc.name,
    title: sc.title,
    direction: sc.direction,
    sizeBytes: sc.sizeBytes,
    indexing: p.indexing,
    colours: g.colours,
    aliasProbability: g.aliasProbability,
    placement: pl.pages.slice(0, 4),
    ...asWritten,
    fixed,
    fixDescription: sc.fixDescription,
    assumptions: sc.assumptions,
  };
}

