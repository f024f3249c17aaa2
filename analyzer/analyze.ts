/**
 * Entry points of the analyzer: one translation unit (a C file's text) → findings and summaries.
 *
 * Functions are analysed in rounds: each round uses the summaries (returns vmalloc memory, flushes
 * or submits a parameter, …) and struct-field facts of the previous one, until nothing changes
 * (bounded). Each function runs once per direction context (read, write) so that guards on an op
 * the function cannot see are evaluated exactly; findings of both contexts are merged.
 */
import { declaresOwn, fileScopeGlobals, GLOBAL_TAG } from './engine/globals';
import { Backend, createBackend } from './parse/backends';
import { SNode } from './parse/syntax';
import { lineStarts as lineStartsOf } from './parse/lines';
import { AnalysisDemand, AnalysisResult, AnalyzeOptions, FieldFact, Finding, FunctionSummary, KernelVersion, givesMemory, reachesIo } from './types';
import { FunctionInfo } from './engine/tu';
import { FunctionAnalysis, PENDING, SummaryAcc, TuCtx, CallSiteFacts, strongerKind, NO_IDS, NO_INVALIDATE_IN_FILE } from './engine/interp';
import { Buf, Val, OpSet, OP_R, OP_W, OP_B, opHasRead, opHasWrite, fieldNameOf, meet } from './engine/state';
import { DIRECTIONS, seedNames, type SourceKind } from './tables';
import { ALLOCATORS, allocatorApplies } from './tables/allocators';
import { skeleton, callsOf, invalidatesOf, SkeletonCache, type MacroBody } from './engine/skeleton';
import { pointerSlots } from './engine/fnptr';
import { AnalysisMemo, UnitResult } from './engine/memo';
import { StructSizes, type DeclType } from './engine/structsize';
import { withMaintenanceInclude } from './engine/includes';

const NO_CONSTS: ReadonlyMap<number, 0 | 1 | null> = new Map();

export { AnalysisMemo } from './engine/memo';
export { fieldNameOf } from './engine/state';

const MAX_ROUNDS = 4;

/** Names whose presence makes a function worth analysing. */
const SEED_NAMES = seedNames();

export function kernelLabel(k: KernelVersion | undefined): string {
  if (!k) return 'newest';
  return `${k.major}.${k.minor}${k.patch !== undefined ? `.${k.patch}` : ''}`;
}

function toSummary(name: string, file: string, acc: SummaryAcc): FunctionSummary | undefined {
  const arr = (s: Set<number> | null) => (s && s.size ? [...s].sort((a, b) => a - b) : undefined);
  const dir = (bits: OpSet) => {
    const r = opHasRead(bits), w = opHasWrite(bits);
    return r && w ? 'both' as const : r ? 'read' as const : w ? 'write' as const : undefined;
  };
  // the function does I/O on a parameter: its direction is part of the summary
  const io = acc.submits.size > 0 || acc.readInto.size > 0 || acc.readsCompleted.size > 0 || acc.readIntoMembers.size > 0;
  // a page or page-array parameter's I/O is on the pages: kept apart, so a caller passing the
  // array's own (kvmalloc()ed) memory is not taken to submit it
  const bufs = (x: Set<number>) => new Set([...x].filter((i) => !acc.pageParams.has(i)));
  const pages = (x: Set<number>) => new Set([...x].filter((i) => acc.pageParams.has(i)));
  const onBufs = (x: Set<string>) => [...x].filter((e) => !acc.pageParams.has(Number(e.split('>')[0])));
  const s: FunctionSummary = {
    name, file,
    returnsVmalloc: acc.returns && acc.returnsOther ? 'maybe-vmalloc' : acc.returns,
    returnSizeParam: acc.returns ? acc.returnSizeParam : undefined,
    returnSize: acc.returns && acc.returnSizeParam === undefined ? acc.returnSize : undefined,
    outVmallocParams: acc.outVmalloc?.size
      ? [...acc.outVmalloc].sort((a, b) => a[0] - b[0]).map(([param, kind]) => ({
        param, kind: kind === 'vmalloc' && acc.outOther?.has(param) ? 'maybe-vmalloc' as const : kind,
        ...(acc.outSize?.has(param) ? { size: acc.outSize.get(param) } : {}),
      }))
      : undefined,
    flushesParams: arr(acc.flushed),
    invalidatesParams: arr(acc.invalidates),
    flushesMembers: acc.flushedMembers?.size ? [...acc.flushedMembers].sort() : undefined,
    flushesWhen: flushesWhen(acc),
    submitsLength: submitsLength(acc),
    invalidatesMembers: acc.invalidatesMembers.size ? [...acc.invalidatesMembers].sort() : undefined,
    readIntoMembers: acc.readIntoMembers.size ? [...acc.readIntoMembers].sort() : undefined,
    readsMembers: acc.readsMembers.size ? [...acc.readsMembers].sort() : undefined,
    writesMembers: acc.writesMembers.size ? [...acc.writesMembers].sort() : undefined,
    submitsParams: arr(bufs(acc.submits)),
    submitsPagesParams: arr(pages(acc.submits)),
    flushesWritesParams: arr(new Set([...acc.helperFlushed].filter((i) => !acc.writeUnflushed.has(i)))),
    readIntoParams: arr(bufs(acc.readInto)),
    readIntoPagesParams: arr(pages(acc.readInto)),
    readsCompletedParams: arr(acc.readsCompleted),
    writesParams: arr(acc.writes),
    readsParams: arr(acc.reads),
    convertsParams: arr(acc.converts),
    rqMapParams: arr(acc.converts ? new Set([...acc.rqMapped].filter((i) => acc.converts?.has(i))) : null),
    submitDirection: io ? dir(acc.submitDir) : undefined,
    directionParam: io ? acc.directionParam : undefined,
    directionWhenTrue: io && acc.directionParam !== undefined ? acc.directionWhenTrue : undefined,
    returnsPageOfParam: acc.returnsPageOf,
    returnsAliasOfParam: acc.returnsAliasOf,
    // pages of a buffer parameter only: a page array's own memory (kvcalloc()ed) is not its pages
    addsPagesParams: onBufs(acc.addsPages).length ? onBufs(acc.addsPages).sort().map((x) => {
      const m = /^(\d+)>(bio|sg):(\d+)$/.exec(x) as RegExpExecArray;
      return { buf: Number(m[1]), to: Number(m[3]), kind: m[2] as 'bio' | 'sg' };
    }) : undefined,
    returnsPagesOfParams: onBufs(acc.returnsPages).length ? onBufs(acc.returnsPages).sort().map((x) => {
      const m = /^(\d+)>(bio|sg)(?::(read|write))?$/.exec(x) as RegExpExecArray;
      return { buf: Number(m[1]), kind: m[2] as 'bio' | 'sg', ...(m[3] ? { dir: m[3] as 'read' | 'write' } : {}) };
    }) : undefined,
  };
  for (const k of Object.keys(s) as (keyof FunctionSummary)[]) if (s[k] === undefined) delete s[k];
  return Object.keys(s).length > 2 ? s : undefined;
}

