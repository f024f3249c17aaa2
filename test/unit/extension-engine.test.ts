/**
 * The extension's incremental engine without VS Code: content change → tree-sitter edit, the tree
 * LRU, and the property that an incrementally re-parsed tree equals a fresh parse.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import { loadWasmLanguage, recoverTopLevelErrors } from '../../analyzer/parse/backends';
import { buildSyntaxTree, CursorLike, SNode } from '../../analyzer/parse/syntax';
import { advancePoint, applyChanges, toTreeSitterEdit } from '../../extension/engine/edits';
import { TreeCache } from '../../extension/engine/treeCache';
import { DocumentAnalyzer } from '../../extension/engine/documentAnalyzer';
import { AnalysisClient } from '../../extension/engine/client';
import type { ContentChange } from '../../extension/engine/protocol';
import type { AnalysisResult } from '../../analyzer/types';

/** A VS Code-style change (pre-edit range) replacing [start, end) of `text` by `insert`. */
function change(text: string, start: number, end: number, insert: string): ContentChange {
  const pos = (off: number): { line: number; character: number } => {
    const before = text.slice(0, off);
    const line = before.split('\n').length - 1;
    return { line, character: off - (before.lastIndexOf('\n') + 1) };
  };
  const s = pos(start);
  const e = pos(end);
  return { startLine: s.line, startCharacter: s.character, endLine: e.line, endCharacter: e.character, rangeOffset: start, rangeLength: end - start, text: insert };
}

function shape(n: SNode): unknown {
  for (const c of n.children) assert.equal(c.parent, n, 'parent pointers are consistent');
  return [n.type, n.field, n.start, n.end, n.sr, n.sc, n.er, n.ec, n.op ?? null, n.children.map(shape)];
}

const fakeAnalyze = (root: SNode, _text: string, file: string): AnalysisResult => ({
  file, findings: [], summaries: [], notes: [`${root.children.length}`], stats: { parseMs: 0, analyzeMs: 0, functions: 0, errorNodes: 0 },
});

const SAMPLE = `// SPDX-License-Identifier: GPL-2.0
static int foo_write(struct block_device *bdev, unsigned int len)
{
\tvoid *buf = vzalloc(len); /* é — ünïcode 😀 */
\tstruct bio *bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_KERNEL);
\tmemset(buf, 0x5a, len);
\tbio_add_page(bio, vmalloc_to_page(buf), PAGE_SIZE, 0);
\treturn submit_bio_wait(bio);
}
`;

test('advancePoint counts rows by newline and columns in UTF-16 units', () => {
  assert.deepEqual(advancePoint({ row: 3, column: 4 }, 'ab'), { row: 3, column: 6 });
  assert.deepEqual(advancePoint({ row: 3, column: 4 }, 'ab\ncd\n'), { row: 5, column: 0 });
  assert.deepEqual(advancePoint({ row: 0, column: 0 }, 'x\r\n😀y'), { row: 1, column: 3 });
});

test('toTreeSitterEdit uses the pre-edit range and computes the new end', () => {
  const c = change('abc\ndef\n', 2, 5, 'XY\nZ');
  assert.deepEqual(toTreeSitterEdit(c), {
    startIndex: 2, oldEndIndex: 5, newEndIndex: 6,
    startPosition: { row: 0, column: 2 }, oldEndPosition: { row: 1, column: 1 }, newEndPosition: { row: 1, column: 1 },
  });
  assert.equal(applyChanges('abc\ndef\n', [c]), 'abXY\nZef\n');
});

test('TreeCache keeps one version per document, deletes replaced and evicted trees, LRU first', () => {
  const deleted: string[] = [];
  const t = (name: string): { name: string; delete(): void } => ({ name, delete: () => deleted.push(name) });
  const c = new TreeCache<{ name: string; delete(): void }>(2);
  c.set('a', 1, t('a1'));
  c.set('b', 1, t('b1'));
  c.set('a', 2, t('a2'));
  assert.deepEqual(deleted, ['a1']);
  assert.equal(c.get('a', 1), undefined, 'old version is gone');
  assert.equal(c.get('a', 2)?.name, 'a2');
  assert.equal(c.get('b', 1)?.name, 'b1'); // b is now most recent, a least
  c.set('c', 1, t('c1'));
  assert.deepEqual(deleted, ['a1', 'a2'], 'the least recently used tree was evicted and deleted');
  const taken = c.take('b');
  assert.equal(taken?.tree.name, 'b1');
  assert.deepEqual(deleted, ['a1', 'a2'], 'take hands ownership over without deleting');
  c.clear();
  assert.deepEqual(deleted, ['a1', 'a2', 'c1']);
  assert.equal(c.size, 0);
});

