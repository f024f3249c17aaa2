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
 * A function the lexer cannot delimit is never blanked. sliceRelevant keeps everything outside
 * function bodies; sliceFor (the scan's slicing, where every source sits in a delimited body) also
 * blanks the declarations and comments between functions (topLevelBlanks), keeping preprocessor
 * lines and signatures. test/unit/slice.test.ts checks on every fixture that the findings of the
 * sliced text equal those of the whole text.
 */
import { pointerSlots } from '../engine/fnptr';
import { CONTAINER_STORE, isIdChar, isIdStart, lexFunctions, preprocEnd, skipLiteral, TABLE_FILL, wordsRegex, type LexDef, type NameMatcher } from './prefilter';
import { EVIDENCE_PAGE_OF, MAINTENANCE, MEMBER_SOURCES, SINKS } from '../tables';

export interface SliceResult {
  /** The text to parse: same length and line structure as the input. */
  text: string;
  functions: number;
  kept: number;
  /** Characters blanked (0: `text` is the input itself). */
  blanked: number;
  /**
   * Long blanked stretches the parser may skip (Backend.parse `gaps`): sorted, disjoint, inside
   * blanked ranges, from just after their first newline to their last newline, so every newline
   * that ends a kept preprocessor line stays.
   */
  gaps?: [number, number][];
  /** Functions blanked with their signatures (blankExcept `whole`): no definition of them is left. */
  absent?: string[];
  /**
   * The whole file's function-pointer slots (FileGraph.slots; set by blankExcept): a store into a
   * slot may sit in a blanked body.
   */
  pointerSlots?: [string, string[]][];
  /** The whole file's text, when `text` blanked some of it (AnalyzeOptions.wholeText). */
  whole?: string;
}

/** What the analysis of a slice must be told about the text it no longer has (AnalyzeOptions). */
export function sliceOptions(sl: SliceResult): { blankedFunctions?: string[]; pointerSlots?: [string, string[]][]; wholeText?: string } {
  return {
    ...(sl.absent ? { blankedFunctions: sl.absent } : {}), ...(sl.pointerSlots ? { pointerSlots: sl.pointerSlots } : {}),
    ...(sl.whole !== undefined ? { wholeText: sl.whole } : {}),
  };
}

/** Blanked stretches shorter than this are parsed: a skipped range costs more than a short one. */
export const MIN_GAP = 128;

const DEFINE = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)((?:[^\n]*\\\r?\n)*[^\n]*)/gm;
const IDENT = /[A-Za-z_]\w*/g;

export interface FileGraph {
  text: string;
  defs: LexDef[];
  byName: Map<string, number[]>;
  /** Identifiers each body mentions, with the identifiers of the macros it uses (transitively). */
  expanded: Set<string>[];
  /** Functions of this file each function references (calls or names, e.g. a bi_end_io callback). */
  refs: Set<number>[];
  callers: number[][];
  /** Ranges of #define lines (with continuations). */
  defineRanges: [number, number][];
  /** Function-pointer slots of the whole file (engine/fnptr.ts), for the analysis of a slice. */
  slots: Map<string, string[]>;
}

/**
 * The file's functions and what each references. `external`: names of other files' functions with
 * summaries (a slot's function calling one is followed, as one naming a table function is).
 */