/**
 * toSummary through the memo: a function whose result was reused has the same SummaryAcc object as
 * before (never changed once made), so its summary is the same (frozen) object too.
 */
function summaryOf(name: string, file: string, acc: SummaryAcc, memo: AnalysisMemo | undefined): FunctionSummary | undefined {
  if (!memo) return toSummary(name, file, acc);
  const c = memo.summaries.get(acc);
  if (c && c.name === name && c.file === file) return c.s;
  const s = toSummary(name, file, acc);
  if (s) {
    for (const v of Object.values(s)) if (Array.isArray(v)) Object.freeze(v);
    Object.freeze(s);
  }
  memo.summaries.set(acc, { name, file, s });
  return s;
}

function jsonOf(s: FunctionSummary | undefined, cacheFor: (s: FunctionSummary) => WeakMap<object, string>): string | undefined {
  if (!s) return undefined;
  const cache = cacheFor(s);
  let j = cache.get(s);
  if (j === undefined) {
    j = JSON.stringify(s);
    cache.set(s, j);
  }
  return j;
}

/**
 * The flushes a flag parameter's value adds (FunctionSummary.flushesWhen): for each value some
 * exit's path took, what every exit compatible with it (that value, or the flag not tested)
 * flushed, beyond what every exit flushed.
 */
function flushesWhen(acc: SummaryAcc): FunctionSummary['flushesWhen'] {
  const keys = new Set<string>();
  for (const x of acc.exitFlushes) {
    for (const [i, v] of x.flags) keys.add(`${i}:${v ? 1 : 0}`);
    for (const k of x.when.keys()) keys.add(k.replace('=', ':'));
  }
  const out: NonNullable<FunctionSummary['flushesWhen']> = [];
  for (const k of [...keys].sort()) {
    const [i, v] = [Number(k.split(':')[0]), k.endsWith(':1')];
    const on = acc.exitFlushes.filter((x) => !x.flags.has(i) || x.flags.get(i) === v);
    let params: Set<number> | null = null;
    let members: Set<string> | null = null;
    for (const x of on) {
      const w = x.when.get(`${i}=${v ? 1 : 0}`);
      params = meet(params, w ? new Set([...x.params, ...w.params]) : x.params);
      members = meet(members, w ? new Set([...x.members, ...w.members]) : x.members);
    }
    const p = [...(params ?? [])].filter((j) => !acc.flushed?.has(j)).sort((a, b) => a - b);
    const m = [...(members ?? [])].filter((j) => !acc.flushedMembers?.has(j)).sort();
    if (p.length || m.length) out.push({ param: i, value: v, ...(p.length ? { params: p } : {}), ...(m.length ? { members: m } : {}) });
  }
  return out.length ? out : undefined;
}

/** FunctionSummary.submitsLength: the submitted parameters whose length one parameter always gives. */
function submitsLength(acc: SummaryAcc): FunctionSummary['submitsLength'] {
  const out = [...acc.submitLens].filter((e): e is [number, number] => e[1] !== null && acc.submits.has(e[0])).sort((a, b) => a[0] - b[0]).map(([param, len]) => ({ param, len }));
  return out.length ? out : undefined;
}

function mergeAcc(a: SummaryAcc, b: SummaryAcc): SummaryAcc {
  return {
    flushed: meet(a.flushed, b.flushed),
    exitFlushes: [...a.exitFlushes, ...b.exitFlushes],
    submitLens: new Map([...new Set([...a.submitLens.keys(), ...b.submitLens.keys()])].map((k) => {
      const x = a.submitLens.get(k);
      const y = b.submitLens.get(k);
      return [k, x === undefined ? y ?? null : y === undefined || x === y ? x : null] as const;
    })),
    invalidates: new Set([...a.invalidates, ...b.invalidates]),
    flushedMembers: meet(a.flushedMembers, b.flushedMembers),
    invalidatesMembers: new Set([...a.invalidatesMembers, ...b.invalidatesMembers]),
    readIntoMembers: new Set([...a.readIntoMembers, ...b.readIntoMembers]),
    readsMembers: new Set([...a.readsMembers, ...b.readsMembers]),
    writesMembers: new Set([...a.writesMembers, ...b.writesMembers]),
    submits: new Set([...a.submits, ...b.submits]),
    submitDir: a.submitDir | b.submitDir,
    readInto: new Set([...a.readInto, ...b.readInto]),
    readsCompleted: new Set([...a.readsCompleted, ...b.readsCompleted]),
    rqMapped: new Set([...a.rqMapped, ...b.rqMapped]),
    helperFlushed: new Set([...a.helperFlushed, ...b.helperFlushed]),
    writeUnflushed: new Set([...a.writeUnflushed, ...b.writeUnflushed]),
    pageParams: new Set([...a.pageParams, ...b.pageParams]),
    writes: new Set([...a.writes, ...b.writes]),
    reads: new Set([...a.reads, ...b.reads]),
    converts: meet(a.converts, b.converts),
    returns: strongerKind(a.returns, b.returns),
    returnSizeParam: a.returnSizeParam ?? b.returnSizeParam,
    returnSize: a.returnSize ?? b.returnSize,
    outVmalloc: a.outVmalloc || b.outVmalloc
      ? new Map([...(b.outVmalloc ?? []), ...(a.outVmalloc ?? [])].map(([k]) => [k, strongerKind(a.outVmalloc?.get(k), b.outVmalloc?.get(k)) as SourceKind]))
      : undefined,
    outOther: a.outOther || b.outOther ? new Set([...(a.outOther ?? []), ...(b.outOther ?? [])]) : undefined,
    outSize: a.outSize || b.outSize ? new Map([...(b.outSize ?? []), ...(a.outSize ?? [])]) : undefined,
    returnsPageOf: a.returnsPageOf ?? b.returnsPageOf,
    returnsAliasOf: a.returnsAliasOf ?? b.returnsAliasOf,
    returnsOther: a.returnsOther || b.returnsOther,
    directionParam: a.directionParam ?? b.directionParam,
    directionWhenTrue: a.directionParam !== undefined ? a.directionWhenTrue : b.directionWhenTrue,
    addsPages: new Set([...a.addsPages, ...b.addsPages]),
    returnsPages: new Set([...a.returnsPages, ...b.returnsPages]),
  };
}

