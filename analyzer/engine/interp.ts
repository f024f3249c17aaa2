/**
 * The per-function abstract interpreter.
 *
 * It walks a function's syntax tree in program order, carrying a path State (state.ts), forking at
 * branches and joining where paths meet. Loops run their body twice (enough for the facts tracked
 * here to stabilise: taint, advanced pointers, bios, written/flushed buffers), `goto` forwards its
 * state to the label, and macro loops (`list_for_each_entry(…) { … }`) are loops. Each function is
 * analysed once per direction context: an op whose value the function cannot see is a read in one
 * context and a write in the other, so a guard such as `op == REQ_OP_READ` is evaluated exactly.
 */
import { lineIndex } from '../parse/lines';
import { SNode, child, descendants } from '../parse/syntax';
import { loadedBackend } from '../parse/backends';
import type { MacroBody } from './skeleton';
import { Finding, FunctionSummary, RuleId, Span, TraceStep, TraceKind, Fix, Direction } from '../types';
import {
  ALLOCATORS, LINEAR_ALLOCATORS, kvmallocFallback, PAGE_SIZE_MIN, SINKS, SinkRow, EVIDENCE_PAGE_OF, VMALLOC_TESTS, LINEAR_TESTS, PAGE_ADDRESS, nonAliasingArchOf, FREES, COMPLETION_WAITS, DMA_COMPLETIONS,
  allocatorApplies, sinkApplies, isUncachedProt, isReadOnlyProt, POINTER_BYTES, SCALAR_BYTES, XFER_CALLS, XFER_MEMBERS, XFER_STRUCTS, type XferCall, VMALLOC_ONLY_FREES, VMALLOC_UNMAPS, LINEAR_FREES, type SourceKind,
  MAINTENANCE, MAINTENANCE_GUARDS, DIRECTIONS, isRequestFlag, OP_IS_WRITE, BIO_OP_ACCESSORS, BIO_OP_FIELDS,
  BIO_OP_SETTERS, ACCESS, CONTAINERS, MEMBER_SOURCES, STORE_MACROS, type ContainerRow, DM_IO_MEM_TYPES, CONDITION_WRAPPERS, NULL_TESTS, appliesTo, KVersion, parseVersion, compareVersion,
  SG_TABLE_LIST, SG_ITERATORS, STACK_VMAP,
} from '../tables';
import {
  Buf, Val, State, BioState, Added, Pending, MaintRec, IoRange, Off, addOff, cloneState, join, linearOnly, emptyState,
  OP_R, OP_W, OP_RF, OP_WF, OP_B, OpSet, opHasRead, opHasWrite, opWithFlags, UNRESOLVED_FLUSH, fieldNameOf, meet,
} from './state';
import { FunctionInfo, VarType, bodyNodes, declaratorName, localTypes, indentAt, lineStart, type ParamInfo } from './tu';
import { evalConst } from './consts';
import { splitTop } from './split';
import { memberChainType, sizeofOperand, type DeclType } from './structsize';

export interface SummaryAcc {
  flushed: Set<number> | null; // intersection over exits
  /** what each exit that does not report an error flushed, with the flag parameters' values on its path (flushesWhen) */
  exitFlushes: { flags: Map<number, boolean>; params: Set<number>; members: Set<string>; when: Map<string, { params: Set<number>; members: Set<string> }> }[];
  /** submitted parameter → the parameter holding how many of its bytes the I/O carries (null: not one, or not always the same) */
  submitLens: Map<number, number | null>;
  invalidates: Set<number>;
  /** `T.m` members of parameters flushed (intersection over exits) / invalidated (any path) */
  flushedMembers: Set<string> | null;
  invalidatesMembers: Set<string>;
  /** `T.m` members of parameters whose read completed here, left to the callers to invalidate (atExit) */
  readIntoMembers: Set<string>;
  /** `T.m` members of parameters read / written through by the CPU (any path; noteMemberAccess) */
  readsMembers: Set<string>;
  writesMembers: Set<string>;
  submits: Set<number>;
  /** parameters added to I/O through an API that flushes them for writes (bio_add_vmalloc()) / submitted for a write unflushed otherwise */
  helperFlushed: Set<number>;
  writeUnflushed: Set<number>;
  /** `struct page *` / `struct page **` parameters: their submits and reads are of the pages, not of the pointer's memory */
  pageParams: Set<number>;
  submitDir: OpSet;
  readInto: Set<number>;
  /** parameters read by the CPU after read I/O into them completed here, with no invalidate */
  readsCompleted: Set<number>;
  writes: Set<number>;
  reads: Set<number>;
  /** parameters converted on every path (intersection over exits; null before the first exit) */
  converts: Set<number> | null;
  /** parameters handed to blk_rq_map_kern() on a kernel where it converts them (a may-fact) */
  rqMapped: Set<number>;
  returns?: 'vmalloc' | 'maybe-vmalloc' | 'vmap';
  returnSizeParam?: number;
  returnSize?: string;
  returnsPageOf?: number;
  returnsAliasOf?: number;
  directionParam?: number;
  /** with directionParam: a flag parameter selecting this direction when true */
  directionWhenTrue?: 'read' | 'write';
  /** some exit returns a non-vmalloc, non-NULL pointer: a vmalloc return makes it maybe-vmalloc */
  returnsOther?: boolean;
  /** `buf>kind:to`: pages of parameter buf added to the bio/scatterlist in parameter to */
  addsPages: Set<string>;
  /** `buf>kind`: pages of parameter buf in the bio/scatterlist some exit returns */
  returnsPages: Set<string>;
  /** parameters `*p = …` stores vmalloc memory through, with its kind (any path) */
  outVmalloc?: Map<number, 'vmalloc' | 'maybe-vmalloc' | 'vmap'>;
  /** with outVmalloc: the size stored through a parameter, as a template of the parameters (sizeTemplate) */
  outSize?: Map<number, string>;
  /** parameters `*p = …` stores other memory through on some path */
  outOther?: Set<number>;
}

/** What in-file call sites pass for each parameter (collected in one round, used in the next). */
export interface CallSiteFacts {
  /** parameters that receive a known vmalloc/vmap buffer at some call site */
  vmallocArgs: Set<number>;
  /** per parameter: the argument's object is inspected by a dominating condition at every call site */
  guarded: Map<number, boolean>;
  /**
   * Buffers (ids of this file's allocations and members, not parameters) flushed with no CPU write
   * since at every call site: a static helper doing the I/O on a member its callers flush first
   * (`ac->sum[0] = v; flush_kernel_vmap_range(ac->sum, …); return ags_write(ac);`). Undefined
   * until a site is seen; empty when another file calls the function.
   */
  flushed?: ReadonlySet<string>;
  /**
   * Per parameter, the truth of the literal every call site passes (`foo_write(dev, buf, len,
   * true)` → 1), null where some site passes anything else. Empty when the function's address is
   * taken or another file calls it: then no call site is known for certain.
   */
  consts?: ReadonlyMap<number, 0 | 1 | null>;
}

/** The truth of literal argument `t` (`true`, `false`, `0`, `1`, `NULL`), else null. */
function literalTruth(t: string): 0 | 1 | null {
  const x = t.trim();
  if (x === 'true' || x === 'false') return x === 'true' ? 1 : 0;
  if (x === 'NULL') return 0;
  if (/^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*$/.test(x)) return Number(x.replace(/[uUlL]+$/, '')) === 0 ? 0 : 1;
  return null;
}

/** What a summary says a function hands back when two paths (or two analyses) disagree: vmalloc wins, else the first. */
export function strongerKind(a: SourceKind | undefined, b: SourceKind | undefined): SourceKind | undefined {
  return a === 'vmalloc' || b === 'vmalloc' ? 'vmalloc' : a ?? b;
}

export function newSummaryAcc(): SummaryAcc {
  return {
    flushed: null, exitFlushes: [], submitLens: new Map(), invalidates: new Set(), flushedMembers: null, invalidatesMembers: new Set(), readIntoMembers: new Set(), readsMembers: new Set(), writesMembers: new Set(), submits: new Set(), helperFlushed: new Set(), writeUnflushed: new Set(), pageParams: new Set(), submitDir: 0, readInto: new Set(), readsCompleted: new Set(), rqMapped: new Set(), writes: new Set(),
    reads: new Set(), converts: null, addsPages: new Set(), returnsPages: new Set(),
  };
}

/** Everything shared by the functions of one translation unit during one round. */
/** fieldOther entries waiting for a helper's summary (see TuCtx.fieldOther). */
export const PENDING = 'pending:';

export interface TuCtx {
  src: string;
  file: string;
  kernel?: KVersion;
  kernelLabel: string;
  confidence: 'high' | 'low';
  functions: Map<string, FunctionInfo[]>;
  /** summaries from the previous round (in-file) and from other files */
  summaries: Map<string, FunctionSummary>;
  /** struct-field abstract locations known to hold vmalloc aliases (previous round) */
  fieldVals: Map<string, Val>;
  /** fieldVals entries by field name (the key's last `.` segment), for lookups without a known struct */
  fieldValsByName?: Map<string, [string, Val][]>;
  fieldValsNext: Map<string, Val>;
  /** per function, per parameter index: op values seen at in-file call sites (previous round) */
  paramOps: Map<string, Map<number, OpSet | 'unknown'>>;
  extraAllocators: Set<string>;
  extraSinks: Set<string>;
  /**
   * struct fields that are also assigned memory that is not vmalloc (previous round / this round);
   * `pending:KEY\0HELPER` while what a helper of the file stored there returns is not known yet
   */
  fieldOther: Set<string>;
  fieldOtherNext: Set<string>;
  /** an allocation stored in a struct field: the field key it lives under (vmap page arrays follow it) */
  allocToField: Map<string, string>;
  /** functions called somewhere in this file (their parameter buffers are judged at the call sites) */
  calledInFile: Set<string>;
  /** functions analysed in this file: a call to one with no summary has no effect on its arguments */
  analyzed: Set<string>;
  callSites: Map<string, CallSiteFacts>;
  /** function-like macros whose body is a single call: `NAME(a, b)` → `callee(b, a)` (argument indices) */
  macros: Map<string, { callee: string; argParams: (number | null)[]; body?: MacroBody; block?: boolean; value?: boolean }>;
  /** offsets at which each line starts (line 1 at index 0) */
  lineStarts: readonly number[];
  /** object-like #define NAME value of the file, for constant sizes */
  defines: Map<string, string>;
  /**
   * A bound of sizeof() of a type as structsize.ts sizeofOperand() names it (`struct foo`, `u32`),
   * from the whole file's definitions (a slice blanks them); undefined when not bounded.
   */
  sizeofType?: (type: string) => number | undefined;
  /** an object-like #define of the whole file (a slice blanks those its kept functions do not name) */
  wholeDefine?: (name: string) => string | undefined;
  /**
   * The declared type of a member, keyed `struct foo.buf` (`union foo.x`, `typedef foo_t.x`), from
   * the whole file's definitions (structsize.ts memberType)
   */
  memberType?: (key: string) => DeclType | undefined;
  /** function-pointer slots of the file and the functions stored in each (fnptr.ts) */
  pointerSlots: Map<string, string[]>;
  /** invalidate_kernel_vmap_range calls anywhere in the file, by pointer text */
  invalidateTexts: string[];
  notes: string[];
  /**
   * Demand-driven slicing (analyzer/scan/demand.ts; the memo records and replays it): functions of
   * this file whose body the analysis looked at or whose summary it applied to a buffer, and
   * `guard:` + name for static functions whose callers' guard facts decided something.
   */
  demand?: Set<string>;
}

interface Exit {
  state: State;
  ret?: Val;
  retNode?: SNode;
}

interface LoopFrame {
  breaks: (State | null)[];
  conts: (State | null)[];
  isSwitch: boolean;
  /** the `for` statement, for the ranges its iterations carry together (loopSpan) */
  node?: SNode;
  /** which of the two passes over the body runs (0: entered from before the loop) */
  pass?: number;
}

/** A `for (v = 0; v < count; v += step)` loop whose body leaves `v` alone. */
interface CountedLoop {
  v: string;
  /** the bound as written, and stripped of whitespace */
  count: string;
  countText: string;
  /** `1` for `v++`; else the step, stripped, and as written */
  step: string;
  stepText: string;
  /** where `v` starts when not 0 (`for (o = start; o < end; o += PAGE_SIZE)`), as written */
  from?: string;
}

/** Buffers a loop iteration flushed or invalidated chunk by chunk over a counted span (loop()). */
type SpanMaint = Map<string, { rec: MaintRec; op: 'flush' | 'invalidate' }>;

/** Maintenance an iteration did chunk by chunk over a counted loop's span that the loop's entry state lacked. */
function spanMaint(entry: State, out: State): SpanMaint {
  const m: SpanMaint = new Map();
  for (const [id, rec] of out.flushed) if (rec.span && !rec.wrongRange && !entry.flushed.has(id)) m.set(id, { rec, op: 'flush' });
  for (const [id, rec] of out.invalidated) if (rec.span && !rec.wrongRange && !entry.invalidated.has(id)) m.set(id, { rec, op: 'invalidate' });
  return m;
}

/** What two iterations both did (spanMaint). */
function meetMaint(a: SpanMaint | null, b: SpanMaint): SpanMaint {
  if (!a) return b;
  const m: SpanMaint = new Map();
  for (const [id, x] of a) if (b.get(id)?.op === x.op) m.set(id, x);
  return m;
}

const RULE_SEVERITY: Record<RuleId, 'error' | 'warning'> = {
  'vmap-io-missing-flush': 'warning',
  'vmap-io-missing-invalidate': 'warning',
  'vmap-io-maintenance-range': 'warning',
  'vmalloc-linear-map': 'error',
  'vmap-blk-rq-map-kern': 'error',
};

/**
 * Element types of pointers that can be data buffers: void, C and kernel scalar types
 * (include/linux/types.h, include/uapi/linux/types.h).
 */
const SCALAR_TYPES = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'bool', '_Bool',
  'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', '__u8', '__u16', '__u32', '__u64', '__s8', '__s16', '__s32', '__s64',
  '__le16', '__le32', '__le64', '__be16', '__be32', '__be64', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t',
  'int8_t', 'int16_t', 'int32_t', 'int64_t', 'size_t', 'ssize_t', 'uchar', 'ulong', 'uint', 'ushort', 'unchar',
]);

function isScalarType(base: string): boolean {
  const words = base.replace(/\b(const|volatile|unsigned|signed|__user|__iomem|__force|__rcu|__percpu)\b/g, ' ').trim().split(/\s+/);
  const last = words[words.length - 1] ?? '';
  return last === '' ? /\b(unsigned|signed)\b/.test(base) : SCALAR_TYPES.has(last);
}

/** Facts of a function that do not depend on the analysis context or round. */
interface FnStatic {
  types: Map<string, VarType>;
  /** maintenance calls: pointer text → length text (for fixes) */
  maintLens: Map<string, string>;
  /** the pointer texts flushed (not only invalidated) in the body */
  flushPtrs: Set<string>;
  /** the pointer texts invalidated in the body, whitespace removed (as TuCtx.invalidateTexts) */
  invalidatePtrs: string[];
  /** locals initialised with an expression and never assigned again (for constant sizes) */
  localInits: Map<string, string>;
  /**
   * locals initialised with an expression and afterwards only moved along (`p += n`, `p++`): a
   * cursor walking the memory its initializer names (`void *p = x->buf;`)
   */
  walkInits: Map<string, string>;
  /** identifiers that select the direction (`write ? REQ_OP_WRITE : REQ_OP_READ`): the direction when truthy */
  dirPreds: Map<string, { dir: 'read' | 'write'; neg: boolean }>;
  /**
   * `switch (dir) { case FOO_WRITE: opf = REQ_OP_WRITE; … case FOO_READ: opf = REQ_OP_READ; … }`:
   * per switched variable, the direction each case label selects (both directions among them).
   */
  dirLabels: Map<string, Map<string, 'read' | 'write'>>;
}

const STATIC = new WeakMap<FunctionInfo, FnStatic>();

/** Macro bodies parsed as calls, at their offsets in the file (null: not one call), per file text. */
const MACRO_CALLS = new WeakMap<readonly number[], Map<string, SNode | null>>();
/**
 * A macro call's expansion per invocation node: a loop or a branching path evaluates the same
 * invocation again, and building it (a clone of the body with each node's text rewritten) cost
 * more than evaluating it — an x86 BPF JIT's emit macros were a third of its file's analysis.
 */
const MACRO_EXPANSIONS = new WeakMap<SNode, Map<string, SNode | undefined>>();

/** Strip casts, parentheses and (unless `keepAddress`) `&` to reach the expression naming an object. */
function stripNode(n: SNode, keepAddress = false): SNode {
  let cur = n;
  for (;;) {
    if (cur.type === 'parenthesized_expression' && cur.children.length === 1 && cur.children[0].type !== 'compound_statement') cur = cur.children[0];
    else if (cur.type === 'cast_expression') cur = child(cur, 'value') ?? cur;
    else if (cur.type === 'pointer_expression' && cur.op === '&' && !keepAddress) cur = child(cur, 'argument') ?? cur;
    else return cur;
  }
}

function fnStatic(fn: FunctionInfo, src: string): FnStatic {
  const cached = STATIC.get(fn);
  if (cached) return cached;
  const text = (n: SNode) => src.slice(n.start, n.end);
  const st: FnStatic = { types: localTypes(fn, src), maintLens: new Map(), flushPtrs: new Set(), invalidatePtrs: [], localInits: new Map(), walkInits: new Map(), dirPreds: new Map(), dirLabels: new Map() };
  const assigned = new Set<string>();
  // assigned other than by moving along (`p = q`, `p *= 2`)
  const moved = new Set<string>();
  for (const n of bodyNodes(fn.body)) {
    switch (n.type) {
      case 'call_expression': {
        const f = child(n, 'function');
        const row = f && f.type === 'identifier' ? MAINTENANCE.get(text(f)) : undefined;
        if (!row) break;
        const args = child(n, 'arguments')?.children.filter((c) => c.type !== 'comment') ?? [];
        if (args.length > row.len) st.maintLens.set(text(args[row.ptr]), text(args[row.len]));
        if (row.op === 'flush' && args.length > row.ptr) st.flushPtrs.add(text(args[row.ptr]));
        if (row.op === 'invalidate' && args.length > row.ptr) st.invalidatePtrs.push(text(args[row.ptr]).replace(/\s+/g, ''));
        break;
      }
      case 'init_declarator': {
        let d = child(n, 'declarator');
        while (d && d.type !== 'identifier') d = child(d, 'declarator');
        const v = child(n, 'value');
        if (d && v) st.localInits.set(text(d), text(v));
        break;
      }
      case 'assignment_expression':
      case 'update_expression': {
        const l = child(n, 'left') ?? child(n, 'argument');
        if (l && l.type === 'identifier') {
          assigned.add(text(l));
          if (n.type === 'assignment_expression' && n.op !== '+=' && n.op !== '-=') moved.add(text(l));
        }
        break;
      }
      case 'conditional_expression': {
        const c = child(n, 'condition');
        const a = child(n, 'consequence');
        const b = child(n, 'alternative');
        if (!c || !a || !b) break;
        const da = DIRECTIONS.get(text(stripNode(a)))?.dir;
        const db = DIRECTIONS.get(text(stripNode(b)))?.dir;
        if (!da || !db || da === db || da === 'both' || db === 'both') break;
        addDirPred(st.dirPreds, c, da, text);
        break;
      }
      case 'switch_statement': {
        const c = child(n, 'condition');
        const cs = c ? stripNode(c) : undefined;
        if (!cs || cs.type !== 'identifier') break;
        const labels = new Map<string, 'read' | 'write'>();
        for (const k of child(n, 'body')?.children ?? []) {
          const value = k.type === 'case_statement' ? child(k, 'value') : undefined;
          if (!value || DIRECTIONS.has(text(value))) continue;
          // the first direction constant assigned in the case's own statements
          let dir: 'read' | 'write' | 'both' | undefined;
          for (const x of k.children) {
            if (x.field === 'value') continue;
            for (const d of descendants(x)) {
              if (d.type !== 'assignment_expression' || d.op !== '=') continue;
              const r = child(d, 'right');
              const id = r ? descendants(r).find((y) => y.type === 'identifier' && DIRECTIONS.has(text(y))) : undefined;
              if (id) { dir = DIRECTIONS.get(text(id))?.dir; break; }
            }
            if (dir) break;
          }
          if (dir === 'read' || dir === 'write') labels.set(text(value).replace(/\s+/g, ''), dir);
        }
        const dirs = new Set(labels.values());
        if (dirs.size === 2) st.dirLabels.set(text(cs), labels);
        break;
      }
      case 'if_statement': {
        // `if (rd) opf = REQ_OP_READ; else opf = REQ_OP_WRITE;`: the ternary spelled as statements
        const c = child(n, 'condition');
        const alt = child(n, 'alternative');
        const a = dirAssignment(child(n, 'consequence'), text);
        const b = dirAssignment(alt?.type === 'else_clause' ? alt.children.find((x) => x.type !== 'comment' && x.type !== 'else') : alt, text);
        if (!c || !a || !b || a.lhs !== b.lhs || a.dir === b.dir || a.dir === 'both' || b.dir === 'both') break;
        addDirPred(st.dirPreds, c, a.dir, text);
        break;
      }
    }
  }
  for (const [name, init] of st.localInits) if (!moved.has(name)) st.walkInits.set(name, init);
  for (const a of assigned) st.localInits.delete(a);
  STATIC.set(fn, st);
  return st;
}

/**
 * What an I/O range carries from offset `off` (undefined: the buffer's start): its counted loop's
 * span when it has one and the span starts there, else the add itself when it starts there.
 */
function carriedFrom(r: IoRange, off: Off): { len?: string; lenText?: string } | undefined {
  return r.span ? (r.span.off === off ? r.span : undefined) : r.off === off ? r : undefined;
}

/**
 * Does a size text mean the same in every function: constants and macros, sizes of types, and
 * members of a holder (`dev->ring_len`), no plain variable (`size`, `nr * bsize`)?
 */
function portableSize(size: string): boolean {
  const plain = size.replace(/\b(?:struct|union|enum)\s+[A-Za-z_]\w*/g, ' ')
    .replace(/[A-Za-z_]\w*\s*(?:->|\.)\s*[A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*)*/g, ' ')
    .match(/[A-Za-z_]\w*/g) ?? [];
  return plain.every((id) => /^[A-Z0-9_]+$/.test(id) || SIZE_WORDS.test(id));
}

/** The facts of a vmap-io-maintenance-range finding about a flush or an invalidate. */
function rangeFacts(op: 'flush' | 'invalidate'): Partial<Finding['facts']> {
  return { wrongRange: true, hasFlush: op === 'flush', hasInvalidate: op === 'invalidate', cpuWroteBefore: op === 'flush', cpuReadsAfter: op === 'invalidate' };
}

/** Does maintenance pointer text `t` (whitespace removed) name member `m` (`x->m`, `y.m`, `x->m + off`)? */
function namesMember(t: string, m: string): boolean {
  return new RegExp(`(->|\\.)${m}\\b`).test(t);
}

/** State.guarded key `flushed-if:I=V:ID`: buffer ID was flushed on the paths where flag parameter I is V (flushesWhen). */
const FLUSHED_IF = 'flushed-if:';

/** The maps of a State that say what is known about buffers (their entries are never mutated, only replaced). */
interface BufFacts { flushed: Map<string, unknown>; written: Map<string, unknown>; inflight: Map<string, unknown>; completed: Map<string, unknown>; invalidated: Map<string, unknown>; clean: Set<string> }

function bufFacts(st: State): BufFacts {
  return { flushed: new Map(st.flushed), written: new Map(st.written), inflight: new Map(st.inflight), completed: new Map(st.completed), invalidated: new Map(st.invalidated), clean: new Set(st.clean) };
}

function sameBufFacts(a: BufFacts, st: State): boolean {
  const same = (x: Map<string, unknown>, y: Map<string, unknown>) => x.size === y.size && [...x].every(([k, v]) => y.get(k) === v);
  return same(a.flushed, st.flushed) && same(a.written, st.written) && same(a.inflight, st.inflight) && same(a.completed, st.completed) &&
    same(a.invalidated, st.invalidated) && a.clean.size === st.clean.size && [...a.clean].every((k) => st.clean.has(k));
}

/** How many backward gotos a function's analysis follows (each runs the code from its label again). */
const MAX_GOTO_REPLAYS = 8;

/** What turns a page into an address a device is given (include/linux/io.h, asm/memory.h). */
const PHYS_OF_PAGE: ReadonlySet<string> = new Set(['page_to_phys', 'page_to_pfn', 'page_to_virt', 'page_address']);

/** CallSiteFacts.flushed entry: every caller flushed its argument at this index right before the call. */
const ARG_FLUSHED = 'arg:';
/** State.flushed key: a flushed pointer the analysis has no value for, by its text (whitespace removed). */
const TEXT_FLUSHED = 'text:';

/** State.guarded key: the buffer with this id follows this prefix where a vmalloc test proved it on every path. */
const PROVEN = 'vm:';

/** The compared arguments of a `min(a, b)` / `min_t(type, a, b)` length (texts without spaces), or none. */
function clampArgs(len: string): string[] {
  const m = /^min(_t)?\((.*)\)$/.exec(bareExpr(len));
  if (!m) return [];
  const args = splitTop(m[2], ',');
  const xs = m[1] ? args.slice(1) : args;
  return xs.length === 2 ? xs : [];
}

/** How much an arm of `c ? a : b` says about vmalloc memory (the conditional's value is the higher). */
function condRank(v: Val | undefined): number {
  if (!v) return 0;
  if (v.t !== 'buf' && v.t !== 'page' && v.t !== 'pages' && v.t !== 'derived') return 1;
  return v.b.kind === 'param' ? 2 : v.b.kind === 'maybe' ? 3 : 4;
}

/** `c` (`rd`, `!write`, `req->is_read`) selects direction `dir` when true: FnStatic.dirPreds. */
function addDirPred(preds: FnStatic['dirPreds'], c: SNode, dir: 'read' | 'write', text: (n: SNode) => string): void {
  let cs = stripNode(c);
  let neg = false;
  if (cs.type === 'unary_expression' && cs.op === '!') {
    neg = true;
    cs = stripNode(child(cs, 'argument') as SNode);
  }
  if (cs.type === 'identifier' || cs.type === 'field_expression') preds.set(text(cs).replace(/\s+/g, ''), { dir, neg });
}

/** `x = DIRECTION;` alone (or alone in braces): the variable and the direction. */
function dirAssignment(s: SNode | undefined, text: (n: SNode) => string): { lhs: string; dir: 'read' | 'write' | 'both' } | undefined {
  let x = s;
  if (x?.type === 'compound_statement') {
    const kids = x.children.filter((k) => k.type !== '{' && k.type !== '}' && k.type !== 'comment');
    if (kids.length !== 1) return undefined;
    x = kids[0];
  }
  const e = x?.type === 'expression_statement' ? x.children.find((k) => k.type !== ';' && k.type !== 'comment') : undefined;
  if (!e || e.type !== 'assignment_expression' || e.op !== '=') return undefined;
  const l = child(e, 'left');
  const r = child(e, 'right');
  const dir = r ? DIRECTIONS.get(text(stripNode(r)))?.dir : undefined;
  return l && dir ? { lhs: text(l).replace(/\s+/g, ''), dir } : undefined;
}

/** How a trace names a submission's direction ('both': a read or a write, or DMA_BIDIRECTIONAL). */
function directionPhrase(d: Direction): string {
  return d === 'both' ? 'a read or write' : `a ${d}`;
}

/** The struct types (`T` of `field:T.m`) with a member in a round's member facts, per fieldVals map. */
const HOLDER_TYPES = new WeakMap<Map<string, Val>, Set<string>>();
function holderTypes(fieldVals: Map<string, Val>): Set<string> {
  let out = HOLDER_TYPES.get(fieldVals);
  if (!out) {
    out = new Set();
    for (const k of fieldVals.keys()) {
      const m = /^field:([^.?][^.]*)\./.exec(k);
      if (m) out.add(m[1]);
    }
    HOLDER_TYPES.set(fieldVals, out);
  }
  return out;
}

/** The empty id set shared by call-site facts (never changed: intersections make new sets). */
export const NO_IDS: ReadonlySet<string> = new Set<string>();

/** Calls that step a scatterlist pointer within its table (include/linux/scatterlist.h). */
const SG_WALKS = new Set(['sg_next', 'sg_last', 'sg_chain_ptr']);

/** A returned error: `-ENOMEM`, `-EIO`, `-1`, `ERR_PTR(…)`, `ERR_CAST(…)` (whitespace removed). */
const ERROR_RETURN = /^(?:\(*-\(*(?:E[A-Z0-9_]+|\d+)\)*|ERR_PTR\(.*\)|ERR_CAST\(.*\)|PTR_ERR\(.*\))$/;

/**
 * The completion step of a read whose buffer outlives the function with no invalidate of it in the
 * whole file: judged for the file, so several such reads of one buffer are one finding (analyze.ts).
 */
export const NO_INVALIDATE_IN_FILE = 'no invalidate_kernel_vmap_range() of this buffer anywhere in the file after completion';

/** st.sgs key prefix of a transfer descriptor's buffers (`xfer:w:t`, `xfer:r:t`; tables/transfers.ts). */
const XFER_KEY = 'xfer:';

/** st.flushed key prefix of a flush of a parameter's member (noteMemberMaintenance). */
const MEMBER_MAINT = 'member:';

export class FunctionAnalysis {
  private readonly src: string;
  private readonly types: Map<string, VarType>;
  private stackVars: Map<string, { node: SNode; array: boolean }> | undefined;
  private macroDepth = 0;
  private memberIds: Set<string> | undefined;
  /** Bios (by text) this function submits on some path: not left in their member for another. */
  private readonly submittedBios = new Set<string>();
  /** Why statements were skipped (exec): noted once each. */
  private readonly skippedWhy = new Set<string>();
  /** The invocation of the statement macro being run (findings inside its body are reported there). */
  private macroSite: SNode | undefined;
  /** The call through a function pointer being applied (callThrough), for report()'s message. */
  private through: { node: SNode; name: string; via: string } | undefined;
  /** set when the analysis consulted the direction context: otherwise the other context would repeat it */
  usedCtx = false;
  /**
   * Struct-pointer parameters some call site hands vmalloc memory (`xyz_fill_hdr(h, seq)` with `h`
   * vmalloc()ed): tracked as objects, but a store through one (`h->magic = …`, `memset(h, …)`) is
   * a CPU write of the caller's buffer and a member read a CPU read of it (summary writes/reads).
   */
  private readonly structParams = new Map<string, number>();
  /** what this function passes to in-file callees, per callee */
  readonly siteFacts = new Map<string, CallSiteFacts>();
  private labels = new Map<string, State | null>();
  /** The variables each loop assigns (movesInLoop), by loop node. */
  private readonly loopAssigned = new WeakMap<SNode, Set<string>>();
  /** Labels already passed, with where they are: a `goto` to one is a backward jump (a retry loop). */
  private labelsSeen = new Map<string, { stmts: SNode[]; index: number; start: number; facts?: BufFacts }>();
  /** Labels whose code a backward `goto` is running again (once per label and path into it). */
  private replaying = new Set<string>();
  private replays = 0;
  private loops: LoopFrame[] = [];
  private exits: Exit[] = [];
  /**
   * Buffers this function maps afresh with vmap() and kin (the ids a completed read of their pages
   * is dropped under when the mapping is made), with where the last such call is: the function
   * makes the alias itself, overwriting whatever the member held, so a path that returns before
   * making it leaves a read submitted before it no alias of its own. A read submitted after it is
   * a read into the new mapping.
   */
  private readonly freshMapped = new Map<string, number>();
  readonly summary = newSummaryAcc();
  /** Maintenance calls of this function, by pointer text → length text (for fixes). */
  private readonly maintLens: Map<string, string>;
  private readonly flushPtrs: Set<string>;
  private readonly invalidatePtrs: string[];
  /** invalidates of a buffer seen before any read into it was submitted, by buffer id (finding text only) */
  private readonly preIoInvalidates = new Map<string, TraceStep>();
  /** a direction parameter that callers pass both ways, split between the two contexts */
  private splitDir = false;
  private readonly ctxBitsValue: OpSet;
  private get ctxBits(): OpSet {
    this.usedCtx = true;
    return this.ctxBitsValue;
  }
  /** parameters used as the I/O direction without a value of their own */
  private readonly opParams = new Set<number>();
  /** flag parameters that select the direction (dirPreds naming a parameter): index → direction when true */
  private readonly flagDirParams = new Map<number, 'read' | 'write'>();
  /** table members this function put pages in (noteTableMember) */
  private readonly tablesBuilt = new Set<string>();
  /** for_each_sg() iterators of this function: iterator name → the table expression it walks */
  private readonly sgIterators = new Map<string, SNode>();
  /** locals assigned the address of a member (`sgt = &attach->sgt`): name → that member */
  private readonly memberPointers = new Map<string, SNode>();
  /** buffers maintained in this function, by id (a guard may name only their holder) */
  private maintained = new Map<string, Buf>();
  private readonly localInits: Map<string, string>;
  private readonly walkInits: Map<string, string>;
  private readonly dirPreds: Map<string, { dir: 'read' | 'write'; neg: boolean }>;
  private readonly dirLabels: Map<string, Map<string, 'read' | 'write'>>;

  constructor(private readonly tu: TuCtx, private readonly fn: FunctionInfo, readonly ctx: 'read' | 'write', private readonly out: Map<string, Finding>) {
    this.src = tu.src;
    const fs = fnStatic(fn, tu.src);
    this.types = fs.types;
    this.maintLens = fs.maintLens;
    this.flushPtrs = fs.flushPtrs;
    this.invalidatePtrs = fs.invalidatePtrs;
    this.localInits = fs.localInits;
    this.walkInits = fs.walkInits;
    this.dirPreds = fs.dirPreds;
    this.dirLabels = fs.dirLabels;
    this.ctxBitsValue = ctx === 'read' ? OP_R : OP_W;
  }

  run(): void {
    const st = emptyState();
    const paramOps = this.tu.paramOps.get(this.fn.name);
    for (const p of this.fn.params) {
      const known = paramOps?.get(p.index);
      if (known !== undefined && known !== 'unknown') {
        st.vars.set(p.name, { t: 'op', v: this.opForContext(known) });
        // still the callers' argument: other callers (and the summary) take the direction from it
        if (opHasRead(known) || opHasWrite(known)) this.opParams.add(p.index);
        continue;
      }
      // a pointer to bytes or scalars may be a buffer; a pointer to a struct or to an unknown
      // typedef (`xfs_buf_t *bp`) is an object whose fields we track instead
      if (p.type.ptr === 1 && p.type.isStruct && this.tu.callSites.get(this.fn.name)?.vmallocArgs.has(p.index)) this.structParams.set(p.name, p.index);
      if (p.type.ptr === 1 && !p.type.isStruct && isScalarType(p.type.base)) {
        const b: Buf = {
          id: `param:${p.index}`, kind: 'param', origin: [], zeroed: false, display: p.name, escapes: true,
          param: p.index, holders: [],
        };
        st.vars.set(p.name, { t: 'buf', b, adv: false });
      } else if ((p.type.ptr === 1 || p.type.ptr === 2) && this.isPageType(p.type)) {
        // a page of the caller's buffer (`foo_map(dev, vmalloc_to_page(p), …)`), or the page array
        // a caller vmap()ed: mapping or adding it here is I/O on the caller's buffer (summary
        // submitsParams), judged at the call
        const b: Buf = {
          id: `param:${p.index}`, kind: 'param', origin: [], zeroed: false, display: p.name, escapes: true,
          param: p.index, holders: [],
        };
        st.vars.set(p.name, p.type.ptr === 1 ? { t: 'page', b } : { t: 'pages', b });
        this.summary.pageParams.add(p.index);
      }
    }
    const sites = this.tu.callSites.get(this.fn.name);
    if (this.fn.isStatic && sites) for (const p of this.fn.params) if (sites.guarded.get(p.index)) st.guarded.add(p.name);
    // buffers every caller flushed right before calling (a static function: its callers are here)
    if (this.fn.isStatic && sites?.flushed?.size) {
      const rec = { step: this.step('maintenance', this.fn.node, `flushed by every caller of ${this.fn.name}() before the call`), wrongRange: false };
      for (const id of sites.flushed) st.flushed.set(id.startsWith(ARG_FLUSHED) ? `param:${id.slice(ARG_FLUSHED.length)}` : id, rec);
    }
    const out = this.execBlock(this.fn.body.children, st);
    if (out) this.exits.push({ state: out });
    for (const e of this.exits) this.atExit(e);
    if (this.opParams.size === 1) this.summary.directionParam = [...this.opParams][0];
    else if (this.opParams.size === 0 && this.flagDirParams.size === 1) {
      const [[index, dir]] = [...this.flagDirParams];
      this.summary.directionParam = index;
      this.summary.directionWhenTrue = dir;
    }
  }

  /**
   * A direction parameter that some callers pass a read and others a write (`foo_io(m, REQ_OP_READ)`
   * here, `foo_io(m, REQ_OP_WRITE)` there) is one direction per call: each context takes its
   * half, so `if (op == REQ_OP_WRITE) flush…` and `if (op == REQ_OP_READ) invalidate…` are seen
   * on the path where they run, not joined into a write that was never flushed. A bidirectional
   * op (OP_B) is in both halves.
   */
  private opForContext(known: OpSet): OpSet {
    const r = known & (OP_R | OP_RF), w = known & (OP_W | OP_WF);
    if (!r || !w) return known;
    this.usedCtx = true;
    this.splitDir = true;
    return (this.ctx === 'read' ? r : w) | (known & OP_B);
  }

  // ---------------------------------------------------------------- helpers

  private text(n: SNode): string {
    return n.synth ?? this.src.slice(n.start, n.end);
  }

  private span(n: SNode): Span {
    return {
      start: { line: n.sr + 1, column: n.sc + 1 }, end: { line: n.er + 1, column: n.ec + 1 },
      startOffset: n.start, endOffset: n.end,
    };
  }

  private step(kind: TraceKind, n: SNode, message: string): TraceStep {
    return { kind, message, file: this.tu.file, span: this.span(n) };
  }

  private callName(n: SNode): string | undefined {
    const f = child(n, 'function');
    return f && f.type === 'identifier' ? this.text(f) : undefined;
  }

  /** What a call calls, for messages: its name, or the pointer it calls through (`d->ops->write_sb`). */
  private calleeText(n: SNode): string {
    const name = this.callName(n);
    if (name) return name;
    const f = child(n, 'function');
    const t = f ? this.text(this.strip(f)).replace(/\s+/g, '') : '';
    return /^\(?\*?[A-Za-z_][\w.>-]*\)?$/.test(t) && t.length <= 60 ? t : 'a call';
  }

  private args(n: SNode): SNode[] {
    const a = child(n, 'arguments');
    return a ? a.children.filter((c) => c.type !== 'comment') : [];
  }

  /**
   * A parameter buffer (even one the function proves is a vmalloc address) is judged at the call
   * sites when the function is called in this file and does no maintenance of it itself: the
   * callers may flush before calling. Entry points, and helpers that maintain the buffer
   * themselves, are judged here.
   */
  private isSym(b: Buf): boolean {
    if (b.param === undefined || b.id !== `param:${b.param}`) return false;
    if (b.kind === 'param') return true;
    if (!this.tu.calledInFile.has(this.fn.name)) return false;
    // judged at the call sites only if some caller here passes a buffer known to be vmalloc memory
    if (!this.tu.callSites.get(this.fn.name)?.vmallocArgs.has(b.param)) return false;
    const name = this.fn.params.find((p) => p.index === b.param)?.name;
    // a helper maintaining the buffer itself is judged inside; with its direction split between the
    // contexts (`op` passed both ways), its write half is judged at the callers unless it flushes
    const maintained = this.splitDir && this.ctx === 'write' ? this.flushPtrs : this.maintLens.keys();
    for (const k of maintained) if (name && new RegExp(`^[\\s(]*(?:\\([^)]*\\)\\s*)?${name}\\b`).test(k)) return false;
    return true;
  }

  private isPageType(t: VarType): boolean {
    return (t.base === 'page' || t.base === 'folio') && t.isStruct;
  }

  /** Strip casts, parentheses and `&` to reach the expression naming an object. */
  private strip(n: SNode): SNode {
    return stripNode(n);
  }

  /** Root identifier of an lvalue-ish expression (`sgl` for `&sgl[i]`, `bp` for `bp->b_bio`). */
  /** A member access or pointer `x` rooted at a struct parameter callers hand vmalloc memory (structParams): a summary fact. */
  private structParamAccess(x: SNode, how: 'read' | 'write'): void {
    if (this.structParams.size === 0) return;
    let s = this.strip(x);
    if (s.type === 'pointer_expression' && s.op === '&') s = this.strip(child(s, 'argument') as SNode);
    const root = this.rootIdent(s);
    const idx = root !== undefined ? this.structParams.get(root) : undefined;
    if (idx === undefined) return;
    (how === 'write' ? this.summary.writes : this.summary.reads).add(idx);
  }

  /**
   * `if (ret) return ret;` (also `ret < 0`, `ret != 0`, `unlikely(ret)`, `IS_ERR(ret)` with
   * PTR_ERR(ret)): a status variable returned under a test that it is an error, the helper's
   * failure exit (its caller goes no further with the buffer).
   */
  private statusReturn(ret: SNode): boolean {
    let r = this.strip(ret);
    const ptrErr = r.type === 'call_expression' && this.callName(r) === 'PTR_ERR' ? this.args(r)[0] : undefined;
    if (ptrErr) r = this.strip(ptrErr);
    if (r.type !== 'identifier') return false;
    const name = this.text(r);
    // the return statement, alone or last in the consequence of an `if` without else
    let stmt: SNode | undefined = ret.parent ?? undefined;
    while (stmt && stmt.type !== 'return_statement') stmt = stmt.parent ?? undefined;
    let up = stmt?.parent ?? undefined;
    if (up?.type === 'compound_statement') up = up.parent ?? undefined;
    if (!up || up.type !== 'if_statement' || child(up, 'alternative')) return false;
    let c = this.strip(child(up, 'condition') as SNode);
    if (c.type === 'call_expression' && /^(?:unlikely|likely|WARN_ON|WARN_ON_ONCE|IS_ERR|IS_ERR_OR_NULL)$/.test(this.callName(c) ?? '')) {
      if (/^IS_ERR/.test(this.callName(c) ?? '') !== !!ptrErr) return false;
      c = this.strip(this.args(c)[0] ?? c);
    } else if (ptrErr) return false;
    if (c.type === 'binary_expression' && ((c.op === '<' || c.op === '!=') && this.text(child(c, 'right') as SNode).trim() === '0')) c = this.strip(child(c, 'left') as SNode);
    return c.type === 'identifier' && this.text(c) === name;
  }

  /** `e` names a local variable (or an offset from one) holding buffer `v`, not a fresh allocation or a member. */
  private localBufRef(e: SNode, v: Extract<Val, { t: 'buf' }>, st: State): boolean {
    let x = this.strip(e);
    if (x.type === 'binary_expression' && (x.op === '+' || x.op === '-')) x = this.strip(child(x, 'left') ?? x);
    if (x.type !== 'identifier') return false;
    const cur = st.vars.get(this.text(x));
    return cur !== undefined && cur.t === 'buf' && cur.b.id === v.b.id && !v.b.id.startsWith('field:') && !v.b.id.startsWith('global:');
  }

  private rootIdent(n: SNode): string | undefined {
    let cur: SNode | undefined = this.strip(n);
    while (cur) {
      if (cur.type === 'identifier') return this.text(cur);
      if (cur.type === 'subscript_expression') cur = child(cur, 'argument');
      else if (cur.type === 'field_expression') cur = child(cur, 'argument');
      else if (cur.type === 'pointer_expression') cur = child(cur, 'argument');
      else if (cur.type === 'parenthesized_expression' || cur.type === 'cast_expression') cur = this.strip(cur) === cur ? undefined : this.strip(cur);
      else return undefined;
    }
    return undefined;
  }

  /** Key of an object expression for bio/scatterlist bookkeeping (text without casts and `&`). */
  private objKey(n: SNode): string {
    return this.text(this.strip(n)).replace(/\s+/g, '');
  }

  private fieldKey(n: SNode): string | undefined {
    if (n.type !== 'field_expression') return undefined;
    const obj = child(n, 'argument');
    const f = child(n, 'field');
    if (!obj || !f) return undefined;
    const fname = this.text(f);
    const root = this.strip(obj);
    let base = '?';
    if (root.type === 'identifier') {
      const t = this.types.get(this.text(root));
      if (t) base = t.base;
    } else {
      // a member of a member whose type is unknown: keep the member it sits in, so `b->direct.buf`
      // and `b->page_list[i].buf` stay apart (`field:?.direct.buf`, `field:?.page_list[].buf`)
      const arr = root.type === 'subscript_expression' ? child(root, 'argument') : undefined;
      const holder = arr ? this.strip(arr) : root;
      const pf = holder.type === 'field_expression' ? child(holder, 'field') : undefined;
      if (pf) return `field:?.${this.text(pf)}${arr ? '[]' : ''}.${fname}`;
    }
    return `field:${base}.${fname}`;
  }

  /**
   * An array of buffer pointers is one abstract location: `log->segs[i]` is `field:foo_log.segs[]`,
   * a local `bufs[i]` is `elem:bufs[]`.
   */
  private elemKey(n: SNode): string | undefined {
    const base = child(n, 'argument');
    return base ? this.arrayKey(base) : undefined;
  }

  /** The location of the elements of array expression `a` (`bufs` → `elem:bufs[]`, `log->segs` → `field:foo_log.segs[]`). */
  private arrayKey(a: SNode): string | undefined {
    const b = this.strip(a);
    if (b.type === 'identifier') return `elem:${this.text(b)}[]`;
    if (b.type === 'field_expression') {
      const k = this.fieldKey(b);
      return k ? `${k}[]` : undefined;
    }
    return undefined;
  }

  private lookupField(key: string): Val | undefined {
    const v = this.tu.fieldVals.get(key);
    if (v) return v;
    if (key.startsWith('field:?.')) {
      // by member name; where both sides know the member it sits in (`?.direct.buf`), those agree
      const rest = key.slice('field:?.'.length);
      const dot = rest.lastIndexOf('.');
      const fname = rest.slice(dot + 1);
      const parent = dot >= 0 ? rest.slice(0, dot) : undefined;
      const parentOf = (k: string): string | undefined => {
        if (!k.startsWith('field:?.')) return undefined;
        const r = k.slice('field:?.'.length);
        return r.includes('.') ? r.slice(0, r.lastIndexOf('.')) : undefined;
      };
      const byName = this.tu.fieldValsByName ? this.tu.fieldValsByName.get(fname) ?? [] : [...this.tu.fieldVals.entries()].filter(([k]) => k.endsWith(`.${fname}`));
      // member values only: not a dm_io request or a scatterlist table kept under the same member name
      const hits = byName.filter(([k]) => { const p = parentOf(k); return k.startsWith('field:') && (parent === undefined || p === undefined || p === parent); });
      if (hits.length === 1) return hits[0][1];
    }
    return undefined;
  }

  /**
   * `global:name` for an identifier that names no local, parameter, function or constant of this
   * file: a file-scope (or extern) variable, whose stores the functions of the file share as they
   * share a struct member's (`static void *log_buf;` filled by one function, mapped by another).
   * The declaration itself may be blanked by slicing, so this goes by what the name is not.
   */
  private fileVarKey(name: string): string | undefined {
    if (this.types.has(name) || this.tu.functions.has(name) || !/[a-z]/.test(name) || DIRECTIONS.has(name)) return undefined;
    return `global:${name}`;
  }

  /** What a file-scope variable holds here: stored earlier in this function, else the file-wide fact. */
  private fileVarVal(name: string, n: SNode, st: State): Val | undefined {
    const key = this.fileVarKey(name);
    if (!key || (!st.vars.has(key) && !this.tu.fieldVals.has(key))) return undefined;
    return this.locationVal(key, n, st);
  }

  /** Read a field-held value, re-anchored to the expression that names it in this function. */
  private fieldVal(n: SNode, st: State): Val | undefined {
    const key = this.fieldKey(n);
    return key ? this.locationVal(key, n, st) : undefined;
  }

  private locationVal(key: string, n: SNode, st: State): Val | undefined {
    const local = st.vars.get(key);
    if (local) return local.t === 'other' ? undefined : local;
    const v = this.lookupField(key) ?? this.memberSource(key, n);
    if (!v || (v.t !== 'buf' && v.t !== 'pages')) return v;
    return this.viaFieldVal(key, v, n);
  }

  /**
   * A member that holds vmalloc memory whatever object it is read from (tables MEMBER_SOURCES:
   * `fw->data` of a `struct firmware`), as a file-wide fact would say.
   */
  private memberSource(key: string, n: SNode): Val | undefined {
    const row = MEMBER_SOURCES.get(key.slice('field:'.length));
    if (!row || !key.startsWith('field:')) return undefined;
    const b: Buf = {
      id: key, kind: row.kind === 'maybe-vmalloc' ? 'maybe' : 'vmalloc', zeroed: false, display: this.text(n), escapes: true,
      holders: [], field: key.slice('field:'.length), viaField: true,
      origin: [this.step('alloc', n, `\`${this.text(n)}\` is ${row.what}`)],
    };
    return { t: 'buf', b, adv: false };
  }

  /** A file-wide fact read here through `n`: escapes, named after `n`, at its home field if it has one. */
  private viaFieldVal(key: string, v: Extract<Val, { t: 'buf' | 'pages' }>, n: SNode): Val {
    const holder = this.rootIdent(n);
    const mixed = this.tu.fieldOther.has(key) || v.b.mixed === true;
    // a page array: the address it is also mapped at (`src = vm_map_ram(z->pages, …)`), for the trace
    const mappedAt = v.t === 'pages' && /^[A-Za-z_][\w>.-]*$/.test(v.b.display) && v.b.display !== this.text(n) ? v.b.display : v.b.mappedAt;
    const b: Buf = {
      ...v.b, display: this.text(n), holders: holder ? [holder] : [], escapes: true, viaField: true, ...(mappedAt ? { mappedAt } : {}),
      kind: mixed && v.b.kind === 'vmalloc' ? 'maybe' : v.b.kind, ...(mixed ? { mixed: true } : {}),
    };
    // a page array stored before its vmap address: it aliases the field the address went to
    const home = this.tu.allocToField.get(b.id);
    if (home) {
      b.id = home;
      b.field = home.slice('field:'.length);
      b.display = this.text(n).replace(/[A-Za-z_]\w*$/, fieldNameOf(home));
    }
    // a size written in another function means this one's variables only when it names none of
    // its own (`size`, `nr * bsize` of the allocating function are not this one's)
    const origin = v.b.origin[0]?.span;
    const here = origin !== undefined && v.b.origin[0].file === this.tu.file && origin.startOffset >= this.fn.node.start && origin.endOffset <= this.fn.node.end;
    if (b.size && (!this.inScope(b.size) || (!here && !portableSize(b.size)))) b.size = undefined;
    return v.t === 'buf' ? { t: 'buf', b, adv: false } : { t: 'pages', b };
  }

  /**
   * The member a scatterlist argument names, as a table key (`sgt:field:T.m`) with the member
   * expression (`dma->sglist` for `&dma->sglist[first]`): `&buf->sglist[i]`, `buf->sglist`,
   * `buf->sgt.sgl` and `d->sgt[i].sgl` (struct sg_table's `sgl`) all name the table in member
   * `sglist`/`sgt`. Undefined for tables held in locals.
   */
  private tableMember(n: SNode): { key: string; member: SNode } | undefined {
    let x = this.strip(n);
    for (;;) {
      // a local pointing at a member table (`sgt = &attach->sgt; … sgt->sgl`)
      const alias = x.type === 'identifier' ? this.memberPointers.get(this.text(x)) : undefined;
      if (alias) {
        x = alias;
        continue;
      }
      // `t.sgl` / `t->sgl` names table `t` only when `t` is itself a member (`buf->sgt.sgl`); a
      // driver's own `ring->sgl` is the member
      const holder = x.type === 'field_expression' ? child(x, 'argument') : undefined;
      const inner = (x.type === 'pointer_expression' && x.op === '&') || x.type === 'subscript_expression' ? child(x, 'argument')
        : holder && SG_TABLE_LIST.has(this.text(child(x, 'field') as SNode)) &&
          (['field_expression', 'subscript_expression'].includes(this.strip(holder).type) || this.memberPointers.has(this.text(this.strip(holder)))) ? holder
          : undefined;
      if (!inner) break;
      x = this.strip(inner);
    }
    // `sgt->sgl` of a local or parameter table pointer names no member: its key would be every
    // struct sg_table of the file
    if (x.type !== 'field_expression') return undefined;
    const k = this.fieldKey(x);
    if (!k || [...SG_TABLE_LIST].some((m) => k === `field:sg_table.${m}`)) return undefined;
    return { key: `sgt:${k}`, member: x };
  }

  /**
   * A scatterlist table kept in a member now holds pages of `b`: a file-wide fact, so that the
   * function mapping or syncing the member finds them (cx88-alsa builds the table in one function
   * and maps it in another).
   */
  private noteTableMember(sgArg: SNode, b: Buf): void {
    const k = this.tableMember(sgArg)?.key;
    // Not for the pages of a vmap()ed array: there the pages are the memory and the alias an
    // optional extra, whose maintenance is conditional on it existing (dma-buf heaps flush
    // `if (buffer->vmap_cnt)`), which the analysis cannot see in another function.
    if (!k || this.isSym(b) || b.uncached || b.kind === 'vmap') return;
    this.tablesBuilt.add(k);
    this.tu.fieldValsNext.set(k, { t: 'pages', b: { ...b, escapes: true, viaField: true } });
  }

  /** The pages a table member holds (noteTableMember), read through `n`. */
  private tableMemberVal(n: SNode): Val | undefined {
    const tm = this.tableMember(n);
    // this function's own table is tracked on its paths (st.sgs), mapped or not
    if (!tm || this.tablesBuilt.has(tm.key)) return undefined;
    const v = this.tu.fieldVals.get(tm.key);
    if (!v || v.t !== 'pages') return undefined;
    // named after the member the buffer lives in (`dma->kvirt` for `&dma->sglist[first]`), else as
    // where the table was filled
    const home = this.tu.allocToField.get(v.b.id);
    const val = this.viaFieldVal(tm.key, v, tm.member);
    if (val.t === 'pages' && !home) {
      // pages of a buffer known by its member (read in another function, or another file's fact):
      // that member of this table's holder (`buf_slot->cpu_addr` for `buf_slot->sgt[i].sgl`)
      // (only a member of the holder's own struct: vb2's attachment table holds pages of the
      // buffer struct's member, named where the table was filled)
      const sameStruct = (key: string, field: string) => /(?:^|:)field:([^.]+)\./.exec(key)?.[1] === field.slice(0, field.indexOf('.'));
      const f = v.b.field && v.b.id === `field:${v.b.field}` && sameStruct(tm.key, v.b.field) ? fieldNameOf(v.b.field) : undefined;
      val.b.display = f ? this.text(tm.member).replace(/[A-Za-z_]\w*$/, f) : v.b.display;
    }
    return val;
  }

  private inScope(expr: string): boolean {
    // member names (`lb->page_count`, `req.len`) are not variables: only their holders must be in scope
    // nor are struct tags (`sizeof(struct foo_rec)`)
    const ids = expr.replace(/(?:->|\.)\s*[A-Za-z_][A-Za-z0-9_]*/g, ' ').replace(/\b(?:struct|union|enum)\s+[A-Za-z_]\w*/g, ' ').match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
    if (!ids.every((id) => /^[A-Z0-9_]+$/.test(id) || this.types.has(id) || SIZE_WORDS.test(id) || this.tu.functions.has(id))) return false;
    // a holder of the same name must be the same kind here: the caller's `seg.nr_pages` is not
    // this function's `struct seg *seg` (`seg->nr_pages`)
    for (const m of expr.matchAll(/(?<![\w.>])([A-Za-z_]\w*)\s*(->|\.)/g)) {
      const t = this.types.get(m[1]);
      if (t && (m[2] === '.' ? t.ptr > 0 : t.ptr === 0 && !t.array)) return false;
    }
    return true;
  }

  private report(rule: RuleId, site0: SNode, b: Buf, message0: string, trace: TraceStep[], dir: Direction, fixes00: Fix[], facts: Partial<Finding['facts']>): void {
    // an edit inside a #define would change every use of the macro (and lose its line continuations)
    const fixes0 = fixes00.filter((f) => f.edits.every((e) => e.file !== this.tu.file || !this.inDefine(e.span.startOffset) && !this.inDefine(e.span.endOffset)));
    // a site inside an expanded macro body is reported where the macro is called
    const site = this.atMacroUse(site0);
    // Before 2.6.34 there is no API for the vmap alias: the maintenance the fixes insert does not
    // exist there, and the honest advice is memory with no alias (tables MAINTENANCE `since`)
    const row = MAINTENANCE.get('flush_kernel_vmap_range');
    const noApi = (rule === 'vmap-io-missing-flush' || rule === 'vmap-io-missing-invalidate') && this.tu.kernel !== undefined && row !== undefined && appliesTo(row, this.tu.kernel) === false;
    // a call through a function pointer names the function it runs: say which pointer
    const through = this.through && site0.start >= this.through.node.start && site0.end <= this.through.node.end ? this.through : undefined;
    const message1 = through ? message0.replace(`${through.name}()`, `${through.name}() (called through \`${through.via}\`)`) : message0;
    // the code of an architecture whose caches never alias (tables/arches.ts): nothing goes stale there
    const arch = rule !== 'vmalloc-linear-map' && rule !== 'vmap-blk-rq-map-kern' ? nonAliasingArchOf(this.tu.file) : undefined;
    const message2 = arch ? `${message1} (arch/${arch} only: its data caches do not alias, so the vmap-range calls are no-ops there and nothing goes stale; information for code shared with aliasing architectures)` : message1;
    const message = noApi ? `${message2}; kernel ${this.tu.kernelLabel} has no flush_kernel_vmap_range()/invalidate_kernel_vmap_range() (added in ${row?.since}): do this I/O from linear-map memory (kmalloc(), the page allocator) instead` : message2;
    const fixes1 = noApi ? fixes0.filter((f) => !/_kernel_vmap_range\(/.test(f.title)) : fixes0;
    // a file with CRLF line ends gets CRLF in what a fix inserts (the edits are applied verbatim by the CLI's users)
    const fixes2 = this.src.includes('\r\n') ? fixes1.map((f) => ({ ...f, edits: f.edits.map((e) => ({ ...e, newText: e.newText.replace(/\r?\n/g, '\r\n') })) })) : fixes1;
    // an insertion computed inside an expanded statement macro would land in the #define's lines
    const fixes = fixes2.filter((f) => f.edits.every((e) => e.span.startOffset !== e.span.endOffset || !this.inDefine(e.span.startOffset)));
    const key = `${rule}|${site.start}|${b.id}`;
    const existing = this.out.get(key);
    if (existing) {
      if (existing.direction !== dir) existing.direction = 'both';
      existing.facts.direction = existing.direction;
      return;
    }
    const source = b.kind === 'maybe' ? 'maybe-vmalloc' : b.kind === 'vmap' ? 'vmap' : 'vmalloc';
    const sizeBytes = b.sizeBytes;
    this.out.set(key, {
      rule, severity: arch ? 'info' : b.kind === 'maybe' && rule !== 'vmap-blk-rq-map-kern' ? 'warning' : RULE_SEVERITY[rule],
      file: this.tu.file, span: this.span(site), message, function: this.fn.name, buffer: b.display,
      size: b.size, direction: dir, trace, kernel: this.tu.kernelLabel, fixes, confidence: this.tu.confidence,
      facts: {
        rule, direction: dir, sizeBytes, cpuWroteBefore: false, cpuReadsAfter: false, hasFlush: false,
        hasInvalidate: false, source, ...facts,
      },
    });
  }

  private dirOf(s: OpSet): Direction {
    const r = opHasRead(s);
    const w = opHasWrite(s);
    return r && w ? 'both' : r ? 'read' : 'write';
  }

  // ---------------------------------------------------------------- statements

  private execBlock(stmts: SNode[], st0: State | null): State | null {
    let st = st0;
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i];
      if (s.type === 'labeled_statement') {
        const l = child(s, 'label');
        if (l) this.labelsSeen.set(this.text(l), { stmts, index: i, start: s.start });
      }
      if (st === null && s.type !== 'labeled_statement' && !s.type.startsWith('preproc')) continue;
      // A statement-like macro loop: `list_for_each_entry(pos, head, member) { … }` parses as a call with a
      // MISSING ';' followed by the body; `for_each_sg(…) stmt;` likewise.
      if (s.type === 'expression_statement' && i + 1 < stmts.length && this.isMacroLoopHead(s)) {
        if (st) this.ev(s.children[0], st);
        this.noteSgIterator(s.children[0]);
        st = this.loop(stmts[i + 1], st, null);
        i++;
        continue;
      }
      // `for_each_possible_cpu(cpu) { … }`: a one-argument macro loop with a body parses as a
      // K&R-style function definition nested in the block (a type name, a parenthesized declarator)
      if (s.type === 'function_definition' && this.isNestedMacroLoop(s)) {
        st = this.loop(child(s, 'body') as SNode, st, null);
        continue;
      }
      st = this.exec(s, st);
    }
    return st;
  }

  private isNestedMacroLoop(s: SNode): boolean {
    const decl = child(s, 'declarator');
    return s.parent?.type === 'compound_statement' && child(s, 'type')?.type === 'type_identifier' &&
      decl?.type === 'parenthesized_declarator' && child(s, 'body')?.type === 'compound_statement';
  }

  /** `for_each_sg(table, sg, n, i)`: the entries `sg` names in the body are the table's (SG_ITERATORS). */
  private noteSgIterator(call: SNode): void {
    const row = SG_ITERATORS.get(this.callName(call) ?? '');
    const args = row ? this.args(call) : [];
    const iter = row ? args[row.iter] : undefined;
    if (row && iter && args[row.table] && this.strip(iter).type === 'identifier') this.sgIterators.set(this.text(this.strip(iter)), args[row.table]);
  }

  private isMacroLoopHead(s: SNode): boolean {
    const call = s.children[0];
    if (!call || call.type !== 'call_expression') return false;
    return s.children.some((c) => c.error && c.type === ';') || (s.end === call.end && !this.src.slice(call.end, s.end + 1).includes(';'));
  }

  private exec(s: SNode, st: State | null): State | null {
    try {
      return this.execInner(s, st);
    } catch (e) {
      // once per function and reason: nesting deep enough to exhaust the stack fails again at
      // every level on the way out (3,000 nested `if`s gave 780 notes)
      const why = (e as Error).message;
      if (!this.skippedWhy.has(why)) {
        this.skippedWhy.add(why);
        this.tu.notes.push(`${this.tu.file}:${s.sr + 1}: analysis skipped a statement (${why})`);
      }
      return st;
    }
  }

  private execInner(s: SNode, st: State | null): State | null {
    switch (s.type) {
      case 'compound_statement':
        return this.execBlock(s.children, st);
      case 'labeled_statement': {
        const l = child(s, 'label');
        const name = l ? this.text(l) : '';
        const pending = this.labels.get(name);
        if (pending !== undefined) this.labels.delete(name);
        const merged = join(st, pending ? cloneState(pending) : null);
        // what the buffers' facts were on the way in: a jump back with the same facts adds nothing
        const seen = this.labelsSeen.get(name);
        if (seen && seen.start === s.start && merged) seen.facts = bufFacts(merged);
        return this.execBlock(s.children.filter((c) => c.field !== 'label'), merged);
      }
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_elif':
      case 'preproc_else':
      case 'preproc_elifdef':
        return this.execPreproc(s, st);
      case 'preproc_call':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_include':
      case 'comment':
        return st;
    }
    if (st === null) return null;
    switch (s.type) {
      case 'expression_statement':
        for (const c of s.children) if (!c.error) this.ev(c, st);
        return st;
      case 'declaration':
        this.declaration(s, st);
        return st;
      case 'if_statement':
        return this.execIf(s, st);
      case 'for_statement': {
        const init = child(s, 'initializer');
        if (init) {
          if (init.type === 'declaration') this.declaration(init, st);
          else this.ev(init, st);
        }
        return this.loop(child(s, 'body'), st, child(s, 'condition') ?? null, child(s, 'update'), false, s);
      }
      case 'while_statement':
        return this.loop(child(s, 'body'), st, child(s, 'condition') ?? null, undefined, false, s);
      case 'do_statement': {
        const once = this.loop(child(s, 'body'), st, child(s, 'condition') ?? null, undefined, true);
        return once;
      }
      case 'switch_statement':
        return this.execSwitch(s, st);
      case 'return_statement': {
        const v = s.children.find((c) => c.type !== 'comment');
        const ret = v ? this.ev(v, st) : undefined;
        this.exits.push({ state: st, ret, retNode: v });
        return null;
      }
      case 'break_statement': {
        const f = this.loops[this.loops.length - 1];
        if (f) f.breaks.push(st);
        return null;
      }
      case 'continue_statement': {
        const f = [...this.loops].reverse().find((x) => !x.isSwitch);
        if (f) f.conts.push(st);
        return null;
      }
      case 'goto_statement': {
        const l = child(s, 'label');
        if (l) {
          const name = this.text(l);
          const back = this.labelsSeen.get(name);
          if (back && back.start < s.start) {
            // `again: … if (retry) { buf[0] = 7; goto again; }`: the code from the label runs
            // once more with this path's state, so what the retry writes meets the resubmission.
            // Once: a second jump back from the replay is the same loop.
            // bounded: a function with many retry jumps (or nested ones) is not re-run without end;
            // and only a path whose buffers' facts changed since the label (a rewrite, a flush)
            // can find something the first run did not
            if (!this.replaying.has(name) && this.replays < MAX_GOTO_REPLAYS && !(back.facts && sameBufFacts(back.facts, st))) {
              this.replays++;
              this.replaying.add(name);
              const out = this.execBlock(back.stmts.slice(back.index), cloneState(st));
              if (out && back.stmts === this.fn.body.children) this.exits.push({ state: out });
              this.replaying.delete(name);
            }
            return null;
          }
          this.labels.set(name, join(this.labels.get(name) ?? null, cloneState(st)));
        }
        return null;
      }
      case 'attributed_statement':
        return this.execBlock(s.children.filter((c) => c.type !== 'attribute_declaration'), st);
      case 'ERROR':
        // Degrade locally: analyse whatever statements and expressions the parser recovered.
        for (const c of s.children) {
          if (c.type.endsWith('_statement') || c.type === 'declaration') st = this.exec(c, st) ?? st;
          else if (c.type.endsWith('_expression')) this.ev(c, st);
        }
        return st;
      default:
        if (s.type.endsWith('_expression')) this.ev(s, st);
        return st;
    }
  }

  private execPreproc(s: SNode, st: State | null): State | null {
    const cond = child(s, 'condition') ?? child(s, 'name');
    const alt = child(s, 'alternative');
    const body = s.children.filter((c) => c.field !== 'condition' && c.field !== 'name' && c.field !== 'alternative');
    let taken: 'then' | 'else' | 'both' = 'both';
    if (cond && (s.type === 'preproc_ifdef' || s.type === 'preproc_if')) {
      const ct = this.text(cond).replace(/^defined\s*\(?\s*|\s*\)?$/g, '');
      const guard = MAINTENANCE_GUARDS.get(ct);
      if (guard) {
        const on = appliesTo(guard, this.tu.kernel) || (!this.tu.kernel && guard.until === undefined);
        const negated = s.type === 'preproc_ifdef' && /^#\s*ifndef/.test(this.src.slice(s.start, s.start + 10));
        taken = on !== negated ? 'then' : 'else';
      }
    }
    if (s.type === 'preproc_else') return this.execBlock(body, st);
    const thenOut = taken === 'else' ? null : this.execBlock(body, st ? cloneState(st) : null);
    let elseOut: State | null;
    if (taken === 'then') elseOut = null;
    else if (alt) elseOut = this.execPreproc(alt, st ? cloneState(st) : null);
    else elseOut = st;
    if (taken === 'then' && thenOut === null && st !== null) return thenOut;
    return join(thenOut, elseOut);
  }

  /**
   * `flush_kernel_vmap_range(x->data, …)` on a member of a parameter's struct, whatever the file
   * knows it holds: the summary says the call maintains that member for the caller
   * (flushesMembers / invalidatesMembers), so `xa_prep(x)` covers the buffer the caller keeps in
   * `x->data`. Flushes count on every path (st.flushed under MEMBER_MAINT), invalidates on any.
   */
  private noteMemberMaintenance(op: 'flush' | 'invalidate', ptr: SNode | undefined, n: SNode, st: State): void {
    const p = ptr ? this.strip(ptr) : undefined;
    if (!p || p.type !== 'field_expression') return;
    const root = this.rootIdent(p);
    if (!root || !this.rootedAtParam(root)) return;
    const key = this.fieldKey(p);
    if (!key || !key.startsWith('field:') || key.startsWith('field:?.')) return;
    const member = key.slice('field:'.length);
    if (op === 'flush') st.flushed.set(MEMBER_MAINT + member, { step: this.step('maintenance', n, `${this.callName(n)}(${this.text(p)})`), wrongRange: false });
    else this.summary.invalidatesMembers.add(member);
  }

  /**
   * A CPU access through a member of a parameter's struct (`h = t->area; h->magic`, `memset(t->area,
   * …)`, with `struct qtab *t`) that the file's member facts (its own or another file's) say holds
   * vmalloc memory: the summary says the function reads / writes the buffer its caller keeps in
   * that member (readsMembers / writesMembers), applied at the call like readsParams / writesParams
   * (applyMemberAccess). Only members of a known type (`T.m`), as for member maintenance.
   */
  private noteMemberAccess(op: 'read' | 'write', b: Buf, st: State): void {
    if (!b.viaField || !b.field || b.field.startsWith('?.') || !b.holders.some((h) => this.rootedAtParam(h))) return;
    (op === 'read' ? this.summary.readsMembers : this.summary.writesMembers).add(b.field);
    // a write after this function's flush of the member dirties it again (flushesMembers)
    if (op === 'write') st.flushed.delete(MEMBER_MAINT + b.field);
  }

  /**
   * A parameter, or a local set once from an expression rooted at one (`struct foo_req *rq =
   * bio->bi_private;` in an end_io callback): what it points to is the caller's object.
   */
  private rootedAtParam(name: string): boolean {
    if (this.fn.params.some((q) => q.name === name)) return true;
    const init = this.localInits.get(name);
    const r = init ? /^[\s(]*(?:\([^)]*\)\s*)?([A-Za-z_]\w*)\s*(?:->|\.)/.exec(init)?.[1] : undefined;
    return r !== undefined && this.fn.params.some((q) => q.name === r);
  }

  /** A statement that assigns something (a flag, a pointer, a counter) somewhere inside it. */
  private recordsSomething(s: SNode): boolean {
    for (const d of descendants(s)) if (d.type === 'assignment_expression' || d.type === 'update_expression' || d.type === 'init_declarator') return true;
    return false;
  }

  /** The objects an is_vmalloc_addr()-style call of a condition tests. */
  private vmallocTested(cond: SNode): string[] {
    const out: string[] = [];
    for (const d of descendants(cond)) {
      if (d.type !== 'call_expression' || !VMALLOC_TESTS.has(this.callName(d) ?? '')) continue;
      const r = this.args(d)[0] ? this.rootIdent(this.args(d)[0]) : undefined;
      if (r) out.push(r);
    }
    return out;
  }

  /**
   * Objects a condition inspects through a field or a call (not a bare NULL test). `st`: the state
   * before the condition, where a call's argument that is itself a possibly-vmalloc pointer (not an
   * object holding one) is an operation on the memory (`if (foo_check(msg))`), not a test of how it
   * was obtained.
   */
  private inspected(cond: SNode, st?: State): string[] {
    const out: string[] = [];
    // `x->f`, `!x->f`, `x->f == NULL` only test a pointer for NULL
    const nullTest = (d: SNode): boolean => {
      let cur = d;
      while (cur.parent && cur !== cond && (cur.parent.type === 'parenthesized_expression' || (cur.parent.type === 'unary_expression' && cur.parent.op === '!'))) cur = cur.parent;
      if (cur === cond) return true;
      const p = cur.parent;
      if (p && p.type === 'binary_expression' && (p.op === '==' || p.op === '!=' || p.op === '&&' || p.op === '||')) {
        if (p.op === '&&' || p.op === '||') return true;
        const other = p.children.find((c) => c !== cur);
        return other !== undefined && /^(NULL|0)$/.test(this.text(other).trim());
      }
      return false;
    };
    for (const d of descendants(cond)) {
      if (d.type === 'field_expression') {
        // a NULL test of a field that holds a buffer says nothing; a bare flag field (`fb->vmapped`) does
        const k = this.fieldKey(d);
        const holdsBuffer = k !== undefined && (this.tu.fieldVals.has(k) || this.tu.fieldValsNext.has(k));
        if (d.parent?.type === 'field_expression' || (holdsBuffer && nullTest(d))) continue;
        const r = this.rootIdent(d);
        if (r) out.push(r);
      } else if (d.type === 'call_expression') {
        const name = this.callName(d) ?? '';
        // is_vmalloc_addr() says which branch is which exactly (condIn); execIf guards after the branches
        if (NULL_TESTS.has(name) || CONDITION_WRAPPERS.has(name) || VMALLOC_TESTS.has(name)) continue;
        // a library call that reads or writes the memory (`copy_from_user(msg, …)`, `memcmp()`)
        // reports how that went, not how the memory was obtained: its buffers are not inspected
        const access = ACCESS.get(name);
        const touched = new Set([...access?.read ?? [], ...access?.write ?? []]);
        for (const [i, a] of this.args(d).entries()) {
          if (touched.has(i)) continue;
          // `&fw` of a pointer: an out-parameter the call fills (`request_firmware(&fw, …)`)
          const sa = stripNode(a, true);
          const inner = sa.type === 'pointer_expression' && sa.op === '&' ? child(sa, 'argument') : undefined;
          if (inner?.type === 'identifier' && (this.types.get(this.text(inner))?.ptr ?? 0) > 0) continue;
          if (sa.type === 'identifier' && st) {
            const v = st.vars.get(this.text(sa));
            if (v && v.t === 'buf' && v.b.kind === 'maybe' && !v.b.viaField) continue;
          }
          const r = this.rootIdent(a);
          if (r) out.push(r);
        }
      }
    }
    return out;
  }

  private execIf(s: SNode, st: State): State | null {
    const condNode = child(s, 'condition');
    const before = condNode ? this.condVars(condNode, st) : new Map<string, Val>();
    let [t, e] = condNode ? this.cond(condNode, st, true) : [st, cloneState(st)];
    if (condNode) for (const h of this.inspected(condNode, st)) { t?.guarded.add(h); e?.guarded.add(h); }
    // a flag parameter's value on each branch (`if (to_device)`, `if (!write)`): flushesWhen
    const flag = condNode ? this.flagParam(condNode) : undefined;
    if (flag) { t?.guarded.add(`flag:${flag.index}=${flag.neg ? 0 : 1}`); e?.guarded.add(`flag:${flag.index}=${flag.neg ? 1 : 0}`); }
    // a static function every caller hands the same literal flag (`foo_write(…, true)`): the
    // branch that flag rules out is never taken
    const fixed = flag && this.fn.isStatic ? this.tu.callSites.get(this.fn.name)?.consts?.get(flag.index) : undefined;
    // (its callers say so: a slice keeps them when the function maintains something)
    if (flag && this.fn.isStatic && [...this.fn.calls].some((c) => MAINTENANCE.has(c))) this.tu.demand?.add(`guard:${this.fn.name}`);
    if (flag && (fixed === 0 || fixed === 1)) {
      if ((fixed === 1) !== flag.neg) e = null;
      else t = null;
    }
    const conseq = child(s, 'consequence') as SNode;
    const altClause = child(s, 'alternative');
    const altStmt = altClause ? (altClause.type === 'else_clause' ? altClause.children.find((c) => c.type !== 'comment') : altClause) : undefined;
    if (altStmt) this.discriminatingFrees(conseq, altStmt, t, e);
    if (condNode) this.failedReads(condNode, t, e);
    const thenOut = this.exec(conseq, t);
    const elseOut = altStmt ? this.exec(altStmt, e) : e;
    if (condNode && thenOut && elseOut) this.applyGuard(condNode, before, thenOut, elseOut);
    // Inside its branches an is_vmalloc_addr() test is exact (one is clean, the other vmalloc);
    // after them the code often follows the test through a flag (`if (is_vmalloc_addr(buf))
    // bounce = true; … if (bounce) buf = copy;`): from here on, trust the author as for a mode test.
    // Only when a branch records something: a test whose branches only log or warn decides nothing
    // that later code could follow.
    const tested = condNode ? this.vmallocTested(condNode) : [];
    if (tested.length && (this.recordsSomething(conseq) || (altStmt !== undefined && this.recordsSomething(altStmt)))) {
      for (const h of tested) { thenOut?.guarded.add(h); elseOut?.guarded.add(h); }
    }
    const out = join(thenOut, elseOut);
    // what one branch of a flag test flushed and the other did not: flushed when the flag has
    // that value (`if (to_device) flush(s->mem, …); else invalidate(…);`), for flushesWhen
    if (flag && out && thenOut && elseOut) {
      for (const [a, b, v] of [[thenOut, elseOut, !flag.neg], [elseOut, thenOut, flag.neg]] as const) {
        for (const [id, rec] of a.flushed) if (!rec.wrongRange && !b.flushed.has(id) && (id.startsWith(MEMBER_MAINT) || /^param:\d+$/.test(id))) out.guarded.add(`${FLUSHED_IF}${flag.index}=${v ? 1 : 0}:${id}`);
      }
    }
    return out;
  }

  /** A summary with the flushes its flag parameters select for these arguments (`foo_sync(s, true)`: flushesWhen). */
  private withFlags(s: FunctionSummary, args: SNode[]): FunctionSummary {
    if (!s.flushesWhen?.length) return s;
    let out = s;
    for (const w of s.flushesWhen) {
      const a = args[w.param] ? this.text(this.strip(args[w.param])).trim() : undefined;
      const v = a === 'true' || a === '1' ? true : a === 'false' || a === '0' ? false : undefined;
      if (v !== w.value) continue;
      out = {
        ...out,
        ...(w.params?.length ? { flushesParams: [...new Set([...(out.flushesParams ?? []), ...w.params])] } : {}),
        ...(w.members?.length ? { flushesMembers: [...new Set([...(out.flushesMembers ?? []), ...w.members])] } : {}),
      };
    }
    return out;
  }

  /** A condition that is a scalar parameter, or its negation: which parameter, and whether negated. */
  private flagParam(c: SNode): { index: number; neg: boolean } | undefined {
    let x = this.strip(c);
    let neg = false;
    while (x.type === 'unary_expression' && x.op === '!') {
      neg = !neg;
      x = this.strip(child(x, 'argument') as SNode);
    }
    if (x.type !== 'identifier') return undefined;
    const name = this.text(x);
    const p = this.fn.params.find((q) => q.name === name);
    return p && p.type.ptr === 0 && !p.type.array && !p.type.isStruct ? { index: p.index, neg } : undefined;
  }

  /**
   * `ret = submit_bio_wait(bio); if (ret) return ret;`: on the branch where the read's status says
   * it failed, the buffer holds nothing the code will use, so it needs no invalidate (as the
   * failed-I/O branch of a guarded invalidate needs none). Conditions: the status variable, or the
   * synchronous call that completed the read (`if (submit_bio_wait(bio))`, `if (foo_read(m) < 0)`),
   * alone, negated, or compared with 0.
   */
  private failedReads(condNode: SNode, t: State | null, e: State | null): void {
    const st = t ?? e;
    if (!st || st.completed.size === 0) return;
    // through likely()/unlikely()/WARN_ON()
    let x = this.strip(condNode);
    for (let w; x.type === 'call_expression' && (w = CONDITION_WRAPPERS.get(this.callName(x) ?? '')) !== undefined && this.args(x)[w];) x = this.strip(this.args(x)[w]);
    // the status: a variable holding it, the completing call itself (`if (foo_read(m))`), or the
    // member an asynchronous read's bi_end_io stored its status in (`c->status = bio->bi_status`)
    let name: string | undefined;
    let call: SNode | undefined;
    let member: string | undefined;
    let failIsThen = true;
    const status = (y: SNode) => {
      const z = this.strip(y);
      if (z.type === 'identifier') name = this.text(z);
      else if (z.type === 'call_expression') call = z;
      else if (z.type === 'field_expression') member = child(z, 'field') ? this.text(child(z, 'field') as SNode) : undefined;
      return name !== undefined || call !== undefined || member !== undefined;
    };
    if (x.type === 'identifier' || x.type === 'call_expression' || x.type === 'field_expression') status(x);
    else if (x.type === 'unary_expression' && x.op === '!') {
      const a = child(x, 'argument');
      if (a && status(a)) failIsThen = false;
    } else if (x.type === 'binary_expression') {
      const l = child(x, 'left'), r = child(x, 'right');
      if (l && r && /^0[uUlL]*$/.test(this.text(r).trim()) && status(l)) {
        if (x.op === '!=' || x.op === '<') failIsThen = true;
        else if (x.op === '==' || x.op === '>=') failIsThen = false;
        else name = call = undefined;
      }
    }
    if (!name && !call && !member) return;
    const failed = failIsThen ? t : e;
    if (!failed) return;
    for (const [id, p] of [...failed.completed]) {
      if (member !== undefined) {
        const endIo = p.endIo ?? p.bio?.endIo;
        if (!p.sync && endIo !== undefined && this.endIoStatusMembers(endIo).has(member)) failed.completed.delete(id);
        continue;
      }
      if (p.sync && (name !== undefined ? p.statusVar === name : p.site.span.startOffset === call?.start && p.site.span.endOffset === call.end)) failed.completed.delete(id);
    }
  }

  /** The members a bi_end_io callback of this file stores the bio's status in (`c->status = bio->bi_status;`, `blk_status_to_errno(…)`). */
  private endIoStatusMembers(endIo: string): Set<string> {
    const out = new Set<string>();
    for (const fn of this.defsOf(endIo)) {
      for (const d of bodyNodes(fn.body)) {
        if (d.type !== 'assignment_expression' || d.op !== '=') continue;
        const l = child(d, 'left');
        const r = child(d, 'right');
        const f = l && this.strip(l).type === 'field_expression' ? child(this.strip(l), 'field') : undefined;
        if (f && r && /\bbi_(?:status|error)\b/.test(this.text(r))) out.add(this.text(f));
      }
    }
    return out;
  }

  /**
   * A pointer freed with vfree()/vunmap() in one branch and with a page or slab free in the other
   * (`put_page(virt_to_page(p))`, `kfree(p)`): the condition tells the two kinds of memory apart,
   * as is_vmalloc_addr() would, so in the second branch the buffer is not vmalloc memory.
   */
  private discriminatingFrees(a: SNode, b: SNode, ta: State | null, tb: State | null): void {
    // every if/else passes here: walk the branches only in functions that call a vmalloc-only free
    if (![...VMALLOC_ONLY_FREES].some((nm) => this.fn.calls.has(nm))) return;
    // the pointer each free call of `branch` frees, by text (`argOf`: the freed argument of a name)
    const freed = (branch: SNode, argOf: (name: string) => number | undefined): Map<string, SNode> => {
      const out = new Map<string, SNode>();
      for (const d of descendants(branch)) {
        const k = d.type === 'call_expression' ? argOf(this.callName(d) ?? '') : undefined;
        if (k === undefined) continue;
        let arg = this.args(d)[k];
        if (!arg) continue;
        arg = this.strip(arg);
        // put_page(virt_to_page(p)), __free_page(virt_to_page(p)): the pointer inside
        if (arg.type === 'call_expression' && SINKS.get(this.callName(arg) ?? '')?.kind === 'linear' && this.args(arg)[0]) arg = this.strip(this.args(arg)[0]);
        if (arg.type === 'identifier' || arg.type === 'field_expression') out.set(this.text(arg).replace(/\s+/g, ''), arg);
      }
      return out;
    };
    for (const [vm, lin, st] of [[a, b, tb], [b, a, ta]] as const) {
      if (!st) continue;
      const vfreed = freed(vm, (nm) => (VMALLOC_ONLY_FREES.has(nm) ? 0 : undefined));
      if (vfreed.size === 0) continue;
      for (const [text, node] of freed(lin, (nm) => LINEAR_FREES.get(nm))) {
        if (!vfreed.has(text)) continue;
        const v = node.type === 'identifier' ? st.vars.get(text) : this.fieldVal(node, st);
        if (v && v.t === 'buf') st.clean.add(v.b.id);
      }
    }
  }

  /**
   * A maintenance call under a condition that tests the buffer, or the object holding it, covers the
   * buffer's vmapped paths: the branch without the call is taken to be the non-vmapped one.
   * A condition that does not involve the buffer (`if (sync)`) covers nothing.
   */
  private condVars(condNode: SNode, st: State): Map<string, Val> {
    const m = new Map<string, Val>();
    for (const d of descendants(condNode)) {
      if (d.type !== 'identifier') continue;
      const v = st.vars.get(this.text(d));
      if (v) m.set(this.text(d), v);
    }
    return m;
  }

  private applyGuard(condNode: SNode, before: Map<string, Val>, a: State, b: State): void {
    const idents = new Set<string>();
    for (const d of descendants(condNode)) if (d.type === 'identifier') idents.add(this.text(d));
    const mentions = (id: string, buf: Buf | undefined): boolean => {
      if (buf) {
        if (buf.holders.some((h) => idents.has(h))) return true;
        const root = /^[A-Za-z_]\w*/.exec(buf.display)?.[0];
        if (root && idents.has(root)) return true;
      }
      for (const name of idents) {
        const v = before.get(name);
        if (v && (v.t === 'buf' || v.t === 'isvm' || v.t === 'page' || v.t === 'pages') && v.b.id === id) return true;
      }
      return false;
    };
    const bufOf = (id: string, ...ss: State[]): Buf | undefined => {
      const m = this.maintained.get(id);
      if (m) return m;
      for (const s of ss) {
        const p = s.completed.get(id) ?? s.inflight.get(id);
        if (p) return p.buf;
        for (const v of s.vars.values()) if ((v.t === 'buf' || v.t === 'isvm') && v.b.id === id) return v.b;
      }
      for (const v of before.values()) if ((v.t === 'buf' || v.t === 'isvm') && v.b.id === id) return v.b;
      return undefined;
    };
    for (const [x, y] of [[a, b], [b, a]] as const) {
      for (const id of x.flushed.keys()) {
        // made on the branch an is_vmalloc_addr() test proved linear: it covers nothing
        if (x.clean.has(id) && !y.clean.has(id)) continue;
        if (!y.flushed.has(id) && !y.clean.has(id) && mentions(id, bufOf(id, x, y))) y.clean.add(id);
      }
      for (const id of x.invalidated.keys()) {
        if (x.clean.has(id) && !y.clean.has(id)) continue;
        // the branch without the invalidate is the non-vmapped one, or the failed-I/O one (`if (!ret && …)`)
        const sv = y.completed.get(id)?.statusVar;
        const onStatus = (sv !== undefined && idents.has(sv)) || /\bbi_status\b/.test(this.text(condNode));
        if (y.completed.has(id) && !x.completed.has(id) && (mentions(id, bufOf(id, x, y)) || onStatus)) {
          y.completed.delete(id);
          y.invalidated.set(id, x.invalidated.get(id) as MaintRec);
        }
      }
    }
  }

  private loop(body: SNode | undefined, st: State | null, condNode: SNode | null, update?: SNode, bodyFirst = false, node?: SNode): State | null {
    if (!st || !body) return st;
    const frame: LoopFrame = { breaks: [], conts: [], isSwitch: false, node };
    this.loops.push(frame);
    const exits: (State | null)[] = [];
    let head: State | null = st;
    // parameters every iteration converts (st.converted is a must-fact for the summary)
    let iterConverted: Set<number> | null = null;
    // chunk-by-chunk maintenance every iteration does (a counted loop's span; see below)
    let iterMaint: SpanMaint | null = null;
    const entry = st;
    for (let k = 0; k < 2 && head; k++) {
      let enter: State | null;
      if (bodyFirst && k === 0) enter = cloneState(head);
      else if (condNode) {
        const [t, e] = this.cond(condNode, head);
        exits.push(e);
        enter = t;
      } else enter = cloneState(head);
      frame.conts = [];
      frame.pass = k;
      let out = this.exec(body, enter);
      for (const c of frame.conts) out = join(out, c);
      if (out && update) this.ev(update, out);
      if (out) iterConverted = meet(iterConverted, out.converted);
      if (out) iterMaint = meetMaint(iterMaint, spanMaint(entry, out));
      head = join(head, out);
    }
    this.loops.pop();
    // A counted loop that flushes or invalidates the buffer chunk by chunk (`for (i = 0; i < nr;
    // i++) invalidate_kernel_vmap_range(buf + i * PAGE_SIZE, PAGE_SIZE);`) maintains what its
    // iterations cover together (MaintRec.span, checked against the I/O's ranges in the body).
    // Its run of zero iterations maintains nothing, but then there is nothing of that span to
    // maintain either: the loop's normal exits count it as done, as iterConverted does for a
    // conversion. A `break` out of it (an error path) does not.
    if (iterMaint) {
      for (const e of exits) {
        if (!e) continue;
        for (const [id, { rec, op }] of iterMaint) {
          if (op === 'flush') {
            if (!e.flushed.has(id)) e.flushed.set(id, rec);
          } else if (e.completed.has(id) && !e.invalidated.has(id)) {
            e.completed.delete(id);
            e.invalidated.set(id, rec);
          }
        }
      }
    }
    let exit: State | null = condNode ? null : null;
    for (const e of exits) exit = join(exit, e);
    for (const b of frame.breaks) {
      exit = join(exit, b);
      if (iterConverted && b) iterConverted = meet(iterConverted, b.converted);
    }
    // A loop with no visible condition (macro loops, `for (;;)` with breaks) may run zero or more times.
    if (!condNode) exit = join(exit, head);
    // A helper that converts its buffer in a loop over it (`for_each_sg(…) sg_set_page(sg,
    // virt_to_page(buf), …)`) converts it whenever it maps anything: the run of zero iterations
    // (nothing to map) does not count against the summary's "on every path".
    if (exit && iterConverted) for (const p of iterConverted) exit.converted.add(p);
    return exit;
  }

  private execSwitch(s: SNode, st: State): State | null {
    const condNode = child(s, 'condition');
    // a variable whose cases pick the direction elsewhere in the function (FnStatic.dirLabels): the
    // context decides which of its direction cases runs, as for a boolean (dirPreds)
    const cs = condNode ? this.strip(condNode) : undefined;
    const cur = cs?.type === 'identifier' ? st.vars.get(this.text(cs)) : undefined;
    const labels = cs?.type === 'identifier' && (!cur || cur.t === 'op') ? this.dirLabels.get(this.text(cs)) : undefined;
    if (condNode) this.ev(condNode, st);
    const body = child(s, 'body');
    const frame: LoopFrame = { breaks: [], conts: [], isSwitch: true };
    this.loops.push(frame);
    let fall: State | null = null;
    let hasDefault = false;
    // switch on an op: a case is reachable when the op can equal it; `default` (and falling out of a
    // switch without one) only when the op can be something no case names
    const cases = (body?.children ?? []).filter((c) => c.type === 'case_statement');
    const v = condNode ? this.opValueOf(condNode, st, false) : undefined;
    let covered = 0;
    for (const c of cases) {
      const value = child(c, 'value');
      const cv = value ? DIRECTIONS.get(this.text(value)) : undefined;
      if (cv) covered |= this.constBits(cv.dir);
    }
    const allLabelled = labels !== undefined && cases.every((c) => !child(c, 'value') || labels.has(this.text(child(c, 'value') as SNode).replace(/\s+/g, '')));
    if (labels) this.usedCtx = true;
    const otherValues = labels ? !allLabelled : v === undefined || covered === 0 || (v & ~covered) !== 0;
    for (const c of body?.children ?? []) {
      if (c.type !== 'case_statement') {
        fall = this.exec(c, fall);
        continue;
      }
      const value = child(c, 'value');
      if (!value) hasDefault = true;
      let entry = join(cloneState(st), fall);
      if (entry && labels) {
        // the variable's op value when it has one (a direction parameter), else the context
        const ld = value ? labels.get(this.text(value).replace(/\s+/g, '')) : undefined;
        if (ld !== undefined && (v !== undefined ? !(v & this.constBits(ld)) : ld !== this.ctx)) entry = fall;
        if (!value && !otherValues) entry = fall;
      } else if (entry && v !== undefined) {
        const cv = value ? DIRECTIONS.get(this.text(value)) : undefined;
        if (value && cv && !(v & this.constBits(cv.dir))) entry = fall;
        if (!value && !otherValues) entry = fall;
      }
      fall = this.execBlock(c.children.filter((x) => x.field !== 'value'), entry);
    }
    this.loops.pop();
    let out = fall;
    for (const b of frame.breaks) out = join(out, b);
    if (!hasDefault && otherValues) out = join(out, st);
    return out;
  }

  private declaration(s: SNode, st: State): void {
    for (const d of s.children) {
      if (d.type !== 'init_declarator') continue;
      const nameNode = this.declName(d);
      const value = child(d, 'value');
      if (!nameNode || !value) continue;
      const name = this.text(nameNode);
      if (value.type === 'initializer_list') {
        this.dmIoInit(name, value, st);
        this.xferInit(name, value, st);
        for (const c of descendants(value)) if (c.type === 'call_expression') this.ev(c, st);
        continue;
      }
      this.assignTo(name, value, st, this.types.get(name));
    }
  }

  private declName(d: SNode): SNode | undefined {
    let cur: SNode | undefined = child(d, 'declarator');
    while (cur && cur.type !== 'identifier') cur = child(cur, 'declarator');
    return cur;
  }

  // ---------------------------------------------------------------- conditions

  /** Evaluate a branch condition: returns the states for the true and false outcomes (null = impossible). */
  private cond(n: SNode, st: State, reuse = false): [State | null, State | null] {
    return this.condIn(n, reuse ? st : cloneState(st));
  }

  private condIn(n: SNode, s: State): [State | null, State | null] {
    const x = n.type === 'parenthesized_expression' && n.children.length === 1 ? n.children[0] : n;
    if (x !== n) return this.condIn(x, s);
    if (x.type === 'unary_expression' && x.op === '!') {
      const [t, e] = this.condIn(child(x, 'argument') as SNode, s);
      return [e, t];
    }
    if (x.type === 'call_expression') {
      const w = CONDITION_WRAPPERS.get(this.callName(x) ?? '');
      const inner = w !== undefined ? this.args(x)[w] : undefined;
      if (inner) return this.condIn(inner, s);
    }
    if (x.type === 'binary_expression' && (x.op === '&&' || x.op === '||')) {
      const [t1, e1] = this.condIn(child(x, 'left') as SNode, s);
      if (x.op === '&&') {
        if (!t1) return [null, e1];
        const [t2, e2] = this.condIn(child(x, 'right') as SNode, t1);
        return [t2, join(e1, e2)];
      }
      if (!e1) return [t1, null];
      const [t2, e2] = this.condIn(child(x, 'right') as SNode, e1);
      return [join(t1, t2), e2];
    }
    // a boolean that selects the direction elsewhere in the function is decided by the context
    if (x.type === 'identifier' || x.type === 'field_expression') {
      const p = this.dirPreds.get(this.text(x).replace(/\s+/g, ''));
      if (p !== undefined && !s.vars.has(this.text(x))) {
        this.usedCtx = true;
        // a parameter: the caller's argument decides (summary directionWhenTrue)
        const param = x.type === 'identifier' ? this.fn.params.find((q) => q.name === this.text(x)) : undefined;
        if (param) this.flagDirParams.set(param.index, p.neg ? (p.dir === 'read' ? 'write' : 'read') : p.dir);
        return (p.dir === this.ctx) !== p.neg ? [s, null] : [null, s];
      }
    }
    // is_vmalloc_addr(p), or a boolean holding it
    const vm = this.vmallocTest(x, s);
    if (vm) {
      const t = cloneState(s);
      const e = cloneState(s);
      // a linear-map test failing says no more than "not linear" (highmem, module memory, …)
      if (!vm.linear) {
        this.promote(t, vm.b, 'vmalloc', undefined);
        // this path proved it (guarded is intersected at joins: only while every path did)
        t.guarded.add(`${PROVEN}${vm.b.id}`);
      }
      e.clean.add(vm.b.id);
      const [tt, ee] = vm.neg ? [e, t] : [t, e];
      // a boolean that says something on one outcome only (`bounce = !virt_addr_valid(p) || big`)
      if (vm.onlyWhen === true) return [tt, cloneState(s)];
      if (vm.onlyWhen === false) return [cloneState(s), ee];
      return [tt, ee];
    }
    // direction tests
    const d = this.dirTest(x, s);
    if (d) {
      const t = d.trueBits ? cloneState(s) : null;
      const e = d.falseBits ? cloneState(s) : null;
      if (d.varName) {
        if (t) t.vars.set(d.varName, { t: 'op', v: d.trueBits });
        if (e) e.vars.set(d.varName, { t: 'op', v: d.falseBits });
      }
      return [t, e];
    }
    this.ev(x, s);
    return [s, cloneState(s)];
  }

  private vmallocTest(x: SNode, s: State): { b: Buf; arg?: SNode; neg: boolean; linear?: boolean; onlyWhen?: boolean } | undefined {
    if (x.type === 'call_expression') {
      const name = this.callName(x);
      if (name && (VMALLOC_TESTS.has(name) || LINEAR_TESTS.has(name))) {
        const a = this.args(x)[0];
        if (!a) return undefined;
        const v = this.ev(x, s);
        if (v && v.t === 'isvm') return { b: v.b, arg: a, neg: v.neg, ...(v.linear ? { linear: true } : {}) };
      }
      return undefined;
    }
    if (x.type === 'identifier') {
      const v = s.vars.get(this.text(x));
      if (v && v.t === 'isvm') return { b: v.b, neg: v.neg, ...(v.linear ? { linear: true } : {}), ...(v.onlyWhen !== undefined ? { onlyWhen: v.onlyWhen } : {}) };
    }
    return undefined;
  }

  private constBits(dir: 'read' | 'write' | 'both'): OpSet {
    return dir === 'read' ? OP_R : dir === 'write' ? OP_W : OP_B;
  }

  /**
   * The direction a flag argument selects (`true`, `0`, `!x`, or a `#define` of the file naming
   * one): `whenTrue` or the other; undefined when the argument is not a constant.
   */
  private flagDirection(arg: SNode, whenTrue: 'read' | 'write'): OpSet | undefined {
    let t = this.text(this.strip(arg)).replace(/\s+/g, '');
    let neg = false;
    for (let i = 0; i < 4; i++) {
      if (t.startsWith('!')) { neg = !neg; t = t.slice(1); continue; }
      const d = this.tu.defines.get(t);
      if (d === undefined) break;
      t = d.replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1');
    }
    const b = t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : undefined;
    if (b === undefined) return undefined;
    return (b !== neg) === (whenTrue === 'read') ? OP_R : OP_W;
  }

  /** The op value of an expression, defaulting unknown identifiers to the direction context. */
  private opValueOf(n: SNode, s: State, stripFlags: boolean): OpSet | undefined {
    const x = this.strip(n);
    let v: OpSet | undefined;
    if (x.type === 'identifier') {
      const name = this.text(x);
      const row = DIRECTIONS.get(name);
      if (row) v = this.constBits(row.dir);
      else {
        const cur = s.vars.get(name);
        if (cur && cur.t === 'op') v = cur.v;
        else if (!cur && !/^[A-Z0-9_]+$/.test(name)) {
          v = this.ctxBits;
          s.vars.set(name, { t: 'op', v });
          // the direction comes from a parameter: callers' arguments decide it (summary)
          const p = this.fn.params.find((x) => x.name === name);
          if (p) this.opParams.add(p.index);
        }
      }
    } else if (x.type === 'call_expression') {
      const name = this.callName(x);
      if (name && BIO_OP_ACCESSORS.has(name)) {
        const a = this.args(x)[0];
        const bio = a ? s.bios.get(this.objKey(a)) : undefined;
        v = bio?.op ?? this.ctxBits;
        stripFlags = true;
      }
    } else if (x.type === 'field_expression') {
      const f = child(x, 'field');
      if (f && BIO_OP_FIELDS.has(this.text(f))) {
        const bio = s.bios.get(this.objKey(child(x, 'argument') as SNode));
        v = bio?.op ?? this.ctxBits;
      }
    } else if (x.type === 'binary_expression' && x.op === '|') {
      // `REQ_OP_WRITE | flags`: ops are not OR-ed together (include/linux/blk_types.h: an op in
      // the low bits, flags above), so next to an op constant the rest are flags, variables too
      const ln = child(x, 'left') as SNode;
      const rn = child(x, 'right') as SNode;
      const isOp = (y: SNode) => { const z = this.strip(y); return z.type === 'identifier' && DIRECTIONS.has(this.text(z)); };
      const lOp = isOp(ln);
      const rOp = isOp(rn);
      const l = rOp && !lOp ? undefined : this.opValueOf(ln, s, false);
      const r = lOp && !rOp ? undefined : this.opValueOf(rn, s, false);
      if (l !== undefined || r !== undefined) v = opWithFlags((l ?? 0) | (r ?? 0));
    }
    if (v === undefined) return undefined;
    if (stripFlags) {
      let r = v & (OP_R | OP_W | OP_B);
      if (v & OP_RF) r |= OP_R;
      if (v & OP_WF) r |= OP_W;
      v = r;
    }
    return v;
  }

  private dirTest(x: SNode, s: State): { trueBits: OpSet; falseBits: OpSet; varName?: string } | undefined {
    const ALL = OP_R | OP_W | OP_RF | OP_WF | OP_B;
    if (x.type === 'call_expression') {
      const name = this.callName(x);
      if (name && OP_IS_WRITE.has(name)) {
        const a = this.args(x)[0];
        const v = a ? this.opValueOf(a, s, false) : undefined;
        if (v === undefined) return undefined;
        const w = v & (OP_W | OP_WF | OP_B);
        return { trueBits: w, falseBits: v & ~w & ALL, varName: a && this.strip(a).type === 'identifier' ? this.text(this.strip(a)) : undefined };
      }
      return undefined;
    }
    if (x.type !== 'binary_expression' || !['==', '!=', '&'].includes(x.op ?? '')) return undefined;
    const l = child(x, 'left') as SNode;
    const r = child(x, 'right') as SNode;
    let opSide = l;
    let cst = DIRECTIONS.get(this.text(this.strip(r)));
    if (!cst) {
      cst = DIRECTIONS.get(this.text(this.strip(l)));
      opSide = r;
    }
    if (!cst) return undefined;
    const v = this.opValueOf(opSide, s, false);
    if (v === undefined) return undefined;
    const c = this.constBits(cst.dir);
    let t: OpSet;
    if (x.op === '&') {
      // old `rw & WRITE`: true for writes, with or without flags; READ is 0 so `rw & READ` is never true
      t = cst.dir === 'write' ? v & (OP_W | OP_WF | OP_B) : 0;
    } else {
      // equality compares the whole value: an op with flags OR-ed in equals no bare op
      t = v & c;
    }
    const f = v & ~t & ALL;
    const stripped = this.strip(opSide);
    const varName = stripped.type === 'identifier' ? this.text(stripped) : undefined;
    return x.op === '!=' ? { trueBits: f, falseBits: t, varName } : { trueBits: t, falseBits: f, varName };
  }

  // ---------------------------------------------------------------- expressions

  private ev(n: SNode, st: State): Val | undefined {
    switch (n.type) {
      case 'identifier': {
        const name = this.text(n);
        const v = st.vars.get(name);
        if (v) return v;
        const gv = this.fileVarVal(name, n, st);
        if (gv) return gv;
        const d = DIRECTIONS.get(name);
        if (d && appliesTo(d, this.tu.kernel) !== false) return { t: 'op', v: this.constBits(d.dir) };
        if (this.tu.functions.has(name)) return { t: 'fn', name };
        return undefined;
      }
      case 'parenthesized_expression': {
        const inner = n.children[0];
        if (!inner) return undefined;
        if (inner.type === 'compound_statement') return this.stmtExpr(inner, st);
        return this.ev(inner, st);
      }
      case 'cast_expression': {
        const v = child(n, 'value');
        return v ? this.ev(v, st) : undefined;
      }
      case 'pointer_expression': {
        const a = child(n, 'argument');
        if (!a) return undefined;
        if (n.op === '*') {
          // `*out` after `*out = vmalloc(…)` (outParamStore): the pointer stored there
          const stored = st.vars.get(`*${this.text(this.strip(a))}`);
          if (stored) return stored.t === 'other' ? undefined : stored;
        }
        const v = this.ev(a, st);
        if (n.op === '*') {
          if (v && v.t === 'buf') this.cpuRead(v.b, n, st, true);
          return undefined;
        }
        if (a.type === 'subscript_expression') {
          const base = child(a, 'argument');
          const bv = base ? st.vars.get(this.text(base)) ?? (base.type === 'field_expression' ? this.fieldVal(base, st) : undefined) : undefined;
          const idx = child(a, 'index');
          if (bv && bv.t === 'buf') return { t: 'buf', b: bv.b, adv: true, off: addOff(bv.off, '+', `[${idx ? this.text(idx) : ''}]`) };
        }
        // `&h->seq` of a header laid over the buffer: a pointer into it (`le32_add_cpu(&h->seq, 1)`)
        if (a.type === 'field_expression' && a.op === '->' && !(v && (v.t === 'buf' || v.t === 'fn'))) {
          const ov = this.evNoRead(child(a, 'argument') as SNode, st);
          const f = child(a, 'field');
          if (ov && ov.t === 'buf') return { t: 'buf', b: ov.b, adv: true, off: addOff(ov.off, '+', `->${f ? this.text(f) : ''}`) };
        }
        return v && (v.t === 'buf' || v.t === 'fn') ? v : undefined;
      }
      case 'subscript_expression': {
        const base = child(n, 'argument');
        const idx = child(n, 'index');
        if (idx) this.ev(idx, st);
        if (!base) return undefined;
        const v = this.ev(base, st);
        if (v && v.t === 'buf') {
          this.cpuRead(v.b, n, st, true);
          return undefined;
        }
        if (!v) {
          const ek = this.elemKey(n);
          const ev = ek ? this.locationVal(ek, n, st) : undefined;
          if (ev) return ev;
        }
        if (v && v.t === 'pages') return { t: 'page', b: v.b, off: idx ? `[${this.text(idx).replace(/\s+/g, '')}]` : undefined, step: this.step('page', n, `page ${this.text(n)} is also mapped at \`${v.b.mappedAt ?? v.b.display}\` (${v.b.origin[0]?.message ?? 'vmap()'})`) };
        return undefined;
      }
      case 'field_expression': {
        const obj = child(n, 'argument');
        if (!obj) return undefined;
        const ov = this.ev(obj, st);
        if (ov && ov.t === 'buf' && n.op === '->') {
          this.cpuRead(ov.b, n, st, true);
          return undefined;
        }
        this.structParamAccess(n, 'read');
        return this.fieldVal(n, st);
      }
      case 'binary_expression': {
        const l = child(n, 'left');
        const r = child(n, 'right');
        const lv = l ? this.ev(l, st) : undefined;
        const rv = r ? this.ev(r, st) : undefined;
        if (n.op === '+' || n.op === '-') {
          if (lv && lv.t === 'buf' && r) return { t: 'buf', b: lv.b, adv: true, advSite: lv.advSite, off: addOff(lv.off, n.op, this.text(r)) };
          if (rv && rv.t === 'buf' && n.op === '+' && l) return { t: 'buf', b: rv.b, adv: true, advSite: rv.advSite, off: addOff(rv.off, '+', this.text(l)) };
        }
        // a test kept in a boolean with other conditions: it still says something on one outcome
        if (n.op === '||' || n.op === '&&') {
          const iv = lv?.t === 'isvm' ? lv : rv?.t === 'isvm' ? rv : undefined;
          const when = n.op === '&&';
          if (iv && (iv.onlyWhen === undefined || iv.onlyWhen === when)) return { ...iv, onlyWhen: when };
          return undefined;
        }
        if (n.op === '|') {
          const lo = lv && lv.t === 'op' ? lv.v : undefined;
          const ro = rv && rv.t === 'op' ? rv.v : undefined;
          if (lo !== undefined || ro !== undefined) return { t: 'op', v: opWithFlags((lo ?? 0) | (ro ?? 0)) };
        }
        return undefined;
      }
      case 'conditional_expression': {
        // `is_vmalloc_addr(p) ? vmalloc_to_page(p) : virt_to_page(p)`: each arm sees its side of the test.
        const c = child(n, 'condition');
        const a = child(n, 'consequence');
        const b = child(n, 'alternative');
        const [t, e] = c ? this.cond(c, st, true) : [st, cloneState(st)];
        const av = a && t ? this.ev(a, t) : undefined;
        const bv = b && e ? this.ev(b, e) : undefined;
        const merged = join(t, e);
        if (merged) Object.assign(st, merged);
        if (av && bv && av.t === 'op' && bv.t === 'op') return { t: 'op', v: av.v | bv.v };
        // `virt_addr_valid(p) ? p : bounce`: an arm that is a buffer only where it is linear-map memory
        if (linearOnly(av, t, bv)) return bv;
        if (linearOnly(bv, e, av)) return av;
        // either arm may be the value: the one that is (or may be) vmalloc memory, a page of it,
        // over a parameter's pointer or another value (`len > PAGE_SIZE ? big : bounce`)
        return condRank(bv) > condRank(av) ? bv : av ?? bv;
      }
      case 'assignment_expression':
        return this.assign(n, st);
      case 'update_expression': {
        const a = child(n, 'argument');
        if (!a) return undefined;
        // `buf[0]++`, `h->seq++`, `(*p)--`: a read and a write of the memory
        if (a.type !== 'identifier') {
          this.ev(a, st);
          this.storeThrough(this.strip(a), st, n);
          return undefined;
        }
        const v = this.ev(a, st);
        if (v && v.t === 'buf') {
          const nv: Val = { t: 'buf', b: v.b, adv: true, off: addOff(v.off, n.op === '--' ? '-' : '+', '1'), advSite: this.step('flow', n, `\`${this.text(a)}\` advanced here`) };
          st.vars.set(this.text(a), nv);
          return nv;
        }
        return undefined;
      }
      case 'call_expression':
        return this.call(n, st);
      case 'comma_expression': {
        let last: Val | undefined;
        for (const c of n.children) last = this.ev(c, st);
        return last;
      }
      case 'sizeof_expression':
      case 'alignof_expression':
      case 'offsetof_expression':
      case 'number_literal':
      case 'string_literal':
      case 'char_literal':
      case 'concatenated_string':
      case 'true':
      case 'false':
      case 'null':
        return undefined;
      case 'unary_expression': {
        const a = child(n, 'argument');
        const v = a ? this.ev(a, st) : undefined;
        // `!is_vmalloc_addr(p)`, `!virt_addr_valid(p)` kept in a boolean
        if (n.op === '!' && v?.t === 'isvm') return { ...v, neg: !v.neg, ...(v.onlyWhen !== undefined ? { onlyWhen: !v.onlyWhen } : {}) };
        return undefined;
      }
      case 'initializer_list':
      case 'compound_literal_expression':
      default:
        for (const c of n.children) if (c.type.endsWith('expression') || c.type === 'initializer_list') this.ev(c, st);
        return undefined;
    }
  }

  private stmtExpr(block: SNode, st: State): Val | undefined {
    const stmts = block.children.filter((c) => c.type !== 'comment');
    const last = stmts[stmts.length - 1];
    const out = this.execBlock(last && last.type === 'expression_statement' ? stmts.slice(0, -1) : stmts, st);
    if (out && out !== st) Object.assign(st, out);
    if (last && last.type === 'expression_statement' && last.children[0]) return this.ev(last.children[0], st);
    return undefined;
  }

  private assign(n: SNode, st: State): Val | undefined {
    const lhs = child(n, 'left');
    const rhs = child(n, 'right');
    if (!lhs || !rhs) return undefined;
    const op = n.op ?? '=';
    if (op !== '=') {
      const cur = this.ev(lhs, st);
      const rv = this.ev(rhs, st);
      if (cur && cur.t === 'buf' && (op === '+=' || op === '-=') && lhs.type === 'identifier') {
        const nv: Val = { t: 'buf', b: cur.b, adv: true, off: addOff(cur.off, op === '-=' ? '-' : '+', this.text(rhs)), advSite: this.step('flow', n, `\`${this.text(lhs)}\` advanced here`) };
        st.vars.set(this.text(lhs), nv);
        return nv;
      }
      if (op === '|=') {
        const base = this.opValueOf(lhs, st, false);
        const r = rv && rv.t === 'op' ? rv.v : 0;
        if (base !== undefined || rv?.t === 'op' || this.isFlagExpr(rhs)) {
          const nv: Val = { t: 'op', v: opWithFlags((base ?? this.ctxBits) | r) };
          if (lhs.type === 'identifier') st.vars.set(this.text(lhs), nv);
          else this.storeField(lhs, nv, rhs, st);
          return nv;
        }
      }
      this.storeThrough(lhs, st, n);
      return undefined;
    }
    if (lhs.type === 'identifier') {
      const name = this.text(lhs);
      const v = this.assignTo(name, rhs, st, this.types.get(name));
      // a file-scope variable is shared by the file's functions like a struct member
      const gk = this.fileVarKey(name);
      if (gk) this.storeLocation(gk, lhs, st.vars.get(name), st, rhs);
      return v;
    }
    const rv = this.ev(rhs, st);
    if (lhs.type === 'field_expression') {
      this.structParamAccess(lhs, 'write');
      const obj = child(lhs, 'argument') as SNode;
      const ov = this.ev(obj, st);
      if (ov && ov.t === 'buf' && lhs.op === '->') {
        this.cpuWrite(ov.b, n, st, true);
        return rv;
      }
      if (rv && rv.t === 'holder') {
        // `b->sgl = foo_to_sg(buf)`: tracked like the tables and bios built in place (by root / text)
        this.holdIn(this.sgKey(lhs), this.objKey(lhs), rv, st);
        return undefined;
      }
      if (rv && rv.t === 'bio') {
        // `r->bio = bio_alloc(…, REQ_OP_WRITE, …)`: the bio is tracked by the member's text, with its op
        st.bios.set(this.objKey(lhs), { bufs: new Map(), op: rv.op });
        return undefined;
      }
      this.storeField(lhs, rv, rhs, st);
      return rv;
    }
    if (lhs.type === 'subscript_expression') {
      const base = child(lhs, 'argument');
      const bv = base ? this.evNoRead(base, st) : undefined;
      const ek = !bv ? this.elemKey(lhs) : undefined;
      if (ek) {
        const idx = child(lhs, 'index');
        if (idx) this.ev(idx, st);
        this.storeLocation(ek, lhs, rv, st, child(n, 'right'));
        return rv;
      }
    }
    if (lhs.type === 'pointer_expression' && lhs.op === '*' && this.outParamStore(lhs, rv)) {
      // what the function reads back as `*out` is what it stored there
      const t = child(lhs, 'argument');
      if (t) st.vars.set(`*${this.text(this.strip(t))}`, rv ?? { t: 'other' });
      return rv;
    }
    this.storeThrough(lhs, st, n);
    return rv;
  }

  /**
   * `*out = p` or `*(void **)out = p` with `out` a parameter: an allocation handed back to the
   * caller (summary outVmallocParams). True when the store was one (it writes no buffer).
   */
  private outParamStore(lhs: SNode, rv: Val | undefined): boolean {
    const target = child(lhs, 'argument');
    const root = target ? this.strip(target) : undefined;
    if (!root || root.type !== 'identifier') return false;
    const p = this.fn.params.find((x) => x.name === this.text(root));
    if (!p || !(p.type.ptr >= 2 || (p.type.ptr >= 1 && p.type.base === 'void'))) return false;
    if (rv && rv.t === 'buf' && rv.b.kind !== 'param' && !rv.b.uncached) {
      const k = rv.b.kind === 'maybe' ? 'maybe-vmalloc' : rv.b.kind;
      const m = (this.summary.outVmalloc ??= new Map());
      m.set(p.index, strongerKind(m.get(p.index), k) as SourceKind);
      const size = rv.b.size ? sizeTemplate(rv.b.size, this.fn.params) : undefined;
      if (size && !this.summary.outSize?.has(p.index)) (this.summary.outSize ??= new Map()).set(p.index, size);
    } else if (rv === undefined || rv.t !== 'buf') {
      (this.summary.outOther ??= new Set()).add(p.index);
    }
    return true;
  }

  private isFlagExpr(n: SNode): boolean {
    for (const d of descendants(n)) if (d.type === 'identifier' && isRequestFlag(this.text(d))) return true;
    return false;
  }

  /** `*p = …`, `p[i] = …`: a CPU store through the alias when p points into a buffer. */
  private storeThrough(lhs: SNode, st: State, site: SNode): void {
    if (lhs.type === 'subscript_expression') {
      const base = child(lhs, 'argument');
      const idx = child(lhs, 'index');
      if (idx) this.ev(idx, st);
      const v = base ? this.evNoRead(base, st) : undefined;
      if (v && v.t === 'buf') this.cpuWrite(v.b, site, st, true);
    } else if (lhs.type === 'pointer_expression') {
      const a = child(lhs, 'argument');
      const v = a ? this.evNoRead(a, st) : undefined;
      if (v && v.t === 'buf') this.cpuWrite(v.b, site, st, true);
    } else if (lhs.type === 'field_expression') {
      const obj = child(lhs, 'argument');
      const v = obj ? this.evNoRead(obj, st) : undefined;
      if (v && v.t === 'buf' && lhs.op === '->') this.cpuWrite(v.b, site, st, true);
    } else if (lhs.type === 'parenthesized_expression' && lhs.children[0]) {
      this.storeThrough(lhs.children[0], st, site);
    }
  }

  /** Evaluate an lvalue's base without counting the access as a CPU read. */
  private evNoRead(n: SNode, st: State): Val | undefined {
    const x = n.type === 'parenthesized_expression' && n.children[0] ? n.children[0] : n;
    if (x.type === 'cast_expression') return this.evNoRead(child(x, 'value') as SNode, st);
    if (x.type === 'identifier') return st.vars.get(this.text(x)) ?? this.fileVarVal(this.text(x), x, st);
    if (x.type === 'field_expression') return this.fieldVal(x, st);
    if (x.type === 'binary_expression' && (x.op === '+' || x.op === '-')) {
      const l = this.evNoRead(child(x, 'left') as SNode, st);
      const r = child(x, 'right') as SNode;
      if (l && l.t === 'buf') return { t: 'buf', b: l.b, adv: true, advSite: l.advSite, off: addOff(l.off, x.op as '+' | '-', this.text(r)) };
      this.ev(child(x, 'right') as SNode, st);
      return undefined;
    }
    return this.ev(x, st);
  }

  private storeField(lhs: SNode, rv: Val | undefined, rhs: SNode, st: State): void {
    const obj = child(lhs, 'argument') as SNode;
    const f = child(lhs, 'field');
    const fname = f ? this.text(f) : '';
    const bioKey = this.objKey(obj);
    // `lc->io_req.bi_rw = …` on a known dm_io request sets the request's op, not a bio's
    const reqText = this.text(obj).replace(/\s+/g, '');
    if ((fname === 'bi_rw' || fname === 'bi_op' || fname === 'bi_opf') && this.dmIoReq(this.dmIoKey(reqText), st)) {
      this.dmIoField(this.dmIoKey(reqText), 'op', rhs, rv, st);
      return;
    }
    if (BIO_OP_FIELDS.has(fname)) {
      const bio = this.bio(bioKey, st);
      bio.op = rv && rv.t === 'op' ? rv.v : this.opValueOf(rhs, st, false) ?? this.ctxBits;
      return;
    }
    if (fname === 'bi_end_io') {
      this.bio(bioKey, st).endIo = this.text(this.strip(rhs));
      return;
    }
    if (fname === 'bi_private') {
      const bio = this.bio(bioKey, st);
      bio.priv = rv;
      bio.privText = this.text(this.strip(rhs));
      return;
    }
    if (this.xferStore(obj, fname, lhs, rv, st)) return;
    // dm_io_request built field by field: io_req.mem.type / io_req.mem.ptr.addr / .vma
    const full = this.text(lhs).replace(/\s+/g, '');
    const dm = /^(.+?)(?:\.|->)mem\.(type|ptr\.(?:addr|vma))$/.exec(full);
    if (dm) {
      const f = dm[2] === 'ptr.addr' ? child(lhs, 'field') : undefined;
      this.dmIoField(this.dmIoKey(dm[1]), dm[2], rhs, rv, st, f);
      return;
    }
    const dmOp = /^(.+?)(?:\.|->)(?:bi_rw|bi_op|bi_opf)$/.exec(full);
    if (dmOp && this.dmIoReq(this.dmIoKey(dmOp[1]), st)) {
      this.dmIoField(this.dmIoKey(dmOp[1]), 'op', rhs, rv, st);
      return;
    }
    const key = this.fieldKey(lhs);
    if (!key) return;
    this.storeLocation(key, lhs, rv, st, rhs);
  }

  /** Store a value in a struct-field or array location; vmalloc buffers there are shared by the file. */
  private storeLocation(key: string, lhs: SNode, rv: Val | undefined, st: State, rhs?: SNode): void {
    // a fresh allocation is named after where it is stored (`fw->img`, not `vmalloc(len)`), also
    // when it is one arm of a conditional (`small ? kmalloc(n, …) : kvmalloc(n, …)`)
    const rs = rhs ? this.strip(rhs) : undefined;
    const arms = rs?.type === 'conditional_expression' ? [child(rs, 'consequence'), child(rs, 'alternative')].filter((x): x is SNode => x !== undefined).map((x) => this.strip(x)) : rs ? [rs] : [];
    const fresh = rv && rv.t === 'buf' ? arms.find((x) => rv.b.id === `alloc@${x.start}` && rv.b.display === this.text(x)) : undefined;
    if (rv && rv.t === 'buf' && fresh) {
      rv.b.display = this.text(lhs);
      const h = this.rootIdent(lhs);
      if (h) rv.b.holders = [h];
    }
    // a local's buffer stored in another object's member (`zs->next_out = zbuf`) escapes: whoever
    // is handed that object (zlib_deflate(zs, …)) may write through it
    if (rv && rv.t === 'buf' && rv.b.kind !== 'param' && rhs && lhs.type === 'field_expression' && this.localBufRef(rhs, rv, st)) {
      if (!st.written.has(rv.b.id)) st.written.set(rv.b.id, this.step('flow', lhs, `\`${this.text(this.strip(rhs))}\` stored in ${this.text(lhs)}, assumed written through it`));
    }
    // storing anything else makes the location clean on this path (not the file-wide fact), except
    // a member the file maps as a page array (`c->pages = kcalloc(n, …)` before `vmap(c->pages, …)`):
    // a fresh pointer array there is still the array whose pages the mapping aliases
    if (rv || this.lookupField(key)?.t !== 'pages') st.vars.set(key, rv ?? { t: 'other' });
    else st.vars.delete(key);
    const global = key.startsWith('global:');
    if (!key.startsWith('field:') && !global) return;
    // the field also holds memory that is not vmalloc (kmalloc, a DMA buffer, another pointer)
    if ((!rv || rv.t !== 'buf' || rv.b.kind === 'param') && rhs && !/^\s*(NULL|0|ERR_PTR\b|\(void\s*\*\)\s*0)/.test(this.text(rhs))) {
      const rs = this.strip(rhs);
      const callee = rs.type === 'call_expression' ? child(rs, 'function') : undefined;
      const name = callee?.type === 'identifier' ? this.text(callee) : undefined;
      if (name !== undefined && this.tu.functions.has(name) && !this.tu.summaries.has(name)) {
        // a helper of this file not summarised yet (its round has not come): what it returns is
        // decided after the round (analyze.ts settles `pending:` entries), not taken as other memory
        this.tu.fieldOtherNext.add(`${PENDING}${key}\0${name}`);
      } else if (rs.type === 'call_expression' || rs.type === 'identifier' || rs.type === 'field_expression' || rs.type === 'binary_expression') {
        this.tu.fieldOtherNext.add(key);
      }
    }
    if (rv && rv.t === 'buf' && rv.b.id.startsWith('alloc@') && !rv.adv) this.tu.allocToField.set(rv.b.id, key);
    if (rv && (rv.t === 'buf' || rv.t === 'pages') && rv.b.kind !== 'param') {
      const b: Buf = {
        ...rv.b, id: rv.t === 'pages' ? rv.b.id : key, escapes: true, field: rv.t === 'pages' || global ? undefined : key.slice('field:'.length),
        origin: [...rv.b.origin, this.step('flow', lhs, `stored in ${this.text(lhs)}`)],
      };
      this.tu.fieldValsNext.set(key, rv.t === 'buf' ? { t: 'buf', b, adv: false } : { t: 'pages', b });
    }
    // a DMA handle of a page of a vmalloc buffer kept in a member (`t->dma = dma_map_page(…,
    // vmalloc_to_page(t->win), …)`): another function handing it back to the device with
    // dma_sync_single_for_device() hands back that page
    if (rv && rv.t === 'page' && rv.b.kind !== 'param' && rhs && this.isDmaMapCall(rhs)) {
      // the buffer under the member it was allocated into (`t->win`), as the other functions name it
      const home = this.tu.allocToField.get(rv.b.id);
      const b: Buf = { ...rv.b, escapes: true, viaField: true, ...(home ? { id: home, field: home.slice('field:'.length) } : {}) };
      this.tu.fieldValsNext.set(key, { t: 'page', b, ...(rv.step ? { step: rv.step } : {}) });
    }
  }

  /** The page a DMA handle argument stands for: a mapping's value (isDmaMapCall), else nothing. */
  private handleArg(h: SNode | undefined, args: SNode[], st: State): { b: Buf; step?: TraceStep; off?: Off } | undefined {
    const vals = args.map((a) => this.ev(a, st));
    const v = h ? vals[args.indexOf(h)] : undefined;
    return v && v.t === 'page' ? { b: v.b, step: v.step, off: v.off } : undefined;
  }

  /** Is `e` a call of a dma-map-page row that makes a mapping (its value is a DMA handle)? */
  private isDmaMapCall(e: SNode): boolean {
    const c = this.strip(e);
    const name = c.type === 'call_expression' ? this.callName(c) : undefined;
    const row = name ? SINKS.get(name) : undefined;
    return row !== undefined && row.kind === 'dma-map-page' && !row.handBack;
  }

  private assignTo(name: string, rhs: SNode, st: State, type: VarType | undefined): Val | undefined {
    // bios are tracked by the variable that holds them
    const rs = this.strip(rhs);
    if (type?.base === 'scatterlist' && type.ptr === 1) this.noteSgWalker(name, rs);
    // `sgt = &attach->sgt`: a table member reached through a local pointer (tableMember())
    const addr = stripNode(rhs, true);
    if (addr.type === 'pointer_expression' && addr.op === '&' && rs.type === 'field_expression') this.memberPointers.set(name, rs);
    if (rs.type === 'identifier' && st.bios.has(this.text(rs))) {
      st.bios.set(name, st.bios.get(this.text(rs)) as BioState);
    }
    let v = this.ev(rhs, st);
    if (v && v.t === 'fn') v = undefined;
    if (v && v.t === 'bio') {
      st.bios.set(name, { bufs: new Map(), op: v.op });
      st.vars.delete(name);
      return undefined;
    }
    if (v && v.t === 'holder') {
      this.holdIn(name, name, v, st);
      st.vars.delete(name);
      return undefined;
    }
    // A struct page pointer computed by an unknown function from a buffer address is a page of it;
    // any other value computed that way is not the buffer.
    if (v && v.t === 'derived') {
      v = type && (type.base === 'page' || type.base === 'folio') && type.ptr === 1
        ? { t: 'page', b: v.b, off: v.off, step: this.step('page', rhs, `page of \`${v.b.display}\` from ${this.text(rhs)}`) }
        : undefined;
    }
    // A fresh allocation is named after the variable it is stored in (`buf`, not `vmalloc(len)`).
    if (v && v.t === 'buf' && v.b.id === `alloc@${this.strip(rhs).start}` && v.b.display === this.text(this.strip(rhs))) v.b.display = name;
    if (v) st.vars.set(name, v);
    else st.vars.delete(name);
    return v;
  }

  /** Bind a returned bio/scatterlist to where it is stored: scatterlists by sgKey, bios by bioKey. */
  private holdIn(sgKey: string, bioKey: string, v: Extract<Val, { t: 'holder' }>, st: State): void {
    if (v.kind === 'sg') st.sgs.set(sgKey, new Map(v.adds));
    else st.bios.set(bioKey, { bufs: new Map(v.adds), op: v.op });
  }

  private bio(key: string, st: State): BioState {
    let b = st.bios.get(key);
    if (!b) {
      b = { bufs: new Map() };
      st.bios.set(key, b);
    }
    return b;
  }

  /**
   * `vm_map_ram(pages, …)` after `__bio_add_page(bio, pages[i], …)` and before the submission: the
   * mapping exists while the I/O runs (its lines can be filled before the device's data lands), so
   * the pages the bio carries are the mapping's buffer from here on.
   */
  private vmapLaterAdds(pa: SNode, b: Buf, n: SNode, st: State): void {
    const arr = this.arrayKey(pa);
    if (!arr) return;
    for (const bio of st.bios.values()) {
      const step = bio.arrays?.get(arr);
      if (!step || bio.bufs.has(b.id)) continue;
      bio.bufs = new Map(bio.bufs).set(b.id, { buf: b, steps: [step, this.step('page', n, `the same pages mapped at \`${b.display}\` before the I/O is submitted`)] });
    }
  }

  // ---------------------------------------------------------------- transfer descriptors
  //
  // The buffers put in a transfer descriptor's `.tx_buf`/`.rx_buf` (a local `struct spi_transfer t`,
  // an array of them, or one embedded in a struct: `&st->xfer`), per direction, are st.sgs entries
  // keyed `xfer:w:t` / `xfer:r:t` (tables/transfers.ts), chained into messages and submitted.

  /** Does the path track a scatterlist (not a transfer descriptor, which shares st.sgs)? */
  private anyTable(st: State): boolean {
    for (const k of st.sgs.keys()) if (!k.startsWith(XFER_KEY)) return true;
    return false;
  }

  /**
   * The key a transfer descriptor (or a message holding some) is tracked under, and its type: a
   * local or parameter (`t`, `&t`, `xfers`, `xfers[1]` for an array of them), or a member
   * (`&st->xfer`, `st->msg`, typed through the file's struct definitions).
   */
  private xferKeyOf(e: SNode): { key: string; type?: DeclType } | undefined {
    let x = this.strip(e);
    if (x.type === 'pointer_expression' && x.op === '&') x = this.strip(child(x, 'argument') ?? x);
    if (x.type === 'subscript_expression') x = this.strip(child(x, 'argument') ?? x);
    if (x.type === 'identifier') return { key: this.text(x), type: this.types.get(this.text(x)) };
    if (x.type !== 'field_expression') return undefined;
    const members: string[] = [];
    let root = x;
    while (root.type === 'field_expression') {
      const f = child(root, 'field');
      const a = child(root, 'argument');
      if (!f || !a) return undefined;
      members.unshift(this.text(f));
      root = this.strip(a);
    }
    const type = root.type === 'identifier' ? memberChainType(this.types.get(this.text(root)), members, this.memberOf) : undefined;
    return { key: this.text(x).replace(/\s+/g, ''), type };
  }

  private xferMembers(t: DeclType | undefined): ReadonlyMap<string, 'read' | 'write'> | undefined {
    return t && t.isStruct ? XFER_STRUCTS.get(t.base) : undefined;
  }

  private xferAdd(root: string, member: string, dir: 'read' | 'write', rv: Val | undefined, at: SNode, st: State): void {
    if (!rv || rv.t !== 'buf') return;
    const key = `${XFER_KEY}${dir === 'write' ? 'w' : 'r'}:${root}`;
    const m = new Map(st.sgs.get(key) ?? []);
    m.set(rv.b.id, { buf: rv.b, steps: [this.step('page-add', at, `\`${rv.b.display}\` is the ${member} of transfer \`${root}\`: the bus core maps its pages for DMA through the linear map`)] });
    st.sgs.set(key, m);
  }

  private xferInit(name: string, list: SNode, st: State): void {
    const members = this.xferMembers(this.types.get(name));
    if (!members) return;
    for (const pair of descendants(list)) {
      if (pair.type !== 'initializer_pair') continue;
      const member = pair.children.filter((c) => c.field === 'designator').map((c) => this.text(c).replace(/^\./, '').trim()).pop();
      const dir = member ? members.get(member) : undefined;
      const value = child(pair, 'value');
      if (member && dir && value) this.xferAdd(name, member, dir, this.ev(value, st), value, st);
    }
  }

  /** `t.tx_buf = buf`, `xfers[1].rx_buf = buf`: true when it was a descriptor's buffer member. */
  private xferStore(obj: SNode, member: string, lhs: SNode, rv: Val | undefined, st: State): boolean {
    if (!XFER_MEMBERS.has(member)) return false;
    const k = this.xferKeyOf(obj);
    const dir = this.xferMembers(k?.type)?.get(member);
    if (!k || !dir) return false;
    this.xferAdd(k.key, member, dir, rv, lhs, st);
    return true;
  }

  private xferCall(x: XferCall, name: string, n: SNode, args: SNode[], st: State): void {
    if (x.kind === 'direct') {
      const vals = args.map((a) => this.ev(a, st));
      const v = vals[x.ptr];
      if (v && v.t === 'buf') {
        const added: Added = { buf: v.b, steps: [this.step('page-add', n, `passed to ${name}(): the bus core maps its pages for DMA through the linear map`)] };
        this.submit([added], x.dir === 'write' ? OP_W : OP_R, n, true, st, undefined);
      }
      return;
    }
    args.forEach((a) => this.ev(a, st));
    if (x.kind === 'link') {
      const from = args[x.xfer] ? this.xferKeyOf(args[x.xfer])?.key : undefined;
      const to = args[x.msg] ? this.xferKeyOf(args[x.msg])?.key : undefined;
      if (!from || !to) return;
      for (const d of ['w', 'r']) {
        const adds = st.sgs.get(`${XFER_KEY}${d}:${from}`);
        if (adds) st.sgs.set(`${XFER_KEY}${d}:${to}`, new Map([...(st.sgs.get(`${XFER_KEY}${d}:${to}`) ?? []), ...adds]));
      }
      return;
    }
    const holder = args[x.holder] ? this.xferKeyOf(args[x.holder])?.key : undefined;
    if (!holder) return;
    for (const [d, op] of [['w', OP_W], ['r', OP_R]] as const) {
      const adds = st.sgs.get(`${XFER_KEY}${d}:${holder}`);
      if (adds?.size) this.submit([...adds.values()], op, n, x.sync, st, undefined);
    }
  }

  // ---------------------------------------------------------------- dm_io requests

  private dmIoInit(name: string, list: SNode, st: State): void {
    for (const pair of descendants(list)) {
      if (pair.type !== 'initializer_pair') continue;
      const designators = pair.children.filter((c) => c.field === 'designator').map((c) => this.text(c).replace(/^\./, '')).join('.');
      const value = child(pair, 'value');
      if (!value) continue;
      const path = designators.replace(/\s+/g, '');
      if (path === 'mem.type' || path === 'mem.ptr.addr' || path === 'mem.ptr.vma' || path === 'type' || path === 'ptr.addr' || path === 'ptr.vma') {
        const which = path.replace(/^mem\./, '');
        // the designator naming `addr` (`.mem.ptr.addr`, `.addr`), for the DM_IO_VMA fix
        const last = pair.children.filter((c) => c.field === 'designator').pop();
        const field = last ? descendants(last).find((d) => d.type === 'field_identifier' && this.text(d) === 'addr') : undefined;
        this.dmIoField(`dmio:${name}`, which, value, which === 'type' ? undefined : this.ev(value, st), st, field);
      } else if (path === 'bi_rw' || path === 'bi_op' || path === 'bi_opf') {
        this.dmIoField(`dmio:${name}`, 'op', value, undefined, st);
      }
    }
  }

  /**
   * A dm_io_request is a local (`io_req`) or lives in a struct (`lc->io_req`, filled in one function
   * and submitted from another): the key is the local's name or the field's file-wide location.
   */
  private dmIoKey(reqText: string): string {
    if (/^[A-Za-z_]\w*$/.test(reqText)) return `dmio:${reqText}`;
    const m = /^([A-Za-z_]\w*)(?:\.|->)([A-Za-z_]\w*)$/.exec(reqText);
    if (!m) return `dmio:${reqText}`;
    const t = this.types.get(m[1]);
    return `dmio:field:${t ? t.base : '?'}.${m[2]}`;
  }

  private dmIoReq(key: string, st: State): Extract<Val, { t: 'dmio' }> | undefined {
    const v = st.vars.get(key) ?? (key.startsWith('dmio:field:') ? this.tu.fieldVals.get(key) : undefined);
    return v && v.t === 'dmio' ? v : undefined;
  }

  private dmIoField(key: string, which: string, rhs: SNode, rv: Val | undefined, st: State, addrNode?: SNode): void {
    const prev = this.dmIoReq(key, st);
    const next: Extract<Val, { t: 'dmio' }> = prev ? { ...prev } : { t: 'dmio' };
    if (which === 'type') {
      next.memType = this.text(rhs).trim();
      next.typeSpan = this.span(this.strip(rhs));
    } else if (which === 'op') next.op = this.opValueOf(rhs, st, false);
    else {
      next.buf = rv;
      if (addrNode) next.addrSpan = this.span(addrNode);
      else delete next.addrSpan;
    }
    st.vars.set(key, next);
    // a request in a struct is shared by the file (its memory type and buffer, not its op)
    if (key.startsWith('dmio:field:')) {
      const shared = this.tu.fieldValsNext.get(key);
      const base: Extract<Val, { t: 'dmio' }> = shared && shared.t === 'dmio' ? { ...shared } : { t: 'dmio' };
      if (which === 'type') {
        base.memType = next.memType;
        base.typeSpan = next.typeSpan;
      // reached through a struct from other functions: assumed written before and read after
      } else if (which !== 'op' && rv && rv.t === 'buf' && rv.b.kind !== 'param') {
        base.buf = { ...rv, b: { ...rv.b, escapes: true, viaField: true } };
        if (next.addrSpan) base.addrSpan = next.addrSpan;
      }
      this.tu.fieldValsNext.set(key, base);
    }
  }

  // ---------------------------------------------------------------- calls

  private call(n: SNode, st: State): Val | undefined {
    let name = this.callName(n);
    let args = this.args(n);
    // a function-like macro of this file whose body is one call: call that, with the arguments mapped
    const mac = name ? this.tu.macros.get(name) : undefined;
    if (mac?.block && mac.body && this.macroDepth < 4 && !this.tu.functions.has(name as string)) {
      // a statement macro (`do { … } while (0)`): its statements run here, parameters replaced;
      // a statement expression (`({ …; v; })`) gives its last expression's value
      const s = this.expandMacro(name as string, mac.body, n, mac.value ? 'value' : 'block');
      if (s) {
        this.macroDepth++;
        // what the body does is reported at the outermost invocation
        const outer = this.macroSite;
        this.macroSite ??= n;
        try {
          if (mac.value) return this.ev(s, st);
          const out = this.exec(s, st);
          if (out && out !== st) Object.assign(st, out);
        } finally {
          this.macroDepth--;
          this.macroSite = outer;
        }
        return undefined;
      }
    } else if (mac && !mac.block && !this.tu.functions.has(name as string)) {
      const mapped = mac.argParams.map((i) => (i === null ? undefined : args[i]));
      if (mapped.every((a): a is SNode => a !== undefined)) {
        name = mac.callee;
        args = mapped;
      } else if (mac.body && this.macroDepth < 4) {
        // an argument that is more than a parameter (`vmalloc_to_page(p)`, `PAGE_SIZE`): the body's
        // call, with the parameters replaced by this call's arguments
        const x = this.expandMacro(name as string, mac.body, n);
        if (x) {
          this.macroDepth++;
          try {
            return this.call(x, st);
          } finally {
            this.macroDepth--;
          }
        }
      }
    }
    if (!name) {
      const via = this.pointerTargets(n, args);
      if (via.targets.length) return this.callThrough(via, n, args, st);
      // call through a function pointer: arguments escape
      const vals = args.map((a) => this.ev(a, st));
      for (const t of via.blanked) this.wantIfTracked(t, vals, args, st);
      vals.forEach((v, i) => this.escape(v, args[i], st, n));
      return undefined;
    }
    return this.callNamed(name, n, args, st);
  }

  /**
   * The functions of this file a call through a pointer may run: those stored in the slot it
   * calls through (`x->push(…)` → `push`, `(*fn)(…)` and `fn(…)` → `fn`; fnptr.ts), taking as
   * many parameters as the call passes. Undefined when there are none.
   */
  private pointerTargets(n: SNode, args: SNode[], name?: string): { targets: string[]; blanked: string[] } {
    let slot = name;
    if (slot === undefined) {
      const f = child(n, 'function');
      const fs = f ? this.strip(f) : undefined;
      if (fs?.type === 'field_expression') {
        const fld = child(fs, 'field');
        slot = fld ? this.text(fld) : undefined;
      } else if (fs?.type === 'pointer_expression') {
        // `(*fn)(…)` of a file-scope pointer (a local or parameter `fn` is this function's own)
        const a = child(fs, 'argument');
        slot = a && this.strip(a).type === 'identifier' && !this.types.has(this.text(this.strip(a))) ? this.text(this.strip(a)) : undefined;
      }
    }
    const targets: string[] = [];
    const blanked: string[] = [];
    for (const t of (slot === undefined ? undefined : this.tu.pointerSlots.get(slot)) ?? []) {
      const defs = this.tu.functions.get(t);
      // blanked whole by the scan's slice (defsOf): the scan's next pass brings it when wanted
      if (defs?.length === 0) blanked.push(t);
      else if (defs?.some((g) => g.params.length === args.length)) targets.push(t);
    }
    return { targets, blanked };
  }

  /**
   * A call that runs one of `targets`: each on its own copy of the state, the outcomes joined. The
   * `blanked` ones (a slice left them out) are asked for, for the scan's next pass.
   */
  private callThrough({ targets, blanked }: { targets: string[]; blanked: string[] }, n: SNode, args: SNode[], st: State): Val | undefined {
    for (const t of blanked) this.tu.demand?.add(t);
    const f = child(n, 'function');
    const via = f ? this.text(f).replace(/\s+/g, '') : '';
    const outer = this.through;
    try {
      if (targets.length === 1) {
        this.through = { node: n, name: targets[0], via };
        return this.callNamed(targets[0], n, args, st);
      }
      let out: State | null = null;
      let val: Val | undefined;
      for (const t of targets) {
        this.through = { node: n, name: t, via };
        const s = cloneState(st);
        const v = this.callNamed(t, n, args, s);
        out = join(out, s);
        val ??= v;
      }
      if (out) Object.assign(st, out);
      return val;
    } finally {
      this.through = outer;
    }
  }

  private callNamed(name: string, n: SNode, args: SNode[], st: State): Val | undefined {
    const k = this.tu.kernel;
    const maint = MAINTENANCE.get(name);
    if (maint) {
      this.noteMemberMaintenance(maint.op, args[maint.ptr], n, st);
      const v = args[maint.ptr] ? this.ev(args[maint.ptr], st) : undefined;
      if (args[maint.len]) this.ev(args[maint.len], st);
      if (v && v.t === 'buf') this.maintenance(maint.op, v, n, args, st);
      // a pointer the analysis cannot name: it may be the CPU side of a table it knows (viaTable),
      // or what the next call is handed under the same text (noteSite)
      else if (maint.op === 'flush') {
        const rec = { step: this.step('maintenance', n, `${name}(${args.map((a) => this.text(a)).join(', ')})`), wrongRange: false };
        st.flushed.set(UNRESOLVED_FLUSH, rec);
        const p = args[maint.ptr] ? this.strip(args[maint.ptr]) : undefined;
        if (p) st.flushed.set(`${TEXT_FLUSHED}${this.text(p).replace(/\s+/g, '')}`, rec);
        // a member of a known struct type: what a callee handed the object finds there (noteSite)
        const key = p?.type === 'field_expression' ? this.fieldKey(p) : undefined;
        if (key?.startsWith('field:') && !key.startsWith('field:?.')) st.flushed.set(key, rec);
      }
      return undefined;
    }
    const alloc = ALLOCATORS.get(name);
    if ((alloc && allocatorApplies(alloc, k)) || this.tu.extraAllocators.has(name)) {
      for (const a of args) this.ev(a, st);
      // mapped without the data cache (pgprot_writecombine(), …): no alias lines to maintain
      const prot = alloc?.protArg !== undefined && args[alloc.protArg] ? this.text(args[alloc.protArg]) : undefined;
      const uncached = prot !== undefined && isUncachedProt(prot);
      // mapped read-only (PAGE_KERNEL_RO): never dirty
      const readOnly = prot !== undefined && isReadOnlyProt(prot);
      const row = alloc ?? { kind: 'vmalloc' as const, zeroing: false, size: 0, name };
      let size: string | undefined;
      if (typeof row.size === 'number' && args[row.size]) size = this.text(args[row.size]);
      else if (Array.isArray(row.size) && args[row.size[0]] && args[row.size[1]]) size = `${asFactor(this.text(args[row.size[0]]))} * ${asFactor(this.text(args[row.size[1]]))}`;
      if ('countArg' in row && row.countArg !== undefined && args[row.countArg]) size = `${asFactor(this.text(args[row.countArg]))} * PAGE_SIZE`;
      const kind = row.kind === 'maybe-vmalloc' ? 'maybe' : row.kind;
      const sizeBytes = size ? this.constEval(size) : undefined;
      // a small size, or flags that rule out the vmalloc fallback: kmalloc memory (tables kvmallocFallback)
      if ('gfpArg' in row && row.gfpArg !== undefined) {
        const g = args[row.gfpArg < 0 ? args.length + row.gfpArg : row.gfpArg];
        if (kvmallocFallback(g ? this.text(g) : undefined, sizeBytes ?? (size ? this.sizeBound(size) : undefined), k) === false) return undefined;
      }
      const b: Buf = {
        id: `alloc@${n.start}`, kind, zeroed: row.zeroing, display: this.text(n), escapes: false, holders: [],
        size, sizeBytes, ...(uncached ? { uncached: true } : {}), ...(readOnly ? { readOnly: true } : {}),
        origin: [this.step('alloc', n, `${row.kind === 'vmap' ? 'mapped' : 'allocated'} with ${name}()${kind === 'maybe' ? ' (may fall back to vmalloc)' : ''}`)],
      };
      // a mapping made after a read into its pages completed on this path is fresh: it has no lines
      // the device's data could have left stale (vunmap() flushes an old one's), so that read needs
      // no invalidate through it; a read still in flight when it is made does
      if (row.kind === 'vmap') {
        for (const id of [b.id, this.tu.allocToField.get(b.id)]) {
          if (!id) continue;
          st.completed.delete(id);
          this.freshMapped.set(id, Math.max(this.freshMapped.get(id) ?? -1, n.start));
        }
      }
      if ('pagesArg' in row && row.pagesArg !== undefined && args[row.pagesArg]) {
        // the pages go on without the mapping's value: name it after where the address goes
        // (`src = vm_map_ram(z->pages, …)`), not after the call or the page array
        const parent = n.parent;
        const to = parent?.type === 'assignment_expression' ? child(parent, 'left') : parent?.type === 'init_declarator' ? this.declName(parent) : undefined;
        if (to && (to.type === 'identifier' || to.type === 'field_expression')) b.display = this.text(to);
        const pa = this.strip(args[row.pagesArg]);
        this.vmapLaterAdds(pa, b, n, st);
        const pv: Val = { t: 'pages', b };
        if (pa.type === 'identifier') st.vars.set(this.text(pa), pv);
        else if (pa.type === 'field_expression') this.storeField(pa, pv, pa, st);
      }
      return { t: 'buf', b, adv: false };
    }
    // the linear address of a page of a vmalloc buffer: that page, for the sinks it reaches (asPage)
    if (PAGE_ADDRESS.has(name)) {
      const vals = args.map((a) => this.ev(a, st));
      return vals[0]?.t === 'page' ? vals[0] : undefined;
    }
    if (LINEAR_ALLOCATORS.has(name)) {
      args.forEach((a) => this.ev(a, st));
      return undefined;
    }
    const ev = EVIDENCE_PAGE_OF.get(name);
    if (ev) {
      const a = args[ev.ptr];
      const v = a ? this.ev(a, st) : undefined;
      const b = this.bufForEvidence(a, v, n, st, `passed to ${name}() here`, 'vmalloc');
      return b ? { t: 'page', b, off: v && v.t === 'buf' ? v.off : this.offOfExpr(a), step: this.step('page', n, `page of \`${b.display}\` from ${name}()`) } : undefined;
    }
    if (VMALLOC_TESTS.has(name)) {
      const a = args[0];
      const v = a ? this.ev(a, st) : undefined;
      const b = this.bufForEvidence(a, v, n, st, `tested with ${name}() here`, 'maybe');
      return b ? { t: 'isvm', b, neg: false } : undefined;
    }
    // virt_addr_valid(p) of a buffer known here (a parameter too): true where it is linear-map
    // memory; never evidence that it is vmalloc memory
    if (LINEAR_TESTS.has(name)) {
      const v = args[0] ? this.ev(args[0], st) : undefined;
      return v && v.t === 'buf' ? { t: 'isvm', b: v.b, neg: true, linear: true } : undefined;
    }
    const setter = BIO_OP_SETTERS.get(name);
    if (setter && (setter.minArgs === undefined || args.length >= setter.minArgs)) {
      const vals = args.map((a) => this.ev(a, st));
      // a literal 0 is REQ_OP_READ (include/linux/blk_types.h: REQ_OP_READ = 0), the op of a
      // bio whose op is filled in later (`bio_alloc(bdev, nr, 0, GFP_NOFS)`)
      const zero = setter.op >= 0 && setter.bio === 'result' && args[setter.op] !== undefined && /^0[uUlL]*$/.test(this.text(this.strip(args[setter.op])));
      const opv = zero ? OP_R : setter.op >= 0 && args[setter.op] ? this.opValueOf(args[setter.op], st, false) ?? (vals[setter.op]?.t === 'op' ? (vals[setter.op] as { v: number }).v : undefined) : undefined;
      if (setter.bio === 'result') return { t: 'bio', op: opv };
      const key = this.objKey(args[setter.bio]);
      const bio = name === 'bio_init' || name === 'bio_reset' ? { bufs: new Map<string, Added>() } as BioState : this.bio(key, st);
      let op = opv;
      if (name === 'bio_set_op_attrs' && op !== undefined && args[2] && this.text(args[2]).trim() !== '0') op = opWithFlags(op);
      bio.op = op ?? bio.op;
      st.bios.set(key, bio);
      return undefined;
    }
    if (setter && setter.bio === 'result') {
      args.forEach((a) => this.ev(a, st));
      return { t: 'bio' }; // 2.6-era bio_alloc(gfp, nr_vecs): no op
    }
    if (name === 'bio_chain') {
      if (args.length >= 2) {
        const from = this.objKey(args[0]);
        const to = this.objKey(args[1]);
        const b = this.bio(from, st);
        b.chainedInto = to;
        this.bio(to, st);
      }
      return undefined;
    }
    const sink = SINKS.get(name);
    if (sink && sinkApplies(sink, k)) {
      return this.sinkCall(sink, n, args, st);
    }
    const xfer = XFER_CALLS.get(name);
    if (xfer) {
      this.xferCall(xfer, name, n, args, st);
      return undefined;
    }
    if (this.tu.extraSinks.has(name)) {
      // every buffer argument, wherever it is (`foo_submit(dev, buf, len)`: a `void *dev` is a
      // parameter's pointer too, and the buffer is rarely first)
      const vals = args.map((a) => this.ev(a, st));
      for (const v of vals) {
        if (!v || v.t !== 'buf') continue;
        const added: Added = { buf: v.b, steps: [this.step('page-add', n, `passed to ${name}() (configured sink)`)] };
        this.submit([added], this.ctxBits, n, false, st, undefined);
      }
      return undefined;
    }
    if (COMPLETION_WAITS.has(name) || DMA_COMPLETIONS.has(name)) {
      args.forEach((a) => this.ev(a, st));
      for (const [id, p] of st.inflight) {
        st.completed.set(id, { ...p, steps: [...p.steps, this.step('complete', n, `I/O completes: ${name}()`)], insertAfter: this.insertAfterOffset(n), indent: indentAt(this.src, this.stmtOf(n).start) });
      }
      st.inflight.clear();
      return undefined;
    }
    const freeArg = FREES.has(name) ? 0 : LINEAR_FREES.get(name);
    if (freeArg !== undefined) {
      const vals = args.map((a) => this.ev(a, st));
      const v = vals[freeArg];
      if (v && v.t === 'buf') {
        st.completed.delete(v.b.id);
        st.inflight.delete(v.b.id);
        // unmapping writes the alias back and removes it (tables VMALLOC_UNMAPS): the pages of a
        // vunmap()ed / vm_unmap_ram()ed buffer are plain pages from here on
        if (VMALLOC_UNMAPS.has(name)) st.clean.add(v.b.id);
      }
      return undefined;
    }
    const store = STORE_MACROS.get(name);
    if (store && args[store.target]) {
      // `WRITE_ONCE(buf[0], v)`: the assignment `buf[0] = v`; `smp_store_release(p, v)`: `*p = v`
      if (args[store.value]) this.ev(args[store.value], st);
      const t = this.strip(args[store.target]);
      if (!store.pointer) this.storeThrough(t, st, n);
      else if (t.type === 'pointer_expression' && t.op === '&') this.storeThrough(this.strip(child(t, 'argument') as SNode), st, n);
      else {
        const v = this.evNoRead(t, st);
        if (v && v.t === 'buf') this.cpuWrite(v.b, n, st, true);
      }
      return undefined;
    }
    const container = CONTAINERS.get(name);
    if (container) return this.containerCall(container, n, args, st);
    const access = ACCESS.get(name);
    if (access) {
      const vals = args.map((a) => this.ev(a, st));
      vals.forEach((v, i) => {
        if (!v || v.t !== 'buf') {
          if (args[i] && access.write?.includes(i)) this.structParamAccess(args[i], 'write');
          if (args[i] && access.read?.includes(i)) this.structParamAccess(args[i], 'read');
          return;
        }
        if (access.write?.includes(i)) this.cpuWrite(v.b, n, st, true);
        if (access.read?.includes(i)) this.cpuRead(v.b, n, st, true);
        if (!access.write?.includes(i) && !access.read?.includes(i) && !access.none?.includes(i)) this.escape(v, args[i], st, n);
      });
      return undefined;
    }
    const summary = this.tu.summaries.get(name) ?? (this.tu.analyzed.has(name) ? { name, file: this.tu.file } : undefined);
    if (summary) return this.applySummary(name, summary, n, args, st);
    // a file-scope variable holding functions of this file (`submit_fn(buf, len)`); a local or a
    // parameter of that name is this function's own (its slot may be another function's local)
    const via = this.tu.functions.has(name) || this.types.has(name) ? undefined : this.pointerTargets(n, args, name);
    if (via?.targets.length) return this.callThrough(via, n, args, st);
    // Unknown function: every buffer argument escapes (assumed written and read).
    const vals = args.map((a) => this.ev(a, st));
    // A function of another file without a summary yet: what it is passed still goes to the scan,
    // which hands it to that file (its helper may prove the buffer is vmalloc memory).
    if (!this.tu.functions.has(name)) this.noteSite(name, n, args, vals, st);
    else this.wantIfTracked(name, vals, args, st);
    for (const t of via?.blanked ?? []) this.wantIfTracked(t, vals, args, st);
    let bufArg: Val | undefined;
    vals.forEach((v, i) => {
      if (v && v.t === 'buf') bufArg = bufArg ?? v;
      this.escape(v, args[i], st, n);
    });
    if (bufArg && bufArg.t === 'buf') return { t: 'derived', b: bufArg.b, off: bufArg.off };
    const pages = vals.filter((v): v is Extract<Val, { t: 'page' }> => v !== undefined && v.t === 'page');
    if (pages.length === 1) return pages[0];
    return undefined;
  }

  /**
   * `xa_store(&bc->tables, id, tab, gfp)` keeps `tab` in the container as an array member keeps it
   * (`field:blobcache.tables[]`, file-wide for a member or a file-scope container); a lookup in the
   * same container (`xa_load(&bc->tables, id)`) gives it back (tables CONTAINERS).
   */
  private containerCall(row: ContainerRow, n: SNode, args: SNode[], st: State): Val | undefined {
    const vals = args.map((a) => this.ev(a, st));
    const cArg = args[row.container];
    let c = cArg ? this.strip(cArg) : undefined;
    if (c?.type === 'pointer_expression' && c.op === '&') c = this.strip(child(c, 'argument') as SNode);
    const key = !c ? undefined : c.type === 'identifier' ? (this.fileVarKey(this.text(c)) ? `global:${this.text(c)}[]` : `elem:${this.text(c)}[]`) : c.type === 'field_expression' ? this.arrayKey(c) : undefined;
    const out = row.load && key && c ? this.locationVal(key, c, st) : undefined;
    if (row.entry !== undefined && key && c && args[row.entry]) this.storeLocation(key, c, vals[row.entry], st, args[row.entry]);
    return out;
  }

  /** Offset text of `base + e` written inline when the base had no value yet (evidence on a parameter or field). */
  private offOfExpr(a: SNode): Off {
    const s = this.strip(a);
    if (s.type === 'binary_expression' && (s.op === '+' || s.op === '-')) {
      const r = child(s, 'right');
      return r ? addOff(this.offOfExpr(child(s, 'left') as SNode), s.op, this.text(r)) : undefined;
    }
    return undefined;
  }

  /** The buffer a pointer names when a call proves (or suggests) it is a vmalloc address. */
  private bufForEvidence(a: SNode | undefined, v: Val | undefined, n: SNode, st: State, what: string, kind: 'vmalloc' | 'maybe'): Buf | undefined {
    if (!a) return undefined;
    if (v && v.t === 'buf') {
      if (v.b.kind === 'param' || (v.b.kind === 'maybe' && kind === 'vmalloc')) return this.promote(st, v.b, kind, this.step('alloc', n, `\`${this.text(a)}\` ${what}: a vmalloc address${kind === 'maybe' ? ' on some paths' : ''}`));
      return v.b;
    }
    const s = this.strip(a);
    const baseExpr = s.type === 'binary_expression' && (s.op === '+' || s.op === '-') ? this.strip(child(s, 'left') as SNode) : s;
    if (baseExpr.type !== 'identifier' && baseExpr.type !== 'field_expression' && baseExpr.type !== 'subscript_expression') return undefined;
    // a local set once from a member of a struct pointer (`void *p = x->buf;`): that member's memory
    const init = baseExpr.type === 'identifier' ? /^\s*([A-Za-z_]\w*)\s*->\s*([A-Za-z_]\w*)\s*$/.exec(this.walkInits.get(this.text(baseExpr)) ?? '') : null;
    const initType = init ? this.types.get(init[1]) : undefined;
    const viaLocal = init && initType?.isStruct && initType.ptr === 1 && !this.types.get(this.text(baseExpr))?.isStruct ? `field:${initType.base}.${init[2]}` : undefined;
    const key = baseExpr.type === 'field_expression' ? this.fieldKey(baseExpr) : baseExpr.type === 'subscript_expression' ? this.elemKey(baseExpr) : viaLocal;
    if (baseExpr.type === 'subscript_expression' && !key) return undefined;
    const holder = viaLocal ? init?.[1] : this.rootIdent(baseExpr);
    const b: Buf = {
      id: key ?? `ev:${this.text(baseExpr)}`, kind, zeroed: false, display: this.text(baseExpr), escapes: true,
      holders: holder && (baseExpr.type === 'field_expression' || viaLocal) ? [holder] : [], field: key?.slice('field:'.length),
      origin: [this.step('alloc', n, `\`${this.text(baseExpr)}\` ${what}: a vmalloc address${kind === 'maybe' ? ' on some paths' : ''}`)],
    };
    if (baseExpr.type === 'identifier') st.vars.set(this.text(baseExpr), { t: 'buf', b, adv: false });
    else if (key) st.vars.set(key, { t: 'buf', b, adv: false });
    return b;
  }

  /**
   * A parameter this path proved to be vmalloc memory (`if (is_vmalloc_addr(p))`, `vmalloc_to_page(p)`):
   * a linear-map conversion of it here is wrong whatever the caller passed (a caller passing
   * linear memory never takes this path), so it is reported here, not left to a summary that
   * holds only what every path does.
   */
  private provenHere(b: Buf, st: State): boolean {
    return st.guarded.has(`${PROVEN}${b.id}`) || (b.kind === 'vmalloc' && b.param !== undefined);
  }

  /** Upgrade a parameter/maybe buffer to a vmalloc one on this path (same id: its maintenance state carries over). */
  private promote(st: State, b: Buf, kind: 'vmalloc' | 'maybe', why: TraceStep | undefined): Buf {
    const nk = b.kind === 'param' ? kind : b.kind === 'maybe' && kind === 'vmalloc' ? 'maybe' : b.kind;
    if (nk === b.kind && !why) return b;
    const nb: Buf = { ...b, kind: nk, origin: why ? [...b.origin, why] : b.origin };
    for (const [k, v] of st.vars) {
      if ((v.t === 'buf' || v.t === 'isvm' || v.t === 'page' || v.t === 'pages') && v.b.id === b.id) st.vars.set(k, { ...v, b: nb } as Val);
    }
    return nb;
  }

  private escape(v: Val | undefined, arg: SNode | undefined, st: State, site: SNode): void {
    if (!v || v.t !== 'buf') return;
    if (v.b.kind === 'param' && v.b.param !== undefined) {
      this.summary.writes.add(v.b.param);
      this.summary.reads.add(v.b.param);
    }
    this.noteMemberAccess('write', v.b, st);
    if (!st.written.has(v.b.id)) st.written.set(v.b.id, this.step('flow', site, `\`${arg ? this.text(arg) : v.b.display}\` passed to ${this.text(child(site, 'function') ?? site)}(), assumed to write it`));
    this.cpuRead(v.b, site, st, false);
  }

  private cpuWrite(b: Buf, site: SNode, st: State, visible: boolean, message?: string): void {
    if (b.kind === 'param' && b.param !== undefined) this.summary.writes.add(b.param);
    this.noteMemberAccess('write', b, st);
    const cur = st.written.get(b.id);
    const flush = st.flushed.get(b.id);
    // after a flush, this write is the one left dirty (the earlier ones were written back)
    if (!cur || (visible && cur.kind !== 'cpu-write') || (flush && !flush.wrongRange && (visible || cur.kind !== 'cpu-write'))) {
      const what = `${this.text(site).split('\n')[0].slice(0, 80)}`;
      // no line number in the text: the memo relocates steps, not the words in them
      const after = flush && !flush.wrongRange ? ' after it was flushed' : '';
      st.written.set(b.id, this.step(visible ? 'cpu-write' : 'flow', site, message ?? `written by the CPU through the alias${after}: ${what}`));
    }
    // a write after a flush dirties the alias again, and the member this path keeps it in
    // (`flush(d->log, …)` then `memcpy(d->log, …)`: a callee handed `d` gets it dirty)
    st.flushed.delete(b.id);
    for (const [k, v] of st.vars) if (k.startsWith('field:') && v.t === 'buf' && v.b.id === b.id) st.flushed.delete(MEMBER_MAINT + k.slice('field:'.length));
    for (const m of [...[...st.bios.values()].map((x) => x.bufs), ...st.sgs.values()]) {
      const a = m.get(b.id);
      if (a?.flushedAtAdd) m.set(b.id, { ...a, flushedAtAdd: undefined });
    }
  }

  private cpuRead(b: Buf, site: SNode, st: State, visible: boolean, message?: string): void {
    if (b.kind === 'param' && b.param !== undefined) this.summary.reads.add(b.param);
    this.noteMemberAccess('read', b, st);
    const p = st.completed.get(b.id);
    if (!p) return;
    st.completed.delete(b.id);
    if (this.isSym(b) || this.isSym(p.buf)) {
      // a parameter read into and then read here: the caller passing vmalloc memory gets the finding
      if (b.param !== undefined && b.id === `param:${b.param}`) this.summary.readsCompleted.add(b.param);
      return;
    }
    const readStep = this.step('cpu-read', site, message ?? (visible ? `read by the CPU here: ${this.text(site).split('\n')[0].slice(0, 80)}` : `passed to ${this.text(child(site, 'function') ?? site)}() after the I/O, assumed to read it`));
    this.reportMissingInvalidate(p, [readStep]);
  }

  private maintenance(op: 'flush' | 'invalidate', v: Extract<Val, { t: 'buf' }>, n: SNode, args: SNode[], st: State): void {
    const b = v.b;
    this.maintained.set(b.id, b);
    // an invalidate of an advanced pointer that covers exactly where the completed read put its
    // pages (a loop that reads and invalidates chunk by chunk) is right
    const chunk = op === 'invalidate' && v.adv ? st.completed.get(b.id)?.ranges : undefined;
    const wrongRange = v.adv && v.advSite !== undefined && !(chunk?.length && chunk.every((r) => r.off === v.off));
    const rec: MaintRec = { step: this.step('maintenance', n, `${op === 'flush' ? 'flush_kernel_vmap_range' : 'invalidate_kernel_vmap_range'}(${args.map((a) => this.text(a)).join(', ')})`), wrongRange };
    // a parameter's buffer, symbolic or typed from the call sites (`param:N`, as the flush summary
    // reads st.flushed): a caller's read through it is invalidated by the call
    if (b.param !== undefined && b.id === `param:${b.param}` && !wrongRange) {
      if (op === 'invalidate') this.summary.invalidates.add(b.param);
    }
    // An invalidate of an advanced pointer comes after the I/O it should cover: reported here. A
    // flush of one is judged at the submission it precedes (submit()): wrong when that I/O carries
    // pages added before the flush, right in a loop that flushes each chunk and then adds it.
    if (wrongRange && op === 'flush') rec.advSite = v.advSite;
    else if (wrongRange && !this.isSym(b)) this.reportAdvancedMaint(op, b, v.advSite, rec.step, n, args, st);
    rec.off = v.off;
    rec.len = args[1] ? this.text(args[1]).replace(/\s+/g, '') : undefined;
    // one chunk per iteration of a counted loop (at `i * L`, or at a pointer advanced by L after it)
    const span = args[1] ? this.loopSpan(v.off, rec.len as string, this.text(args[1]).replace(/\s+/g, ' ').trim(), n, args[0], { b, st }) : undefined;
    if (span) rec.span = span;
    else {
      // the same start on every iteration: `for (off …) { flush(buf, L); add(buf + off, L); }`
      const frame = [...this.loops].reverse().find((f) => !f.isSwitch);
      const body = frame?.node ? child(frame.node, 'body') : undefined;
      if (frame?.node && body && this.everyIteration(n, body) && args[0] && !this.movesInLoop(args[0], frame.node)) rec.loopAt = frame.node.start;
    }
    if (op === 'flush') {
      st.flushed.set(b.id, rec);
    } else {
      // Only an invalidate after completion counts; one before completion (e.g. right after an
      // asynchronous submit_bio()) leaves the read unprotected.
      const p = st.completed.get(b.id);
      if (p) {
        st.completed.delete(b.id);
        st.invalidated.set(b.id, rec);
        if (!rec.wrongRange && !this.isSym(b)) this.checkRange(rec, p.ranges ?? [], b, n, args, 'invalidate');
      } else {
        // remembered for the finding's message: the author meant to invalidate, too early
        const q = st.inflight.get(b.id);
        if (q && !q.earlyInvalidate) st.inflight.set(b.id, { ...q, earlyInvalidate: this.step('maintenance', n, `${this.callName(n) ?? 'invalidate_kernel_vmap_range'}() runs while the read is still in flight: lines the device's data replaces can be fetched again before it completes`) });
        // before any read of it: only named if a read later goes unprotected (the message, not the state)
        else if (!q && !this.preIoInvalidates.has(b.id)) this.preIoInvalidates.set(b.id, this.step('maintenance', n, `${this.callName(n) ?? 'invalidate_kernel_vmap_range'}() runs before the read is submitted: the lines the CPU reads afterwards can be fetched again during the I/O`));
      }
    }
  }

  /**
   * Does a maintenance call leave part of what the I/O carries out? Offsets and lengths are
   * compared as source text (canonical), or as constants where both evaluate:
   * - same offset as the I/O range and a length not shorter (shorter()): covered;
   * - from the buffer's start: covered, unless a constant length is shorter than the constant size
   *   of a buffer whose I/O reaches past the start, or the length is shorter than what an I/O range
   *   from the start carries (an add's own length, or a counted loop's span); the allocation's own
   *   size covers anything;
   * - any other offset (`buf + sizeof(*hdr)`) against an I/O range at a different offset: not covered.
   * Undefined when covered; else the I/O length it falls short of, when one was compared.
   */
  private shortfall(rec: MaintRec, ranges: IoRange[], b: Buf): { len?: string; lenText?: string; chunkOff?: Off; fromStart?: string } | undefined {
    // a call in a counted loop, chunk by chunk, maintains what the loop's iterations cover together
    const off = rec.span ? rec.span.off : rec.off;
    const len = rec.span ? rec.span.len : rec.len;
    // `sizeof(p)` of a pointer: 4 or 8 bytes, whatever p points to
    if (len !== undefined && this.sizeofPointer(len) !== undefined && !ranges.some((r) => r.len !== undefined && bareExpr(r.len) === bareExpr(len))) {
      // what the I/O carries from the same start, when it says (one add, or a counted loop's span)
      for (const r of ranges) {
        const whole = carriedFrom(r, off) ?? (r.off === off ? r : undefined);
        if (whole?.len !== undefined) return { len: whole.len, lenText: whole.lenText };
      }
      return {};
    }
    if (off === undefined) {
      if (len !== undefined && b.size !== undefined && bareExpr(len) === bareExpr(b.size)) return undefined;
      // one chunk's length at the buffer's start, on every iteration of the loop that adds the
      // chunks at moving offsets: the later chunks are never covered
      const chunks = rec.loopAt !== undefined && !rec.span && len !== undefined
        ? ranges.find((r) => r.loopAt === rec.loopAt && (r.span || r.moving) && r.off !== undefined && r.len !== undefined && (bareExpr(r.len) === bareExpr(len) || clampArgs(r.len).some((x) => bareExpr(x) === bareExpr(len))))
        : undefined;
      if (chunks) return { len: chunks.span?.len, lenText: chunks.span?.lenText, chunkOff: chunks.off };
      const ml = len === undefined ? undefined : this.constEval(len);
      const size = b.sizeBytes ?? (b.size ? this.constEval(b.size) : undefined);
      const beyondStart = ranges.length === 0 || ranges.some((r) => r.off !== undefined);
      if (ml !== undefined && size !== undefined && ml < size && beyondStart) return {};
      if (len !== undefined && b.size !== undefined && beyondStart && this.partOf(len, b.size)) return {};
      for (const r of ranges) {
        const whole = carriedFrom(r, undefined);
        if (whole && (this.shorter(len, whole.len) || this.oneUnit(rec, len, r))) return { len: whole.len, lenText: whole.lenText };
      }
      return undefined;
    }
    if (ranges.length === 0) return {};
    // the I/O carries the buffer from its start (one add, or a counted loop's span), the call starts
    // inside it (`flush(hdr + 1, len)` for a header and payload written out together): that length
    // from the buffer's start is what the call must cover (for the fix)
    const head = ranges.map((r) => r.span ?? r).find((w) => w.off === undefined && w.lenText !== undefined);
    const fromStart = head?.lenText !== undefined && ranges.every((r) => (r.span ?? r).off === undefined) ? { fromStart: head.lenText } : {};
    for (const r of ranges) {
      const whole = r.span?.off === off ? r.span : undefined;
      if (whole && (this.shorter(len, whole.len) || this.oneUnit(rec, len, r))) return { len: whole.len, lenText: whole.lenText };
      // parts added in a loop the analysis cannot add up (`while (off < len) { add(start + off, L);
      // off += L; }`), from the maintained start on: not provably outside what the call covers
      if (r.inLoop && r.off !== undefined && this.startsAt(r.off, off)) continue;
      if (r.off !== off && r.span?.off !== off) return fromStart;
      if (r.off === off && this.shorter(len, r.len)) return { len: r.len, lenText: r.lenText };
    }
    return undefined;
  }

  /** Does offset `o` start at offset `from` (`first+off` from `first`): every term of `from` is one of `o`'s? */
  private startsAt(o: string, from: string): boolean {
    const terms = splitTop(o, '+').map(bareExpr);
    return splitTop(from, '+').map(bareExpr).every((t) => terms.includes(t));
  }

  /**
   * A flush or invalidate of one unit of a pointer walk, made once outside it (`flush(p, PAGE_SIZE)`
   * before `while (p < buf + n) { add(p, PAGE_SIZE); p += PAGE_SIZE; }`): the walk is written to
   * carry several units, so one is short whenever it does, as exceeds() counts a variable factor.
   */
  private oneUnit(rec: MaintRec, len: string | undefined, r: IoRange): boolean {
    const unit = r.span?.unit;
    if (rec.span || len === undefined || unit === undefined || bareExpr(len) === bareExpr(r.span?.len ?? '')) return false;
    const a = this.constEval(len);
    return bareExpr(len) === bareExpr(unit) || (a !== undefined && a === this.constEval(unit));
  }

  /**
   * `len` when it is the size of a pointer or of one scalar element, never a buffer's: `sizeof(p)`
   * of a pointer variable or member (`sizeof(d->buf)` of a `u8 *buf`), or `sizeof(*d->buf)`
   * (1 byte). `what` names it for the message.
   */
  private sizeofPointer(len: string): { operand: string; what: 'pointer' | 'element'; bytes?: number } | undefined {
    const m = /^sizeof(?:\((.+)\)|([*A-Za-z_].*))$/s.exec(bareExpr(len));
    const operand = m ? (m[1] ?? m[2]) : undefined;
    if (!operand) return undefined;
    const o = sizeofOperand(operand, (name) => this.types.get(name), this.memberOf);
    if (!o) return undefined;
    if ('pointer' in o) return /^\*/.test(operand) ? undefined : { operand, what: 'pointer' };
    // one scalar element (`sizeof(*buf)` of a `u8 *buf`), not a struct a pointer may cover whole
    if (!/^\*/.test(operand)) return undefined;
    const bytes = SCALAR_BYTES.get(o.type) ?? (o.type === 'void' ? 1 : undefined);
    return bytes === undefined ? undefined : { operand: operand.slice(1), what: 'element', bytes };
  }

  /** The type of member `member` of a value of type `t`, from the file's struct definitions. */
  private readonly memberOf = (t: DeclType, member: string): DeclType | undefined => {
    const memberType = this.tu.memberType;
    if (!memberType) return undefined;
    if (t.isStruct) return memberType(`struct ${t.base}.${member}`) ?? memberType(`union ${t.base}.${member}`);
    return memberType(`typedef ${t.base}.${member}`);
  };

  /**
   * Is maintenance length `ml` shorter than I/O length `io`, provably or whenever a variable factor
   * exceeds one: a part of it (partOf()), a smaller constant, or one unit of a variable number of
   * them (exceeds()). Lengths of other names (`PAGE_SIZE` against `len`) are not shorter.
   */
  private shorter(ml: string | undefined, io: string | undefined): boolean {
    if (ml === undefined || io === undefined) return false;
    const m = bareExpr(ml);
    const w = bareExpr(io);
    if (m === w) return false;
    if (this.partOf(ml, io)) return true;
    const a = this.constEval(m);
    const c = this.constEval(w);
    if (a !== undefined && c !== undefined) return a < c;
    return this.exceeds(w, m, 0);
  }

  /**
   * Is length `w` more than `m` whenever its variable part is more than its least value: `w` a
   * product with a factor at least `m` and another factor that is a variable (`nr * PAGE_SIZE`,
   * `count * sizeof(struct rec)`, `nr << PAGE_SHIFT` against PAGE_SIZE or one record) or a
   * constant of at least 2 (`2 * sizeof(struct hdr)`), or a sum with a term at least `m` and
   * another term (`sizeof(struct hdr) + count * sizeof(struct rec)` against the header). Both are
   * texts without whitespace; `w` at most a sum of products (no `-`, `/`, comparison, ...).
   */
  private exceeds(w: string, m: string, depth: number): boolean {
    if (depth > 3) return false;
    const top = topLevelText(w).replace(/->/g, '.');
    if (/[?:=,|&^<>%/!~]/.test(top.replace(/<</g, ''))) return false;
    const num = (t: string) => this.constEval(t);
    const atLeast = (t: string) => {
      if (bareExpr(t) === m) return 'same';
      const a = num(t);
      const b = num(m);
      return a !== undefined && b !== undefined && a >= b ? 'more' : undefined;
    };
    const terms = splitTop(w, '+');
    if (top.includes('-')) return false;
    if (terms.length > 1) {
      if (terms.some((t) => t === '')) return false;
      return terms.some((t, i) => {
        const rest = terms.filter((_, j) => j !== i).join('+');
        if (!atLeast(t)) return this.exceeds(bareExpr(t), m, depth + 1);
        const r = num(rest);
        return variable(rest) || (r !== undefined && r > 0) || /^sizeof\b/.test(bareExpr(rest));
      });
    }
    let factors: string[];
    const shl = splitTop(w, '<<');
    if (shl.length === 2) {
      const k = num(`1<<${shl[1]}`);
      if (k === undefined) return false;
      factors = [...splitTop(shl[0], '*'), String(k)];
    } else if (shl.length === 1) factors = splitTop(w, '*');
    else return false;
    if (factors.length < 2 || factors.some((f) => f === '')) return false;
    return factors.some((f, i) => {
      const kind = atLeast(f);
      if (!kind) return false;
      const rest = factors.filter((_, j) => j !== i);
      if (rest.some(variable)) return true;
      const r = num(rest.join('*'));
      if (r === undefined) return false;
      return kind === 'same' ? r >= 2 : (num(f) as number) * r > (num(m) as number);
    });
  }

  /**
   * Is length `part` provably a proper part of length `whole` whatever `whole` is: `whole / K`,
   * `whole >> K` or `whole - C`, with K and C constants (C may be a `sizeof(…)`)? Texts are compared
   * without whitespace and outer parentheses; `whole` must bind tighter than the operator applied
   * to it (`a + b / 2` is not half of `a + b`). Anything else is not provably shorter.
   */
  private partOf(part: string, whole: string): boolean {
    const p = bareExpr(part);
    const w = bareExpr(whole);
    if (w === '') return false;
    const wrapped = p.startsWith(`(${w})`);
    if (!wrapped && !p.startsWith(w)) return false;
    const m = /^(\/|>>|-)(.+)$/.exec(p.slice(wrapped ? w.length + 2 : w.length));
    if (!m) return false;
    const [, op, rhs] = m;
    if (!wrapped) {
      const top = topLevelText(w).replace(/->/g, '.');
      if (/[<>&|^?:=,]/.test(top) || (op === '/' && /[-+]/.test(top))) return false;
    }
    if (op === '-' && /^sizeof\((?:[^()]|\([^()]*\))*\)$/.test(rhs)) return true;
    if (!/^[\w()]+$/.test(rhs)) return false;
    const k = this.constEval(rhs);
    return k !== undefined && (op === '/' ? k >= 2 : k >= 1);
  }

  private checkRange(rec: MaintRec, ranges: IoRange[], b: Buf, n: SNode, args: SNode[], op: 'flush' | 'invalidate'): void {
    // no bytes at all: a literal 0, or the bio's remaining size once it has completed (the block
    // layer advances bi_iter over what it completes: block/blk-mq.c blk_update_request() →
    // bio_advance(), so an ended bio's bi_iter.bi_size is 0)
    const zeroLen = rec.len !== undefined && /^0[uUlL]*$/.test(bareExpr(rec.len));
    const endedBio = op === 'invalidate' && rec.len !== undefined && /(?:->|\.)bi_iter\.bi_size$/.test(bareExpr(rec.len));
    if ((zeroLen || endedBio) && args[1]) {
      this.reportZeroRange(rec, b, n, args, op, endedBio);
      return;
    }
    const short = this.shortfall(rec, ranges, b);
    if (!short) return;
    rec.wrongRange = true;
    const what = op === 'flush' ? 'flush_kernel_vmap_range' : 'invalidate_kernel_vmap_range';
    const size = b.sizeBytes ?? (b.size ? this.constEval(b.size) : undefined);
    const len = rec.len ? this.constEval(rec.len) : undefined;
    const ioBytes = short.len ? this.constEval(short.len) : undefined;
    const ioText = short.lenText ?? short.len;
    const ptr = rec.len ? this.sizeofPointer(rec.len) : undefined;
    const detail = ptr && args[1]
      ? `covers \`${this.text(args[1])}\`, ${ptr.what === 'pointer' ? `the size of the pointer \`${ptr.operand}\` (4 or 8 bytes), not of what it points to` : `the size of one element (${ptr.bytes} byte${ptr.bytes === 1 ? '' : 's'}) of what \`${ptr.operand}\` points to, not of the buffer`}${ioText ? `; the I/O carries \`${ioText}\`` : ''}`
      : ioText && len !== undefined && ioBytes !== undefined
      ? `covers ${len} of the ${ioBytes} bytes of \`${b.display}\` the I/O carries`
      : short.chunkOff !== undefined && args[0]
      ? `covers \`${this.text(args[0])}\` on every iteration, while the loop adds its chunks at \`${short.chunkOff}\`${ioText ? ` (\`${ioText}\` bytes in all)` : ''}`
      : ioText && args[1]
        ? `covers \`${this.text(args[1])}\` bytes of \`${b.display}\`, the I/O carries \`${ioText}\``
        : rec.off === undefined && len !== undefined && size !== undefined
          ? `covers ${len} of the ${size} bytes of \`${b.display}\``
          : `covers \`${this.text(args[0] ?? n)}\` for ${args[1] ? `\`${this.text(args[1])}\`` : 'its length'}, not the part of \`${b.display}\` the I/O carries`;
    const fixes: Fix[] = [];
    // the chunk the iteration adds, where it adds it (`buf + off`)
    const at = short.chunkOff !== undefined && args[0] ? `${this.text(args[0])} + ${short.chunkOff}` : undefined;
    if (at && this.inScope(at)) {
      fixes.push({ title: `Cover the chunk each iteration adds: ${what}(${at}, ${this.text(args[1] ?? n)})`, isPreferred: true, edits: [
        { file: this.tu.file, span: this.span(args[0] as SNode), newText: at },
      ] });
    } else if (short.fromStart && args[0] && args[1] && !rec.span && rec.loopAt === undefined && this.inScope(short.fromStart) && this.bufNameForFix(b)) {
      // from the buffer's start, for what the I/O carries from there
      const nm = this.bufNameForFix(b) as string;
      fixes.push({ title: `Cover what the I/O carries: ${what}(${nm}, ${short.fromStart})`, isPreferred: true, edits: [
        { file: this.tu.file, span: this.span(args[0]), newText: nm },
        { file: this.tu.file, span: this.span(args[1]), newText: short.fromStart },
      ] });
    } else if (short.lenText && args[1] && !rec.span && rec.loopAt === undefined && this.inScope(short.lenText)) {
      // the I/O's own length, when it can be written at the call (not for a call made chunk by chunk)
      fixes.push({ title: `Cover what the I/O carries: ${what}(${this.text(args[0] ?? n)}, ${short.lenText})`, isPreferred: true, edits: [
        { file: this.tu.file, span: this.span(args[1]), newText: short.lenText },
      ] });
    }
    const name = this.bufNameForFix(b);
    const full = b.size && this.inScope(b.size) ? b.size : undefined;
    if (name && full && args[0] && args[1] && !(fixes.length && rec.off === undefined && bareExpr(full) === short.len)) {
      fixes.push({ title: `Cover the whole buffer: ${what}(${name}, ${full})`, isPreferred: fixes.length === 0, edits: [
        { file: this.tu.file, span: this.span(args[0]), newText: name },
        { file: this.tu.file, span: this.span(args[1]), newText: full },
      ] });
    }
    this.report('vmap-io-maintenance-range', n, b,
      `${what}() ${detail}: the rest keeps ${op === 'flush' ? 'dirty' : 'stale'} alias lines`,
      [...b.origin, rec.step], this.dirOf(this.ctxBits), fixes,
      rangeFacts(op));
  }

  /** vmap-io-maintenance-range for a flush/invalidate that covers no bytes (checkRange()). */
  private reportZeroRange(rec: MaintRec, b: Buf, n: SNode, args: SNode[], op: 'flush' | 'invalidate', endedBio: boolean): void {
    rec.wrongRange = true;
    const what = op === 'flush' ? 'flush_kernel_vmap_range' : 'invalidate_kernel_vmap_range';
    const name = this.bufNameForFix(b);
    const len = name ? this.lenFor(b, name) : undefined;
    const fixes: Fix[] = len && args[1] ? [{ title: `Cover the buffer: ${what}(${this.text(args[0])}, ${len})`, isPreferred: true, edits: [
      { file: this.tu.file, span: this.span(args[1]), newText: len },
    ] }] : [];
    this.report('vmap-io-maintenance-range', n, b,
      `${what}() covers no bytes: \`${this.text(args[1])}\` is 0${endedBio ? ' once the bio has completed (the block layer advances its iterator over what it completed)' : ''}; every ${op === 'flush' ? 'dirty' : 'stale'} alias line of \`${b.display}\` stays`,
      [...b.origin, rec.step], this.dirOf(this.ctxBits), fixes,
      rangeFacts(op));
  }

  /** vmap-io-maintenance-range for a flush/invalidate of a pointer advanced while building the I/O. */
  private reportAdvancedMaint(op: 'flush' | 'invalidate', b: Buf, advSite: TraceStep | undefined, step: TraceStep, n: SNode, args: SNode[], st: State): void {
    const alias = this.unadvancedAlias(b, st);
    const fixes: Fix[] = [];
    if (alias && args[0]) {
      const edits = [{ file: this.tu.file, span: this.span(args[0]), newText: alias }];
      fixes.push({ title: `Use the start of the buffer: ${alias}`, isPreferred: true, edits });
    }
    this.report('vmap-io-maintenance-range', n, b,
      `${op === 'flush' ? 'flush_kernel_vmap_range' : 'invalidate_kernel_vmap_range'}() on \`${args[0] ? this.text(args[0]) : b.display}\` after it was advanced while building the I/O: the range misses the buffer that was ${op === 'flush' ? 'written' : 'read'}`,
      [...b.origin, ...(advSite ? [advSite] : []), step], this.dirOf(this.ctxBits), fixes,
      rangeFacts(op));
  }

  private unadvancedAlias(b: Buf, st: State): string | undefined {
    for (const [k, v] of st.vars) if (v.t === 'buf' && v.b.id === b.id && !v.adv && !k.startsWith('field:') && !k.includes(':')) return k;
    if (b.field && b.display.includes('->')) return b.display;
    return undefined;
  }

  private sinkCall(sink: SinkRow, n: SNode, args: SNode[], st: State): Val | undefined {
    const name = sink.name;
    const argAt = (i: number | undefined) => (i === undefined ? undefined : args[i < 0 ? args.length + i : i]);
    switch (sink.kind) {
      case 'page-add': {
        const bioArg = argAt(sink.bio);
        const pageArg = argAt(sink.page);
        const page = this.pageArg(pageArg, args, n, st);
        if (page && bioArg) this.noteParamPages(page.b, bioArg, 'bio');
        if (page && bioArg) this.addPage(this.bio(this.objKey(bioArg), st).bufs, page, this.ioRange(page, sink, args, n, st), st, n, `page added to the bio with ${name}()`);
        // an element of a page array no mapping is known of yet (`pages[i]`): a vmap() of the
        // array before the submission makes it the mapping's (vmapLaterAdds)
        const elem = (!page || this.isSym(page.b)) && pageArg ? this.strip(pageArg) : undefined;
        const arr = elem?.type === 'subscript_expression' ? this.arrayKey(child(elem, 'argument') as SNode) : undefined;
        if (arr && bioArg) {
          const bio = this.bio(this.objKey(bioArg), st);
          bio.arrays = new Map([...(bio.arrays ?? []), [arr, this.step('page-add', n, `page of \`${this.text(child(elem as SNode, 'argument') as SNode)}\` added to the bio with ${name}()`)]]);
        }
        return undefined;
      }
      case 'sg-page': {
        const sgArg = argAt(sink.sg);
        const pageArg = argAt(sink.page);
        const page = this.pageArg(pageArg, args, n, st);
        if (page && sgArg) this.noteParamPages(page.b, this.loopedTable(sgArg), 'sg');
        if (page && sgArg) this.putInTable(sgArg, page, this.ioRange(page, sink, args, n, st), st, n, `page put in a ${sink.entry ?? 'scatterlist'} with ${name}()`);
        return undefined;
      }
      case 'sg-pages': {
        const sgArg = argAt(sink.sg);
        const arrArg = argAt(sink.page);
        const vals = args.map((a) => this.ev(a, st));
        const av = arrArg ? vals[args.indexOf(arrArg)] : undefined;
        // a vmap()ed page array, or an array this function filled with pages of one buffer
        let page: { b: Buf; step?: TraceStep } | undefined;
        if (av && av.t === 'pages') page = { b: av.b };
        else if (arrArg) {
          const k = this.arrayKey(arrArg);
          const ev = k ? st.vars.get(k) : undefined;
          if (ev && ev.t === 'page') page = { b: ev.b, step: ev.step };
        }
        if (page && sgArg) this.putInTable(sgArg, page, { off: undefined }, st, n, `pages of \`${page.b.display}\` put in a scatterlist table with ${name}()`);
        return undefined;
      }
      case 'iter-bvec': {
        // `iov_iter_bvec(&iter, ITER_DEST, bv, n, len)`: the pages put in `bv` travel with the iter
        args.forEach((a) => this.ev(a, st));
        const iterArg = argAt(sink.bio);
        const tblArg = argAt(sink.sg);
        const dirArg = argAt(sink.dir);
        const m = tblArg ? st.sgs.get(this.sgKey(tblArg)) : undefined;
        if (!iterArg || !tblArg || !m?.size) return undefined;
        const step = this.step('page-add', n, `\`${this.text(tblArg)}\` handed to an iov_iter with ${name}()`);
        const bufs = new Map<string, Added>();
        for (const [id, a] of m) bufs.set(id, { ...a, steps: [...a.steps, step] });
        const op = dirArg ? this.opValueOf(dirArg, st, false) : undefined;
        st.bios.set(this.objKey(iterArg), { bufs, ...(op !== undefined ? { op } : {}) });
        return undefined;
      }
      case 'submit': {
        let bioArg = argAt(sink.bio);
        let dir: OpSet | undefined = sink.op === 'read' ? OP_R : sink.op === 'write' ? OP_W : undefined;
        if (sink.oldRw && args.length === 2) {
          bioArg = args[1];
          dir = this.opValueOf(args[0], st, false);
        }
        args.forEach((a) => this.ev(a, st));
        if (!bioArg) return undefined;
        const key = this.objKey(bioArg);
        const bio = st.bios.get(key);
        this.submittedBios.add(key);
        if (!bio) {
          // a bio another function of the file filled and left in this member (noteMemberBios)
          const held = this.memberBio(bioArg);
          if (held) {
            const step = this.step('flow', bioArg, `\`${this.text(bioArg)}\` holds a bio filled elsewhere in the file`);
            this.submit([...held.adds.values()].map((a) => ({ ...a, steps: [...a.steps, step] })), dir ?? held.op ?? this.ctxBits, n, !!sink.sync, st, undefined);
          }
          return undefined;
        }
        const op = dir ?? bio.op ?? this.ctxBits;
        if (bio.chainedInto) {
          // submitted together with the bio it is chained to: one I/O, reported where that one completes
          const parent = this.bio(bio.chainedInto, st);
          for (const [id, a] of bio.bufs) {
            const flushedNow = st.flushed.has(id) || st.clean.has(id);
            if (!parent.bufs.has(id)) parent.bufs.set(id, { ...a, unflushedAtSubmit: (!flushedNow && !a.helperFlushesWrites) || a.unflushedAtSubmit });
          }
          if (parent.op === undefined) parent.op = op;
          bio.bufs = new Map();
          return undefined;
        }
        const added = [...bio.bufs.values()];
        this.submit(added, op, n, !!sink.sync, st, bio);
        return undefined;
      }
      case 'dma-map-sg': {
        const sgArg = argAt(sink.sg);
        const dirArg = argAt(sink.dir);
        const vals = args.map((a) => this.ev(a, st));
        const sv = sgArg ? vals[args.indexOf(sgArg)] : undefined;
        const key = sgArg ? this.sgKey(sgArg) : '';
        let added: Added[];
        const m = st.sgs.get(key);
        const tv = !m && sgArg && !(sv && sv.t === 'pages') ? this.tableMemberVal(sgArg) : undefined;
        if (tv && tv.t === 'pages') {
          // a table member another function of the file filled with pages of a buffer
          added = [{
            buf: tv.b, flushedAtAdd: st.flushed.get(UNRESOLVED_FLUSH),
            steps: [this.step('page-add', n, `\`${this.text(sgArg as SNode)}\` holds pages of \`${tv.b.display}\` (put there elsewhere in the file)`)],
          }];
        } else if (sv && sv.t === 'pages') {
          // the table behind a vmap alias (dma_vmap_noncontiguous(), or built from a vmap()ed page array)
          added = [{
            buf: sv.b, viaTable: true, flushedAtAdd: st.flushed.get(UNRESOLVED_FLUSH),
            steps: [this.step('page-add', n, `\`${this.text(sgArg as SNode)}\` holds the pages of the vmap alias ${sv.b.origin[0]?.message ?? ''}`.trimEnd())],
          }];
        } else if (m) added = [...m.values()];
        else if (sgArg && !this.anyTable(st) && this.tableParam(sgArg) !== undefined) {
          // a table the caller filled (`do_xfer(dev, &sgt, DMA_FROM_DEVICE)`): its pages are the
          // caller's, judged at the call as a page parameter's (summary submitsPagesParams)
          const p = this.tableParam(sgArg) as ParamInfo;
          this.summary.pageParams.add(p.index);
          const b: Buf = { id: `param:${p.index}`, kind: 'param', origin: [], zeroed: false, display: p.name, escapes: true, param: p.index, holders: [] };
          added = [{ buf: b, steps: [this.step('page-add', n, `the pages of table \`${p.name}\` mapped with ${name}()`)] }];
        } else added = [...new Map([...st.sgs].filter(([k]) => !k.startsWith(XFER_KEY)).flatMap(([, x]) => [...x.entries()])).values()];
        const op = dirArg ? this.opValueOf(dirArg, st, false) ?? this.ctxBits : this.ctxBits;
        this.submit(added, op, n, false, st, undefined);
        if (m) st.sgs.delete(key);
        else for (const k of [...st.sgs.keys()]) if (!k.startsWith(XFER_KEY)) st.sgs.delete(k);
        return undefined;
      }
      case 'dma-map-page': {
        const pageArg = argAt(sink.page);
        const dirArg = argAt(sink.dir);
        // a handle handed back is a page only as a mapping's value (not computed by some helper
        // from a pointer into a buffer: `dma_unmap_addr(ring_entry, mapping)` names another one)
        const page = sink.handBack ? this.handleArg(pageArg, args, st) : this.pageArg(pageArg, args, n, st);
        if (page) {
          const op = dirArg ? this.opValueOf(dirArg, st, false) ?? this.ctxBits : this.ctxBits;
          // mapped as it is added: a flush right before it (of the page's pointer, advancing in a
          // loop) was made for this page, as for a page added to a bio (addPage())
          const flushedAtAdd = st.flushed.get(page.b.id);
          this.submit([{ buf: page.b, ranges: [this.ioRange(page, sink, args, n, st)], steps: [...(page.step ? [page.step] : []), this.step('page-add', n, `page mapped for DMA with ${name}()`)], ...(flushedAtAdd ? { flushedAtAdd } : {}) }], op, n, false, st, undefined);
          // the DMA handle stands for the page: kept (in a member too) and handed back to the
          // device with dma_sync_single_for_device(), it is that page again
          if (sink.handBack) return undefined;
          return { t: 'page', b: page.b, step: this.step('page', n, `DMA handle of a page of \`${page.b.display}\` from ${name}()`) };
        }
        return undefined;
      }
      case 'linear': {
        const pArg = argAt(sink.ptr);
        // `sg_init_one(sg, page_address(vmalloc_to_page(p)), len)`: the right page, the I/O is its
        const pa = pArg ? this.strip(pArg) : undefined;
        if (sink.asPage && pa?.type === 'call_expression' && PAGE_ADDRESS.has(this.callName(pa) ?? '')) {
          if (sink.asPage.kind === 'same') {
            const v = this.ev(pa, st);
            for (const a of args) if (a !== pArg) this.ev(a, st);
            return v?.t === 'page' ? v : undefined;
          }
          const { kind, ...at } = sink.asPage;
          return this.sinkCall({ ...sink, ...at, kind, asPage: undefined }, n, args, st);
        }
        const vals = args.map((a) => this.ev(a, st));
        const v = pArg ? vals[args.indexOf(pArg)] : undefined;
        const premapped = sink.unlessNamed !== undefined && new RegExp(`\\b${sink.unlessNamed}\\b`).test(this.text(this.fn.node));
        // a zero-length transfer (a USB zero packet) maps nothing
        const lenArg = argAt(sink.len);
        const empty = lenArg !== undefined && this.text(this.strip(lenArg)).trim() === '0';
        if (v && v.t === 'buf' && !st.clean.has(v.b.id) && !premapped && !empty) {
          const proven = this.provenHere(v.b, st);
          if (this.isSym(v.b) && !proven) {
            if (v.b.param !== undefined) st.converted.add(v.b.param);
          } else if (!this.onLinearPath(v.b, st) && !this.fieldMaybe(v.b)) {
            // inside `if (is_vmalloc_addr(p))` a kvmalloc() buffer is vmalloc memory
            const b = proven && v.b.kind === 'maybe' ? { ...v.b, kind: 'vmalloc' as const } : v.b;
            this.reportLinear(name, sink, n, pArg as SNode, b, undefined, this.writtenIntoWrite(n, v.b, st), st.written.has(v.b.id));
          }
        } else if (pArg && !premapped && !empty && (!v || v.t !== 'buf')) {
          const local = STACK_VMAP.ignored.has(name) ? undefined : this.stackObject(pArg);
          if (local) this.reportStack(name, sink, n, pArg, local);
        }
        return sink.vmallocReplacement && v && v.t === 'buf' ? undefined : undefined;
      }
      case 'rq-map-kern': {
        const pArg = argAt(sink.ptr);
        const vals = args.map((a) => this.ev(a, st));
        const v = pArg ? vals[args.indexOf(pArg)] : undefined;
        // a wrapper's parameter: bio_map_kern() converts it with virt_to_page(), which its
        // callers' vmalloc buffers then meet (the summary's `converts`, as for virt_to_page())
        if (v && v.t === 'buf' && this.isSym(v.b) && v.b.param !== undefined && this.tu.kernel) {
          st.converted.add(v.b.param);
          this.summary.rqMapped.add(v.b.param);
        }
        if (v && v.t === 'buf' && v.b.kind !== 'param' && !st.clean.has(v.b.id) && this.tu.kernel) {
          this.report('vmap-blk-rq-map-kern', n, v.b,
            `${name}() with vmalloc buffer \`${this.text(pArg as SNode)}\` on kernel ${this.tu.kernelLabel}: before 5.3 bio_map_kern() maps it with virt_to_page(), so the request transfers the wrong pages`,
            [...v.b.origin, this.step('convert', n, `${name}() maps the buffer with virt_to_page() (kernel < 5.3)`)],
            this.dirOf(this.ctxBits), [], { cpuWroteBefore: st.written.has(v.b.id) });
        }
        return undefined;
      }
      case 'vmalloc-add': {
        const bioArg = argAt(sink.bio);
        const pArg = argAt(sink.ptr);
        const vals = args.map((a) => this.ev(a, st));
        const v = pArg ? vals[args.indexOf(pArg)] : undefined;
        if (v && v.t === 'buf' && bioArg) {
          const bio = this.bio(this.objKey(bioArg), st);
          const lenArg = pArg ? args[args.indexOf(pArg) + 1] : undefined;
          const ranges = lenArg ? [this.rangeOf(v.off, lenArg, n, pArg, { b: v.b, st })] : undefined;
          // It flushes what it adds when the bio is already a write, there and then (block/bio.c
          // v6.18 bio_add_vmalloc_chunk(): `if (op_is_write(bio_op(bio)))`): a CPU write after
          // the add, or a bio made a write after it, is not flushed. An op not known here (a bio
          // from elsewhere) is taken to be the one it is submitted with, and so is the op of a
          // parameter judged at the callers (summary flushesWritesParams: per call direction).
          if (bio.op === undefined || this.isSym(v.b)) {
            bio.bufs.set(v.b.id, { buf: v.b, steps: [this.step('page-add', n, `added to the bio with ${name}() (flushes for writes)`)], helperFlushesWrites: true, ranges });
          } else if (opHasWrite(bio.op)) {
            const step = this.step('maintenance', n, `${name}() flushes the range it adds to this write bio`);
            const rec: MaintRec = { step, wrongRange: false, off: v.off, ...(lenArg ? { len: this.text(lenArg).replace(/\s+/g, '') } : {}) };
            st.flushed.set(v.b.id, rec);
            bio.bufs.set(v.b.id, { buf: v.b, steps: [this.step('page-add', n, `added to the bio with ${name}(), which flushed it`)], flushedAtAdd: rec, ranges });
          } else {
            bio.bufs.set(v.b.id, { buf: v.b, steps: [this.step('page-add', n, `added to the bio with ${name}() while the bio was not a write (no flush)`)], ranges });
          }
        }
        return undefined;
      }
      case 'dm-io': {
        const reqArg = argAt(sink.ptr);
        args.forEach((a) => this.ev(a, st));
        const reqText = reqArg ? this.text(this.strip(reqArg)).replace(/\s+/g, '') : undefined;
        const req = reqText ? this.dmIoReq(this.dmIoKey(reqText), st) : undefined;
        if (!req || !req.buf || req.buf.t !== 'buf' || !req.memType) return undefined;
        const mt = DM_IO_MEM_TYPES.get(req.memType);
        const b = req.buf.b;
        if (!mt || st.clean.has(b.id)) return undefined;
        if (mt.linear) {
          if (this.isSym(b)) {
            if (b.param !== undefined) st.converted.add(b.param);
          } else if (!this.onLinearPath(b, st) && !this.fieldMaybe(b)) {
            // DM_IO_VMA maps vmalloc pages and maintains the alias (drivers/md/dm-io.c vm_dp_init() and the
            // flush/invalidate around the I/O, since 3.0): the request's type and pointer member change
            const vma: Fix[] = req.typeSpan && req.addrSpan && b.kind !== 'maybe' ? [{
              title: 'Use a DM_IO_VMA request (mem.ptr.vma)', isPreferred: true,
              edits: [{ file: this.tu.file, span: req.typeSpan, newText: 'DM_IO_VMA' }, { file: this.tu.file, span: req.addrSpan, newText: 'vma' }],
            }] : [];
            this.reportLinear('dm_io', { name: 'dm_io', kind: 'linear', source: mt.source }, n, reqArg as SNode, b, `dm_io() with a DM_IO_KMEM request for vmalloc buffer \`${b.display}\`: dm-io maps it with virt_to_page(), the wrong page on every architecture; use DM_IO_VMA`, undefined, false, vma);
          }
        } else if (mt.sanitizedSince && this.tu.kernel && compareVersion(this.tu.kernel, parseVersion(mt.sanitizedSince)) < 0) {
          // the common submission path: findings here, or a summary fact when the buffer is a parameter
          this.submit([{ buf: b, steps: [this.step('page-add', n, 'DM_IO_VMA request: dm-io maps the vmalloc pages without cache maintenance (< 3.0)')] }], req.op ?? this.ctxBits, n, true, st, undefined);
        }
        return undefined;
      }
    }
    return undefined;
  }

  /** Evaluate a sink's arguments, the page argument as a page of a buffer (or nothing). */
  private pageArg(pageArg: SNode | undefined, args: SNode[], n: SNode, st: State): { b: Buf; step?: TraceStep; off?: Off } | undefined {
    const pv = pageArg ? this.ev(pageArg, st) : undefined;
    for (const a of args) if (a !== pageArg) this.ev(a, st);
    return this.asPage(pv, pageArg, n);
  }

  /** The part of the buffer a page add / mapping carries: the page's offset and the call's length argument. */
  private ioRange(page: { b: Buf; off?: Off }, sink: SinkRow, args: SNode[], n: SNode, st: State): IoRange {
    const pageArg = sink.page !== undefined ? args[sink.page] : undefined;
    return this.rangeOf(page.off, sink.len !== undefined ? args[sink.len] : undefined, n, pageArg && this.pagePointer(pageArg, n), { b: page.b, st });
  }

  /**
   * The range an add at `off` of `lenArg` bytes carries, with what its loop's iterations carry
   * together; `ptr` is the pointer expression the added memory was taken at (for loops advancing it).
   */
  private rangeOf(off: Off, lenArg: SNode | undefined, n: SNode, ptr?: SNode, walk?: { b: Buf; st: State }): IoRange {
    if (!lenArg) return { off };
    const lenText = this.text(lenArg).replace(/\s+/g, ' ').trim();
    const len = lenText.replace(/\s+/g, '');
    const span = this.loopSpan(off, len, lenText, n, ptr, walk);
    const inLoop = !span && this.loops.some((f) => !f.isSwitch);
    const frame = [...this.loops].reverse().find((f) => !f.isSwitch);
    const loopAt = frame?.node?.start;
    // taken at a pointer the loop moves (`snap + off`, a walked `p`)
    const moving = off !== undefined && ptr !== undefined && frame?.node !== undefined && this.movesInLoop(ptr, frame.node);
    return { off, len, lenText, ...(span ? { span } : {}), ...(inLoop ? { inLoop } : {}), ...(loopAt !== undefined ? { loopAt } : {}), ...(moving ? { moving } : {}) };
  }

  /**
   * The pointer a page argument was taken at: `p` of `vmalloc_to_page(p)`, also through a local
   * assigned once before the add in its loop (`pg = vmalloc_to_page(virt); … sg_set_page(sg, pg, …)`).
   */
  private pagePointer(pageArg: SNode, n: SNode): SNode | undefined {
    let a = this.strip(pageArg);
    if (a.type === 'identifier') {
      const name = this.text(a);
      const frame = [...this.loops].reverse().find((f) => !f.isSwitch);
      const body = frame?.node ? child(frame.node, 'body') : undefined;
      if (!body) return undefined;
      const sets = descendants(body).filter((d) => (d.type === 'assignment_expression' && child(d, 'left') !== undefined && this.text(this.strip(child(d, 'left') as SNode)) === name) ||
        (d.type === 'init_declarator' && this.declName(d) !== undefined && this.text(this.declName(d) as SNode) === name));
      const val = sets.length === 1 && sets[0].end <= n.start ? child(sets[0], 'right') ?? child(sets[0], 'value') : undefined;
      if (!val) return undefined;
      a = this.strip(val);
    }
    if (a.type !== 'call_expression') return undefined;
    const fn = child(a, 'function');
    const ev = fn ? EVIDENCE_PAGE_OF.get(this.text(fn)) : undefined;
    return ev ? this.args(a)[ev.ptr] : undefined;
  }

  /**
   * The part of the buffer the iterations of the innermost loop around an add carry together, for
   * an add on every iteration (no test, `continue` or `break` before it in the body) of L bytes in
   * a counted loop `for (i = 0; i < n; …)`: at `i * L` (`i << K` with L = 1 << K), stepping `i` by
   * one, it carries `n * L` (`n << K`) bytes from the rest of its offset; at `off` of S bytes in
   * `for (off = 0; off < n; off += S)`, `n` bytes; at a pointer `p` that the loop advances by L
   * after the add on every iteration (`p += L` in the body or the update), `n * L` bytes from
   * where `p` starts (the offset of the first pass over the body); and for such a pointer walked
   * up to an end (`while (p < (char *)buf + n)`, `for (p = buf; p != buf + n; …)`, `buf` the
   * buffer where `p` starts: `walk`), the `n` bytes up to it, L at a time (`unit`).
   */
  private loopSpan(off: Off, len: string, lenText: string, n: SNode, ptr?: SNode, walk?: { b: Buf; st: State }): IoRange['span'] {
    const frame = [...this.loops].reverse().find((f) => !f.isSwitch);
    if (!frame?.node) return undefined;
    let loop = this.countedLoop(frame.node);
    const body = child(frame.node, 'body');
    if (!body || !this.everyIteration(n, body)) return undefined;
    const same0 = (a: string, b: string) => bareExpr(a) === bareExpr(b) || (this.constEval(a) !== undefined && this.constEval(a) === this.constEval(b));
    // the add's length is the step, or the step clamped for the last chunk
    // (`min_t(size_t, PAGE_SIZE, len - off)`): the iterations still carry the loop's bound
    const same = (step: string, l: string) => same0(step, l) || clampArgs(l).some((x) => same0(step, x));
    const advanced = ptr && frame.pass === 0 ? this.advanceStep(this.strip(ptr), frame.node, body, n) : undefined;
    if (loop?.from !== undefined) {
      // `for (o = start; o < end; o += L)` adding L bytes at `buf + o`: from `start`, `end - start`
      const fromSpan = this.fromStartSpan(loop, off, len, same);
      if (fromSpan) return fromSpan;
      // not an offset counted from a start: maybe a pointer walked from one (`pos = buf`)
      loop = undefined;
    }
    if (!loop) {
      if (!advanced || !same0(advanced, len) || !walk || !ptr) return undefined;
      const end = this.walkEnd(frame.node, this.strip(ptr), off, walk.b, walk.st);
      return end ? { off, len: end.replace(/\s+/g, ''), lenText: end, unit: len } : undefined;
    }
    const count = asFactor(loop.countText);
    if (advanced && same0(advanced, len)) {
      const t = `${count} * ${lenText}`;
      return { off, len: t.replace(/\s+/g, ''), lenText: t };
    }
    if (off === undefined) return undefined;
    const uses = (t: string) => namesChain(t, loop.v);
    const terms = splitTop(off, '+');
    const mine = terms.filter(uses);
    if (mine.length !== 1) return undefined;
    const rest = terms.filter((t) => !uses(t));
    const term = bareExpr(mine[0]);
    let spanText: string | undefined;
    if (term === loop.v) {
      if (same(loop.step, len)) spanText = loop.countText;
    } else if (loop.step === '1') {
      const mul = new RegExp(`^${loop.v}\\*(.+)$`).exec(term) ?? new RegExp(`^(.+)\\*${loop.v}$`).exec(term);
      const shl = new RegExp(`^${loop.v}<<(.+)$`).exec(term);
      if (mul && same0(mul[1], len)) spanText = `${count} * ${lenText}`;
      else if (shl && same0(`1<<${shl[1]}`, len)) spanText = `${count} << ${shl[1]}`;
    }
    if (spanText === undefined) return undefined;
    return { off: rest.length ? rest.join('+') : undefined, len: spanText.replace(/\s+/g, ''), lenText: spanText };
  }

  /** The span of a counted loop from a start other than 0 whose counter is the add's offset. */
  private fromStartSpan(loop: CountedLoop, off: Off, len: string, same: (step: string, l: string) => boolean): IoRange['span'] {
    const from0 = loop.from;
    if (from0 === undefined || off === undefined || !same(loop.step, len)) return undefined;
    const uses = (t: string) => namesChain(t, loop.v);
    const terms = splitTop(off, '+');
    if (terms.filter(uses).length !== 1 || bareExpr(terms.find(uses) as string) !== loop.v) return undefined;
    const paren = (t: string) => (/^[\w.>-]+$/.test(t.replace(/\s+/g, '')) ? t : `(${t})`);
    const from = paren(from0);
    const spanText = `${paren(loop.countText)} - ${from}`;
    const rest = terms.filter((t) => !uses(t));
    return { off: [...rest, bareExpr(from)].join('+'), len: spanText.replace(/\s+/g, ''), lenText: spanText, unit: len };
  }

  /**
   * `n` of a loop walking pointer `p` up to `start + n` (`p < start + n`, `p != start + n`, or
   * reversed; casts allowed), where `start` holds buffer `b` at offset `off` (where `p` is on the
   * first pass): the length the walk covers, as written.
   */
  private walkEnd(loop: SNode, p: SNode, off: Off, b: Buf, st: State): string | undefined {
    if (p.type !== 'identifier') return undefined;
    const cond = child(loop, 'condition');
    const c = cond ? this.strip(cond) : undefined;
    if (!c || c.type !== 'binary_expression') return undefined;
    const l = child(c, 'left');
    const r = child(c, 'right');
    if (!l || !r) return undefined;
    const name = this.text(p);
    const isP = (x: SNode) => this.text(this.strip(x)) === name;
    const bound = (c.op === '<' || c.op === '!=') && isP(l) ? r : (c.op === '>' || c.op === '!=') && isP(r) ? l : undefined;
    const sum = bound ? this.strip(bound) : undefined;
    if (!sum || sum.type !== 'binary_expression' || sum.op !== '+') return undefined;
    const base = child(sum, 'left');
    const n = child(sum, 'right');
    if (!base || !n || descendants(sum).some((d) => d.type === 'identifier' && this.text(d) === name)) return undefined;
    const v = this.evNoRead(base, st);
    if (!v || v.t !== 'buf' || v.b.id !== b.id || v.adv || v.off !== off) return undefined;
    return this.text(n).replace(/\s+/g, ' ').trim();
  }

  /** Does the loop assign any variable `e` is made of (its counter, a walked pointer)? */
  private movesInLoop(e: SNode, loop: SNode): boolean {
    let assigned = this.loopAssigned.get(loop);
    if (!assigned) {
      assigned = new Set<string>();
      for (const d of descendants(loop)) {
        const t = d.type === 'assignment_expression' ? child(d, 'left') : d.type === 'update_expression' ? child(d, 'argument') : d.type === 'init_declarator' ? this.declName(d) : undefined;
        if (t !== undefined) assigned.add(this.text(this.strip(t)));
      }
      this.loopAssigned.set(loop, assigned);
    }
    const set = assigned;
    return e.type === 'identifier' ? set.has(this.text(e)) : descendants(e).some((d) => d.type === 'identifier' && set.has(this.text(d)));
  }

  /**
   * The step a loop advances pointer variable `p` by on every iteration after the add `n`: the one
   * assignment to `p` in the body (`p += S`, `p = p + S`, run on every iteration) or in the update.
   */
  private advanceStep(p: SNode, loop: SNode, body: SNode, n: SNode): string | undefined {
    if (p.type !== 'identifier') return undefined;
    const name = this.text(p);
    const update = child(loop, 'update');
    const isP = (x: SNode | undefined) => x !== undefined && this.text(this.strip(x)) === name;
    const sets = [body, ...(update ? [update] : [])].flatMap((r) => descendants(r)).filter((d) =>
      ((d.type === 'assignment_expression' && isP(child(d, 'left'))) || (d.type === 'update_expression' && isP(child(d, 'argument')))));
    if (sets.length !== 1) return undefined;
    const a = sets[0];
    const inBody = a.start >= body.start && a.end <= body.end;
    if (inBody && (a.start < n.end || !this.everyIteration(a, body))) return undefined;
    const rhs = child(a, 'right');
    if (a.type !== 'assignment_expression' || !rhs) return undefined;
    if (a.op === '+=') return descendants(rhs).some((d) => d.type === 'identifier' && this.text(d) === name) ? undefined : this.text(rhs).replace(/\s+/g, '');
    const r = this.strip(rhs);
    if (a.op !== '=' || r.type !== 'binary_expression' || r.op !== '+') return undefined;
    const [x, y] = [child(r, 'left'), child(r, 'right')];
    if (isP(x) && y) return this.text(y).replace(/\s+/g, '');
    if (isP(y) && x) return this.text(x).replace(/\s+/g, '');
    return undefined;
  }

  private readonly countedLoops = new Map<SNode, CountedLoop | null>();

  /** `for (v = 0; v < count; v++ / v += step)` with `v` assigned nowhere in the body; else undefined. */
  private countedLoop(node: SNode): CountedLoop | undefined {
    const known = this.countedLoops.get(node);
    if (known !== undefined) return known ?? undefined;
    const found = this.findCountedLoop(node);
    this.countedLoops.set(node, found ?? null);
    return found;
  }

  private findCountedLoop(node: SNode): CountedLoop | undefined {
    const cond = child(node, 'condition');
    const update = child(node, 'update');
    const init = child(node, 'initializer');
    const body = child(node, 'body');
    if (!cond || !update || !init || !body) return undefined;
    const c = this.strip(cond);
    if (c.type !== 'binary_expression') return undefined;
    const l = child(c, 'left');
    const r = child(c, 'right');
    if (!l || !r) return undefined;
    const [vn, bound] = (c.op === '<' || c.op === '!=') && this.strip(l).type === 'identifier' ? [this.strip(l), r]
      : c.op === '>' && this.strip(r).type === 'identifier' ? [this.strip(r), l] : [undefined, undefined];
    if (!vn || !bound) return undefined;
    const v = this.text(vn);
    const mentions = (x: SNode) => descendants(x).some((d) => d.type === 'identifier' && this.text(d) === v);
    if (mentions(bound)) return undefined;
    // starts at 0, or at a start the loop does not move (`o = start`)
    const inits = init.type === 'declaration' ? init.children.filter((d) => d.type === 'init_declarator') : descendants(init).filter((d) => d.type === 'assignment_expression' && d.op === '=');
    let from: string | undefined;
    const started = inits.some((d) => {
      const lhs = d.type === 'init_declarator' ? this.declName(d) : child(d, 'left');
      const val = child(d, 'value') ?? child(d, 'right');
      if (lhs === undefined || this.text(lhs) !== v || val === undefined) return false;
      const t = this.text(this.strip(val));
      if (/^0[uUlL]*$/.test(t)) return true;
      if (mentions(val) || this.movesInLoop(this.strip(val), node)) return false;
      from = t.replace(/\s+/g, ' ').trim();
      return true;
    });
    if (!started) return undefined;
    // the step: v++, ++v, v += S, v = v + S (one of a comma list)
    let step: string | undefined;
    let stepText = '1';
    for (const u of descendants(update)) {
      const tgt = u.type === 'update_expression' || u.type === 'assignment_expression' ? child(u, 'argument') ?? child(u, 'left') : undefined;
      if (!tgt || this.text(this.strip(tgt)) !== v) continue;
      if (u.type === 'update_expression' && u.op === '++') step = '1';
      else if (u.type === 'assignment_expression' && u.op === '+=') {
        const rhs = child(u, 'right');
        if (rhs && !mentions(rhs)) { stepText = this.text(rhs).replace(/\s+/g, ' ').trim(); step = stepText.replace(/\s+/g, ''); }
      } else return undefined;
    }
    if (step === undefined) return undefined;
    // the body leaves v alone
    const assigned = descendants(body).some((d) => (d.type === 'update_expression' && this.text(this.strip(child(d, 'argument') ?? d)) === v) ||
      (d.type === 'assignment_expression' && child(d, 'left') !== undefined && this.text(this.strip(child(d, 'left') as SNode)) === v));
    if (assigned) return undefined;
    const countText = this.text(bound).replace(/\s+/g, ' ').trim();
    return { v, count: countText.replace(/\s+/g, ''), countText, step, stepText, ...(from !== undefined ? { from } : {}) };
  }

  /**
   * Does `n` run on every iteration of a loop with this body that reaches the loop's normal exit:
   * not under a branch or an inner loop, not after a `continue` or `break` of the body (one in the
   * add's own failure test, after it, is fine)? A `return` or `goto` before it leaves the loop on
   * an error path; the iterations of the path that ends the loop normally each ran it.
   */
  private everyIteration(n: SNode, body: SNode): boolean {
    for (let cur = n; cur !== body; cur = cur.parent as SNode) {
      const p = cur.parent;
      if (!p) return false;
      if (p.type === 'if_statement' && cur.field !== 'condition') return false;
      if (/^(for|while|do|switch)_statement$/.test(p.type) || p.type === 'conditional_expression' || p.type === 'case_statement') return false;
      if (p.type === 'binary_expression' && (p.op === '&&' || p.op === '||') && cur.field === 'right') return false;
    }
    return !descendants(body).some((d) => d.start < n.start && /^(continue|break)_statement$/.test(d.type));
  }

  /**
   * Record a page of a buffer in a bio's or scatterlist's entries, with the range it carries and
   * whether every page so far was flushed right before being added (a per-page flush in the loop
   * that builds the I/O).
   */
  private addPage(m: Map<string, Added>, page: { b: Buf; step?: TraceStep }, range: IoRange, st: State, n: SNode, message: string): void {
    const prev = m.get(page.b.id);
    const fl = st.flushed.get(page.b.id);
    const flushedAtAdd = prev ? (prev.flushedAtAdd && fl ? prev.flushedAtAdd : undefined) : fl;
    const base = prev ?? { buf: page.b, steps: [...(page.step ? [page.step] : []), this.step('page-add', n, message)] };
    m.set(page.b.id, { ...base, ranges: [...(prev?.ranges ?? []), range], flushedAtAdd });
  }

  /**
   * `sg = sgt->sgl;` … `sg_set_page(sg, …); sg = sg_next(sg);`: a pointer walking a table's entries
   * by hand is that table's, as a for_each_sg() iterator is. Set from another list, it is not.
   */
  private noteSgWalker(name: string, rs: SNode): void {
    // `sgt->sgl`, or `&sgt->sgl[0]` (rs is stripped of its `&`)
    const list = rs.type === 'subscript_expression' && /^0[uUlL]*$/.test(this.text(child(rs, 'index') as SNode).trim()) ? this.strip(child(rs, 'argument') as SNode) : rs;
    if (list.type === 'field_expression' && this.text(child(list, 'field') as SNode) === 'sgl') {
      this.sgIterators.set(name, list);
      return;
    }
    const walks = rs.type === 'call_expression' && SG_WALKS.has(this.callName(rs) ?? '') && this.args(rs)[0] !== undefined && this.text(this.strip(this.args(rs)[0])) === name;
    if (!walks) this.sgIterators.delete(name);
  }

  /**
   * The parameter a scatterlist argument belongs to, when it is a table the caller passed
   * (`sgt->sgl`, `sgt`, `sgl` of a `struct sg_table *` / `struct scatterlist *` parameter) that this
   * function did not fill itself.
   */
  private tableParam(sgArg: SNode): ParamInfo | undefined {
    const a = this.strip(sgArg);
    const root = a.type === 'identifier' ? this.text(a) : a.type === 'field_expression' ? this.rootIdent(a) : undefined;
    const p = root !== undefined ? this.fn.params.find((q) => q.name === root) : undefined;
    return p && p.type.ptr === 1 && (p.type.base === 'sg_table' || p.type.base === 'scatterlist') ? p : undefined;
  }

  /** An entry of a for_each_sg() loop is the looped table's (`sg` → `sgt->sgl`); anything else is itself. */
  private loopedTable(sgArg: SNode): SNode {
    const it = this.strip(sgArg);
    return it.type === 'identifier' ? this.sgIterators.get(this.text(it)) ?? sgArg : sgArg;
  }

  /** The key a scatterlist is tracked under on a path (st.sgs): its root variable, else its text. */
  private sgKey(sgArg: SNode): string {
    return this.rootIdent(sgArg) ?? this.objKey(sgArg);
  }

  /** Put pages of a buffer in the scatterlist `sgArg` names: on this path, and file-wide for a table member. */
  private putInTable(sgArg0: SNode, page: { b: Buf; step?: TraceStep }, range: IoRange, st: State, n: SNode, message: string): void {
    const sgArg = this.loopedTable(sgArg0);
    const key = this.sgKey(sgArg);
    const m = st.sgs.get(key) ?? new Map<string, Added>();
    this.addPage(m, page, range, st, n, message);
    st.sgs.set(key, m);
    this.noteTableMember(sgArg, page.b);
  }

  /** A helper that adds its buffer parameter's pages to its bio/scatterlist parameter says so in its summary. */
  private noteParamPages(b: Buf, target: SNode, kind: 'bio' | 'sg'): void {
    if (b.param === undefined || b.id !== `param:${b.param}`) return;
    const root = this.rootIdent(target);
    const to = this.fn.params.find((p) => p.name === root);
    if (to) this.summary.addsPages.add(`${b.param}>${kind}:${to.index}`);
  }

  private asPage(v: Val | undefined, arg: SNode | undefined, n: SNode): { b: Buf; step?: TraceStep; off?: Off } | undefined {
    if (!v) return undefined;
    if (v.t === 'page') return { b: v.b, step: v.step, off: v.off };
    // struct page computed by an unknown helper from the buffer address (kmem_to_page-style)
    if (v.t === 'derived') {
      return { b: v.b, off: v.off, step: this.step('page', n, `page of \`${v.b.display}\` from ${arg ? this.text(this.strip(arg)) : 'a helper'}`) };
    }
    return undefined;
  }

  /**
   * A struct field that holds vmalloc memory in one place and other memory in another is
   * maybe-vmalloc wherever only the file-wide field facts say what it holds: a linear-map conversion
   * of it is then on a path the code selects by some mode we cannot see, and is not reported.
   * A member that only ever holds kvmalloc() memory is not such a mode: the allocator picks by
   * size, and a conversion in another function is as wrong as one next to the kvzalloc().
   */
  private fieldMaybe(b: Buf): boolean {
    return b.kind === 'maybe' && b.viaField === true && b.mixed === true;
  }

  /** A maybe-vmalloc buffer whose holder a dominating condition inspects is on the author's linear path. */
  private onLinearPath(b: Buf, st: State): boolean {
    if (b.kind !== 'maybe') return false;
    // the guard facts of a static function's parameters come from every caller's analysis
    if (this.fn.isStatic) this.tu.demand?.add(`guard:${this.fn.name}`);
    const root = /^[A-Za-z_]\w*/.exec(b.display)?.[0];
    return b.holders.some((h) => st.guarded.has(h)) || (root !== undefined && st.guarded.has(root));
  }

  /**
   * A call of a function-like macro whose body is one call, expanded: the body's call (parsed once
   * per file, its nodes at their offsets in the #define, so texts and trace steps name the body),
   * each parameter replaced by this call's argument node, standing where the macro is called.
   */
  private expandMacro(name: string, body: MacroBody, n: SNode, kind: 'call' | 'block' | 'value' = 'call'): SNode | undefined {
    let done = MACRO_EXPANSIONS.get(n);
    if (!done) MACRO_EXPANSIONS.set(n, (done = new Map()));
    const key = `${kind}\0${name}\0${body.start}\0${body.text}`;
    if (done.has(key)) return done.get(key);
    const x = this.expandMacroOnce(name, body, n, kind);
    done.set(key, x);
    return x;
  }

  private expandMacroOnce(name: string, body: MacroBody, n: SNode, kind: 'call' | 'block' | 'value'): SNode | undefined {
    const block = kind !== 'call';
    const args = this.args(n);
    if (args.length !== body.params.length) return undefined;
    // per file text (its line starts: the one object every view of this TuCtx shares)
    let calls = MACRO_CALLS.get(this.tu.lineStarts);
    if (!calls) MACRO_CALLS.set(this.tu.lineStarts, (calls = new Map()));
    const key = `${name}\0${body.start}\0${body.text}`;
    let tmpl = calls.get(key);
    if (tmpl === undefined) {
      tmpl = this.parseMacroCall(body, kind);
      calls.set(key, tmpl);
    }
    if (!tmpl) return undefined;
    // each node's text with the parameters replaced by the arguments' texts (what the analysis
    // reads as the node's source: a store into `(h)->magic` is one into `hdr->magic`)
    const alt = body.params.join('|');
    const argText = new Map(body.params.map((p, i) => [p, this.text(args[i])] as const));
    // `(p)` becomes the argument, parenthesised only when it is more than a name or a member path
    const bare = (t: string) => /^[A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*)*$/.test(t);
    const parenthesised = new RegExp(`\\(\\s*(${alt})\\s*\\)`, 'g');
    const word = new RegExp(`\\b(?:${alt})\\b`, 'g');
    const synth = (x: SNode): string => this.src.slice(x.start, x.end)
      .replace(/\\\r?\n/g, ' ')
      .replace(parenthesised, (_m, w: string) => { const a = argText.get(w) ?? w; return bare(a) ? a : `(${a})`; })
      .replace(word, (w) => argText.get(w) ?? w)
      .replace(/\s+/g, ' ').trim();
    const clone = (x: SNode, parent: SNode | null): SNode => {
      if (x.type === 'identifier') {
        const i = body.params.indexOf(this.text(x));
        // the argument's node, in the parameter's place (its field name: `argument` of `(p)->m`)
        if (i >= 0) return { ...args[i], field: x.field, parent };
      }
      const c: SNode = { ...x, parent, children: [], synth: body.params.length ? synth(x) : undefined };
      c.children = x.children.map((ch) => clone(ch, c));
      return c;
    };
    const call = clone(tmpl, n.parent);
    // a statement stays in the #define (a finding inside it names the macro's line), a call stands at the invocation
    return block ? call : Object.assign(call, { start: n.start, end: n.end, sr: n.sr, sc: n.sc, er: n.er, ec: n.ec, field: n.field });
  }

  private parseMacroCall(body: MacroBody, kind: 'call' | 'block' | 'value'): SNode | null {
    const backend = loadedBackend();
    if (!backend) return null;
    // line continuations become blanks of the same length: offsets stay the file's
    let text = this.src.slice(body.start, body.end).replace(/\\(?=\r?\n)|\r?\n/g, (m) => ' '.repeat(m.length));
    // `(buf) + off` would parse as a cast of `+off` to a type `buf`: a parenthesised parameter
    // (not a call's argument list) loses its parentheses (blanks of the same length)
    for (const p of body.params) text = text.replace(new RegExp(`(?<![\\w)\\]]\\s*)\\(\\s*${p}\\s*\\)`, 'g'), (m) => ` ${m.slice(1, -1)} `);
    const prefix = 'void vmalias_macro_body(void)\n{\n';
    let root: SNode;
    try {
      root = backend.parse(`${prefix}${text};\n}\n`).root;
    } catch {
      return null;
    }
    let call: SNode | undefined;
    const want = (d: SNode) => (kind === 'call' ? d.type === 'call_expression' : kind === 'block' ? d.type === 'do_statement'
      : d.type === 'parenthesized_expression' && d.children[0]?.type === 'compound_statement');
    for (const d of descendants(root)) if (want(d)) { call = d; break; }
    if (!call || call.error || descendants(call).some((d) => d.error)) return null;
    // at the body's place in this file
    const delta = body.start - prefix.length;
    const ls = this.tu.lineStarts;
    for (const d of [call, ...descendants(call)]) {
      d.start += delta;
      d.end += delta;
      const sr = lineIndex(ls, d.start);
      const er = lineIndex(ls, d.end);
      Object.assign(d, { sr, sc: d.start - ls[sr], er, ec: d.end - ls[er] });
    }
    call.parent = null;
    return call;
  }

  /**
   * The local object whose storage an address expression points into (`buf` for a local array
   * `u8 buf[16]`, `&hdr`, `&req.cmd`, `&buf[4]`, `buf + off`), when it is on the stack: declared in
   * this function without `static`/`extern`, not a pointer. Only on kernels with CONFIG_VMAP_STACK
   * (tables STACK_VMAP).
   */
  private stackObject(arg: SNode): { name: string; decl: SNode } | undefined {
    if (!STACK_VMAP.since || (this.tu.kernel && compareVersion(this.tu.kernel, parseVersion(STACK_VMAP.since)) < 0)) return undefined;
    const keep = (x: SNode) => stripNode(x, true);
    let e = keep(arg);
    let addressed = false;
    if (e.type === 'binary_expression' && (e.op === '+' || e.op === '-')) e = keep(child(e, 'left') ?? e);
    if (e.type === 'pointer_expression' && e.op === '&') {
      addressed = true;
      e = keep(child(e, 'argument') ?? e);
    }
    // &x.m, &x[i]: the object x holds them; &p->m is wherever p points
    while (addressed && (e.type === 'subscript_expression' || (e.type === 'field_expression' && !this.text(e).includes('->')))) e = keep(child(e, 'argument') ?? e);
    if (e.type !== 'identifier') return undefined;
    const name = this.text(e);
    const decl = this.stackDecls().get(name);
    if (!decl) return undefined;
    // a bare name is an address only for an array
    return addressed || decl.array ? { name, decl: decl.node } : undefined;
  }

  /** Locals of this function that live on the stack: declared without a storage class, not pointers. */
  private stackDecls(): Map<string, { node: SNode; array: boolean }> {
    if (this.stackVars) return this.stackVars;
    const m = new Map<string, { node: SNode; array: boolean }>();
    const other = new Set<string>();
    for (const n of bodyNodes(this.fn.body)) {
      if (n.type !== 'declaration') continue;
      const storage = n.children.some((c) => c.type === 'storage_class_specifier');
      for (const d of n.children) {
        if (d.field !== 'declarator') continue;
        const dn = declaratorName(d, this.src);
        if (!dn.name) continue;
        if (!storage && dn.ptr === 0 && !dn.fn) m.set(dn.name, { node: d, array: dn.array });
        else other.add(dn.name);
      }
    }
    // a parameter, or a static or pointer of the same name in another block, may be what is meant
    for (const p of this.fn.params) m.delete(p.name);
    for (const x of other) m.delete(x);
    this.stackVars = m;
    return m;
  }

  /**
   * Where a linear sink converts the address on the analysed kernel (SinkRow.via, or viaOld's text
   * before its version), and whether it refuses vmalloc memory there: a row whose older kernels
   * converted the address refuses it on this one.
   */
  private linearVia(sink: SinkRow): { via?: string; refused: boolean } {
    const old = sink.via !== undefined && sink.viaOld !== undefined && this.tu.kernel !== undefined && compareVersion(this.tu.kernel, parseVersion(sink.viaOld.until)) < 0;
    return { via: old ? sink.viaOld?.text : sink.via, refused: sink.viaOld !== undefined && !old };
  }

  /** A linear-map conversion of a stack address: with CONFIG_VMAP_STACK the stack is vmalloc memory. */
  private reportStack(name: string, sink: SinkRow, n: SNode, arg: SNode, local: { name: string; decl: SNode }): void {
    const b: Buf = {
      id: `stack:${local.name}`, kind: 'vmalloc', zeroed: false, display: local.name, escapes: false, holders: [],
      origin: [this.step('alloc', local.decl, `\`${local.name}\` is on the stack: ${STACK_VMAP.text}`)],
    };
    const { via, refused } = this.linearVia(sink);
    this.report('vmalloc-linear-map', n, b,
      `${name}() on stack address \`${this.text(arg)}\`: ${STACK_VMAP.text}; ${via ? `${via}` : 'a linear-map conversion gives the wrong page'} (the DMA API also forbids DMA to or from the stack); use kmalloc()ed memory for anything a device or a page-based API sees`,
      [...b.origin, this.step('convert', n, via ? `${name}(): ${via}` : `${name}() assumes a linear-map address`)], this.linearDirection(sink, n), [], refused ? { refused } : {});
  }

  /**
   * A conversion whose page goes into a write bio or scatterlist (`__bio_add_page(bio,
   * virt_to_page(buf), …)` with `bio` allocated for a write) of a buffer the CPU wrote: with the
   * right page the write still needs its flush, which the fix adds before the add (the writes came
   * first) — else applying it would only trade this finding for a missing flush.
   */
  private writtenIntoWrite(conv: SNode, b: Buf, st: State): SNode | undefined {
    if (!st.written.has(b.id) && !b.escapes) return undefined;
    const at = this.sinkOfArgument(conv);
    if (!at) return undefined;
    const { call, row } = at;
    if (row.kind !== 'page-add' || row.bio === undefined) return undefined;
    const bioArg = this.args(call)[row.bio];
    const op = bioArg ? this.bio(this.objKey(bioArg), st).op : undefined;
    return op !== undefined && opHasWrite(op) ? call : undefined;
  }

  private reportLinear(name: string, sink: SinkRow, n: SNode, arg: SNode, b: Buf, message?: string, writeAdd?: SNode, wrote = false, given: Fix[] = []): void {
    const fixes: Fix[] = [...given];
    const fnNode = child(n, 'function');
    // a page added with a length that may run past it: vmalloc pages are not contiguous, so
    // swapping in vmalloc_to_page() would silence the finding and leave the I/O wrong
    const repl = this.pageRunsOver(n) || this.regionAddress(n, b) ? undefined : sink.vmallocReplacement;
    const maybe = b.kind === 'maybe';
    const inverted = repl ? this.invertedVmallocTest(n, arg, repl) : undefined;
    if (inverted) {
      // `if (!is_vmalloc_addr(p)) return vmalloc_to_page(p); return virt_to_page(p);`: the author's
      // test is the wrong way round; replacing this call would leave linear memory to vmalloc_to_page()
      fixes.push({ title: 'Invert the is_vmalloc_addr() test: its branches are the wrong way round', isPreferred: true, edits: [inverted] });
    } else if (repl && !maybe && fnNode) {
      const name0 = writeAdd ? this.bufNameForFix(b) : undefined;
      const len0 = name0 ? this.lenFor(b, name0) : undefined;
      const flush = writeAdd && name0 && len0 ? this.flushFix(b, name0, len0, writeAdd) : undefined;
      fixes.push({
        title: flush ? `Use ${repl}() and flush_kernel_vmap_range(${name0}, ${len0}) before the write` : `Use ${repl}()`, isPreferred: true,
        edits: [...(flush?.edits ?? []), { file: this.tu.file, span: this.span(fnNode), newText: repl }],
      });
    } else if (repl && maybe && n.type === 'call_expression' && this.args(n).length === 1) {
      // kmalloc or vmalloc memory: vmalloc_to_page() of a linear address is wrong too
      const a = this.text(arg);
      fixes.push({
        title: `Test is_vmalloc_addr(): ${repl}() for vmalloc memory, ${name}() otherwise`, isPreferred: true,
        edits: [{ file: this.tu.file, span: this.span(n), newText: `(is_vmalloc_addr(${a}) ? ${repl}(${a}) : ${name}(${a}))` }],
      });
    }
    const { via, refused } = this.linearVia(sink);
    const advice = inverted
      ? `; the is_vmalloc_addr() test that leads here is the wrong way round (its other side calls ${repl}())`
      : repl
      ? (maybe ? `; test is_vmalloc_addr() and use ${repl}() for vmalloc memory` : `; use ${repl}()`)
      : `; ${sink.advice ?? 'give the device kmalloc() or dma_alloc_coherent() memory, or map the buffer\'s vmalloc_to_page() pages with flush_kernel_vmap_range()/invalidate_kernel_vmap_range() around the I/O'}`;
    this.report('vmalloc-linear-map', n, b,
      message ?? `${name}() on ${maybe ? 'possibly ' : ''}vmalloc address \`${this.text(arg)}\`: ${via ? `${via}, on every architecture` : 'a linear-map conversion gives the wrong page on every architecture'}${advice}`,
      [...b.origin, this.step('convert', n, via ? `${name}(): ${via}` : `${name}() assumes a linear-map address`)], this.linearDirection(sink, n), fixes,
      // what the simulation replays: a buffer the CPU wrote on this path, a call the kernel refuses
      { ...(refused ? { refused } : {}), ...(wrote ? { cpuWroteBefore: true } : {}) });
  }

  /**
   * The edit that inverts an `if (is_vmalloc_addr(p))` / `if (!is_vmalloc_addr(p))` of this
   * function whose other side already calls `repl` on `p` while conversion `conv` of `p` runs where
   * the test said vmalloc: the test is inverted, not the call.
   */
  private invertedVmallocTest(conv: SNode, arg: SNode, repl: string): { file: string; span: Span; newText: string } | undefined {
    const a = this.text(arg).replace(/\s+/g, '');
    for (const n of bodyNodes(this.fn.body)) {
      if (n.type !== 'if_statement') continue;
      const cond = child(n, 'condition');
      let c = cond ? this.strip(cond) : undefined;
      let neg = false;
      if (c?.type === 'unary_expression' && c.op === '!') {
        neg = true;
        c = this.strip(child(c, 'argument') as SNode);
      }
      if (!c || c.type !== 'call_expression' || !VMALLOC_TESTS.has(this.callName(c) ?? '') || this.text(this.args(c)[0] ?? c).replace(/\s+/g, '') !== a) continue;
      // the branch the test sends vmalloc memory to holds the conversion; the other one calls repl
      const conseq = child(n, 'consequence') as SNode;
      const inConseq = conv.start >= conseq.start && conv.end <= conseq.end;
      const linearSide = neg ? conseq : child(n, 'alternative') ?? undefined;
      const vmSide = neg ? child(n, 'alternative') ?? undefined : conseq;
      const callsRepl = (x: SNode | undefined) => x !== undefined && descendants(x).some((d) => d.type === 'call_expression' && this.callName(d) === repl && this.text(this.args(d)[0] ?? d).replace(/\s+/g, '') === a);
      // `if (!is_vmalloc_addr(p)) return repl(p); return conv(p);`: the conversion follows the if
      const after = !child(n, 'alternative') && conv.start >= n.end;
      if (!(callsRepl(linearSide) && ((vmSide && conv.start >= vmSide.start && conv.end <= vmSide.end) || (neg && after && !inConseq)))) continue;
      const cs = cond ? this.strip(cond) : c;
      return neg
        ? { file: this.tu.file, span: this.span(cs), newText: this.text(c) }
        : { file: this.tu.file, span: this.span(c), newText: `!${this.text(c)}` };
    }
    return undefined;
  }

  /**
   * Whether a conversion's page becomes the physical address of the whole buffer
   * (`page_to_phys(virt_to_page(snap))` of a 512 KiB vzalloc()): not a page of it, taken once
   * outside any loop, of a buffer not known to fit in a page. vmalloc_to_page() would give the
   * first page only; the device would run past it.
   */
  private regionAddress(conv: SNode, b: Buf): boolean {
    const p = conv.parent?.type === 'argument_list' ? conv.parent.parent : undefined;
    const outer = p?.type === 'call_expression' ? this.callName(p) : undefined;
    if (!outer || !PHYS_OF_PAGE.has(outer) || this.loops.some((f) => !f.isSwitch)) return false;
    const size = b.sizeBytes ?? (b.size ? this.constEval(b.size) : undefined);
    return size === undefined || size > PAGE_SIZE_MIN;
  }

  /** The table sink call an expression is an argument of (`__bio_add_page(bio, virt_to_page(p), …)` for the conversion). */
  private sinkOfArgument(x: SNode): { call: SNode; row: SinkRow } | undefined {
    const call = x.parent?.type === 'argument_list' ? x.parent.parent : undefined;
    const row = call?.type === 'call_expression' ? SINKS.get(this.callName(call) ?? '') : undefined;
    return call && row ? { call, row } : undefined;
  }

  /**
   * Whether the page a conversion gives is added to a bio or scatterlist entry with a length that
   * may exceed one page (`bio_add_page(bio, virt_to_page(p), count * 8, off)`): anything but a
   * constant of at most PAGE_SIZE, or PAGE_SIZE itself.
   */
  private pageRunsOver(conv: SNode): boolean {
    const at = this.sinkOfArgument(conv);
    if (!at) return false;
    const { call, row } = at;
    if ((row.kind !== 'page-add' && row.kind !== 'sg-page') || row.len === undefined) return false;
    const args = this.args(call);
    if (args[row.page ?? -1] !== conv) return false;
    const len = args[row.len];
    if (!len) return false;
    const t = this.text(len).replace(/\s+/g, '');
    const inPage = (x: string): boolean => {
      if (x === 'PAGE_SIZE') return true;
      const v = this.constEval(x);
      return v !== undefined && v <= PAGE_SIZE_MIN;
    };
    if (inPage(t)) return false;
    // bounded by a page: `min_t(size_t, PAGE_SIZE, len - off)`, `min(len, PAGE_SIZE)`, `PAGE_SIZE - offset_in_page(p)`
    const m = /^(?:min|min_t|umin|min3|min_not_zero)\((.*)\)$/.exec(t);
    if (m && splitTop(m[1], ',').some(inPage)) return false;
    if (/^PAGE_SIZE-[^+*/<>]+$/.test(t)) return false;
    return true;
  }

  /** `n`, or the outermost macro invocation being expanded when `n` lies in that macro's #define. */
  private atMacroUse(n: SNode): SNode {
    return this.macroSite && n.start !== n.end && this.inDefine(n.start + 1) ? this.macroSite : n;
  }

  /** Whether an offset is on a preprocessor line or a continuation line of one. */
  private inDefine(off: number): boolean {
    let ls = lineStart(this.src, Math.min(off, this.src.length));
    // a whole line inserted before line `ls`: inside a macro only if the line before continues
    if (off === ls) return ls > 0 && /\\\r?\n$/.test(this.src.slice(lineStart(this.src, ls - 1), ls));
    for (let k = 0; k < 64; k++) {
      if (/^[ \t]*#/.test(this.src.slice(ls, ls + 64))) return true;
      if (ls === 0) return false;
      const prev = lineStart(this.src, ls - 1);
      if (!/\\\r?\n$/.test(this.src.slice(prev, ls))) return false;
      ls = prev;
    }
    return false;
  }

  /** A mapping's own direction argument when it is a constant (DMA_FROM_DEVICE: the device writes), else the context's. */
  private linearDirection(sink: SinkRow, n: SNode): Direction {
    const a = sink.dir !== undefined ? this.args(n)[sink.dir] : undefined;
    const d = a ? DIRECTIONS.get(this.text(this.strip(a))) : undefined;
    return d && appliesTo(d, this.tu.kernel) !== false ? d.dir : this.dirOf(this.ctxBits);
  }

  /** The statement (child of a block) that contains a node. */
  private stmtOf(n: SNode): SNode {
    let cur = n;
    while (cur.parent && cur.parent.type !== 'compound_statement' && cur.parent.type !== 'case_statement' && cur.parent.type !== 'translation_unit' && !cur.parent.type.startsWith('preproc')) cur = cur.parent;
    return cur;
  }

  private insertAfterOffset(n0: SNode): number | undefined {
    // inside an expanded macro body: after the statement that uses the macro
    const n = this.atMacroUse(n0);
    const s = this.stmtOf(n);
    if (s.type === 'return_statement' || s.parent?.type === 'labeled_statement') return undefined;
    // completed in a condition (`if (submit_bio_wait(bio)) … else use(buf);`): after the statement
    // is too late when a branch goes on to the code that reads. Only `if (…) return/goto …;` with
    // no else leaves nothing between the completion and what follows the statement.
    if (s.type === 'if_statement') {
      const conseq = child(s, 'consequence');
      const last = conseq?.type === 'compound_statement' ? conseq.children.filter((c) => c.type !== 'comment' && c.type !== '{' && c.type !== '}').pop() : conseq;
      const jumps = last !== undefined && ['return_statement', 'goto_statement', 'break_statement', 'continue_statement'].includes(last.type);
      return !child(s, 'alternative') && jumps ? s.end : undefined;
    }
    if (['while_statement', 'for_statement', 'do_statement', 'switch_statement'].includes(s.type)) return undefined;
    return s.end;
  }

  private bufName(b: Buf, st: State): string | undefined {
    for (const [k, v] of st.vars) if (v.t === 'buf' && v.b.id === b.id && !v.adv && !k.includes(':')) return k;
    // (an entry of a file-scope container, `global:blob_idr[]`, has no name of its own)
    if (b.id.startsWith('global:')) return b.id.endsWith('[]') ? undefined : b.id.slice('global:'.length);
    // `bp->b_addr`: the holder variable must be in scope here (the field name is not a variable);
    // a field read from elsewhere, or one this function stored the buffer in
    const inField = b.field !== undefined || [...st.vars].some(([k, v]) => k.startsWith('field:') && v.t === 'buf' && v.b.id === b.id && !v.adv);
    if (inField && /^[A-Za-z_]\w*(->|\.)[A-Za-z_]\w*$/.test(b.display) && this.types.has(b.display.split(/->|\./)[0])) return b.display;
    if (b.kind === 'param' || b.id.startsWith('ev:')) return /^[A-Za-z_]\w*$/.test(b.display) && this.types.has(b.display) ? b.display : undefined;
    return undefined;
  }

  private lenFor(b: Buf, name: string, ranges?: readonly IoRange[]): string | undefined {
    // the buffer's size first: another call's length may cover only part of it (a header's
    // `invalidate(v, PAGE_SIZE)` before the body is read too)
    if (b.size && this.inScope(b.size)) return b.size;
    const m = this.maintLens.get(name);
    if (m) return m;
    // the buffer's size is not known here (a member allocated elsewhere): what the I/O carries
    // from its start, when every add says so the same way (a counted loop's span, one add's length)
    const from = [...new Set((ranges ?? []).map((r) => carriedFrom(r, undefined)?.lenText ?? ''))];
    if (from.length === 1 && from[0] && this.inScope(from[0])) return from[0];
    return undefined;
  }

  private submit(added: Added[], op: OpSet, site: SNode, sync: boolean, st: State, bio: BioState | undefined): void {
    const read = opHasRead(op);
    const write = opHasWrite(op);
    for (const a of added) {
      const b = a.buf;
      if (st.clean.has(b.id) || b.uncached) continue;
      const flushed = st.flushed.get(b.id) ?? a.flushedAtAdd ?? this.flushedAsStored(b, st);
      const helperFlush = a.helperFlushesWrites === true;
      const submitStep = this.step('submit', site, `${sync ? 'submitted and waited for' : 'submitted'} with ${this.calleeText(site)}() as ${directionPhrase(this.dirOf(op))}`);
      if (this.isSym(b)) {
        if (b.param !== undefined) {
          // how much of it the I/O carries, when a parameter says (`add(p + done, PAGE_SIZE)` over `done < len`)
          const lp = this.lengthParam(a.ranges);
          const cur = this.summary.submitLens.get(b.param);
          this.summary.submitLens.set(b.param, cur === undefined || cur === lp ? lp : null);
          if (write && !flushed && !helperFlush) {
            this.summary.submits.add(b.param);
            this.summary.writeUnflushed.add(b.param);
          }
          if (helperFlush) this.summary.helperFlushed.add(b.param);
          if (write) this.summary.submitDir |= op & (OP_W | OP_WF | OP_B);
          if (read) this.summary.submitDir |= op & (OP_R | OP_RF | OP_B);
          if (read && !write && !flushed) this.summary.submits.add(b.param);
        }
        // a read into a parameter: completed now, or when a completion call of this function says so
        // (then a CPU read of it here is a summary fact: readsCompletedParams)
        if (read) (sync ? st.completed : st.inflight).set(b.id, { buf: b, site: submitStep, steps: [...a.steps, submitStep], sync, dir: op });
        continue;
      }
      const written = st.written.get(b.id) ?? this.writtenAsStored(b, st);
      // a write another function of the file left unflushed travels in the add's steps (noteMemberBios)
      const visibleWrite = written && written.kind === 'cpu-write' ? written : a.unflushedAtSubmit ? a.steps.find((x) => x.kind === 'cpu-write') : undefined;
      // a flush of an advanced pointer before this I/O misses the pages added before it
      if (flushed?.wrongRange && flushed.advSite && a.flushedAtAdd === undefined) {
        const fnode = this.callAt(flushed.step.span.startOffset, flushed.step.span.endOffset);
        if (fnode) this.reportAdvancedMaint('flush', b, flushed.advSite, flushed.step, fnode, this.args(fnode), st);
      }
      // bio_add_vmalloc() flushes all it added for a write: a shorter flush of the caller's own is harmless
      if (flushed && !flushed.wrongRange && !a.unflushedAtSubmit && !(helperFlush && write && !read)) {
        const fnode = this.callAt(flushed.step.span.startOffset, flushed.step.span.endOffset);
        if (fnode) this.checkRange(flushed, a.ranges ?? [], b, fnode, this.args(fnode), 'flush');
      }
      const needFlush = !flushed || a.unflushedAtSubmit;
      const name = this.bufName(b, st);
      if (write && needFlush && !(helperFlush && !a.unflushedAtSubmit) && (written || b.escapes) && !b.readOnly) {
        const len = name ? this.lenFor(b, name, a.ranges) : undefined;
        const addAt = [...a.steps].reverse().find((x) => x.kind === 'page-add')?.span.startOffset;
        // the author's flush, made after the submission (`submit_bio(bio); flush_kernel_vmap_range(buf, …)`):
        // the fix moves it (when nothing after it submits again, it only ran too late)
        const late = this.lateFlush(b, name, site);
        const fixes = name && len ? [this.withoutLateFlush(this.flushFix(b, name, len, site, written?.span.startOffset, addAt), late)] : [];
        this.report('vmap-io-missing-flush', site, b,
          `\`${b.display}\` ${visibleWrite ? 'is written by the CPU through' : MEMBER_SOURCES.has(b.field ?? '') && b.id === `field:${b.field}` ? `holds ${MEMBER_SOURCES.get(b.field ?? '')?.writtenBy}` : b.viaField ? `is ${b.id.startsWith('global:') ? 'a file-scope variable' : 'a struct member'} other functions may write through` : 'is possibly written (it escapes) through'} its ${b.kind === 'vmap' ? 'vmap' : 'vmalloc'} alias${!visibleWrite && b.viaField ? ', and it' : ' and'} reaches ${read ? 'I/O' : 'a write I/O'} without flush_kernel_vmap_range()${late ? ' before it (the one this function makes runs after the submission)' : ''}: on VIVT/aliasing-VIPT caches the device can read stale memory`,
          [...b.origin, ...(written ? [written] : []), ...a.steps, submitStep, ...(late ? [late] : [])], this.dirOf(op), fixes,
          { cpuWroteBefore: true, hasFlush: false, hasInvalidate: false, cpuReadsAfter: read });
      } else if (read && !write && needFlush && visibleWrite && !b.readOnly) {
        const len = name ? this.lenFor(b, name, a.ranges) : undefined;
        const fixes = name && len ? [this.flushFix(b, name, len, site)] : [];
        this.report('vmap-io-missing-flush', site, b,
          `\`${b.display}\` was written by the CPU through its vmalloc alias and is then read into without flush_kernel_vmap_range() first: dirty alias lines can be written back over the data the device delivers`,
          [...b.origin, visibleWrite, ...a.steps, submitStep], 'read', fixes,
          { cpuWroteBefore: true, hasFlush: false, cpuReadsAfter: true, hasInvalidate: false });
      }
      // bio_add_vmalloc() flushed what it added for this write: a later read into it starts clean
      if (write && helperFlush && needFlush && !a.unflushedAtSubmit) st.flushed.set(b.id, { step: a.steps[a.steps.length - 1] ?? submitStep, wrongRange: false });
      if (!read) continue;
      const pending: Pending = { buf: b, ranges: a.ranges, site: submitStep, steps: [...a.steps, submitStep], sync, dir: op, insertAfter: sync ? this.insertAfterOffset(site) : undefined, indent: indentAt(this.src, this.stmtOf(site).start), ...(a.viaTable ? { viaTable: true } : {}) };
      const r0 = a.ranges?.length === 1 && !a.ranges[0].span ? a.ranges[0] : undefined;
      const at = r0?.off !== undefined ? this.localsInto(b, st).find(([, v]) => v.off === r0.off) : undefined;
      if (at) pending.rangeName = at[0];
      if (sync) {
        const sv = this.statusVarOf(site);
        if (sv) pending.statusVar = sv;
        st.completed.set(b.id, pending);
        st.invalidated.delete(b.id);
        continue;
      }
      const endIo = bio?.endIo;
      const localEndIo = endIo && this.tu.functions.has(endIo) ? endIo : undefined;
      if (localEndIo && this.endIoInvalidates(localEndIo, b, bio as BioState, st)) continue;
      // a callback of another file whose summary invalidates the member this buffer is kept in
      if (endIo && !localEndIo && this.remoteEndIoInvalidates(endIo, b, st)) continue;
      const readAt = localEndIo ? this.endIoReads(localEndIo, b, st) : undefined;
      if (readAt) {
        this.reportMissingInvalidate({ ...pending, endIo: localEndIo, bio }, [readAt]);
        continue;
      }
      // Judged later: a wait_for_completion() and an invalidate may follow in this function.
      st.inflight.set(b.id, { ...pending, endIo: localEndIo, bio });
    }
  }

  /**
   * A member's buffer (known through the file's member facts, as the pages of a table another
   * function filled are) that this path allocated into the member itself and wrote under that
   * allocation (`cu->table = vzalloc(…); … memcpy(cu->table, …)`): that write, for the finding's
   * trace and the fix's place.
   */
  private writtenAsStored(b: Buf, st: State): TraceStep | undefined {
    if (!b.id.startsWith('field:')) return undefined;
    let last: TraceStep | undefined;
    for (const [id, w] of st.written) {
      if (this.tu.allocToField.get(id) === b.id && (!last || w.span.startOffset > last.span.startOffset)) last = w;
    }
    return last;
  }

  /**
   * A member's buffer (known through the file's member facts) that this path stored there itself
   * (`x->buf = buf;`) and flushed under that name (`flush_kernel_vmap_range(buf, len)`), with no
   * write since: a helper filled the table from the member, the caller flushed the same memory.
   */
  private flushedAsStored(b: Buf, st: State): MaintRec | undefined {
    if (!b.viaField || !b.field) return undefined;
    const v = st.vars.get(`field:${b.field}`);
    return v && v.t === 'buf' && v.b.id !== b.id && !v.adv ? st.flushed.get(v.b.id) : undefined;
  }

  /**
   * `bio->bi_end_io = foo_end_io` with foo_end_io() in another file: its summary lists the members
   * it invalidates (`invalidate_kernel_vmap_range(rq->buf, …)` with `rq = bio->bi_private`:
   * invalidatesMembers `T.buf`); the read is covered when this path keeps the buffer in one of them.
   */
  private remoteEndIoInvalidates(endIo: string, b: Buf, st: State): boolean {
    const members = this.tu.summaries.get(endIo)?.invalidatesMembers;
    if (!members?.length) return false;
    const held = this.fieldKeys(b, st);
    return members.some((m) => held.has(m));
  }

  private flushFix(b: Buf, name: string, len: string, site0: SNode, writtenAt?: number, addAt?: number): Fix {
    // inside an expanded macro body: before the statement that uses the macro, never in the #define
    const site = this.atMacroUse(site0);
    // the buffer is named through the cursor of a loop that added its pages and has ended by the
    // submission (`list_for_each_entry(c, …) __bio_add_page(bio, vmalloc_to_page(c->data), …);`):
    // after the loop the cursor names no element, so each one is flushed in the loop, before its add
    const inLoop = addAt !== undefined ? this.cursorLoopStmt(addAt, this.stmtOf(site), [name, len]) : undefined;
    if (inLoop) {
      const indent = indentAt(this.src, inLoop.start);
      const call = `flush_kernel_vmap_range(${name}, ${len});`;
      const body = b.kind === 'maybe' ? `if (is_vmalloc_addr(${name}))\n${indent}\t${call}` : call;
      return {
        title: `Insert ${b.kind === 'maybe' ? 'is_vmalloc_addr()-guarded ' : ''}flush_kernel_vmap_range(${name}, ${len}) in the loop, before its pages are added`, isPreferred: true,
        edits: [{ file: this.tu.file, span: this.offsetSpan(lineStart(this.src, inLoop.start)), newText: `${indent}${body}\n` }],
      };
    }
    let stmt = this.stmtOf(site);
    // a submission inside a loop, of the whole range, with no write of the buffer in the loop:
    // one flush before the loop, not one per iteration (a whole D-cache flush on PA-RISC)
    const hoisted = this.hoistOutOfLoops(stmt, [name, len], writtenAt);
    const where = hoisted !== stmt ? 'before the loop' : 'before the submission';
    stmt = hoisted;
    // `label: submit…;` — the flush goes after the label, or a goto to it would skip the flush
    while (stmt.type === 'labeled_statement') {
      const inner = stmt.children.find((c) => c.field !== 'label' && c.type !== 'comment');
      if (!inner) break;
      stmt = inner;
    }
    const indent = indentAt(this.src, stmt.start);
    const at = lineStart(this.src, stmt.start);
    const startsLine = this.src.slice(at, stmt.start).trim() === '';
    const call = `flush_kernel_vmap_range(${name}, ${len});`;
    const body = b.kind === 'maybe' ? `if (is_vmalloc_addr(${name}))\n${indent}\t${call}` : call;
    // `int err = submit_bio_wait(bio);`: a statement before a declaration mixes declarations and
    // code (the kernel builds with -Wdeclaration-after-statement), so the declaration is split
    const split = startsLine ? this.splitDeclaration(stmt) : undefined;
    if (split) {
      return {
        title: `Insert ${b.kind === 'maybe' ? 'is_vmalloc_addr()-guarded ' : ''}flush_kernel_vmap_range(${name}, ${len}) ${where}`, isPreferred: true,
        edits: [{ file: this.tu.file, span: this.span(stmt), newText: `${split.decl}\n${indent}${body}\n${indent}${split.assign}` }],
      };
    }
    const text = startsLine ? `${indent}${body.replace(/\n/g, '\n')}\n` : `${body} `;
    const pos = startsLine ? at : stmt.start;
    const sp = this.offsetSpan(pos);
    return { title: `Insert ${b.kind === 'maybe' ? 'is_vmalloc_addr()-guarded ' : ''}flush_kernel_vmap_range(${name}, ${len}) ${where}`, isPreferred: true, edits: [{ file: this.tu.file, span: sp, newText: text }] };
  }

  /**
   * The outermost loop around `stmt` a flush of `texts` (its pointer and length) can go before:
   * each loop from `stmt` outwards qualifies while the buffer's last CPU write (`writtenAt`, an
   * offset) comes before it and the loop assigns nothing the texts name (`off` of `p + off`).
   */
  private hoistOutOfLoops(stmt: SNode, texts: string[], writtenAt: number | undefined): SNode {
    let out = stmt;
    for (let p = stmt.parent; p && p !== this.fn.body; p = p.parent) {
      if (p.type !== 'for_statement' && p.type !== 'while_statement' && p.type !== 'do_statement') continue;
      if (writtenAt !== undefined && writtenAt >= p.start) break;
      // what the loop reassigns: a variable, or a member chain (`d->ovl = …`); a store into an
      // element or another member (`d->ovl_dma[i] = …`) leaves `d->ovl` naming the same buffer
      const assigned = new Set<string>();
      for (const d of descendants(p)) {
        const target = d.type === 'assignment_expression' ? child(d, 'left') : d.type === 'update_expression' ? child(d, 'argument') : d.type === 'init_declarator' ? this.declName(d) : undefined;
        if (target) assigned.add(this.text(this.strip(target)).replace(/\s+/g, ''));
      }
      if (texts.some((t) => [...assigned].some((a) => namesChain(t.replace(/\s+/g, ''), a)))) break;
      out = p;
    }
    return out;
  }

  /**
   * The statement of a loop's body, holding the add at offset `addAt`, before which a flush of
   * `texts` must go: the outermost loop around the add that does not hold `submit` and moves a
   * variable the texts use (assigns it, or a macro loop's head passes it: `list_for_each_entry(c, …)`).
   * Undefined when no such loop exists or the add does not start its own line there.
   */
  private cursorLoopStmt(addAt: number, submit: SNode, texts: string[]): SNode | undefined {
    // variables only: `mtt->buf` names `mtt`, not a local `buf` the loop advances
    const ids = new Set(texts.flatMap((t) => t.match(/(?<!->|\.)\b[A-Za-z_]\w*/g) ?? []));
    let add: SNode | undefined;
    for (const n of bodyNodes(this.fn.body)) if (n.start <= addAt && addAt < n.end && (!add || n.end - n.start < add.end - add.start)) add = n;
    let found: SNode | undefined;
    for (let cur = add; cur && cur !== this.fn.body; cur = cur.parent ?? undefined) {
      const p = cur.parent;
      if (!p || (submit.start >= p.start && submit.end <= p.end)) break;
      let body: SNode | undefined;
      const moved = new Set<string>();
      if (p.type === 'for_statement' || p.type === 'while_statement' || p.type === 'do_statement') {
        body = child(p, 'body');
        for (const d of descendants(p)) {
          const target = d.type === 'assignment_expression' ? child(d, 'left') : d.type === 'update_expression' ? child(d, 'argument') : undefined;
          const t = target ? this.strip(target) : undefined;
          if (t?.type === 'identifier') moved.add(this.text(t));
        }
      } else if (p.type === 'compound_statement' && p.parent) {
        // a macro loop's body: the statement before it is the head
        const sibs = p.parent.children;
        const head = sibs[sibs.indexOf(p) - 1];
        if (head && head.type === 'expression_statement' && this.isMacroLoopHead(head)) {
          body = p;
          for (const a of this.args(head.children[0])) { const x = this.strip(a); if (x.type === 'identifier') moved.add(this.text(x)); }
        }
      }
      if (body && [...ids].some((id) => moved.has(id))) {
        // the statement directly in the body that holds the add
        let s2: SNode | undefined = add;
        while (s2 && s2.parent !== body && s2.parent) s2 = s2.parent;
        if (body.type !== 'compound_statement') s2 = undefined;
        found = s2 && s2.parent === body ? s2 : found;
      }
    }
    return found && this.src.slice(lineStart(this.src, found.start), found.start).trim() === '' ? found : undefined;
  }

  /**
   * `T name = init;` (one declarator, a plain name) as `T name;` and `name = init;`, for a statement
   * that must go between them; undefined for any other statement.
   */
  private splitDeclaration(stmt: SNode): { decl: string; assign: string } | undefined {
    if (stmt.type !== 'declaration') return undefined;
    const decls = stmt.children.filter((c) => c.field === 'declarator');
    if (decls.length !== 1 || decls[0].type !== 'init_declarator') return undefined;
    const d = child(decls[0], 'declarator');
    const v = child(decls[0], 'value');
    if (!d || !v || d.type !== 'identifier' || v.type === 'initializer_list') return undefined;
    if (stmt.children.some((c) => c.type === 'type_qualifier' && this.text(c) === 'const')) return undefined;
    return { decl: `${this.src.slice(stmt.start, decls[0].start)}${this.text(d)};`, assign: `${this.text(d)} = ${this.text(v)};` };
  }

  /**
   * Where an invalidate after the statement ending at `off` goes: after the declarations that
   * follow it in its block, when none of them names the buffer (a statement among declarations
   * mixes declarations and code); else right after the statement.
   */
  private afterDeclarations(off: number, name: string): number {
    let stmt: SNode | undefined;
    for (const n of bodyNodes(this.fn.body)) if (n.end === off && n.parent?.type === 'compound_statement') { stmt = n; break; }
    const sibs = stmt?.parent?.children ?? [];
    let i = stmt ? sibs.indexOf(stmt) + 1 : sibs.length;
    let end = off;
    // names of the buffer: its own, and pointers the declarations compute from it (`h = buf + off`)
    const names = [/^[A-Za-z_]\w*/.exec(name)?.[0] ?? name];
    const mentions = (t: string) => names.some((x) => new RegExp(`\\b${x}\\b`).test(t));
    for (; i < sibs.length; i++) {
      const s = sibs[i];
      if (s.type === 'comment') continue;
      if (s.type !== 'declaration') break;
      if (mentions(this.text(s))) {
        // only address arithmetic on it (`struct hdr *h = buf + i * PAGE_SIZE;`) reads nothing
        for (const d of s.children) {
          if (d.field !== 'declarator') continue;
          const v = d.type === 'init_declarator' ? child(d, 'value') : undefined;
          const dn = v ? child(d, 'declarator') : undefined;
          if (!v || !mentions(this.text(v))) continue;
          const base = this.strip(v);
          const lhs = base.type === 'binary_expression' && (base.op === '+' || base.op === '-') ? this.strip(child(base, 'left') ?? base) : base;
          const rhs = base === lhs ? undefined : child(base, 'right');
          if (lhs.type !== 'identifier' || !names.includes(this.text(lhs)) || (rhs && mentions(this.text(rhs)))) return off;
          const alias = dn ? /[A-Za-z_]\w*/.exec(this.text(dn).replace(/^[\s*]+/, ''))?.[0] : undefined;
          if (alias) names.push(alias);
        }
      }
      end = s.end;
    }
    return end;
  }

  private offsetSpan(off: number): Span {
    // the file's line starts are computed once per file
    const ls = this.tu.lineStarts;
    const lo = lineIndex(ls, off);
    const line = lo + 1;
    const col = off - ls[lo] + 1;
    return { start: { line, column: col }, end: { line, column: col }, startOffset: off, endOffset: off };
  }

  /**
   * What an invalidate fix covers: what the read carried when its ranges say so, from the buffer's
   * start (`buf`, the span or length) or inside it (`dst`, a variable pointing there, else
   * `buf + off`), and the whole buffer only when the ranges are not known. An invalidate wider than
   * the read could discard the CPU's dirty data elsewhere in the buffer (SH-4's is a pure discard,
   * arch/sh/mm/flush-sh4.c), so a read whose part cannot be written gets no fix.
   */
  private invalidateRange(p: Pending): { name?: string; len?: string } {
    const base = this.bufNameForFix(p.buf);
    // one iteration's part of a loop whose parts do not add up (`data + done` while `done < count`): the buffer
    if (!p.ranges?.length || p.ranges.some((r) => r.inLoop)) return { name: base, len: base ? this.lenFor(p.buf, base, p.ranges) : undefined };
    const parts = new Set(p.ranges.map((r) => { const w = r.span ?? r; return `${w.off ?? ''}\0${w.lenText ?? ''}`; }));
    if (parts.size !== 1) return base && p.ranges.every((r) => (r.span ?? r).off === undefined) ? { name: base, len: this.lenFor(p.buf, base, p.ranges) } : {};
    const w = p.ranges[0].span ?? p.ranges[0];
    const len = w.lenText && this.inScope(w.lenText) ? w.lenText : undefined;
    if (w.off === undefined) return { name: base, len: len ?? (base ? this.lenFor(p.buf, base, p.ranges) : undefined) };
    // the offset's canonical text, spaced as kernel code writes it (`i * PAGE_SIZE`)
    const off = w.off.split('->').map((x) => x.replace(/\s*([*+/-])\s*/g, ' $1 ')).join('->');
    const at = p.rangeName ?? (base && this.inScope(w.off) ? `${base} + ${off}` : undefined);
    return at && len ? { name: at, len } : {};
  }

  private reportMissingInvalidate(p: Pending, extra: TraceStep[]): void {
    const b = p.buf;
    const siteNode = this.nodeAt(p.site.span.startOffset, p.site.span.endOffset);
    if (!siteNode) return;
    const fixes: Fix[] = [];
    const { name, len } = this.invalidateRange(p);
    // a label between the completion and the read that a jump from before the completion reaches
    // (`goto unmap;` on an error path): after the completion is not on every path to the read,
    // right before the read is
    const readStep = extra.find((x) => x.kind === 'cpu-read');
    const readNode = readStep ? this.nodeAt(readStep.span.startOffset, readStep.span.endOffset) : undefined;
    const readStmt = readNode ? this.stmtOf(readNode) : undefined;
    const skipped = p.insertAfter !== undefined && readStmt !== undefined && this.jumpedOver(p.insertAfter, readStmt.start);
    if (name && len && skipped && readStmt && readStmt.type !== 'labeled_statement') {
      const call = `invalidate_kernel_vmap_range(${name}, ${len});`;
      const ind = indentAt(this.src, readStmt.start);
      const body = b.kind === 'maybe' ? `if (is_vmalloc_addr(${name}))\n${ind}\t${call}` : call;
      fixes.push({ title: `Insert invalidate_kernel_vmap_range(${name}, ${len}) before the CPU reads it`, isPreferred: true, edits: [
        { file: this.tu.file, span: this.offsetSpan(lineStart(this.src, readStmt.start)), newText: `${ind}${body}\n` },
      ] });
    } else if (name && len && p.insertAfter !== undefined && !skipped) {
      const call = `invalidate_kernel_vmap_range(${name}, ${len});`;
      const ind = p.indent ?? '\t';
      const body = b.kind === 'maybe' ? `if (is_vmalloc_addr(${name}))\n${ind}\t${call}` : call;
      const after = this.afterDeclarations(p.insertAfter, name);
      // a whole new line after the statement's line (keeping a trailing comment where it is)
      const eol = this.src.indexOf('\n', after);
      const rest = this.src.slice(after, eol < 0 ? this.src.length : eol);
      const wholeLine = eol >= 0 && /^\s*(\/\*.*\*\/\s*|\/\/.*)?$/.test(rest);
      const edit = wholeLine
        ? { file: this.tu.file, span: this.offsetSpan(eol + 1), newText: `${ind}${body}\n` }
        : { file: this.tu.file, span: this.offsetSpan(after), newText: `\n${ind}${body}` };
      fixes.push({ title: `Insert invalidate_kernel_vmap_range(${name}, ${len}) after the I/O completes`, isPreferred: true, edits: [edit] });
    } else if (p.endIo && p.bio) {
      const f = this.endIoFix(p.endIo, b, p.bio);
      if (f) fixes.push(f);
    }
    const early = p.earlyInvalidate;
    const pre = early ? undefined : this.preIoInvalidates.get(b.id);
    const before = pre && pre.span.startOffset < p.site.span.startOffset ? pre : undefined;
    // a read seen on the path, or only a buffer that outlives the function (a member, the caller's)
    const seen = readStep !== undefined || p.steps.some((x) => x.kind === 'cpu-read');
    this.report('vmap-io-missing-invalidate', siteNode, b,
      `read I/O into ${b.kind === 'maybe' ? 'possibly-vmalloc' : b.kind === 'vmap' ? 'vmap' : 'vmalloc'} buffer \`${b.display}\` ${seen ? 'is read by the CPU' : 'is left for the CPU to read'} after completion ${early ? 'but its invalidate_kernel_vmap_range() runs before the I/O completes' : before ? 'but its invalidate_kernel_vmap_range() runs before the I/O is submitted' : 'without invalidate_kernel_vmap_range()'}: on VIVT/aliasing-VIPT caches the CPU can read stale alias lines`,
      [...b.origin, ...(before && !p.steps.some((s) => s.kind === 'submit') ? [before] : []),
        ...p.steps.flatMap((s) => (early && s.kind === 'complete' ? [early, s] : before && s.kind === 'submit' ? [before, s] : [s])), ...extra], 'read', fixes,
      { cpuReadsAfter: true, hasInvalidate: false, hasFlush: false, cpuWroteBefore: false });
  }

  /** Is there a label in (from, to] that a goto placed before `from` jumps to? */
  private jumpedOver(from: number, to: number): boolean {
    const labels = new Set<string>();
    for (const d of descendants(this.fn.body)) {
      if (d.type === 'labeled_statement' && d.start > from && d.start <= to) {
        const l = child(d, 'label');
        if (l) labels.add(this.text(l));
      }
    }
    if (!labels.size) return false;
    return descendants(this.fn.body).some((d) => d.type === 'goto_statement' && d.start < from && labels.has(this.text(child(d, 'label') ?? d)));
  }

  private bufNameForFix(b: Buf): string | undefined {
    if (b.field && /^[A-Za-z_]\w*(->|\.)[A-Za-z_]\w*$/.test(b.display) && this.types.has(b.holders[0] ?? '')) return b.display;
    if (/^[A-Za-z_]\w*$/.test(b.display) && this.types.has(b.display)) return b.display;
    const n = this.nodeAt(b.origin[0]?.span.startOffset ?? -1, b.origin[0]?.span.endOffset ?? -1);
    // allocation `x = vmalloc(…)` / `T *x = vmalloc(…)`: the variable it was stored in
    const parent = n?.parent;
    if (parent && parent.type === 'init_declarator') {
      const d = this.declName(parent);
      if (d) return this.text(d);
    }
    if (parent && parent.type === 'assignment_expression') {
      const l = child(parent, 'left');
      if (l) return this.text(l);
    }
    return undefined;
  }

  private endIoFix(endIo: string, b: Buf, bio: BioState): Fix | undefined {
    const fn = this.defsOf(endIo)[0];
    if (!fn || !fn.params[0]) return undefined;
    let len = b.size && /^[A-Z0-9_\s*()+]+$/.test(b.size) ? b.size : undefined;
    let expr: string | undefined;
    if (bio.priv && bio.priv.t === 'buf' && bio.priv.b.id === b.id) expr = `${fn.params[0].name}->bi_private`;
    // the buffer is a member of the object in bi_private (`bio->bi_private = ctx` for `ctx->buf`):
    // the callback's local set from bi_private names it there (`struct foo_ctx *c = bio->bi_private;`)
    // or of the object the bio is embedded in (its display's holder)
    const holder = bio.privText ?? /^([A-Za-z_]\w*)->/.exec(b.display)?.[1];
    if (!expr && holder && /^[A-Za-z_]\w*$/.test(holder) && b.display.startsWith(`${holder}->`)) {
      const param = fn.params[0].name;
      const init = bio.privText === undefined ? undefined : new RegExp(`\\*\\s*([A-Za-z_]\\w*)\\s*=\\s*(?:\\([^()]*\\)\\s*)?${param}\\s*->\\s*bi_private\\s*;`).exec(this.src.slice(fn.body.start, fn.body.end));
      // or the object the bio is embedded in (`struct foo_io *io = container_of(bio, struct foo_io, bio);`)
      const type = this.types.get(holder)?.base;
      const embed = init ? undefined : type ? new RegExp(`struct\\s+${type}\\s*\\*\\s*([A-Za-z_]\\w*)\\s*=\\s*container_of(?:_const)?\\s*\\(\\s*${param}\\s*,`).exec(this.src.slice(fn.body.start, fn.body.end)) : undefined;
      if (init || embed) {
        const local = (init ?? embed as RegExpExecArray)[1];
        expr = local + b.display.slice(holder.length);
        // a size of the same object, renamed: `ctx->len` is `c->len` there
        const renamed = b.size?.replace(new RegExp(`\\b${holder}\\b`, 'g'), local);
        if (!len && renamed && /^[A-Z0-9_\s*()+]*$/.test(renamed.replace(new RegExp(`\\b${local}\\s*->\\s*[A-Za-z_]\\w*`, 'g'), ''))) len = renamed;
      }
    }
    if (!expr || !len) return undefined;
    const open = fn.body.start + 1;
    const decls = fn.body.children.filter((c) => c.type === 'declaration');
    const at = decls.length ? decls[decls.length - 1].end : open;
    return { title: `Invalidate the vmap range at the top of ${endIo}()`, isPreferred: true, edits: [{ file: this.tu.file, span: this.offsetSpan(at), newText: `\n\tinvalidate_kernel_vmap_range(${expr}, ${len});` }] };
  }

  private callAt(start: number, end: number): SNode | undefined {
    const n = this.nodeAt(start, end);
    return n && n.type === 'call_expression' ? n : undefined;
  }

  private nodeAt(start: number, end: number): SNode | undefined {
    let cur: SNode | undefined = this.fn.node;
    for (;;) {
      if (!cur) return undefined;
      if (cur.start === start && cur.end === end && cur.type === 'call_expression') return cur;
      const next: SNode | undefined = cur.children.find((c: SNode) => c.start <= start && c.end >= end);
      if (!next) return cur.start === start && cur.end === end ? cur : undefined;
      cur = next;
    }
  }

  /** Does the bi_end_io callback (or what it calls in this file) invalidate this buffer? */
  /** The members (`T.m`) this buffer is reachable through from an object: its own, or one it was stored in here. */
  private fieldKeys(b: Buf, st: State): Set<string> {
    const keys = new Set<string>();
    if (b.field) keys.add(b.field);
    for (const [k, v] of st.vars) if (k.startsWith('field:') && (v.t === 'buf' || v.t === 'pages') && v.b.id === b.id) keys.add(k.slice('field:'.length));
    return keys;
  }

  /**
   * The members (`T.m`, T a parameter's struct) holding buffer `b`, in a static function its file
   * calls, when other functions of the file invalidate such a member and this one does not: a
   * read completed into one here is then the callers' to invalidate (readIntoMembers; a caller
   * that reads without is the finding, at its call), as a parameter buffer's is (isSym,
   * readIntoParams). With no invalidate of it in the file, or one here (under the wrong test),
   * the missing invalidate is this function's: reported here, once.
   */
  private handedMembers(b: Buf, st: State): string[] {
    if (!this.fn.isStatic || !this.tu.calledInFile.has(this.fn.name)) return [];
    return [...this.fieldKeys(b, st)].filter((k) => {
      const t = k.slice(0, k.indexOf('.'));
      const f = fieldNameOf(k);
      return this.fn.params.some((q) => q.type.isStruct && q.type.base === t) && this.tu.invalidateTexts.some((x) => namesMember(x, f)) && !this.invalidatePtrs.some((x) => namesMember(x, f));
    });
  }

  /** The locals (plain names) pointing into buffer `b` on this path, at any offset, in the state's order. */
  private localsInto(b: Buf, st: State): [string, Extract<Val, { t: 'buf' }>][] {
    const out: [string, Extract<Val, { t: 'buf' }>][] = [];
    for (const [k, v] of st.vars) if (v.t === 'buf' && v.b.id === b.id && /^[A-Za-z_]\w*$/.test(k)) out.push([k, v]);
    return out;
  }

  /** The member names of fieldKeys (`m`). */
  private fieldNames(b: Buf, st: State): string[] {
    return [...new Set([...this.fieldKeys(b, st)].map(fieldNameOf))];
  }

  /** The first CPU read of the buffer inside the bi_end_io callback, before any invalidate of it. */
  private endIoReads(endIo: string, b: Buf, st: State): TraceStep | undefined {
    const names = this.fieldNames(b, st);
    if (!names.length) return undefined;
    const re = new RegExp(`(->|\\.)(${names.join('|')})\\b`);
    for (const fn of this.defsOf(endIo)) {
      for (const d of bodyNodes(fn.body)) {
        if (d.type !== 'call_expression') continue;
        const cn = this.callName(d);
        if (!cn || MAINTENANCE.has(cn) || FREES.has(cn)) continue;
        const acc = ACCESS.get(cn);
        const args = this.args(d);
        const hit = args.findIndex((a, i) => re.test(this.text(a)) && !(acc?.none?.includes(i)) && !(acc?.write?.includes(i) && !acc.read?.includes(i)));
        if (hit >= 0) return this.step('cpu-read', d, `read by the CPU in ${endIo}(): ${this.text(d).split('\n')[0].slice(0, 80)}`);
      }
    }
    return undefined;
  }

  private endIoInvalidates(endIo: string, b: Buf, bio: BioState, st: State): boolean {
    const seen = new Set<string>();
    const names = this.fieldNames(b, st);
    const fieldName = names.length ? `(?:${names.join('|')})` : undefined;
    const check = (fname: string, depth: number): boolean => {
      if (seen.has(fname) || depth > 3) return false;
      seen.add(fname);
      for (const fn of this.defsOf(fname)) {
        const privVars = new Set<string>();
        for (const d of bodyNodes(fn.body)) {
          if (d.type === 'init_declarator' || d.type === 'assignment_expression') {
            if (this.src.slice(d.start, d.end).includes('bi_private')) {
              const nm = d.type === 'init_declarator' ? this.declName(d) : child(d, 'left');
              if (nm) privVars.add(this.text(nm));
            }
          }
        }
        for (const d of bodyNodes(fn.body)) {
          if (d.type !== 'call_expression') continue;
          const cn = this.callName(d);
          if (!cn) continue;
          const a0 = this.args(d)[0];
          const t = a0 ? this.text(a0) : '';
          const root = /^[\s(]*(?:\([^)]*\)\s*)?([A-Za-z_]\w*)/.exec(t)?.[1] ?? '';
          const matches = t.includes('bi_private') || privVars.has(root) || (fieldName !== undefined && new RegExp(`(->|\\.)${fieldName}\\b`).test(t)) || (bio.privText !== undefined && t === bio.privText);
          if (cn === 'invalidate_kernel_vmap_range' && matches) return true;
          const s = this.tu.summaries.get(cn);
          if (s && s.invalidatesParams?.length && this.args(d).some((a) => { const at = this.text(a); return at.includes('bi_private') || privVars.has(at) || (fieldName !== undefined && at.includes(fieldName)); })) return true;
          if (this.tu.functions.has(cn) && check(cn, depth + 1)) return true;
        }
      }
      return false;
    };
    return check(endIo, 0);
  }

  /** What this call passes: vmalloc buffers by position, and whether each argument is guarded. */
  /**
   * A function of this file called with a buffer or a page of one: its summary (or, when its body
   * was blanked, the unknown-function rule) decides what happens to it here.
   */
  private wantIfTracked(name: string, vals: (Val | undefined)[], args: SNode[], st: State): void {
    if (!this.tu.demand) return;
    if (vals.some((v) => v !== undefined && (v.t === 'buf' || v.t === 'page' || v.t === 'pages'))) this.tu.demand.add(name);
    // a table this path put a buffer's pages in: the callee may map it (summary submitsPagesParams)
    else if (st.sgs.size && args.some((a) => st.sgs.get(this.sgKey(a))?.size)) this.tu.demand.add(name);
    // only an object holding one: wanted where the callee can reach a mention of such a member
    // (the scan checks that lexically: demand.ts), not every function taking the device struct
    else for (const t of this.passesHolder(args, st)) this.tu.demand.add(`holder:${name}:${t}`);
  }

  /**
   * Whether an argument is an object of a type one of whose members holds a buffer (on this path
   * or in the file's member facts): the callee may read or write it through the member
   * (readsMembers / writesMembers) without naming the member itself (`qtab_verify(t)` calling
   * `qtab_sum(t)`), so its summary decides something. The holder types such arguments have.
   */
  private passesHolder(args: SNode[], st: State): string[] {
    const out: string[] = [];
    for (const a of args) {
      const r = this.rootIdent(a);
      const t = r !== undefined ? this.types.get(r) : undefined;
      if (!t || t.base === '?' || out.includes(t.base)) continue;
      const prefix = `field:${t.base}.`;
      let holds = holderTypes(this.tu.fieldVals).has(t.base);
      if (!holds) for (const [k, v] of st.vars) if (k.startsWith(prefix) && (v.t === 'buf' || v.t === 'pages')) { holds = true; break; }
      if (holds) out.push(t.base);
    }
    return out;
  }

  /** Definitions of an in-file function whose body the analysis reads (a bi_end_io callback). */
  private defsOf(name: string): FunctionInfo[] {
    this.tu.demand?.add(name);
    return this.tu.functions.get(name) ?? [];
  }

  private noteSite(name: string, n: SNode, args: SNode[], vals: (Val | undefined)[], st: State): void {
    const seen = this.siteFacts.get(name);
    const facts = seen ?? { vmallocArgs: new Set<number>(), guarded: new Map<number, boolean>() };
    const consts = new Map<number, 0 | 1 | null>();
    args.forEach((a, i) => {
      const c = literalTruth(this.text(a));
      consts.set(i, seen && seen.consts?.get(i) !== c ? null : c);
      const v = vals[i];
      if (v && v.t === 'buf' && !this.isSym(v.b)) facts.vmallocArgs.add(i);
      const root = this.rootIdent(a);
      const g = root !== undefined && st.guarded.has(root);
      facts.guarded.set(i, (facts.guarded.get(i) ?? true) && g);
    });
    facts.consts = consts;
    // a member's buffer flushed here is flushed for the callee too (the same member facts): only
    // those, not this function's own buffers or parameters, which the callee cannot name
    // (once empty at some site, nothing is left to intersect). A call passing a read direction
    // (`foo_io(m, REQ_OP_READ)`) says nothing about the helper's writes: it is left out.
    if (facts.flushed?.size !== 0 && !this.readOnlyCall(args, st)) {
      let flushed: Set<string> | undefined;
      const members = st.flushed.size ? this.memberBufIds() : NO_IDS;
      for (const [id, rec] of st.flushed) if (!rec.wrongRange && members.has(id) && (!facts.flushed || facts.flushed.has(id))) (flushed ??= new Set()).add(id);
      // a member flushed here with no fact about what it holds (`flush(ext->data, ext->len)`), when
      // the call passes an object of that struct type: the callee's buffer of that member
      // (or flushed as a member of this function's own parameter, `flush(d->buf, …)` with `struct
      // dump *d`: the same member of the object handed on)
      let passed: Set<string> | undefined;
      for (const [key, rec] of st.flushed) {
        const id = key.startsWith(MEMBER_MAINT) ? `field:${key.slice(MEMBER_MAINT.length)}` : key;
        if (!id.startsWith('field:') || (id === key && members.has(id)) || rec.wrongRange || (facts.flushed && !facts.flushed.has(id))) continue;
        if (!passed) {
          passed = new Set<string>();
          for (const a of args) {
            const r = this.rootIdent(a);
            const t = r !== undefined ? this.types.get(r) : undefined;
            if (t?.isStruct) passed.add(t.base);
          }
        }
        if (passed.has(id.slice('field:'.length, id.indexOf('.')))) (flushed ??= new Set()).add(id);
      }
      // an argument this path flushed whole right before the call (`flush(vbuf, len); chunk(bdev,
      // vbuf, len)`): the callee's parameter, whatever the caller's buffer is (ARG_FLUSHED)
      vals.forEach((v, i) => {
        // or, a pointer the analysis cannot name (a member of a parameter's struct), flushed under
        // the same text with nothing but an assignment or a `return` between the flush and the call
        const byText = args[i] && !(v && v.t === 'buf') && st.flushed.has(UNRESOLVED_FLUSH) ? st.flushed.get(`${TEXT_FLUSHED}${this.text(this.strip(args[i])).replace(/\s+/g, '')}`) : undefined;
        const rec = v && v.t === 'buf' && !v.adv ? st.flushed.get(v.b.id) : byText && this.rightBefore(byText.step.span.endOffset, n) ? byText : undefined;
        const id = `${ARG_FLUSHED}${i}`;
        if (rec && !rec.wrongRange && (!facts.flushed || facts.flushed.has(id))) (flushed ??= new Set()).add(id);
      });
      facts.flushed = flushed ?? NO_IDS;
    }
    this.siteFacts.set(name, facts);
  }

  /** The parameter every range names as its length from the buffer's start (a counted loop's bound, one add's length). */
  private lengthParam(ranges: readonly IoRange[] | undefined): number | null {
    if (!ranges?.length) return null;
    let out: number | null = null;
    for (const r of ranges) {
      const len = r.span ? (r.span.off === undefined ? r.span.len : undefined) : r.off === undefined ? r.len : undefined;
      const p = len !== undefined ? this.fn.params.find((q) => q.name === len) : undefined;
      if (!p || (out !== null && out !== p.index)) return null;
      out = p.index;
    }
    return out;
  }

  /** A flush of the buffer later in this function than the submission at `site`, as a trace step. */
  private lateFlush(b: Buf, name: string | undefined, site: SNode): TraceStep | undefined {
    const names = new Set([b.display, name].filter((x): x is string => x !== undefined).map((x) => x.replace(/\s+/g, '')));
    for (const d of descendants(this.fn.body)) {
      if (d.type !== 'call_expression' || d.start < site.end || this.callName(d) !== 'flush_kernel_vmap_range') continue;
      const p = this.args(d)[0];
      if (p && names.has(this.text(this.strip(p)).replace(/\s+/g, ''))) return this.step('maintenance', d, `${this.text(d)} runs after the I/O was submitted: the device may already have read memory`);
    }
    return undefined;
  }

  /**
   * `fix` also deleting the flush made after the submission (`late`), retitled as a move: when that
   * flush is a statement on lines of its own and nothing after it in the function submits I/O
   * (then it protects nothing; before another submission it would be that one's flush).
   */
  private withoutLateFlush(fix: Fix, late: TraceStep | undefined): Fix {
    const call = late ? this.callAt(late.span.startOffset, late.span.endOffset) : undefined;
    const stmt = call ? this.stmtOf(call) : undefined;
    if (!call || !stmt || stmt.type !== 'expression_statement' || stmt.parent?.type !== 'compound_statement') return fix;
    const from = lineStart(this.src, stmt.start);
    const nl = this.src.indexOf('\n', stmt.end);
    const to = nl < 0 ? this.src.length : nl + 1;
    if (this.src.slice(from, stmt.start).trim() !== '' || this.src.slice(stmt.end, to).trim() !== '') return fix;
    for (const d of descendants(this.fn.body)) {
      if (d.type === 'call_expression' && d.start >= stmt.end && SINKS.has(this.callName(d) ?? '')) return fix;
    }
    const del = { file: this.tu.file, span: { ...this.offsetSpan(from), end: this.offsetSpan(to).end, endOffset: to }, newText: '' };
    return { ...fix, title: fix.title.replace(/^Insert /, 'Move '), edits: [...fix.edits, del] };
  }

  /** Is the statement ending at `end` the one right before call `n`'s (`flush(p, n); ret = foo(p, n);`, `return foo(p, n);`)? */
  private rightBefore(end: number, n: SNode): boolean {
    const stmt = this.stmtOf(n);
    const between = this.src.slice(end, n.start);
    return stmt.start >= end && /^\s*;\s*(?:(?:\/\*[^]*?\*\/|\/\/[^\n]*)\s*)*(?:return\b|[A-Za-z_][\w>.-]*\s*=(?!=))?\s*$/.test(between);
  }

  /** A call passing a read direction constant and no write or bidirectional one (paramOps' reading). */
  private readOnlyCall(args: SNode[], st?: State): boolean {
    let read = false;
    for (const a of args) {
      const x = this.strip(a);
      // the leftmost operand of `REQ_OP_READ | REQ_SYNC`; any other argument's text is never a
      // direction, and taking the text of every argument of every call was a measurable cost
      let d = x;
      while (d.type === 'binary_expression' && d.op === '|') d = this.strip(child(d, 'left') ?? d);
      let dir = d.type === 'identifier' ? DIRECTIONS.get(this.text(d))?.dir : undefined;
      // a direction variable that is a read in this direction context (`fw_map(f, dir)` on the
      // half where `dir` is DMA_FROM_DEVICE)
      const v = dir === undefined && st && x.type === 'identifier' ? st.vars.get(this.text(x)) : undefined;
      if (v?.t === 'op' && (opHasRead(v.v) || opHasWrite(v.v))) dir = this.dirOf(v.v);
      if (dir === 'read') read = true;
      else if (dir !== undefined) return false;
    }
    return read;
  }

  /** The bio a member holds, filled in another function of the file (noteMemberBios). */
  private memberBio(bioArg: SNode): Extract<Val, { t: 'holder' }> | undefined {
    const x = this.strip(bioArg);
    const k = x.type === 'field_expression' ? this.fieldKey(x) : undefined;
    const v = k && !k.startsWith('field:?.') ? this.tu.fieldVals.get(`biom:${k}`) : undefined;
    return v && v.t === 'holder' && v.kind === 'bio' ? v : undefined;
  }

  /**
   * `r->bio = bio_alloc(…); __bio_add_page(r->bio, vmalloc_to_page(r->buf), …);` and no submission
   * of it here: the bio stays in the member for another function to submit (`submit_bio(r->bio)`).
   * Kept as a file-wide fact under `biom:field:T.m`, with its op and what was added.
   */
  private noteMemberBios(st: State): void {
    for (const [key, bio] of st.bios) {
      // (a read's completion callback set here would have to go with it: such bios are left alone)
      if (!bio.bufs.size || bio.chainedInto || this.submittedBios.has(key)) continue;
      if (bio.endIo && (bio.op === undefined || opHasRead(bio.op))) continue;
      const m = /^([A-Za-z_]\w*)(?:->|\.)([A-Za-z_]\w*)$/.exec(key);
      const base = m ? this.types.get(m[1])?.base : undefined;
      if (!m || !base) continue;
      const fk = `biom:field:${base}.${m[2]}`;
      const prev = this.tu.fieldValsNext.get(fk);
      const adds = new Map(prev && prev.t === 'holder' ? prev.adds : []);
      for (const [id, a] of bio.bufs) {
        if (adds.has(id) || this.isSym(a.buf)) continue;
        // what this path wrote and did not flush goes with it; the buffer lives on past this function
        const wrote = st.written.get(id);
        const fl = st.flushed.get(id);
        const dirty = wrote !== undefined && !fl;
        adds.set(id, {
          ...a, buf: { ...a.buf, escapes: true }, steps: dirty ? [wrote, ...a.steps] : a.steps,
          ...(dirty ? { unflushedAtSubmit: true } : {}), ...(fl && !fl.wrongRange && !a.flushedAtAdd ? { flushedAtAdd: fl } : {}),
        });
      }
      if (adds.size) this.tu.fieldValsNext.set(fk, { t: 'holder', kind: 'bio', adds, op: bio.op ?? (prev && prev.t === 'holder' ? prev.op : undefined) });
    }
  }

  /** Ids of the buffers the file-wide member facts hold (this round's). */
  private memberBufIds(): Set<string> {
    if (!this.memberIds) {
      this.memberIds = new Set();
      for (const [, v] of this.tu.fieldVals.entries()) if (v.t === 'buf' || v.t === 'pages') this.memberIds.add(v.b.id);
    }
    return this.memberIds;
  }

  /** A callee that flushes or invalidates a member (`T.m`) maintains the buffer this path keeps there. */
  private applyMemberMaintenance(name: string, s: FunctionSummary, n: SNode, st: State): void {
    for (const [members, op] of [[s.flushesMembers, 'flush'], [s.invalidatesMembers, 'invalidate']] as const) {
      for (const m of members ?? []) {
        const key = `field:${m}`;
        const v = st.vars.get(key) ?? this.tu.fieldVals.get(key);
        const ids = new Set([key]);
        if (v && (v.t === 'buf' || v.t === 'pages')) ids.add(v.b.id);
        const rec = { step: this.step('maintenance', n, `${name}() ${op === 'flush' ? 'flushes' : 'invalidates'} the vmap range of member \`${m.slice(m.indexOf('.') + 1)}\``), wrongRange: false };
        for (const id of ids) {
          if (op === 'flush') st.flushed.set(id, rec);
          else if (st.completed.has(id)) {
            st.completed.delete(id);
            st.invalidated.set(id, rec);
          }
        }
      }
    }
  }

  /**
   * A callee whose read into a member (`T.m`) of its parameter's struct has completed when it
   * returns (readIntoMembers), called for a read: the buffer this path keeps there has a completed
   * read at the call, for an invalidate after it (the fix goes there).
   */
  private applyMemberReadInto(name: string, s: FunctionSummary, n: SNode, args: SNode[], st: State): void {
    if (!s.readIntoMembers?.length || !opHasRead(this.summaryDirection(s, args, st).dir)) return;
    for (const m of s.readIntoMembers) {
      const key = `field:${m}`;
      const v = st.vars.get(key) ?? this.lookupField(key);
      if (!v || v.t !== 'buf') continue;
      const site = this.step('submit', n, `read I/O into member \`${m.slice(m.indexOf('.') + 1)}\` inside ${name}()`);
      const sv = this.statusVarOf(n);
      st.completed.set(v.b.id, {
        buf: v.b, site, steps: [site, this.step('complete', n, `the read has completed when ${name}() returns`)],
        insertAfter: this.insertAfterOffset(n), indent: indentAt(this.src, this.stmtOf(n).start), sync: true, dir: OP_R, ...(sv ? { statusVar: sv } : {}),
      });
      st.invalidated.delete(v.b.id);
    }
  }

  /** The variable a synchronous I/O call's status is assigned to (`ret = submit_bio_wait(bio)`). */
  private statusVarOf(call: SNode): string | undefined {
    const parent = call.parent;
    const lhs = parent?.type === 'assignment_expression' ? child(parent, 'left') : parent?.type === 'init_declarator' ? this.declName(parent) : undefined;
    return lhs && lhs.type === 'identifier' ? this.text(lhs) : undefined;
  }

  /**
   * A callee that reads or writes through a member (`T.m`) of its parameter's struct
   * (readsMembers / writesMembers) accesses the buffer this path keeps there: a CPU read or write
   * of it at the call. A read of a completed read's buffer without an invalidate before the call
   * is reported here; a write marks the buffer written, so a later write submission needs a flush
   * after the call. This function passing its own parameter's object on does the same access.
   * applySummary applies the writes before the callee's member maintenance (a helper that writes
   * and flushes leaves the buffer clean) and the reads after it (read after its invalidate).
   */
  private applyMemberAccess(name: string, s: FunctionSummary, n: SNode, args: SNode[], st: State, op: 'read' | 'write'): void {
    const remote = this.tu.functions.has(name) ? '' : ' (summary from another file)';
    for (const m of (op === 'read' ? s.readsMembers : s.writesMembers) ?? []) {
      const type = m.slice(0, m.indexOf('.'));
      const member = m.slice(m.indexOf('.') + 1);
      // passed on from this function's parameter: the caller's buffer in that member is accessed
      if (args.some((a) => { const r = this.rootIdent(a); return r !== undefined && this.rootedAtParam(r) && this.types.get(r)?.base === type; })) {
        (op === 'read' ? this.summary.readsMembers : this.summary.writesMembers).add(m);
        if (op === 'write') st.flushed.delete(MEMBER_MAINT + m);
      }
      const key = `field:${m}`;
      const local = st.vars.get(key);
      const v = local ?? this.lookupField(key);
      const bufs = new Map<string, Buf>();
      if (v && v.t === 'buf') bufs.set(v.b.id, v.b);
      if (op === 'read') {
        // a completed read of a buffer this path keeps in the member, under whatever id
        for (const p of st.completed.values()) if (!bufs.has(p.buf.id) && this.fieldKeys(p.buf, st).has(m)) bufs.set(p.buf.id, p.buf);
      }
      for (const b of bufs.values()) {
        if (op === 'read') this.cpuRead(b, n, st, false, `read by the CPU inside ${name}() through member \`${member}\`${remote}`);
        else this.cpuWrite(b, n, st, true, `written by the CPU inside ${name}() through member \`${member}\`${remote}`);
      }
    }
  }

  /**
   * The direction of a summarised function's I/O at this call: the caller's direction argument
   * when the function takes one (`fromArg`), else what the function does, else this context's.
   */
  private summaryDirection(s: FunctionSummary, args: SNode[], st: State): { fromArg: OpSet | undefined; dir: OpSet } {
    const dArg = s.directionParam !== undefined ? args[s.directionParam] : undefined;
    const fromArg = !dArg ? undefined : s.directionWhenTrue ? this.flagDirection(dArg, s.directionWhenTrue) : this.opValueOf(dArg, st, false);
    return { fromArg, dir: fromArg ?? (s.submitDirection === 'read' ? OP_R : s.submitDirection === 'write' ? OP_W : this.ctxBits) };
  }

  private applySummary(name: string, s0: FunctionSummary, n: SNode, args: SNode[], st: State): Val | undefined {
    const s = this.withFlags(s0, args);
    const vals = args.map((a) => this.ev(a, st));
    const inFile = this.tu.functions.has(name);
    if (inFile) this.wantIfTracked(name, vals, args, st);
    // `foo_sync(x->data, x->size)` with a flushing foo_sync(): this function maintains x's member
    for (const i of s.flushesParams ?? []) this.noteMemberMaintenance('flush', args[i], n, st);
    for (const i of s.invalidatesParams ?? []) this.noteMemberMaintenance('invalidate', args[i], n, st);
    // Call-site facts for callees of this file and of other files (the scan hands those on).
    this.noteSite(name, n, args, vals, st);
    vals.forEach((v, i) => {
      const pagesParam = s.submitsPagesParams?.includes(i) || s.readIntoPagesParams?.includes(i);
      // a table this path filled, mapped inside the callee
      const table = !v && args[i] && pagesParam ? st.sgs.get(this.sgKey(args[i])) : undefined;
      if (table?.size) {
        const { dir: op } = this.summaryDirection(s, args, st);
        const step = this.step('page-add', n, `\`${this.text(args[i])}\` mapped for DMA inside ${name}()${inFile ? '' : ' (summary from another file)'}`);
        this.submit([...table.values()].map((a) => ({ ...a, steps: [...a.steps, step] })), op, n, !!s.readIntoPagesParams?.includes(i) && opHasRead(op), st, undefined);
        st.sgs.delete(this.sgKey(args[i]));
        return;
      }
      // a page of a buffer handed to a function that maps or submits its page parameter
      if (v && (v.t === 'page' || v.t === 'pages') && pagesParam) {
        const { dir: op } = this.summaryDirection(s, args, st);
        const what = v.t === 'page' ? 'page' : 'pages';
        const steps = [...(v.t === 'page' && v.step ? [v.step] : []), this.step('page-add', n, `${what} of \`${v.b.display}\` mapped or added for I/O inside ${name}()${inFile ? '' : ' (summary from another file)'}`)];
        // a read the helper waited for has completed when it returns (readIntoParams)
        this.submit([{ buf: v.b, steps }], op, n, !!s.readIntoPagesParams?.includes(i) && opHasRead(op), st, undefined);
        return;
      }
      if (!v || v.t !== 'buf') return;
      if (s.flushesParams?.includes(i)) st.flushed.set(v.b.id, { step: this.step('maintenance', n, `${name}() flushes the vmap range`), wrongRange: false });
      if (s.writesParams?.includes(i)) this.cpuWrite(v.b, n, st, true);
      if (s.convertsParams?.includes(i)) {
        if (this.isSym(v.b)) {
          if (v.b.param !== undefined) st.converted.add(v.b.param);
          if (v.b.param !== undefined && s.rqMapParams?.includes(i)) this.summary.rqMapped.add(v.b.param);
        } else if (st.clean.has(v.b.id) || this.fieldMaybe(v.b)) {
          // linear-map memory on this path, or a member only a mode we cannot see makes vmalloc
        } else if (s.rqMapParams?.includes(i) && v.b.kind !== 'param') {
          // the wrapper maps it into a request: wrong only on the kernels whose bio_map_kern() converts
          this.report('vmap-blk-rq-map-kern', n, v.b,
            `${name}() maps vmalloc buffer \`${this.text(args[i])}\` into a request with blk_rq_map_kern() on kernel ${this.tu.kernelLabel}: before 5.3 bio_map_kern() maps it with virt_to_page(), so the request transfers the wrong pages`,
            [...v.b.origin, this.step('convert', n, `${name}() passes it to blk_rq_map_kern(), which maps it with virt_to_page() (kernel < 5.3)`)],
            this.dirOf(this.ctxBits), [], { cpuWroteBefore: st.written.has(v.b.id) });
        } else this.reportLinear(name, { name, kind: 'linear', source: '' }, n, args[i], v.b, `${name}() converts vmalloc address \`${this.text(args[i])}\` with a linear-map conversion inside: the wrong page on every architecture`);
      }
      const submits = s.submitsParams?.includes(i);
      const readsDone = s.readsCompletedParams?.includes(i);
      const readsInto = s.readIntoParams?.includes(i) || readsDone;
      if (submits || readsInto) {
        // the caller's direction argument decides when the helper takes one; else what the helper does
        const { fromArg, dir } = this.summaryDirection(s, args, st);
        const op = fromArg !== undefined || submits ? dir : OP_R;
        const steps = [this.step('page-add', n, `\`${this.text(args[i])}\` is submitted for I/O inside ${name}()${inFile ? '' : ' (summary from another file)'}`)];
        // handed a pointer into the buffer (`foo_io(buf + off, n)`): what the helper carries starts
        // there, for the length its summary names (submitsLength), chunk by chunk in a loop here
        const lenArg = s.submitsLength?.find((x) => x.param === i)?.len;
        const range = lenArg !== undefined && args[lenArg] ? this.rangeOf(v.off, args[lenArg], n, args[i]) : v.off !== undefined ? { off: v.off } : undefined;
        const added: Added = { buf: v.b, steps, ...(range ? { ranges: [range] } : {}), ...(s.flushesWritesParams?.includes(i) ? { helperFlushesWrites: true } : {}) };
        // a helper that invalidates the parameter after its own read has waited for it (the
        // invalidate below then settles it), else the read is still in flight on return
        const waited = !!readsInto || !!s.invalidatesParams?.includes(i);
        if (opHasRead(op) || opHasWrite(op)) this.submit([added], op, n, waited && opHasRead(op), st, undefined);
        if (readsDone && opHasRead(op)) {
          // the read is inside the helper: an invalidate after this call would come too late (no fix here)
          const p = st.completed.get(v.b.id);
          if (p) st.completed.set(v.b.id, { ...p, insertAfter: undefined });
          this.cpuRead(v.b, n, st, false, `read by the CPU inside ${name}() once the I/O completed`);
        }
      }
      if (s.invalidatesParams?.includes(i)) {
        if (st.completed.has(v.b.id)) {
          st.completed.delete(v.b.id);
          st.invalidated.set(v.b.id, { step: this.step('maintenance', n, `${name}() invalidates the vmap range`), wrongRange: false });
        }
      }
      if (s.readsParams?.includes(i)) this.cpuRead(v.b, n, st, true);
      if (!inFile && !s.writesParams?.includes(i) && !s.readsParams?.includes(i) && !s.flushesParams?.includes(i) && !s.submitsParams?.includes(i) &&
        !s.returnsPagesOfParams?.some((h) => h.buf === i)) this.escape(v, args[i], st, n);
    });
    // what the callee writes is dirty unless it also flushes it; what it reads, read after its invalidate
    this.applyMemberAccess(name, s, n, args, st, 'write');
    this.applyMemberMaintenance(name, s, n, st);
    this.applyMemberReadInto(name, s, n, args, st);
    this.applyMemberAccess(name, s, n, args, st, 'read');
    for (const ap of s.addsPagesParams ?? []) {
      const v = vals[ap.buf];
      const target = args[ap.to];
      if (!v || v.t !== 'buf' || !target) continue;
      const step = this.step('page-add', n, `pages of \`${this.text(args[ap.buf])}\` added to ${this.text(target)} inside ${name}()`);
      this.noteParamPages(v.b, target, ap.kind);
      if (ap.kind === 'bio') {
        const bio = this.bio(this.objKey(target), st);
        if (!bio.bufs.has(v.b.id)) bio.bufs.set(v.b.id, { buf: v.b, steps: [step] });
      } else {
        const key = this.sgKey(target);
        const m = st.sgs.get(key) ?? new Map<string, Added>();
        if (!m.has(v.b.id)) m.set(v.b.id, { buf: v.b, steps: [step] });
        st.sgs.set(key, m);
      }
    }
    for (const o of s.outVmallocParams ?? []) {
      // `&x`, `&s->f` (through parentheses and casts: `(void **)&x`)
      const a = args[o.param] ? stripNode(args[o.param], true) : undefined;
      const target = a && a.type === 'pointer_expression' && a.op === '&' ? child(a, 'argument') : undefined;
      const size = o.size !== undefined ? instantiateSize(o.size, args.map((x) => this.text(x))) : undefined;
      // `return xc_get_inner(out, n);`: this function's own out-parameter passed on is one too
      const fwd = !target && a?.type === 'identifier' ? this.fn.params.find((x) => x.name === this.text(a)) : undefined;
      if (fwd && (fwd.type.ptr >= 2 || (fwd.type.ptr >= 1 && fwd.type.base === 'void'))) {
        const m = (this.summary.outVmalloc ??= new Map());
        m.set(fwd.index, strongerKind(m.get(fwd.index), o.kind) as SourceKind);
        const tpl = size ? sizeTemplate(size, this.fn.params) : undefined;
        if (tpl && !this.summary.outSize?.has(fwd.index)) (this.summary.outSize ??= new Map()).set(fwd.index, tpl);
        continue;
      }
      if (!target) continue;
      const kind = o.kind === 'maybe-vmalloc' ? 'maybe' : o.kind;
      const b: Buf = {
        id: `alloc@${n.start}:${o.param}`, kind, zeroed: false, display: this.text(target), escapes: false, holders: [],
        size, sizeBytes: size ? this.constEval(size) : undefined,
        origin: [this.step('alloc', n, `allocated by ${name}(), which stores ${kind === 'maybe' ? 'possibly-' : ''}vmalloc memory in \`${this.text(target)}\``)],
      };
      const t = this.strip(target);
      if (t.type === 'identifier') st.vars.set(this.text(t), { t: 'buf', b, adv: false });
      else if (t.type === 'field_expression') this.storeField(t, { t: 'buf', b, adv: false }, t, st);
    }
    // a table of the buffer's pages before the table's own memory (a vzalloc()ed scatterlist array
    // is only ever read by the CPU)
    if (s.returnsPagesOfParams?.length) {
      const adds = new Map<string, Added>();
      let kind: 'bio' | 'sg' | undefined;
      // the op the helper allocated its bio for, when every entry names the same one
      const dirs = new Set(s.returnsPagesOfParams.map((h) => h.dir));
      const op = dirs.size === 1 && dirs.has('read') ? OP_R : dirs.size === 1 && dirs.has('write') ? OP_W : undefined;
      for (const h of s.returnsPagesOfParams) {
        const v = vals[h.buf];
        if (!v || v.t !== 'buf' || (kind && h.kind !== kind)) continue;
        kind = h.kind;
        const what = h.kind === 'bio' ? 'a bio' : 'a scatterlist';
        this.addPage(adds, { b: v.b }, { off: v.off }, st, n, `pages of \`${this.text(args[h.buf])}\` put in ${what} that ${name}() returns${inFile ? '' : ' (summary from another file)'}`);
      }
      if (kind) return { t: 'holder', kind, adds, op: kind === 'bio' ? op : undefined };
    }
    if (s.returnsVmalloc) {
      const kind = s.returnsVmalloc === 'maybe-vmalloc' ? 'maybe' : s.returnsVmalloc;
      const size = s.returnSizeParam !== undefined && args[s.returnSizeParam] ? this.text(args[s.returnSizeParam])
        : s.returnSize !== undefined ? instantiateSize(s.returnSize, args.map((a) => this.text(a))) : undefined;
      const b: Buf = {
        id: `alloc@${n.start}`, kind, zeroed: !!s.returnsZeroed, display: this.text(n), escapes: false, holders: [], size,
        sizeBytes: size ? this.constEval(size) : undefined,
        origin: [this.step('alloc', n, `allocated by ${name}(), which returns ${kind === 'maybe' ? 'possibly-' : ''}vmalloc memory`)],
      };
      return { t: 'buf', b, adv: false };
    }
    if (s.returnsPageOfParam !== undefined) {
      const v = vals[s.returnsPageOfParam];
      if (v && v.t === 'buf') return { t: 'page', b: v.b, step: this.step('page', n, `page of \`${v.b.display}\` from ${name}()`) };
    }
    if (s.returnsAliasOfParam !== undefined) {
      const v = vals[s.returnsAliasOfParam];
      if (v && v.t === 'buf') return v;
    }
    return undefined;
  }

  private constEval(expr: string): number | undefined {
    return evalConst(expr, (id) => this.tu.defines.get(id) ?? this.localInits.get(id));
  }

  /**
   * An upper bound of a size expression whose `sizeof()` operands are types or variables of this
   * function (`sizeof(*cmd)`, `2 * sizeof(struct foo_req)`) sized from the file's struct
   * definitions (structsize.ts); undefined when any operand is not bounded.
   */
  private sizeBound(expr: string): number | undefined {
    const sizeofType = this.tu.sizeofType;
    if (!sizeofType || !/\bsizeof\b/.test(expr)) return undefined;
    let unknown = false;
    const typeOf = (name: string) => this.types.get(name);
    const subst = expr.replace(/\bsizeof\s*(?:\(((?:[^()]|\([^()]*\))*)\)|(\**\s*[A-Za-z_]\w*))/g, (_m, paren: string | undefined, bare: string | undefined) => {
      const o = sizeofOperand(paren ?? bare ?? '', typeOf, this.memberOf);
      const v = !o ? undefined : 'pointer' in o ? POINTER_BYTES : sizeofType(o.type);
      if (v === undefined) unknown = true;
      return String(v ?? 0);
    });
    if (unknown) return undefined;
    return evalConst(subst, (id) => this.tu.defines.get(id) ?? this.localInits.get(id) ?? this.tu.wholeDefine?.(id));
  }

  // ---------------------------------------------------------------- exits

  private atExit(e: Exit): void {
    const st = e.state;
    this.noteMemberBios(st);
    const retBuf = e.ret && (e.ret.t === 'buf' || e.ret.t === 'page') ? e.ret.b : undefined;
    for (const p of st.completed.values()) {
      if (this.isSym(p.buf)) {
        if (p.buf.param !== undefined) this.summary.readInto.add(p.buf.param);
        continue;
      }
      // a path returning before the function makes the mapping: no alias of the pages to go stale
      const mappedAt = this.freshMapped.get(p.buf.id);
      if (mappedAt !== undefined && p.site.span.startOffset < mappedAt) continue;
      if (p.buf.escapes || (retBuf && retBuf.id === p.buf.id)) {
        // a member of the caller's object: the callers' invalidate after the call settles it
        const handed = retBuf?.id === p.buf.id ? [] : this.handedMembers(p.buf, st);
        if (handed.length) {
          for (const m of handed) this.summary.readIntoMembers.add(m);
          continue;
        }
        this.reportMissingInvalidate(p, []);
      }
    }
    for (const p of st.inflight.values()) {
      if (this.isSym(p.buf)) continue;
      // the buffer's own field, or a field it was stored in here (io->buf = vmalloc(...))
      const names = this.fieldNames(p.buf, st);
      // a table's alias may be invalidated under a name the file never ties to the table
      // or this function invalidates it under a local pointing into it (`cmd = mb->cmds + off`)
      const aliases = new Set(this.localsInto(p.buf, st).map(([k]) => k));
      const elsewhere = (p.viaTable && this.tu.invalidateTexts.length > 0) ||
        this.tu.invalidateTexts.some((t) => names.some((f) => namesMember(t, f)) || t === p.buf.display) ||
        (aliases.size > 0 && this.invalidatePtrs.some((t) => aliases.has(/^[A-Za-z_]\w*/.exec(t)?.[0] ?? '')));
      if (p.endIo && !elsewhere) {
        // completion runs in a bi_end_io of this file that does not invalidate (and nothing else does)
        this.reportMissingInvalidate(p, [this.step('complete', this.nodeAt(p.site.span.startOffset, p.site.span.endOffset) ?? this.fn.node, `completion runs in ${p.endIo}(), which does not invalidate the vmap range`)]);
        continue;
      }
      // escaping: a field or parameter, the buffer this function returns (the caller reads it), or
      // a local one it stored in a member (read where the member is)
      const returned = !p.buf.escapes && retBuf !== undefined && retBuf.id === p.buf.id;
      const stored = !p.buf.escapes && !returned && names.length > 0;
      // the caller holds a returned buffer under its own name: any invalidate in the file may be its
      if (!(p.buf.escapes || returned || stored) || p.endIo || elsewhere || (returned && this.tu.invalidateTexts.length > 0)) continue;
      const ret = returned && e.retNode ? [this.step('flow', e.retNode, `returned to the caller with the read still in flight`)]
        : stored ? [this.step('flow', e.retNode ?? this.fn.node, `on return, member ${names.map((f) => `\`${f}\``).join(', ')} still holds it with the read in flight`)] : [];
      this.reportMissingInvalidate(p, [...ret, this.step('complete', this.nodeAt(p.site.span.startOffset, p.site.span.endOffset) ?? this.fn.node, NO_INVALIDATE_IN_FILE)]);
    }
    // parameters converted, and flushed, on every exit that does not report an error (`return
    // -EINVAL;` before the conversion or the flush: the caller's buffer went nowhere, and a caller
    // does not go on to the I/O when the helper failed)
    const errorExit = e.retNode !== undefined && (ERROR_RETURN.test(this.text(e.retNode).replace(/\s+/g, '')) || this.statusReturn(e.retNode));
    if (!errorExit) this.summary.converts = meet(this.summary.converts, st.converted);
    if (!errorExit) {
      const flushedParams = new Set<number>();
      for (const [id, rec] of st.flushed) {
        const m = /^param:(\d+)$/.exec(id);
        if (m && !rec.wrongRange) flushedParams.add(Number(m[1]));
      }
      // a path on which is_vmalloc_addr() said the buffer is linear-map memory needs no flush
      for (const id of st.clean) {
        const m = /^param:(\d+)$/.exec(id);
        if (m) flushedParams.add(Number(m[1]));
      }
      this.summary.flushed = meet(this.summary.flushed, flushedParams);
      const flushedMembers = new Set<string>();
      for (const [id, rec] of st.flushed) if (id.startsWith(MEMBER_MAINT) && !rec.wrongRange) flushedMembers.add(id.slice(MEMBER_MAINT.length));
      // a member is_vmalloc_addr() said is linear-map memory on this path needs no flush either
      for (const id of st.clean) if (id.startsWith('field:') && !id.startsWith('field:?.')) flushedMembers.add(id.slice('field:'.length));
      this.summary.flushedMembers = meet(this.summary.flushedMembers, flushedMembers);
      const flags = new Map<number, boolean>();
      const when = new Map<string, { params: Set<number>; members: Set<string> }>();
      for (const g of st.guarded) {
        const m = /^flag:(\d+)=([01])$/.exec(g);
        if (m) flags.set(Number(m[1]), m[2] === '1');
        const c = g.startsWith(FLUSHED_IF) ? /^(\d+=[01]):(.*)$/.exec(g.slice(FLUSHED_IF.length)) : null;
        if (!c) continue;
        const w = when.get(c[1]) ?? { params: new Set<number>(), members: new Set<string>() };
        if (c[2].startsWith(MEMBER_MAINT)) w.members.add(c[2].slice(MEMBER_MAINT.length));
        else w.params.add(Number(c[2].slice('param:'.length)));
        when.set(c[1], w);
      }
      this.summary.exitFlushes.push({ flags, params: flushedParams, members: flushedMembers, when });
    }
    if (e.retNode && !e.ret && this.fn.returnsPointer && !/^\s*(NULL|0|ERR_PTR\b|ERR_CAST\b|\(void \*\)\s*0)/.test(this.text(e.retNode))) {
      this.summary.returnsOther = true;
    }
    // a bio or scatterlist holding pages of a buffer parameter, returned: built here (`return sgl;`)
    // or by a helper (`return foo_to_sg(buf, n);`)
    const rs = e.retNode ? this.strip(e.retNode) : undefined;
    const retBio = rs?.type === 'identifier' ? st.bios.get(this.text(rs)) : undefined;
    const held = e.ret?.t === 'holder' ? { kind: e.ret.kind, adds: e.ret.adds, op: e.ret.op }
      : rs?.type === 'identifier' && st.sgs.has(this.text(rs)) ? { kind: 'sg' as const, adds: st.sgs.get(this.text(rs)) as Map<string, Added>, op: undefined }
        : retBio ? { kind: 'bio' as const, adds: retBio.bufs, op: retBio.op }
          : undefined;
    if (held) {
      const d = held.kind !== 'bio' || held.op === undefined ? '' : !opHasWrite(held.op) ? ':read' : !opHasRead(held.op) ? ':write' : '';
      for (const a of held.adds.values()) {
        if (a.buf.param !== undefined && a.buf.id === `param:${a.buf.param}`) this.summary.returnsPages.add(`${a.buf.param}>${held.kind}${d}`);
      }
    }
    if (e.ret) {
      if (e.ret.t === 'buf' && e.ret.b.kind !== 'param' && !e.ret.b.uncached) {
        const k = e.ret.b.kind === 'maybe' ? 'maybe-vmalloc' : e.ret.b.kind;
        this.summary.returns = strongerKind(this.summary.returns, k);
        const sz = e.ret.b.size;
        const pi = this.fn.params.find((p) => p.name === sz);
        if (pi) this.summary.returnSizeParam = pi.index;
        else if (sz && this.summary.returnSize === undefined) this.summary.returnSize = sizeTemplate(sz, this.fn.params);
      } else if (e.ret.t === 'buf' && e.ret.b.kind === 'param' && e.ret.b.param !== undefined) {
        this.summary.returnsAliasOf = e.ret.b.param;
      } else if (e.ret.t === 'page' && e.ret.b.param !== undefined && e.ret.b.id === `param:${e.ret.b.param}`) {
        this.summary.returnsPageOf = e.ret.b.param;
      }
    }
  }
}

/** Words a size expression may name besides variables and constants (inScope, sizeTemplate). */
const SIZE_WORDS = /^(sizeof|struct|array_size|array3_size|struct_size|size_mul|PAGE_ALIGN|round_up|ALIGN)$/;

/**
 * An allocation size in a function's own terms, as a template of its parameters (`$i`), or
 * undefined when it names a local: `nr_pages * PAGE_SIZE` with `nr_pages` parameter 0 is
 * `$0 * PAGE_SIZE`. Member names stay (`$1->len`); a struct tag after `struct` stays.
 */
export function sizeTemplate(size: string, params: readonly { name: string; index: number }[]): string | undefined {
  if (!/^[\w\s*+\-()<>.,]+$/.test(size) || size.length > 200) return undefined;
  let ok = true;
  const out = size.replace(/(->|\.|\bstruct\s+)?\b([A-Za-z_]\w*)\b/g, (all, pre: string | undefined, id: string) => {
    if (pre) return all;
    const p = params.find((x) => x.name === id);
    if (p) return `$${p.index}`;
    if (/^[A-Z0-9_]+$/.test(id) || SIZE_WORDS.test(id)) return id;
    ok = false;
    return id;
  });
  return ok && out.includes('$') ? out : undefined;
}

/**
 * An expression's text as an operand of `*` or of a template: kept when it is one name, member
 * chain, number, call or sizeof, parenthesised otherwise (`pt_size >> PAGE_SHIFT` times PAGE_SIZE
 * is `(pt_size >> PAGE_SHIFT) * PAGE_SIZE`, not a shift by PAGE_SHIFT * PAGE_SIZE).
 */
export function asFactor(text: string): string {
  const t = text.trim();
  const path = '[A-Za-z_]\\w*(?:\\s*(?:->|\\.)\\s*[A-Za-z_]\\w*)*';
  const simple = new RegExp(`^(?:${path}|\\d+[uUlL]*|0[xX][0-9a-fA-F]+[uUlL]*|sizeof\\s*\\*?\\s*${path}|(?:sizeof|${path})\\s*\\([^()]*\\))$`);
  return simple.test(t) ? t : `(${t})`;
}

/** A returnSize template with the call's argument texts in place (parenthesised unless simple). */
export function instantiateSize(template: string, args: readonly string[]): string | undefined {
  // the whole size is one argument: as written
  const whole = /^\$(\d+)$/.exec(template);
  if (whole) return args[Number(whole[1])]?.trim() || undefined;
  let ok = true;
  const out = template.replace(/\$(\d+)/g, (_, i: string) => {
    const a = args[Number(i)]?.trim();
    if (a === undefined || a === '') { ok = false; return ''; }
    return asFactor(a);
  });
  return ok ? out : undefined;
}

/**
 * Does a length text name something that varies: an identifier other than an upper-case constant,
 * a type word of a cast, or what `sizeof(…)` / `ARRAY_SIZE(…)` measure?
 */
function variable(t: string): boolean {
  let s = t.replace(/\b0[xX][0-9a-fA-F]+[uUlL]*\b|\b\d+[uUlL]*\b/g, '0');
  for (let prev = ''; prev !== s;) {
    prev = s;
    s = s.replace(/\b(?:sizeof|ARRAY_SIZE)\s*\((?:[^()]|\([^()]*\))*\)/g, '0').replace(/\bsizeof\b[^+*/()-]*/g, '0');
  }
  s = s.replace(/(->|\.)\s*[A-Za-z_]\w*/g, '');
  const ids = s.match(/[A-Za-z_]\w*/g) ?? [];
  return ids.some((id) => !/^[A-Z][A-Z0-9_]*$/.test(id) && !CAST_WORDS.test(id) && !/^\d/.test(id));
}

const CAST_WORDS = /^(unsigned|signed|int|long|short|char|const|size_t|ssize_t|loff_t|sector_t|u8|u16|u32|u64|s8|s16|s32|s64|__u8|__u16|__u32|__u64|__le32|__le64|uint|ulong)$/;

/**
 * Does expression text `t` (no whitespace) use lvalue `a` as a whole: a variable `a` not after
 * `->`/`.`, or the member chain `a` ending at a boundary (`d->ovl` in `d->ovl+off`, not in
 * `d->ovl_dma`)? An element or pointee (`w[i]`, `*p`) is no chain `t` names.
 */
function namesChain(t: string, a: string): boolean {
  if (!/^[A-Za-z_][\w]*(?:(?:->|\.)[A-Za-z_]\w*)*$/.test(a)) return false;
  for (let i = t.indexOf(a); i >= 0; i = t.indexOf(a, i + 1)) {
    const before = i === 0 ? '' : t[i - 1];
    const after = t[i + a.length] ?? '';
    if (/[\w.>]/.test(before) || /\w/.test(after)) continue;
    return true;
  }
  return false;
}

/** Expression text without whitespace and without parentheses around all of it. */
function bareExpr(t: string): string {
  let s = t.replace(/\s+/g, '');
  while (s.startsWith('(') && s.endsWith(')') && closes(s)) s = s.slice(1, -1);
  return s;
}

/** Does the `(` at the start of `s` close at its last character? */
function closes(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i === s.length - 1;
  }
  return false;
}

/** The characters of `s` outside parentheses and brackets. */
function topLevelText(s: string): string {
  let depth = 0;
  let out = '';
  for (const c of s) {
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0) out += c;
  }
  return out;
}
