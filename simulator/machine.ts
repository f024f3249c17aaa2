/**
 * The machine a scenario runs on: physical memory in pages, the kernel linear map
 * (PAGE_OFFSET + pa), a vmalloc area whose pages are the buffer's pages mapped a second time, one
 * data cache, and the operations real kernel code performs — CPU loads and stores through a virtual
 * address, the DMA API's maintenance (which works through the linear alias only), the device
 * reading or writing physical memory, flush_kernel_vmap_range()/invalidate_kernel_vmap_range() with
 * each architecture's semantics, speculative move-in, and eviction by unrelated activity.
 */
import { Cache, mod, type LineMemory } from './cache';
import type { ArchProfile, RangeOp } from './profiles';

/** Physical memory, sparse by page; untouched pages read as `fill`. */
export class PhysMemory implements LineMemory {
  private readonly pages = new Map<number, Uint8Array>();

  constructor(readonly pageBytes: number, readonly fill = 0) {}

  private page(pfn: number): Uint8Array {
    let p = this.pages.get(pfn);
    if (!p) {
      p = new Uint8Array(this.pageBytes).fill(this.fill);
      this.pages.set(pfn, p);
    }
    return p;
  }

  /** Every page back to `fill` (pages stay allocated for the next run). */
  reset(): void {
    for (const p of this.pages.values()) p.fill(this.fill);
  }

  byteAt(pa: number): number {
    const pfn = Math.floor(pa / this.pageBytes);
    const p = this.pages.get(pfn);
    return p ? p[pa - pfn * this.pageBytes] : this.fill;
  }

  /** Copy `into.length` bytes from pa; the range must stay within one page. */
  read(pa: number, into: Uint8Array): void {
    const pfn = Math.floor(pa / this.pageBytes);
    const off = pa - pfn * this.pageBytes;
    into.set(this.page(pfn).subarray(off, off + into.length));
  }

  /** Copy `from` to pa; the range must stay within one page. */
  write(pa: number, from: Uint8Array): void {
    const pfn = Math.floor(pa / this.pageBytes);
    this.page(pfn).set(from, pa - pfn * this.pageBytes);
  }

  readLine(pa: number, into: Uint8Array, at: number, len: number): void {
    const pfn = Math.floor(pa / this.pageBytes);
    const p = this.page(pfn);
    const off = pa - pfn * this.pageBytes;
    for (let i = 0; i < len; i++) into[at + i] = p[off + i];
  }

  writeLine(pa: number, from: Uint8Array, at: number, len: number): void {
    const pfn = Math.floor(pa / this.pageBytes);
    const p = this.page(pfn);
    const off = pa - pfn * this.pageBytes;
    for (let i = 0; i < len; i++) p[off + i] = from[at + i];
  }
}

/** A physically contiguous piece of the transfer (one scatterlist entry / bio_vec). */
export interface Segment {
  pa: number;
  length: number;
}

export type DmaDirection = 'to-device' | 'from-device';

/** Bytes of low memory covered by the linear map in the model. */
export const LOWMEM_BYTES = 64 * 1024 * 1024;

export class Machine {
  readonly cache: Cache;
  readonly mem: PhysMemory;
  /** vmalloc virtual page number → physical frame number. */
  private readonly vmap = new Map<number, number>();
  /** Virtual page numbers the CPU holds a translation for (what speculative move-in may use). */
  private readonly tlb = new Set<number>();

  constructor(readonly profile: ArchProfile, initialByte = 0) {
    this.mem = new PhysMemory(profile.pageBytes, initialByte);
    this.cache = new Cache(profile, this.mem);
  }

  /** Back to the state of a new Machine: empty cache, memory all `initialByte`, no mappings. */
  reset(): void {
    this.cache.reset();
    this.mem.reset();
    this.vmap.clear();
    this.tlb.clear();
  }

  get pageBytes(): number { return this.profile.pageBytes; }
  get lineBytes(): number { return this.profile.lineBytes; }

  linearVa(pa: number): number { return this.profile.pageOffset + pa; }