/** In-file call sites: op values passed for each parameter (so a helper called only for reads is a read). */
function collectParamOps(fns: FunctionInfo[], byName: Map<string, FunctionInfo[]>, src: string, cache?: SkeletonCache): Map<string, Map<number, OpSet | 'unknown'>> {
  const out = new Map<string, Map<number, OpSet | 'unknown'>>();
  for (const f of fns) {
    for (const { callee, args } of callsOf(f, src, cache)) {
      if (!byName.has(callee)) continue;
      const m = out.get(callee) ?? new Map<number, OpSet | 'unknown'>();
      args.forEach((t, i) => {
        const parts = t.split('|');
        const row = DIRECTIONS.get(parts[0]);
        const cur = m.get(i);
        if (!row) {
          if (cur !== undefined) m.set(i, 'unknown');
          else m.set(i, 'unknown');
          return;
        }
        const bits = row.dir === 'read' ? OP_R : row.dir === 'write' ? OP_W : OP_B;
        const withFlags = parts.length > 1 ? (bits === OP_R ? 4 : bits === OP_W ? 8 : bits) : bits;
        m.set(i, cur === undefined ? withFlags : cur === 'unknown' ? 'unknown' : cur | withFlags);
      });
      out.set(callee, m);
    }
  }
  // A parameter counts only when every call site passes a direction constant.
  for (const m of out.values()) for (const [k, v] of m) if (v === 'unknown') m.delete(k);
  return out;
}

/**
 * `slots` with only the functions that call a table name (`seed`, also through a one-call or
 * statement macro of the file) or, transitively, such a function of the file.
 */
function seedySlots(slots: Map<string, string[]>, fns: FunctionInfo[], seed: ReadonlySet<string>, preproc: ReturnType<typeof skeleton>['preproc']): Map<string, string[]> {
  if (slots.size === 0) return slots;
  const viaMacro = new Set<string>();
  for (const it of preproc) {
    if (it.kind === 'macro' && seed.has(it.callee)) viaMacro.add(it.name);
    else if (it.kind === 'block' && (it.body.text.match(/[A-Za-z_]\w*/g) ?? []).some((id) => seed.has(id))) viaMacro.add(it.name);
  }
  const seedy = new Set<string>();
  for (const f of fns) for (const c of f.calls) if (seed.has(c) || viaMacro.has(c)) { seedy.add(f.name); break; }
  for (let changed = seedy.size > 0; changed;) {
    changed = false;
    for (const f of fns) {
      if (seedy.has(f.name)) continue;
      let hit = false;
      for (const c of f.calls) if (seedy.has(c)) { hit = true; break; }
      for (const c of f.ptrCalls ?? []) if (!hit && (slots.get(c) ?? []).some((t) => seedy.has(t))) hit = true;
      if (hit) { seedy.add(f.name); changed = true; }
    }
  }
  const out = new Map<string, string[]>();
  for (const [k, v] of slots) {
    const keep = v.filter((t) => seedy.has(t));
    if (keep.length) out.set(k, keep);
  }
  return out;
}

/** Options that change every function's result: a memo made under other ones is emptied. */
function memoOptionsKey(file: string, opts: AnalyzeOptions): string {
  return JSON.stringify([file, opts.kernel ?? null, opts.confidence ?? 'high', opts.extraAllocators ?? [], opts.extraSinks ?? []]);
}

/**
 * Analyse one translation unit. `memo` (one per document, kept by the caller between analyses)
 * makes a re-analysis after an edit cost roughly the functions whose text or inputs changed; the
 * result is the same as without it (test/unit/incremental-analysis.test.ts).
 */