export function fileGraph(text: string, matcher: NameMatcher, external?: ReadonlySet<string>): FileGraph {
  const defs = lexFunctions(text, matcher, { bodies: true }).defs.filter((d) => d.bodyStart !== undefined && d.bodyEnd !== undefined);
  const macros = new Map<string, string[]>();
  const defineRanges: [number, number][] = [];
  if (text.includes('define')) {
    DEFINE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = DEFINE.exec(text)) !== null) {
      defineRanges.push([m.index, m.index + m[0].length]);
      const ids = m[2].match(IDENT);
      if (ids) macros.set(m[1], [...(macros.get(m[1]) ?? []), ...ids]);
    }
  }
  const byName = new Map<string, number[]>();
  defs.forEach((d, i) => byName.set(d.name, [...(byName.get(d.name) ?? []), i]));
  const expanded: Set<string>[] = [];
  const refs: Set<number>[] = defs.map(() => new Set<number>());
  defs.forEach((d, i) => {
    const seen = new Set<string>();
    const stack = [...(d.idents ?? [])];
    while (stack.length) {
      const id = stack.pop() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const j of byName.get(id) ?? []) if (j !== i) refs[i].add(j);
      const exp = macros.get(id);
      if (exp) stack.push(...exp);
    }
    expanded.push(seen);
  });
  const callersOf = () => {
    const out: number[][] = defs.map(() => []);
    refs.forEach((r, i) => { for (const j of r) out[j].push(i); });
    return out;
  };
  let callers = callersOf();
  // A body naming a slot (`ops->push`, `submit_fn`; engine/fnptr.ts) references the functions
  // stored in it that name a table function or reach one, as analyze.ts follows them.
  const slots = pointerSlots(text, (name) => byName.has(name));
  if (slots.size) {
    const named = (id: string) => matcher.classOf(id) !== 0 || external?.has(id) === true;
    const seedy = reach(defs.flatMap((d, i) => (d.bits !== 0 || [...expanded[i]].some(named) ? [i] : [])), (i) => callers[i]);
    for (const [k, v] of slots) {
      const keep = v.filter((t) => (byName.get(t) ?? []).some((j) => seedy.has(j)));
      if (keep.length) slots.set(k, keep);
      else slots.delete(k);
    }
    if (slots.size) {
      defs.forEach((_, i) => {
        for (const id of expanded[i]) for (const t of slots.get(id) ?? []) for (const j of byName.get(t) ?? []) if (j !== i) refs[i].add(j);
      });
      callers = callersOf();
    }
  }
  return { text, defs, byName, expanded, refs, callers, defineRanges, slots };
}

export function sliceRelevant(text: string, seeds: ReadonlySet<string>, matcher: NameMatcher, graph?: FileGraph): SliceResult {
  const g = graph ?? fileGraph(text, matcher);
  if (g.defs.length === 0) return { text, functions: 0, kept: 0, blanked: 0 };
  return blankExcept(g, relevantSet(g, seeds));
}

/** Every function reachable from `start` along `next` (start included), added to `into`. */
export function reach(start: Iterable<number>, next: (i: number) => Iterable<number>, into = new Set<number>()): Set<number> {
  const stack = [...start];
  const seen = new Set<number>();
  while (stack.length) {
    const i = stack.pop() as number;
    if (seen.has(i)) continue;
    seen.add(i);
    into.add(i);
    for (const j of next(i)) stack.push(j);
  }
  return into;
}

/** Two levels of callers of the functions in `kept` that `of` accepts, each with what it reaches. */
function addCallers(g: FileGraph, kept: Set<number>, of: (i: number) => boolean): void {
  for (let level = 0; level < 2; level++) {
    const add: number[] = [];
    for (const i of kept) if (of(i)) for (const c of g.callers[i]) if (!kept.has(c)) add.push(c);
    if (add.length === 0) break;
    reach(add, (i) => g.refs[i], kept);
  }
}

