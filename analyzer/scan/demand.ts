/**
 * Demand-driven slicing: parse and analyse the functions a vmalloc value can start from, then widen
 * where the analysis says it needed more.
 *
 * The lexical slice (slice.ts keepFor, "K") keeps everything a source could reach through calls,
 * callers, struct fields and file-scope variables. In a large driver that is nearly every function
 * (docs/scale.md): the lexer cannot tell which field a vmalloc pointer goes to or which callee is
 * handed it. The analyzer can. So a selected file is analysed first on a narrow part N of K, with
 * every other body of K blanked, and N grows until the analysis needs nothing outside it:
 *
 *   start   functions naming a source (an allocator, vmap, evidence, a wrapper another file
 *           summarised as returning vmalloc memory) or a maintenance call (an invalidate anywhere
 *           settles a finding), and functions other files need summaries of or pass vmalloc
 *           memory to (the analyzer analyses those whatever calls them: `neededSummaries`,
 *           `externalCallSites`);
 *   close   (lexical, every pass) same-named definitions (#if branches), and all callers in K of a
 *           function of N when any of them names a direction constant: paramOps counts a parameter
 *           only when every call site passes one, so dropping any caller could change it; the
 *           same for a static function when any caller names a flush (a parameter every caller
 *           flushed right before the call is flushed in it: CallSiteFacts `arg:i`);
 *   widen   (from each pass's AnalysisResult.demand and summaries)
 *           - functions of the file called with a buffer or a page of one, and bi_end_io
 *             callbacks whose body was read: their summary or body decided something;
 *           - every function of K mentioning a struct field the file-wide facts hold something
 *             for: the analyzer analyses each one (analyze.ts), as it may read the value or store
 *             other memory there (a "maybe" field);
 *           - the callers of a function whose summary returns vmalloc memory (or stores it
 *             through a parameter) or a page of its
 *             argument: they get the buffer (and join the analysis, as in the whole text);
 *           - the callers of a static function whose callers' guard facts decided something, and
 *             through static callers theirs (a guarded parameter passes on).
 *
 * Why nothing else outside N can change the result: a blanked function is called by N functions
 * only without buffers (else it was demanded), and a call without a buffer argument has the same
 * effect whether the callee has a summary or not. A function holds vmalloc memory only through a
 * source (start), a caller passing it (that caller demanded it), a field (widened), a callee's
 * return (widened) or another file (start); one that holds none only contributes paramOps
 * (closed), guard facts (widened) and stores into fields (widened). Relevance does not depend on
 * blanked functions for any of these: the analyzer's rules that add a function to the analysis
 * because of a caller are only used for functions that hold nothing.
 *
 * When a pass adds nothing its result is the result; after MAX_PASSES passes the file is analysed
 * on K. A later pass only un-blanks, so with the wasm backend it parses just the lines that changed
 * (with tree-sitter's included ranges) and puts their nodes into the previous pass's tree (splice).
 * The environment variable VMALIAS_SPLICE=0 makes every pass parse its whole slice. test/unit/slice.test.ts checks on every fixture, alone and mixed with others, that the
 * findings and the needed summaries are those of the whole text.
 */
import { givesMemory, reachesIo, type AnalysisResult, type FunctionSummary } from '../types';
import { DIRECTIONS, MAINTENANCE } from '../tables';
import type { SNode } from '../parse/syntax';
import { blankExcept, fieldsUsed, handlesMemberSource, reach, type FileGraph, type SliceResult } from './slice';
import { isIdentifier } from './prefilter';

/** Passes before falling back to the lexical slice (each one re-parses the file). */
export const MAX_PASSES = 6;

export interface DemandInput {
  g: FileGraph;
  /** The lexical slice (keepFor): N never leaves it. */
  keep: ReadonlySet<number>;
  /** Source-side names (tables, --allocator, other files' summaries that return vmalloc memory). */
  sources: ReadonlySet<string>;
  /** Functions other files need summaries of (analysed with `neededSummaries`). */
  needed: readonly string[];
  /** Functions other files pass vmalloc memory to. */
  sites: readonly string[];
  /** Functions to start with as well (what an earlier analysis of the file ended up parsing). */
  hint?: readonly string[];
  /**
   * Start with the functions mentioning a field a start function stores a source's result in
   * (default true). Any start set gives the same result; the tests run both to exercise widening.
   */
  fieldStart?: boolean;
  /**
   * Struct types whose members' accesses in a callee can decide something (default: all). A
   * callee's member reads and writes (readsMembers / writesMembers) only matter to a finding of a
   * file that does I/O — names a sink-side table function or calls another file's function that
   * submits, maps or maintains its argument — or to the summary of a function other files need,
   * through a parameter of that type. tasks.ts passes the types of the needed functions'
   * signatures when the file does no I/O: kernel/bpf/verifier.c hands its environment, whose
   * `prog` member holds vmalloc memory, to hundreds of functions but submits nothing, and every
   * one of them was parsed and analysed for nothing.
   */
  holderTypes?: (type: string) => boolean;
}

