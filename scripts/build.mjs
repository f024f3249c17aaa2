// One esbuild bundle per entry point (CLI, scan worker, extension), plus the two .wasm files next to them.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
// --outdir DIR: build elsewhere (the package-size test builds the production bundles into a temp dir)
const outAt = process.argv.indexOf('--outdir');
const dist = outAt > 0 && process.argv[outAt + 1] ? path.resolve(process.argv[outAt + 1]) : path.join(root, 'dist');
mkdirSync(dist, { recursive: true });

const entries = [
  { in: 'analyzer/cli.ts', out: 'cli', external: ['tree-sitter', 'tree-sitter-c'] },
  { in: 'analyzer/scan/worker.ts', out: 'worker', external: ['tree-sitter', 'tree-sitter-c'] },
  { in: 'extension/extension.ts', out: 'extension', external: ['vscode', 'tree-sitter', 'tree-sitter-c'] },
  // The extension parses only with web-tree-sitter (wasm), in this worker thread.
  { in: 'extension/engine/worker.ts', out: 'extension-worker', external: ['vscode', 'tree-sitter', 'tree-sitter-c'] },
  // Analyze Workspace: the whole-tree scanner in a worker thread; its pool runs dist/worker.js.
  { in: 'extension/engine/scanWorker.ts', out: 'extension-scan', external: ['vscode', 'tree-sitter', 'tree-sitter-c'] },
].filter((e) => existsSync(path.join(root, e.in)));

await Promise.all(entries.map((e) => build({
  entryPoints: { [e.out]: path.join(root, e.in) },
  outdir: dist,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: e.external,
  // web-tree-sitter is loaded with require() (analyzer/parse/backends.ts), so esbuild picks its CJS build;
  // its ESM build needs import.meta.url, which a CJS bundle lacks.
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
})));

copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), path.join(dist, 'web-tree-sitter.wasm'));
copyFileSync(path.join(path.dirname(require.resolve('tree-sitter-c/package.json')), 'tree-sitter-c.wasm'), path.join(dist, 'tree-sitter-c.wasm'));
console.log(`built ${entries.map((e) => e.out).join(', ')} into ${path.relative(root, dist) || '.'}/${production ? ' (production)' : ''}`);
