import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { isPatchText, parsePatches, parsePatchInputs, patchNumber } from '../../analyzer/patch/parse';
import { decodeEncodedWords, decodeQP } from '../../analyzer/patch/mail';
import type { HunkLine, PatchSet } from '../../analyzer/patch/model';
import { BASE, fixture, FIXTURES, lineOf } from './patch-helpers.test';

function hunkLine(set: PatchSet, needle: string, patch = 1): HunkLine {
  for (const f of set.patches[patch - 1].files) for (const h of f.hunks) for (const l of h.lines) if (l.text.includes(needle)) return l;
  throw new Error(`no hunk line with ${needle}`);
}

test('format-patch file: headers, file, hunks and exact input lines', () => {
  const raw = fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch');
  const set = parsePatches(raw, 'p.patch');
  assert.equal(set.patches.length, 1);
  const p = set.patches[0];
  assert.equal(p.subject, '[PATCH] vsb: write the superblock when the log is set up');
  assert.equal(p.from, 'Ada Example <ada@example.org>');
  assert.deepEqual(p.problems, []);
  assert.equal(p.files.length, 1);
  const f = p.files[0];
  assert.equal(f.status, 'modified');
  assert.equal(f.oldPath, 'drivers/block/vsb.c');
  assert.equal(f.newPath, 'drivers/block/vsb.c');
  assert.deepEqual(f.hunks.map((h) => [h.oldStart, h.oldCount, h.newStart, h.newCount, h.lines.length]), [[7, 6, 7, 8, 8], [33, 6, 35, 31, 31]]);
  assert.equal(f.hunks[1].section, 'static int vsb_flush_log(struct vsb_dev *vd)');
  const submit = hunkLine(set, 'ret = submit_bio_wait(bio);');
  assert.equal(submit.kind, '+');
  assert.equal(submit.patchLine, lineOf(raw.toString(), '+\tret = submit_bio_wait(bio);'));
  assert.equal(submit.patchLine, 50);
  assert.equal(submit.newLine, 57);
});

test('mbox series: cover letter skipped, [PATCH k/N] order, >From unquoted, non-C ignored', () => {
  const raw = fixture('series-cover-3.mbox');
  const set = parsePatches(raw, 's.mbox');
  assert.deepEqual(set.patches.map((p) => p.number?.k), [1, 2, 3]);
  assert.deepEqual(set.patches.map((p) => p.index), [1, 2, 3]);
  assert.ok(set.notes.some((n) => n.includes('cover letter') && n.includes('[PATCH 0/3]')));
  // The scrambled input has 3/3 before 2/3: positions must still be those of the input file.
  const p3 = set.patches[2];
  assert.equal(p3.subject, '[PATCH 3/3] vsb: drop the log flush before submission');
  const removed = hunkLine(set, 'flush_kernel_vmap_range(vd->log', 3);
  assert.equal(removed.kind, '-');
  assert.equal(removed.patchLine, lineOf(raw.toString(), '-\tflush_kernel_vmap_range'));
  assert.equal(set.patches[1].files[0].hunks[1].lines.find((l) => l.text.includes('submit_bio_wait'))?.patchLine, lineOf(raw.toString(), '+\tret = submit_bio_wait'));
  // Patch 1 touches the header (kept) and Documentation/vsb.rst (ignored with a note).
  assert.deepEqual(set.patches[0].files.map((f) => f.newPath), ['drivers/block/vsb.h']);
  assert.ok(set.patches[0].notes.some((n) => n.includes('Documentation/vsb.rst ignored')));
  for (const p of set.patches) assert.deepEqual(p.problems, []);
});

