/**
 * Temporary directories for tests, removed when the test file finishes: a suite that runs on
 * every patch must not leave a hundred directories in /tmp per run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after } from 'node:test';

const made: string[] = [];

// registered when the test file imports this module, so on the file's root suite: a hook
// registered from inside a test would run when that one test ends
after(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

export function tmpdir(tag: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `vmalias-${tag}-`));
  made.push(d);
  return d;
}
