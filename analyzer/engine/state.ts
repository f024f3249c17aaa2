/**
 * Abstract values and the per-path analysis state, with the join used where paths meet.
 *
 * must-facts (flushed, clean) meet by intersection; may-facts (written, completed, in-flight,
 * bios, scatterlists) by union. Values of variables meet by preferring the more tainted side:
 * a pointer that may hold a vmalloc address on some path is treated as one.
 */
import { Span, TraceStep } from '../types';

export type BufKind = 'vmalloc' | 'maybe' | 'vmap' | 'param';

/** An abstract buffer: one allocation site, a parameter, or a struct field across the file. */
export interface Buf {
  id: string;
  kind: BufKind;
  /** a page array read from a member: the address its pages are also mapped at (`src` of `src = vm_map_ram(z->pages, …)`) */
  mappedAt?: string;
  /** allocation / evidence / flow steps that make it a vmalloc alias */
  origin: TraceStep[];
  /** size expression text, if known */
  size?: string;
  sizeBytes?: number;
  /** zeroing allocator: no CPU write through the alias at allocation */
  zeroed: boolean;
  /** text naming the buffer start in its function (`buf`, `bp->b_addr`) */
  display: string;
  /** Outside history: parameters, struct fields, globals, unknown returns are assumed written and read. */
  escapes: boolean;
  param?: number;
  /** `T.field` for field buffers */
  field?: string;
  /** identifiers of the object holding it (`bp` for bp->b_addr) — a condition on them guards it */
  holders: string[];
  /** known only through file-wide struct-field facts, not through this function's own flow */
  viaField?: boolean;
  /**
   * a member that also holds other memory somewhere (vmalloc here, kmalloc there): which one a
   * function sees is chosen by a mode the analysis cannot see (interp fieldMaybe)
   */
  mixed?: boolean;
  /**
   * mapped with an uncached protection (tables UNCACHED_PROTS): a vmalloc-space address, so
   * linear-map conversions are still wrong, but no cache lines to flush or invalidate
   */
  uncached?: boolean;
  /** mapped read-only (tables READONLY_PROTS): never written through, so never dirty; reads still go stale */
  readOnly?: boolean;
}

/** Op values: exact ops and ops with flags OR-ed in, as bits. */
export const OP_R = 1, OP_W = 2, OP_RF = 4, OP_WF = 8, OP_B = 16;
export type OpSet = number;

export function opHasRead(s: OpSet): boolean { return (s & (OP_R | OP_RF | OP_B)) !== 0; }
export function opHasWrite(s: OpSet): boolean { return (s & (OP_W | OP_WF | OP_B)) !== 0; }
export function opWithFlags(s: OpSet): OpSet {
  let r = s & OP_B;
  if (s & (OP_R | OP_RF)) r |= OP_RF;
  if (s & (OP_W | OP_WF)) r |= OP_WF;
  return r;
}

/**
 * Offsets into a buffer are kept as canonical source text (`off`, `page_idx*PAGE_SIZE`), undefined for
 * the buffer's start: two ranges are the same when their texts are.
 */
export type Off = string | undefined;

export function addOff(base: Off, op: '+' | '-', e: string): Off {
  const t = e.replace(/\s+/g, '');
  const term = op === '-' ? `-(${t})` : t;
  return base === undefined ? term : `${base}+${term}`;
}

/** A byte range of a buffer that an I/O carries (`len` as text, when known). */
export interface IoRange {
  off: Off;
  len?: string;
  /** `len` as written (spacing kept), for a quick fix */
  lenText?: string;
  /**
   * An add in a counted loop (`for (i = 0; i < nr; i++)` at `i * PAGE_SIZE`): what the loop's
   * iterations carry together, from `off` (the offset's part the loop does not change; undefined:
   * the buffer's start) for `len` (`nr*PAGE_SIZE`; `lenText` as written). A pointer walked to an
   * end (`while (p < buf + n) { add(p, L); p += L; }`) carries `n`, `unit` (L) per iteration.
   */
  span?: { off: Off; len: string; lenText: string; unit?: string };
  /** added in a loop whose iterations' parts do not add up to a span: `off`/`len` are one iteration's */
  inLoop?: boolean;
  /** added inside a loop: where the innermost one starts (MaintRec.loopAt) */
  loopAt?: number;
  /** at a pointer that loop moves (`buf + off`, a walked `p`): each iteration adds another part */
  moving?: boolean;
}

