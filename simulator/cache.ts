/**
 * A data cache: sets × ways × line bytes, indexed and tagged as the profile says (VIVT, VIPT or
 * PIPT), LRU replacement, write-back or write-through, write-allocate or read-allocate, dirty bits,
 * and evictions that write dirty data back. Maintenance primitives work per line (clean,
 * invalidate, clean+invalidate) and on the whole cache.
 *
 * Addresses are plain numbers (< 2^53; 64-bit profiles keep the low 48 bits), so all arithmetic
 * uses Math.floor and %, never 32-bit bitwise operators.
 */
import type { ArchProfile, Indexing } from './profiles';
import { geometry } from './profiles';

/** Physical memory as the cache sees it: line fills and write-backs. */
export interface LineMemory {
  /** Copy `len` bytes at pa into `into` at `at`. */
  readLine(pa: number, into: Uint8Array, at: number, len: number): void;
  /** Copy `len` bytes of `from` starting at `at` to pa. */
  writeLine(pa: number, from: Uint8Array, at: number, len: number): void;
}

export interface CacheLine {
  valid: boolean;
  dirty: boolean;
  tag: number;
  /** Line-aligned physical address: where a write-back goes (VIVT caches keep it too). */
  pa: number;
  /** Line-aligned virtual address the line was filled through (for display and VIVT lookups). */
  va: number;
  /** The set's data block (shared by its ways); this line's bytes start at `off`. */
  data: Uint8Array;
  off: number;
  lru: number;
  readonly set: number;
  readonly way: number;
}

export type CacheEventKind = 'fill' | 'hit' | 'store' | 'writeback' | 'clean' | 'discard' | 'evict' | 'move-in' | 'write-around' | 'snoop';

export interface CacheEvent {
  kind: CacheEventKind;
  set: number;
  way: number;
  tag: number;
  va: number;
  pa: number;
  dirty: boolean;
}

/**
 * Called for every line event. Kept allocation-free (no event object) because a multi-architecture
 * simulation for a hover produces tens of thousands of them; `toEvent` builds the object form.
 */
export type CacheListener = (kind: CacheEventKind, set: number, way: number, line: CacheLine) => void;

export function toEvent(kind: CacheEventKind, set: number, way: number, l: CacheLine): CacheEvent {
  return { kind, set, way, tag: l.tag, va: l.va, pa: l.pa, dirty: l.dirty };
}

/**
 * a mod m for non-negative integers below 2^53. Addresses above 2^31 are doubles in V8, and `%` on
 * doubles is a C call (fmod); this form stays inline and is exact for integers.
 */
export function mod(a: number, m: number): number {
  return a - Math.floor(a / m) * m;
}

/** Pure address arithmetic, shared by the cache and the tests. */
export interface Indexer {
  indexing: Indexing;
  sets: number;
  lineBytes: number;
  pageBytes: number;
  wayBytes: number;
}

export function indexerFor(p: ArchProfile): Indexer {
  const g = geometry(p);
  return { indexing: p.indexing, sets: g.sets, lineBytes: p.lineBytes, pageBytes: p.pageBytes, wayBytes: g.wayBytes };
}

/** Set index: from the virtual address for VIVT and VIPT, from the physical address for PIPT. */
export function setIndex(ix: Indexer, va: number, pa: number): number {
  const a = ix.indexing === 'PIPT' ? pa : va;
  return mod(Math.floor(a / ix.lineBytes), ix.sets);
}

/**
 * Tag: VIVT = virtual address bits above one way; VIPT = the physical frame number (a physical tag
 * must cover the colour bits that the virtual index takes from the page number); PIPT = physical
 * address bits above one way.
 */
export function tagOf(ix: Indexer, va: number, pa: number): number {
  switch (ix.indexing) {
    case 'VIVT': return Math.floor(va / ix.wayBytes);
    case 'VIPT': return Math.floor(pa / ix.pageBytes);
    case 'PIPT': return Math.floor(pa / ix.wayBytes);
  }
}

export class Cache {
  readonly ix: Indexer;
  readonly ways: number;
  readonly writeBack: boolean;
  readonly writeAllocate: boolean;
  /** Sets are created lazily (a 2 MB direct-mapped cache has 65,536 of them); `used` lists the created ones in creation order. */
  private readonly sets: (CacheLine[] | undefined)[];
  private readonly used: CacheLine[][] = [];
  private tick = 0;
  listener: CacheListener | undefined;
  // The same arithmetic as setIndex()/tagOf(), unpacked for the hot path.
  private readonly indexByPa: boolean;
  private readonly tagByVa: boolean;
  private readonly tagDiv: number;
  private readonly nsets: number;
  private readonly lb: number;

