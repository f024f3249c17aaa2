#!/usr/bin/env node
// Installs code-server (VS Code 1.100.3 server + web workbench) into a cache folder, outside the
// project's dependencies and outside the VSIX, so the integration and e2e suites can run a real
// VS Code offline. Idempotent: a finished install is marked with its version and reused.
//
// Why the long way (--ignore-scripts, then rebuild the native modules by hand): code-server's own
// postinstall refuses root, node-pty's calls `npx node-gyp`, and @vscode/ripgrep downloads `rg`
// from a host we cannot reach. Debian's ripgrep replaces the download.
//
// Usage: node scripts/setup-vscode-test.mjs        → prints the code-server entry script path
//        node scripts/setup-vscode-test.mjs --debian-packages   → only the Debian packages (.ci/run)
// Env:   VMALIAS_CODE_SERVER_DIR  install folder (default ~/.cache/vmalias/code-server-<version>)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, symlinkSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';

export function codeServerDir() {
  return process.env.VMALIAS_CODE_SERVER_DIR
    || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'vmalias', `code-server-${CODE_SERVER_VERSION}`);
}

/** Path of the code-server launcher script (run it with `node`). */
export function codeServerEntry(dir = codeServerDir()) {
  return path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function run(cmd, args, cwd, extraEnv = {}) {
  console.error(`[setup-vscode-test] (${path.relative(process.cwd(), cwd) || '.'}) ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, npm_config_yes: 'true', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', ...extraEnv } });
}

// npm ≥ 11.19 skips dependency install scripts unless the project's package.json allows them
// (a command-line --allow-scripts is refused in a project). Older npm ignores the field.
function allowScripts(dir, names) {
  const f = path.join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(f, 'utf8'));
  pkg.allowScripts = { ...(pkg.allowScripts || {}), ...Object.fromEntries(names.map((n) => [n, true])) };
  writeFileSync(f, JSON.stringify(pkg, null, 2) + '\n');
}

function installedVersion(dir) {
  const marker = path.join(dir, '.vmalias-complete');
  if (!existsSync(marker) || !existsSync(codeServerEntry(dir))) return undefined;
  try {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'node_modules', 'code-server', 'package.json'), 'utf8'));
    return readFileSync(marker, 'utf8').trim() === pkg.version ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

function which(bin) {
  for (const d of (process.env.PATH || '').split(path.delimiter)) {
    const p = path.join(d, bin);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Debian packages the VS Code suites need: Chromium for the workbench, ripgrep for code-server's
 * search, headers for code-server's native modules (docs: vscode-in-ci recipe). One list, used by
 * `npm test` on a fresh machine and by .ci/run.
 */
export const DEBIAN_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'libx11-dev', 'pkg-config', 'python3', 'make', 'g++', 'git', 'ca-certificates'];

/** Install the missing Debian packages when running as root on Debian; otherwise say what is missing. */
export function ensureDebianPackages() {
  if (!existsSync('/usr/bin/dpkg-query')) return;
  const missing = DEBIAN_PACKAGES.filter((p) => {
    try {
      return !execFileSync('dpkg-query', ['-W', '-f=${Status}', p], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().includes('install ok installed');
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  if (process.getuid && process.getuid() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(' ')} (run: sudo apt-get install -y ${missing.join(' ')})`);
  }
  console.error(`[setup-vscode-test] installing Debian packages: ${missing.join(' ')}`);
  execFileSync('apt-get', ['update'], { stdio: ['ignore', 'inherit', 'inherit'] });
  execFileSync('apt-get', ['install', '-y', ...missing], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

export function ensureCodeServer() {
  ensureDebianPackages();
  const dir = codeServerDir();
  if (installedVersion(dir) === CODE_SERVER_VERSION) return codeServerEntry(dir);
  const rg = which('rg');
  if (!rg) throw new Error('ripgrep (rg) is required: apt-get install ripgrep');
  const t0 = Date.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'vmalias-code-server', private: true }, null, 2));
  const npm = 'npm';
  run(npm, ['install', '--no-save', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], dir);
  const cs = path.join(dir, 'node_modules', 'code-server');
  const vscodeDir = path.join(cs, 'lib', 'vscode');
  run(npm, ['install', '--omit=dev', '--ignore-scripts', '--no-save'], vscodeDir);
  const natives = ['kerberos', 'node-pty', '@parcel/watcher', '@vscode/spdlog', '@vscode/deviceid', 'native-watchdog'];
  allowScripts(vscodeDir, natives);
  run(npm, ['rebuild', ...natives], vscodeDir);
  const rgBin = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgBin, { recursive: true });
  copyFileSync(rg, path.join(rgBin, 'rg'));
  chmodSync(path.join(rgBin, 'rg'), 0o755);
  const asar = path.join(vscodeDir, 'node_modules.asar');
  if (!existsSync(asar)) symlinkSync('node_modules', asar);
  run(npm, ['install', '--omit=dev', '--ignore-scripts', '--no-save'], path.join(vscodeDir, 'extensions'));
  // argon2 is a dependency of the top folder (npm hoisted it there), so rebuild it from there.
  allowScripts(dir, ['argon2']);
  run(npm, ['rebuild', 'argon2'], dir);
  const version = JSON.parse(readFileSync(path.join(cs, 'package.json'), 'utf8')).version;
  if (version !== CODE_SERVER_VERSION) throw new Error(`installed code-server ${version}, wanted ${CODE_SERVER_VERSION}`);
  for (const f of [path.join(vscodeDir, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'), path.join(dir, 'node_modules', 'argon2', 'lib', 'binding', 'napi-v3', 'argon2.node')]) {
    if (!existsSync(f)) throw new Error(`native module was not built: ${f}`);
  }
  // Smoke check: the launcher starts and reports the version we pinned.
  const out = execFileSync(process.execPath, [codeServerEntry(dir), '--version'], { encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: path.join(dir, '.config') } });
  if (!out.includes(CODE_SERVER_VERSION)) throw new Error(`code-server --version said: ${out}`);
  writeFileSync(path.join(dir, '.vmalias-complete'), version + '\n');
  console.error(`[setup-vscode-test] code-server ${version} installed in ${dir} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  return codeServerEntry(dir);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  try {
    if (process.argv.includes('--debian-packages')) ensureDebianPackages();
    else console.log(ensureCodeServer());
  } catch (e) {
    console.error(`[setup-vscode-test] ${e.message}`);
    process.exit(1);
  }
}