export type Val =
  | { t: 'buf'; b: Buf; adv: boolean; advSite?: TraceStep; off?: Off }
  | { t: 'page'; b: Buf; step?: TraceStep; off?: Off }
  | { t: 'pages'; b: Buf }
  /**
   * the result of an is_vmalloc_addr() (or, `linear`, a virt_addr_valid(): no evidence of vmalloc
   * memory when it fails) test of b, negated with `neg`; `onlyWhen`: what it says holds only for
   * that outcome (`!virt_addr_valid(p) || len > max` says p is linear only when false)
   */
  | { t: 'isvm'; b: Buf; neg: boolean; linear?: boolean; onlyWhen?: boolean }
  | { t: 'op'; v: OpSet }
  | { t: 'fn'; name: string }
  /** a location that holds something other than a vmalloc buffer on this path (`bp->b_addr = kmem_alloc(…)`) */
  | { t: 'other' }
  /** computed by an unknown function from a buffer address: a page of it where a page is expected, nothing else */
  | { t: 'derived'; b: Buf; off?: Off }
  /** a freshly allocated bio, with the op it was allocated for */
  | { t: 'bio'; op?: OpSet }
  /** a dm_io_request being built: its memory type and buffer */
  | { t: 'dmio'; memType?: string; buf?: Val; op?: OpSet; typeSpan?: Span; addrSpan?: Span }
  /** a bio or scatterlist a helper built from a buffer and returned (summary returnsPagesOfParams), until it is stored */
  | { t: 'holder'; kind: 'bio' | 'sg'; adds: Map<string, Added>; op?: OpSet };

export interface Added {
  buf: Buf;
  steps: TraceStep[];
  /** Submitted earlier in a bio chain without a covering flush at that time. */
  unflushedAtSubmit?: boolean;
  /** Added by bio_add_vmalloc*(), which flushes the range itself for writes (v6.16+). */
  helperFlushesWrites?: boolean;
  /** the parts of the buffer the I/O carries, when each page add named its offset and length */
  ranges?: IoRange[];
  /** every page of it was flushed right before being added, with no CPU write since */
  flushedAtAdd?: MaintRec;
  /**
   * Known only as the table behind a vmap alias (dma_vmap_noncontiguous(), a vmap()ed array's
   * table in a member): the CPU pointer may go by a name the file never ties to it.
   */
  viaTable?: boolean;
}

export interface BioState {
  bufs: Map<string, Added>;
  op?: OpSet;
  endIo?: string;
  /** value stored in bi_private */
  priv?: Val;
  privText?: string;
  /** chained into another bio: submitted together with it */
  chainedInto?: string;
  /**
   * Page arrays whose elements were added while no mapping of them was known (`pages[i]`), by
   * arrayKey, with the add's step: a vmap() of the array made before the submission makes those
   * pages the mapping's. Replaced, never mutated (clones share it).
   */
  arrays?: ReadonlyMap<string, TraceStep>;
}

export interface Pending {
  buf: Buf;
  ranges?: IoRange[];
  /** the submitting call node span (where the finding is reported) */
  site: TraceStep;
  steps: TraceStep[];
  /** statement after which an invalidate can be inserted, as an offset; undefined when not possible */
  insertAfter?: number;
  indent?: string;
  sync: boolean;
  dir: OpSet;
  /** variable holding the synchronous I/O's status (`ret = submit_bio_wait(bio)`) */
  statusVar?: string;
  /** asynchronous I/O whose bi_end_io is a function of this file that does not invalidate */
  endIo?: string;
  /** see Added.viaTable */
  viaTable?: boolean;
  bio?: BioState;
  /** an invalidate of the buffer made while the read was still in flight: it protects nothing */
  earlyInvalidate?: TraceStep;
  /** a variable pointing where the I/O's one range starts inside the buffer (`dst = buf + i * BLK`), for a fix */
  rangeName?: string;
}

export interface MaintRec {
  step: TraceStep;
  wrongRange: boolean;
  /**
   * A flush of a pointer advanced at this step: a miss only if the I/O it precedes carries pages
   * added before it (judged at the submission; a per-chunk loop flushes each chunk right before
   * adding it).
   */
  advSite?: TraceStep;
  /** offset and length the call covers (texts), for checking it against the I/O's ranges */
  off?: Off;
  len?: string;
  /** a call in a counted loop, chunk by chunk: what its iterations cover together (IoRange.span) */
  span?: IoRange['span'];
  /** made on every iteration of the loop starting here, at a start the loop does not move */
  loopAt?: number;
}

