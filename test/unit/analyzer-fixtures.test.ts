/**
 * Runs every C fixture through the analyzer and compares the findings with the fixture's
 * `/* expect: RULE *\/` annotations (one test per fixture, so a failure names the file), checks
 * every offered quick-fix, and feeds the analyzer bad input.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeText } from '../../analyzer/analyze';
import { createBackend } from '../../analyzer/parse/backends';
import type { Backend } from '../../analyzer/parse/backends';
import { countErrors } from '../../analyzer/parse/syntax';
import { RULE_IDS } from '../../analyzer/types';
import type { Finding, RuleId, Span } from '../../analyzer/types';
import {
  applyEdits, BAD_DIR, compareFindings, FIXTURE_DIR, fixtureOptions, formatComparison, lineOfOffset, listFixtures,
  mapOffset, parseFixture, parseKernelVersion, runFixture,
} from './fixtures-harness';

const fixtures = listFixtures();

/** A minimal finding for harness self-tests. */
function finding(line: number, rule: RuleId): Finding {
  const span: Span = { start: { line, column: 1 }, end: { line, column: 2 }, startOffset: 0, endOffset: 1 };
  return {
    rule, severity: 'warning', file: 'x.c', span, message: `${rule} here`, function: 'f', buffer: 'buf',
    direction: 'write', trace: [], kernel: 'newest', fixes: [], confidence: 'high',
    facts: { rule, direction: 'write', cpuWroteBefore: true, cpuReadsAfter: false, hasFlush: false, hasInvalidate: false, source: 'vmalloc' },
  };
}

/** The span's line/column must agree with its offsets (1-based, UTF-16), in the analysed text. */
function checkSpan(text: string, span: Span, what: string): void {
  const lineStart = (off: number): number => text.lastIndexOf('\n', off - 1) + 1;
  assert.ok(span.startOffset >= 0 && span.startOffset <= span.endOffset && span.endOffset <= text.length, `${what}: offsets out of range`);
  assert.equal(span.start.line, lineOfOffset(text, span.startOffset), `${what}: start line disagrees with startOffset`);
  assert.equal(span.start.column, span.startOffset - lineStart(span.startOffset) + 1, `${what}: start column disagrees with startOffset`);
  assert.equal(span.end.line, lineOfOffset(text, span.endOffset), `${what}: end line disagrees with endOffset`);
  assert.equal(span.end.column, span.endOffset - lineStart(span.endOffset) + 1, `${what}: end column disagrees with endOffset`);
}