export function analyzeTree(root: SNode, text: string, file: string, opts: AnalyzeOptions = {}, memo?: AnalysisMemo): AnalysisResult {
  const t0 = performance.now();
  memo?.begin(memoOptionsKey(file, opts));
  const sk = skeleton(root, text, memo?.skeleton);
  // functions of this file, with those blanked with their signatures (no body to read)
  const defined = new Set(sk.fns.map((f) => f.name));
  for (const name of opts.blankedFunctions ?? []) defined.add(name);
  const notes: string[] = [];
  const errorNodes = sk.errorNodes;
  if (errorNodes > 0) notes.push(`${file}: ${errorNodes} syntax error node(s); analysis continued around them`);

  // Summaries from other files, for the names this file calls (directly or through its macros) and
  // does not define itself: an editor can pass a whole workspace's summaries for every document.
  const externalAll = opts.externalSummaries ?? new Map<string, FunctionSummary>();
  const external = new Map<string, FunctionSummary>();
  if (externalAll.size) {
    const called = new Set<string>();
    for (const f of sk.fns) for (const c of f.calls) called.add(c);
    for (const it of sk.preproc) if (it.kind === 'macro') called.add(it.callee);
    for (const name of called) {
      const sm = defined.has(name) ? undefined : externalAll.get(name);
      if (sm) external.set(name, sm);
    }
    // completion callbacks of other files named as values (`bio->bi_end_io = foo_end_io`): what
    // they invalidate decides this file's asynchronous reads (interp remoteEndIoInvalidates)
    for (const f of sk.fns) {
      for (const id of f.idents) {
        if (called.has(id) || defined.has(id)) continue;
        const sm = externalAll.get(id);
        if (sm?.invalidatesMembers?.length) external.set(id, sm);
      }
    }
  }
  const extraAlloc = new Set(opts.extraAllocators ?? []);
  const extraSinks = new Set(opts.extraSinks ?? []);
  const seed = new Set([...SEED_NAMES, ...extraAlloc, ...extraSinks, ...external.keys()]);

  // Calls through function pointers this file fills (fnptr.ts): each slot's functions count as
  // callees of the function calling through it, for relevance, order and re-analysis alike. Read
  // from the text, a slot keeps only the functions that reach a table name (seedySlots()):
  // another (a register accessor in an ops table) could not touch a buffer, and the call stays
  // an unknown one. A slice gets the slots of its whole file (the scan filtered them lexically).
  const slots = opts.pointerSlots ? new Map(opts.pointerSlots.map(([k, v]) => [k, [...v]])) : seedySlots(pointerSlots(text, (name) => defined.has(name)), sk.fns, seed, sk.preproc);
  const fns = slots.size === 0 ? sk.fns : sk.fns.map((f) => {
    const extra: string[] = [];
    for (const c of f.ptrCalls ?? []) for (const t of slots.get(c) ?? []) extra.push(t);
    for (const c of f.calls) if (!defined.has(c)) for (const t of slots.get(c) ?? []) extra.push(t);
    return extra.length ? { ...f, calls: new Set([...f.calls, ...extra]) } : f;
  });
  memo?.setFunctions(fns, text);
  const byName = new Map<string, FunctionInfo[]>();
  for (const f of fns) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  for (const name of opts.blankedFunctions ?? []) if (!byName.has(name)) byName.set(name, []);

  // Relevance: functions that call a table name, plus (transitively) the in-file functions they call,
  // whose summaries they need. Callers join later, once a callee's summary says something about
  // vmalloc memory (returns it, submits or maintains a parameter).
  const relevant = new Set<FunctionInfo>();
  for (const f of fns) for (const c of f.calls) if (seed.has(c)) { relevant.add(f); break; }
  const addCallees = (start: Iterable<FunctionInfo>) => {
    const stack = [...start];
    while (stack.length) {
      const f = stack.pop() as FunctionInfo;
      for (const c of f.calls) for (const g of byName.get(c) ?? []) if (!relevant.has(g)) { relevant.add(g); stack.push(g); }
    }
  };
  addCallees([...relevant]);
  // The callers of a static relevant function decide what its parameters carry (a guard on the
  // holder object, the buffers passed): analyse them too, two levels up.
  for (let level = 0; level < 2; level++) {
    const add: FunctionInfo[] = [];
    for (const f of fns) {
      if (relevant.has(f)) continue;
      for (const c of f.calls) if ((byName.get(c) ?? []).some((g) => g.isStatic && relevant.has(g))) { add.push(f); break; }
    }
    for (const f of add) relevant.add(f);
    addCallees(add);
  }

  const invalidateTexts: string[] = [];
  // helpers that invalidate a parameter whole (`static void foo_finish(void *b, size_t n) {
  // invalidate_kernel_vmap_range(b, n); }`), and other files' that do (summaries): what a call of
  // one passes there is invalidated in this file too
  const invWrappers = new Map<string, number[]>();
  const direct = new Map<FunctionInfo, string[]>();
  for (const f of fns) {
    if (!f.calls.has('invalidate_kernel_vmap_range')) continue;
    const inv = invalidatesOf(f, text, memo?.skeleton);
    direct.set(f, inv);
    const texts = new Set(inv.map((t) => t.replace(/^\((?:void|u8|char)\*\)/, '')));
    const at = f.params.filter((p) => texts.has(p.name)).map((p) => p.index);
    if (at.length) invWrappers.set(f.name, at);
  }
  for (const f of fns) for (const c of f.calls) {
    const ip = byName.has(c) ? undefined : externalAll.get(c)?.invalidatesParams;
    if (ip?.length) invWrappers.set(c, ip);
  }
  for (const f of fns) {
    invalidateTexts.push(...direct.get(f) ?? []);
    // what a call of such a helper passes at the invalidated positions
    if ([...f.calls].some((c) => invWrappers.has(c))) {
      for (const c of callsOf(f, text, memo?.skeleton)) for (const i of invWrappers.get(c.callee) ?? []) if (c.args[i]) invalidateTexts.push(c.args[i]);
    }
    // a call of another file's helper that invalidates a member of its argument (`seg_inval(s)`
    // invalidating `s->mem`): that member is invalidated in this file too
    for (const c of f.calls) {
      const ms = byName.has(c) ? undefined : externalAll.get(c)?.invalidatesMembers;
      for (const m of ms ?? []) invalidateTexts.push(`${c}()->${m.slice(m.indexOf('.') + 1)}`);
    }
  }

  const calledInFile = new Set<string>();
  for (const f of fns) for (const c of f.calls) if (byName.has(c)) calledInFile.add(c);
  // Callers in other files count as call sites too (a whole-tree scan passes them).
  const extSites = new Map<string, number[]>();
  for (const [name, idxs] of opts.externalCallSites ?? []) if (byName.has(name) && idxs.length) extSites.set(name, idxs);
  for (const name of extSites.keys()) calledInFile.add(name);
  // named anywhere but in a call (`.xfer = foo_xfer`, `INIT_WORK(&w, foo_work)`, a comment): its
  // address may be taken, so not all its call sites are known
  const taken = new Map<string, boolean>();
  const addressTaken = (name: string): boolean => {
    let t = taken.get(name);
    if (t === undefined) taken.set(name, t = new RegExp(`\\b${name}\\b(?!\\s*\\()`).test(opts.wholeText ?? text));
    return t;
  };
  const withExternalSites = (m: Map<string, CallSiteFacts>): Map<string, CallSiteFacts> => {
    for (const [name, idxs] of extSites) {
      const cur = m.get(name) ?? { vmallocArgs: new Set<number>(), guarded: new Map<number, boolean>() };
      for (const i of idxs) cur.vmallocArgs.add(i);
      // a caller in another file: what it flushed or passes is not known
      cur.flushed = NO_IDS;
      cur.consts = NO_CONSTS;
      m.set(name, cur);
    }
    return m;
  };
  const defines = new Map<string, string>();
  const macros = new Map<string, { callee: string; argParams: (number | null)[]; body?: MacroBody; block?: boolean; value?: boolean }>();
  // statement macros whose body names a table function (or another file's summarised one)
  const blockSeeds = new Set<string>();
  for (const it of sk.preproc) {
    if (it.kind === 'define') defines.set(it.name, it.value);
    else if (it.kind === 'block') {
      macros.set(it.name, { callee: '', argParams: [], body: it.body, block: true, ...(it.value ? { value: true } : {}) });
      if ((it.body.text.match(/[A-Za-z_]\w*/g) ?? []).some((id) => seed.has(id))) blockSeeds.add(it.name);
    } else macros.set(it.name, { callee: it.callee, argParams: it.argParams, body: it.body });
  }

  // functions that reach a table name only through a macro of this file are relevant too
  const viaMacro = fns.filter((f) => !relevant.has(f) && [...f.calls].some((c) => seed.has(macros.get(c)?.callee ?? '') || blockSeeds.has(c)));
  for (const f of viaMacro) relevant.add(f);
  addCallees(viaMacro);

  // Functions other files pass vmalloc memory to or need summaries of are analysed whatever calls
  // them here: what they do must not depend on whether an unrelated caller in this file is analysed.
  const needed = new Set(opts.neededSummaries ?? []);
  const fromSites = fns.filter((f) => !relevant.has(f) && (extSites.has(f.name) || needed.has(f.name)));
  for (const f of fromSites) relevant.add(f);
  addCallees(fromSites);

  const lineStarts = lineStartsOf(text);
  const allocToField = new Map<string, string>();
  let fieldOther = new Set<string>();
  const paramOps = collectParamOps(fns, byName, text, memo?.skeleton);
  const fnFindings = new Map<FunctionInfo, Finding[]>();
  const fnAcc = new Map<FunctionInfo, SummaryAcc>();
  const fnSites = new Map<FunctionInfo, Map<string, CallSiteFacts>>();
  let summaries = new Map<string, FunctionSummary>(external);
  // Other files' stores into members of known types: read through exact keys only (byFieldName
  // leaves them out), until this file stores something there itself.
  // file-scope variables: this file's own are exported, and are not another file's to import
  const ownGlobals = opts.fileGlobals ? new Set(opts.fileGlobals) : fileScopeGlobals(text);
  // (given fileGlobals, the text is a slice whose declarations are blanked: the caller filtered the statics)
  const isOwn = (name: string): boolean => (opts.fileGlobals ? ownGlobals.has(name) : declaresOwn(text, name, ownGlobals));
  const imported = importFields((opts.externalFields ?? []).filter((f) => !f.key.startsWith(`${GLOBAL_TAG}.`) || !isOwn(fieldNameOf(f.key))));
  let fieldVals = new Map<string, Val>(imported);
  const importedVals = new Set<Val>(imported.values());
  if (imported.size) {
    const names = new Set([...imported.keys()].map(mentionOf));
    const readers = fns.filter((f) => !relevant.has(f) && [...names].some((x) => f.idents.has(x)));
    for (const f of readers) relevant.add(f);
    addCallees(readers);
  }
  let callSites = withExternalSites(new Map<string, CallSiteFacts>());
  let dirty = new Set(relevant);
  // JSON of summaries, per analysis; summaries made through the memo are frozen and the same objects
  // in every analysis, so theirs is kept in the memo (external ones belong to the caller)
  const jsonLocal = new WeakMap<object, string>();
  const jsonCache = (s: FunctionSummary) => (memo && Object.isFrozen(s) ? memo.json : jsonLocal);
  const analyzedNames = () => new Set([...relevant].map((f) => f.name));
  const extraNotes: string[] = [];
  const demand = opts.reportDemand ? new Set<string>() : undefined;
  // the struct definitions of the whole file (a slice blanks them), sized on first use
  let structSizes: StructSizes | undefined;
  const sizes = (): StructSizes => (structSizes ??= StructSizes.of(opts.wholeText ?? text));
  const sizeofType = (type: string): number | undefined => sizes().typeSize(type);
  const wholeDefine = (name: string): string | undefined => sizes().define(name);
  const memberType = (key: string): DeclType | undefined => {
    const dot = key.lastIndexOf('.');
    return sizes().memberType(key.slice(0, dot), key.slice(dot + 1));
  };
  for (let round = 0; round < MAX_ROUNDS && dirty.size > 0; round++) {
    const tu: TuCtx = {
      src: text, file, kernel: opts.kernel, kernelLabel: kernelLabel(opts.kernel), confidence: opts.confidence ?? 'high',
      functions: byName, summaries, fieldVals, fieldValsByName: byFieldName(fieldVals, importedVals), fieldValsNext: new Map(fieldVals), paramOps,
      extraAllocators: extraAlloc, extraSinks, allocToField, fieldOther, fieldOtherNext: new Set(fieldOther), calledInFile, analyzed: analyzedNames(), callSites, defines, macros, lineStarts,
      invalidateTexts, pointerSlots: slots, notes: extraNotes, sizeofType, wholeDefine, memberType, ...(demand ? { demand } : {}),
    };
    for (const f of fns) {
      if (!dirty.has(f)) continue;
      const hit = memo?.replay(f, tu, round);
      if (hit) {
        fnFindings.set(f, hit.findings);
        fnAcc.set(f, hit.acc);
        fnSites.set(f, hit.sites);
        continue;
      }
      const rec = memo?.record(f, tu, round);
      const r = analyzeUnit(rec ? rec.tu : tu, f);
      if (rec && memo) memo.store(rec, r);
      fnFindings.set(f, r.findings);
      fnAcc.set(f, r.acc);
      fnSites.set(f, r.sites);
    }
    // Summaries by name (static functions of the same name in #if branches merge).
    const byNameAcc = new Map<string, SummaryAcc>();
    for (const [f, acc] of fnAcc) {
      const prev = byNameAcc.get(f.name);
      byNameAcc.set(f.name, prev ? mergeAcc(prev, acc) : acc);
    }
    const next = new Map<string, FunctionSummary>(external);
    for (const [name, acc] of byNameAcc) {
      const sm = summaryOf(name, file, acc, memo);
      if (sm) next.set(name, sm);
    }
    const nextSites = new Map<string, CallSiteFacts>();
    for (const m of fnSites.values()) mergeSites(nextSites, m);
    withExternalSites(nextSites);
    // a function whose address is taken (an ops table, a callback argument) has callers unseen
    for (const [name, f] of nextSites) if (f.consts?.size && [...f.consts.values()].some((c) => c !== null) && addressTaken(name)) f.consts = NO_CONSTS;

    // Which inputs changed, and who reads them.
    const changedNames = new Set<string>();
    for (const name of new Set([...next.keys(), ...summaries.keys()])) {
      if (jsonOf(next.get(name), jsonCache) !== jsonOf(summaries.get(name), jsonCache)) changedNames.add(name);
    }
    for (const name of new Set([...nextSites.keys(), ...callSites.keys()])) {
      if (!sameSites(nextSites.get(name), callSites.get(name))) changedNames.add(`site:${name}`);
    }
    // A field a helper's result was stored in before the helper was summarised: other memory
    // unless the helper's summary (now that it was analysed) says it returns vmalloc memory.
    // (Still pending while the helper is analysed again next round: its callees' summaries moved.)
    for (const k of [...tu.fieldOtherNext]) {
      if (!k.startsWith(PENDING)) continue;
      const [key, helper] = k.slice(PENDING.length).split('\0');
      const defs = byName.get(helper) ?? [];
      const moving = defs.some((g) => relevant.has(g) && (!fnAcc.has(g) || [...g.calls].some((c) => changedNames.has(c))));
      if (moving) continue;
      tu.fieldOtherNext.delete(k);
      if (!next.get(helper)?.returnsVmalloc) tu.fieldOtherNext.add(key);
    }
    const changedFields = new Set<string>();
    for (const k of new Set([...tu.fieldValsNext.keys(), ...fieldVals.keys()])) {
      if (valKey(tu.fieldValsNext.get(k)) !== valKey(fieldVals.get(k))) changedFields.add(mentionOf(k));
    }
    // fields whose vmalloc facts changed: every function mentioning one is analysed from now on
    const factFields = new Set(changedFields);
    for (const k of tu.fieldOtherNext) if (!fieldOther.has(k) && !k.startsWith(PENDING)) changedFields.add(mentionOf(k));
    summaries = next;
    fieldVals = tu.fieldValsNext;
    fieldOther = tu.fieldOtherNext;
    callSites = nextSites;
    dirty = new Set();
    const callsChanged = (f: FunctionInfo, interesting: boolean) => {
      for (const c of f.calls) if (changedNames.has(c) && (!interesting || isInteresting(next.get(c)))) return true;
      return false;
    };
    const mentions = (f: FunctionInfo, fields: Set<string>) => {
      for (const x of fields) if (f.idents.has(x)) return true;
      return false;
    };
    for (const f of fns) {
      if (!relevant.has(f) && ((changedNames.size && callsChanged(f, true)) || mentions(f, factFields))) {
        relevant.add(f);
        addCallees([f]);
      }
      if (!relevant.has(f)) continue;
      if (!fnAcc.has(f) || changedNames.has(`site:${f.name}`) || callsChanged(f, false) || mentions(f, changedFields)) dirty.add(f);
    }
  }
  const findings: Finding[] = [];
  for (const m of fnFindings.values()) findings.push(...m);
  findings.sort((a, b) => a.span.startOffset - b.span.startOffset || a.rule.localeCompare(b.rule));
  const kept = oneFileWideInvalidate(opts.rules ? findings.filter((f) => opts.rules?.has(f.rule)) : findings);
  // a fix inserting a maintenance call into a file without its header adds the #include (the
  // whole text: a slice blanks #include lines)
  const filtered = withMaintenanceInclude(kept, opts.wholeText ?? text, file, lineStarts);
  const fileSummaries = [...summaries.values()].filter((x) => x.file === file && byName.has(x.name));
  fileSummaries.push(...macroSummaries(sk.preproc, byName, summaries, file, opts.kernel));
  memo?.end();
  // vmalloc memory passed to functions of other files, for the scan to hand to their files
  const outSites: [string, number[]][] = [];
  for (const [name, f] of callSites) if (!byName.has(name) && f.vmallocArgs.size) outSites.push([name, [...f.vmallocArgs].sort((a, b) => a - b)]);
  outSites.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let demandOut: AnalysisDemand | undefined;
  if (demand) {
    const fields = new Set<string>();
    const globals = new Set<string>();
    for (const k of fieldVals.keys()) if (k.startsWith('global:')) globals.add(mentionOf(k)); else fields.add(fieldNameOf(k));
    const functions: string[] = [];
    const guards: string[] = [];
    const holders = new Map<string, string[]>();
    for (const d of demand) {
      if (d.startsWith('guard:')) guards.push(d.slice('guard:'.length));
      else if (d.startsWith('holder:')) {
        const [name, type] = d.slice('holder:'.length).split(':');
        const ts = holders.get(name) ?? [];
        if (!ts.includes(type)) ts.push(type);
        holders.set(name, ts);
      } else functions.push(d);
    }
    const holderList = [...holders].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([name, types]) => ({ name, types: types.sort() }));
    demandOut = { fields: [...fields].sort(), functions: functions.sort(), guards: guards.sort(), globals: [...globals].sort(), ...(holderList.length ? { holders: holderList } : {}) };
  }
  const facts = exportFields(fieldVals, fieldOther, importedVals, allocToField, ownGlobals);
  return {
    file, findings: filtered, summaries: fileSummaries, notes: [...notes, ...extraNotes],
    ...(facts.length ? { fieldFacts: facts } : {}),
    stats: { parseMs: 0, analyzeMs: performance.now() - t0, functions: fns.length, errorNodes },
    ...(outSites.length ? { callSites: outSites } : {}),
    ...(demandOut ? { demand: demandOut } : {}),
  };
}

