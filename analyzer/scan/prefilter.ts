/**
 * Phase 1 of a whole-tree scan: a lexical pre-pass that decides, without parsing, which files can
 * matter. Parsing is ~4 MB/s per core (docs/scale.md) while a regex over bytes is ~500 MB/s, so on a
 * kernel tree (1.3 GB of .c/.h) only the few hundred files that can produce a finding or feed a
 * summary to one may be parsed.
 *
 * A finding needs a *source side* (an allocator, vmap, kvmalloc, or evidence such as
 * vmalloc_to_page()/is_vmalloc_addr()) and a *sink side* (a page-add/sg/DMA/linear-map sink, or a
 * maintenance call) in the same function or connected through calls. So each file gets two bits
 * from one combined regex. Files with both bits are parsed. Files with one bit are "half" files:
 * their exported functions whose bodies use the names become *linking names* (a wrapper allocator,
 * a helper that adds a buffer's pages to a bio), and a second lexical pass finds the files that
 * call them; a file whose source side and sink side are complete once links count is parsed,
 * together with the files defining the linking functions it uses (their summaries are needed).
 * Linking names referenced by more than `maxFanout` files (generic helpers like kvfree) are not
 * followed: the bounded fan-out keeps the parse set small on real trees.
 *
 * The regex runs on a latin1 view of the bytes: every C identifier is ASCII, so no file has to be
 * decoded as UTF-8 (and validated) unless it is going to be parsed.
 */
import { fileScopeGlobals, GLOBAL_TAG } from '../engine/globals';
import { ALLOCATORS, CONTAINERS, MEMBER_SOURCES, EVIDENCE_PAGE_OF, VMALLOC_TESTS, MAINTENANCE, SG_ITERATORS, SG_TABLE_LIST, SINKS, STACK_VMAP, XFER_CALLS } from '../tables';

export const SRC = 1;
export const SNK = 2;

export interface NameClasses {
  sources: string[];
  sinks: string[];
}

/**
 * Source-side and sink-side names from the tables. Submission calls (submit_bio…) are not sink-side
 * names: a file that only submits cannot tie a vmalloc buffer's pages to I/O by itself (the same
 * choice as relevantNames() in analyzer/tables).
 */
export function nameClasses(extraAllocators: readonly string[] = [], extraSinks: readonly string[] = []): NameClasses {
  const sources = new Set<string>([...ALLOCATORS.keys(), ...EVIDENCE_PAGE_OF.keys(), ...VMALLOC_TESTS, ...extraAllocators]);
  // calls that bring an object whose member holds vmalloc memory into the file (`request_firmware()`)
  for (const row of MEMBER_SOURCES.values()) for (const n of row.names) sources.add(n);
  const sinks = new Set<string>([...MAINTENANCE.keys(), ...extraSinks]);
  for (const [n, row] of SINKS) if (row.kind !== 'submit') sinks.add(n);
  // a transfer's buffer is named by a member (`.tx_buf`), not by a call: its submission is the sink
  for (const n of XFER_CALLS.keys()) sinks.add(n);
  for (const s of sources) sinks.delete(s);
  return { sources: [...sources].sort(), sinks: [...sinks].sort() };
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A C identifier (table and linking names are; user-given names may not be). */
export function isIdentifier(s: string): boolean {
  return IDENT.test(s);
}

/** One alternation, longest names first so a prefix never shadows a longer name. */
export function wordsRegex(names: Iterable<string>, flags = 'g'): RegExp | undefined {
  const list = [...new Set(names)].filter(isIdentifier).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  if (list.length === 0) return undefined;
  return new RegExp(`\\b(?:${list.join('|')})\\b`, flags);
}

export class NameMatcher {
  private readonly re: RegExp | undefined;
  private readonly cls = new Map<string, number>();
  /** The names by idHash(), so the lexer can classify an identifier without making a string of it. */
  private readonly byHash = new Map<number, [string, number][]>();
  /** Low 16 bits of every name's hash: most identifiers are turned away here, before the map. */
  private readonly hashBits = new Uint8Array(1 << 16);
  constructor(classes: NameClasses) {
    for (const n of classes.sinks) this.cls.set(n, SNK);
    for (const n of classes.sources) this.cls.set(n, SRC);
    this.re = wordsRegex(this.cls.keys());
    for (const [n, bits] of this.cls) {
      const h = idHash(n, 0, n.length);
      this.hashBits[h & 0xffff] = 1;
      const list = this.byHash.get(h);
      if (list) list.push([n, bits]);
      else this.byHash.set(h, [[n, bits]]);
    }
  }
  /** SRC|SNK bits of the names the text mentions (stops as soon as both are seen). */
  classify(text: string): number {
    const re = this.re;
    if (!re) return 0;
    re.lastIndex = 0;
    let bits = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      bits |= this.cls.get(m[0]) ?? 0;
      if (bits === (SRC | SNK)) break;
    }
    return bits;
  }
  classOf(name: string): number {
    return this.cls.get(name) ?? 0;
  }
  /** classOf(text.slice(s, e)), given idHash(text, s, e). */
  classAt(text: string, s: number, e: number, hash: number): number {
    if (this.hashBits[hash & 0xffff] === 0) return 0;
    const list = this.byHash.get(hash);
    if (!list) return 0;
    for (const [n, bits] of list) if (n.length === e - s && text.startsWith(n, s)) return bits;
    return 0;
  }
  /** Every name it looks for. */
  names(): string[] {
    return [...this.cls.keys()].filter(isIdentifier);
  }
}

