/**
 * The extension's manifest and package contents: what `vsce ls` would put in the VSIX (a
 * whitelist: bundles, the two .wasm files, media/, README, CHANGELOG, LICENSE — no sources, no
 * node_modules), and manifest facts the marketplace and VS Code rely on. Needs `npm run build`.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('vsce ls: only the bundles, the wasm files, media, docs/rules.md, README, CHANGELOG, LICENSE', () => {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' });
  const files = out.split('\n').map((l) => l.trim()).filter(Boolean).sort();
  for (const f of ['package.json', 'LICENSE', 'CHANGELOG.md', 'dist/extension.js', 'dist/extension-worker.js', 'dist/extension-scan.js', 'dist/worker.js', 'dist/web-tree-sitter.wasm', 'dist/tree-sitter-c.wasm', 'media/simulation-view.js', 'media/simulation-view.css', 'media/simulation.css', 'docs/rules.md']) {
    assert.ok(files.includes(f), `${f} is packaged (got ${files.join(', ')})`);
  }
  for (const f of files) {
    assert.match(f, /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|docs\/rules\.md|dist\/(extension|extension-worker|extension-scan|worker)\.js|dist\/[\w-]+\.wasm|media\/[\w./-]+)$/, `${f} must not be packaged`);
    assert.doesNotMatch(f, /\.(ts|map)$|node_modules|^out\/|^test\//);
  }
  // The budget is for what ships: `npm run package` minifies the bundles (`npm test` builds them
  // unminified, with source maps), so the bundles are measured as a production build makes them.
  const prod = fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-prod-'));
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--production', '--outdir', prod], { cwd: ROOT });
    let bytes = 0;
    for (const f of files) bytes += fs.statSync(f.startsWith('dist/') ? path.join(prod, f.slice('dist/'.length)) : path.join(ROOT, f)).size;
    assert.ok(bytes < 3 * 1024 * 1024, `unpacked package content is ${bytes} bytes`);
  } finally {
    fs.rmSync(prod, { recursive: true, force: true });
  }
});

test('manifest: engine low enough for VS Code 1.100, activation, untrusted workspaces, documented settings', () => {
  assert.equal(pkg.main, './dist/extension.js');
  const engine = /^\^1\.(\d+)\.\d+$/.exec(pkg.engines.vscode);
  assert.ok(engine && Number(engine[1]) <= 100, `engines.vscode ${pkg.engines.vscode}`);
  const types = /^(\d+)\.(\d+)/.exec(pkg.devDependencies['@types/vscode']);
  assert.ok(types && Number(types[2]) <= Number(engine[1]), '@types/vscode is not newer than engines.vscode');
  assert.ok(pkg.activationEvents.includes('onLanguage:c'));
  assert.ok(pkg.activationEvents.includes('onLanguage:diff'));
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, true);
  assert.ok(pkg.capabilities.untrustedWorkspaces.description.length > 20);
  const props = pkg.contributes.configuration.properties as Record<string, { markdownDescription?: string; default?: unknown }>;
  assert.ok(Object.keys(props).length >= 8);
  for (const [k, v] of Object.entries(props)) {
    assert.match(k, /^vmalias\./);
    assert.ok(v.markdownDescription && v.markdownDescription.length > 20, `${k} has a markdownDescription`);
    assert.ok('default' in v, `${k} has a default`);
  }
  for (const c of pkg.contributes.commands) {
    assert.equal(c.category, 'vmalias');
    assert.match(c.command, /^vmalias\./);
  }
  assert.equal(pkg.files, undefined, 'vsce refuses both a files field and .vscodeignore');
});

test('CHANGELOG starts with the package version', () => {
  const changelog = fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
  assert.equal(/^## (\S+)/m.exec(changelog)?.[1], pkg.version);
});
