import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { reviewCommand, CommandIO } from '../../analyzer/patch/command';
import { fixDiff, formatMailback, formatReply } from '../../analyzer/patch/format';
import { simulatedConsequence } from '../../analyzer/patch/consequence';
import type { Finding } from '../../analyzer/types';
import { gitRangeArgs } from '../../analyzer/patch/git';
import { parsePatches } from '../../analyzer/patch/parse';
import { findingId, reviewPatchText, reviewSet } from '../../analyzer/patch/review';
import { BASE, fixture, FIXTURES, toyAnalyze } from './patch-helpers.test';

function capture(stdin?: string): { io: CommandIO; out: () => string; err: () => string } {
  let o = '';
  let e = '';
  const io: CommandIO = {
    stdout: { write: (s: string) => (o += s) },
    stderr: { write: (s: string) => (e += s) },
    stdin: stdin === undefined ? undefined : (async function* () { yield Buffer.from(stdin); })(),
  };
  return { io, out: () => o, err: () => e };
}

const deps = { analyze: toyAnalyze };
const P = (n: string): string => path.join(FIXTURES, n);

test('mailback: one terse line per finding, exit 1', async () => {
  const c = capture();
  const code = await reviewCommand([P('series-cover-3.mbox'), '--base', BASE, '--format', 'mailback'], c.io, deps);
  assert.equal(code, 1);
  assert.equal(c.err(), '', 'the skipped cover letter is not a problem');
  assert.equal(
    c.out(),
    // an input of several patches: each line says which patch it belongs to
    'drivers/block/vsb.c:57: buf is written to the device without flush_kernel_vmap_range() [vmap-io-missing-flush] [2/3]\n' +
      'drivers/block/vsb.c:32: vd->log is written to the device without flush_kernel_vmap_range() [vmap-io-missing-flush] [3/3]\n',
  );
  for (const line of c.out().trimEnd().split('\n')) assert.match(line, /^[^\s:]+:\d+: .+ \[[a-z-]+\] \[\d\/3\]$/);
});

test('mailback: unnumbered patches of one input are labelled by their place in the series; one patch alone is not', async () => {
  const c = capture();
  const code = await reviewCommand([P('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'), P('rename-drops-flush.patch'), '--base', BASE, '--format', 'mailback'], c.io, deps);
  assert.equal(code, 1);
  assert.deepEqual(c.out().trimEnd().split('\n').map((l) => / \[\d\/\d\]$/.exec(l)?.[0]), [' [1/2]', ' [2/2]']);
  const one = capture();
  await reviewCommand([P('rename-drops-flush.patch'), '--base', BASE, '--format', 'mailback'], one.io, deps);
  assert.match(one.out(), /\[vmap-io-missing-flush\]\n$/);
});

test('mailback: a clean patch prints nothing at all and exits 0 (b4 contract)', async () => {
  const c = capture();
  const code = await reviewCommand([P('binary-docs-and-c.patch'), '--base', BASE, '--format=mailback'], c.io, deps);
  assert.equal(code, 0);
  assert.equal(c.out(), '');
  // b4 reports every stderr line as a failure: "binary file skipped" must not appear there.
  assert.equal(c.err(), '');
  // The same patch in reply mode does tell what it skipped.
  const r = capture();
  assert.equal(await reviewCommand([P('binary-docs-and-c.patch'), '--base', BASE], r.io, deps), 0);
  assert.match(r.err(), /binary file firmware\/vsb\.bin skipped/);
});