export interface DemandOutcome {
  result: AnalysisResult;
  /** The slice of the last pass. */
  slice: SliceResult;
  passes: number;
  /** Characters parsed over all passes, and of them blanked. */
  charsParsed: number;
  charsBlanked: number;
  /** The narrow slice did not settle within MAX_PASSES: the result is K's. */
  fellBack: boolean;
  /** Names of the functions the last pass parsed. */
  parsed: string[];
}

/** Functions of K the first pass analyses (before closing). */
export function startSet(inp: DemandInput): Set<number> {
  const { g, keep, sources } = inp;
  const n = new Set<number>();
  for (const i of keep) {
    for (const id of g.expanded[i]) if (sources.has(id) || MAINTENANCE.has(id)) { n.add(i); break; }
    if (!n.has(i) && handlesMemberSource(g, i)) n.add(i);
  }
  for (const name of [...inp.needed, ...inp.sites, ...(inp.hint ?? [])]) for (const i of g.byName.get(name) ?? []) if (keep.has(i)) n.add(i);
  // A field a start function assigns a source's result to (`ctx->log = vzalloc(…)`) holds vmalloc
  // memory after the first pass, and the field rule of widenSet would then add every function of
  // K mentioning it: they join now, saving that pass (on 6.18 the field rule caused 219 of the
  // ~450 later passes). Adding to N is always exact; only the passes change.
  if (inp.fieldStart !== false) addFieldUsers(g, keep, n, sourceFields(g, n, sources));
  return n;
}

/** Add to N every function of K that mentions one of `fields` (`->f`, `.f`). */
function addFieldUsers(g: FileGraph, keep: ReadonlySet<number>, n: Set<number>, fields: ReadonlySet<string>): void {
  if (fields.size === 0) return;
  for (const j of keep) {
    if (n.has(j)) continue;
    for (const f of fieldsUsed(g, j)) if (fields.has(f)) { n.add(j); break; }
  }
}

/** Struct members the functions `of` assign a call of `sources` to, directly or through a cast. */
export function sourceFields(g: FileGraph, of: Iterable<number>, sources: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  const names = [...sources].filter(isIdentifier);
  if (names.length === 0) return out;
  const re = new RegExp(`(?:->|\\.)\\s*([A-Za-z_]\\w*)\\s*(?:\\[[^\\]]*\\]\\s*)*=\\s*(?:\\([^()]*\\)\\s*)?(?:${names.join('|')})\\s*\\(`, 'g');
  for (const i of of) {
    const d = g.defs[i];
    const body = g.text.slice(d.bodyStart as number, d.bodyEnd as number);
    for (const m of body.matchAll(re)) out.add(m[1]);
  }
  return out;
}

const mentionsDirection = (g: FileGraph, i: number): boolean => {
  for (const id of g.expanded[i]) if (DIRECTIONS.has(id)) return true;
  return false;
};

const mentionsFlush = (g: FileGraph, i: number): boolean => {
  for (const id of g.expanded[i]) if (MAINTENANCE.get(id)?.op === 'flush') return true;
  return false;
};

/** Close N within K: same-named definitions and direction-passing callers. */
export function closeSet(g: FileGraph, keep: ReadonlySet<number>, n: Set<number>): void {
  const stack = [...n];
  const add = (j: number) => {
    if (n.has(j)) return;
    n.add(j);
    stack.push(j);
  };
  while (stack.length) {
    const i = stack.pop() as number;
    for (const j of g.byName.get(g.defs[i].name) ?? []) add(j);
    const callers = g.callers[i].filter((c) => keep.has(c));
    // a static function's parameter counts as flushed only when every caller flushed what it passes
    if (callers.some((c) => !n.has(c)) && callers.some((c) => mentionsDirection(g, c) || (g.defs[i].isStatic && mentionsFlush(g, c)))) for (const c of callers) add(c);
  }
}

