/**
 * Patch review end to end with the real analyzer (analyzer/analyze.ts): every fixture's expected
 * findings at exact patch lines, with the base tree and without it.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { scanPatchText } from '../../analyzer/patch/review';
import { BASE, fixture, lineOf } from './patch-helpers.test';

/** [patch index, patch line, patch column, target path, target line, rule, function, buffer] */
type Row = [number, number, number, string, number, string, string, string];

async function rows(name: string, base: string | undefined, all = false): Promise<{ rows: Row[]; confidence: string[]; notes: string[] }> {
  const r = await scanPatchText(fixture(name), name, { base, all });
  return {
    rows: r.findings.map((f) => [f.patch.index, f.patch.line, f.patch.column, f.target.path, f.target.line, f.finding.rule, f.finding.function, f.finding.buffer]),
    confidence: r.findings.map((f) => f.finding.confidence),
    notes: r.notes,
  };
}

const VSB = 'drivers/block/vsb.c';
const FLUSH = 'vmap-io-missing-flush';

for (const [label, base] of [['with base', BASE], ['without base', undefined]] as const) {
  const conf = base ? 'high' : 'low';

  test(`real analyzer, ${label}: format-patch adding a write without flush`, async () => {
    const name = '0001-vsb-write-the-superblock-when-the-log-is-set-up.patch';
    const line = lineOf(fixture(name).toString(), '+\tret = submit_bio_wait(bio);');
    const r = await rows(name, base);
    assert.deepEqual(r.rows, [[1, line, 9, VSB, 57, FLUSH, 'vsb_write_sb', 'buf']]);
    assert.deepEqual(r.confidence, [conf]);
  });

  test(`real analyzer, ${label}: CRLF copy gives the same result`, async () => {
    const a = await rows('crlf-write-sb.patch', base);
    const b = await rows('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch', base);
    assert.deepEqual(a.rows, b.rows);
    assert.equal(a.rows.length, 1);
  });

  test(`real analyzer, ${label}: mbox series — patch 2 adds the bug, patch 3 deletes the flush`, async () => {
    const raw = fixture('series-cover-3.mbox').toString();
    const p3 = lineOf(raw, 'Subject: [PATCH 3/3]');
    const r = await rows('series-cover-3.mbox', base);
    assert.deepEqual(r.rows, [
      [2, lineOf(raw, '+\tret = submit_bio_wait(bio);'), 9, VSB, 57, FLUSH, 'vsb_write_sb', 'buf'],
      [3, lineOf(raw, ' \tret = submit_bio_wait(bio);', p3), 9, VSB, 32, FLUSH, 'vsb_flush_log', 'vd->log'],
    ]);
    assert.deepEqual(r.confidence, [conf, conf]);
  });

  test(`real analyzer, ${label}: quoted-printable mail reading without invalidate`, async () => {
    const r = await rows('qp-latin1.eml', base);
    assert.deepEqual(r.rows, [[1, 44, 9, VSB, 51, 'vmap-io-missing-invalidate', 'vsb_check_sb', 'buf']]);
  });

  test(`real analyzer, ${label}: rename that deletes the flush`, async () => {
    const raw = fixture('rename-drops-flush.patch').toString();
    const r = await rows('rename-drops-flush.patch', base);
    assert.deepEqual(r.rows, [[1, lineOf(raw, ' \tret = submit_bio_wait(bio);'), 9, 'drivers/block/vsb_log.c', 30, FLUSH, 'vsb_flush_log', 'vd->log']]);
  });

  test(`real analyzer, ${label}: binary, docs and harmless C are clean`, async () => {
    assert.deepEqual((await rows('binary-docs-and-c.patch', base)).rows, []);
  });

  test(`real analyzer, ${label}: path escapes are refused and the rest is clean`, async () => {
    const r = await rows('path-escape.patch', base);
    assert.deepEqual(r.rows, []);
    assert.equal(r.notes.filter((n) => /refused/.test(n)).length, 2);
  });
}

test('real analyzer: a patch that does not apply is named; the next patch is reviewed', async () => {
  const raw = fixture('does-not-apply.mbox').toString();
  const r = await rows('does-not-apply.mbox', BASE);
  // The hunk that does not apply is still judged from its own lines: it deletes a flush (low confidence).
  assert.deepEqual(r.rows, [
    [1, lineOf(raw, ' \tret = submit_bio_wait(bio);'), 9, VSB, 32, FLUSH, 'vsb_flush_log', 'vd->log'],
    [2, lineOf(raw, '+\tret = submit_bio_wait(bio);'), 9, VSB, 57, FLUSH, 'vsb_write_sb', 'buf'],
  ]);
  assert.deepEqual(r.confidence, ['low', 'high']);
  assert.ok(r.notes.some((n) => n.startsWith('patch 1 "[PATCH 1/2] vsb: drop the log flush before submission": hunk 1 of drivers/block/vsb.c (@@ -29,7 +29,6 @@, line 18) does not apply')));
  // Without a base, patch 1 is judged from its own hunk: it deletes a flush.
  const nb = await rows('does-not-apply.mbox', undefined);
  assert.deepEqual(nb.rows.map((x) => [x[0], x[1], x[6]]), [[1, lineOf(raw, ' \tret = submit_bio_wait(bio);'), 'vsb_flush_log'], [2, lineOf(raw, '+\tret = submit_bio_wait(bio);'), 'vsb_write_sb']]);
});

