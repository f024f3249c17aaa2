/**
 * Per-function memo of the analysis, kept between analyses of the same document (the editor
 * re-analyses the whole file after every keystroke; most functions did not change).
 *
 * The unit memoised is one step of analyze.ts's round loop: "analyse function f (both direction
 * contexts) against the current translation-unit facts". Its result is a function of
 *   - the function's text, and of the text around it on its first and last line (the window),
 *   - its syntax tree (checked: same object, or the same shape),
 *   - the analysis options (file name, kernel, confidence, extra allocators/sinks: the memo is
 *     emptied when they change), and
 *   - every TuCtx fact it looked up while running.
 * The last are recorded dynamically: the function runs against a view of the TuCtx whose maps log
 * each key read and the value seen (serialised). A stored result is reused only if every logged
 * read gives the same value now. Reads of a shared map the function itself wrote first are not
 * inputs (its own write decides them). Because analyze.ts runs the same rounds in the same order
 * with or without the memo, replaying a unit's writes (field facts for the next round, allocations
 * stored in fields, notes) reproduces the fresh analysis exactly.
 *
 * Moved functions: positions inside the window are compared and stored relative to the window
 * (offset − window start, line − window line; columns are unchanged as the window starts at a line
 * start), positions outside it absolutely. A reused result is shifted by the window's move. A
 * position that cannot be classified (a span crossing the window's edge) makes the unit
 * unmemoisable: it is then simply analysed every time.
 */
import type { SNode } from '../parse/syntax';
import type { Finding } from '../types';
import type { FunctionInfo } from './tu';
import type { CallSiteFacts, SummaryAcc, TuCtx } from './interp';
import type { Val } from './state';
import { SkeletonCache } from './skeleton';

/** The text a function's result may depend on: from the start of its first line to the end of its last. */
export interface Window {
  /** offset of the first line's start */
  ls: number;
  /** offset just past the last line's newline (or the text's end) */
  we: number;
  /** 1-based line of ls */
  line: number;
}

export function windowOf(node: SNode, text: string): Window {
  const ls = text.lastIndexOf('\n', node.start - 1) + 1;
  const nl = text.indexOf('\n', node.end);
  return { ls, we: nl < 0 ? text.length : nl + 1, line: node.sr + 1 };
}

class Unmemoizable extends Error {}

type Where = 'in' | 'out';

function classifySpan(s: number, e: number, w: Window): Where {
  if (s >= w.ls && s < w.we && e <= w.we) return 'in';
  if (e < w.ls || s > w.we || (s === w.we && e > w.we)) return 'out';
  throw new Unmemoizable(`span ${s}-${e} crosses the window ${w.ls}-${w.we}`);
}

const ALLOC_RE = /alloc@(\d+)/g;

function isSpanLike(o: Record<string, unknown>): boolean {
  return typeof o.startOffset === 'number' && typeof o.endOffset === 'number' && typeof o.start === 'object' && typeof o.end === 'object';
}

interface SpanLike {
  start: { line: number; column: number };
  end: { line: number; column: number };
  startOffset: number;
  endOffset: number;
}

/** A window containing no position: serialises every position absolutely. */
const NO_WINDOW: Window = { ls: -2, we: -2, line: 0 };

interface SerCached {
  abs: string;
  /** smallest and largest position inside the value (Infinity / -Infinity: none) */
  lo: number;
  hi: number;
}

/**
 * Serialisations of the objects read during one analysis, by identity: most are read by many
 * functions, and hold no position inside the reader's window (then the absolute text is the
 * window's text). Only for the duration of one analysis, during which TuCtx values are not mutated.
 */
let serCache: WeakMap<object, SerCached> | undefined;

