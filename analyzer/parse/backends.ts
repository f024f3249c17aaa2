/**
 * The two parser backends: web-tree-sitter with the grammar's prebuilt tree-sitter-c.wasm (used by
 * the extension and by default in the CLI), and the native `tree-sitter` N-API binding (CLI option
 * `--parser native`). Both produce the same SNode tree.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildSyntaxTree, CursorLike, SNode, hasErrorNode, shiftTree, OPERATOR_PARENTS } from './syntax';
import { lineIndex, lineStarts } from './lines';
import { parserText } from './mask';

export type BackendName = 'wasm' | 'native';

export interface ParseResult {
  root: SNode;
  parseMs: number;
}

export interface Backend {
  readonly name: BackendName;
  /**
   * `gaps`: sorted, disjoint [start, end) stretches of `text` that hold only blanks (analyzer/scan
   * slice.ts), which the parser may skip without reading: tree-sitter's included ranges make a gap
   * a token boundary, as the blanks were. Positions are unchanged. The native backend parses them.
   */
  parse(text: string, gaps?: readonly (readonly [number, number])[]): ParseResult;
}

interface IncludedRange {
  startIndex: number;
  endIndex: number;
  startPosition: { row: number; column: number };
  endPosition: { row: number; column: number };
}

/**
 * The stretches of [0, length) outside `ranges` (sorted, disjoint): the included ranges between
 * gaps, or the gaps that leave only some ranges to parse (analyzer/scan/demand.ts).
 */
export function outside(ranges: readonly (readonly [number, number])[], length: number): [number, number][] {
  const out: [number, number][] = [];
  let at = 0;
  for (const [s, e] of ranges) {
    if (e <= s || e > length) continue;
    if (s > at) out.push([at, s]);
    at = Math.max(at, e);
  }
  if (length > at) out.push([at, length]);
  return out;
}

/** The ranges between `gaps`, for tree-sitter (columns in UTF-16 units, as web-tree-sitter counts them). */
export function includedRanges(text: string, gaps: readonly (readonly [number, number])[]): IncludedRange[] {
  const ls = lineStarts(text);
  const point = (i: number) => {
    const row = lineIndex(ls, i);
    return { row, column: i - ls[row] };
  };
  const kept = outside(gaps, text.length);
  // a gap at the very end still leaves tree-sitter an (empty) range to end on
  if (kept.length === 0 || kept[kept.length - 1][1] < text.length) kept.push([text.length, text.length]);
  return kept.map(([s, e]) => ({ startIndex: s, endIndex: e, startPosition: point(s), endPosition: point(e) }));
}

/**
 * Copy a web-tree-sitter tree into an SNode tree (the tree is kept). With the text, the direct
 * builder is used when the runtime passed its probe; otherwise the public cursor.
 */
export function copyTree(t: { walk(): unknown }, text?: string): SNode {
  if (text !== undefined && directBuilder) return directBuilder(t as unknown as WebTree, text);
  const cursor = t.walk() as CursorLike & { delete(): void };
  try {
    return buildSyntaxTree(cursor);
  } finally {
    cursor.delete();
  }
}

/** Copy a web-tree-sitter tree into an SNode tree and free the tree (WASM memory is not collected). */
export function snodeFromTree(t: { walk(): unknown; delete(): void }, text?: string): SNode {
  try {
    return copyTree(t, text);
  } finally {
    t.delete();
  }
}

/**
 * web-tree-sitter's emscripten module: the object passed to `Parser.init` becomes it, and it
 * carries the runtime's exported functions. Only the cursor functions the public `TreeCursor`
 * class itself calls are used, each taking the tree and working on the cursor kept in the
 * runtime's transfer buffer.
 */
interface RuntimeModule {
  HEAP32: Int32Array;
  _ts_init(): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_missing_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
}
interface WebTree { 0: number; walk(): { handles: number[]; delete(): void } }

/** ts_builtin_sym_error: the type id of ERROR nodes, which has no entry in the language's names. */
const ERROR_SYMBOL = 0xffff;