/** The functions analyzeTree's relevance rules could reach (see the file comment), widened. */
export function relevantSet(g: FileGraph, seeds: ReadonlySet<string>): Set<number> {
  const seeded = g.defs.map((_, i) => i).filter((i) => [...g.expanded[i]].some((id) => seeds.has(id)));
  const kept = reach(seeded, (i) => g.callers[i]);
  reach([...kept], (i) => g.refs[i], kept);
  addCallers(g, kept, (i) => g.defs[i].isStatic);
  // A function mentioning a struct field that comes to hold vmalloc memory is analysed too
  // (analyze.ts): the fields an analysed function assigns, and what mentions them, to a fixpoint.
  const body = (i: number) => g.text.slice(g.defs[i].bodyStart as number, g.defs[i].bodyEnd as number);
  const used = (i: number) => fieldsUsed(g, i);
  const fields = new Set<string>();
  const scanned = new Set<number>();
  for (let changed = true; changed;) {
    changed = false;
    for (const i of kept) {
      if (scanned.has(i)) continue;
      scanned.add(i);
      membersSet(body(i), fields);
      // an allocator that stores its page array through an argument (`&x->pages`)
      if ([...g.expanded[i]].some((id) => seeds.has(id))) for (const f of used(i)) fields.add(f);
    }
    const add: number[] = [];
    g.defs.forEach((_, j) => {
      if (kept.has(j)) return;
      for (const f of used(j)) if (fields.has(f)) { add.push(j); return; }
    });
    if (add.length) {
      reach(add, (i) => g.refs[i], kept);
      changed = true;
    }
  }
  return kept;
}

/**
 * The text with the bodies of every function outside `keep` blanked (same-named ones stay
 * together). With `topLevel`, the declarations and comments between function definitions are
 * blanked too (topLevelBlanks): the analyzer reads nothing outside function definitions but
 * #defines (analyzer/engine/skeleton.ts), and a driver's tables, types and kernel-doc are about a
 * third of what a selected file would otherwise have parsed.
 */
export function blankExcept(g: FileGraph, keep: ReadonlySet<number>, opts: { topLevel?: boolean; whole?: (i: number) => boolean } = {}): SliceResult {
  const { text, defs } = g;
  const kept = new Set(keep);
  // Same-named definitions (#if branches) stand or fall together.
  for (const idxs of g.byName.values()) if (idxs.some((i) => kept.has(i))) for (const i of idxs) kept.add(i);
  const ranges: [number, number][] = [];
  const absent = new Set<string>();
  const withSignature = new Set<string>();
  // Blank from just after `{` to just before `}` (or, with `whole`, from the declaration's first
  // token to the `}`); nested/overlapping ranges cannot occur (depth 0).
  for (const [i, d] of defs.entries()) {
    if (kept.has(i)) continue;
    const from = opts.whole?.(i) ? wholeStart(text, d) : undefined;
    if (from !== undefined) {
      ranges.push([from, d.bodyEnd as number]);
      absent.add(d.name);
    } else {
      ranges.push([(d.bodyStart as number) + 1, (d.bodyEnd as number) - 1]);
      withSignature.add(d.name);
    }
  }
  for (const n of withSignature) absent.delete(n);
  if (opts.topLevel) {
    // the analyzer reads a #define only by name, from the functions it analyses
    const named = new Set<string>();
    for (const i of kept) for (const id of g.expanded[i]) named.add(id);
    ranges.push(...topLevelBlanks(text, defs, (name) => named.has(name)));
  }
  // the analysis reads the slots from here, not from a text whose stores may be blanked
  const pointerSlots = [...g.slots];
  if (ranges.length === 0) return { text, functions: defs.length, kept: defs.length, blanked: 0, pointerSlots };
  ranges.sort((a, b) => a[0] - b[0]);
  const blankText = blankOf(g);
  const parts: string[] = [];
  const gaps: [number, number][] = [];
  let at = 0;
  let blanked = 0;
  // a stretch of blanked ranges separated only by whitespace is one gap
  let run: [number, number] | undefined;
  const endRun = () => {
    if (!run) return;
    const [s, e] = run;
    run = undefined;
    if (e - s < MIN_GAP) return;
    // within one line the stretch is skipped whole; across lines its edge newlines stay
    const first = text.indexOf('\n', s);
    const gs = first >= 0 && first < e ? first + 1 : s;
    const ge = first >= 0 && first < e ? text.lastIndexOf('\n', e - 1) : e;
    if (ge - gs >= MIN_GAP) gaps.push([gs, ge]);
  };
  for (const [s, e] of ranges) {
    if (s < at || e <= s) continue;
    if (run && !/^\s*$/.test(text.slice(run[1], s))) endRun();
    run = run ? [run[0], e] : [s, e];
    parts.push(text.slice(at, s), blankText.slice(s, e));
    blanked += e - s;
    at = e;
  }
  endRun();
  parts.push(text.slice(at));
  return {
    text: parts.join(''), functions: defs.length, kept: kept.size, blanked, ...(gaps.length ? { gaps } : {}),
    ...(absent.size ? { absent: [...absent].sort() } : {}), pointerSlots, whole: text,
  };
}

