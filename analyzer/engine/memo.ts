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
 * start), positions inside another function's window relative to that one (AnchorTable), others
 * absolutely. A reused result is shifted by the moves of the windows it mentions. A position that
 * cannot be classified (a span crossing the window's edge) makes the unit unmemoisable: it is then
 * simply analysed every time. So does a TuCtx member the recorder does not know.
 *
 * Stored results are shared (frozen) with the analyses that replay them; the memo keeps only the
 * entries the latest analysis used or made.
 */
import type { SNode } from '../parse/syntax';
import type { Finding, FunctionSummary } from '../types';
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

/**
 * The windows of every function of the file in one analysis, with an id per distinct window text
 * (stable across analyses while the text exists). A position inside another function's window is
 * expressed relative to that window's id, so a result that mentions another function (a field's
 * origin stored there, a bi_end_io callback) survives that function's move too. Windows whose text
 * occurs twice, or that overlap another window, get no id (their positions stay absolute).
 */
export interface AnchorTable {
  /** sorted by ls */
  wins: (Window & { gid: number })[];
  byGid: Map<number, Window>;
  /** serialisations of values read in this analysis (see serRead) */
  ser?: WeakMap<object, SerCached>;
}

const NO_ANCHORS: AnchorTable = { wins: [], byGid: new Map() };

/** Positions are classified against the unit's own window first, then the anchors. */
interface Frame {
  own: Window;
  t: AnchorTable;
}

function anchorAt(t: AnchorTable, s: number, e: number): (Window & { gid: number }) | undefined {
  const ws = t.wins;
  let lo = 0, hi = ws.length - 1, k = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ws[mid].ls <= s) { k = mid; lo = mid + 1; } else hi = mid - 1;
  }
  if (k < 0) return undefined;
  const x = ws[k];
  return x.gid >= 0 && s < x.we && e <= x.we ? x : undefined;
}

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

/** A window containing no position. */
const NO_WINDOW: Window = { ls: -2, we: -2, line: 0 };

interface SerCached {
  /** serialised with no own window (every position absolute or anchored) */
  anch: string;
  /** smallest and largest position inside the value (Infinity / -Infinity: none) */
  lo: number;
  hi: number;
}

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

/**
 * ser() through the analysis's cache of serialisations by object: most values are read by many
 * functions and hold no position inside the reader's window (then the text without an own window
 * is the reader's text). Kept for one analysis only, during which TuCtx values are not mutated.
 */
function serRead(v: unknown, fr: Frame): string {
  const serCache = fr.t.ser;
  if (typeof v !== 'object' || v === null || !serCache) return ser(v, fr);
  let c = serCache.get(v);
  if (!c) {
    const r = { lo: Infinity, hi: -Infinity };
    posRange(v, r);
    c = { anch: ser(v, { own: NO_WINDOW, t: fr.t }), lo: r.lo, hi: r.hi };
    serCache.set(v, c);
  }
  return c.hi < fr.own.ls || c.lo > fr.own.we ? c.anch : ser(v, fr);
}

/**
 * Canonical text of a value with its positions made relative to the unit's window where they lie
 * inside it, relative to an anchored window where inside one, absolute otherwise. Two values with
 * equal texts are interchangeable for a function with the same window text.
 */
export function ser(v: unknown, fr: Frame): string {
  switch (typeof v) {
    case 'undefined': return 'u';
    case 'number': return `${v}`;
    case 'boolean': return v ? 'T' : 'F';
    case 'string': return JSON.stringify(relStr(v, fr));
    case 'object': break;
    default: throw new Unmemoizable(`cannot key a ${typeof v}`);
  }
  if (v === null) return 'n';
  if (Array.isArray(v)) return `[${v.map((x) => ser(x, fr)).join(',')}]`;
  if (v instanceof Map) return `M{${[...v].map(([k, x]) => `${ser(k, fr)}:${ser(x, fr)}`).join(',')}}`;
  if (v instanceof Set) return `S{${[...v].map((x) => ser(x, fr)).join(',')}}`;
  const o = v as Record<string, unknown>;
  if ('children' in o && 'parent' in o) throw new Unmemoizable('a syntax node in a TuCtx value');
  if (isSpanLike(o)) {
    const s = o as unknown as SpanLike;
    const rel = (w: Window, tag: string) => `${tag}(${s.startOffset - w.ls},${s.endOffset - w.ls},${s.start.line - w.line},${s.start.column},${s.end.line - w.line},${s.end.column})`;
    if (classifySpan(s.startOffset, s.endOffset, fr.own) === 'in') return rel(fr.own, '~');
    const a = anchorAt(fr.t, s.startOffset, s.endOffset);
    if (a) return rel(a, `#${a.gid}`);
    return rel(NO_WINDOW_ABS, '');
  }
  return `{${Object.keys(o).map((k) => `${k}:${ser(o[k], fr)}`).join(',')}}`;
}