/**
 * A faster copy of a web-tree-sitter tree into SNodes, or undefined when the runtime does not
 * look like the one it was written against (then the public cursor is used).
 *
 * The public `TreeCursor` writes its four handles into the runtime's transfer buffer before every
 * property read and reads them back after every move, and it asks the runtime for each position
 * (an object per call); with ~20 such calls per node, copying a tree cost more than parsing it.
 * Here the cursor stays in the transfer buffer for the whole walk (only the cursor functions,
 * which read and write it there, are called), rows and columns come from the offsets (a table
 * of the row of every offset: tree-sitter counts rows at `\n` and, for UTF-16 input, columns in
 * code units, as the text's own offsets do), and a node's named-ness from its type id. The
 * handles are copied back into the cursor object before it is deleted, so it frees the stack
 * the walk left. The builder is checked against the public cursor on a probe text when the
 * grammar is loaded (`probeDirectBuilder`); a mismatch disables it.
 */
function makeDirectBuilder(mod: RuntimeModule, language: import('web-tree-sitter').Language): ((tree: WebTree, text: string) => SNode) | undefined {
  const fns = [
    '_ts_init', '_ts_tree_cursor_goto_first_child_wasm', '_ts_tree_cursor_goto_next_sibling_wasm',
    '_ts_tree_cursor_goto_parent_wasm', '_ts_tree_cursor_current_node_type_id_wasm',
    '_ts_tree_cursor_current_node_is_missing_wasm', '_ts_tree_cursor_current_field_id_wasm',
    '_ts_tree_cursor_start_index_wasm', '_ts_tree_cursor_end_index_wasm',
  ] as const;
  if (!fns.every((f) => typeof mod[f] === 'function') || !(mod.HEAP32 instanceof Int32Array)) return undefined;
  const transfer = mod._ts_init() >> 2;
  const firstChild = mod._ts_tree_cursor_goto_first_child_wasm;
  const nextSibling = mod._ts_tree_cursor_goto_next_sibling_wasm;
  const parentOf = mod._ts_tree_cursor_goto_parent_wasm;
  const typeId = mod._ts_tree_cursor_current_node_type_id_wasm;
  const isMissing = mod._ts_tree_cursor_current_node_is_missing_wasm;
  const fieldId = mod._ts_tree_cursor_current_field_id_wasm;
  const startIndex = mod._ts_tree_cursor_start_index_wasm;
  const endIndex = mod._ts_tree_cursor_end_index_wasm;
  const types = language.types;
  const fields = language.fields;
  const named = types.map((_, i) => language.nodeTypeIsNamed(i));
  const operatorField = fields.indexOf('operator');

  return (tree: WebTree, text: string): SNode => {
    const lineStart = lineStarts(text);
    const rowOf = new Int32Array(text.length + 1);
    for (let r = 0; r < lineStart.length; r++) rowOf.fill(r, lineStart[r], r + 1 < lineStart.length ? lineStart[r + 1] : rowOf.length);
    const cursor = tree.walk();
    const t = tree[0];
    const make = (parent: SNode | null, id: number, missing: boolean): SNode => {
      const s = startIndex(t);
      const e = endIndex(t);
      const sr = rowOf[s];
      const er = rowOf[e];
      const node: SNode = {
        type: types[id] || 'ERROR',
        field: fields[fieldId(t)] ?? null,
        start: s,
        end: e,
        sr, sc: s - lineStart[sr], er, ec: e - lineStart[er],
        children: [],
        parent,
      };
      if (id === ERROR_SYMBOL || missing || node.type === 'ERROR') node.error = true;
      return node;
    };
    let current = make(null, typeId(t), isMissing(t) === 1);
    const root = current;
    try {
      if (!firstChild(t)) return root;
      for (;;) {
        const id = typeId(t);
        const missing = isMissing(t) === 1;
        if (named[id] || id === ERROR_SYMBOL || missing) {
          const node = make(current, id, missing);
          current.children.push(node);
          if (firstChild(t)) {
            current = node;
            continue;
          }
        } else if (current.op === undefined && OPERATOR_PARENTS.has(current.type)
          && (current.type === 'field_expression' || fieldId(t) === operatorField)) {
          current.op = types[id];
        }
        while (!nextSibling(t)) {
          if (!parentOf(t) || current.parent === null) return root;
          current = current.parent;
        }
      }
    } finally {
      const heap = mod.HEAP32;
      for (let k = 0; k < 4; k++) cursor.handles[k] = heap[transfer + k];
      cursor.delete();
    }
  };
}