/** How a function body mentions a file-wide location: `.m` for a member, the name of a file-scope variable. */
/**
 * Function-like macros of this file that wrap an allocator (`#define zlog_alloc_log(n) vzalloc(n)`,
 * or a call of a function whose summary hands out vmalloc memory): summaries for the files that
 * include a header defining them, as for a `static inline` wrapper. Only what the call returns.
 */
function macroSummaries(preproc: readonly { kind: string; name?: string; callee?: string; argParams?: (number | null)[] }[], byName: Map<string, FunctionInfo[]>,
  summaries: Map<string, FunctionSummary>, file: string, kernel: KernelVersion | undefined): FunctionSummary[] {
  const out: FunctionSummary[] = [];
  for (const it of preproc) {
    if (it.kind !== 'macro' || !it.name || !it.callee || !it.argParams || byName.has(it.name) || summaries.get(it.name)?.file === file) continue;
    const row = ALLOCATORS.get(it.callee);
    const callee = summaries.get(it.callee);
    let kind: FunctionSummary['returnsVmalloc'];
    let sizeArg: number | undefined;
    if (row && allocatorApplies(row, kernel)) {
      kind = row.kind;
      sizeArg = typeof row.size === 'number' ? row.size : undefined;
    } else if (callee?.returnsVmalloc) {
      kind = callee.returnsVmalloc;
      sizeArg = callee.returnSizeParam;
    }
    if (!kind) continue;
    const size = sizeArg !== undefined ? it.argParams[sizeArg] : null;
    out.push({ name: it.name, file, returnsVmalloc: kind, ...(size !== null && size !== undefined ? { returnSizeParam: size } : {}) });
  }
  return out;
}