function posRange(v: unknown, r: { lo: number; hi: number }): void {
  if (typeof v === 'string') {
    if (!v.includes('alloc@')) return;
    for (const m of v.matchAll(ALLOC_RE)) {
      const n = Number(m[1]);
      r.lo = Math.min(r.lo, n);
      r.hi = Math.max(r.hi, n);
    }
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  if (Array.isArray(v)) { for (const x of v) posRange(x, r); return; }
  if (v instanceof Map) { for (const [k, x] of v) { posRange(k, r); posRange(x, r); } return; }
  if (v instanceof Set) { for (const x of v) posRange(x, r); return; }
  const o = v as Record<string, unknown>;
  if (isSpanLike(o)) {
    r.lo = Math.min(r.lo, o.startOffset as number);
    r.hi = Math.max(r.hi, o.endOffset as number);
  }
  for (const k of Object.keys(o)) posRange(o[k], r);
}

/** ser() through the per-analysis cache. */
function serRead(v: unknown, w: Window): string {
  if (typeof v !== 'object' || v === null || !serCache) return ser(v, w);
  let c = serCache.get(v);
  if (!c) {
    const r = { lo: Infinity, hi: -Infinity };
    posRange(v, r);
    c = { abs: ser(v, NO_WINDOW), lo: r.lo, hi: r.hi };
    serCache.set(v, c);
  }
  return c.hi < w.ls || c.lo > w.we ? c.abs : ser(v, w);
}

/**
 * Canonical text of a value with its positions made relative to `w` where they lie inside it.
 * Two values with equal texts are interchangeable for a function in window `w`.
 */
export function ser(v: unknown, w: Window): string {
  switch (typeof v) {
    case 'undefined': return 'u';
    case 'number': return `${v}`;
    case 'boolean': return v ? 'T' : 'F';
    case 'string': return JSON.stringify(relStr(v, w));
    case 'object': break;
    default: throw new Unmemoizable(`cannot key a ${typeof v}`);
  }
  if (v === null) return 'n';
  if (Array.isArray(v)) return `[${v.map((x) => ser(x, w)).join(',')}]`;
  if (v instanceof Map) return `M{${[...v].map(([k, x]) => `${ser(k, w)}:${ser(x, w)}`).join(',')}}`;
  if (v instanceof Set) return `S{${[...v].map((x) => ser(x, w)).join(',')}}`;
  const o = v as Record<string, unknown>;
  if ('children' in o && 'parent' in o) throw new Unmemoizable('a syntax node in a TuCtx value');
  if (isSpanLike(o)) {
    const s = o as unknown as SpanLike;
    if (classifySpan(s.startOffset, s.endOffset, w) === 'in') {
      return `~(${s.startOffset - w.ls},${s.endOffset - w.ls},${s.start.line - w.line},${s.start.column},${s.end.line - w.line},${s.end.column})`;
    }
    return `(${s.startOffset},${s.endOffset},${s.start.line},${s.start.column},${s.end.line},${s.end.column})`;
  }
  return `{${Object.keys(o).map((k) => `${k}:${ser(o[k], w)}`).join(',')}}`;
}

function relStr(s: string, w: Window): string {
  if (!s.includes('alloc@')) return s;
  return s.replace(ALLOC_RE, (m, d: string) => {
    const n = Number(d);
    return n >= w.ls && n < w.we ? `alloc@~${n - w.ls}` : m;
  });
}

function unrelStr(s: string, w: Window): string {
  if (!s.includes('alloc@~')) return s;
  return s.replace(/alloc@~(\d+)/g, (_m, d: string) => `alloc@${Number(d) + w.ls}`);
}

/** A deep copy of `v` with positions inside `w` moved by dOff/dLine (a check that all are classifiable). */
export function reloc<T>(v: T, w: Window, dOff: number, dLine: number): T {
  return relocAny(v, w, dOff, dLine) as T;
}

function relocAny(v: unknown, w: Window, dOff: number, dLine: number): unknown {
  if (typeof v === 'string') {
    if (!v.includes('alloc@')) return v;
    return v.replace(ALLOC_RE, (m, d: string) => {
      const n = Number(d);
      return n >= w.ls && n < w.we ? `alloc@${n + dOff}` : m;
    });
  }
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => relocAny(x, w, dOff, dLine));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [relocAny(k, w, dOff, dLine), relocAny(x, w, dOff, dLine)]));
  if (v instanceof Set) return new Set([...v].map((x) => relocAny(x, w, dOff, dLine)));
  const o = v as Record<string, unknown>;
  if ('children' in o && 'parent' in o) throw new Unmemoizable('a syntax node in a result');
  if (isSpanLike(o)) {
    const s = o as unknown as SpanLike;
    const inside = classifySpan(s.startOffset, s.endOffset, w) === 'in';
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o)) out[k] = relocAny(o[k], w, dOff, dLine);
    const r = out as unknown as SpanLike;
    if (inside) {
      r.startOffset += dOff;
      r.endOffset += dOff;
      r.start = { ...s.start, line: s.start.line + dLine };
      r.end = { ...s.end, line: s.end.line + dLine };
    } else {
      r.start = { ...s.start };
      r.end = { ...s.end };
    }
    return r;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = relocAny(o[k], w, dOff, dLine);
  return out;
}

