/**
 * Entry point of the in-host suite (`extensionTestsPath`): runs every *.test.js next to this file
 * with mocha inside the extension host, and writes the results to $VMALIAS_TEST_RESULT so that the
 * driver (scripts/run-integration.mjs) can report them whatever the workbench does with the exit code.
 * Works the same under @vscode/test-electron.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type MochaType from 'mocha';
import { metrics } from './util';

interface TestRecord {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export function run(): Promise<void> {
  // mocha 12's package entry is ESM; its CommonJS build loads in any extension host.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require('mocha/lib/mocha.cjs') as typeof MochaType;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', grep: process.env.VMALIAS_TEST_GREP || undefined });
  for (const f of fs.readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  const tests: TestRecord[] = [];
  const write = (): void => {
    const out = process.env.VMALIAS_TEST_RESULT;
    if (out) fs.writeFileSync(out, JSON.stringify({ vscodeVersion: vscode.version, tests, metrics }, null, 2));
  };
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        write();
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      });
      runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
      runner.on('fail', (t, err: Error) => tests.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration, error: err.stack ?? String(err) }));
      runner.on('pending', (t) => tests.push({ title: t.fullTitle(), state: 'pending' }));
    } catch (e) {
      tests.push({ title: 'suite setup', state: 'failed', error: (e as Error).stack });
      write();
      reject(e as Error);
    }
  });
}