function mentionOf(key: string): string {
  return key.startsWith('global:') ? key.slice('global:'.length).replace(/\[\]$/, '') : `.${fieldNameOf(key)}`;
}

/** One function in both direction contexts against the round's facts (the unit the memo keeps). */
function analyzeUnit(tu: TuCtx, f: FunctionInfo): UnitResult {
  const out = new Map<string, Finding>();
  const sites = new Map<string, CallSiteFacts>();
  let acc: SummaryAcc | undefined;
  for (const ctx of ['write', 'read'] as const) {
    const fa = new FunctionAnalysis(tu, f, ctx, out);
    try {
      fa.run();
    } catch (e) {
      tu.notes.push(`${tu.file}: analysis of ${f.name}() stopped early (${(e as Error).message})`);
    }
    acc = acc ? mergeAcc(acc, fa.summary) : fa.summary;
    mergeSites(sites, fa.siteFacts);
    // Nothing in the function depended on the direction context: the other one would repeat it.
    if (!fa.usedCtx) break;
  }
  return { findings: [...out.values()], acc: acc as SummaryAcc, sites };
}

/** fieldVals grouped by the key's last `.` segment (`field:T.f` and `dmio:field:T.f` under `f`), in map order. */
function byFieldName(fieldVals: Map<string, Val>, skip?: ReadonlySet<Val>): Map<string, [string, Val][]> {
  const m = new Map<string, [string, Val][]>();
  for (const [k, v] of fieldVals) {
    if (skip?.has(v)) continue;
    const name = k.slice(k.lastIndexOf('.') + 1);
    const list = m.get(name);
    if (list) list.push([k, v]);
    else m.set(name, [[k, v]]);
  }
  return m;
}