/**
 * Stored results are shared with every analysis that replays them: frozen, so that a consumer that
 * tried to change one fails loudly instead of corrupting the memo.
 */
function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  if (v instanceof Map || v instanceof Set) return v;
  Object.freeze(v);
  for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  return v;
}

/** Move an entry's positions to window `w` (same text elsewhere): once, then shared again. */
function moveEntry(e: Entry, w: Window): void {
  const dOff = w.ls - e.w.ls, dLine = w.line - e.w.line;
  e.writes = deepFreeze(e.writes.map((wr) => {
    switch (wr.kind) {
      case 'fvn': return { kind: 'fvn', key: wr.key, val: reloc(wr.val, e.w, dOff, dLine) };
      case 'a2f': return { kind: 'a2f', key: reloc(wr.key, e.w, dOff, dLine), val: wr.val };
      default: return wr;
    }
  }));
  if (e.result.findings.length) e.result = { ...e.result, findings: deepFreeze(reloc(e.result.findings, e.w, dOff, dLine)) };
  e.w = w;
}

// ------------------------------------------------------------------ the recorded unit

/** Shared facts a unit reads, by kind (each maps to a TuCtx member). */
type ReadKind = 'sum' | 'fv' | 'fv*' | 'fvN' | 'fvn' | 'ops' | 'fo' | 'a2f' | 'cif' | 'an' | 'cs' | 'mac' | 'def' | 'fn' | 'fn?' | 'inv';

interface Read {
  kind: ReadKind;
  /** key relative to the window it was recorded in */
  key: string;
  val: string;
}

type Write =
  | { kind: 'fvn'; key: string; val: Val }
  | { kind: 'a2f'; key: string; val: string }
  | { kind: 'fon'; key: string }
  | { kind: 'note'; text: string; relLine?: number };

/** What one unit (a function analysed in one round) produced. */
export interface UnitResult {
  findings: Finding[];
  acc: SummaryAcc;
  sites: Map<string, CallSiteFacts>;
}

interface Entry {
  w: Window;
  reads: Read[];
  writes: Write[];
  result: UnitResult;
}

interface Group {
  /** a syntax tree the entries were computed on (a shifted copy of it is the same tree) */
  node: SNode;
  entries: Entry[];
}

/** Entries kept per distinct function text (one per round in which its inputs differed). */
const MAX_ENTRIES = 8;

function sameShape(a: SNode, b: SNode): boolean {
  const da = a.start, db = b.start, ra = a.sr, rb = b.sr;
  const sa: SNode[] = [a], sb: SNode[] = [b];
  while (sa.length) {
    const x = sa.pop() as SNode, y = sb.pop() as SNode;
    if (x.type !== y.type || x.field !== y.field || x.op !== y.op || !!x.error !== !!y.error || x.children.length !== y.children.length) return false;
    if (x.start - da !== y.start - db || x.end - da !== y.end - db || x.sr - ra !== y.sr - rb || x.er - ra !== y.er - rb || x.sc !== y.sc || x.ec !== y.ec) return false;
    for (let i = 0; i < x.children.length; i++) {
      sa.push(x.children[i]);
      sb.push(y.children[i]);
    }
  }
  return true;
}

export interface MemoRunStats {
  /** units taken from the memo */
  reused: number;
  /** units analysed (memo miss) */
  analysed: number;
  /** names of the functions analysed, in order (a function appears once per round it ran) */
  analysedNames: string[];
  /** units that could not be stored (positions crossing the window) */
  unmemoizable: number;
}

