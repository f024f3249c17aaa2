// Starting code-server and headless Chromium for the integration and e2e suites
// (recipe: docs/extension.md, "Testing inside VS Code"). Everything started here is stopped by pid / process group.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, cpSync, rmSync } from 'node:fs';
import os from 'node:os';
import { setTimeout, clearTimeout } from 'node:timers';
import path from 'node:path';
import { ensureCodeServer } from '../../scripts/setup-vscode-test.mjs';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const CHROMIUM = process.env.VMALIAS_CHROMIUM || '/usr/bin/chromium';

/** A fresh temporary folder under the OS temp dir. */
export function tempDir(prefix) {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Copy a fixture workspace so tests may edit and save files freely. */
export function copyWorkspace(src, prefix = 'vmalias-ws-') {
  const dst = path.join(tempDir(prefix), path.basename(src));
  cpSync(src, dst, { recursive: true });
  return dst;
}

/** User settings for a quiet, deterministic workbench. */
export function seedUserData(userDataDir, extra = {}) {
  const dir = path.join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'chat.disableAIFeatures': true,
    'window.commandCenter': false,
    'workbench.colorTheme': 'Default Light Modern',
    'editor.minimap.enabled': false,
    'files.associations': { '*.h': 'c' },
    ...extra,
  }, null, 2));
}

/** Install a VSIX the way a user does (`code-server --install-extension`). */
export function installVsix(vsix, extensionsDir, userDataDir) {
  const entry = ensureCodeServer();
  execFileSync(process.execPath, [entry, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--force'], {
    stdio: ['ignore', 'pipe', 'inherit'], env: codeServerEnv(userDataDir),
  });
}

function codeServerEnv(userDataDir, extra = {}) {
  return { ...process.env, XDG_CONFIG_HOME: path.join(userDataDir, '.config'), XDG_DATA_HOME: path.join(userDataDir, '.data'), ...extra };
}

/**
 * Start code-server on a free loopback port. Resolves with { port, url, stop } once it listens.
 */
export function startCodeServer({ workspace, extensionsDir, userDataDir, env = {}, log = () => {} }) {
  const entry = ensureCodeServer();
  const args = [entry, '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override',
    '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, workspace];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: codeServerEnv(userDataDir, env) });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { stop(); reject(new Error(`code-server did not start in 60 s:\n${output}`)); }, 60_000);
    function stop() {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
    }
    const onData = (d) => {
      const s = d.toString();
      output += s;
      log(s);
      const m = /HTTP server listening on https?:\/\/[^:\s]+:(\d+)/.exec(output);
      if (m && timer) {
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({ port, url: `http://127.0.0.1:${port}/`, stop, child, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`code-server exited with ${code}:\n${output}`)); });
  });
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Console noise of an offline workbench that says nothing about vmalias. */
export function isNoise(text) {
  return /ENOTFOUND|open-vsx|marketplace|ERR_NAME_NOT_RESOLVED|Failed to load resource|net::ERR|DEPRECATED|\[Extension Host\] \[ms-vscode/i.test(text);
}

export function removeDir(dir) {
  try { rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
}