  constructor(profile: ArchProfile, private readonly mem: LineMemory) {
    this.ix = indexerFor(profile);
    this.ways = profile.ways;
    this.writeBack = profile.writeBack;
    this.writeAllocate = profile.writeAllocate;
    this.sets = new Array<CacheLine[] | undefined>(this.ix.sets);
    this.indexByPa = this.ix.indexing === 'PIPT';
    this.tagByVa = this.ix.indexing === 'VIVT';
    this.tagDiv = this.ix.indexing === 'VIPT' ? this.ix.pageBytes : this.ix.wayBytes;
    this.nsets = this.ix.sets;
    this.lb = this.ix.lineBytes;
  }

  private setOf(va: number, pa: number): number {
    return mod(Math.floor((this.indexByPa ? pa : va) / this.lb), this.nsets);
  }

  private tagFor(va: number, pa: number): number {
    return Math.floor((this.tagByVa ? va : pa) / this.tagDiv);
  }

  get lineBytes(): number { return this.ix.lineBytes; }

  private setLines(set: number): CacheLine[] {
    let lines = this.sets[set];
    if (!lines) {
      // One data block per set: typed-array creation dominates the cost of a short simulation.
      const block = new Uint8Array(this.ways * this.ix.lineBytes);
      lines = [];
      for (let w = 0; w < this.ways; w++) {
        lines.push({ valid: false, dirty: false, tag: 0, pa: 0, va: 0, data: block, off: w * this.ix.lineBytes, lru: 0, set, way: w });
      }
      this.sets[set] = lines;
      this.used.push(lines);
    }
    return lines;
  }

  private emit(kind: CacheEventKind, l: CacheLine): void {
    if (this.listener) this.listener(kind, l.set, l.way, l);
  }

  private lineBase(a: number): number {
    return a - mod(a, this.lb);
  }

  /**
   * Find the line that holds (va, pa). `pa < 0` means the address has no translation: only a VIVT
   * cache can still look it up.
   */
  find(va: number, pa: number): CacheLine | undefined {
    if (pa < 0 && !this.tagByVa) return undefined;
    const lines = this.sets[this.setOf(va, pa)];
    if (!lines) return undefined;
    const tag = this.tagFor(va, pa);
    for (let w = 0; w < lines.length; w++) {
      const l = lines[w];
      if (l.valid && l.tag === tag) return l;
    }
    return undefined;
  }

  /** Write a dirty line back to memory and mark it clean. */
  private writeBackLine(l: CacheLine, kind: CacheEventKind): void {
    if (l.valid && l.dirty) {
      this.emit(kind, l); // emitted while still dirty: the event says data went to memory
      this.mem.writeLine(l.pa, l.data, l.off, this.ix.lineBytes);
      l.dirty = false;
    }
  }

  /** Allocate a line for (va, pa): LRU victim (written back if dirty), then filled from memory. */
  private allocate(va: number, pa: number, kind: CacheEventKind): CacheLine {
    const lines = this.setLines(this.setOf(va, pa));
    let way = -1;
    for (let w = 0; w < lines.length; w++) if (!lines[w].valid) { way = w; break; }
    if (way < 0) {
      way = 0;
      for (let w = 1; w < lines.length; w++) if (lines[w].lru < lines[way].lru) way = w;
      const victim = lines[way];
      if (victim.dirty) this.writeBackLine(victim, 'evict');
      else this.emit('evict', victim);
      victim.valid = false;
    }
    const l = lines[way];
    l.valid = true;
    l.dirty = false;
    l.tag = this.tagFor(va, pa);
    l.pa = this.lineBase(pa);
    l.va = this.lineBase(va);
    l.lru = ++this.tick;
    this.mem.readLine(l.pa, l.data, l.off, this.ix.lineBytes);
    this.emit(kind, l);
    return l;
  }

  /** CPU load of `len` bytes at (va, pa), all inside one line, into `into` at `at`. */
  load(va: number, pa: number, into: Uint8Array, at: number, len: number): void {
    let l = this.find(va, pa);
    if (l) {
      l.lru = ++this.tick;
      this.emit('hit', l);
    } else {
      l = this.allocate(va, pa, 'fill');
    }
    const src = l.off + mod(va, this.lb);
    const d = l.data;
    for (let i = 0; i < len; i++) into[at + i] = d[src + i];
  }

  /** A CPU load whose value is not needed (cache effects only: hit or fill). */
  touch(va: number, pa: number): void {
    const l = this.find(va, pa);
    if (l) {
      l.lru = ++this.tick;
      this.emit('hit', l);
    } else {
      this.allocate(va, pa, 'fill');
    }
  }