export interface State {
  vars: Map<string, Val>;
  flushed: Map<string, MaintRec>;
  clean: Set<string>;
  written: Map<string, TraceStep>;
  bios: Map<string, BioState>;
  sgs: Map<string, Map<string, Added>>;
  inflight: Map<string, Pending>;
  completed: Map<string, Pending>;
  invalidated: Map<string, MaintRec>;
  /**
   * Objects a dominating branch condition inspects (`b->data_mode != …`, `foo_is_vmapped(b)`): code
   * here is on a path the author chose by how b's memory was obtained, so a maybe-vmalloc buffer
   * held by b is taken to be on its linear path.
   */
  guarded: Set<string>;
  /** parameters passed to a linear-map conversion on this path (must: a summary claims only what every path does) */
  converted: Set<number>;
}

/** The member name of a field key (`field:T.f[]`, `dmio:field:T.f`, `T.f` → `f`). */
export function fieldNameOf(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1).replace(/\[\]$/, '');
}

/** st.flushed key of a flush_kernel_vmap_range() whose pointer names no buffer the analysis knows. */
export const UNRESOLVED_FLUSH = '?flush';

export function emptyState(): State {
  return {
    vars: new Map(), flushed: new Map(), clean: new Set(), written: new Map(), bios: new Map(),
    sgs: new Map(), inflight: new Map(), completed: new Map(), invalidated: new Map(), guarded: new Set(),
    converted: new Set(),
  };
}

export function cloneState(s: State): State {
  const bios = new Map<string, BioState>();
  for (const [k, v] of s.bios) bios.set(k, { ...v, bufs: new Map(v.bufs) });
  const sgs = new Map<string, Map<string, Added>>();
  for (const [k, v] of s.sgs) sgs.set(k, new Map(v));
  return {
    vars: new Map(s.vars), flushed: new Map(s.flushed), clean: new Set(s.clean), written: new Map(s.written),
    bios, sgs, inflight: new Map(s.inflight), completed: new Map(s.completed), invalidated: new Map(s.invalidated),
    guarded: new Set(s.guarded), converted: new Set(s.converted),
  };
}

function taintRank(v: Val | undefined): number {
  if (!v) return 0;
  if (v.t === 'buf' || v.t === 'page' || v.t === 'pages') return v.b.kind === 'param' ? 1 : 2;
  return 1;
}

function joinVal(a: Val | undefined, b: Val | undefined): Val | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.t === 'op' && b.t === 'op') return { t: 'op', v: a.v | b.v };
  if (a.t === 'buf' && b.t === 'buf' && a.b.id === b.b.id) {
    return a.adv || !b.adv ? a : b; // advanced on some path = may be advanced
  }
  return taintRank(b) > taintRank(a) ? b : a;
}

function unionMap<T>(a: Map<string, T>, b: Map<string, T>): Map<string, T> {
  const r = new Map(a);
  for (const [k, v] of b) if (!r.has(k)) r.set(k, v);
  return r;
}

/** a's keys, then b's keys a lacks (the order `new Set([...a.keys(), ...b.keys()])` gives, without the arrays). */
function forEachKey<K>(a: Map<K, unknown>, b: Map<K, unknown>, f: (k: K) => void): void {
  for (const k of a.keys()) f(k);
  for (const k of b.keys()) if (!a.has(k)) f(k);
}

function intersect<T>(a: Set<T>, b: Set<T>): Set<T> {
  const r = new Set<T>();
  for (const x of a) if (b.has(x)) r.add(x);
  return r;
}

/**
 * The intersection of must-facts gathered over paths or exits, where null is "no path seen yet"
 * (everything): a fresh set, never one of the arguments.
 */
export function meet<T>(a: Set<T> | null, b: Set<T> | null): Set<T> | null {
  if (a === null) return b === null ? null : new Set(b);
  return b === null ? new Set(a) : intersect(a, b);
}

/** Join of two path states; null is an unreachable path. */
/**
 * Is `x`, on the path of state `s`, a buffer that path knows is linear-map memory, where the other
 * path's value `y` is not that buffer? Then the other path's value is the one that matters (a join
 * of `if (is_vmalloc_addr(p)) p = bounce;`, an arm of `virt_addr_valid(p) ? p : bounce`).
 */