/**
 * Keep syntax errors local. Error recovery differs between tree-sitter runtimes, and one broken
 * function can swallow the rest of a file into a single ERROR node. Each top-level ERROR region is
 * re-parsed in pieces split after lines that close a function at column 0 (kernel style), and the
 * pieces' top-level nodes replace it, with their positions in the whole text.
 */
export function recoverTopLevelErrors(root0: SNode, text: string, parsePiece: (piece: string) => SNode): SNode {
  // when the damage is bad enough the root itself is the ERROR: treat the whole file as the region
  const root: SNode = root0.type === 'ERROR'
    ? { ...root0, type: 'translation_unit', error: undefined, children: [{ ...root0, children: [], parent: null }] }
    : root0;
  // a region is a top-level ERROR, or a top-level node with errors inside that spans a column-0 `}`
  // before its last line (a broken definition that swallowed the next one)
  const damaged = (c: SNode): boolean => {
    if (c.type === 'ERROR') return true;
    if (!/\n\}[^\n]*\n[\s\S]*\S/.test(text.slice(c.start, c.end))) return false;
    return hasErrorNode(c);
  };
  const regions = root.children.map(damaged);
  if (!regions.some(Boolean)) return root;
  const out: SNode[] = [];
  let starts: readonly number[] | undefined;
  for (const [i, c] of root.children.entries()) {
    if (!regions[i]) {
      out.push(c);
      continue;
    }
    const region = text.slice(c.start, c.end);
    // cut after a line that closes a block at column 0, and before a column-0 line that starts a
    // declaration or a #define/#include (kernel bodies are indented; column-0 labels and #if/#else
    // lines, which do appear inside bodies, are not cuts)
    const cuts: number[] = [];
    const re = /\n\}[^\n]*(?=\n|$)|\n(?=[A-Za-z_]|#\s*(?:define|include|undef)\b)(?![A-Za-z_]\w*\s*:(?!:))/g;
    for (let m = re.exec(region); m; m = re.exec(region)) {
      cuts.push(m.index + m[0].length);
      if (m[0].length === 0) re.lastIndex++;
    }
    cuts.sort((a, b) => a - b);
    if (cuts.length === 0) {
      out.push(c);
      continue;
    }
    let from = 0;
    for (const cut of [...cuts, region.length]) {
      if (cut <= from) continue;
      // pieces start at a line start so only offsets and rows shift
      let pieceStart = from;
      while (pieceStart < cut && region[pieceStart] === '\n') pieceStart++;
      const piece = region.slice(pieceStart, cut);
      from = cut;
      if (!piece.trim()) continue;
      const absStart = c.start + pieceStart;
      const lineStart = text.lastIndexOf('\n', absStart - 1) + 1;
      if (lineStart !== absStart) {
        // not at a line start: give up on this region, keep what the parser made of it
        return root0;
      }
      starts ??= lineStarts(text);
      const row = lineIndex(starts, absStart);
      const sub = parsePiece(piece);
      for (const k of sub.children) {
        shiftTree(k, absStart, row);
        out.push(k);
      }
    }
  }
  // a new root (the input root object is left as it was); its children point to it
  const fixed: SNode = { ...root, children: out, parent: null };
  for (const k of out) k.parent = fixed;
  return fixed;
}