/** A function definition found lexically. */
export interface LexDef {
  name: string;
  /** `static` (file-local; but a static inline in a header is visible to its includers). */
  isStatic: boolean;
  /** SRC|SNK bits of the table names its body mentions. */
  bits: number;
  /** A `*` precedes the name in the declaration (it returns a pointer). */
  returnsPointer: boolean;
  /** A parameter is a pointer to a pointer (`void **out`): memory can be handed back through it. */
  outParam?: boolean;
  /** Identifiers called in the body (followed by `(`). */
  calls: string[];
  /** With `bodies`: offsets of the body's `{` and just after its `}`, and every identifier in it. */
  bodyStart?: number;
  /** With `bodies`: offset of the declaration's first token (return type, `static`, …). */
  sigStart?: number;
  bodyEnd?: number;
  idents?: string[];
}

export interface LexInfo {
  defs: LexDef[];
}

/** Identifiers that look like calls but are keywords or annotations, never a function name. */
const NOT_A_NAME = new Set([
  'if', 'for', 'while', 'switch', 'return', 'sizeof', 'typeof', '__typeof__', 'defined', 'do', 'case', 'else',
  '__attribute__', '__attribute', '__printf', '__scanf', '__acquires', '__releases', '__must_hold', '__section',
  '__aligned', '__alloc_size', '__realloc_size', '__cond_acquires', '__malloc', '__assume_aligned', 'alignof',
  '_Alignof', '__alignof__', 'asm', '__asm__', 'offsetof', '__counted_by', '__diag_ignore', 'likely', 'unlikely',
  'BUILD_BUG_ON', 'WARN_ON', 'WARN_ON_ONCE', 'BUG_ON', '_Static_assert', 'static_assert',
]);

/** FNV-1a, 32 bits: lexFunctions hashes identifiers inline with the same constants. */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 16777619;

/** FNV-1a over the UTF-16 units of text[s, e) (NameMatcher.classAt). */
export function idHash(text: string, s: number, e: number): number {
  let h = FNV_OFFSET;
  for (let k = s; k < e; k++) h = Math.imul(h ^ text.charCodeAt(k), FNV_PRIME);
  return h;
}

export function isIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
export function isIdChar(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57);
}

/** Just past the string or character literal whose quote is at `i` (an unclosed one ends at its line). */
export function skipLiteral(text: string, i: number, end: number): number {
  const q = text.charCodeAt(i);
  i++;
  while (i < end) {
    const d = text.charCodeAt(i);
    if (d === 92) { i += 2; continue; }
    if (d === q || d === 10) break;
    i++;
  }
  return i + 1;
}

/**
 * The newline ending the preprocessor line that starts at `i` (backslash continuations included),
 * or `end`. With `comments`, a block comment opened on the line is skipped whole, so a line break
 * inside it does not end the directive.
 */
export function preprocEnd(text: string, i: number, end: number, comments = false): number {
  while (i < end) {
    const d = text.charCodeAt(i);
    if (comments && d === 47 && text.charCodeAt(i + 1) === 42) {
      const e = text.indexOf('*/', i + 2);
      i = e === -1 ? end : e + 2;
      continue;
    }
    if (d === 10 && text.charCodeAt(i - 1) !== 92 && !(text.charCodeAt(i - 1) === 13 && text.charCodeAt(i - 2) === 92)) break;
    i++;
  }
  return i;
}

/**
 * Function definitions and the calls in their bodies, by a single character scan that skips
 * comments, strings, character literals and preprocessor lines. Kernel style makes this reliable
 * enough for a pre-filter: a `}` in column 0 ends a function even when #if branches unbalance braces.
 */
