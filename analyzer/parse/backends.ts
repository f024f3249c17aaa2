/**
 * The two parser backends: web-tree-sitter with the grammar's prebuilt tree-sitter-c.wasm (used by
 * the extension and by default in the CLI), and the native `tree-sitter` N-API binding (CLI option
 * `--parser native`). Both produce the same SNode tree.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildSyntaxTree, CursorLike, SNode } from './syntax';

export type BackendName = 'wasm' | 'native';

export interface ParseResult {
  root: SNode;
  parseMs: number;
}

export interface Backend {
  readonly name: BackendName;
  parse(text: string): ParseResult;
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
      const cursor = tree.walk();
      try {
        const root = buildSyntaxTree(cursor as unknown as CursorLike);
        return { root, parseMs: performance.now() - t0 };
      } finally {
        cursor.delete();
        tree.delete();
      }
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
      const tree = parser.parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length + 1) });
      const root = buildSyntaxTree(tree.walk());
      return { root, parseMs: performance.now() - t0 };
    },
  };
}

export function createBackend(name: BackendName): Promise<Backend> {
  return name === 'native' ? createNativeBackend() : createWasmBackend();
}