test('DocumentAnalyzer: incremental re-parse after random edits equals a fresh parse', async () => {
  const { ts, language } = await loadWasmLanguage();
  const withShape = (root: SNode, t: string, f: string): AnalysisResult => ({ ...fakeAnalyze(root, t, f), notes: [JSON.stringify(shape(root))] });
  const incremental = new DocumentAnalyzer(ts, language, withShape);
  const parser = new ts.Parser();
  parser.setLanguage(language);
  let text = SAMPLE;
  let version = 1;
  let r = incremental.analyze({ kind: 'analyze', id: 1, uri: 'u', file: 'f.c', version, text, options: {} });
  assert.equal(r.timings.incremental, false);
  const pieces = ['', 'x', ';', '\n', '{', '}', 'flush_kernel_vmap_range(buf, len);\n', '/* é */', '😀', 'if (a)\n\t', '"str"', '*/', '/*', '#if X\n', '#endif\n'];
  // Several functions, so that single edits leave top-level subtrees to reuse.
  text = [SAMPLE, SAMPLE.replace(/foo_write/g, 'foo_two'), SAMPLE.replace(/foo_write/g, 'foo_three')].join('\n');
  r = incremental.analyze({ kind: 'analyze', id: 1, uri: 'u', file: 'f.c', version: ++version, text, options: {} });
  await fc.assert(fc.property(
    fc.array(fc.tuple(fc.nat(), fc.nat(40), fc.constantFrom(...pieces)), { minLength: 1, maxLength: 3 }).map((a) => (a.length === 3 ? a : a.slice(0, 1))),
    (edits) => {
      const changes: ContentChange[] = [];
      for (const [a, len, ins] of edits) {
        let start = a % (text.length + 1);
        // Never split a surrogate pair: VS Code offsets never do.
        if (start > 0 && /[\uDC00-\uDFFF]/.test(text[start] ?? '')) start--;
        let end = Math.min(text.length, start + len);
        if (end > 0 && /[\uDC00-\uDFFF]/.test(text[end] ?? '')) end--;
        if (end < start) end = start;
        const c = change(text, start, end, ins);
        changes.push(c);
        text = applyChanges(text, [c]);
      }
      const base = version;
      version++;
      r = incremental.analyze({ kind: 'analyze', id: version, uri: 'u', file: 'f.c', version, baseVersion: base, changes, text, options: {} });
      assert.equal(r.error, undefined);
      assert.equal(r.timings.incremental, true);
      const fresh = parser.parse(text);
      assert.ok(fresh);
      const cur = fresh.walk();
      // the analyzer sees the fresh tree after the same syntax-damage recovery the CLI applies
      const expected = shape(recoverTopLevelErrors(buildSyntaxTree(cur as unknown as CursorLike), text, (piece) => {
        const t = parser.parse(piece);
        assert.ok(t);
        const c = t.walk();
        const n = buildSyntaxTree(c as unknown as CursorLike);
        c.delete();
        t.delete();
        return n;
      }));
      cur.delete();
      fresh.delete();
      assert.equal(r.result?.notes[0], JSON.stringify(expected));
    },
  ), { numRuns: 150, seed: 4242 });
  assert.ok(incremental.reuse.reused > 50, `top-level subtrees reused: ${JSON.stringify(incremental.reuse)}`);
  incremental.dispose();
  parser.delete();
});

test('DocumentAnalyzer hands the analyzer the same tree whether the parse was incremental or not', async () => {
  const { ts, language } = await loadWasmLanguage();
  const seen: string[] = [];
  const capture = (root: SNode, t: string, f: string): AnalysisResult => {
    seen.push(JSON.stringify(shape(root)));
    return fakeAnalyze(root, t, f);
  };
  const a = new DocumentAnalyzer(ts, language, capture);
  a.analyze({ kind: 'analyze', id: 1, uri: 'u', file: 'f.c', version: 1, text: SAMPLE, options: {} });
  const at = SAMPLE.indexOf('\treturn');
  const c = change(SAMPLE, at, at, '\tflush_kernel_vmap_range(buf, len);\n');
  const next = applyChanges(SAMPLE, [c]);
  const r = a.analyze({ kind: 'analyze', id: 2, uri: 'u', file: 'f.c', version: 2, baseVersion: 1, changes: [c], text: next, options: {} });
  assert.equal(r.timings.incremental, true);
  const b = new DocumentAnalyzer(ts, language, capture);
  const r2 = b.analyze({ kind: 'analyze', id: 3, uri: 'u', file: 'f.c', version: 7, text: next, options: {} });
  assert.equal(r2.timings.incremental, false);
  assert.equal(seen[1], seen[2]);
  // A stale base version falls back to a full parse instead of editing the wrong tree.
  const r3 = a.analyze({ kind: 'analyze', id: 4, uri: 'u', file: 'f.c', version: 9, baseVersion: 5, changes: [c], text: applyChanges(next, [c]), options: {} });
  assert.equal(r3.timings.incremental, false);
  a.close('u');
  assert.deepEqual(a.cachedDocuments(), []);
  a.dispose();
  b.dispose();
});

test('DocumentAnalyzer refuses documents over the size limit with a message, not an exception', async () => {
  const { ts, language } = await loadWasmLanguage();
  const a = new DocumentAnalyzer(ts, language, fakeAnalyze);
  const r = a.analyze({ kind: 'analyze', id: 1, uri: 'u', file: 'f.c', version: 1, text: 'int x;\n'.repeat(100), options: {}, maxLength: 100 });
  assert.match(r.error ?? '', /over the limit/);
  assert.equal(r.result, undefined);
  a.dispose();
});

test('the worker analyses a document with the real analyzer and finds the missing flush', async () => {
  const client = new AnalysisClient(path.join(__dirname, '..', '..', 'extension', 'engine', 'worker.js'));
  try {
    const r = await client.analyze({ uri: 'mem:1', file: 'foo.c', version: 1, text: SAMPLE, options: {} });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.result?.findings.map((f) => f.rule), ['vmap-io-missing-flush']);
    const at = SAMPLE.indexOf('\treturn');
    const c = change(SAMPLE, at, at, '\tflush_kernel_vmap_range(buf, len);\n');
    const r2 = await client.analyze({ uri: 'mem:1', file: 'foo.c', version: 2, baseVersion: 1, changes: [c], text: applyChanges(SAMPLE, [c]), options: {} });
    assert.equal(r2.timings.incremental, true);
    assert.deepEqual(r2.result?.findings, []);
  } finally {
    client.dispose();
  }
});