  /** Map `pfns` at `va` in the vmalloc area (vmap()); their linear aliases stay mapped too. */
  mapVmalloc(va: number, pfns: readonly number[]): void {
    const vpn0 = Math.floor(va / this.pageBytes);
    pfns.forEach((pfn, i) => {
      this.vmap.set(vpn0 + i, pfn);
      // The linear map always translates (kernel direct map), so its pages can be moved in too.
      this.tlb.add(Math.floor(this.linearVa(pfn * this.pageBytes) / this.pageBytes));
    });
  }

  /** VA → PA through the vmalloc page table or the linear map; -1 when unmapped. */
  translate(va: number): number {
    const vpn = Math.floor(va / this.pageBytes);
    const off = va - vpn * this.pageBytes;
    const pfn = this.vmap.get(vpn);
    if (pfn !== undefined) return pfn * this.pageBytes + off;
    const lin = va - this.profile.pageOffset;
    if (lin >= 0 && lin < LOWMEM_BYTES) return lin;
    return -1;
  }

  /**
   * Visit each line-sized piece of [va, va+len): (lineVa, pa, offsetInRange, length). Translates
   * once per page, not per line: this loop is the simulator's hot path.
   */
  private forEachLine(va: number, len: number, fn: (lineVa: number, pa: number, pos: number, n: number) => void): void {
    const lb = this.lineBytes;
    const pb = this.pageBytes;
    let pos = 0;
    while (pos < len) {
      const a0 = va + pos;
      const pageEnd = Math.min(len, pos + (pb - mod(a0, pb)));
      const pa0 = this.translate(a0);
      while (pos < pageEnd) {
        const a = va + pos;
        const n = Math.min(lb - mod(a, lb), pageEnd - pos);
        fn(a, pa0 < 0 ? -1 : pa0 + (a - a0), pos, n);
        pos += n;
      }
    }
  }

  private touchRange(va: number, len: number): void {
    const first = Math.floor(va / this.pageBytes);
    const last = Math.floor((va + Math.max(len, 1) - 1) / this.pageBytes);
    for (let v = first; v <= last; v++) this.tlb.add(v);
  }

  cpuStore(va: number, bytes: Uint8Array): void {
    this.touchRange(va, bytes.length);
    this.forEachLine(va, bytes.length, (a, pa, pos, n) => {
      if (pa < 0) throw new Error(`store to unmapped address 0x${a.toString(16)}`);
      this.cache.store(a, pa, bytes, pos, n);
    });
  }

  cpuLoad(va: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.touchRange(va, len);
    this.forEachLine(va, len, (a, pa, pos, n) => {
      if (pa < 0) throw new Error(`load from unmapped address 0x${a.toString(16)}`);
      this.cache.load(a, pa, out, pos, n);
    });
    return out;
  }

  /** CPU loads whose values are discarded: the same cache effects as cpuLoad without the copy. */
  cpuTouch(va: number, len: number): void {
    this.touchRange(va, len);
    this.forEachLine(va, len, (a, pa) => {
      if (pa < 0) throw new Error(`load from unmapped address 0x${a.toString(16)}`);
      this.cache.touch(a, pa);
    });
  }

  /** Apply a maintenance primitive to every line of [va, va+len). Returns lines found. */
  maintain(op: RangeOp, va: number, len: number): number {
    if (op === 'none') return 0;
    if (op === 'whole-cache') return this.cache.flushAll();
    let found = 0;
    // forEachLine visits each line of the range exactly once.
    this.forEachLine(va, len, (a, pa) => {
      const base = a - mod(a, this.lineBytes);
      const pb = pa < 0 ? pa : pa - mod(pa, this.lineBytes);
      const hit = op === 'clean' ? this.cache.cleanLine(base, pb)
        : op === 'invalidate' ? this.cache.invalidateLine(base, pb)
          : this.cache.cleanInvalidateLine(base, pb);
      if (hit) found++;
    });
    return found;
  }

  private purgeTlb(va: number, len: number): void {
    const first = Math.floor(va / this.pageBytes);
    const last = Math.floor((va + Math.max(len, 1) - 1) / this.pageBytes);
    for (let v = first; v <= last; v++) this.tlb.delete(v);
  }

  /** flush_kernel_vmap_range(va, len) with this architecture's semantics. */
  flushKernelVmapRange(va: number, len: number): number {
    // PA-RISC purges the TLB range first, which stops further move-in to those pages.
    if (this.profile.flushVmap === 'whole-cache') this.purgeTlb(va, len);
    return this.maintain(this.profile.flushVmap, va, len);
  }

