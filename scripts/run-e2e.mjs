#!/usr/bin/env node
// End-to-end UI test: package the extension (production bundle → vmalias-<version>.vsix), then
// run test/e2e/ui.test.mjs, which installs that VSIX into code-server with --install-extension and
// drives the workbench in headless Chromium. Pass --screenshots to refresh media/screenshots/.
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ensureCodeServer } from './setup-vscode-test.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const vsix = path.join(root, `${pkg.name}-${pkg.version}.vsix`);
const t0 = Date.now();

ensureCodeServer();
if (!process.argv.includes('--no-package')) {
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    console.error('run-e2e: npm run package failed');
    process.exit(1);
  }
}
if (!existsSync(vsix)) {
  console.error(`run-e2e: ${vsix} was not produced`);
  process.exit(1);
}
const size = statSync(vsix).size;
console.log(`run-e2e: ${path.basename(vsix)} ${(size / 1024).toFixed(1)} KB (packaged in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
if (size > 3 * 1024 * 1024) {
  console.error(`run-e2e: the VSIX is ${size} bytes, over the 3 MB budget`);
  process.exit(1);
}
const env = { ...process.env, VMALIAS_VSIX: vsix };
if (process.argv.includes('--screenshots')) env.VMALIAS_SCREENSHOTS = '1';
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', path.join(root, 'test', 'e2e', 'ui.test.mjs')], { cwd: root, stdio: 'inherit', env });
console.log(`run-e2e: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(r.status ?? 1);