/** Add to N what a pass's result says the analysis needed; true when something was added. */
export function widenSet(g: FileGraph, keep: ReadonlySet<number>, n: Set<number>, res: AnalysisResult, signatures: Set<number>, holderTypes?: (type: string) => boolean): boolean {
  const before = n.size + signatures.size;
  // outside K a function keeps its signature with a blank body, as in K's text
  const addIn = (i: number) => { if (keep.has(i)) n.add(i); else signatures.add(i); };
  for (const s of res.summaries) {
    // memory handed out, or a member's read left for the callers to invalidate (readIntoMembers:
    // a caller that does not is where the finding is, whether or not it reads the member itself)
    if (!givesMemory(s) && !s.readIntoMembers?.length) continue;
    for (const i of g.byName.get(s.name) ?? []) for (const c of g.callers[i]) addIn(c);
  }
  const d = res.demand;
  if (d) {
    for (const name of d.functions) for (const i of g.byName.get(name) ?? []) addIn(i);
    // guard facts: every caller, and through static callers theirs (a guarded parameter passes on)
    const stack = d.guards.flatMap((name) => g.byName.get(name) ?? []);
    const seen = new Set<number>();
    while (stack.length) {
      const i = stack.pop() as number;
      if (seen.has(i)) continue;
      seen.add(i);
      for (const c of g.callers[i]) {
        if (!keep.has(c)) continue;
        n.add(c);
        if (g.defs[c].isStatic) stack.push(c);
      }
    }
    addFieldUsers(g, keep, n, new Set(d.fields));
    // a callee handed only a holder object: wanted if it or what it calls mentions such a member
    if (d.holders?.length) {
      const fields = new Set(d.fields);
      const mentions = (j: number) => [...fieldsUsed(g, j)].some((f) => fields.has(f));
      for (const { name, types } of d.holders) {
        if (holderTypes && !types.some(holderTypes)) continue;
        for (const i of g.byName.get(name) ?? []) {
          if (!n.has(i) && !signatures.has(i) && [...reach([i], (j) => g.refs[j])].some(mentions)) addIn(i);
        }
      }
    }
    if (d.globals.length) for (const j of keep) if (!n.has(j) && d.globals.some((x) => g.expanded[j].has(x))) n.add(j);
  }
  if (n.size + signatures.size === before) return false;
  closeSet(g, keep, n);
  return true;
}

export interface DemandHooks {
  /** Parse a slice (its text has the file's length and lines; its gaps may be skipped). */
  parse(slice: SliceResult): SNode;
  /**
   * Parse only `ranges` of `text`, with the positions they have in it (tree-sitter's included
   * ranges); undefined when the backend cannot, and every pass parses its whole slice.
   */
  parseOnly?(text: string, ranges: readonly (readonly [number, number])[]): SNode;
  /** Analyse a pass's tree with `reportDemand` and the slice's `absent` functions as `blankedFunctions`. */
  analyze(root: SNode, slice: SliceResult): AnalysisResult;
}

/** Analyse a selected file on demand (see the file comment). */
export function analyzeOnDemand(inp: DemandInput, hooks: DemandHooks): DemandOutcome {
  const { g, keep } = inp;
  const n = startSet(inp);
  closeSet(g, keep, n);
  let charsParsed = 0;
  let charsBlanked = 0;
  // functions outside K that the analysis called with a buffer: K's text has their signatures
  const signatures = new Set<number>();
  let prev: { root: SNode; text: string } | undefined;
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    // everything not analysed goes with its signature (half of a narrow slice's syntax nodes)
    const slice = blankExcept(g, n, { topLevel: true, whole: (i) => !signatures.has(i) });
    // a later pass only un-blanks: parse what changed and put it into the previous tree
    const spliced = prev && hooks.parseOnly ? splice(prev.root, prev.text, slice.text, hooks.parseOnly) : undefined;
    charsParsed += spliced ? spliced.chars : slice.text.length;
    charsBlanked += spliced ? 0 : slice.blanked;
    const root = spliced?.root ?? hooks.parse(slice);
    const result = hooks.analyze(root, slice);
    if (!widenSet(g, keep, n, result, signatures, inp.holderTypes)) return { result, slice, passes: pass, charsParsed, charsBlanked, fellBack: false, parsed: namesOf(g, n) };
    prev = { root, text: slice.text };
  }
  const slice = blankExcept(g, keep, { topLevel: true });
  charsParsed += slice.text.length;
  charsBlanked += slice.blanked;
  return { result: hooks.analyze(hooks.parse(slice), slice), slice, passes: MAX_PASSES + 1, charsParsed, charsBlanked, fellBack: true, parsed: namesOf(g, keep) };
}