describe('fixture harness', () => {
  test('parseFixture reads expect annotations and the kernel pin', () => {
    const spec = parseFixture('/* kernel: 5.2 */\nint a;\nf(); /* expect: vmalloc-linear-map */\ng(); /* expect: vmap-io-missing-flush, vmap-io-missing-invalidate */\n');
    assert.deepEqual(spec.kernel, { major: 5, minor: 2 });
    assert.deepEqual(spec.expectations, [
      { line: 3, rule: 'vmalloc-linear-map' },
      { line: 4, rule: 'vmap-io-missing-flush' },
      { line: 4, rule: 'vmap-io-missing-invalidate' },
    ]);
    assert.deepEqual(spec.problems, []);
  });

  test('parseFixture reads the options pin into AnalyzeOptions', () => {
    const spec = parseFixture('// x\n/* options: extraAllocators=foo_get, bar_get; extraSinks=foo_queue */\n');
    assert.deepEqual(spec.extraAllocators, ['foo_get', 'bar_get']);
    assert.deepEqual(spec.extraSinks, ['foo_queue']);
    assert.deepEqual(fixtureOptions(spec), { extraAllocators: ['foo_get', 'bar_get'], extraSinks: ['foo_queue'] });
    assert.equal(parseFixture('/* options: nonsense */\n').problems.length, 1);
  });

  test('parseFixture rejects unknown rule ids, repeated ids and bad pins', () => {
    const spec = parseFixture('/* kernel: five */\nf(); /* expect: no-such-rule */\ng(); /* expect: vmalloc-linear-map, vmalloc-linear-map */\n');
    assert.equal(spec.kernel, undefined);
    assert.equal(spec.problems.length, 3, spec.problems.join('; '));
    assert.deepEqual(parseKernelVersion('2.6.39'), { major: 2, minor: 6, patch: 39 });
  });

  test('compareFindings: missing, unexpected and duplicate findings all fail', () => {
    const exp = [{ line: 3, rule: 'vmalloc-linear-map' as RuleId }, { line: 7, rule: 'vmap-io-missing-flush' as RuleId }];
    assert.ok(compareFindings(exp, [finding(7, 'vmap-io-missing-flush'), finding(3, 'vmalloc-linear-map')]).ok);
    const c = compareFindings(exp, [finding(3, 'vmalloc-linear-map'), finding(3, 'vmalloc-linear-map'), finding(8, 'vmap-io-missing-flush')]);
    assert.equal(c.ok, false);
    assert.deepEqual(c.missing, [{ line: 7, rule: 'vmap-io-missing-flush' }]);
    assert.deepEqual(c.unexpected.map((u) => [u.line, u.rule]), [[8, 'vmap-io-missing-flush']]);
    assert.deepEqual(c.duplicated.map((u) => [u.line, u.count]), [[3, 2]]);
    const diff = formatComparison('x.c', 'a\nb\nvirt_to_page(p);\n', c);
    assert.match(diff, /missing +x\.c:7 +vmap-io-missing-flush/);
    assert.match(diff, /duplicate +x\.c:3/);
    assert.match(diff, /\| virt_to_page\(p\);/);
  });

  test('applyEdits and mapOffset follow 0-based offsets', () => {
    const text = 'ab\ncd\n';
    const ins = { file: 'x', newText: 'X;\n', span: { start: { line: 2, column: 1 }, end: { line: 2, column: 1 }, startOffset: 3, endOffset: 3 } };
    const rep = { file: 'x', newText: 'ZZ', span: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 }, startOffset: 0, endOffset: 1 } };
    assert.equal(applyEdits(text, [ins, rep]), 'ZZb\nX;\ncd\n');
    assert.equal(mapOffset(3, [ins, rep]), 7);
    assert.equal(lineOfOffset('ZZb\nX;\ncd\n', 7), 3);
    assert.throws(() => applyEdits(text, [rep, { ...rep, newText: 'Q' }]), /overlapping/);
  });

  test('the corpus is well-formed and covers every rule', () => {
    assert.ok(fixtures.length >= 40, `only ${fixtures.length} fixtures`);
    const perRule = new Map<RuleId, number>();
    let negatives = 0;
    for (const f of fixtures) {
      const spec = parseFixture(fs.readFileSync(path.join(FIXTURE_DIR, f), 'utf8'));
      assert.deepEqual(spec.problems, [], `${f}: ${spec.problems.join('; ')}`);
      if (spec.expectations.length === 0) negatives++;
      for (const e of spec.expectations) perRule.set(e.rule, (perRule.get(e.rule) ?? 0) + 1);
    }
    for (const r of RULE_IDS) assert.ok((perRule.get(r) ?? 0) > 0, `no fixture expects ${r}`);
    assert.ok(negatives >= 10, `only ${negatives} true-negative fixtures`);
  });
});

describe('fixture corpus', () => {
  for (const file of fixtures) {
    test(file, async () => {
      const run = await runFixture(file);
      assert.ok(run.comparison.ok, formatComparison(run.relPath, run.text, run.comparison));
      for (const f of run.findings) {
        assert.equal(f.file, run.relPath, `${file}:${f.span.start.line}: finding names another file`);
        const at = `${file}:${f.span.start.line} ${f.rule}`;
        checkSpan(run.text, f.span, at);
        // Every rule is reported at a call (submission, mapping, maintenance or conversion), by
        // name or through a function pointer (`x->ops->push(…)`, `(*fn)(…)`).
        const called = run.text.slice(f.span.startOffset, f.span.endOffset);
        assert.match(called, /^(?:[A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*)*|\(\s*\*\s*[A-Za-z_]\w*\s*\))\s*\([\s\S]*\)$/, `${at}: the span is not a call expression: ${called.slice(0, 60)}`);
        assert.ok(f.trace.length > 0, `${at}: empty trace`);
        for (const t of f.trace) if (t.file === f.file) checkSpan(run.text, t.span, `${at} trace "${t.message}"`);
      }
    });
  }
});

/**
 * For insertion-only fixes every original line must survive intact, in order: the fix adds lines,
 * it does not split one (which would, e.g., move a trailing comment onto the inserted call).
 * Returns the first original line number that is not found, or undefined.
 */
function firstLostLine(before: string, after: string): number | undefined {
  const a = before.split('\n');
  const b = after.split('\n');
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    while (j < b.length && b[j] !== a[i]) j++;
    if (j === b.length) return i + 1;
    j++;
  }
  return undefined;
}