/** The identity window: relative to it is absolute. */
const NO_WINDOW_ABS: Window = { ls: 0, we: 0, line: 0 };

function relStr(s: string, fr: Frame): string {
  if (!s.includes('alloc@')) return s;
  return s.replace(ALLOC_RE, (m, d: string) => {
    const n = Number(d);
    if (n >= fr.own.ls && n < fr.own.we) return `alloc@~${n - fr.own.ls}`;
    const a = anchorAt(fr.t, n, n);
    return a ? `alloc@#${a.gid}+${n - a.ls}` : m;
  });
}

/** A relative key back to an absolute one in `fr` (undefined: an anchor of it is not in the file now). */
function unrelStr(s: string, fr: Frame): string | undefined {
  if (!s.includes('alloc@~') && !s.includes('alloc@#')) return s;
  let missing = false;
  const r = s.replace(/alloc@~(\d+)/g, (_m, d: string) => `alloc@${Number(d) + fr.own.ls}`).replace(/alloc@#(\d+)\+(\d+)/g, (m, g: string, d: string) => {
    const a = fr.t.byGid.get(Number(g));
    if (!a) {
      missing = true;
      return m;
    }
    return `alloc@${a.ls + Number(d)}`;
  });
  return missing ? undefined : r;
}

/** One window's move: positions inside `w` shift by dOff / dLine. */
interface Move {
  w: Window;
  dOff: number;
  dLine: number;
  /** the unit's own window: a position crossing its edge is an error, not "outside" */
  own: boolean;
}

function moveOf(p: number, e: number, moves: Move[]): Move | undefined {
  for (const m of moves) {
    if (m.own) {
      if (classifySpan(p, e, m.w) === 'in') return m;
    } else if (p >= m.w.ls && p < m.w.we && e <= m.w.we) return m;
  }
  return undefined;
}

/** What a copy made by reloc() also does: freeze it, collect the anchors its positions lie in. */
interface CopyOpts {
  freeze?: boolean;
  /** with `fr`: anchored windows (as they are in `fr`) of positions outside the own window */
  anchors?: Map<number, Window>;
  fr?: Frame;
}

/**
 * A deep copy of `v` with positions inside each moved window shifted (and a check that all are
 * classifiable); in the same walk, optionally frozen and its anchors collected.
 */
export function reloc<T>(v: T, moves: Move[], o: CopyOpts = {}): T {
  return relocAny(v, moves, o) as T;
}

function noteAnchor(s: number, e: number, o: CopyOpts): void {
  if (!o.anchors || !o.fr || classifySpan(s, e, o.fr.own) === 'in') return;
  const a = anchorAt(o.fr.t, s, e);
  if (a) o.anchors.set(a.gid, { ls: a.ls, we: a.we, line: a.line });
}