export function lexFunctions(text: string, matcher: NameMatcher, opts: { bodies?: boolean; srcCalls?: number[] } = {}): LexInfo {
  const srcCalls = opts.srcCalls;
  const defs: LexDef[] = [];
  const bodies = opts.bodies === true;
  let idents: Set<string> | undefined;
  const n = text.length;
  let depth = 0;
  let paren = 0;
  // State of the top-level declaration being read.
  let declName: string | undefined;
  let declStatic = false;
  let declStar = false;
  let nameStar = false;
  let declOut = false;
  let lastSig = 0; // last significant char code at depth 0
  let cur: LexDef | undefined;
  let calls: Set<string> | undefined;
  let lineStart = true;
  let sigStart = -1; // first token of the top-level declaration being read
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) { lineStart = true; i++; continue; }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) { i++; continue; }
    const atLineStart = lineStart;
    lineStart = false;
    if (c === 35 /* # */ && atLineStart) {
      // Preprocessor line with continuations.
      i = preprocEnd(text, i, n);
      continue;
    }
    if (c === 47 /* / */) {
      const d = text.charCodeAt(i + 1);
      if (d === 47) { const e = text.indexOf('\n', i); i = e === -1 ? n : e; continue; }
      if (d === 42) { const e = text.indexOf('*/', i + 2); i = e === -1 ? n : e + 2; continue; }
    }
    if (depth === 0 && sigStart < 0) sigStart = i;
    if (c === 34 || c === 39) {
      // String or character literal.
      i = skipLiteral(text, i, n);
      if (depth === 0) lastSig = c;
      continue;
    }
    if (isIdStart(c)) {
      // the identifier's hash as it is read: most identifiers never become strings
      const s = i;
      let h = Math.imul(FNV_OFFSET ^ c, FNV_PRIME);
      let j = i + 1;
      for (let d = text.charCodeAt(j); j < n && isIdChar(d); d = text.charCodeAt(++j)) h = Math.imul(h ^ d, FNV_PRIME);
      i = j;
      // Next significant char (spaces only; good enough for `name (`).
      let k = j;
      while (k < n && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++;
      const callLike = text.charCodeAt(k) === 40;
      if (depth === 0) {
        if (j - s === 6 && text.startsWith('static', s)) declStatic = true;
        if (callLike && paren === 0 && declName === undefined) {
          const id = text.slice(s, j);
          if (!NOT_A_NAME.has(id)) { declName = id; nameStar = declStar; }
        }
        lastSig = 65;
      } else if (cur && calls) {
        const bit = matcher.classAt(text, s, j, h);
        if (bit) {
          cur.bits |= bit;
          // where a source-side name is called, for sourceFieldTypes
          if (srcCalls && callLike && (bit & SRC) !== 0) srcCalls.push(s, j);
        }
        if (callLike || idents) {
          const id = text.slice(s, j);
          if (callLike && !NOT_A_NAME.has(id)) calls.add(id);
          if (idents) idents.add(id);
        }
      }
      continue;
    }
    if (c === 125 /* } */ && depth > 0 && (i === 0 || text.charCodeAt(i - 1) === 10)) {
      // Column-0 brace: the function ends here whatever the #if branches did to the count.
      depth = 1;
    }
    if (c === 123 /* { */) {
      if (depth === 0) {
        if (lastSig === 41 /* ) */ && declName !== undefined) {
          cur = { name: declName, isStatic: declStatic, bits: 0, calls: [], returnsPointer: nameStar, ...(declOut ? { outParam: true } : {}) };
          calls = new Set();
          if (bodies) {
            cur.bodyStart = i;
            cur.sigStart = sigStart;
            idents = new Set();
          }
        } else {
          cur = undefined;
          calls = undefined;
        }
      }
      depth++;
    } else if (c === 125) {
      if (depth > 0) depth--;
      if (depth === 0) {
        if (cur && calls) {
          cur.calls = [...calls];
          if (idents) {
            cur.idents = [...idents];
            cur.bodyEnd = i + 1;
          }
          defs.push(cur);
        }
        cur = undefined;
        calls = undefined;
        idents = undefined;
        declName = undefined;
        declStatic = false;
        declStar = false;
        declOut = false;
        paren = 0;
        lastSig = 59;
        sigStart = -1;
      }
    } else if (depth === 0) {
      if (c === 40) paren++;
      else if (c === 41) { if (paren > 0) paren--; }
      else if (c === 59 /* ; */) { declName = undefined; declStatic = false; declStar = false; declOut = false; paren = 0; sigStart = -1; }
      else if (c === 42 /* * */ && paren === 0 && declName === undefined) declStar = true;
      // `T **out` in the parameter list of the function being declared
      else if (c === 42 && paren === 1 && declName !== undefined && lastSig === 42) declOut = true;
      lastSig = c;
    }
    i++;
  }
  return { defs };
}

/** Per-file result of phase 1 (what the worker returns for each file it read). */
export interface PrefilterEntry {
  bits: number;
  /** Only for files with bits !== 0 or that reference a linking name; the stat index keeps it only for parsed files. */
  lex?: LexInfo;
  /** This file's candidate linking names with their side bits (see fileLinks); kept in the stat index. */
  links?: [string, number][];
  /** In the stored stat index only: `lex` is in the index's second file. */
  hasLex?: boolean;
  /**
   * Wrappers of wrappers this file defines (see wrapperLinks): its exported pointer-returning
   * functions that call a source-side linking name of another file, with the names they call.
   * Kept in the stat index; valid while the linking names it was computed against are.
   */
  wraps?: [string, string[]][];
  /**
   * Struct members this file stores a source's result in, with the struct's tag where the lexer
   * sees the holder's declaration (`struct qq_ctx *ctx; … ctx->log = vzalloc(…)` → ['qq_ctx',
   * 'log']): the files reading them are looked for (sourceFieldTypes).
   */
  fields?: [string, string][];
  /** Which of the struct tags and members searched for (StatIndex.fieldHash) this file names. */
  fieldHits?: string[];
}

