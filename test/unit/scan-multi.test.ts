/**
 * Cross-file findings (issue #6): each test/fixtures/multi/<case>/ directory is scanned whole and
 * must give exactly the findings its `/* expect: RULE *\/` annotations name; the annotated file
 * scanned alone must not (the other files' summaries are what make the finding).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { scanPaths } from '../../analyzer/scan';
import { analyzeText } from '../../analyzer/analyze';

const ROOT = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'multi');

function expected(dir: string): string[] {
  const out: string[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.c')).sort()) {
    fs.readFileSync(path.join(dir, f), 'utf8').split('\n').forEach((line, i) => {
      const m = /\/\* expect: ([\w, -]+) \*\//.exec(line);
      if (m) for (const r of m[1].split(',')) out.push(`${f}:${i + 1}:${r.trim()}`);
    });
  }
  return out.sort();
}

function got(findings: { file: string; span: { start: { line: number } }; rule: string }[]): string[] {
  return findings.map((f) => `${path.basename(f.file)}:${f.span.start.line}:${f.rule}`).sort();
}

const cases = fs.readdirSync(ROOT).filter((d) => fs.statSync(path.join(ROOT, d)).isDirectory()).sort();

test('there are multi-file fixtures', () => {
  assert.ok(cases.length >= 3, `found ${cases.length}`);
});

for (const c of cases) {
  const dir = path.join(ROOT, c);
  test(`multi/${c}: whole directory gives exactly the annotated findings`, async () => {
    const want = expected(dir);
    assert.ok(want.length > 0, 'fixture has expectations');
    const r = await scanPaths([dir], { noCache: true, quiet: true, jobs: 1 });
    assert.deepEqual(got(r.findings), want);
    assert.deepEqual(r.notes.filter((n) => n.severity !== 'info'), []);
  });

  test(`multi/${c}: each annotated file alone misses its cross-file findings`, async () => {
    const want = expected(dir);
    const files = [...new Set(want.map((w) => w.split(':')[0]))];
    for (const f of files) {
      const r = await scanPaths([path.join(dir, f)], { noCache: true, quiet: true, jobs: 1 });
      const alone = got(r.findings);
      const lost = want.filter((w) => w.startsWith(`${f}:`) && !alone.includes(w));
      assert.ok(lost.length > 0, `${f} alone still finds ${alone.join(', ')}: the fixture does not need a second file`);
    }
  });
}

test('multi: all fixtures in one scan through the worker pool give the union of the findings', async () => {
  const want = cases.flatMap((c) => expected(path.join(ROOT, c)));
  const streamed: string[] = [];
  const r = await scanPaths([ROOT], { noCache: true, quiet: true, jobs: 2 }, (f) => streamed.push(`${path.basename(f.file)}:${f.span.start.line}:${f.rule}`));
  assert.deepEqual(got(r.findings), want.sort());
  assert.deepEqual(streamed.sort(), want.sort(), 'every finding is streamed exactly once');
  assert.equal(r.stats.workers, 2);
});

test('call sites across files: a helper called only from another file with vmalloc memory is judged at its callers', async () => {
  const dir = path.join(ROOT, 'remote_page_helper');
  const io = fs.readFileSync(path.join(dir, 'qux_io.c'), 'utf8');
  const users = fs.readFileSync(path.join(dir, 'qux_users.c'), 'utf8');
  // The callers' file reports what it passes to a function of another file, summary or not.
  const u = await analyzeText(users, 'qux_users.c', {});
  assert.deepEqual(u.callSites, [['qux_write_any', [2]]]);
  assert.deepEqual(u.findings, []);
  // Alone, the helper is its own entry point: its mapping of a possibly-vmalloc buffer is reported in it.
  const alone = await analyzeText(io, 'qux_io.c', {});
  assert.deepEqual(alone.findings.map((f) => f.rule), ['vmap-io-missing-flush']);
  // With the call sites, it is judged at its callers: no finding in it, and a summary that says so.
  const judged = await analyzeText(io, 'qux_io.c', { externalCallSites: new Map([['qux_write_any', [2]]]) });
  assert.deepEqual(judged.findings, []);
  assert.deepEqual(judged.summaries.find((s) => s.name === 'qux_write_any')?.submitsParams, [2]);
  // Which the caller that does not flush then gets; the one that flushes does not.
  const again = await analyzeText(users, 'qux_users.c', { externalSummaries: new Map(judged.summaries.map((s) => [s.name, s])) });
  assert.deepEqual(again.findings.map((f) => `${f.span.start.line}:${f.rule}`), ['35:vmap-io-missing-flush']);
});

test('external summaries: only names the file calls and does not define are used (an editor passes a whole workspace)', async () => {
  const dir = path.join(ROOT, 'remote_page_helper');
  const io = fs.readFileSync(path.join(dir, 'qux_io.c'), 'utf8');
  const users = fs.readFileSync(path.join(dir, 'qux_users.c'), 'utf8');
  const judged = await analyzeText(io, 'qux_io.c', { externalCallSites: new Map([['qux_write_any', [2]]]) });
  const helper = judged.summaries.find((s) => s.name === 'qux_write_any');
  assert.ok(helper);
  const noise = Array.from({ length: 500 }, (_, i) => ({ name: `unrelated_${i}`, file: 'x.c', returnsVmalloc: 'vmalloc' as const }));
  const all = new Map([...noise, helper].map((s) => [s.name, s]));
  const withAll = await analyzeText(users, 'qux_users.c', { externalSummaries: all });
  const withOne = await analyzeText(users, 'qux_users.c', { externalSummaries: new Map([['qux_write_any', helper]]) });
  assert.deepEqual(withAll.findings, withOne.findings);
  assert.equal(withAll.findings.length, 1);
  // a summary under the name of a function the file defines does not replace the file's own analysis
  const own = await analyzeText(io, 'qux_io.c', {});
  const shadowed = await analyzeText(io, 'qux_io.c', { externalSummaries: new Map([['qux_write_any', { ...helper, file: 'elsewhere.c' }]]) });
  assert.deepEqual(shadowed.findings, own.findings);
  assert.deepEqual(shadowed.summaries, own.summaries);
});

test('struct members across files: what one file stores is read through the same type only', async () => {
  const dir = path.join(ROOT, 'member_store');
  const core = fs.readFileSync(path.join(dir, 'zq_core.c'), 'utf8');
  const dma = fs.readFileSync(path.join(dir, 'zq_dma.c'), 'utf8');
  const stored = await analyzeText(core, 'zq_core.c', {});
  // the vzalloc()ed member, not the kzalloc()ed one; origin steps name the storing file
  assert.deepEqual(stored.fieldFacts?.map((f) => [f.key, f.t, f.kind, f.zeroed]), [['zq_dev.log', 'buf', 'vmalloc', true]]);
  assert.deepEqual(stored.fieldFacts?.[0].origin.map((s) => `${s.file}:${s.span.start.line}`), ['zq_core.c:12', 'zq_core.c:12']);
  assert.deepEqual(stored.findings, []);
  const alone = await analyzeText(dma, 'zq_dma.c', {});
  assert.deepEqual(alone.findings, []);
  const read = await analyzeText(dma, 'zq_dma.c', { externalFields: stored.fieldFacts });
  assert.deepEqual(read.findings.map((f) => `${f.span.start.line}:${f.rule}:${f.message.includes('possibly')}`), ['11:vmalloc-linear-map:false']);
  assert.deepEqual(read.findings[0].trace.map((s) => s.file), ['zq_core.c', 'zq_core.c', 'zq_dma.c']);
  assert.equal(read.fieldFacts, undefined, 'imported facts are not exported again');
  // Not by member name alone: a holder whose type the reader does not know is not the member.
  const untyped = 'int f(struct device *d, struct scatterlist *sg)\n{\n\tsg_init_one(sg, dev_get_drvdata(d)->log, 64);\n\treturn 0;\n}\n';
  assert.deepEqual((await analyzeText(untyped, 'u.c', { externalFields: stored.fieldFacts })).findings, []);
  // Within one file the same store is read by member name (the analyzer's file-wide rule).
  const local = `${core}\n${untyped}`;
  assert.equal((await analyzeText(local, 'l.c', {})).findings.length, 1);
  // A store of other memory in the reader makes the member maybe-vmalloc there, as a kmalloc()
  // store next to the vzalloc() one does within one file: the same (no) findings either way.
  const small = '\nvoid zq_log_small(struct zq_dev *zd)\n{\n\tzd->log = kmalloc(64, GFP_KERNEL);\n}\n';
  const m = await analyzeText(`${dma}${small}`, 'zq_dma.c', { externalFields: stored.fieldFacts });
  const one = await analyzeText(`${core}\n${dma}${small}`, 'one.c', {});
  assert.deepEqual(m.findings.map((f) => f.rule), one.findings.map((f) => f.rule));
  assert.deepEqual(m.findings, []);
  // The reader's own vmalloc store is its own fact, exported as such.
  const own = `${dma}\nvoid zq_log_big(struct zq_dev *zd)\n{\n\tzd->log = vmalloc(1 << 20);\n}\n`;
  const o = await analyzeText(own, 'zq_dma.c', { externalFields: stored.fieldFacts });
  assert.deepEqual(o.fieldFacts?.map((f) => [f.key, f.origin[0].file]), [['zq_dev.log', 'zq_dma.c']]);
});

test('member tables across files: the pages one file puts in a member table are read where another maps it', async () => {
  const dir = path.join(ROOT, 'member_table');
  const core = fs.readFileSync(path.join(dir, 'yv_core.c'), 'utf8');
  const dma = fs.readFileSync(path.join(dir, 'yv_dma.c'), 'utf8');
  const stored = await analyzeText(core, 'yv_core.c', {});
  // the vzalloc()ed member and the table of its pages (at home in that member); not the control
  // table of a page-allocator page
  assert.deepEqual(stored.fieldFacts?.map((f) => [f.key, f.t, f.home, f.kind]),
    [['yv_ring.cpu_addr', 'buf', undefined, 'vmalloc'], ['yv_ring.sgt', 'table', 'yv_ring.cpu_addr', 'vmalloc']]);
  const read = await analyzeText(dma, 'yv_dma.c', { externalFields: stored.fieldFacts });
  // the unflushed mapping only: the flush of the home member covers the table's pages
  assert.deepEqual(read.findings.map((f) => `${f.span.start.line}:${f.rule}`), ['14:vmap-io-missing-flush']);
  // the same as when both functions are in one file
  const one = await analyzeText(`${core}\n${dma}`, 'one.c', {});
  assert.deepEqual(one.findings.map((f) => f.rule), read.findings.map((f) => f.rule));
  // without its home member the table still holds vmalloc pages, and the flush of that member is
  // of another buffer as far as the reader knows
  const homeless = stored.fieldFacts?.map((f) => ({ ...f, home: undefined })) ?? [];
  const h = await analyzeText(dma, 'yv_dma.c', { externalFields: homeless });
  assert.deepEqual(h.findings.map((f) => f.span.start.line), [14, 23]);
  assert.equal(read.fieldFacts, undefined, 'imported facts are not exported again');
});


test('member reads and writes: a verifier of another file given the member facts says what it reads, and its caller is judged at the call', async () => {
  const hdr = 'struct rb_head { __le32 magic; __le32 nr; __le64 seq; };\nstruct rb_blk { struct block_device *bdev; void *data; size_t len; };\n';
  const meta = [hdr, 'int rb_check(struct rb_blk *b)', '{', '\tconst struct rb_head *h = b->data;', '',
    '\treturn le32_to_cpu(h->magic) == 0x52424c4b ? 0 : -EUCLEAN;', '}', '',
    'void rb_stamp(struct rb_blk *b, u64 seq)', '{', '\tstruct rb_head *h = b->data;', '', '\th->seq = cpu_to_le64(seq);', '}', ''].join('\n');
  const io = (read: string, write: string) => [hdr, '#include <linux/bio.h>', '#include <linux/vmalloc.h>', '',
    'static struct bio *rb_bio(struct rb_blk *b, void *data, blk_opf_t op)', '{',
    '\tstruct bio *bio = bio_alloc(b->bdev, DIV_ROUND_UP(b->len, PAGE_SIZE), op, GFP_NOIO);', '\tsize_t off;', '',
    '\tfor (off = 0; off < b->len; off += PAGE_SIZE)', '\t\t__bio_add_page(bio, vmalloc_to_page(data + off), PAGE_SIZE, 0);', '\treturn bio;', '}', '',
    'int rb_read(struct rb_blk *b)', '{', '\tstruct bio *bio;', '\tint ret;', '', '\tb->data = vmalloc(b->len);',
    '\tbio = rb_bio(b, b->data, REQ_OP_READ);', '\tret = submit_bio_wait(bio);', '\tif (ret)', '\t\treturn ret;', read, '\treturn rb_check(b);', '}', '',
    'int rb_write(struct rb_blk *b, u64 seq)', '{', '\tstruct bio *bio;', '', '\tb->data = vzalloc(b->len);', '\trb_stamp(b, seq);', write,
    '\tbio = rb_bio(b, b->data, REQ_OP_WRITE);', '\treturn submit_bio_wait(bio);', '}', ''].join('\n');
  const bad = io('', '');
  const stored = await analyzeText(bad, 'rb_io.c', {});
  assert.deepEqual(stored.fieldFacts?.map((f) => f.key), ['rb_blk.data']);
  // without the member facts the verifier's file does not know `b->data` holds vmalloc memory
  assert.deepEqual((await analyzeText(meta, 'rb_meta.c', {})).summaries, []);
  const m = await analyzeText(meta, 'rb_meta.c', { externalFields: stored.fieldFacts });
  assert.deepEqual(m.summaries.map((s) => [s.name, s.readsMembers, s.writesMembers]), [['rb_check', ['rb_blk.data'], undefined], ['rb_stamp', undefined, ['rb_blk.data']]]);
  const ext = new Map(m.summaries.map((s) => [s.name, s]));
  const r = await analyzeText(bad, 'rb_io.c', { externalSummaries: ext });
  const lines = bad.split('\n');
  const at = (text: string, from = 0) => lines.indexOf(text, from) + 1;
  const readAt = at('\tret = submit_bio_wait(bio);');
  assert.deepEqual(r.findings.map((f) => `${f.span.start.line}:${f.rule}`), [`${readAt}:vmap-io-missing-invalidate`, `${at('\treturn submit_bio_wait(bio);', readAt)}:vmap-io-missing-flush`]);
  assert.match(r.findings[0].trace.at(-1)?.message ?? '', /inside rb_check\(\) through member `data` \(summary from another file\)/);
  const good = await analyzeText(io('\tinvalidate_kernel_vmap_range(b->data, b->len);', '\tflush_kernel_vmap_range(b->data, b->len);'), 'rb_io.c', { externalSummaries: ext });
  assert.deepEqual(good.findings, []);
});

/** A throw-away tree with one subsystem directory `sub` (relative), removed afterwards. */
async function inTree(sub: string, body: (dir: string, subdir: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-multi-'));
  try {
    const subdir = path.join(dir, ...sub.split('/'));
    fs.mkdirSync(subdir, { recursive: true });
    await body(dir, subdir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a flush helper in another file that takes the object covers the member it flushes, and only that one', async () => {
  await inTree('drivers/md/xq', async (dir, sub) => {
    fs.writeFileSync(path.join(sub, 'xq.h'), 'struct xq { struct block_device *bdev; void *data; void *meta; size_t size; };\nvoid xq_prep(struct xq *x);\n');
    const prep = (member: string) => `#include <linux/highmem.h>\n#include "xq.h"\n\nvoid xq_prep(struct xq *x)\n{\n\tflush_kernel_vmap_range(x->${member}, x->size);\n}\n`;
    fs.writeFileSync(path.join(sub, 'xq_io.c'), [
      '#include <linux/bio.h>', '#include <linux/vmalloc.h>', '#include "xq.h"', '',
      'int xq_write(struct xq *x)', '{', '\tstruct bio *bio;', '\tsize_t off;', '',
      '\tx->data = vmalloc(x->size);', '\tmemset(x->data, 0xa5, x->size);',
      '\tbio = bio_alloc(x->bdev, x->size >> PAGE_SHIFT, REQ_OP_WRITE, GFP_KERNEL);',
      '\tfor (off = 0; off < x->size; off += PAGE_SIZE)', '\t\t__bio_add_page(bio, vmalloc_to_page(x->data + off), PAGE_SIZE, 0);',
      '\txq_prep(x);', '\treturn submit_bio_wait(bio);', '}', '',
    ].join('\n'));
    for (const [member, want] of [['data', []], ['meta', ['xq_io.c:16:vmap-io-missing-flush']]] as const) {
      fs.writeFileSync(path.join(sub, 'xq_prep.c'), prep(member));
      const r = await scanPaths([dir], { noCache: true, quiet: true, jobs: 1 });
      assert.deepEqual(got(r.findings), [...want], `xq_prep() flushes x->${member}`);
      assert.deepEqual(r.summaries.get('xq_prep')?.flushesMembers, [`xq.${member}`]);
    }
  });
});

test('a bi_end_io callback in another file that invalidates the request\'s member covers the asynchronous read', async () => {
  await inTree('drivers/block/qr', async (dir, sub) => {
    fs.writeFileSync(path.join(sub, 'qr.h'), 'struct qr_req { void *buf; size_t len; int err; struct completion done; };\nvoid qr_end_io(struct bio *bio);\n');
    const endio = (maint: string) => ['#include <linux/bio.h>', '#include <linux/highmem.h>', '#include "qr.h"', '',
      'void qr_end_io(struct bio *bio)', '{', '\tstruct qr_req *rq = bio->bi_private;', '',
      '\trq->err = blk_status_to_errno(bio->bi_status);', maint, '\tcomplete(&rq->done);', '\tbio_put(bio);', '}', ''].join('\n');
    fs.writeFileSync(path.join(sub, 'qr_io.c'), [
      '#include <linux/bio.h>', '#include <linux/vmalloc.h>', '#include "qr.h"', '',
      'int qr_read(struct block_device *bdev, void *out, size_t len)', '{', '\tstruct qr_req rq;', '\tstruct bio *bio;', '\tsize_t off;', '',
      '\trq.len = PAGE_ALIGN(len);', '\trq.buf = vmalloc(rq.len);', '\tinit_completion(&rq.done);',
      '\tbio = bio_alloc(bdev, rq.len >> PAGE_SHIFT, REQ_OP_READ, GFP_KERNEL);', '\tbio->bi_end_io = qr_end_io;', '\tbio->bi_private = &rq;',
      '\tfor (off = 0; off < rq.len; off += PAGE_SIZE)', '\t\t__bio_add_page(bio, vmalloc_to_page(rq.buf + off), PAGE_SIZE, 0);',
      '\tsubmit_bio(bio);', '\twait_for_completion(&rq.done);', '\tmemcpy(out, rq.buf, len);', '\tvfree(rq.buf);', '\treturn rq.err;', '}', ''].join('\n'));
    for (const [maint, want] of [['\tinvalidate_kernel_vmap_range(rq->buf, rq->len);', []], ['\tpr_debug("qr: read done\\n");', ['qr_io.c:19:vmap-io-missing-invalidate']]] as const) {
      fs.writeFileSync(path.join(sub, 'qr_endio.c'), endio(maint));
      const r = await scanPaths([dir], { noCache: true, quiet: true, jobs: 1 });
      assert.deepEqual(got(r.findings), [...want], maint);
    }
  });
});