/**
 * The memo of one document. Pass the same object to every analyzeTree() call for that document;
 * it keeps only the entries the latest analysis used or made, so it holds at most a few results per
 * function of the current text.
 */
export class AnalysisMemo {
  /** per function definition: its FunctionInfo and file-wide facts (analyze.ts's skeleton) */
  readonly skeleton = new SkeletonCache();
  private groups = new Map<string, Group>();
  private next = new Map<string, Group>();
  private optionsKey: string | undefined;
  last: MemoRunStats = { reused: 0, analysed: 0, analysedNames: [], unmemoizable: 0 };

  /** Start an analysis; options that change every result (file name, kernel, …) empty the memo. */
  begin(optionsKey: string): void {
    if (optionsKey !== this.optionsKey) {
      this.groups.clear();
      this.optionsKey = optionsKey;
    }
    this.next = new Map();
    this.last = { reused: 0, analysed: 0, analysedNames: [], unmemoizable: 0 };
    serCache = new WeakMap();
  }

  /** End an analysis: entries of function texts that no longer occur are dropped. */
  end(): void {
    this.groups = this.next;
    this.next = new Map();
    serCache = undefined;
  }

  /** Number of distinct function texts held (tests). */
  get size(): number {
    return this.groups.size;
  }

  private group(f: FunctionInfo, text: string, w: Window): Group | undefined {
    const key = text.slice(w.ls, w.we);
    const g = this.next.get(key) ?? this.groups.get(key);
    if (!g) return undefined;
    if (g.node !== f.node) {
      if (!sameShape(g.node, f.node)) return undefined;
      g.node = f.node;
    }
    this.next.set(key, g);
    return g;
  }

  /**
   * A stored result valid for `f` against `tu` now, with its writes applied to `tu` and its positions
   * moved to where f is now; undefined when f must be analysed.
   */
  replay(f: FunctionInfo, tu: TuCtx): UnitResult | undefined {
    const w = windowOf(f.node, tu.src);
    const g = this.group(f, tu.src, w);
    if (!g) return undefined;
    const idx = g.entries.findIndex((e) => readsHold(e.reads, tu, w));
    if (idx < 0) return undefined;
    const e = g.entries[idx];
    if (idx > 0) {
      g.entries.splice(idx, 1);
      g.entries.unshift(e);
    }
    if (e.w.ls !== w.ls || e.w.line !== w.line) moveEntry(e, w);
    for (const wr of e.writes) {
      switch (wr.kind) {
        case 'fvn': tu.fieldValsNext.set(wr.key, wr.val); break;
        case 'a2f': tu.allocToField.set(wr.key, wr.val); break;
        case 'fon': tu.fieldOtherNext.add(wr.key); break;
        case 'note': tu.notes.push(wr.relLine === undefined ? wr.text : `${tu.file}:${wr.relLine + w.line}:${wr.text}`); break;
      }
    }
    this.last.reused++;
    // Shared with the memo (frozen findings and field values; acc and sites are only read by analyze.ts).
    return e.result;
  }

  /** A recorder for analysing `f` now: run the unit against `recorder.tu`, then call store(). */
  record(f: FunctionInfo, tu: TuCtx): Recorder {
    this.last.analysed++;
    this.last.analysedNames.push(f.name);
    return new Recorder(f, tu);
  }

  store(rec: Recorder, result: UnitResult): void {
    if (rec.failed) {
      this.last.unmemoizable++;
      return;
    }
    let entry: Entry;
    try {
      entry = rec.finish(result);
    } catch (e) {
      if (!(e instanceof Unmemoizable)) throw e;
      this.last.unmemoizable++;
      return;
    }
    const key = rec.tu.src.slice(rec.w.ls, rec.w.we);
    let g = this.next.get(key) ?? this.groups.get(key);
    if (!g) g = { node: rec.f.node, entries: [] };
    g.node = rec.f.node;
    g.entries.unshift(entry);
    if (g.entries.length > MAX_ENTRIES) g.entries.length = MAX_ENTRIES;
    this.next.set(key, g);
  }
}