interface FixFailure {
  where: string;
  reason: string;
}

describe('quick-fixes', () => {
  test('every offered fix parses cleanly and removes its finding on re-analysis', async () => {
    const wasm: Backend = await createBackend('wasm');
    const failures: FixFailure[] = [];
    const fixedRules = new Map<RuleId, number>();
    let verified = 0;
    for (const file of fixtures) {
      const run = await runFixture(file);
      const baseErrors = countErrors(wasm.parse(run.text).root);
      for (const f of run.findings) {
        for (const fix of f.fixes) {
          const where = `${file}:${f.span.start.line} ${f.rule} "${fix.title}"`;
          const edits = fix.edits.filter((e) => e.file === f.file);
          if (edits.length === 0 || edits.length !== fix.edits.length) {
            failures.push({ where, reason: 'fix has no edits, or edits for another file' });
            continue;
          }
          let fixed: string;
          try {
            fixed = applyEdits(run.text, edits);
          } catch (e) {
            failures.push({ where, reason: (e as Error).message });
            continue;
          }
          if (edits.every((e) => e.span.startOffset === e.span.endOffset)) {
            const lost = firstLostLine(run.text, fixed);
            if (lost !== undefined) failures.push({ where, reason: `an insertion-only fix splits original line ${lost} (insert whole lines, after any trailing comment)` });
          }
          const errors = countErrors(wasm.parse(fixed).root);
          if (errors > baseErrors) failures.push({ where, reason: `fixed text has ${errors - baseErrors} new ERROR/MISSING node(s)` });
          const again = await analyzeText(fixed, run.relPath, fixtureOptions(run.spec));
          const line = lineOfOffset(fixed, mapOffset(f.span.startOffset, edits));
          const still = again.findings.filter((g) => g.rule === f.rule && g.span.start.line === line);
          if (still.length > 0) failures.push({ where, reason: `still reported at line ${line} after the fix: ${still[0].message}` });
          verified++;
          fixedRules.set(f.rule, (fixedRules.get(f.rule) ?? 0) + 1);
        }
      }
    }
    assert.deepEqual(failures, [], failures.map((x) => `${x.where}: ${x.reason}`).join('\n'));
    assert.ok(verified > 0, 'no fix offered anywhere in the corpus');
    // The issue promises these fixes whenever the length is known, which the corpus makes so.
    for (const r of ['vmap-io-missing-flush', 'vmap-io-missing-invalidate', 'vmalloc-linear-map', 'vmap-io-maintenance-range'] as RuleId[]) {
      assert.ok((fixedRules.get(r) ?? 0) > 0, `no ${r} finding in the corpus offers a fix`);
    }
  });
});

describe('analysis degrades locally', () => {
  // Garbage the parser turns into ERROR nodes, inside balanced braces so that it is one top-level
  // definition. The two runtimes recover differently: native tree-sitter 0.25 keeps every other
  // function intact here, while web-tree-sitter 0.27 sometimes wraps the rest of the file in one
  // ERROR node (whose children still hold the next function's body).
  const broken = (n: number): string => `static int foo_broken_${n}(struct foo *f) { int a = ( 1 + ; ] @@ ; FOO_MACRO(a, ) ## ; return a; }`;

  for (const name of ['wasm', 'native'] as const) {
    test(`${name}: a broken function after the includes and at the end changes no finding of any fixture`, async () => {
      const backend = await createBackend(name);
      const differ: string[] = [];
      for (const file of fixtures) {
        const text = fs.readFileSync(path.join(FIXTURE_DIR, file), 'utf8');
        const spec = parseFixture(text);
        const lines = text.split('\n');
        const lastInclude = lines.reduce((k, l, i) => (l.startsWith('#include') ? i : k), -1);
        assert.ok(lastInclude >= 0, `${file}: no #include line`);
        const damaged = [...lines.slice(0, lastInclude + 1), broken(1), ...lines.slice(lastInclude + 1)].join('\n') + `\n${broken(2)}\n`;
        const shifted = spec.expectations.map((e) => ({ rule: e.rule, line: e.line > lastInclude + 1 ? e.line + 1 : e.line }));
        const r = await analyzeText(damaged, `test/fixtures/c/${file}`, fixtureOptions(spec, backend));
        const c = compareFindings(shifted, r.findings);
        if (!c.ok) differ.push(formatComparison(file, damaged, c));
      }
      assert.deepEqual(differ, [], `${differ.length} fixture(s) lose or gain findings when a broken function is added:\n${differ.join('\n')}`);
    });
  }
});