/**
 * Where blanking a whole definition may start (its first token), or undefined when only its body
 * may go: the lexer did not see where it starts, or a preprocessor line sits between its first
 * token and its `{` (a signature chosen by `#if`, whose `#else`/`#endif` must stay).
 */
function wholeStart(text: string, d: LexDef): number | undefined {
  if (d.sigStart === undefined || d.bodyStart === undefined || d.sigStart >= d.bodyStart) return undefined;
  if (/(?:^|\n)[ \t]*#/.test(text.slice(d.sigStart, d.bodyStart))) return undefined;
  return d.sigStart;
}

const blanks = new WeakMap<FileGraph, string>();

/**
 * The file's text with every character but `\n` turned into a space, made once per file: a slice
 * takes its blanked stretches from it (a demand-driven analysis slices a file several times).
 */
function blankOf(g: FileGraph): string {
  let b = blanks.get(g);
  if (b === undefined) {
    // one byte per UTF-16 unit: spaces, with the newlines put back
    const buf = Buffer.alloc(g.text.length, 0x20);
    for (let nl = g.text.indexOf('\n'); nl >= 0; nl = g.text.indexOf('\n', nl + 1)) buf[nl] = 0x0a;
    b = buf.toString('latin1');
    blanks.set(g, b);
  }
  return b;
}

/** Words that only occur in statements: a region holding one is code the lexer did not delimit. */
const STATEMENT_WORDS = new Set(['return', 'if', 'while', 'for', 'switch', 'goto', 'do', 'break', 'continue', 'case']);

/**
 * Ranges outside function definitions (before each definition's first token, after the last one)
 * that can be blanked without changing what the analyzer sees: comments, and whole declarations
 * from their first token to their `;` at brace and parenthesis depth 0 (struct and enum types,
 * tables and their initialisers, prototypes, file-scope variables, EXPORT_SYMBOL and the like).
 * Preprocessor lines are kept (#defines feed the analyzer, #if structure the parser), and so is
 * a declaration that contains a statement word or never reaches its `;` (a body the lexer could
 * not delimit, e.g. one selected by #if between a signature and its `{`): no code is lost.
 */
export function topLevelBlanks(text: string, defs: readonly LexDef[], keepDefine?: (name: string) => boolean): [number, number][] {
  const out: [number, number][] = [];
  const gaps: [number, number][] = [];
  let from = 0;
  for (const d of [...defs].sort((a, b) => (a.bodyStart as number) - (b.bodyStart as number))) {
    const to = d.sigStart !== undefined && d.sigStart >= 0 ? d.sigStart : (d.bodyStart as number);
    if (to > from) gaps.push([from, to]);
    from = Math.max(from, d.bodyEnd as number);
  }
  if (text.length > from) gaps.push([from, text.length]);
  for (const [a, b] of gaps) {
    let i = a;
    let depth = 0;
    let declStart = -1;
    let statement = false;
    const keepInDecl: [number, number][] = [];
    let lineStart = i === 0 || text.charCodeAt(i - 1) === 10;
    while (i < b) {
      const c = text.charCodeAt(i);
      if (c === 10) { lineStart = true; i++; continue; }
      if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) { i++; continue; }
      const atLineStart = lineStart;
      lineStart = false;
      if (c === 35 /* # */ && atLineStart) {
        // a preprocessor line (with continuations, and a comment it opens) is kept, but for
        // #include lines and #defines nothing kept names (with `keepDefine`)
        const ppStart = i;
        i = preprocEnd(text, i, b, true);
        if (declStart >= 0) keepInDecl.push([ppStart, i]);
        else if (keepDefine) {
          const m = PP_INCLUDE_OR_DEFINE.exec(text.slice(ppStart, Math.min(i, ppStart + 200)));
          if (m && (m[1] === undefined || !keepDefine(m[1]))) out.push([ppStart, i]);
        }
        continue;
      }
      if (c === 47 /* / */ && (text.charCodeAt(i + 1) === 47 || text.charCodeAt(i + 1) === 42)) {
        const line = text.charCodeAt(i + 1) === 47;
        const e = line ? text.indexOf('\n', i) : text.indexOf('*/', i + 2);
        const end = Math.min(b, e === -1 ? b : line ? e : e + 2);
        // a comment inside a declaration goes with it; one between declarations on its own
        if (declStart < 0) out.push([i, end]);
        i = end;
        continue;
      }
      if (declStart < 0) {
        declStart = i;
        statement = false;
      }
      if (c === 34 || c === 39) {
        i = skipLiteral(text, i, b);
        continue;
      }
      if (isIdStart(c)) {
        let j = i + 1;
        while (j < b && isIdChar(text.charCodeAt(j))) j++;
        if (STATEMENT_WORDS.has(text.slice(i, j))) statement = true;
        i = j;
        continue;
      }
      if (c === 123 || c === 40 || c === 91) depth++;
      else if ((c === 125 || c === 41 || c === 93) && depth > 0) depth--;
      else if (c === 59 /* ; */ && depth === 0) {
        if (!statement) {
          // blank around the #if/#else lines inside it
          let s = declStart;
          for (const [ks, ke] of keepInDecl) {
            if (ks > s) out.push([s, ks]);
            s = ke;
          }
          out.push([s, i + 1]);
        }
        declStart = -1;
        keepInDecl.length = 0;
      }
      i++;
    }
  }
  return out;
}