/** Language ABI versions this build of the analyzer was written against (tree-sitter-c 0.24 is 15). */
export const SUPPORTED_ABI = { min: 13, max: 15 };

/** Parse longer than this is abandoned (the tree-sitter timeout), giving a clear error. */
export const PARSE_TIMEOUT_MS = 20_000;

type WebTS = typeof import('web-tree-sitter');

function findFile(name: string, candidates: string[]): string {
  for (const c of candidates) {
    const p = path.join(c, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`vmalias: cannot find ${name} (looked in ${candidates.join(', ')})`);
}

function wasmDirs(): string[] {
  const dirs = [__dirname, path.join(__dirname, '..', 'dist'), path.join(__dirname, '..', '..', 'dist')];
  try {
    dirs.push(path.dirname(require.resolve('web-tree-sitter/web-tree-sitter.wasm')));
  } catch {
    /* bundled: the wasm sits next to the bundle */
  }
  try {
    dirs.push(path.dirname(require.resolve('tree-sitter-c/package.json')));
  } catch {
    /* bundled */
  }
  return dirs;
}

let directBuilder: ((tree: WebTree, text: string) => SNode) | undefined;

/** Whether trees are copied by the direct builder (for tests and benchmarks). */
export function directTreeCopy(): boolean {
  return directBuilder !== undefined;
}

/**
 * Kernel-style C exercising what the copy must get right: fields, operators, ERROR and MISSING
 * nodes, `#if` inside a body, and text outside ASCII (a 2-byte character and a surrogate pair
 * before code on the same line, so columns are in UTF-16 code units).
 */
const PROBE = [
  '// é 😀 probe',
  'static int f(struct page **pages, void *buf, size_t len)',
  '{',
  '\tstruct bio *bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_KERNEL);',
  '\tint i, ret = -EINVAL; /* ü */ char *p = buf + len * 2;',
  '#ifdef CONFIG_X',
  '\tfor (i = 0; i < len >> PAGE_SHIFT; i++) pages[i] = vmalloc_to_page(buf + (i << PAGE_SHIFT));',
  '#endif',
  '\tif (!bio || ret != 0 && !(len & 1)) return -ENOMEM;',
  '\tbio->bi_iter.bi_sector = *p++ ? ~len : -len;',
  '\tret = submit_bio_wait(bio) )',
  '\tx = ;',
  '}',
  'static void h(void)',
  '{',
  '\tint a = 1',
  '\tfoo(a, 2;',
  '}',
  'int g(void) { return f(NULL, 0, 0) + y[3].z',
  '',
].join('\n');

/** Keep the direct builder only if it copies the probe exactly as the public cursor does. */
function probeDirectBuilder(ts: WebTS, language: import('web-tree-sitter').Language, build: ((tree: WebTree, text: string) => SNode) | undefined): typeof build {
  if (!build) return undefined;
  const parser = new ts.Parser();
  try {
    parser.setLanguage(language);
    const t1 = parser.parse(PROBE);
    const t2 = parser.parse(PROBE);
    if (!t1 || !t2) return undefined;
    const viaCursor = snodeFromTree(t1);
    const direct = (() => {
      try {
        return build(t2 as unknown as WebTree, PROBE);
      } finally {
        t2.delete();
      }
    })();
    return sameTree(viaCursor, direct) ? build : undefined;
  } catch {
    return undefined;
  } finally {
    parser.delete();
  }
}

/** Deep equality of two SNode trees (every field the analyzer reads). */
export function sameTree(a: SNode, b: SNode): boolean {
  const stack: [SNode, SNode][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop() as [SNode, SNode];
    if (x.type !== y.type || x.field !== y.field || x.start !== y.start || x.end !== y.end || x.sr !== y.sr
      || x.sc !== y.sc || x.er !== y.er || x.ec !== y.ec || x.op !== y.op || x.error !== y.error
      || x.children.length !== y.children.length) return false;
    for (let i = 0; i < x.children.length; i++) stack.push([x.children[i], y.children[i]]);
  }
  return true;
}

let wasmModule: Promise<{ ts: WebTS; language: import('web-tree-sitter').Language }> | undefined;

/** Load (once) the web-tree-sitter runtime and the C grammar. */
export function loadWasmLanguage(): Promise<{ ts: WebTS; language: import('web-tree-sitter').Language }> {
  if (!wasmModule) {
    wasmModule = (async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const ts = require('web-tree-sitter') as WebTS;
      const dirs = wasmDirs();
      const runtime = findFile('web-tree-sitter.wasm', dirs);
      // the options object becomes the emscripten module (see RuntimeModule)
      const moduleOptions = { locateFile: () => runtime };
      await ts.Parser.init(moduleOptions);
      const grammar = fs.readFileSync(findFile('tree-sitter-c.wasm', dirs));
      const language = await ts.Language.load(grammar);
      const abi = language.abiVersion;
      if (abi < SUPPORTED_ABI.min || abi > SUPPORTED_ABI.max) {
        throw new Error(`vmalias: tree-sitter-c.wasm has ABI ${abi}; this build supports ${SUPPORTED_ABI.min}–${SUPPORTED_ABI.max}`);
      }
      if (process.env.VMALIAS_TREE_COPY !== 'cursor') {
        directBuilder = probeDirectBuilder(ts, language, makeDirectBuilder(moduleOptions as unknown as RuntimeModule, language));
      }
      return { ts, language };
    })();
  }
  return wasmModule;
}