export interface LinkInput {
  /** Index-aligned with the walked files. */
  paths: string[];
  /** Paths relative to the scanned root (for link scopes); defaults to `paths`. */
  rels?: string[];
  /** Number of `.c` files under a scope prefix; a scope above `maxScopeFiles` narrows to the definer's own directory. */
  scopeFiles?: (scope: string) => number;
  entries: (PrefilterEntry | undefined)[];
}

/**
 * `holder->member = SOURCE(…)` at each call in `calls` (also `holder.member`, an array element, through a cast) with the
 * holder declared `struct T *holder` or `struct T holder` earlier in the file (the nearest
 * declaration before the store, within 16 KB): the `[T, member]` pairs, sorted, deduplicated. The
 * analyzer decides what the member really holds; this only says where to look for its readers.
 */
export function sourceFieldTypes(text: string, calls: readonly number[]): [string, string][] {
  // `calls`: [start, end] pairs of the source names called (lexFunctions' srcCalls, callsOf)
  const out = new Map<string, [string, string]>();
  for (let c = 0; c + 1 < calls.length; c += 2) {
    const at = calls[c];
    const before = text.slice(Math.max(0, at - 200), at);
    const st = STORE.exec(before);
    if (!st) continue;
    const [, holder, member] = st;
    const tag = holderTag(text, holder, at - before.length + st.index);
    if (tag) out.set(`${tag}.${member}`, [tag, member]);
  }
  return sortedPairs(out);
}

/** A store into a bare identifier just before a call: `olog_buf = `, `olog_buf = (u8 *)`. */
const GLOBAL_STORE = /(?<![\w.>$])([A-Za-z_]\w*)\s*=\s*(?:\([^()\n]*\)\s*)?$/;

/**
 * `name = SOURCE(…)` at each call in `calls` where `name` is a non-static file-scope variable of
 * the file (fileScopeGlobals): `[GLOBAL_TAG, name]` pairs, sorted, deduplicated, as
 * sourceFieldTypes gives members. The analyzer decides what the variable really holds.
 */
export function sourceGlobals(text: string, calls: readonly number[]): [string, string][] {
  const out = new Map<string, [string, string]>();
  let globals: Set<string> | undefined;
  for (let c = 0; c + 1 < calls.length; c += 2) {
    const at = calls[c];
    const st = GLOBAL_STORE.exec(text.slice(Math.max(0, at - 200), at));
    if (!st) continue;
    globals ??= fileScopeGlobals(text);
    if (globals.has(st[1])) out.set(`${GLOBAL_TAG}.${st[1]}`, [GLOBAL_TAG, st[1]]);
  }
  return sortedPairs(out);
}

/**
 * Scatterlist tables kept in struct members that a function calling a source fills or walks
 * (`for_each_sg(desc->sgt[i].sgl, sg, …)` next to `sg_set_page(sg, vmalloc_to_page(p), …)`,
 * `sg_set_page(&buf->sglist[i], …)`, `sg_alloc_table_from_pages(&ctx->sgt, pages, …)`), with the
 * holder's struct tag as in sourceFieldTypes: `[T, member]` pairs, sorted, deduplicated. The
 * function is the text between the column-0 `}` before the call and the one after it (kernel
 * style, as lexFunctions). The analyzer decides whether the table really holds vmalloc pages; this
 * only says where to look for the files that map it.
 */
export function tableFieldTypes(text: string, calls: readonly number[]): [string, string][] {
  const out = new Map<string, [string, string]>();
  let searched = -1;
  for (let c = 0; c + 1 < calls.length; c += 2) {
    const at = calls[c];
    if (at < searched) continue;
    const from = text.lastIndexOf('\n}', at) + 1;
    const end = text.indexOf('\n}', at);
    searched = end === -1 ? text.length : end;
    for (const m of text.slice(from, searched).matchAll(TABLE_FILL)) {
      const [, holder, member] = m;
      if (SG_TABLE_LIST.has(member)) continue;
      const tag = holderTag(text, holder, from + (m.index ?? 0));
      if (tag) out.set(`${tag}.${member}`, [tag, member]);
    }
  }
  return sortedPairs(out);
}

/** The struct tag of `holder` from its nearest declaration (`struct T *holder`, `struct T holder`) within 16 KB before `at`. */
function holderTag(text: string, holder: string, at: number): string | undefined {
  const window = text.slice(Math.max(0, at - 16384), at);
  const decl = new RegExp(`\\bstruct\\s+([A-Za-z_]\\w*)\\s*(?:\\*\\s*(?:const\\s+)?)?${holder}\\b(?!\\s*\\()`, 'g');
  let tag: string | undefined;
  let d: RegExpExecArray | null;
  while ((d = decl.exec(window)) !== null) tag = d[1];
  return tag;
}

function sortedPairs(m: Map<string, [string, string]>): [string, string][] {
  return [...m.values()].sort((a, b) => (a[0] + '.' + a[1] < b[0] + '.' + b[1] ? -1 : 1));
}

/** `[T, member]` lists merged, sorted and deduplicated as sourceFieldTypes returns them. */
export function mergePairs(...lists: (readonly [string, string])[][]): [string, string][] {
  return sortedPairs(new Map(lists.flat().map(([t, m]) => [`${t}.${m}`, [t, m] as [string, string]])));
}