test('quoted-printable latin-1 mail: folded subject, encoded From, soft breaks, =3D, exact lines', () => {
  const raw = fixture('qp-latin1.eml');
  const text = raw.toString('latin1');
  const set = parsePatches(raw, 'qp.eml');
  assert.equal(set.patches.length, 1);
  const p = set.patches[0];
  assert.equal(p.subject, '[PATCH v2] vsb: check the superblock magic at set-up before the log is used');
  assert.equal(p.from, 'Jörg Beispiel <joerg@example.org>');
  assert.equal(p.messageId, '<20260303091500.4242-1-joerg@example.org>');
  assert.deepEqual(p.problems, []);
  const h = p.files[0].hunks[0];
  assert.equal(h.lines.length, 30);
  const comment = hunkLine(set, 'answers within');
  assert.equal(comment.text, '/* Read the superblock back; the device answers within ~50 µs on the test rig. */');
  assert.equal(comment.patchLine, lineOf(text, '+/* Read the superblock'));
  const submit = hunkLine(set, 'submit_bio_wait');
  assert.equal(submit.text, '\tret = submit_bio_wait(bio);');
  assert.equal(submit.patchLine, lineOf(text, '+\tret =3D submit_bio_wait(bio);'));
  assert.equal(submit.patchLine, 44);
  const longIf = hunkLine(set, 'le32_to_cpu');
  assert.ok(longIf.text.endsWith('/* "VSB1" as written by mkfs.vsb */)'));
  assert.equal(longIf.patchLine, 47);
  // The line after a soft break maps to where the decoded line began.
  const after = hunkLine(set, 'ret = -EINVAL');
  assert.equal(after.patchLine, 49);
  // "=20" is an encoded blank context line.
  assert.equal(h.lines[2].kind, ' ');
  assert.equal(h.lines[2].text, '');
});