/** Top-level nodes that hold other top-level nodes (a function or #define inside `#ifdef`). */
const CONTAINERS = new Set(['translation_unit', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef']);

/**
 * The tree of `next` made from the tree of `prev`, a slice of the same file that `next` only
 * un-blanks: the lines that changed, widened to the top-level nodes of the old tree they touch
 * (a function kept with a blank body, an ERROR region), are parsed alone and their nodes replace
 * those. New nodes go directly under the root, which the analyzer cannot tell from under an
 * `#ifdef` (it reads definitions and #defines wherever they are; `#if` matters only inside bodies).
 * undefined: nothing changed or the texts differ in length.
 */
/**
 * The lines where two texts of the same length differ, as [start, end) ranges. A function of its
 * own: V8 compiles its loop on-stack while the loop runs, and with the rest of splice() in the same
 * function that code met calls it had no type feedback for and was thrown away (on 6.18, one
 * thread: splice() compiled 6 times, 222 ms, 25 deoptimizations).
 */
function changedLines(prev: string, next: string): [number, number][] {
  const units: [number, number][] = [];
  const CHUNK = 512;
  for (let i = 0; i < next.length; i++) {
    // most of the text is unchanged: skip equal chunks with a string comparison
    if ((i & (CHUNK - 1)) === 0 && i + CHUNK <= next.length && prev.slice(i, i + CHUNK) === next.slice(i, i + CHUNK)) {
      i += CHUNK - 1;
      continue;
    }
    if (prev.charCodeAt(i) === next.charCodeAt(i)) continue;
    let j = i + 1;
    while (j < next.length && prev.charCodeAt(j) !== next.charCodeAt(j)) j++;
    units.push([next.lastIndexOf('\n', i - 1) + 1, lineEnd(next, j)]);
    i = j;
  }
  return units;
}

export function splice(root: SNode, prev: string, next: string, parseOnly: NonNullable<DemandHooks['parseOnly']>): { root: SNode; chars: number } | undefined {
  if (prev.length !== next.length) return undefined;
  let units = changedLines(prev, next);
  if (units.length === 0) return undefined;
  // widen to the old nodes the changed lines touch, until none is cut
  const removed = new Set<SNode>();
  for (let changed = true; changed;) {
    changed = false;
    units = merge(units);
    const stack = [root];
    while (stack.length) {
      const x = stack.pop() as SNode;
      for (const c of x.children) {
        if (removed.has(c) || !units.some(([s, e]) => c.start < e && s < c.end)) continue;
        if (CONTAINERS.has(c.type) && !c.error) { stack.push(c); continue; }
        removed.add(c);
        units.push([next.lastIndexOf('\n', c.start - 1) + 1, lineEnd(next, c.end)]);
        changed = true;
      }
    }
    // A body the lexer cut short (a `}` inside damaged code) left its tail as top-level
    // statements and ERROR nodes: parsed apart from it, the un-blanked head cannot be recovered
    // as the whole parse recovers it. They go with the removed node next to them.
    const top = root.children;
    for (let i = 0; i < top.length; i++) {
      if (removed.has(top[i])) continue;
      const stray = top[i].type === 'ERROR' || top[i].type.endsWith('_statement');
      if (stray && (removed.has(top[i - 1]) || removed.has(top[i + 1]))) {
        removed.add(top[i]);
        units.push([next.lastIndexOf('\n', top[i].start - 1) + 1, lineEnd(next, top[i].end)]);
        changed = true;
      }
    }
  }
  units = merge(units);
  const sub = parseOnly(next, units);
  const drop = (x: SNode) => {
    if (x.children.some((c) => removed.has(c))) x.children = x.children.filter((c) => !removed.has(c));
    for (const c of x.children) if (CONTAINERS.has(c.type)) drop(c);
  };
  drop(root);
  for (const c of sub.children) c.parent = root;
  root.children = [...root.children, ...sub.children].sort((a, b) => a.start - b.start);
  return { root, chars: units.reduce((t, [s, e]) => t + e - s, 0) };
}

function lineEnd(text: string, at: number): number {
  const nl = text.indexOf('\n', Math.max(0, at - 1));
  return nl < 0 ? text.length : nl + 1;
}

function merge(units: [number, number][]): [number, number][] {
  units.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const u of units) {
    const last = out[out.length - 1];
    if (last && u[0] <= last[1]) last[1] = Math.max(last[1], u[1]);
    else out.push([u[0], u[1]]);
  }
  return out;
}

function namesOf(g: FileGraph, set: ReadonlySet<number>): string[] {
  return [...new Set([...set].map((i) => g.defs[i].name))].sort();
}

/**
 * DemandInput.holderTypes for a file: every type when it does I/O (a sink-side name in a body, also
 * through a macro, or a call of another file's function that does I/O on its argument), else
 * only the struct types named in the signatures of the functions other files need summaries of.
 */
export function holderGate(g: FileGraph, sinks: ReadonlySet<string>, external: readonly FunctionSummary[], needed: readonly string[]): { holderTypes?: (type: string) => boolean } {
  const io = new Set(sinks);
  for (const s of external) if (reachesIo(s)) io.add(s.name);
  for (const ids of g.expanded) for (const id of ids) if (io.has(id)) return {};
  const types = new Set<string>();
  for (const name of needed) {
    for (const i of g.byName.get(name) ?? []) {
      const d = g.defs[i];
      for (const m of g.text.slice(d.sigStart ?? d.bodyStart, d.bodyStart).matchAll(/[A-Za-z_]\w*/g)) types.add(m[0]);
    }
  }
  return { holderTypes: (t) => types.has(t) };
}