function relocAny(v: unknown, moves: Move[], o: CopyOpts): unknown {
  if (typeof v === 'string') {
    if (!v.includes('alloc@')) return v;
    return v.replace(ALLOC_RE, (m, d: string) => {
      const n = Number(d);
      noteAnchor(n, n, o);
      const mv = moveOf(n, n, moves);
      return mv ? `alloc@${n + mv.dOff}` : m;
    });
  }
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const a = v.map((x) => relocAny(x, moves, o));
    return o.freeze ? Object.freeze(a) : a;
  }
  // Maps and Sets are copied, not frozen (freezing would not stop set/add)
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [relocAny(k, moves, o), relocAny(x, moves, o)]));
  if (v instanceof Set) return new Set([...v].map((x) => relocAny(x, moves, o)));
  const src = v as Record<string, unknown>;
  if ('children' in src && 'parent' in src) throw new Unmemoizable('a syntax node in a result');
  const out: Record<string, unknown> = {};
  if (isSpanLike(src)) {
    const s = src as unknown as SpanLike;
    noteAnchor(s.startOffset, s.endOffset, o);
    const mv = moveOf(s.startOffset, s.endOffset, moves);
    for (const k of Object.keys(src)) out[k] = src[k];
    const r = out as unknown as SpanLike;
    r.startOffset = s.startOffset + (mv?.dOff ?? 0);
    r.endOffset = s.endOffset + (mv?.dOff ?? 0);
    r.start = { ...s.start, line: s.start.line + (mv?.dLine ?? 0) };
    r.end = { ...s.end, line: s.end.line + (mv?.dLine ?? 0) };
    if (o.freeze) {
      Object.freeze(r.start);
      Object.freeze(r.end);
    }
  } else {
    for (const k of Object.keys(src)) out[k] = relocAny(src[k], moves, o);
  }
  return o.freeze ? Object.freeze(out) : out;
}

/**
 * The moves that take an entry's positions to where its window and anchors are now (empty: none
 * moved); undefined when an anchor it needs is not (uniquely) in the file now.
 */
function movesFor(e: Entry, fr: Frame): Move[] | undefined {
  const moves: Move[] = [];
  if (e.w.ls !== fr.own.ls || e.w.line !== fr.own.line) moves.push({ w: e.w, dOff: fr.own.ls - e.w.ls, dLine: fr.own.line - e.w.line, own: true });
  for (const [gid, old] of e.anchors) {
    const cur = fr.t.byGid.get(gid);
    if (!cur) return undefined;
    if (cur.ls !== old.ls || cur.line !== old.line) moves.push({ w: old, dOff: cur.ls - old.ls, dLine: cur.line - old.line, own: false });
  }
  return moves;
}

/** Move an entry's positions (once per move; between moves the stored objects are shared). */
function moveEntry(e: Entry, fr: Frame, moves: Move[]): void {
  if (!moves.some((m) => m.own)) moves = [{ w: e.w, dOff: 0, dLine: 0, own: true }, ...moves];
  const frozen = { freeze: true };
  e.writes = Object.freeze(e.writes.map((wr) => {
    switch (wr.kind) {
      case 'fvn': return Object.freeze({ kind: 'fvn', key: wr.key, val: reloc(wr.val, moves, frozen) });
      case 'a2f': return Object.freeze({ kind: 'a2f', key: reloc(wr.key, moves), val: wr.val });
      default: return wr;
    }
  })) as Write[];
  if (e.result.findings.length) e.result = { ...e.result, findings: reloc(e.result.findings, moves, frozen) };
  e.w = fr.own;
  const anchors = new Map<number, Window>();
  for (const gid of e.anchors.keys()) anchors.set(gid, fr.t.byGid.get(gid) as Window);
  e.anchors = anchors;
}

// ------------------------------------------------------------------ the recorded unit

/** Shared facts a unit reads, by kind (each maps to a TuCtx member). */
type ReadKind = 'sum' | 'fv' | 'fv*' | 'fvK' | 'fvN' | 'fvn' | 'ops' | 'fo' | 'a2f' | 'cif' | 'an' | 'cs' | 'mac' | 'def' | 'fn' | 'fn?' | 'inv' | 'slot' | 'ssz' | 'wdef' | 'mty';

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
  /** an entry of TuCtx.demand (function names, `guard:` / `holder:` keys: no positions) */
  | { kind: 'dem'; key: string }
  | { kind: 'note'; text: string; relLine?: number };

/** What one unit (a function analysed in one round) produced. */
export interface UnitResult {
  findings: Finding[];
  acc: SummaryAcc;
  sites: Map<string, CallSiteFacts>;
}

