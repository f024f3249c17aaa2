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
 *           only when every call site passes one, so dropping any caller could change it;
 *   widen   (from each pass's AnalysisResult.demand and summaries)
 *           - functions of the file called with a buffer or a page of one, and bi_end_io
 *             callbacks whose body was read: their summary or body decided something;
 *           - every function of K mentioning a struct field the file-wide facts hold something
 *             for: the analyzer analyses each one (analyze.ts), as it may read the value or store
 *             other memory there (a "maybe" field);
 *           - the callers of a function whose summary returns vmalloc memory or a page of its
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
 * on K. test/unit/slice.test.ts checks on every fixture, alone and mixed with others, that the
 * findings and the needed summaries are those of the whole text.
 */
import type { AnalysisResult } from '../types';
import { DIRECTIONS, MAINTENANCE } from '../tables';
import { blankExcept, FIELD_USE, type FileGraph, type SliceResult } from './slice';

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
  }
  for (const name of [...inp.needed, ...inp.sites, ...(inp.hint ?? [])]) for (const i of g.byName.get(name) ?? []) if (keep.has(i)) n.add(i);
  return n;
}

const mentionsDirection = (g: FileGraph, i: number): boolean => {
  for (const id of g.expanded[i]) if (DIRECTIONS.has(id)) return true;
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
    if (callers.some((c) => !n.has(c)) && callers.some((c) => mentionsDirection(g, c))) for (const c of callers) add(c);
  }
}

/** Add to N what a pass's result says the analysis needed; true when something was added. */
export function widenSet(g: FileGraph, keep: ReadonlySet<number>, n: Set<number>, res: AnalysisResult, fieldsOf: (i: number) => Set<string>, signatures: Set<number>): boolean {
  const before = n.size + signatures.size;
  // outside K a function keeps its signature with a blank body, as in K's text
  const addIn = (i: number) => { if (keep.has(i)) n.add(i); else signatures.add(i); };
  for (const s of res.summaries) {
    if (!s.returnsVmalloc && s.returnsPageOfParam === undefined) continue;
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
    const fields = new Set(d.fields);
    if (fields.size) {
      for (const j of keep) {
        if (n.has(j)) continue;
        for (const f of fieldsOf(j)) if (fields.has(f)) { n.add(j); break; }
      }
    }
  }
  if (n.size + signatures.size === before) return false;
  closeSet(g, keep, n);
  return true;
}

/**
 * Analyse a selected file on demand. `run` parses a slice (its text has the file's length and
 * lines; its gaps may be skipped) and analyses it with `reportDemand` and the slice's `absent`
 * functions as `blankedFunctions`.
 */
export function analyzeOnDemand(inp: DemandInput, run: (slice: SliceResult) => AnalysisResult): DemandOutcome {
  const { g, keep } = inp;
  const n = startSet(inp);
  closeSet(g, keep, n);
  const fieldCache = new Map<number, Set<string>>();
  const fieldsOf = (i: number): Set<string> => {
    let f = fieldCache.get(i);
    if (!f) {
      const d = g.defs[i];
      f = new Set([...g.text.slice(d.bodyStart as number, d.bodyEnd as number).matchAll(FIELD_USE)].map((m) => m[1]));
      fieldCache.set(i, f);
    }
    return f;
  };
  let charsParsed = 0;
  let charsBlanked = 0;
  // functions outside K that the analysis called with a buffer: K's text has their signatures
  const signatures = new Set<number>();
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    // everything not analysed goes with its signature (half of a narrow slice's syntax nodes)
    const slice = blankExcept(g, n, { topLevel: true, whole: (i) => !signatures.has(i) });
    charsParsed += slice.text.length;
    charsBlanked += slice.blanked;
    const result = run(slice);
    if (!widenSet(g, keep, n, result, fieldsOf, signatures)) return { result, slice, passes: pass, charsParsed, charsBlanked, fellBack: false, parsed: namesOf(g, n) };
  }
  const slice = blankExcept(g, keep, { topLevel: true });
  charsParsed += slice.text.length;
  charsBlanked += slice.blanked;
  return { result: run(slice), slice, passes: MAX_PASSES + 1, charsParsed, charsBlanked, fellBack: true, parsed: namesOf(g, keep) };
}

function namesOf(g: FileGraph, set: ReadonlySet<number>): string[] {
  return [...new Set([...set].map((i) => g.defs[i].name))].sort();
}
