/**
 * The two parser backends: web-tree-sitter with the grammar's prebuilt tree-sitter-c.wasm (used by
 * the extension and by default in the CLI), and the native `tree-sitter` N-API binding (CLI option
 * `--parser native`). Both produce the same SNode tree.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildSyntaxTree, CursorLike, SNode, descendants, shiftTree } from './syntax';

export type BackendName = 'wasm' | 'native';

export interface ParseResult {
  root: SNode;
  parseMs: number;
}

export interface Backend {
  readonly name: BackendName;
  parse(text: string): ParseResult;
}

/** Walk a web-tree-sitter tree into an SNode tree and free the tree (WASM memory is not collected). */
export function snodeFromTree(t: { walk(): unknown; delete(): void }): SNode {
  const cursor = t.walk() as CursorLike & { delete(): void };
  try {
    return buildSyntaxTree(cursor);
  } finally {
    cursor.delete();
    t.delete();
  }
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
    return descendants(c).some((d) => d.error);
  };
  const regions = root.children.map(damaged);
  if (!regions.some(Boolean)) return root;
  const out: SNode[] = [];
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
      const row = (text.slice(0, absStart).match(/\n/g) ?? []).length;
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

let wasmModule: Promise<{ ts: WebTS; language: import('web-tree-sitter').Language }> | undefined;

/** Load (once) the web-tree-sitter runtime and the C grammar. */
export function loadWasmLanguage(): Promise<{ ts: WebTS; language: import('web-tree-sitter').Language }> {
  if (!wasmModule) {
    wasmModule = (async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const ts = require('web-tree-sitter') as WebTS;
      const dirs = wasmDirs();
      const runtime = findFile('web-tree-sitter.wasm', dirs);
      await ts.Parser.init({ locateFile: () => runtime });
      const grammar = fs.readFileSync(findFile('tree-sitter-c.wasm', dirs));
      const language = await ts.Language.load(grammar);
      const abi = language.abiVersion;
      if (abi < SUPPORTED_ABI.min || abi > SUPPORTED_ABI.max) {
        throw new Error(`vmalias: tree-sitter-c.wasm has ABI ${abi}; this build supports ${SUPPORTED_ABI.min}–${SUPPORTED_ABI.max}`);
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
    parse(text: string): ParseResult {
      const t0 = performance.now();
      const deadline = t0 + PARSE_TIMEOUT_MS;
      const tree = parser.parse(text, null, { progressCallback: () => performance.now() > deadline });
      if (!tree) throw new Error('vmalias: parse timed out');
      const root = recoverTopLevelErrors(snodeFromTree(tree), text, (piece) => {
        const t = parser.parse(piece);
        if (!t) throw new Error('vmalias: parse failed');
        return snodeFromTree(t);
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
      const parseOne = (t: string) => buildSyntaxTree(parser.parse(t, undefined, { bufferSize: Math.max(32 * 1024, t.length + 1) }).walk());
      const root = recoverTopLevelErrors(parseOne(text), text, parseOne);
      return { root, parseMs: performance.now() - t0 };
    },
  };
}

export function createBackend(name: BackendName): Promise<Backend> {
  return name === 'native' ? createNativeBackend() : createWasmBackend();
}