/**
 * Calls whose first argument is a scatterlist table they fill or walk: the loops of SG_ITERATORS
 * and the sg-page/sg-pages sinks (tables/sinks.ts), with that argument's `holder->member` captured
 * (group 1 the holder, group 2 the member). Also the slicer's test of the members a function fills.
 */
export const TABLE_FILL = new RegExp(`\\b(?:${[...new Set([
  ...[...SG_ITERATORS].filter(([, a]) => a.table === 0).map(([nm]) => nm),
  ...[...SINKS.values()].filter((s) => (s.kind === 'sg-page' || s.kind === 'sg-pages') && s.sg === 0).map((s) => s.name),
])].join('|')})\\s*\\(\\s*&?\\s*([A-Za-z_]\\w*)\\s*(?:->|\\.)\\s*([A-Za-z_]\\w*)`, 'g');

/**
 * Stores into a container (tables CONTAINERS: `xa_store(&bc->tables, …)`, `idr_alloc(&blob_idr, …)`):
 * group 1 the member holding it, else group 2 the (file-scope) variable. What is stored there comes
 * back from a lookup elsewhere, as a member's value does.
 */
export const CONTAINER_STORE = new RegExp(`\\b(?:${[...CONTAINERS].filter(([, r]) => r.entry !== undefined && r.container === 0).map(([n]) => n).join('|')})\\s*\\(\\s*&?\\s*(?:[A-Za-z_]\\w*\\s*(?:->|\\.)\\s*)*(?:(?<=->|\\.|\\s)([A-Za-z_]\\w*)|([A-Za-z_]\\w*))\\s*,`, 'g');

/**
 * [start, end] pairs of the calls (`name(`) of `names` in `text`, as whole words, in order. For the
 * file's own pointer-returning helpers that name a source (`ring->desc = foo_ring_alloc(…)`).
 */
export function callsOf(text: string, names: Iterable<string>): number[] {
  const out: [number, number][] = [];
  for (const nm of names) {
    for (let at = text.indexOf(nm); at !== -1; at = text.indexOf(nm, at + nm.length)) {
      const e = at + nm.length;
      if ((at > 0 && isIdChar(text.charCodeAt(at - 1))) || isIdChar(text.charCodeAt(e))) continue;
      let k = e;
      while (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9) k++;
      if (text.charCodeAt(k) === 40) out.push([at, e]);
    }
  }
  return out.sort((a, b) => a[0] - b[0]).flat();
}

/** The store a source call ends: `holder->member = `, `holder.member[i] = (cast)`, right before it. */
const STORE = /\b([A-Za-z_]\w*)\s*(?:->|\.)\s*([A-Za-z_]\w*)\s*(?:\[[^\]\n]*\]\s*)?=\s*(?:\([^()\n]*\)\s*)?$/;

/** Whether a definition in this file can be called from another file. */
export function isExported(file: string, d: LexDef): boolean {
  return !d.isStatic || file.endsWith('.h');
}

/** A linking name: where it is defined, which side(s) it carries, and where its callers may be. */
export interface LinkName {
  bits: number;
  definers: number[];
  /** Path prefixes (relative to the scanned root, `/`-terminated, '' = everywhere) its callers are looked for in. */
  scopes: string[];
  /** A wrapper of other linking names (a derived link, level 2 and up): the names it calls. */
  via?: string[];
}

/**
 * Subsystem scope of a definition: the parent of its directory, but never shallower than two
 * levels (`drivers/md/dm-vdo/x.c` → `drivers/md/`, `drivers/md/x.c` → `drivers/md/`,
 * `mm/x.c` → `mm/`), so wrappers are followed within their subsystem. A kernel-wide API defined in
 * `mm/`, `block/`, `lib/` or `include/` that mattered would be in the tables.
 */
export function linkScope(rel: string): string {
  const parts = rel.split('/');
  parts.pop();
  if (parts.length === 0) return '';
  const keep = parts.length <= 2 ? parts.length : parts.length - 1;
  return parts.slice(0, keep).join('/') + '/';
}

const MACRO_LIKE = /^[A-Z0-9_]+$/;

/**
 * Linking names: exported functions of matching files whose bodies mention names of the file's side,
 * directly or through a static helper of the same file (one level). A source-side link must hand
 * memory to its callers: return a pointer (a wrapper allocator) or take a pointer to a pointer
 * (`int foo_get(size_t n, void **out)`: summaries carry that as outVmallocParams).
 * Table names, macro-looking names and names defined in more than `maxDefiners` files (per-arch
 * variants, same-named driver hooks) are not links.
 */