  /** CPU store of `len` bytes of `from` (starting at `at`) to (va, pa), all inside one line. */
  store(va: number, pa: number, from: Uint8Array, at: number, len: number): void {
    const inLine = mod(va, this.lb);
    let l = this.find(va, pa);
    if (!l && this.writeAllocate) l = this.allocate(va, pa, 'fill');
    if (!l) {
      // Read-allocate cache: the store misses and goes to memory (through the write buffer).
      this.mem.writeLine(pa, from, at, len);
      if (this.listener) {
        const set = setIndex(this.ix, va, pa);
        this.listener('write-around', set, -1, { valid: false, dirty: false, tag: tagOf(this.ix, va, pa), pa: this.lineBase(pa), va: this.lineBase(va), data: from, off: at, lru: 0, set, way: -1 });
      }
      return;
    }
    const d = l.data;
    const dst = l.off + inLine;
    for (let i = 0; i < len; i++) d[dst + i] = from[at + i];
    l.lru = ++this.tick;
    if (this.writeBack) l.dirty = true;
    else this.mem.writeLine(l.pa, l.data, l.off, this.ix.lineBytes);
    this.emit('store', l);
  }

  /** Write back the line if dirty; it stays valid. */
  cleanLine(va: number, pa: number): boolean {
    const l = this.find(va, pa);
    if (!l) return false;
    if (l.dirty) this.writeBackLine(l, 'clean');
    return true;
  }

  /** Discard the line; dirty data is lost. */
  invalidateLine(va: number, pa: number): boolean {
    const l = this.find(va, pa);
    if (!l) return false;
    this.emit('discard', l);
    l.valid = false;
    l.dirty = false;
    return true;
  }

  /** Write back if dirty, then discard. */
  cleanInvalidateLine(va: number, pa: number): boolean {
    const l = this.find(va, pa);
    if (!l) return false;
    if (l.dirty) this.writeBackLine(l, 'clean');
    this.emit('discard', l);
    l.valid = false;
    return true;
  }

  /** Evict the line as a capacity/conflict miss by other activity would: write back if dirty. */
  evictLine(va: number, pa: number): boolean {
    const l = this.find(va, pa);
    if (!l) return false;
    if (l.dirty) this.writeBackLine(l, 'evict');
    else this.emit('evict', l);
    l.valid = false;
    return true;
  }

  /** Speculative move-in: fill the line from memory if it is not present (no LRU promotion of hits). */
  moveIn(va: number, pa: number): boolean {
    if (pa < 0 || this.find(va, pa)) return false;
    this.allocate(va, pa, 'move-in');
    return true;
  }

  /** Write back and invalidate every line (PA-RISC flush_data_cache, csky abiv1). */
  flushAll(): number {
    let n = 0;
    for (const lines of this.used) {
      for (const l of lines) {
        if (!l.valid) continue;
        if (l.dirty) this.writeBackLine(l, 'clean');
        this.emit('discard', l);
        l.valid = false;
        n++;
      }
    }
    return n;
  }

  /** Write back every dirty line, keeping it valid. */
  cleanAll(): number {
    let n = 0;
    for (const lines of this.used) {
      for (const l of lines) {
        if (l.valid && l.dirty) { this.writeBackLine(l, 'clean'); n++; }
      }
    }
    return n;
  }

  /**
   * Coherent DMA read (x86): the device sees a dirty line's data. Only meaningful for PIPT caches,
   * where a physical line has one place.
   */
  snoopRead(pa: number, into: Uint8Array): boolean {
    const l = this.find(pa, pa);
    if (!l || !l.dirty) return false;
    into.set(l.data.subarray(l.off, l.off + this.ix.lineBytes));
    this.emit('snoop', l);
    return true;
  }

  /** Coherent DMA write: the device's write invalidates the CPU's copy of the line. */
  snoopInvalidate(pa: number): boolean {
    const l = this.find(pa, pa);
    if (!l) return false;
    this.emit('snoop', l);
    l.valid = false;
    l.dirty = false;
    return true;
  }

  /**
   * Back to an empty cache, keeping the allocated sets: typed-array allocation dominates a short
   * simulation, so the runner reuses one cache per profile.
   */
  reset(): void {
    for (const lines of this.used) {
      for (const l of lines) { l.valid = false; l.dirty = false; l.lru = 0; }
    }
    this.tick = 0;
    this.listener = undefined;
  }

  /** The lines of one set (empty if the set was never used), for display. */
  linesOfSet(set: number): readonly CacheLine[] {
    return this.sets[set] ?? [];
  }

  /** Every valid line, in set-creation order. */
  validLines(): CacheLine[] {
    const out: CacheLine[] = [];
    for (const lines of this.used) {
      for (const l of lines) if (l.valid) out.push(l);
    }
    return out;
  }

  /** A line's bytes (a copy), for tests and display. */
  lineBytesOf(l: CacheLine): Uint8Array {
    return l.data.slice(l.off, l.off + this.ix.lineBytes);
  }
}