interface Entry {
  /** the round of analyze.ts's loop it was made in (a hint for lookup only) */
  round: number;
  w: Window;
  /** the anchored windows (as they were when the positions were last moved) the result mentions */
  anchors: Map<number, Window>;
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
  /** summaries made from a SummaryAcc (analyze.ts), and JSON texts of summaries, by object */
  readonly summaries = new WeakMap<SummaryAcc, { name: string; file: string; s: FunctionSummary | undefined }>();
  readonly json = new WeakMap<object, string>();
  private groups = new Map<string, Group>();
  private next = new Map<string, Group>();
  private optionsKey: string | undefined;
  /** ids of window texts (kept while the text is in the file) */
  private gids = new Map<string, number>();
  private nextGid = 1;
  private table: AnchorTable = NO_ANCHORS;
  /** window and window text of each function of this analysis */
  private wins = new Map<FunctionInfo, { w: Window; key: string }>();
  last: MemoRunStats = { reused: 0, analysed: 0, analysedNames: [], unmemoizable: 0 };

  /** Start an analysis; options that change every result (file name, kernel, …) empty the memo. */
  begin(optionsKey: string): void {
    if (optionsKey !== this.optionsKey) {
      this.groups.clear();
      this.optionsKey = optionsKey;
    }
    this.next = new Map();
    this.last = { reused: 0, analysed: 0, analysedNames: [], unmemoizable: 0 };
    this.table = NO_ANCHORS;
    this.wins = new Map();
  }

  /** The functions of this analysis (after begin(), before any replay): their windows become anchors. */
  setFunctions(fns: FunctionInfo[], text: string): void {
    const gids = new Map<string, number>();
    const count = new Map<string, number>();
    const wins: (Window & { gid: number; key: string })[] = [];
    for (const f of fns) {
      const w = windowOf(f.node, text);
      const key = text.slice(w.ls, w.we);
      this.wins.set(f, { w, key });
      count.set(key, (count.get(key) ?? 0) + 1);
      let gid = gids.get(key) ?? this.gids.get(key);
      if (gid === undefined) gid = this.nextGid++;
      gids.set(key, gid);
      wins.push({ ...w, gid, key });
    }
    this.gids = gids;
    wins.sort((a, b) => a.ls - b.ls);
    // a window that overlaps another, or whose text occurs twice, is no anchor
    let maxWe = -1;
    for (let i = 0; i < wins.length; i++) {
      const x = wins[i];
      const overlaps = maxWe > x.ls || (i + 1 < wins.length && wins[i + 1].ls < x.we);
      maxWe = Math.max(maxWe, x.we);
      if (overlaps || (count.get(x.key) ?? 0) > 1) x.gid = -1;
    }
    const byGid = new Map<number, Window>();
    for (const x of wins) if (x.gid >= 0) byGid.set(x.gid, { ls: x.ls, we: x.we, line: x.line });
    this.table = { wins, byGid, ser: new WeakMap() };
  }

  private frameOf(f: FunctionInfo, text: string): { fr: Frame; key: string } {
    const known = this.wins.get(f);
    const w = known?.w ?? windowOf(f.node, text);
    return { fr: { own: w, t: this.table }, key: known?.key ?? text.slice(w.ls, w.we) };
  }

  /** End an analysis: entries of function texts that no longer occur are dropped. */
  end(): void {
    this.groups = this.next;
    this.next = new Map();
    this.table = NO_ANCHORS;
    this.wins = new Map();
  }

  /** Number of distinct function texts held (tests). */
  get size(): number {
    return this.groups.size;
  }