export function linkingNames(input: LinkInput, matcher: NameMatcher, maxDefiners = 2, maxScopeFiles = 1500): Map<string, LinkName> {
  const out = new Map<string, LinkName>();
  input.entries.forEach((e, idx) => {
    if (!e || e.bits === 0) return;
    const cands = e.links ?? (e.lex ? fileLinks(input.paths[idx], e.bits, e.lex, matcher) : []);
    if (cands.length === 0) return;
    const rel = input.rels ? input.rels[idx] : input.paths[idx];
    const scope = scopeOf(input, rel, maxScopeFiles);
    for (const [name, bits] of cands) {
      const cur = out.get(name);
      if (cur) {
        cur.bits |= bits;
        if (!cur.definers.includes(idx)) cur.definers.push(idx);
        if (!cur.scopes.includes(scope)) cur.scopes.push(scope);
      } else {
        out.set(name, { bits, definers: [idx], scopes: [scope] });
      }
    }
  });
  for (const [name, l] of out) if (l.definers.length > maxDefiners) out.delete(name);
  return out;
}

/**
 * A definition's scope (linkScope), narrowed to its own directory where the subsystem is huge
 * (drivers/gpu/, arch/x86/): there the caller search would re-read most of the tree.
 */
export function scopeOf(input: Pick<LinkInput, 'scopeFiles'>, rel: string, maxScopeFiles = 1500): string {
  const scope = linkScope(rel);
  return input.scopeFiles && input.scopeFiles(scope) > maxScopeFiles ? rel.slice(0, rel.lastIndexOf('/') + 1) : scope;
}

/**
 * Wrappers of wrappers: the exported, pointer-returning functions of a file that call one of
 * `names` (source-side linking names of other files the file references), directly or through a
 * static helper of the same file (one level, as fileLinks). `bar_buf_alloc()` returning
 * `bar_area_alloc()`'s result, itself returning vmalloc() memory from a third file, is one: its
 * callers are followed like those of a wrapper allocator.
 */
export function wrapperLinks(file: string, lex: LexInfo, names: ReadonlySet<string>, matcher: NameMatcher): [string, string[]][] {
  if (names.size === 0) return [];
  const direct = (d: LexDef): string[] => d.calls.filter((c) => names.has(c));
  const local = new Map<string, string[]>();
  for (const d of lex.defs) {
    const hit = direct(d);
    if (hit.length) local.set(d.name, [...(local.get(d.name) ?? []), ...hit]);
  }
  const out: [string, string[]][] = [];
  for (const d of lex.defs) {
    if (!d.returnsPointer || !isExported(file, d) || matcher.classOf(d.name) || MACRO_LIKE.test(d.name) || names.has(d.name)) continue;
    const via = new Set(direct(d));
    for (const c of d.calls) for (const x of local.get(c) ?? []) via.add(x);
    if (via.size) out.push([d.name, [...via].sort()]);
  }
  return out;
}

/**
 * Adds the wrappers of wrappers found in `files` (their `wraps`, or what `wrapsOf` says) to `links` as source-side links
 * scoped like their definers; a name defined in more than `maxDefiners` files is not one, nor is
 * a name already linking. Returns the names added.
 */
export function addWrapperLinks(
  input: LinkInput, links: Map<string, LinkName>, files: Iterable<number>,
  wrapsOf: (idx: number) => [string, string[]][] | undefined = (idx) => input.entries[idx]?.wraps, maxDefiners = 2, maxScopeFiles = 1500,
): string[] {
  const fresh = new Map<string, LinkName>();
  for (const idx of files) {
    const wraps = wrapsOf(idx);
    if (!wraps?.length) continue;
    const rel = input.rels ? input.rels[idx] : input.paths[idx];
    const scope = scopeOf(input, rel, maxScopeFiles);
    for (const [name, via] of wraps) {
      if (links.has(name)) continue;
      const cur = fresh.get(name);
      if (!cur) { fresh.set(name, { bits: SRC, definers: [idx], scopes: [scope], via: [...via] }); continue; }
      if (!cur.definers.includes(idx)) cur.definers.push(idx);
      if (!cur.scopes.includes(scope)) cur.scopes.push(scope);
      for (const v of via) if (!cur.via?.includes(v)) cur.via?.push(v);
    }
  }
  const added: string[] = [];
  for (const [name, l] of fresh) {
    if (l.definers.length > maxDefiners) continue;
    l.scopes.sort();
    l.via?.sort();
    links.set(name, l);
    added.push(name);
  }
  return added.sort();
}

/** One file's candidate linking names (computed where the file is read, stored in the stat index). */
export function fileLinks(file: string, fileBits: number, lex: LexInfo, matcher: NameMatcher): [string, number][] {
  const out: [string, number][] = [];
  const local = new Map<string, number>();
  for (const d of lex.defs) local.set(d.name, (local.get(d.name) ?? 0) | d.bits);
  for (const d of lex.defs) {
    if (!isExported(file, d) || matcher.classOf(d.name) || MACRO_LIKE.test(d.name)) continue;
    let bits = d.bits;
    for (const c of d.calls) bits |= local.get(c) ?? 0;
    bits &= fileBits;
    // a source-side link hands memory to its callers: by its return value or a `T **` parameter
    if (!d.returnsPointer && !d.outParam) bits &= ~SRC;
    if (bits) out.push([d.name, bits]);
  }
  return out;
}

/**
 * Adds to `into` the files defining `names` and, for wrappers of wrappers, the files defining what
 * they wrap (`LinkName.via`, transitively), leaving out the wrapped names in `skip`.
 */
