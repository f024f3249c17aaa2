import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parsePatches } from '../../analyzer/patch/parse';
import type { BaseTree } from '../../analyzer/patch/apply';
import { definesFunction, diffFindings, reviewKernel, reviewSet, scanPatchText } from '../../analyzer/patch/review';
import { gitBase } from '../../analyzer/patch/git';
import { formatMailback, formatReply } from '../../analyzer/patch/format';
import { reviewCommand } from '../../analyzer/patch/command';
import type { AnalyzeOptions, Finding, KernelVersion } from '../../analyzer/types';
import { BASE, fixture, gitIn, lineOf, toyAnalyze } from './patch-helpers.test';

const analyze = toyAnalyze;

test('format-patch with base: the finding sits on the added submit_bio_wait line', async () => {
  const raw = fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch');
  const { findings, notes } = await scanPatchText(raw, 'p.patch', { base: BASE, analyze });
  assert.deepEqual(notes, []);
  assert.equal(findings.length, 1);
  const pf = findings[0];
  assert.equal(pf.finding.rule, 'vmap-io-missing-flush');
  assert.deepEqual(pf.patch, { index: 1, subject: '[PATCH] vsb: write the superblock when the log is set up', file: 'p.patch', line: 50, column: 9 });
  assert.deepEqual(pf.target, { path: 'drivers/block/vsb.c', line: 57 });
  assert.equal(pf.finding.confidence, 'high');
  assert.equal(raw.toString().split('\n')[pf.patch.line - 1].slice(pf.patch.column - 1, pf.patch.column - 1 + 15), 'submit_bio_wait');
});