test('real analyzer: malformed series still reviews the good hunk', async () => {
  const raw = fixture('malformed.mbox').toString();
  const r = await rows('malformed.mbox', BASE);
  // Hunk 1 (the #include) is skipped, so the post-image is two lines shorter than in the real tree.
  assert.deepEqual(r.rows, [[1, lineOf(raw, '+\tret = submit_bio_wait(bio);'), 9, VSB, 55, FLUSH, 'vsb_write_sb', 'buf']]);
  assert.equal(r.notes.filter((n) => n.includes('the hunk is skipped')).length, 2);
});

test('real analyzer: --all shows the pre-existing finding of patch 3 at its first changed line', async () => {
  const raw = fixture('series-cover-3.mbox').toString();
  const r = await scanPatchText(fixture('series-cover-3.mbox'), 's', { base: BASE, all: true });
  const pre = r.findings.filter((f) => f.finding.preexisting);
  assert.deepEqual(pre.map((f) => [f.patch.index, f.patch.line, f.finding.function]), [[3, lineOf(raw, '-\tflush_kernel_vmap_range'), 'vsb_write_sb']]);
});

function newFile(path: string, lines: string[]): string[] {
  return [`diff --git a/${path} b/${path}`, 'new file mode 100644', '--- /dev/null', `+++ b/${path}`, `@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`)];
}

const ALLOC_C = ['// SPDX-License-Identifier: GPL-2.0', 'void *vsb_alloc_log(size_t len)', '{', '\treturn vzalloc(len);', '}'];
const SAVE_C = [
  '// SPDX-License-Identifier: GPL-2.0',
  'static int vsb_save(struct vsb_dev *vd, size_t len)',
  '{',
  '\tvoid *buf = vsb_alloc_log(len);',
  '\tstruct bio *bio = bio_alloc(vd->bdev, 1, REQ_OP_WRITE, GFP_KERNEL);',
  '',
  '\tmemset(buf, 1, len);',
  '\tbio_add_page(bio, vsb_page(buf), PAGE_SIZE, 0);',
  '\treturn submit_bio_wait(bio);',
  '}',
];

test('real analyzer: a helper in one file and its caller in another, in the same patch', async () => {
  const diff = [...newFile('drivers/block/vsb_alloc.c', ALLOC_C), ...newFile('drivers/block/vsb_save.c', SAVE_C), ''].join('\n');
  const alone = await scanPatchText([...newFile('drivers/block/vsb_save.c', SAVE_C), ''].join('\n'), 'one.diff');
  assert.deepEqual(alone.findings, [], 'the caller alone does not know vsb_alloc_log() returns vmalloc memory');
  const r = await scanPatchText(diff, 'two.diff');
  assert.deepEqual(r.findings.map((f) => [f.patch.line, f.target.path, f.target.line, f.finding.rule, f.finding.function]), [
    [diff.split('\n').indexOf('+\treturn submit_bio_wait(bio);') + 1, 'drivers/block/vsb_save.c', 9, 'vmap-io-missing-flush', 'vsb_save'],
  ]);
});

test('real analyzer: a helper added by patch 1 is known when patch 2 adds its caller', async () => {
  const mail = (k: number, subject: string, body: string[]): string[] => [
    'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
    'From: Ada Example <ada@example.org>',
    `Subject: [PATCH ${k}/2] ${subject}`,
    '',
    'Signed-off-by: Ada Example <ada@example.org>',
    '---',
    ...body,
    '-- ',
    '2.43.0',
    '',
  ];
  const mbox = [...mail(1, 'vsb: add a log allocator', newFile('drivers/block/vsb_alloc.c', ALLOC_C)), ...mail(2, 'vsb: save the log', newFile('drivers/block/vsb_save.c', SAVE_C))].join('\n');
  const r = await scanPatchText(mbox, 's.mbox');
  assert.deepEqual(r.findings.map((f) => [f.patch.index, f.patch.line, f.finding.function]), [[2, mbox.split('\n').indexOf('+\treturn submit_bio_wait(bio);') + 1, 'vsb_save']]);
});