export function addDefiners(links: ReadonlyMap<string, LinkName>, names: Iterable<string>, into: Set<number>, skip: ReadonlySet<string> = new Set()): void {
  const stack = [...names];
  const seen = new Set(stack);
  while (stack.length) {
    const l = links.get(stack.pop() as string);
    for (const d of l?.definers ?? []) into.add(d);
    for (const v of l?.via ?? []) if (!seen.has(v) && !skip.has(v)) { seen.add(v); stack.push(v); }
  }
}

/** Whether a file (relative path) is inside a link's scope. */
export function inScope(rel: string, scopes: string[]): boolean {
  return scopes.some((s) => s === '' || rel.startsWith(s));
}

/** Files to search for some linking names (indices into the walked files). */
export interface RefGroup {
  idx: number[];
  names: string[];
}

/**
 * The files of `idx` grouped by which of `names` can count for them. A linking name counts only
 * inside its scopes (selectFiles), so each file need only be searched for the names whose scope
 * contains it: on 6.18 that is 4 of the 265 source-side links per byte on average, 15 of the
 * 1,461 sink-side ones, and a search's cost grows with its number of names (grep.ts). Files no
 * name applies to are left out. Groups of fewer than `minBytes` bytes are pooled (in the order of
 * their sorted names, so neighbours share most names) until a pool reaches `minBytes` or would
 * exceed `maxNames` names: a search process costs as much to start as to scan a few megabytes.
 * `allowed` gives each file its own names, for dropping what a pool found outside its scopes.
 */
export function scopedGroups(rels: readonly string[], sizes: readonly number[], idx: readonly number[], names: readonly string[], links: ReadonlyMap<string, { scopes: string[] }>, minBytes: number, maxNames = 96): { groups: RefGroup[]; allowed: Map<number, ReadonlySet<string>> } {
  const byScope = new Map<string, string[]>();
  for (const nm of names) {
    for (const sc of links.get(nm)?.scopes ?? []) {
      const l = byScope.get(sc);
      if (l) l.push(nm);
      else byScope.set(sc, [nm]);
    }
  }
  const keyed = new Map<string, { names: string[]; set: ReadonlySet<string>; idx: number[]; bytes: number }>();
  const allowed = new Map<number, ReadonlySet<string>>();
  for (const i of idx) {
    const rel = rels[i];
    const ns: string[] = [...(byScope.get('') ?? [])];
    for (let k = rel.indexOf('/'); k !== -1; k = rel.indexOf('/', k + 1)) {
      const l = byScope.get(rel.slice(0, k + 1));
      if (l) ns.push(...l);
    }
    if (ns.length === 0) continue;
    const uniq = [...new Set(ns)].sort();
    const key = uniq.join(' ');
    let g = keyed.get(key);
    if (!g) keyed.set(key, (g = { names: uniq, set: new Set(uniq), idx: [], bytes: 0 }));
    g.idx.push(i);
    g.bytes += sizes[i];
    allowed.set(i, g.set);
  }
  const groups: RefGroup[] = [];
  let pool: RefGroup | undefined;
  let poolNames = new Set<string>();
  let poolBytes = 0;
  for (const key of [...keyed.keys()].sort()) {
    const g = keyed.get(key)!;
    if (g.bytes >= minBytes) { groups.push({ idx: g.idx, names: g.names }); continue; }
    if (pool && (poolBytes >= minBytes || poolNames.size + g.names.filter((nm) => !poolNames.has(nm)).length > maxNames)) pool = undefined;
    if (!pool) {
      pool = { idx: [], names: [] };
      poolNames = new Set();
      poolBytes = 0;
      groups.push(pool);
    }
    pool.idx.push(...g.idx);
    poolBytes += g.bytes;
    for (const nm of g.names) if (!poolNames.has(nm)) { poolNames.add(nm); pool.names.push(nm); }
  }
  return { groups, allowed };
}

export interface SelectResult {
  /** Indices of files to parse, sorted. */
  parse: number[];
  /** Linking names that were followed / dropped for fan-out. */
  followed: number;
  dropped: string[];
  /** For each selected file, the linking names that connected it. */
  used: Map<number, string[]>;
}

/**
 * Choose the parse set from phase-1 bits, the linking names, and phase-2 references
 * (`refs[i]` = linking names file i mentions).
 */