const FIELD_SET = /(?:->|\.)\s*([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*=(?!=)/g;
/**
 * The members a function body assigns, fills as scatterlist tables (`sg_set_page(&buf->sglist[i],
 * …)`, `for_each_sg(q->sgt.sgl, …)`: the analyzer keeps such a table as a file-wide fact, interp.ts
 * noteTableMember), or stores into as containers (`xa_store(&bc->tables, …)`).
 */
function membersSet(b: string, into: Set<string>): void {
  for (const x of b.matchAll(FIELD_SET)) into.add(x[1]);
  for (const x of b.matchAll(TABLE_FILL)) into.add(x[2]);
  // a container kept in a member (`xa_store(&bc->tables, …)`): its entries are that member's
  for (const x of b.matchAll(CONTAINER_STORE)) if (x[1]) into.add(x[1]);
}
/** `#include …` (no group) or `#define NAME` (group 1). */
const PP_INCLUDE_OR_DEFINE = /^#[ \t]*(?:include\b|define[ \t]+([A-Za-z_]\w*))/;
const FIELD_USE = /(?:->|\.)\s*([A-Za-z_]\w*)/g;
const fieldUses = new WeakMap<FileGraph, (Set<string> | undefined)[]>();

/**
 * The struct member names function i's body mentions (`->f`, `.f`), made once per file graph: the
 * relevance bound, the source-flow check and demand-driven widening all ask for them.
 */
export function fieldsUsed(g: FileGraph, i: number): Set<string> {
  let all = fieldUses.get(g);
  if (!all) fieldUses.set(g, (all = []));
  const d = g.defs[i];
  return (all[i] ??= new Set([...g.text.slice(d.bodyStart as number, d.bodyEnd as number).matchAll(FIELD_USE)].map((x) => x[1])));
}
const VAR_SET = /(?<![\w.>])([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*=(?!=)/g;

function inComment(text: string, at: number): boolean {
  const ls = text.lastIndexOf('\n', at - 1) + 1;
  const lc = text.indexOf('//', ls);
  if (lc !== -1 && lc < at) return true;
  return text.lastIndexOf('/*', at) > text.lastIndexOf('*/', at);
}

/**
 * Can vmalloc memory named in this file reach a sink-side call of this file? The lexical
 * counterpart of the analyzer's flows: starting from the functions that name a source (an
 * allocator, vmap, vmalloc_to_page(), a function another file summarised as returning vmalloc
 * memory), a value can move to any function that calls or is called by one of them (arguments,
 * return values, out-parameters), to any function that mentions a struct field one of them
 * assigns, and to any function that mentions a file-scope variable one of them assigns. The file
 * can only produce a finding when one of the functions so reached names a sink-side call. A
 * source named where the lexer sees no function body (outside comments and #defines) answers yes.
 */
export function sourceMeetsSink(g: FileGraph, sources: ReadonlySet<string>, sinks: ReadonlySet<string>): boolean {
  return sourceFlow(g, sources, sinks).reaches;
}

export interface SourceFlow {
  reaches: boolean;
  /** The functions a source's value can reach; undefined when a source sits where the lexer sees no function. */
  reached?: Set<number>;
}

/**
 * Whether the `(` at or after `from` opens the parameter list of one of `defs`: its matching `)`
 * is followed by blanks only, up to that definition's body.
 */
function definesAt(text: string, from: number, defs: readonly LexDef[]): boolean {
  if (defs.length === 0) return false;
  let i = from;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] !== '(') return false;
  let depth = 0;
  for (; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) break;
  }
  const close = i;
  return defs.some((d) => d.bodyStart !== undefined && d.bodyStart > close && /^\s*$/.test(text.slice(close + 1, d.bodyStart)));
}

/** `struct firmware` and the other struct types of tables MEMBER_SOURCES. */
const MEMBER_SOURCE_TYPES = ((tags: string[]) => (tags.length ? new RegExp(`\\bstruct\\s+(?:${tags.join('|')})\\b`, 'g') : undefined))(
  [...new Set([...MEMBER_SOURCES.keys()].map((k) => k.slice(0, k.indexOf('.'))))]);
const memberSourceDefs = new WeakMap<FileGraph, Set<number>>();

/**
 * Does definition `i` handle an object of a MEMBER_SOURCES struct type (in its signature or body)?
 * One pass over the file's text per graph: sourceFlow() and the demand-driven start set both ask.
 */
export function handlesMemberSource(g: FileGraph, i: number): boolean {
  let defs = memberSourceDefs.get(g);
  if (!defs) {
    defs = new Set();
    const at = MEMBER_SOURCE_TYPES ? [...g.text.matchAll(MEMBER_SOURCE_TYPES)].map((m) => m.index ?? 0) : [];
    if (at.length) {
      g.defs.forEach((d, j) => {
        const from = d.sigStart ?? (d.bodyStart as number);
        if (at.some((x) => x >= from && x < (d.bodyEnd as number))) defs?.add(j);
      });
    }
    memberSourceDefs.set(g, defs);
  }
  return defs.has(i);
}

/** sourceMeetsSink, with the functions reached. */
export function sourceFlow(g: FileGraph, sources: ReadonlySet<string>, sinks: ReadonlySet<string>): SourceFlow {
  const full = sourceFlowOf(g, sources, sinks, true);
  // A member source (`fw->data`: the loader's read-only copy) matters only where it can meet a
  // linear-map conversion or a page walk (vmalloc_to_page()): a file whose only source is
  // request_firmware() and whose only sinks map other buffers is not worth parsing for it.
  if (!full.reaches || !MEMBER_SOURCE_NAMES.size || !g.defs.some((_, i) => namesMemberSource(g, i))) return full;
  const plainSources = new Set([...sources].filter((n) => !MEMBER_SOURCE_NAMES.has(n)));
  if (sourceFlowOf(g, plainSources, sinks, false).reaches) return full;
  return sourceFlowOf(g, sources, MEMBER_SINKS, true).reaches ? full : { reaches: false, reached: full.reached };
}

/** The calls that bring a MEMBER_SOURCES object into a file (`request_firmware()`). */
const MEMBER_SOURCE_NAMES: ReadonlySet<string> = new Set([...MEMBER_SOURCES.values()].flatMap((r) => r.names));
/** What a member source can meet: the linear-map conversions and the page walks. */
const MEMBER_SINKS: ReadonlySet<string> = new Set([...[...SINKS].filter(([, r]) => r.kind === 'linear').map(([n]) => n), ...EVIDENCE_PAGE_OF.keys()]);

function namesMemberSource(g: FileGraph, i: number): boolean {
  if (handlesMemberSource(g, i)) return true;
  for (const id of g.expanded[i]) if (MEMBER_SOURCE_NAMES.has(id)) return true;
  return false;
}

function sourceFlowOf(g: FileGraph, sources: ReadonlySet<string>, sinks: ReadonlySet<string>, members: boolean): SourceFlow {
  const { text, defs } = g;
  const v = new Set<number>();
  defs.forEach((_, i) => { for (const id of g.expanded[i]) if (sources.has(id)) { v.add(i); break; } });
  // a function handling an object whose member holds vmalloc memory (`const struct firmware *fw`,
  // tables MEMBER_SOURCES) has a source wherever the object came from
  if (members) defs.forEach((_, i) => { if (!v.has(i) && handlesMemberSource(g, i)) v.add(i); });
  // Sources outside every body the lexer delimited: no claim can be made.
  const srcRe = wordsRegex(sources);
  if (srcRe) {
    const bodies = defs.map((d) => [d.bodyStart as number, d.bodyEnd as number] as const);
    let m: RegExpExecArray | null;
    srcRe.lastIndex = 0;
    while ((m = srcRe.exec(text)) !== null) {
      const at = m.index;
      if (bodies.some(([s, e]) => at >= s && at < e) || g.defineRanges.some(([s, e]) => at >= s && at < e)) continue;
      // a definition's own name (mm/ defining vzalloc()) produces no memory: the name, its
      // parameter list, then nothing but blanks up to the body the lexer found for it
      if (definesAt(text, at + m[0].length, defs.filter((d) => d.name === m?.[0]))) continue;
      // #include <linux/vmalloc.h>, #if lines: not code
      if (/^[ \t]*#/.test(text.slice(text.lastIndexOf('\n', at - 1) + 1, at))) continue;
      // only a call can produce memory: `.vmap = foo_vmap` in an ops table, a name passed to a macro are not
      if (!/^\s*\(/.test(text.slice(at + m[0].length, at + m[0].length + 40))) continue;
      if (!inComment(text, at)) return { reaches: true };
    }
  }
  if (v.size === 0) return { reaches: false, reached: v };
  // File-scope variables: identifiers of the declarations outside function bodies, without the
  // signatures right before a body (parameter names are not file-scope), comments, strings and
  // preprocessor lines.
  const topLevel = new Set<string>();
  let at = 0;
  const order = defs.map((d) => [d.bodyStart as number, d.bodyEnd as number] as const).sort((a, b) => a[0] - b[0]);
  for (const [s, e] of [...order, [text.length, text.length] as const]) {
    if (s > at) {
      let seg = text.slice(at, s).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"/g, ' ').replace(/^[ \t]*#.*(?:\\\r?\n.*)*$/gm, ' ');
      if (s < text.length) seg = seg.slice(0, Math.max(seg.lastIndexOf(';'), seg.lastIndexOf('}')) + 1);
      for (const id of seg.match(IDENT) ?? []) topLevel.add(id);
    }
    at = Math.max(at, e);
  }
  const body = (i: number) => text.slice(defs[i].bodyStart as number, defs[i].bodyEnd as number);
  const used = (i: number) => fieldsUsed(g, i);
  const fields = new Set<string>();
  const globals = new Set<string>();
  const scanned = new Set<number>();
  for (let changed = true; changed;) {
    changed = false;
    const add = (j: number) => { if (!v.has(j)) { v.add(j); changed = true; } };
    for (const i of [...v]) {
      for (const j of g.refs[i]) add(j);
      for (const j of g.callers[i]) add(j);
      if (scanned.has(i)) continue;
      scanned.add(i);
      const b = body(i);
      membersSet(b, fields);
      for (const x of b.matchAll(VAR_SET)) if (topLevel.has(x[1])) globals.add(x[1]);
      for (const x of b.matchAll(CONTAINER_STORE)) if (x[2] && topLevel.has(x[2])) globals.add(x[2]);
    }
    defs.forEach((_, j) => {
      if (v.has(j)) return;
      for (const f of used(j)) if (fields.has(f)) { add(j); return; }
      for (const x of globals) if (g.expanded[j].has(x)) { add(j); return; }
    });
  }
  for (const i of v) for (const id of g.expanded[i]) if (sinks.has(id)) return { reaches: true, reached: v };
  return { reaches: false, reached: v };
}

/**
 * The functions an exact summary of each of `names` needs: the function and what it reaches
 * (callees' summaries), and the direct callers of all of those (their call expressions decide
 * which parameters carry a direction constant). Callers' facts beyond that — which arguments are
 * vmalloc memory, which are guarded by is_vmalloc_addr() — need a source-side name; when one is
 * in reach, two levels of in-file callers with what they reach are kept, as the analyzer's
 * relevance does.
 */
export function keepForSummaries(g: FileGraph, names: readonly string[], sources?: ReadonlySet<string>): Set<number> {
  const kept = reach(names.flatMap((n) => g.byName.get(n) ?? []), (i) => g.refs[i]);
  const namesSource = (i: number) => sources !== undefined && [...g.expanded[i]].some((id) => sources.has(id));
  const direct = new Set<number>();
  for (const i of kept) for (const c of g.callers[i]) if (!kept.has(c)) direct.add(c);
  if (sources !== undefined && ![...kept, ...direct].some(namesSource)) {
    for (const c of direct) kept.add(c);
    return kept;
  }
  addCallers(g, kept, () => true);
  return kept;
}

/**
 * What a selected file's analysis needs, given the functions other files need summaries of
 * (`needed`; empty for a leaf of the scan's dependency graph): 'skip' when no source reaches a
 * sink and no summary is needed; else the text with every function blanked except those a source
 * reaches, those naming a maintenance call (an invalidate elsewhere in the file can settle a
 * finding, analyzer/engine/interp.ts) and those the needed summaries depend on (keepForSummaries).
 * undefined: no claim (a source outside function bodies) — parse with sliceRelevant.
 */
export function sliceFor(g: FileGraph, sources: ReadonlySet<string>, sinks: ReadonlySet<string>, needed: readonly string[], seeds: ReadonlySet<string>): SliceResult | 'skip' | undefined {
  const keep = keepFor(g, sources, sinks, needed, seeds);
  return keep === undefined || keep === 'skip' ? keep : blankExcept(g, keep, { topLevel: true });
}

/** The functions sliceFor keeps (same arguments and answers, the set instead of the text). */
export function keepFor(g: FileGraph, sources: ReadonlySet<string>, sinks: ReadonlySet<string>, needed: readonly string[], seeds: ReadonlySet<string>): Set<number> | 'skip' | undefined {
  const flow = sourceFlow(g, sources, sinks);
  if (!flow.reached) return undefined;
  if (!flow.reaches && needed.length === 0) return 'skip';
  const keep = keepForSummaries(g, needed, sources);
  if (flow.reaches) {
    for (const i of flow.reached) keep.add(i);
    g.defs.forEach((_, i) => { for (const id of g.expanded[i]) if (MAINTENANCE.has(id)) { keep.add(i); break; } });
  }
  // Functions the analyzer's relevance rules cannot reach are never analysed: blank them too.
  const relevant = relevantSet(g, seeds);
  for (const i of [...keep]) if (!relevant.has(i)) keep.delete(i);
  return keep;
}