test('CRLF copy: same findings at the same lines', async () => {
  const lf = await scanPatchText(fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'), 'p', { base: BASE, analyze });
  const crlf = await scanPatchText(fixture('crlf-write-sb.patch'), 'p', { base: BASE, analyze });
  assert.deepEqual(crlf.findings.map((f) => [f.patch, f.target]), lf.findings.map((f) => [f.patch, f.target]));
});

test('mbox series with base: patch 2 introduces a missing flush, patch 3 removes one', async () => {
  const raw = fixture('series-cover-3.mbox').toString();
  const review = await reviewSet(parsePatches(raw, 's.mbox'), { base: BASE, analyze });
  assert.deepEqual(review.problems, []);
  const got = review.findings.map((f) => [f.patch.index, f.patch.line, f.finding.function, f.target.line, f.finding.preexisting ?? false]);
  assert.deepEqual(got, [
    [2, lineOf(raw, '+\tret = submit_bio_wait(bio);'), 'vsb_write_sb', 57, false],
    // Patch 3 only deletes a line: the finding is at the context line that shows the submission.
    [3, lineOf(raw, ' \tret = submit_bio_wait(bio);', lineOf(raw, 'Subject: [PATCH 3/3]')), 'vsb_flush_log', 32, false],
  ]);
  assert.ok(review.notes.some((n) => n.includes('cover letter')));
});

test('--all adds the findings that exist before the patch, marked preexisting', async () => {
  const raw = fixture('series-cover-3.mbox').toString();
  const review = await reviewSet(parsePatches(raw, 's.mbox'), { base: BASE, analyze, all: true });
  const pre = review.findings.filter((f) => f.finding.preexisting);
  assert.equal(pre.length, 1);
  assert.equal(pre[0].patch.index, 3);
  assert.equal(pre[0].finding.function, 'vsb_write_sb');
  // Outside every hunk of patch 3: reported at the first changed line of its (only) hunk.
  assert.equal(pre[0].patch.line, lineOf(raw, '-\tflush_kernel_vmap_range'));
  assert.equal(pre[0].patch.column, 1);
  assert.equal(review.findings.length, 3);
});

test('quoted-printable mail: missing invalidate at the decoded submit line', async () => {
  const { findings } = await scanPatchText(fixture('qp-latin1.eml'), 'qp.eml', { base: BASE, analyze });
  assert.equal(findings.length, 1);
  assert.equal(findings[0].finding.rule, 'vmap-io-missing-invalidate');
  assert.equal(findings[0].patch.line, 44);
  assert.equal(findings[0].finding.function, 'vsb_check_sb');
});

test('rename that drops a flush: before is the old path, finding in the new path', async () => {
  const raw = fixture('rename-drops-flush.patch').toString();
  const { findings } = await scanPatchText(raw, 'r.patch', { base: BASE, analyze });
  assert.deepEqual(findings.map((f) => [f.patch.line, f.target.path, f.target.line, f.finding.function]), [
    [lineOf(raw, ' \tret = submit_bio_wait(bio);'), 'drivers/block/vsb_log.c', 30, 'vsb_flush_log'],
  ]);
});

test('a patch that does not apply is reported, the next one still reviewed', async () => {
  const raw = fixture('does-not-apply.mbox').toString();
  const { findings, notes } = await scanPatchText(raw, 'n.mbox', { base: BASE, analyze });
  assert.ok(notes.some((n) => n.startsWith('patch 1 "[PATCH 1/2] vsb: drop the log flush before submission": hunk 1 of drivers/block/vsb.c') && n.includes('does not apply')));
  assert.deepEqual(findings.map((f) => [f.patch.index, f.patch.line]), [[2, lineOf(raw, '+\tret = submit_bio_wait(bio);')]]);
});

test('malformed series: the broken hunks are skipped and named, the good hunk still reviewed', async () => {
  const raw = fixture('malformed.mbox').toString();
  const { findings, notes } = await scanPatchText(raw, 'm.mbox', { base: BASE, analyze });
  assert.equal(notes.filter((n) => /hunk 1 of drivers\/block\/vsb\.c/.test(n)).length, 2);
  assert.deepEqual(findings.map((f) => [f.patch.index, f.patch.line]), [[1, lineOf(raw, '+\tret = submit_bio_wait(bio);')]]);
});

test('binary, docs and a harmless C change: clean', async () => {
  const { findings, notes } = await scanPatchText(fixture('binary-docs-and-c.patch'), 'b.patch', { base: BASE, analyze });
  assert.deepEqual(findings, []);
  assert.ok(notes.some((n) => n.includes('binary file firmware/vsb.bin skipped')));
});

test('without a base: modified files reviewed from hunk fragments with low confidence', async () => {
  const raw = fixture('series-cover-3.mbox').toString();
  const { findings } = await scanPatchText(raw, 's.mbox', { analyze });
  assert.deepEqual(findings.map((f) => [f.patch.index, f.patch.line, f.target.line, f.finding.confidence, f.finding.function]), [
    [2, lineOf(raw, '+\tret = submit_bio_wait(bio);'), 57, 'low', 'vsb_write_sb'],
  ]);
  // Trace steps are in post-image lines, not fragment lines.
  assert.deepEqual(findings[0].finding.trace.map((t) => t.span.start.line), [46, 56, 57]);
});

test('without a base: a removed flush is found when the hunk shows the function', async () => {
  const diff = [
    'diff --git a/drivers/x.c b/drivers/x.c',
    '--- a/drivers/x.c',
    '+++ b/drivers/x.c',
    '@@ -20,9 +20,8 @@ static int x_write(struct x *x)',
    ' \tbio = bio_alloc(x->bdev, 1, REQ_OP_WRITE, GFP_KERNEL);',
    ' \tbio_add_page(bio, vmalloc_to_page(x->buf), PAGE_SIZE, 0);',
    ' ',
    '-\tflush_kernel_vmap_range(x->buf, PAGE_SIZE);',
    ' \tret = submit_bio_wait(bio);',
    ' \tbio_put(bio);',
    ' \treturn ret;',
    ' }',
    ' ',
    '',
  ].join('\n');
  const { findings } = await scanPatchText(diff, 'x.diff', { analyze });
  assert.deepEqual(findings.map((f) => [f.patch.line, f.target.line, f.finding.function, f.finding.confidence]), [[9, 23, 'x_write', 'low']]);
});

test('new file without a base is analysed whole, with high confidence', async () => {
  const diff = [
    'diff --git a/drivers/n.c b/drivers/n.c',
    'new file mode 100644',
    '--- /dev/null',
    '+++ b/drivers/n.c',
    '@@ -0,0 +1,8 @@',
    '+static int n_write(void *buf)',
    '+{',
    '+\tstruct bio *bio = bio_alloc(NULL, 1, REQ_OP_WRITE, GFP_KERNEL);',
    '+',
    '+\tbio_add_page(bio, vmalloc_to_page(buf), PAGE_SIZE, 0);',
    '+\treturn submit_bio_wait(bio);',
    '+}',
    '+',
    '',
  ].join('\n');
  const { findings } = await scanPatchText(diff, 'n.diff', { analyze });
  assert.deepEqual(findings.map((f) => [f.patch.line, f.patch.column, f.target.line, f.finding.confidence]), [[11, 10, 6, 'high']]);
});

test('a submission outside every hunk is reported at the first changed line of the hunk in its function', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-outside-'));
  try {
    const src = [
      'static int y_write(struct y *y)', // 1
      '{',
      '\tstruct bio *bio = bio_alloc(y->bdev, 1, REQ_OP_WRITE, GFP_KERNEL);',
      '\tint ret;',
      '',
      '\tbio_add_page(bio, vmalloc_to_page(y->buf), PAGE_SIZE, 0);',
      '\tflush_kernel_vmap_range(y->buf, PAGE_SIZE);', // 7
      '\ty->count++;',
      '\ty->count++;',
      '\ty->count++;',
      '\ty->count++;',
      '\tret = submit_bio_wait(bio);', // 12
      '\treturn ret;',
      '}',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(tmp, 'y.c'), src);
    const diff = ['--- a/y.c', '+++ b/y.c', '@@ -6,3 +6,2 @@ static int y_write(struct y *y)', ' \tbio_add_page(bio, vmalloc_to_page(y->buf), PAGE_SIZE, 0);', '-\tflush_kernel_vmap_range(y->buf, PAGE_SIZE);', ' \ty->count++;', ''].join('\n');
    const { findings } = await scanPatchText(diff, 'y.diff', { base: tmp, analyze });
    assert.deepEqual(findings.map((f) => [f.patch.line, f.patch.column, f.target.path, f.target.line]), [[5, 1, 'y.c', 11]]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('diffFindings matches by rule + function + buffer as a multiset', () => {
  const mk = (rule: Finding['rule'], fn: string, buffer: string, line: number): Finding =>
    ({ rule, function: fn, buffer, span: { start: { line, column: 1 }, end: { line, column: 2 }, startOffset: 0, endOffset: 1 } }) as Finding;
  const before = [mk('vmap-io-missing-flush', 'f', 'buf', 10)];
  const after = [mk('vmap-io-missing-flush', 'f', 'buf', 30), mk('vmap-io-missing-flush', 'f', 'buf', 40), mk('vmap-io-missing-flush', 'g', 'buf', 50), mk('vmap-io-missing-invalidate', 'f', 'buf', 60)];
  const d = diffFindings(before, after);
  assert.deepEqual(d.preexisting.map((f) => f.span.start.line), [30]);
  assert.deepEqual(d.introduced.map((f) => f.span.start.line), [40, 50, 60]);
});

test('an analyzer that throws becomes a note, never an exception', async () => {
  const { findings, notes } = await scanPatchText(fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'), 'p', {
    base: BASE,
    analyze: async () => {
      throw new Error('boom');
    },
  });
  assert.deepEqual(findings, []);
  assert.ok(notes.some((n) => n.includes('analysis of drivers/block/vsb.c failed: boom')));
  const review = await reviewSet(parsePatches(fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'), 'p'), {
    base: BASE,
    analyze: async () => {
      throw new Error('boom');
    },
  });
  assert.deepEqual(review.problems.map((p) => [p.patch, p.line]), [[1, 14], [1, 14]]); // before and after
});

test('a series storing vmalloc memory in a member in one file and mapping it in another: the reader is flagged', async () => {
  const newFile = (name: string, lines: string[]): string[] => [
    `diff --git a/drivers/misc/zq/${name} b/drivers/misc/zq/${name}`, 'new file mode 100644', '--- /dev/null', `+++ b/drivers/misc/zq/${name}`,
    `@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`),
  ];
  const header = newFile('zq.h', ['struct zq_dev {', '\tstruct scatterlist sg;', '\tvoid *log;', '};']);
  const core = newFile('zq_core.c', ['#include "zq.h"', '', 'int zq_init(struct zq_dev *zd)', '{', '\tzd->log = vzalloc(1 << 16);', '\treturn zd->log ? 0 : -ENOMEM;', '}']);
  const dma = newFile('zq_dma.c', ['#include "zq.h"', '', 'void zq_push(struct zq_dev *zd)', '{', '\tsg_init_one(&zd->sg, zd->log, 1 << 16);', '}']);
  const both = await scanPatchText([...header, ...core, ...dma, ''].join('\n'), 'zq.diff', {});
  assert.deepEqual(both.findings.map((f) => [f.target.path, f.target.line, f.finding.rule]), [['drivers/misc/zq/zq_dma.c', 5, 'vmalloc-linear-map']]);
  assert.deepEqual(both.findings[0].finding.trace.map((s) => path.basename(s.file)), ['zq_core.c', 'zq_core.c', 'zq_dma.c']);
  // the mapping alone: nothing says what the member holds
  const alone = await scanPatchText([...header, ...dma, ''].join('\n'), 'zq.diff', {});
  assert.deepEqual(alone.findings, []);
});

// ---- Moved code: a function with a finding moved to another file keeps its finding pre-existing.

const QZ_DUMP = [
  'int qz_dump_log(struct qz_dev *qd, sector_t where)',
  '{',
  '\tstruct bio *bio = bio_alloc(qd->bdev, 1, REQ_OP_WRITE, GFP_NOFS);',
  '\tint ret;',
  '',
  '\tbio->bi_iter.bi_sector = where;',
  '\tbio_add_page(bio, vmalloc_to_page(qd->log), PAGE_SIZE, 0);',
  '\tret = submit_bio_wait(bio);',
  '\tbio_put(bio);',
  '\treturn ret;',
  '}',
];
const QZ_SB = [
  'int qz_write_sb(struct qz_dev *qd)',
  '{',
  '\tstruct bio *bio = bio_alloc(qd->bdev, 1, REQ_OP_WRITE, GFP_NOFS);',
  '\tint ret;',
  '',
  '\tbio_add_page(bio, vmalloc_to_page(qd->sb), PAGE_SIZE, 0);',
  '\tflush_kernel_vmap_range(qd->sb, PAGE_SIZE);',
  '\tret = submit_bio_wait(bio);',
  '\tbio_put(bio);',
  '\treturn ret;',
  '}',
];
const QZ_CORE = ['#include "qz.h"', '', 'int qz_init(struct qz_dev *qd)', '{', '\tqd->log = vzalloc(QZ_LOG_SIZE);', '\treturn qd->log ? 0 : -ENOMEM;', '}', '', ...QZ_DUMP, '', ...QZ_SB, ''];
const QZ_IO = ['#include "qz.h"', '', 'void qz_kick(struct qz_dev *qd)', '{', '\tqd->kicks++;', '}', ''];
const QZ_DIR = 'drivers/block/qz';
const qzBase = (files: Record<string, string[]> = { 'qz_core.c': QZ_CORE, 'qz_io.c': QZ_IO }): BaseTree => ({
  read: (p) => (p.startsWith(`${QZ_DIR}/`) && files[p.slice(QZ_DIR.length + 1)] ? files[p.slice(QZ_DIR.length + 1)].join('\n') : undefined),
  refuse: () => undefined,
});

/** One `diff --git` section turning `before` into `after` (lines; one hunk around the changed middle, 3 lines of context). */
function qzDiff(name: string, before: string[] | null, after: string[] | null): string[] {
  const a = before ?? [];
  const b = after ?? [];
  const body = (l: string[]): string[] => (l.length && l[l.length - 1] === '' ? l.slice(0, -1) : l); // the text ends in '\n'
  const x = body(a);
  const y = body(b);
  let pre = 0;
  while (pre < x.length && pre < y.length && x[pre] === y[pre]) pre++;
  let suf = 0;
  while (suf < x.length - pre && suf < y.length - pre && x[x.length - 1 - suf] === y[y.length - 1 - suf]) suf++;
  const from = Math.max(0, pre - 3);
  const oldEnd = Math.min(x.length, x.length - suf + 3);
  const newEnd = Math.min(y.length, y.length - suf + 3);
  const lines = [
    ...x.slice(from, pre).map((l) => ` ${l}`),
    ...x.slice(pre, x.length - suf).map((l) => `-${l}`),
    ...y.slice(pre, y.length - suf).map((l) => `+${l}`),
    ...x.slice(x.length - suf, oldEnd).map((l) => ` ${l}`),
  ];
  const oldCount = oldEnd - from;
  const newCount = newEnd - from;
  const p = `${QZ_DIR}/${name}`;
  return [
    `diff --git a/${p} b/${p}`,
    ...(before === null ? ['new file mode 100644'] : after === null ? ['deleted file mode 100644'] : []),
    before === null ? '--- /dev/null' : `--- a/${p}`,
    after === null ? '+++ /dev/null' : `+++ b/${p}`,
    `@@ -${oldCount ? from + 1 : 0},${oldCount} +${newCount ? from + 1 : 0},${newCount} @@`,
    ...lines,
  ];
}

/** A mbox of numbered patches, each a list of diff sections. */
function qzSeries(...patches: { subject: string; diffs: string[][] }[]): string {
  return patches.flatMap((p, i) => [
    'From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001',
    'From: Ada Example <ada@example.org>',
    'Date: Tue, 3 Mar 2026 10:00:00 +0100',
    `Subject: [PATCH ${i + 1}/${patches.length}] qz: ${p.subject}`,
    '',
    'No functional change.',
    '',
    '---',
    ...p.diffs.flat(),
    '-- ',
    '2.39.5',
    '',
  ]).join('\n');
}

const withoutDump = QZ_CORE.filter((l, i) => i < 8 || i >= 8 + QZ_DUMP.length + 1);
const summary = (r: { findings: { patch: { index: number }; target: { path: string }; finding: Finding }[] }): [number, string, string, boolean][] =>
  r.findings.map((f) => [f.patch.index, f.target.path.replace(`${QZ_DIR}/`, ''), f.finding.function, f.finding.preexisting ?? false]);

test('a function moved unchanged to another file keeps its missing flush pre-existing (--all marks it)', async () => {
  // re-indented and made static on the way: still the same function
  const moved = QZ_DUMP.map((l, i) => (i === 0 ? `static ${l}` : l.replace(/^\t/, '        ')));
  const raw = qzSeries({ subject: 'move qz_dump_log() to qz_io.c', diffs: [qzDiff('qz_core.c', QZ_CORE, withoutDump), qzDiff('qz_io.c', QZ_IO, [...QZ_IO, ...moved, ''])] });
  const plain = await reviewSet(parsePatches(raw, 'm.mbox'), { baseTree: qzBase(), analyze });
  assert.deepEqual(plain.problems, []);
  assert.deepEqual(summary(plain), []);
  const all = await reviewSet(parsePatches(raw, 'm.mbox'), { baseTree: qzBase(), analyze, all: true });
  assert.deepEqual(summary(all), [[1, 'qz_io.c', 'qz_dump_log', true]]);
  assert.match(all.findings[0].finding.message, /already in drivers\/block\/qz\/qz_core\.c, which this patch moves it from/);
  // the finding sits on the added submission line in qz_io.c
  assert.match(raw.split('\n')[all.findings[0].patch.line - 1], /^\+ +ret = submit_bio_wait\(bio\);$/);
});

test('a move across a series (removed in 1/2, added in 2/2, or the copy first) is not new either', async () => {
  const remove = { subject: 'drop qz_dump_log() from qz_core.c', diffs: [qzDiff('qz_core.c', QZ_CORE, withoutDump)] };
  const add = { subject: 'add qz_dump_log() to qz_io.c', diffs: [qzDiff('qz_io.c', QZ_IO, [...QZ_IO, ...QZ_DUMP, ''])] };
  for (const order of [[remove, add], [add, remove]]) {
    const raw = qzSeries(...order);
    assert.deepEqual(summary(await reviewSet(parsePatches(raw, 's.mbox'), { baseTree: qzBase(), analyze })), []);
    const all = await reviewSet(parsePatches(raw, 's.mbox'), { baseTree: qzBase(), analyze, all: true });
    assert.deepEqual(summary(all), [[order[0] === add ? 1 : 2, 'qz_io.c', 'qz_dump_log', true]]);
  }
});

test('a file renamed as a delete + an add (--no-renames, quilt) keeps its findings pre-existing, with or without a base', async () => {
  const diff = [...qzDiff('qz_core.c', QZ_CORE, null), ...qzDiff('qz_main.c', null, QZ_CORE)];
  const raw = qzSeries({ subject: 'rename qz_core.c to qz_main.c', diffs: [diff] });
  for (const opts of [{ baseTree: qzBase() }, {}]) {
    assert.deepEqual(summary(await reviewSet(parsePatches(raw, 'r.mbox'), { ...opts, analyze })), []);
    const all = await reviewSet(parsePatches(raw, 'r.mbox'), { ...opts, analyze, all: true });
    assert.deepEqual(summary(all), [[1, 'qz_main.c', 'qz_dump_log', true]]);
  }
});

test('moved code is still judged: a flush dropped on the way, a new function, a copy that leaves the old one are new', async () => {
  // qz_write_sb moves to qz_io.c and loses its flush during the move
  const sbBroken = QZ_SB.filter((l) => !l.includes('flush_kernel_vmap_range'));
  const withoutSb = QZ_CORE.slice(0, QZ_CORE.length - QZ_SB.length - 2).concat(['']);
  const broken = qzSeries({ subject: 'move qz_write_sb() to qz_io.c', diffs: [qzDiff('qz_core.c', QZ_CORE, withoutSb), qzDiff('qz_io.c', QZ_IO, [...QZ_IO, ...sbBroken, ''])] });
  const b = await reviewSet(parsePatches(broken, 'b.mbox'), { baseTree: qzBase(), analyze, all: true });
  assert.deepEqual(summary(b), [[1, 'qz_core.c', 'qz_dump_log', true], [1, 'qz_io.c', 'qz_write_sb', false]]);
  // qz_dump_log moves, and a new function with the same bug comes along: only the new one is reported
  const other = QZ_DUMP.map((l) => l.replace('qz_dump_log', 'qz_dump_sb').replace('qd->log', 'qd->sb'));
  const added = qzSeries({ subject: 'move qz_dump_log(), add qz_dump_sb()', diffs: [qzDiff('qz_core.c', QZ_CORE, withoutDump), qzDiff('qz_io.c', QZ_IO, [...QZ_IO, ...QZ_DUMP, '', ...other, ''])] });
  assert.deepEqual(summary(await reviewSet(parsePatches(added, 'a.mbox'), { baseTree: qzBase(), analyze })), [[1, 'qz_io.c', 'qz_dump_sb', false]]);
  // a copy: the function stays in qz_core.c, so the one in qz_io.c is a second one
  const copy = qzSeries({ subject: 'copy qz_dump_log()', diffs: [qzDiff('qz_io.c', QZ_IO, [...QZ_IO, ...QZ_DUMP, ''])] });
  assert.deepEqual(summary(await reviewSet(parsePatches(copy, 'c.mbox'), { baseTree: qzBase(), analyze })), [[1, 'qz_io.c', 'qz_dump_log', false]]);
  // the old one fixed in place (its finding goes, the function stays) and a static copy with the bug elsewhere
  const fixed = QZ_CORE.map((l) => (l === '\tret = submit_bio_wait(bio);' ? '\tflush_kernel_vmap_range(qd->log, PAGE_SIZE);\n\tret = submit_bio_wait(bio);' : l)).join('\n').split('\n');
  const fixedAndCopied = qzSeries({ subject: 'flush the log, and a copy', diffs: [qzDiff('qz_core.c', QZ_CORE, fixed), qzDiff('qz_io.c', QZ_IO, [...QZ_IO, `static ${QZ_DUMP[0]}`, ...QZ_DUMP.slice(1), ''])] });
  assert.deepEqual(summary(await reviewSet(parsePatches(fixedAndCopied, 'f.mbox'), { baseTree: qzBase(), analyze })), [[1, 'qz_io.c', 'qz_dump_log', false]]);
  // the same function moved twice into two files: one of them is new
  const twice = qzSeries({ subject: 'split', diffs: [qzDiff('qz_core.c', QZ_CORE, withoutDump), qzDiff('qz_io.c', QZ_IO, [...QZ_IO, ...QZ_DUMP, '']), qzDiff('qz_dump.c', null, QZ_DUMP)] });
  assert.equal(summary(await reviewSet(parsePatches(twice, 't.mbox'), { baseTree: qzBase(), analyze })).length, 1);
});

test('a finding a later patch of the series fixes says which one; one the series keeps (moved, or not fixed) does not', async () => {
  // 1/3 drops the flush of qz_write_sb(), 2/3 changes another file, 3/3 puts the flush back
  const noFlush = QZ_CORE.filter((l) => l !== '\tflush_kernel_vmap_range(qd->sb, PAGE_SIZE);');
  const kick = [...QZ_IO.slice(0, -1), '', 'void qz_unkick(struct qz_dev *qd)', '{', '\tqd->kicks--;', '}', ''];
  const drop = { subject: 'submit the superblock without the flush', diffs: [qzDiff('qz_core.c', QZ_CORE, noFlush)] };
  const other = { subject: 'add qz_unkick()', diffs: [qzDiff('qz_io.c', QZ_IO, kick)] };
  const restore = { subject: 'flush the superblock again', diffs: [qzDiff('qz_core.c', noFlush, QZ_CORE)] };
  const raw = qzSeries(drop, other, restore);
  const review = await reviewSet(parsePatches(raw, 's.mbox'), { baseTree: qzBase(), analyze });
  assert.deepEqual(review.problems, []);
  assert.deepEqual(summary(review), [[1, 'qz_core.c', 'qz_write_sb', false]]);
  const pf = review.findings[0];
  assert.deepEqual(pf.fixedLater, { index: 3, subject: '[PATCH 3/3] qz: flush the superblock again' });
  assert.match(pf.finding.message, / \(fixed later in \[PATCH 3\/3\]: fold that fix into this patch [^)]*\)$/);
  // the series is right, this commit alone is not: information, with no fix (3/3 is the fix)
  assert.equal(pf.finding.severity, 'info');
  assert.deepEqual(pf.finding.fixes, []);
  // in every output: the b4 line, the reply's paragraph, and JSON (the field)
  assert.match(formatMailback(review), /^drivers\/block\/qz\/qz_core\.c:\d+: .* \(fixed later in \[PATCH 3\/3\]: [^)]*\) \[vmap-io-missing-flush\] \[1\/3\]$/m);
  const reply = formatReply(review).replace(/\n/g, ' ');
  assert.match(reply, /without flush_kernel_vmap_range\(\)\. "\[PATCH 3\/3\] qz: flush the superblock again" later in this series adds what is missing; please fold it into this patch/);
  assert.doesNotMatch(reply, /Please call|Something like this/);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-later-'));
  try {
    for (const [name, lines] of Object.entries({ 'qz_core.c': QZ_CORE, 'qz_io.c': QZ_IO })) {
      fs.mkdirSync(path.join(tmp, QZ_DIR), { recursive: true });
      fs.writeFileSync(path.join(tmp, QZ_DIR, name), lines.join('\n'));
    }
    fs.writeFileSync(path.join(tmp, 's.mbox'), raw);
    let out = '';
    const io = { stdout: { write: (x: string) => (out += x) }, stderr: { write: () => true } };
    // information alone: the series passes
    assert.equal(await reviewCommand([path.join(tmp, 's.mbox'), '--base', tmp, '--format', 'json', '--no-base-context'], io, { analyze }), 0);
    const json = JSON.parse(out) as { findings: { fixedLater?: { index: number; subject: string } }[] };
    assert.deepEqual(json.findings.map((f) => f.fixedLater), [{ index: 3, subject: '[PATCH 3/3] qz: flush the superblock again' }]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // not fixed by the end of the series: nothing said
  const kept = await reviewSet(parsePatches(qzSeries(drop, other), 'k.mbox'), { baseTree: qzBase(), analyze });
  assert.deepEqual(summary(kept), [[1, 'qz_core.c', 'qz_write_sb', false]]);
  assert.equal(kept.findings[0].fixedLater, undefined);
  assert.doesNotMatch(kept.findings[0].finding.message, /fixed later/);
  // moved to another file by later patches (gone from qz_core.c in 2/3, back in qz_io.c in 3/3): still there
  const sbBroken = QZ_SB.filter((l) => !l.includes('flush_kernel_vmap_range'));
  const withoutSb = noFlush.slice(0, noFlush.length - sbBroken.length - 2).concat(['']);
  const moved = qzSeries(drop, { subject: 'drop qz_write_sb() from qz_core.c', diffs: [qzDiff('qz_core.c', noFlush, withoutSb)] },
    { subject: 'add qz_write_sb() to qz_io.c', diffs: [qzDiff('qz_io.c', QZ_IO, [...QZ_IO, ...sbBroken, ''])] });
  const m = await reviewSet(parsePatches(moved, 'm.mbox'), { baseTree: qzBase(), analyze });
  assert.deepEqual(summary(m), [[1, 'qz_core.c', 'qz_write_sb', false]]);
  assert.equal(m.findings[0].fixedLater, undefined);
});

test('definesFunction: a definition, not a prototype, an export or a call', () => {
  assert.ok(definesFunction('static int\nqz_f(int a,\n     int b)\n{\n}\n', 'qz_f'));
  assert.ok(definesFunction('int qz_f(void) /* why */\n{\n}\n', 'qz_f'));
  assert.ok(!definesFunction('int qz_f(void);\nEXPORT_SYMBOL(qz_f);\nint g(void)\n{\n\treturn qz_f();\n}\n', 'qz_f'));
  assert.ok(!definesFunction('int qz_fx(void)\n{\n}\n', 'qz_f'));
});

test('the kernel comes from the base: the nearest top Makefile of a directory, the Makefile of a git revision; --kernel wins', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-kver-'));
  try {
    const repo = path.join(tmp, 'tree');
    fs.cpSync(BASE, repo, { recursive: true });
    const makefile = (v: number, p: number, s: number): string => `# SPDX-License-Identifier: GPL-2.0\nVERSION = ${v}\nPATCHLEVEL = ${p}\nSUBLEVEL = ${s}\nEXTRAVERSION =\nNAME = Test\n`;
    fs.writeFileSync(path.join(repo, 'Makefile'), makefile(4, 19, 7));
    // a subsystem Makefile is not a kernel top Makefile
    fs.writeFileSync(path.join(repo, 'drivers', 'Makefile'), 'obj-y += block/\n');
    const raw = fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch');
    const seen: (string | undefined)[] = [];
    const spy = async (text: string, file: string, o?: AnalyzeOptions) => {
      seen.push(o?.kernel ? `${o.kernel.major}.${o.kernel.minor}.${o.kernel.patch ?? ''}` : undefined);
      return toyAnalyze(text, file, o);
    };
    const onlySeen = (k: string): boolean => seen.length > 0 && seen.every((x) => x === k);
    const contextKernels: (string | undefined)[] = [];
    const baseContext = async (_paths: string[], o: { kernel?: KernelVersion }) => {
      contextKernels.push(o.kernel ? `${o.kernel.major}.${o.kernel.minor}` : undefined);
      return { summaries: [], fields: [] };
    };

    const dir = await reviewSet(parsePatches(raw, 'p.patch'), { base: repo, analyze: spy, baseContext });
    assert.equal(dir.findings.length, 1);
    assert.ok(onlySeen('4.19.7'), seen.join(' '));
    assert.deepEqual(contextKernels, ['4.19']);
    assert.equal(reviewKernel({ base: path.join(repo, 'drivers') })?.minor, 19, 'the nearest kernel Makefile at or above the base');

    seen.length = 0;
    await reviewSet(parsePatches(raw, 'p.patch'), { base: repo, analyze: spy, kernel: { major: 6, minor: 1 } });
    assert.ok(onlySeen('6.1.'), 'an explicit kernel wins');

    // a git base: the Makefile of the revision, not of the work tree
    const git = gitIn(repo);
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    const head = git('rev-parse', 'HEAD');
    fs.writeFileSync(path.join(repo, 'Makefile'), makefile(6, 8, 0));
    seen.length = 0;
    await reviewSet(parsePatches(raw, 'p.patch'), { base: repo, baseTree: gitBase(repo, head), analyze: spy });
    assert.ok(onlySeen('4.19.7'), seen.join(' '));
    assert.equal(reviewKernel({ base: repo })?.minor, 8);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