test('CRLF patch parses exactly like its LF original', () => {
  const lf = parsePatches(fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'), 'x');
  const crlf = parsePatches(fixture('crlf-write-sb.patch'), 'x');
  assert.deepEqual(crlf.patches.map((p) => p.files), lf.patches.map((p) => p.files));
  assert.equal(crlf.patches[0].subject, lf.patches[0].subject);
  for (const f of crlf.patches[0].files) for (const h of f.hunks) for (const l of h.lines) assert.ok(!l.text.includes('\r'));
});

test('rename with similarity index and hunks', () => {
  const set = parsePatches(fixture('rename-drops-flush.patch'), 'r.patch');
  const f = set.patches[0].files[0];
  assert.equal(f.status, 'renamed');
  assert.equal(f.oldPath, 'drivers/block/vsb.c');
  assert.equal(f.newPath, 'drivers/block/vsb_log.c');
  assert.equal(f.similarity, 88);
  assert.equal(f.hunks.length, 2);
});

test('binary patch skipped with a note, documentation ignored, C kept', () => {
  const set = parsePatches(fixture('binary-docs-and-c.patch'), 'b.patch');
  assert.ok(set.notes.some((n) => n.includes('binary file firmware/vsb.bin skipped')));
  assert.deepEqual(set.patches[0].files.map((f) => f.newPath), ['drivers/block/vsb.c']);
  assert.deepEqual(set.patches[0].problems, []);
});

test('malformed mbox: count mismatch and truncated mail are named by patch and hunk', () => {
  const set = parsePatches(fixture('malformed.mbox'), 'm.mbox');
  assert.equal(set.patches.length, 2);
  const [p1, p2] = set.patches;
  assert.equal(p1.problems.length, 1);
  assert.match(p1.problems[0].message, /^patch 1 "\[PATCH 1\/2\] vsb: write the superblock when the log is set up": hunk 1 of drivers\/block\/vsb.c \(@@ -7,6 \+7,9 @@, line 18\) declares 6 old \/ 9 new lines but ends after 6 old \/ 8 new at line 27/);
  assert.equal(p1.problems[0].line, 18);
  assert.ok(p1.files[0].hunks[0].malformed);
  assert.equal(p1.files[0].hunks[1].malformed, undefined);
  assert.equal(p2.problems.length, 1);
  assert.match(p2.problems[0].message, /^patch 2 "\[PATCH 2\/2\] vsb: drop the log flush before submission": hunk 1 of drivers\/block\/vsb.c \(@@ -29,7 \+29,6 @@, line 79\) declares 7 old \/ 6 new lines but ends after 4 old \/ 3 new at the end of the input \(truncated\?\)/);
});

test('a hunk with more lines than declared is reported, the next file still parses', () => {
  const diff = [
    'diff --git a/a.c b/a.c',
    '--- a/a.c',
    '+++ b/a.c',
    '@@ -1,2 +1,2 @@',
    ' int a;',
    '-int b;',
    '+int c;',
    '+int d;',
    'diff --git a/b.c b/b.c',
    '--- a/b.c',
    '+++ b/b.c',
    '@@ -1 +1 @@',
    '-int x;',
    '+int y;',
    '',
  ].join('\n');
  const set = parsePatches(diff, 'd.diff');
  const p = set.patches[0];
  assert.equal(p.files.length, 2);
  assert.equal(p.problems.length, 1);
  assert.match(p.problems[0].message, /hunk 1 of a\.c .*more lines than its header declares \(1 extra from line 8\)/);
  assert.equal(p.files[1].hunks[0].malformed, undefined);
  assert.deepEqual(p.files[1].hunks[0].lines.map((l) => l.kind + l.text), ['-int x;', '+int y;']);
});

test('git extended headers: new, deleted, copied, mode-only, quoted paths', () => {
  const diff = [
    'diff --git a/drivers/new.c b/drivers/new.c',
    'new file mode 100644',
    'index 0000000..1234567',
    '--- /dev/null',
    '+++ b/drivers/new.c',
    '@@ -0,0 +1,2 @@',
    '+int a;',
    '+int b;',
    'diff --git a/drivers/old.c b/drivers/old.c',
    'deleted file mode 100644',
    'index 1234567..0000000',
    '--- a/drivers/old.c',
    '+++ /dev/null',
    '@@ -1 +0,0 @@',
    '-int gone;',
    'diff --git a/drivers/x.c b/drivers/y.c',
    'similarity index 100%',
    'copy from drivers/x.c',
    'copy to drivers/y.c',
    'diff --git a/drivers/m.c b/drivers/m.c',
    'old mode 100644',
    'new mode 100755',
    'diff --git "a/drivers/sp ace\\303\\251.c" "b/drivers/sp ace\\303\\251.c"',
    'index 1..2 100644',
    '--- "a/drivers/sp ace\\303\\251.c"',
    '+++ "b/drivers/sp ace\\303\\251.c"',
    '@@ -1 +1 @@',
    '-a',
    '+b',
    '',
  ].join('\n');
  const set = parsePatches(diff, 'x.diff', { keepNonC: true });
  const files = set.patches[0].files;
  assert.deepEqual(
    files.map((f) => [f.status, f.oldPath, f.newPath]),
    [
      ['added', null, 'drivers/new.c'],
      ['deleted', 'drivers/old.c', null],
      ['copied', 'drivers/x.c', 'drivers/y.c'],
      ['modified', 'drivers/m.c', 'drivers/m.c'],
      ['modified', 'drivers/sp aceé.c', 'drivers/sp aceé.c'],
    ],
  );
  assert.equal(files[3].oldMode, '100644');
  assert.equal(files[3].newMode, '100755');
  assert.deepEqual(set.patches[0].problems, []);
});

test('plain diff -u with timestamps, no-newline marker and whitespace-damaged context', () => {
  const diff = [
    '--- linux.orig/drivers/a.c\t2026-03-01 10:00:00.000000000 +0100',
    '+++ linux/drivers/a.c\t2026-03-01 10:05:00.000000000 +0100',
    '@@ -1,4 +1,4 @@',
    ' int a;',
    '', // the mailer ate the space of an empty context line
    '-int b;',
    '+int c;',
    ' int d;',
    '\\ No newline at end of file',
  ].join('\n');
  const set = parsePatches(diff, 'a.diff');
  const f = set.patches[0].files[0];
  assert.equal(f.oldPath, 'drivers/a.c');
  assert.equal(f.newPath, 'drivers/a.c');
  assert.deepEqual(f.hunks[0].lines.map((l) => [l.kind, l.text, l.patchLine]), [[' ', 'int a;', 4], [' ', '', 5], ['-', 'int b;', 6], ['+', 'int c;', 7], [' ', 'int d;', 8]]);
  assert.deepEqual(set.patches[0].problems, []);
});

test('multipart mail with the patch as a quoted-printable attachment', () => {
  const mail = [
    'From: Ada Example <ada@example.org>',
    'Subject: =?utf-8?q?=5BPATCH=5D_vsb=3A_caf=C3=A9?= =?utf-8?b?IGZpeA==?=',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="XyZ"',
    '',
    'This is a MIME message.',
    '--XyZ',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Fix it.',
    '--XyZ',
    'Content-Type: text/x-patch; charset=us-ascii; name="fix.patch"',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'diff --git a/a.c b/a.c',
    '--- a/a.c',
    '+++ b/a.c',
    '@@ -1 +1 @@',
    '-int a =3D 1;',
    '+int a =3D 2;',
    '--XyZ--',
    '',
  ].join('\r\n');
  const set = parsePatches(mail, 'm.eml');
  const p = set.patches[0];
  assert.equal(p.subject, '[PATCH] vsb: café fix');
  assert.deepEqual(p.files[0].hunks[0].lines.map((l) => [l.text, l.patchLine]), [['int a = 1;', 19], ['int a = 2;', 20]]);
});

test('base64 body is decoded; positions fall back to the first body line', () => {
  const body = Buffer.from('diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1 +1 @@\n-x\n+y\n').toString('base64');
  const mail = `From: A <a@example.org>\nSubject: [PATCH] a\nContent-Transfer-Encoding: base64\n\n${body}\n`;
  assert.ok(isPatchText(mail));
  const set = parsePatches(mail, 'b.eml');
  assert.deepEqual(set.patches[0].files[0].hunks[0].lines.map((l) => [l.kind, l.text, l.patchLine]), [['-', 'x', 5], ['+', 'y', 5]]);
});

test('truncated mail: headers only, no diff', () => {
  const set = parsePatches('From: A <a@example.org>\nSubject: [PATCH 1/2] a: b\nDate: Tue, 3 Mar 2026', 't.eml');
  assert.equal(set.patches.length, 1);
  const msgs = set.patches[0].problems.map((p) => p.message);
  assert.ok(msgs.some((m) => m.includes('patch 1 "[PATCH 1/2] a: b"') && m.includes('truncated mail')));
  assert.ok(msgs.some((m) => m.includes('no diff found')));
});

test('patchNumber reads the usual prefixes', () => {
  assert.deepEqual(patchNumber('[PATCH v2 03/10] x: y'), { k: 3, n: 10 });
  assert.deepEqual(patchNumber('[RFC PATCH net-next 1/2] x'), { k: 1, n: 2 });
  assert.deepEqual(patchNumber('Re: [PATCH 0/5] cover'), { k: 0, n: 5 });
  assert.deepEqual(patchNumber('[PATCH] [2/3] x'), { k: 2, n: 3 });
  assert.equal(patchNumber('[PATCH] x: fix 1/2 of the bug'), undefined);
  assert.equal(patchNumber('x: y'), undefined);
});

test('decoders: RFC 2047 words and QP soft breaks', () => {
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?J=F6rg?= <j@x>'), 'Jörg <j@x>');
  assert.equal(decodeEncodedWords('=?utf-8?q?a?= =?utf-8?q?b?= c'), 'ab c');
  const out = decodeQP([{ text: 'ab=', line: 3 }, { text: 'c=3Dd ', line: 4 }, { text: 'e', line: 5 }]);
  assert.deepEqual(out, [{ text: 'abc=d', line: 3 }, { text: 'e', line: 5 }]);
});

test('isPatchText: every fixture is a patch, C sources and prose are not', () => {
  for (const f of fs.readdirSync(FIXTURES)) {
    if (!/\.(patch|mbox|eml|diff)$/.test(f)) continue;
    assert.equal(isPatchText(fixture(f).toString('latin1')), true, f);
  }
  assert.equal(isPatchText(fs.readFileSync(path.join(BASE, 'drivers/block/vsb.c'), 'utf8')), false);
  assert.equal(isPatchText(fs.readFileSync(path.join(BASE, 'drivers/block/vsb.h'), 'utf8')), false);
  assert.equal(isPatchText('--- just a separator\nand prose\n'), false);
  assert.equal(isPatchText('diff --git a/x.c b/x.c\nindex 1..2 100644\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n'), true);
});

test('list-delivered QP mail: folded Received headers, soft break inside diff --git, in-body From, =20 lines', () => {
  const mail = [
    'Return-Path: <linux-block-owner@vger.kernel.org>',
    'Received: from relay.example.org (relay.example.org [192.0.2.1])',
    '        by mx.example.org with ESMTP id 1234',
    '        for <list@example.org>; Tue, 3 Mar 2026 10:00:00 +0100',
    'From:   Ada Example <ada@example.org>',
    'To:     linux-block@vger.kernel.org',
    'Subject: [PATCH block-next v3 2/2] vsb: add the long-named superblock hel=',
    ' per',
    'Date:   Tue, 3 Mar 2026 10:00:00 +0100',
    'Message-Id: <20260303090000.1-3-ada@example.org>',
    'Content-Transfer-Encoding: quoted-printable',
    'Precedence: bulk',
    '',
    'From: Grace Example <grace@example.org>',
    '',
    'Add a helper.',
    '',
    'Signed-off-by: Grace Example <grace@example.org>',
    '---',
    ' drivers/block/vsb_superblock_helpers.c | 2 ++',
    '',
    'diff --git a/drivers/block/vsb_superblock_helpers.c b/drivers/block/vsb_su=',
    'perblock_helpers.c',
    'index 1111111..2222222 100644',
    '--- a/drivers/block/vsb_superblock_helpers.c',
    '+++ b/drivers/block/vsb_superblock_helpers.c',
    '@@ -1,3 +1,5 @@',
    ' int vsb_a;',
    '=20',
    '+int vsb_b =3D 1;',
    '+',
    ' int vsb_c;',
    '--=20',
    '2.43.0',
    '',
  ].join('\n');
  assert.equal(isPatchText(mail), true);
  const set = parsePatches(mail, 'l.eml');
  const p = set.patches[0];
  // A folded header keeps its whitespace; "hel= per" is not QP (headers are not QP-encoded).
  assert.equal(p.subject, '[PATCH block-next v3 2/2] vsb: add the long-named superblock hel= per');
  assert.deepEqual(p.number, { k: 2, n: 2 });
  assert.equal(p.from, 'Grace Example <grace@example.org>');
  assert.equal(p.messageId, '<20260303090000.1-3-ada@example.org>');
  assert.deepEqual(p.problems, []);
  const f = p.files[0];
  assert.equal(f.newPath, 'drivers/block/vsb_superblock_helpers.c');
  assert.equal(f.patchLine, 22);
  assert.deepEqual(f.hunks[0].lines.map((l) => [l.kind, l.text, l.patchLine]), [
    [' ', 'int vsb_a;', 28],
    [' ', '', 29],
    ['+', 'int vsb_b = 1;', 30],
    ['+', '', 31],
    [' ', 'int vsb_c;', 32],
  ]);
});

test('a changed file whose diff stops before its hunks is a problem; mode changes and renames are not', () => {
  const head = ['From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001', 'From: Dev <dev@example.org>', 'Subject: [PATCH] x', '', '---'];
  const cut = parsePatches([...head, 'diff --git a/drivers/x/a.c b/drivers/x/a.c', 'index a8666dc..4734007 100644', ''].join('\n'), 'cut.patch');
  assert.deepEqual(cut.patches[0].problems.map((p) => [p.line, p.message]),
    [[6, 'patch 1 "[PATCH] x": the diff of drivers/x/a.c has no hunks (a truncated patch?); nothing of it was reviewed']]);
  const mode = parsePatches([...head, 'diff --git a/scripts/x.sh b/scripts/x.sh', 'old mode 100644', 'new mode 100755', ''].join('\n'), 'mode.patch');
  assert.deepEqual(mode.patches[0].problems, []);
  const rename = parsePatches([...head, 'diff --git a/drivers/x/a.c b/drivers/x/b.c', 'similarity index 100%', 'rename from drivers/x/a.c', 'rename to drivers/x/b.c', ''].join('\n'), 'mv.patch');
  assert.deepEqual(rename.patches[0].problems, []);
});

/** A one-file mail patch with `subject`, adding one line to `file`. */
function mail(subject: string, file = 'drivers/block/frob.c'): string {
  return [
    'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
    'From: Ada Example <ada@example.org>',
    `Subject: ${subject}`,
    '',
    '---',
    `diff --git a/${file} b/${file}`,
    `--- a/${file}`,
    `+++ b/${file}`,
    '@@ -1,1 +1,2 @@',
    ' int frob;',
    '+int frob_more;',
    '',
  ].join('\n');
}

test('several inputs: one series, sorted by [PATCH k/N] across the inputs; the series notes are computed once', () => {
  const set = parsePatchInputs([
    { name: 'c.patch', data: mail('[PATCH v2 3/4] frob: three') },
    { name: 'a.patch', data: mail('[PATCH v2 1/4] frob: one') },
    { name: 'z.patch', data: mail('[PATCH v2 0/4] frob: cover') },
  ]);
  assert.deepEqual(set.patches.map((p) => [p.index, p.source, p.number?.k]), [[1, 'a.patch', 1], [2, 'c.patch', 3]]);
  assert.deepEqual(set.notes, ['z.patch: skipped the cover letter "[PATCH v2 0/4] frob: cover"', 'the series has 4 patches but the input holds 2']);
  assert.deepEqual(set.problems, []);

  // a patch of another series (another N) or an unnumbered one: argument order
  const mixed = parsePatchInputs([{ name: 'b', data: mail('[PATCH 2/2] frob: two') }, { name: 'x', data: mail('[PATCH] frob: fix') }, { name: 'a', data: mail('[PATCH 1/2] frob: one') }]);
  assert.deepEqual(mixed.patches.map((p) => p.source), ['b', 'x', 'a']);
  const otherN = parsePatchInputs([{ name: 'b', data: mail('[PATCH 2/2] frob: two') }, { name: 'a', data: mail('[PATCH 1/1] frob: one') }]);
  assert.deepEqual(otherN.patches.map((p) => p.source), ['b', 'a']);
  assert.deepEqual(otherN.notes, []);
});

test('an empty or binary input is one clear problem, not a patch without a diff', () => {
  for (const [data, why] of [['', /x: the input is empty; nothing was reviewed/], [' \r\n\n\t', /the input is empty/], [Buffer.alloc(0), /the input is empty/], ['diff\0--git', /x: binary data \(a NUL byte in the first 8 KiB\), not a patch; nothing was reviewed/], [Buffer.from([1, 2, 0, 3]), /binary data/]] as [string | Buffer, RegExp][]) {
    const set = parsePatches(data, 'x');
    assert.equal(set.patches.length, 0);
    assert.equal(set.problems.length, 1);
    assert.match(set.problems[0].message, why);
  }
});