export function linearOnly(x: Val | undefined, s: State | null, y: Val | undefined): boolean {
  return x !== undefined && x.t === 'buf' && s !== null && s.clean.has(x.b.id) && !(y !== undefined && (y.t === 'buf' || y.t === 'page') && y.b.id === x.b.id);
}

export function join(a: State | null, b: State | null): State | null {
  if (a === null) return b;
  if (b === null) return a;
  const vars = new Map<string, Val>();
  // a pointer that holds a buffer only on the path where that buffer is linear-map memory
  // (`if (is_vmalloc_addr(p)) p = bounce;`: the other path's p) takes the other path's value
  forEachKey(a.vars, b.vars, (k) => {
    const va = a.vars.get(k);
    const vb = b.vars.get(k);
    const la = linearOnly(va, a, vb);
    const lb = linearOnly(vb, b, va);
    const v = la && !lb ? vb : lb && !la ? va : joinVal(va, vb);
    if (v) vars.set(k, v);
  });
  const flushed = new Map<string, MaintRec>();
  forEachKey(a.flushed, b.flushed, (id) => {
    const fa = a.flushed.get(id) ?? (a.clean.has(id) ? 'clean' : undefined);
    const fb = b.flushed.get(id) ?? (b.clean.has(id) ? 'clean' : undefined);
    if (fa !== undefined && fb !== undefined) {
      const rec = fa !== 'clean' ? fa : fb !== 'clean' ? fb : undefined;
      if (rec) flushed.set(id, rec);
    }
  });
  const clean = intersect(a.clean, b.clean);
  const bios = new Map<string, BioState>();
  forEachKey(a.bios, b.bios, (k) => {
    const x = a.bios.get(k);
    const y = b.bios.get(k);
    if (!x || !y) {
      const z = (x ?? y) as BioState;
      bios.set(k, { ...z, bufs: new Map(z.bufs) });
      return;
    }
    bios.set(k, {
      bufs: unionMap(x.bufs, y.bufs),
      op: x.op === undefined ? y.op : y.op === undefined ? x.op : x.op | y.op,
      endIo: x.endIo ?? y.endIo,
      priv: x.priv ?? y.priv,
      privText: x.privText ?? y.privText,
      chainedInto: x.chainedInto ?? y.chainedInto,
      ...(x.arrays || y.arrays ? { arrays: new Map([...(y.arrays ?? []), ...(x.arrays ?? [])]) } : {}),
    });
  });
  const sgs = new Map<string, Map<string, Added>>();
  forEachKey(a.sgs, b.sgs, (k) => sgs.set(k, unionMap(a.sgs.get(k) ?? new Map(), b.sgs.get(k) ?? new Map())));
  const invalidated = new Map<string, MaintRec>();
  for (const [k, v] of a.invalidated) if (b.invalidated.has(k)) invalidated.set(k, v);
  return {
    vars, flushed, clean, written: unionMap(a.written, b.written), bios, sgs,
    inflight: unionMap(a.inflight, b.inflight), completed: unionMap(a.completed, b.completed), invalidated,
    guarded: intersect(a.guarded, b.guarded),
    converted: intersect(a.converted, b.converted),
  };
}

export function sameState(a: State | null, b: State | null): boolean {
  if (a === null || b === null) return a === b;
  const keys = (m: Map<string, unknown> | Set<string>) => [...m.keys()].sort().join('|');
  if (keys(a.vars) !== keys(b.vars) || keys(a.flushed) !== keys(b.flushed) || keys(a.clean) !== keys(b.clean)) return false;
  if (keys(a.written) !== keys(b.written) || keys(a.completed) !== keys(b.completed) || keys(a.inflight) !== keys(b.inflight)) return false;
  for (const [k, v] of a.vars) {
    const w = b.vars.get(k);
    if (!w || w.t !== v.t) return false;
    if (v.t === 'op' && w.t === 'op' && v.v !== w.v) return false;
    if (v.t === 'buf' && w.t === 'buf' && (v.adv !== w.adv || v.b.id !== w.b.id)) return false;
  }
  for (const [k, v] of a.bios) {
    const w = b.bios.get(k);
    if (!w || w.bufs.size !== v.bufs.size || w.op !== v.op) return false;
  }
  return true;
}
