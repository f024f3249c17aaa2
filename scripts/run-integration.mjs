#!/usr/bin/env node
// In-host integration tests: the mocha suite in out/test/integration/suite runs inside a real
// VS Code extension host (code-server 4.100.3), loaded through the workbench's test payload with
// the vscode-remote:// authority (a file:// path finds no extension host). The extension under test
// is this checkout (extensionDevelopmentPath), so run `npm run build && npm run compile-tests` first.
//
// Results come back twice: codeAutomationExit from the workbench, and a JSON file the suite writes.
// Prints each test and a closing "N passed, N failed" line; exits non-zero on any failure.
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, copyWorkspace, launchChromium, seedUserData, startCodeServer, tempDir, isNoise, removeDir } from '../test/e2e/harness.mjs';

const TIMEOUT_MS = Number(process.env.VMALIAS_INTEGRATION_TIMEOUT_MS || 300_000);
const verbose = process.argv.includes('--verbose');
// --bench: the extension benchmark (test/integration/bench) instead of the test suite.
const bench = process.argv.includes('--bench');
const testsPath = path.join('out', 'test', 'integration', bench ? 'bench' : 'suite', 'index.js');

for (const f of ['dist/extension.js', 'dist/extension-worker.js', testsPath]) {
  if (!existsSync(path.join(ROOT, f))) {
    console.error(`run-integration: ${f} is missing; run npm run build && npm run compile-tests first`);
    process.exit(2);
  }
}

const t0 = Date.now();
const work = tempDir('vmalias-int-');
const workspace = copyWorkspace(path.join(ROOT, 'test', 'integration', 'fixtures', 'ws'));
const userDataDir = path.join(work, 'user');
const extensionsDir = path.join(work, 'extensions');
mkdirSync(extensionsDir, { recursive: true });
seedUserData(userDataDir, { 'vmalias.debounceMs': bench ? 0 : 50 });
const resultFile = path.join(work, 'result.json');

function report(result, seconds, label) {
  for (const t of result?.tests ?? []) {
    console.log(`${t.state === 'passed' ? '  ✔' : '  ✖'} ${t.title}${t.durationMs !== undefined ? ` (${t.durationMs} ms)` : ''}`);
    if (t.error) console.log(`      ${t.error.split('\n').join('\n      ')}`);
  }
  if (result?.metrics && bench) for (const [k, v] of Object.entries(result.metrics)) console.log(`${k.padEnd(22)} ${v}`);
  else if (result?.metrics) console.log(`metrics: ${JSON.stringify(result.metrics)}`);
  const passed = result ? result.tests.filter((t) => t.state === 'passed').length : 0;
  const failed = result ? result.tests.filter((t) => t.state !== 'passed').length : 0;
  console.log(`${bench ? 'benchmark' : 'integration'} (${label} ${result?.vscodeVersion ?? '?'}, ${seconds.toFixed(1)} s)`);
  console.log(`${passed} passed, ${failed} failed`);
  return result && failed === 0 && passed > 0;
}

// --electron: the same suite under @vscode/test-electron (downloads VS Code; needs the network).
if (process.argv.includes('--electron')) {
  const { runTests } = await import('@vscode/test-electron');
  try {
    await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, testsPath),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', userDataDir],
      extensionTestsEnv: { VMALIAS_TEST_RESULT: resultFile, VMALIAS_TEST_GREP: process.env.VMALIAS_TEST_GREP || '' },
    });
  } catch (e) {
    console.error(`run-integration: ${e.message || e}`);
  }
  const ok = report(existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, 'utf8')) : undefined, (Date.now() - t0) / 1000, 'VS Code');
  removeDir(work);
  removeDir(path.dirname(workspace));
  process.exit(ok ? 0 : 1);
}

let server;
let browser;
let exitCode;
try {
  server = await startCodeServer({
    workspace, extensionsDir, userDataDir,
    env: { VMALIAS_TEST_RESULT: resultFile, VMALIAS_TEST_WORKSPACE: workspace, VMALIAS_TEST_GREP: process.env.VMALIAS_TEST_GREP || '' },
    log: (s) => { if (verbose) process.stderr.write(s); },
  });
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(ROOT)],
    ['extensionTestsPath', remote(path.join(ROOT, testsPath))],
  ];
  const url = `${server.url}?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  browser = await launchChromium();
  const page = await browser.newPage();
  const logs = [];
  const finished = new Promise((resolve) => {
    page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = Array.isArray(args) ? args.join(' ') : String(args);
      logs.push(line);
      if (verbose) console.error(`[host ${type}] ${line}`);
    });
    page.exposeFunction('codeAutomationExit', (code) => resolve(code));
  });
  page.on('console', (m) => { if (verbose && !isNoise(m.text())) console.error(`[page ${m.type()}] ${m.text()}`); });
  await page.goto(url);
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS));
  const code = await Promise.race([finished, timeout]);
  const result = existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, 'utf8')) : undefined;
  if (code === 'timeout') console.error(`run-integration: no result after ${TIMEOUT_MS / 1000} s`);
  if (!result) console.error(`run-integration: the suite wrote no result file (workbench exit code ${code})\n${logs.slice(-40).join('\n')}`);
  const ok = report(result, (Date.now() - t0) / 1000, 'code-server');
  exitCode = ok && code !== 'timeout' ? 0 : 1;
} catch (e) {
  console.error(`run-integration: ${e.stack || e}`);
  exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  server?.stop();
  removeDir(work);
  removeDir(path.dirname(workspace));
}
process.exit(exitCode);