/** The current value of a logged read, serialised in window `w` (the same code records and checks). */
function currentRead(kind: ReadKind, key: string, tu: TuCtx, w: Window): string {
  switch (kind) {
    case 'sum': return serRead(tu.summaries.get(key), w);
    case 'fv': return serRead(tu.fieldVals.get(key), w);
    case 'fv*': return ser(tu.fieldVals, w);
    case 'fvN': return ser(tu.fieldValsByName?.get(key), w);
    case 'fvn': return serRead(tu.fieldValsNext.get(key), w);
    case 'ops': return serRead(tu.paramOps.get(key), w);
    case 'fo': return ser(tu.fieldOther.has(key), w);
    case 'a2f': return ser(tu.allocToField.get(key), w);
    case 'cif': return ser(tu.calledInFile.has(key), w);
    case 'an': return ser(tu.analyzed.has(key), w);
    case 'cs': return serRead(tu.callSites.get(key), w);
    case 'mac': return serRead(tu.macros.get(key), w);
    case 'def': return ser(tu.defines.get(key), w);
    case 'fn?': return ser(tu.functions.has(key), w);
    case 'fn': return ser((tu.functions.get(key) ?? []).map((g) => fnKey(g, tu.src)), w);
    case 'inv': return ser(tu.invalidateTexts, w);
  }
}

/** What another function's definition contributes when read: its text and where it is. */
function fnKey(g: FunctionInfo, src: string): unknown {
  const n = g.node;
  return {
    at: { start: { line: n.sr + 1, column: n.sc + 1 }, end: { line: n.er + 1, column: n.ec + 1 }, startOffset: n.start, endOffset: n.end },
    text: src.slice(n.start, n.end),
  };
}

function readsHold(reads: Read[], tu: TuCtx, w: Window): boolean {
  try {
    for (const r of reads) if (currentRead(r.kind, unrelStr(r.key, w), tu, w) !== r.val) return false;
    return true;
  } catch (e) {
    if (e instanceof Unmemoizable) return false;
    throw e;
  }
}

/**
 * Runs one unit against a logging view of the TuCtx. The view forwards everything to the real
 * TuCtx (writes go through: later functions of the round see them as without a memo).
 */
export class Recorder {
  readonly w: Window;
  readonly tu: TuCtx;
  private readonly reads = new Map<string, Read>();
  private readonly writes: Write[] = [];
  /** keys of the shared next-round maps written by this unit (its own later reads are not inputs) */
  private readonly ownFvn = new Set<string>();
  private readonly ownA2f = new Set<string>();
  failed = false;