describe('bad input', () => {
  test('an empty file analyses to nothing', async () => {
    const text = fs.readFileSync(path.join(BAD_DIR, 'empty.c'), 'utf8');
    assert.equal(text, '');
    const r = await analyzeText(text, 'test/fixtures/bad/empty.c');
    assert.deepEqual(r.findings, []);
  });

  test('a binary file does not throw and yields no findings', async () => {
    const bytes = fs.readFileSync(path.join(BAD_DIR, 'binary.c'));
    assert.ok(bytes.includes(0), 'binary fixture should contain NUL bytes');
    const r = await analyzeText(new TextDecoder('utf-8').decode(bytes), 'test/fixtures/bad/binary.c');
    assert.deepEqual(r.findings, []);
  });

  test('a non-UTF-8 file still gets its findings, whichever way it is decoded', async () => {
    const bytes = fs.readFileSync(path.join(BAD_DIR, 'latin1.c'));
    assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), 'fixture should not be valid UTF-8');
    for (const text of [new TextDecoder('utf-8').decode(bytes), new TextDecoder('latin1').decode(bytes)]) {
      const spec = parseFixture(text);
      assert.equal(spec.expectations.length, 1);
      const r = await analyzeText(text, 'test/fixtures/bad/latin1.c');
      const c = compareFindings(spec.expectations, r.findings);
      assert.ok(c.ok, formatComparison('latin1.c', text, c));
      for (const f of r.findings) checkSpan(text, f.span, `latin1.c:${f.span.start.line}`);
    }
  });

  test('a generated 1 MB file is analysed completely', async () => {
    const { text, expected } = generateLargeFile(1 << 20);
    const t0 = performance.now();
    const r = await analyzeText(text, 'generated/large.c');
    const ms = performance.now() - t0;
    const c = compareFindings(expected, r.findings);
    assert.ok(c.ok, formatComparison('generated/large.c', text, c).split('\n').slice(0, 20).join('\n'));
    // The issue's target is 500 ms (measured by the benchmark); this only catches a runaway.
    assert.ok(ms < 120_000, `analysis of ${text.length} bytes took ${ms.toFixed(0)} ms`);
  });
});

/**
 * Kernel-style text of at least `bytes` characters: copies of one function with a missing flush,
 * each renamed, alternating with a true-negative copy that flushes. Returns the expected findings.
 */
function generateLargeFile(bytes: number): { text: string; expected: { line: number; rule: RuleId }[] } {
  const head = '// SPDX-License-Identifier: GPL-2.0\n#include <linux/bio.h>\n#include <linux/vmalloc.h>\n\n';
  const body = (i: number, flush: boolean): string[] => [
    `static int foo_write_${i}(struct block_device *bdev, sector_t sector, const void *src, unsigned int len)`,
    '{',
    '\tstruct bio *bio;',
    '\tunsigned int off;',
    '\tvoid *buf;',
    '\tint ret;',
    '',
    '\tbuf = vmalloc(len);',
    '\tif (!buf)',
    '\t\treturn -ENOMEM;',
    '\tmemcpy(buf, src, len);',
    '\tbio = bio_alloc(bdev, DIV_ROUND_UP(len, PAGE_SIZE), REQ_OP_WRITE, GFP_KERNEL);',
    '\tbio->bi_iter.bi_sector = sector;',
    '\tfor (off = 0; off < len; off += PAGE_SIZE)',
    '\t\t__bio_add_page(bio, vmalloc_to_page(buf + off), PAGE_SIZE, 0);',
    flush ? '\tflush_kernel_vmap_range(buf, len);' : '\t/* no maintenance */',
    '\tret = submit_bio_wait(bio);',
    '\tbio_put(bio);',
    '\tvfree(buf);',
    '\treturn ret;',
    '}',
    '',
  ];
  const lines = head.split('\n').slice(0, -1);
  const expected: { line: number; rule: RuleId }[] = [];
  let size = head.length;
  for (let i = 0; size < bytes; i++) {
    const flush = i % 2 === 1;
    const fn = body(i, flush);
    if (!flush) expected.push({ line: lines.length + fn.indexOf('\tret = submit_bio_wait(bio);') + 1, rule: 'vmap-io-missing-flush' });
    lines.push(...fn);
    size += fn.join('\n').length + 1;
  }
  return { text: lines.join('\n') + '\n', expected };
}