  /** invalidate_kernel_vmap_range(va, len) with this architecture's semantics. */
  invalidateKernelVmapRange(va: number, len: number): number {
    if (this.profile.invalidateVmap === 'whole-cache') this.purgeTlb(va, len);
    return this.maintain(this.profile.invalidateVmap, va, len);
  }

  /** dma_map_*(): maintenance through the linear alias of each segment only. */
  dmaMap(segs: readonly Segment[], dir: DmaDirection): number {
    if (this.profile.coherentDma) return 0;
    const op = dir === 'to-device' ? this.profile.dmaToDevice : this.profile.dmaFromDeviceMap;
    return segs.reduce((n, s) => n + this.maintain(op, this.linearVa(s.pa), s.length), 0);
  }

  /** dma_unmap_*(): for from-device transfers some architectures invalidate the linear alias again. */
  dmaUnmap(segs: readonly Segment[], dir: DmaDirection): number {
    if (this.profile.coherentDma || dir === 'to-device') return 0;
    return segs.reduce((n, s) => n + this.maintain(this.profile.dmaFromDeviceUnmap, this.linearVa(s.pa), s.length), 0);
  }

  /** The device reads physical memory (a coherent device sees dirty cache lines). */
  deviceRead(segs: readonly Segment[]): Uint8Array {
    const total = segs.reduce((n, s) => n + s.length, 0);
    const out = new Uint8Array(total);
    let pos = 0;
    const line = new Uint8Array(this.lineBytes);
    for (const s of segs) {
      for (let o = 0; o < s.length;) {
        const pa = s.pa + o;
        const lineOff = mod(pa, this.lineBytes);
        const n = Math.min(this.lineBytes - lineOff, s.length - o);
        if (this.profile.coherentDma && this.cache.snoopRead(pa - lineOff, line)) {
          out.set(line.subarray(lineOff, lineOff + n), pos);
        } else {
          this.mem.read(pa, out.subarray(pos, pos + n));
        }
        pos += n;
        o += n;
      }
    }
    return out;
  }

  /** The device writes physical memory (a coherent device invalidates the CPU's copies). */
  deviceWrite(segs: readonly Segment[], data: Uint8Array): void {
    let pos = 0;
    for (const s of segs) {
      for (let o = 0; o < s.length;) {
        const pa = s.pa + o;
        const lineOff = mod(pa, this.lineBytes);
        const n = Math.min(this.lineBytes - lineOff, s.length - o);
        if (this.profile.coherentDma) this.cache.snoopInvalidate(pa - lineOff);
        this.mem.write(pa, data.subarray(pos, pos + n));
        pos += n;
        o += n;
      }
    }
  }

  /** Speculative move-in of every line of every page with a translation. Returns lines moved in. */
  speculate(): number {
    if (!this.profile.speculativeMoveIn) return 0;
    let n = 0;
    for (const vpn of this.tlb) {
      const base = vpn * this.pageBytes;
      for (let o = 0; o < this.pageBytes; o += this.lineBytes) {
        const pa = this.translate(base + o);
        if (this.cache.moveIn(base + o, pa)) n++;
      }
    }
    return n;
  }

  /** Evict the lines of [va, va+len) as unrelated cache pressure would (write back if dirty). */
  evict(va: number, len: number): number {
    let n = 0;
    this.forEachLine(va, len, (a, pa) => {
      if (this.cache.evictLine(a - mod(a, this.lineBytes), pa < 0 ? pa : pa - mod(pa, this.lineBytes))) n++;
    });
    return n;
  }

  /** Write back every dirty line (the "full clean" of the property tests). */
  cleanAll(): number {
    return this.cache.cleanAll();
  }
}

/**
 * One reusable machine per profile for the scenario runner (runs are synchronous and never
 * nested). Reusing it avoids re-allocating cache sets and memory pages on every run.
 */
const pool = new Map<string, Machine>();

export function pooledMachine(profile: ArchProfile, initialByte: number): Machine {
  const key = `${profile.id}/${initialByte}`;
  let m = pool.get(key);
  if (!m || m.profile !== profile) {
    m = new Machine(profile, initialByte);
    pool.set(key, m);
  } else {
    m.reset();
  }
  return m;
}
