/**
 * Parse only what the analysis can use. A file selected by the pre-pass usually names a table
 * function in a few of its functions; the rest (probe/remove paths, register accessors, ioctl
 * handlers) can never reach the analyzer: analyzeTree only analyses the functions connected by
 * calls to a relevance seed (docs/analyzer.md, "relevance"). Parsing and walking them is most of a
 * whole-tree scan's cost (docs/scale.md), so before parsing, the bodies of the functions that
 * cannot become relevant are blanked: every character except newlines becomes a space. Offsets,
 * lines and columns of everything kept are unchanged, so findings, traces and fixes need no
 * mapping, and tree-sitter skips whitespace at memory speed.
 *
 * Which functions are kept mirrors analyzeTree's relevance rules, but lexically and more widely
 * (references count as calls, so a `bi_end_io` callback assigned by name is kept):
 *   S = functions whose body mentions a seed name (directly or through a macro of the file), plus
 *       every function that reaches one of those through references (all levels);
 *   K = S, plus everything S reaches (callees' bodies give the summaries callers need), plus, two
 *       levels up, the callers of static functions in K and what they reach (their call sites decide
 *       what a static helper's parameters carry).
 * A function the lexer cannot delimit is never blanked; declarations, types, macros and
 * initialisers outside function bodies are always kept. test/unit/slice.test.ts checks on every
 * fixture that the findings of the sliced text equal those of the whole text.
 */
import { lexFunctions, type LexDef, type NameMatcher } from './prefilter';

export interface SliceResult {
  /** The text to parse: same length and line structure as the input. */
  text: string;
  functions: number;
  kept: number;
  /** Characters blanked (0: `text` is the input itself). */
  blanked: number;
}

const DEFINE = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)((?:[^\n]*\\\r?\n)*[^\n]*)/gm;
const IDENT = /[A-Za-z_]\w*/g;

/** Identifiers of every #define's value (object- and function-like), by macro name. */
function macroIdents(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!text.includes('define')) return out;
  DEFINE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = DEFINE.exec(text)) !== null) {
    const ids = m[2].match(IDENT);
    if (ids) out.set(m[1], [...(out.get(m[1]) ?? []), ...ids]);
  }
  return out;
}

export function sliceRelevant(text: string, seeds: ReadonlySet<string>, matcher: NameMatcher): SliceResult {
  const defs = lexFunctions(text, matcher, { bodies: true }).defs.filter((d) => d.bodyStart !== undefined && d.bodyEnd !== undefined);
  const whole = { text, functions: defs.length, kept: defs.length, blanked: 0 };
  if (defs.length === 0) return whole;
  const macros = macroIdents(text);

  // A macro "is a seed" when its expansion reaches a seed name (to a fixpoint: macros use macros).
  const seedMacro = new Set<string>();
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, ids] of macros) {
      if (seedMacro.has(name)) continue;
      if (ids.some((id) => seeds.has(id) || seedMacro.has(id))) { seedMacro.add(name); changed = true; }
    }
  }

  const byName = new Map<string, number[]>();
  defs.forEach((d, i) => byName.set(d.name, [...(byName.get(d.name) ?? []), i]));
  // References from each function to functions of this file, through macros too (one level of
  // expansion per macro, transitively).
  const refs: Set<number>[] = defs.map(() => new Set<number>());
  const seeded: boolean[] = defs.map(() => false);
  defs.forEach((d: LexDef, i) => {
    const seen = new Set<string>();
    const stack = [...(d.idents ?? [])];
    while (stack.length) {
      const id = stack.pop() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      if (seeds.has(id) || seedMacro.has(id)) seeded[i] = true;
      for (const j of byName.get(id) ?? []) if (j !== i) refs[i].add(j);
      const exp = macros.get(id);
      if (exp) stack.push(...exp);
    }
  });
  const callers: number[][] = defs.map(() => []);
  refs.forEach((r, i) => { for (const j of r) callers[j].push(i); });

  const kept = new Set<number>();
  const up = (start: number[]) => {
    const stack = [...start];
    while (stack.length) {
      const i = stack.pop() as number;
      if (kept.has(i)) continue;
      kept.add(i);
      stack.push(...callers[i]);
    }
  };
  const down = (start: Iterable<number>) => {
    const stack = [...start];
    const seen = new Set<number>();
    while (stack.length) {
      const i = stack.pop() as number;
      if (seen.has(i)) continue;
      seen.add(i);
      kept.add(i);
      stack.push(...refs[i]);
    }
  };
  up(defs.map((_, i) => i).filter((i) => seeded[i]));
  down([...kept]);
  for (let level = 0; level < 2; level++) {
    const add: number[] = [];
    for (const i of kept) if (defs[i].isStatic) for (const c of callers[i]) if (!kept.has(c)) add.push(c);
    if (add.length === 0) break;
    down(add);
  }
  // Same-named definitions (#if branches) stand or fall together.
  for (const idxs of byName.values()) if (idxs.some((i) => kept.has(i))) for (const i of idxs) kept.add(i);
  if (kept.size === defs.length) return whole;

  const parts: string[] = [];
  let at = 0;
  let blanked = 0;
  // Blank from just after `{` to just before `}`; nested/overlapping ranges cannot occur (depth 0).
  const order = defs.map((_, i) => i).filter((i) => !kept.has(i)).sort((a, b) => (defs[a].bodyStart as number) - (defs[b].bodyStart as number));
  for (const i of order) {
    const s = (defs[i].bodyStart as number) + 1;
    const e = (defs[i].bodyEnd as number) - 1;
    if (s < at || e <= s) continue;
    parts.push(text.slice(at, s), text.slice(s, e).replace(/[^\n]/g, ' '));
    blanked += e - s;
    at = e;
  }
  parts.push(text.slice(at));
  return { text: parts.join(''), functions: defs.length, kept: kept.size, blanked };
}