export async function createWasmBackend(): Promise<Backend> {
  const { ts, language } = await loadWasmLanguage();
  const parser = new ts.Parser();
  parser.setLanguage(language);
  return {
    name: 'wasm',
    parse(text: string, gaps?: readonly (readonly [number, number])[]): ParseResult {
      const t0 = performance.now();
      const deadline = t0 + PARSE_TIMEOUT_MS;
      const ranges = gaps?.length ? includedRanges(text, gaps) : undefined;
      const tree = parser.parse(parserText(text), null, { progressCallback: () => performance.now() > deadline, ...(ranges ? { includedRanges: ranges } : {}) });
      if (!tree) throw new Error('vmalias: parse timed out');
      const root = recoverTopLevelErrors(snodeFromTree(tree, text), text, (piece) => {
        const t = parser.parse(parserText(piece));
        if (!t) throw new Error('vmalias: parse failed');
        return snodeFromTree(t, piece);
      });
      return { root, parseMs: performance.now() - t0 };
    },
  };
}

interface NativeParser {
  setLanguage(lang: unknown): void;
  parse(input: string, oldTree?: unknown, options?: { bufferSize?: number }): { walk(): CursorLike };
}

export async function createNativeBackend(): Promise<Backend> {
  let Parser: new () => NativeParser;
  let C: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Parser = require('tree-sitter');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    C = require('tree-sitter-c');
  } catch (e) {
    throw new Error(`vmalias: the native tree-sitter binding is not available (${(e as Error).message}); use --parser wasm`, { cause: e });
  }
  const parser = new Parser();
  parser.setLanguage(C);
  return {
    name: 'native',
    parse(text: string): ParseResult {
      const t0 = performance.now();
      // The binding's default 32 KiB buffer makes large files re-enter JS often; size it to the text.
      const parseOne = (t: string) => buildSyntaxTree(parser.parse(parserText(t), undefined, { bufferSize: Math.max(32 * 1024, t.length + 1) }).walk());
      const root = recoverTopLevelErrors(parseOne(text), text, parseOne);
      return { root, parseMs: performance.now() - t0 };
    },
  };
}

/** The last backend created in this thread (the analyzer parses macro bodies with it: interp). */
let lastBackend: Backend | undefined;

export function loadedBackend(): Backend | undefined {
  return lastBackend;
}

export function createBackend(name: BackendName): Promise<Backend> {
  const b = name === 'native' ? createNativeBackend() : createWasmBackend();
  return b.then((x) => (lastBackend = x));
}