test('mailback: real problems (malformed, truncated) still go to stderr', async () => {
  const c = capture();
  const code = await reviewCommand([P('malformed.mbox'), '--base', BASE, '--format', 'mailback'], c.io, deps);
  assert.equal(code, 1);
  assert.equal(c.out().split('\n').filter(Boolean).length, 1);
  assert.equal(c.err().split('\n').filter(Boolean).length, 2);
  assert.match(c.err(), /^vmalias: patch 1 "\[PATCH 1\/2\][^\n]*hunk 1 of drivers\/block\/vsb\.c/);
});

test('mailback from stdin, as b4 pipes each patch', async () => {
  const c = capture(fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch').toString());
  const code = await reviewCommand(['-', '--format', 'mailback'], c.io, deps);
  assert.equal(code, 1);
  assert.equal(c.out(), 'drivers/block/vsb.c:57: buf is written to the device without flush_kernel_vmap_range() (low confidence: reviewed without the base file) [vmap-io-missing-flush]\n');
});

test('several patch files form one series in argument order', async () => {
  const c = capture();
  const code = await reviewCommand([P('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'), P('rename-drops-flush.patch'), '--base', BASE, '--format', 'json'], c.io, deps);
  assert.equal(code, 1);
  const j = JSON.parse(c.out()) as { findings: { patch: { index: number; file: string; line: number }; target: { path: string } }[] };
  assert.deepEqual(j.findings.map((f) => [f.patch.index, path.basename(f.patch.file), f.patch.line, f.target.path]), [
    [1, '0001-vsb-write-the-superblock-when-the-log-is-set-up.patch', 50, 'drivers/block/vsb.c'],
    [2, 'rename-drops-flush.patch', 35, 'drivers/block/vsb_log.c'],
  ]);
});

test('review reply: subject, attribution, quoted hunk lines, explanation, consequence, fix diff', async () => {
  const c = capture();
  const code = await reviewCommand([P('series-cover-3.mbox'), '--base', BASE], c.io, { ...deps, consequence: (f) => `SIMULATED ${f.rule}` });
  assert.equal(code, 1);
  const out = c.out();
  const [first, second] = out.split(`\n${'-'.repeat(72)}\n\n`);
  assert.ok(first.startsWith('Subject: Re: [PATCH 2/3] vsb: write the superblock when the log is set up\n\nOn Tue, 3 Mar 2026 10:03:00 +0100, Ada Example <ada@example.org> wrote:\n'));
  assert.ok(first.includes('> [...]\n> +\n> +\tbio = bio_alloc(vd->bdev, len >> PAGE_SHIFT, REQ_OP_WRITE | REQ_SYNC,\n'));
  assert.ok(first.includes('> +\t\tbio_add_page(bio, vmalloc_to_page(buf + off), PAGE_SIZE, 0);\n> +\tret = submit_bio_wait(bio);\n\n'));
  assert.ok(first.replace(/\s+/g, ' ').includes('Please call flush_kernel_vmap_range(buf, len) before the I/O is submitted'));
  assert.ok(first.includes('\n\nSIMULATED vmap-io-missing-flush\n\n'));
  assert.ok(
    first.includes(
      '--- a/drivers/block/vsb.c\n+++ b/drivers/block/vsb.c\n@@ -56,2 +56,3 @@\n \t\tbio_add_page(bio, vmalloc_to_page(buf + off), PAGE_SIZE, 0);\n+\tflush_kernel_vmap_range(buf, len);\n \tret = submit_bio_wait(bio);\n',
    ),
  );
  assert.ok(first.includes('[vmalias vmap-io-missing-flush at drivers/block/vsb.c:57]'));
  // The patch that deletes the flush: the removed line and the submission are quoted.
  assert.ok(second.startsWith('Subject: Re: [PATCH 3/3] vsb: drop the log flush before submission\n'));
  assert.ok(second.includes('> -\tflush_kernel_vmap_range(vd->log, VSB_LOG_SIZE);\n>  \tret = submit_bio_wait(bio);'));
  // The fix for a deleted flush is to keep it: the removed line goes back between its neighbours.
  assert.ok(second.includes('(keep the flush_kernel_vmap_range() call this patch\nremoves):\n\n--- a/drivers/block/vsb.c\n+++ b/drivers/block/vsb.c\n@@ -31,2 +31,3 @@\n \n+\tflush_kernel_vmap_range(vd->log, VSB_LOG_SIZE);\n \tret = submit_bio_wait(bio);\n'));
});

test('review reply: the simulator gives one line per architecture and a byte example', async () => {
  const review = await reviewSet(parsePatches(fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'), 'p'), { base: BASE, analyze: toyAnalyze });
  const text = formatReply(review);
  assert.ok(text.includes('Simulated (vmalias simulate --scenario write-no-flush --size 8192):\n'));
  assert.match(text, /\n {2}armv5-vivt +8192\/8192 bytes corrupted, fixed: intact\n/);
  assert.match(text, /\n {2}nios2 +\d+\/8192 bytes corrupted, fixed: \d+\/8192 bytes corrupted \(flush_kernel_vmap_range\(\) is a no-op there\)\n/);
  assert.ok(text.includes('\n  x86-64, arm64: not affected (physically indexed)\n'));
  assert.match(text, /\nE\.g\. on armv5-vivt the CPU wrote 5a 5a 5a 5a at buf(\+0x[0-9a-f]+)?; the device received 00 00 00 00\.\n/);
});

test('review reply without a simulation falls back to the per-architecture summary', async () => {
  const review = await reviewSet(parsePatches(fixture('qp-latin1.eml'), 'qp.eml'), { base: BASE, analyze: toyAnalyze });
  const text = formatReply(review, { consequence: () => undefined });
  assert.ok(text.startsWith('Subject: Re: [PATCH v2] vsb: check the superblock magic at set-up before the log is used\nIn-Reply-To: <20260303091500.4242-1-joerg@example.org>\n\nOn Tue, 3 Mar 2026 10:15:00 +0100, Jörg Beispiel <joerg@example.org> wrote:\n'));
  assert.ok(text.includes('the CPU can read stale bytes'));
  assert.ok(text.includes('x86-64 and arm64'));
  // Invalidate goes after the completed I/O.
  assert.ok(text.includes(' \tret = submit_bio_wait(bio);\n+\tinvalidate_kernel_vmap_range(buf, len);\n'));
});

test('fixDiff refuses edits outside the analysed text instead of inventing a diff', async () => {
  const review = await reviewSet(parsePatches(fixture('0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'), 'p'), { base: BASE, analyze: toyAnalyze });
  const item = review.items[0];
  const bad = { title: 'x', isPreferred: true, edits: [{ file: 'x', span: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 }, startOffset: 1e9, endOffset: 1e9 }, newText: 'y' }] };
  assert.equal(fixDiff(item, bad), undefined);
});

test('mailback formatter on no findings is the empty string', () => {
  assert.equal(formatMailback({ findings: [] }), '');
});

test('usage errors exit 2 with a message', async () => {
  for (const argv of [[], ['--format', 'xml', 'a.patch'], ['--bogus'], [P('qp-latin1.eml'), '--base', path.join(FIXTURES, 'nope')], ['/nonexistent.patch'], ['x', '--kernel', 'six']]) {
    const c = capture();
    assert.equal(await reviewCommand(argv, c.io, deps), 2, argv.join(' '));
    assert.ok(c.err().length > 0);
    assert.equal(c.out(), '');
  }
  const h = capture();
  assert.equal(await reviewCommand(['--help'], h.io, deps), 0);
  assert.match(h.out(), /^usage: vmalias review/);
});

test('formatReply with only: the reply for a single finding', async () => {
  const review = await reviewSet(parsePatches(fixture('series-cover-3.mbox'), 's'), { base: BASE, analyze: toyAnalyze });
  assert.equal(review.findings.length, 2);
  const one = formatReply(review, { only: (pf) => pf === review.findings[1], consequence: () => 'X' });
  assert.ok(one.startsWith('Subject: Re: [PATCH 3/3]'));
  assert.ok(!one.includes('[PATCH 2/3]'));
  assert.equal(formatReply(review, { only: () => false }), '');
});

test('gitRangeArgs accepts ranges and refuses anything that could be an option', () => {
  assert.deepEqual(gitRangeArgs('v6.18..HEAD'), ['format-patch', '--stdout', '--no-color', '--no-ext-diff', '--no-textconv', '--no-relative', '--src-prefix=a/', '--dst-prefix=b/', '-M', 'v6.18..HEAD', '--']);
  assert.deepEqual(gitRangeArgs('HEAD~3..').slice(-2), ['HEAD~3..', '--']);
  assert.deepEqual(gitRangeArgs('abc123').slice(-3), ['-1', 'abc123', '--']);
  for (const bad of ['', '..', '--output=/tmp/x', 'a..b..c', 'HEAD; rm -rf /', '-1', 'a b']) assert.throws(() => gitRangeArgs(bad), /not a revision range/, bad);
});

test('a deleted multi-line guarded call: the whole removed run is quoted and restored', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-restore-'));
  try {
    const src = [
      'static void z_end_io(struct z *z)', // 1
      '{',
      '\tif (z->read) {',
      '\t\tif (is_vmalloc_addr(z->buf))',
      '\t\t\tinvalidate_kernel_vmap_range(z->buf,',
      '\t\t\t\tz->len);',
      '\t\tz_check(z->buf);',
      '\t}',
      '}',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(tmp, 'z.c'), src);
    const diff = ['--- a/z.c', '+++ b/z.c', '@@ -3,5 +3,2 @@ static void z_end_io(struct z *z)', ' \tif (z->read) {', '-\t\tif (is_vmalloc_addr(z->buf))', '-\t\t\tinvalidate_kernel_vmap_range(z->buf,', '-\t\t\t\tz->len);', ' \t\tz_check(z->buf);', ''].join('\n');
    // A stand-in analysis: the read finding sits at line 1 (outside the hunk, like a submission elsewhere).
    const analyze = async (text: string, file: string) => {
      const r = await toyAnalyze('', file);
      if (!text.includes('invalidate_kernel_vmap_range')) {
        const span = { start: { line: 1, column: 1 }, end: { line: 1, column: 2 }, startOffset: 0, endOffset: 1 };
        r.findings.push({
          rule: 'vmap-io-missing-invalidate', severity: 'error', file, span, message: 'z->buf is read without invalidate_kernel_vmap_range()', function: 'z_end_io', buffer: 'z->buf',
          direction: 'read', trace: [], kernel: 'newest', fixes: [], confidence: 'high',
          facts: { rule: 'vmap-io-missing-invalidate', direction: 'read', cpuWroteBefore: false, cpuReadsAfter: true, hasFlush: false, hasInvalidate: false, source: 'vmalloc' },
        });
      }
      return r;
    };
    const review = await reviewSet(parsePatches(diff, 'z.diff'), { base: tmp, analyze });
    assert.deepEqual(review.findings.map((f) => [f.patch.line, f.target.line]), [[5, 1]]);
    // reported at a stand-in line of the hunk: the message says where the finding is
    assert.match(review.findings[0].finding.message, /\(at z\.c:1, outside the lines the patch shows\)$/);
    const text = formatReply(review, { consequence: () => 'X' });
    assert.ok(text.includes('> -\t\tif (is_vmalloc_addr(z->buf))\n> -\t\t\tinvalidate_kernel_vmap_range(z->buf,\n> -\t\t\t\tz->len);\n> [...]\n'));
    assert.ok(text.replace(/\s+/g, ' ').includes('on the whole of z->buf'));
    assert.ok(text.includes('@@ -3,2 +3,5 @@\n \tif (z->read) {\n+\t\tif (is_vmalloc_addr(z->buf))\n+\t\t\tinvalidate_kernel_vmap_range(z->buf,\n+\t\t\t\tz->len);\n \t\tz_check(z->buf);\n'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('findingId survives a structured clone, so a worker can select one finding for a reply', async () => {
  const review = await reviewPatchText(fixture('series-cover-3.mbox'), 's', { base: BASE, analyze: toyAnalyze });
  const cloned = structuredClone(review.findings[1]);
  const ids = review.findings.map(findingId);
  assert.equal(new Set(ids).size, ids.length);
  const text = formatReply(review, { only: (pf) => findingId(pf) === findingId(cloned), consequence: () => 'X' });
  assert.ok(text.startsWith('Subject: Re: [PATCH 3/3]'));
});

test('review reply with several findings: the simulation table once, a one-line summary for the same simulation after', async () => {
  const review = await reviewSet(parsePatches(fixture('series-cover-3.mbox'), 's'), { base: BASE, analyze: toyAnalyze });
  assert.equal(review.items.length, 2);
  const text = formatReply(review);
  assert.equal(text.split('Simulated (vmalias simulate --scenario write-no-flush --size 8192):\n').length, 2, 'one full table');
  assert.equal(text.match(/^ {2}armv5-vivt /gm)?.length, 1);
  const [, second] = text.split(`\n${'-'.repeat(72)}\n\n`);
  assert.match(second.replace(/\n/g, ' '), /Simulated as above \(write-no-flush, 8192 bytes\): corrupts on armv5-vivt, armv6-vipt-aliasing, .*nios2, xtensa-aliasing; intact on x86-64, arm64\./);
  // one finding alone keeps its table
  const only = formatReply(review, { only: (pf) => pf.patch.index === review.findings[1].patch.index });
  assert.ok(only.includes('Simulated (vmalias simulate --scenario write-no-flush --size 8192):\n'));
  assert.ok(!only.includes('Simulated as above'));
});

test('consequence: an example of unknown direction says it is replayed as a write; a known one does not', () => {
  const finding = (direction: 'both' | 'write') => ({
    rule: 'vmalloc-linear-map', buffer: 'buf', direction,
    facts: { rule: 'vmalloc-linear-map', direction, cpuWroteBefore: false, cpuReadsAfter: false, hasFlush: false, hasInvalidate: false, source: 'vmalloc', sizeBytes: 8192 },
  }) as unknown as Finding;
  assert.match(simulatedConsequence(finding('both')) ?? '', /\nE\.g\. on armv5-vivt, replayed as a write \(the direction is not known here\), the CPU wrote /);
  assert.match(simulatedConsequence(finding('write')) ?? '', /\nE\.g\. on armv5-vivt the CPU wrote /);
});