export function selectFiles(
  input: LinkInput,
  links: Map<string, LinkName>,
  refs: (string[] | undefined)[],
  maxFanout: number,
): SelectResult {
  const count = new Map<string, number>();
  refs.forEach((r, idx) => {
    if (!r) return;
    const rel = input.rels ? input.rels[idx] : input.paths[idx];
    for (const nm of r) {
      const l = links.get(nm);
      if (l && inScope(rel, l.scopes)) count.set(nm, (count.get(nm) ?? 0) + 1);
    }
  });
  const dropped: string[] = [];
  for (const [nm, k] of count) if (k > maxFanout) dropped.push(nm);
  const droppedSet = new Set(dropped);
  const parse = new Set<number>();
  const usedBy = new Map<number, string[]>();
  input.entries.forEach((e, idx) => {
    let bits = e?.bits ?? 0;
    const used: string[] = [];
    const rel = input.rels ? input.rels[idx] : input.paths[idx];
    for (const nm of refs[idx] ?? []) {
      const l = links.get(nm);
      if (!l || droppedSet.has(nm) || !inScope(rel, l.scopes)) continue;
      // A file's own definition is not a link to another file.
      if (l.definers.length === 1 && l.definers[0] === idx) continue;
      bits |= l.bits;
      used.push(nm);
    }
    if (bits !== (SRC | SNK)) return;
    parse.add(idx);
    if (used.length) usedBy.set(idx, used);
    // a wrapper of wrappers needs the summaries of what it wraps: their definers too
    addDefiners(links, used, parse, droppedSet);
  });
  return { parse: [...parse].sort((a, b) => a - b), followed: links.size - dropped.length, dropped: dropped.sort(), used: usedBy };
}

/** The device-facing linear sinks (STACK_VMAP) and the argument holding their pointer. */
let stackSinks: { re: RegExp; ptr: Map<string, number> } | undefined;

/** The top-level arguments of the call whose `(` ends just before `at`; undefined past a `;` or 600 characters. */
function callArgs(text: string, at: number): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let from = at;
  for (let i = at; i < text.length && i < at + 600; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28 || c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      if (depth === 0) {
        out.push(text.slice(from, i));
        return out;
      }
      depth--;
    } else if (c === 0x2c && depth === 0) {
      out.push(text.slice(from, i));
      from = i + 1;
    } else if (c === 0x3b) return undefined;
  }
  return undefined;
}

/**
 * Whether the file may hand a stack object to a device-facing linear sink (`usb_control_msg(…,
 * buf, …)` with `u8 buf[4];` in a body, `sg_init_one(&sg, &cmd, …)` with `struct foo cmd = …;`):
 * with CONFIG_VMAP_STACK such an address is vmalloc memory, a source the pre-pass cannot see by
 * name. Lexical and generous (the name may be another function's local); the analyzer decides. A
 * file where it holds counts as naming a source, and is analysed whole (no slicing: the
 * declaration is the source).
 */
export function stackCandidate(text: string): boolean {
  const { re, ptr } = stackSinkTable();
  re.lastIndex = 0;
  // a driver calls its sink dozens of times with the same few names: look each one up once
  const decls = new Map<string, string | undefined>();
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const args = callArgs(text, m.index + m[0].length);
    const p = args?.[ptr.get(m[1]) ?? -1];
    if (p === undefined) continue;
    const t = p.trim().replace(/^\([^()]*\)\s*/, '');
    const amp = /^&\s*([A-Za-z_]\w*)\s*(?:$|[.[])/.exec(t);
    const name = amp ? amp[1] : /^([A-Za-z_]\w*)\s*(?:$|[+-])/.exec(t)?.[1];
    if (!name) continue;
    if (!decls.has(name)) decls.set(name, localDeclaration(text, name));
    const decl = decls.get(name);
    if (decl && (amp || decl === '[')) return true;
  }
  return false;
}

/** `type name` at the start of an indented line, not `return`/`static`/`extern` (with the optional qualifier and tag words). */
const DECL_PREFIX = /^[ \t]+(?!return\b|static\b|extern\b)(?:const\s+)?(?:struct\s+|union\s+|unsigned\s+|signed\s+)?[A-Za-z_]\w*\s+$/;

/**
 * The first declaration of `name` in a body (indented), not a pointer: `\tu8 buf[4];`,
 * `\tstruct foo_cmd cmd = {`. Returns the character after the declarator (`[`, `=`, `;` or `,`).
 * Each occurrence of the name followed by one of those is checked against the text before it back
 * to the start of the line holding the type word, so the whole file is scanned once for the name
 * instead of once per line start.
 */
function localDeclaration(text: string, name: string): string | undefined {
  const re = new RegExp(`(?<![\\w])${name}\\s*([[=;,])`, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let k = m.index;
    while (k > 0 && /\s/.test(text[k - 1])) k--;
    if (k === m.index) continue;
    const ls = text.lastIndexOf('\n', k - 1) + 1;
    if (DECL_PREFIX.test(text.slice(ls, m.index))) return m[1];
  }
  return undefined;
}

/**
 * The device-facing linear sinks a stack object must not reach (STACK_VMAP). In a file where
 * stackCandidate() holds they count as sources too, so slicing keeps the functions calling them
 * whole, declarations included.
 */
export function stackSinkNames(): string[] {
  return [...stackSinkTable().ptr.keys()];
}

function stackSinkTable(): { re: RegExp; ptr: Map<string, number> } {
  if (!stackSinks) {
    const rows = [...SINKS.values()].filter((s) => s.kind === 'linear' && s.ptr !== undefined && !STACK_VMAP.ignored.has(s.name));
    stackSinks = { re: new RegExp(`\\b(${rows.map((s) => s.name).join('|')})\\s*\\(`, 'g'), ptr: new Map(rows.map((s) => [s.name, s.ptr as number])) };
  }
  return stackSinks;
}
