/**
 * Helpers for the patch tests: fixture access and a toy analyzer with the analyzer's signature.
 * The toy stands in for analyzer/analyze.ts where a test is about patch plumbing (positions,
 * before/after matching, fragments), so those tests do not depend on the real rules; the real
 * analyzer is exercised in patch-analyzer.test.ts.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { AnalysisResult, AnalyzeOptions, Finding, Span, TraceStep } from '../../analyzer/types';

export function repoRoot(): string {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json'))) d = path.dirname(d);
  return d;
}

export const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'patches');
export const BASE = path.join(FIXTURES, 'base');

/** A git runner for a throw-away repository (fixed identity, quiet), returning trimmed stdout. */
export function gitIn(repo: string, name = 'T', email = 't@example.org'): (...args: string[]) => string {
  return (...args) => execFileSync('git', ['-C', repo, '-c', `user.name=${name}`, '-c', `user.email=${email}`, ...args], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
}

export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, name));
}

/** 1-based line of the first line of `text` containing `needle` (after `from`). */
export function lineOf(text: string, needle: string, from = 1): number {
  const lines = text.split(/\r?\n/);
  for (let i = from - 1; i < lines.length; i++) if (lines[i].includes(needle)) return i + 1;
  throw new Error(`"${needle}" not found`);
}

function spanAt(text: string, line: number, col: number, len: number): Span {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const startOffset = starts[line - 1] + col - 1;
  return { start: { line, column: col }, end: { line, column: col + len }, startOffset, endOffset: startOffset + len };
}

/**
 * Toy rules, one kernel-style function at a time (`head(` in column 0 … `}` in column 0):
 * a REQ_OP_WRITE bio submitted with submit_bio_wait() without flush_kernel_vmap_range() is
 * vmap-io-missing-flush at the submit call; REQ_OP_READ without invalidate_kernel_vmap_range() is
 * vmap-io-missing-invalidate. Fix: insert the call on its own line before the submission.
 */
export async function toyAnalyze(text: string, file: string, opts?: AnalyzeOptions): Promise<AnalysisResult> {
  const lines = text.split('\n');
  const findings: Finding[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^[A-Za-z_][\w\s*]*?\b(\w+)\s*\(/.exec(lines[i]);
    if (!head || /;\s*$/.test(lines[i])) continue;
    let end = i + 1;
    while (end < lines.length && !/^\}/.test(lines[end])) end++;
    const body = lines.slice(i, end + 1);
    const joined = body.join('\n');
    const submitIdx = body.findIndex((l) => l.includes('submit_bio_wait('));
    if (submitIdx >= 0) {
      const write = joined.includes('REQ_OP_WRITE');
      const read = joined.includes('REQ_OP_READ');
      const sanitized = write ? joined.includes('flush_kernel_vmap_range(') : joined.includes('invalidate_kernel_vmap_range(');
      if ((write || read) && !sanitized) {
        const buf = /vmalloc_to_page\(([\w>.-]+)/.exec(joined)?.[1] ?? /_pages\(\w+,\s*([\w>.-]+)/.exec(joined)?.[1] ?? '?';
        const size = /v[z]?malloc\((\w+)\)/.exec(joined)?.[1] ?? (buf.includes('->') ? 'VSB_LOG_SIZE' : 'len');
        const line = i + submitIdx + 1;
        const col = lines[line - 1].indexOf('submit_bio_wait') + 1;
        const span = spanAt(text, line, col, 'submit_bio_wait'.length);
        const trace: TraceStep[] = [];
        const allocIdx = body.findIndex((l) => /v[z]?malloc\(/.test(l));
        if (allocIdx >= 0) trace.push({ kind: 'alloc', message: 'allocated here', file, span: spanAt(text, i + allocIdx + 1, 2, 1) });
        const addIdx = body.findIndex((l) => l.includes('bio_add_page('));
        if (addIdx >= 0) trace.push({ kind: 'page-add', message: 'pages added here', file, span: spanAt(text, i + addIdx + 1, 2, 1) });
        trace.push({ kind: 'submit', message: 'submitted here', file, span });
        const call = write ? 'flush_kernel_vmap_range' : 'invalidate_kernel_vmap_range';
        const insertAt = write ? line : line + 1;
        const at = spanAt(text, insertAt, 1, 0);
        findings.push({
          rule: write ? 'vmap-io-missing-flush' : 'vmap-io-missing-invalidate',
          severity: 'error',
          file,
          span,
          message: write ? `${buf} is written to the device without flush_kernel_vmap_range()` : `${buf} is read from the device without invalidate_kernel_vmap_range()`,
          function: head[1],
          buffer: buf,
          size,
          direction: write ? 'write' : 'read',
          trace,
          kernel: 'newest',
          fixes: [{ title: `insert ${call}()`, isPreferred: true, edits: [{ file, span: at, newText: `\t${call}(${buf}, ${size});\n` }] }],
          facts: { rule: write ? 'vmap-io-missing-flush' : 'vmap-io-missing-invalidate', direction: write ? 'write' : 'read', cpuWroteBefore: write, cpuReadsAfter: read, hasFlush: false, hasInvalidate: false, source: 'vmalloc' },
          confidence: opts?.confidence ?? 'high',
        });
      }
    }
    i = end;
  }
  return { file, findings, summaries: [], notes: [], stats: { parseMs: 0, analyzeMs: 0, functions: 0, errorNodes: 0 } };
}

// Registered only when this file runs itself, not when the other patch tests import the helpers.
if (require.main === module) test('toy analyzer: flags a write without flush and accepts one with flush', async () => {
  const bad = 'static int f(void)\n{\n\tbuf = vmalloc(len);\n\tbio_add_page(bio, vmalloc_to_page(buf), 1, 0);\n\tbio->op = REQ_OP_WRITE;\n\tsubmit_bio_wait(bio);\n}\n';
  const r = await toyAnalyze(bad, 'x.c');
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0].span.start.line, 6);
  assert.equal(r.findings[0].function, 'f');
  const good = bad.replace('\tsubmit_bio_wait', '\tflush_kernel_vmap_range(buf, len);\n\tsubmit_bio_wait');
  assert.equal((await toyAnalyze(good, 'x.c')).findings.length, 0);
});