  private group(f: FunctionInfo, key: string): Group | undefined {
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
  replay(f: FunctionInfo, tu: TuCtx, round: number): UnitResult | undefined {
    const { fr, key } = this.frameOf(f, tu.src);
    const g = this.group(f, key);
    if (!g) return undefined;
    let moves: Move[] | undefined;
    const fits = (e: Entry) => (moves = movesFor(e, fr)) !== undefined && readsHold(e.reads, tu, fr);
    // the entry made in the same round of the previous analysis is the likely one: try it first
    let idx = g.entries.findIndex((e) => e.round === round && fits(e));
    if (idx < 0) idx = g.entries.findIndex((e) => e.round !== round && fits(e));
    if (idx < 0 || !moves) return undefined;
    const e = g.entries[idx];
    if (idx > 0) {
      g.entries.splice(idx, 1);
      g.entries.unshift(e);
    }
    if ((moves as Move[]).length) moveEntry(e, fr, moves);
    for (const wr of e.writes) {
      switch (wr.kind) {
        case 'fvn': tu.fieldValsNext.set(wr.key, wr.val); break;
        case 'a2f': tu.allocToField.set(wr.key, wr.val); break;
        case 'fon': tu.fieldOtherNext.add(wr.key); break;
        case 'dem': tu.demand?.add(wr.key); break;
        case 'note': tu.notes.push(wr.relLine === undefined ? wr.text : `${tu.file}:${wr.relLine + fr.own.line}:${wr.text}`); break;
      }
    }
    this.last.reused++;
    // Shared with the memo (frozen findings and field values; acc and sites are only read by analyze.ts).
    return e.result;
  }

  /** A recorder for analysing `f` now: run the unit against `recorder.tu`, then call store(). */
  record(f: FunctionInfo, tu: TuCtx, round: number): Recorder {
    this.last.analysed++;
    this.last.analysedNames.push(f.name);
    const { fr, key } = this.frameOf(f, tu.src);
    return new Recorder(f, tu, fr, key, round);
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
    const key = rec.key;
    let g = this.next.get(key) ?? this.groups.get(key);
    if (!g) g = { node: rec.f.node, entries: [] };
    g.node = rec.f.node;
    g.entries.unshift(entry);
    if (g.entries.length > MAX_ENTRIES) g.entries.length = MAX_ENTRIES;
    this.next.set(key, g);
  }
}

/** The current value of a logged read, serialised in frame `fr` (the same code records and checks). */
function currentRead(kind: ReadKind, key: string, tu: TuCtx, fr: Frame): string {
  switch (kind) {
    case 'sum': return serRead(tu.summaries.get(key), fr);
    case 'fv': return serRead(tu.fieldVals.get(key), fr);
    case 'fv*': return ser(tu.fieldVals, fr);
    case 'fvK': return ser([...tu.fieldVals.keys()], fr);
    case 'fvN': return ser(tu.fieldValsByName?.get(key), fr);
    case 'fvn': return serRead(tu.fieldValsNext.get(key), fr);
    case 'ops': return serRead(tu.paramOps.get(key), fr);
    case 'fo': return ser(tu.fieldOther.has(key), fr);
    case 'a2f': return ser(tu.allocToField.get(key), fr);
    case 'cif': return ser(tu.calledInFile.has(key), fr);
    case 'an': return ser(tu.analyzed.has(key), fr);
    case 'cs': return serRead(tu.callSites.get(key), fr);
    case 'mac': return serRead(tu.macros.get(key), fr);
    case 'def': return ser(tu.defines.get(key), fr);
    case 'fn?': return ser(tu.functions.has(key), fr);
    case 'fn': return ser((tu.functions.get(key) ?? []).map((g) => fnKey(g, tu.src)), fr);
    case 'inv': return ser(tu.invalidateTexts, fr);
    case 'slot': return ser(tu.pointerSlots.get(key), fr);
    case 'ssz': return ser(tu.sizeofType?.(key), fr);
    case 'wdef': return ser(tu.wholeDefine?.(key), fr);
    case 'mty': return ser(tu.memberType?.(key), fr);
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

function readsHold(reads: Read[], tu: TuCtx, fr: Frame): boolean {
  try {
    for (const r of reads) {
      const key = unrelStr(r.key, fr);
      if (key === undefined || currentRead(r.kind, key, tu, fr) !== r.val) return false;
    }
    return true;
  } catch (e) {
    if (e instanceof Unmemoizable) return false;
    throw e;
  }
}

/** The TuCtx members the recorder replaces by logging views. */
const LOGGED_MEMBERS = [
  'summaries', 'fieldVals', 'fieldValsByName', 'fieldValsNext', 'paramOps', 'fieldOther', 'fieldOtherNext', 'allocToField',
  'calledInFile', 'analyzed', 'callSites', 'macros', 'defines', 'functions', 'invalidateTexts', 'pointerSlots', 'notes',
  'sizeofType', 'wholeDefine', 'memberType',
] as const satisfies readonly (keyof TuCtx)[];

/**
 * TuCtx members read without logging: the options (file, kernel, confidence, extra allocators and
 * sinks: the memo is emptied when they change), and the text and line starts (positions inside the
 * unit's window are relative; other functions' text is read through `functions`). `demand` is only
 * written (by the whole-tree scan's passes): its writes are recorded and replayed.
 */
const UNLOGGED_MEMBERS = ['src', 'file', 'kernel', 'kernelLabel', 'confidence', 'extraAllocators', 'extraSinks', 'lineStarts', 'demand'] as const satisfies readonly (keyof TuCtx)[];

/**
 * Runs one unit against a logging view of the TuCtx. The view forwards everything to the real
 * TuCtx (writes go through: later functions of the round see them as without a memo).
 */
export class Recorder {
  readonly w: Window;
  readonly tu: TuCtx;
  private readonly fr: Frame;
  private readonly reads: Read[] = [];
  private readonly writes: Write[] = [];
  /** keys of the shared next-round maps written by this unit (its own later reads are not inputs) */
  private readonly ownFvn = new Set<string>();
  private readonly ownA2f = new Set<string>();
  failed = false;

  constructor(readonly f: FunctionInfo, private readonly base: TuCtx, fr: Frame, readonly key: string, private readonly round: number) {
    this.fr = fr;
    this.w = fr.own;
    // keys already logged, per kind (the first read of a key is the input; functions.has() runs for
    // every identifier evaluated, so this is the hot path of a recorded run)
    const seen = new Map<ReadKind, Set<string>>();
    const logged = <T>(kind: ReadKind, key: string, value: () => T): T => {
      const v = value();
      let keys = seen.get(kind);
      if (!keys) seen.set(kind, (keys = new Set()));
      if (!keys.has(key)) {
        keys.add(key);
        try {
          this.reads.push({ kind, key: relStr(key, this.fr), val: currentRead(kind, key, base, this.fr) });
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
    // a next-round map the unit reads and writes: reads of keys it wrote itself are not inputs,
    // and its writes are recorded for replay
    const shared = <V>(m: Map<string, V>, own: Set<string>, kind: 'fvn' | 'a2f', write: (key: string, val: V) => Write) => {
      const self = {
        get: (k: string) => (own.has(k) ? m.get(k) : logged(kind, k, () => m.get(k))),
        has: (k: string) => (own.has(k) ? m.has(k) : logged(kind, k, () => m.has(k))),
        set: (k: string, v: V) => {
          own.add(k);
          m.set(k, v);
          this.writes.push(write(k, v));
          return self;
        },
      };
      return self;
    };
    const b = base;
    this.tu = {
      ...base,
      summaries: view(b.summaries, 'sum') as unknown as TuCtx['summaries'],
      fieldVals: view(b.fieldVals, 'fv', {
        entries: () => logged('fv*', '', () => b.fieldVals.entries()),
        // the member keys alone (the struct types holding a fact: interp holderTypes)
        keys: () => logged('fvK', '', () => b.fieldVals.keys()),
      }) as unknown as TuCtx['fieldVals'],
      fieldValsByName: base.fieldValsByName && (view(base.fieldValsByName, 'fvN') as unknown as TuCtx['fieldValsByName']),
      fieldValsNext: shared(b.fieldValsNext, this.ownFvn, 'fvn', (key, val) => ({ kind: 'fvn', key, val })) as unknown as TuCtx['fieldValsNext'],
      paramOps: view(b.paramOps, 'ops') as unknown as TuCtx['paramOps'],
      fieldOther: view(b.fieldOther as unknown as Map<string, boolean>, 'fo') as unknown as TuCtx['fieldOther'],
      fieldOtherNext: {
        add: (k: string) => {
          b.fieldOtherNext.add(k);
          this.writes.push({ kind: 'fon', key: k });
          return this.tu.fieldOtherNext;
        },
      } as unknown as TuCtx['fieldOtherNext'],
      allocToField: shared(b.allocToField, this.ownA2f, 'a2f', (key, val) => ({ kind: 'a2f', key, val })) as unknown as TuCtx['allocToField'],
      calledInFile: view(b.calledInFile as unknown as Map<string, boolean>, 'cif') as unknown as TuCtx['calledInFile'],
      analyzed: view(b.analyzed as unknown as Map<string, boolean>, 'an') as unknown as TuCtx['analyzed'],
      callSites: view(b.callSites, 'cs') as unknown as TuCtx['callSites'],
      macros: view(b.macros, 'mac') as unknown as TuCtx['macros'],
      defines: view(b.defines, 'def') as unknown as TuCtx['defines'],
      pointerSlots: view(b.pointerSlots, 'slot') as unknown as TuCtx['pointerSlots'],
      functions: {
        get: (k: string) => logged('fn', k, () => b.functions.get(k)),
        has: (k: string) => logged('fn?', k, () => b.functions.has(k)),
      } as unknown as TuCtx['functions'],
      invalidateTexts: {
        some: (p: (t: string) => boolean) => logged('inv', '', () => b.invalidateTexts.some(p)),
        get length() { return logged('inv', '', () => b.invalidateTexts.length); },
      } as unknown as TuCtx['invalidateTexts'],
      notes: {
        push: (...ts: string[]) => {
          for (const t of ts) this.writes.push({ kind: 'note', text: t });
          return b.notes.push(...ts);
        },
      } as unknown as TuCtx['notes'],
      // the whole file's struct definitions and #defines, outside the window the memo keys on
      sizeofType: b.sizeofType && ((k: string) => logged('ssz', k, () => b.sizeofType?.(k))),
      wholeDefine: b.wholeDefine && ((k: string) => logged('wdef', k, () => b.wholeDefine?.(k))),
      memberType: b.memberType && ((k: string) => logged('mty', k, () => b.memberType?.(k))),
      // only written: a replayed unit adds what it added when it ran
      demand: b.demand && ({
        add: (k: string) => {
          this.writes.push({ kind: 'dem', key: k });
          b.demand?.add(k);
          return this.tu.demand;
        },
      } as unknown as TuCtx['demand']),
    };
    // A TuCtx member that is neither logged nor covered by the memo's options key / window text: a
    // new input this module does not know about.
    for (const k of Object.keys(base)) if (!(LOGGED_MEMBERS as readonly string[]).includes(k) && !(UNLOGGED_MEMBERS as readonly string[]).includes(k)) this.failed = true;
    // A member the views do not know (the interpreter started using a new method): forward it
    // unlogged, and keep the unit out of the memo rather than risk an unlogged input.
    const tu = this.tu as unknown as Record<string, object | undefined>;
    const real = base as unknown as Record<string, Record<string | symbol, unknown> | undefined>;
    for (const k of LOGGED_MEMBERS) {
      const v = tu[k], r = real[k];
      if (!v || !r) continue;
      tu[k] = new Proxy(v, {
        get: (target, prop) => {
          if (prop in target) return (target as Record<string | symbol, unknown>)[prop];
          this.failed = true;
          const x = r[prop];
          return typeof x === 'function' ? (x as (...a: unknown[]) => unknown).bind(r) : x;
        },
      });
    }
  }

  /** The entry for the memo: reads as logged, writes and result copied as they are now (checked). */
  finish(result: UnitResult): Entry {
    const w = this.w;
    // copies, and a check that every position can be classified
    const stay: Move[] = [{ w, dOff: 0, dLine: 0, own: true }];
    // frozen copies: stored results are shared with every analysis that replays them, so a consumer
    // that tried to change one fails loudly instead of corrupting the memo
    const anchors = new Map<number, Window>();
    const copy: CopyOpts = { freeze: true, anchors, fr: this.fr };
    const writes: Write[] = this.writes.map((wr) => {
      switch (wr.kind) {
        case 'fvn': return Object.freeze({ kind: 'fvn', key: wr.key, val: reloc(wr.val, stay, copy) });
        case 'a2f': return Object.freeze({ kind: 'a2f', key: reloc(wr.key, stay, copy), val: wr.val });
        case 'fon': return wr;
        case 'dem': return wr;
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
    const findings = reloc(result.findings, stay, copy);
    return { round: this.round, w, anchors, reads: this.reads, writes: Object.freeze(writes) as Write[], result: { findings, acc: reloc(result.acc, stay), sites: reloc(result.sites, stay) } };
  }
}