/** Field facts of other files as this file's starting facts (`field:T.m` keys). */
function importFields(list: readonly FieldFact[]): Map<string, Val> {
  const m = new Map<string, Val>();
  for (const f of list) {
    if (f.key.startsWith(`${GLOBAL_TAG}.`)) {
      // another file's variable, declared extern here: its `global:` location
      if (f.t !== 'buf') continue;
      const key = `global:${fieldNameOf(f.key)}`;
      const b: Buf = {
        id: key, kind: f.kind, origin: f.origin.slice(), zeroed: f.zeroed, display: f.display, escapes: true, holders: [], viaField: true,
        ...(f.mixed ? { mixed: true } : {}), ...(f.size !== undefined ? { size: f.size } : {}), ...(f.sizeBytes !== undefined ? { sizeBytes: f.sizeBytes } : {}),
      };
      m.set(key, { t: 'buf', b, adv: false });
      continue;
    }
    const key = f.t === 'table' ? `sgt:field:${f.key}` : `field:${f.key}`;
    // a table's pages are those of the buffer kept in its home member: a flush of that member flushes them
    const id = f.t === 'buf' ? key : f.t === 'table' && f.home ? `field:${f.home}` : `pages:${key}`;
    const field = f.t === 'buf' ? f.key : f.t === 'table' ? f.home : undefined;
    const b: Buf = {
      id, kind: f.kind, origin: f.origin.slice(), zeroed: f.zeroed, display: f.display,
      escapes: true, holders: [], viaField: true, ...(field ? { field } : {}), ...(f.mixed ? { mixed: true } : {}),
      ...(f.size !== undefined ? { size: f.size } : {}), ...(f.sizeBytes !== undefined ? { sizeBytes: f.sizeBytes } : {}),
    };
    m.set(key, f.t === 'buf' ? { t: 'buf', b, adv: false } : { t: 'pages', b });
  }
  return m;
}

/**
 * This file's facts about members of known types (not `field:?.m`, not the imported ones it left
 * alone): a member also assigned other memory here is maybe-vmalloc.
 */