  constructor(readonly f: FunctionInfo, private readonly base: TuCtx) {
    this.w = windowOf(f.node, base.src);
    const logged = <T>(kind: ReadKind, key: string, value: () => T): T => {
      const v = value();
      const id = `${kind}\0${key}`;
      if (!this.reads.has(id)) {
        try {
          this.reads.set(id, { kind, key: relStr(key, this.w), val: currentRead(kind, key, base, this.w) });
        } catch (e) {
          if (!(e instanceof Unmemoizable)) throw e;
          this.failed = true;
        }
      }
      return v;
    };
    const view = <K, V>(m: { get(k: K): V | undefined; has(k: K): boolean }, kind: ReadKind, extra: Record<string, unknown> = {}) => ({
      get: (k: K) => logged(kind, String(k), () => m.get(k)),
      has: (k: K) => logged(kind, String(k), () => m.has(k)),
      ...extra,
    });
    const b = base;
    this.tu = {
      ...base,
      summaries: view(b.summaries, 'sum') as unknown as TuCtx['summaries'],
      fieldVals: view(b.fieldVals, 'fv', {
        entries: () => logged('fv*', '', () => b.fieldVals.entries()),
      }) as unknown as TuCtx['fieldVals'],
      fieldValsByName: base.fieldValsByName && (view(base.fieldValsByName, 'fvN') as unknown as TuCtx['fieldValsByName']),
      fieldValsNext: {
        get: (k: string) => (this.ownFvn.has(k) ? b.fieldValsNext.get(k) : logged('fvn', k, () => b.fieldValsNext.get(k))),
        has: (k: string) => (this.ownFvn.has(k) ? b.fieldValsNext.has(k) : logged('fvn', k, () => b.fieldValsNext.has(k))),
        set: (k: string, v: Val) => {
          this.ownFvn.add(k);
          b.fieldValsNext.set(k, v);
          this.writes.push({ kind: 'fvn', key: k, val: v });
          return this.tu.fieldValsNext;
        },
      } as unknown as TuCtx['fieldValsNext'],
      paramOps: view(b.paramOps, 'ops') as unknown as TuCtx['paramOps'],
      fieldOther: view(b.fieldOther as unknown as Map<string, boolean>, 'fo') as unknown as TuCtx['fieldOther'],
      fieldOtherNext: {
        add: (k: string) => {
          b.fieldOtherNext.add(k);
          this.writes.push({ kind: 'fon', key: k });
          return this.tu.fieldOtherNext;
        },
      } as unknown as TuCtx['fieldOtherNext'],
      allocToField: {
        get: (k: string) => (this.ownA2f.has(k) ? b.allocToField.get(k) : logged('a2f', k, () => b.allocToField.get(k))),
        has: (k: string) => (this.ownA2f.has(k) ? b.allocToField.has(k) : logged('a2f', k, () => b.allocToField.has(k))),
        set: (k: string, v: string) => {
          this.ownA2f.add(k);
          b.allocToField.set(k, v);
          this.writes.push({ kind: 'a2f', key: k, val: v });
          return this.tu.allocToField;
        },
      } as unknown as TuCtx['allocToField'],
      calledInFile: view(b.calledInFile as unknown as Map<string, boolean>, 'cif') as unknown as TuCtx['calledInFile'],
      analyzed: view(b.analyzed as unknown as Map<string, boolean>, 'an') as unknown as TuCtx['analyzed'],
      callSites: view(b.callSites, 'cs') as unknown as TuCtx['callSites'],
      macros: view(b.macros, 'mac') as unknown as TuCtx['macros'],
      defines: view(b.defines, 'def') as unknown as TuCtx['defines'],
      functions: {
        get: (k: string) => logged('fn', k, () => b.functions.get(k)),
        has: (k: string) => logged('fn?', k, () => b.functions.has(k)),
      } as unknown as TuCtx['functions'],
      invalidateTexts: {
        some: (p: (t: string) => boolean) => logged('inv', '', () => b.invalidateTexts.some(p)),
      } as unknown as TuCtx['invalidateTexts'],
      notes: {
        push: (...ts: string[]) => {
          for (const t of ts) this.writes.push({ kind: 'note', text: t });
          return b.notes.push(...ts);
        },
      } as unknown as TuCtx['notes'],
    };
  }

  /** The entry for the memo: reads as logged, writes and result copied as they are now (checked). */
  finish(result: UnitResult): Entry {
    const w = this.w;
    const writes: Write[] = this.writes.map((wr) => {
      switch (wr.kind) {
        case 'fvn': return { kind: 'fvn', key: wr.key, val: reloc(wr.val, w, 0, 0) };
        case 'a2f': return { kind: 'a2f', key: reloc(wr.key, w, 0, 0), val: wr.val };
        case 'fon': return wr;
        case 'note': {
          const prefix = `${this.base.file}:`;
          const m = wr.text.startsWith(prefix) ? /^(\d+):/.exec(wr.text.slice(prefix.length)) : null;
          const lastLine = w.line + (this.base.src.slice(w.ls, w.we).match(/\n/g)?.length ?? 0);
          if (m && Number(m[1]) >= w.line && Number(m[1]) <= lastLine) {
            return { kind: 'note', relLine: Number(m[1]) - w.line, text: wr.text.slice(prefix.length + m[1].length + 1) };
          }
          return wr;
        }
      }
    });
    const copy = reloc(result.findings, w, 0, 0);
    return { w, reads: [...this.reads.values()], writes: deepFreeze(writes), result: { findings: deepFreeze(copy), acc: reloc(result.acc, w, 0, 0), sites: reloc(result.sites, w, 0, 0) } };
  }
}