function exportFields(fieldVals: Map<string, Val>, fieldOther: ReadonlySet<string>, imported: ReadonlySet<Val>, allocToField: ReadonlyMap<string, string>, globals: ReadonlySet<string>): FieldFact[] {
  const out: FieldFact[] = [];
  for (const [k, v] of fieldVals) {
    if ((v.t !== 'buf' && v.t !== 'pages') || imported.has(v)) continue;
    let key: string;
    let t: FieldFact['t'];
    let home: string | undefined;
    if (k.startsWith('global:')) {
      // a non-static file-scope variable of this file: other files may declare it extern
      const name = k.slice('global:'.length);
      if (v.t !== 'buf' || !globals.has(name)) continue;
      key = `${GLOBAL_TAG}.${name}`;
      t = 'buf';
    } else {
      // members and the scatterlist tables kept in members (interp noteTableMember)
      const table = k.startsWith('sgt:field:');
      const member = table ? k.slice('sgt:'.length) : k;
      if (!member.startsWith('field:') || member.startsWith('field:?.')) continue;
      if (table && v.t !== 'pages') continue;
      key = member.slice('field:'.length);
      t = table ? 'table' : v.t;
      const id = v.b.id;
      home = table ? allocToField.get(id) ?? (id.startsWith('field:') && !id.startsWith('field:?.') ? id : undefined) : undefined;
    }
    const b = v.b;
    // an uncached mapping needs no maintenance in any file; the facts carry no such flag
    if (b.kind === 'param' || b.uncached) continue;
    const mixed = fieldOther.has(k) || b.mixed === true;
    const kind = b.kind === 'vmalloc' && mixed ? 'maybe' : b.kind;
    out.push({
      key, t, kind, display: b.display, zeroed: b.zeroed, origin: b.origin,
      ...(home ? { home: home.slice('field:'.length) } : {}), ...(mixed ? { mixed: true as const } : {}),
      ...(b.size !== undefined ? { size: b.size } : {}), ...(b.sizeBytes !== undefined ? { sizeBytes: b.sizeBytes } : {}),
    });
  }
  return out.sort(byFieldKey);
}

/** FieldFacts in the order of their keys (how results and signatures list them). */
export function byFieldKey(a: FieldFact, b: FieldFact): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.t < b.t ? -1 : a.t > b.t ? 1 : 0;
}


function isInteresting(s: FunctionSummary | undefined): boolean {
  if (!s) return false;
  return givesMemory(s) || reachesIo(s) || s.returnsAliasOfParam !== undefined;
}

/**
 * A buffer read into by several I/Os (a table mapped in one function, handed to the DMA engine in
 * another) with no invalidate of it anywhere in the file: one root cause, so one finding, the
 * first; an invalidate added for it settles the others.
 */
function oneFileWideInvalidate(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    if (f.rule !== 'vmap-io-missing-invalidate' || !f.trace.some((s) => s.kind === 'complete' && s.message === NO_INVALIDATE_IN_FILE)) return true;
    const key = `${f.file}\0${f.buffer}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function mergeSites(into: Map<string, CallSiteFacts>, from: Map<string, CallSiteFacts>): void {
  for (const [name, f] of from) {
    const cur = into.get(name);
    if (!cur) {
      into.set(name, { vmallocArgs: new Set(f.vmallocArgs), guarded: new Map(f.guarded), ...(f.flushed ? { flushed: f.flushed } : {}), ...(f.consts ? { consts: f.consts } : {}) });
      continue;
    }
    if (f.consts) cur.consts = !cur.consts ? f.consts : sameConsts(cur.consts, f.consts);
    for (const i of f.vmallocArgs) cur.vmallocArgs.add(i);
    for (const [i, g] of f.guarded) cur.guarded.set(i, (cur.guarded.get(i) ?? true) && g);
    if (f.flushed) cur.flushed = !cur.flushed ? f.flushed : cur.flushed.size === 0 || f.flushed.size === 0 ? NO_IDS : new Set([...cur.flushed].filter((id) => f.flushed?.has(id)));
  }
}

/** Per parameter, the literal's truth both sets of call sites agree on, else null. */
function sameConsts(a: ReadonlyMap<number, 0 | 1 | null>, b: ReadonlyMap<number, 0 | 1 | null>): ReadonlyMap<number, 0 | 1 | null> {
  const out = new Map<number, 0 | 1 | null>();
  for (const i of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(i);
    out.set(i, x !== undefined && x === b.get(i) ? x : null);
  }
  return out;
}

/** The same call-site facts (no facts at all differs from empty ones). */
function sameSites(a: CallSiteFacts | undefined, b: CallSiteFacts | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.vmallocArgs.size !== b.vmallocArgs.size || a.guarded.size !== b.guarded.size) return false;
  for (const i of a.vmallocArgs) if (!b.vmallocArgs.has(i)) return false;
  for (const [i, g] of a.guarded) if (b.guarded.get(i) !== g) return false;
  if ((a.consts?.size ?? -1) !== (b.consts?.size ?? -1) || [...(a.consts ?? [])].some(([i, c]) => b.consts?.get(i) !== c)) return false;
  if ((a.flushed === undefined) !== (b.flushed === undefined) || (a.flushed && b.flushed && (a.flushed.size !== b.flushed.size || [...a.flushed].some((id) => !b.flushed?.has(id))))) return false;
  return true;
}

function valKey(v: Val | undefined): string {
  if (!v) return '';
  if (v.t === 'buf' || v.t === 'pages' || v.t === 'page' || v.t === 'isvm') return `${v.t}:${v.b.id}:${v.b.kind}`;
  return v.t;
}

const backends = new Map<string, Promise<Backend>>();

export function getBackend(name: 'wasm' | 'native' = 'wasm'): Promise<Backend> {
  let b = backends.get(name);
  if (!b) {
    b = createBackend(name);
    backends.set(name, b);
  }
  return b;
}

export async function analyzeText(text: string, file: string, opts: AnalyzeOptions & { backend?: Backend } = {}): Promise<AnalysisResult> {
  const backend = opts.backend ?? (await getBackend('wasm'));
  const { root, parseMs } = backend.parse(text);
  const r = analyzeTree(root, text, file, opts);
  r.stats.parseMs = parseMs;
  return r;
}
