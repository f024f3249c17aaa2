/**
 * Engine behaviour the `expect:` fixture annotations cannot express: function summaries (the
 * contract whole-tree scans exchange between files), external summaries, trace order, exact fix
 * text, kernel-version gating and rule filters.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../../analyzer/analyze';
import { Fix, FindingFacts, FunctionSummary } from '../../analyzer/types';
import { simulateFinding } from '../../simulator/simulate';
import { appliesTo, parseVersion, relevantNames, SINKS, ALLOCATORS, kvmallocFallback } from '../../analyzer/tables';
import * as fs from 'fs';
import * as path from 'path';
import { FIXTURE_DIR } from './fixtures-harness';

const HDR = '#include <linux/bio.h>\n#include <linux/vmalloc.h>\n\n';

/** `src` with every edit of `fix` applied (last first, so earlier offsets stay valid). */
function applyFix(src: string, fix: Fix): string {
  let out = src;
  for (const e of [...fix.edits].sort((a, b) => b.span.startOffset - a.span.startOffset)) out = out.slice(0, e.span.startOffset) + e.newText + out.slice(e.span.endOffset);
  return out;
}

async function summariesOf(src: string): Promise<Map<string, FunctionSummary>> {
  const r = await analyzeText(HDR + src, 'sum.c');
  return new Map(r.summaries.map((s) => [s.name, s]));
}

describe('function summaries', () => {
  test('a wrapper returning vmalloc memory names its size parameter', async () => {
    const s = await summariesOf(`void *foo_alloc_big(size_t sz, gfp_t gfp)
{
	return __vmalloc(sz, gfp);
}
`);
    assert.equal(s.get('foo_alloc_big')?.returnsVmalloc, 'vmalloc');
    assert.equal(s.get('foo_alloc_big')?.returnSizeParam, 0);
  });

  test('a size computed from parameters travels as a template, and the caller fills it in for its fix', async () => {
    const src = `static void *foo_area_get(unsigned int nr, struct foo_geo *geo)
{
	return vzalloc(nr * geo->blksz + FOO_HDR_LEN);
}

static void *foo_area_local(unsigned int nr)
{
	size_t len = nr * PAGE_SIZE;

	return vmalloc(len);
}

int foo_area_write(struct block_device *bdev, struct foo_geo *geo, unsigned int first, unsigned int n)
{
	u8 *a = foo_area_get(first + n, geo);
	struct bio *bio;
	int ret;

	if (!a)
		return -ENOMEM;
	memset(a, 0x5a, n);
	bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_NOIO);
	__bio_add_page(bio, vmalloc_to_page(a), PAGE_SIZE, 0);
	ret = submit_bio_wait(bio);
	vfree(a);
	return ret;
}
`;
    const s = await summariesOf(src);
    assert.equal(s.get('foo_area_get')?.returnSize, '$0 * $1->blksz + FOO_HDR_LEN');
    assert.equal(s.get('foo_area_get')?.returnSizeParam, undefined);
    // a local the caller cannot see: no template
    assert.equal(s.get('foo_area_local')?.returnSize, undefined);
    const r = await analyzeText(HDR + src, 'sum.c');
    const f = r.findings.find((x) => x.rule === 'vmap-io-missing-flush');
    assert.equal(f?.fixes[0]?.title, 'Insert flush_kernel_vmap_range(a, (first + n) * geo->blksz + FOO_HDR_LEN) before the submission');
    // the same through an external summary (another file's wrapper)
    const ext = await analyzeText(HDR + src.slice(src.indexOf('int foo_area_write')), 'caller.c', {
      externalSummaries: new Map([['foo_area_get', { name: 'foo_area_get', file: 'area.c', returnsVmalloc: 'vmalloc', returnSize: '$0 * $1->blksz + FOO_HDR_LEN' }]]),
    });
    assert.deepEqual(ext.findings.map((x) => x.fixes[0]?.title), [f?.fixes[0]?.title]);
  });

  test('an allocation handed back through an out-parameter is summarised, and a caller of another file gets it', async () => {
    const s = await summariesOf(`int foo_get(size_t n, void **out)
{
	*out = vmalloc(n);
	return *out ? 0 : -ENOMEM;
}

int foo_get_either(size_t n, bool big, void **out)
{
	if (big)
		*out = vmalloc(n);
	else
		*out = kmalloc(n, GFP_KERNEL);
	return *out ? 0 : -ENOMEM;
}

int foo_fill(void **out, u8 *src)
{
	*out = src;
	return 0;
}
`);
    // with the size as a template of the parameters, for the callers' fixes
    assert.deepEqual(s.get('foo_get')?.outVmallocParams, [{ param: 1, kind: 'vmalloc', size: '$0' }]);
    assert.deepEqual(s.get('foo_get_either')?.outVmallocParams, [{ param: 2, kind: 'maybe-vmalloc', size: '$0' }]);
    // storing a parameter's own memory hands nothing vmalloc back
    assert.equal(s.get('foo_fill')?.outVmallocParams, undefined);
    const caller = `int bar_map(struct scatterlist *sg, size_t n)
{
	void *p;

	if (foo_get(n, &p))
		return -ENOMEM;
	sg_init_one(sg, p, n);
	return 0;
}
`;
    const r = await analyzeText(HDR + caller, 'bar.c', {
      externalSummaries: new Map([['foo_get', { name: 'foo_get', file: 'foo.c', outVmallocParams: [{ param: 1, kind: 'vmalloc' as const }] }]]),
    });
    assert.deepEqual(r.findings.map((f) => f.rule), ['vmalloc-linear-map']);
    assert.match(r.findings[0].trace[0].message, /foo_get\(\), which stores vmalloc memory in `p`/);
    assert.deepEqual((await analyzeText(HDR + caller, 'bar.c')).findings, [], 'without the summary nothing is known of p');
    const writer = `int bar_write(struct block_device *bdev, unsigned int nr)
{
	struct bio *bio;
	void *p;

	if (foo_get(nr * PAGE_SIZE, &p))
		return -ENOMEM;
	memset(p, 0, nr * PAGE_SIZE);
	bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_NOIO);
	__bio_add_page(bio, vmalloc_to_page(p), PAGE_SIZE, 0);
	return submit_bio_wait(bio);
}
`;
    const w = await analyzeText(HDR + writer, 'bar.c', {
      externalSummaries: new Map([['foo_get', { name: 'foo_get', file: 'foo.c', outVmallocParams: [{ param: 1, kind: 'vmalloc' as const, size: '$0' }] }]]),
    });
    assert.deepEqual(w.findings.map((f) => f.fixes[0]?.title), ['Insert flush_kernel_vmap_range(p, nr * PAGE_SIZE) before the submission']);
  });

  test('a wrapper that falls back to vmalloc above a size is maybe-vmalloc', async () => {
    const s = await summariesOf(`void *foo_alloc(size_t sz)
{
	if (sz <= PAGE_SIZE)
		return kmalloc(sz, GFP_KERNEL);
	return __vmalloc(sz, GFP_KERNEL);
}
`);
    assert.equal(s.get('foo_alloc')?.returnsVmalloc, 'maybe-vmalloc');
  });

  test('a helper that flushes, submits or pages its parameter says so', async () => {
    const s = await summariesOf(`void foo_flush(void *p, unsigned int len)
{
	flush_kernel_vmap_range(p, len);
}

int foo_put(struct block_device *bdev, void *p, unsigned int len)
{
	struct bio *bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_KERNEL);

	__bio_add_page(bio, vmalloc_to_page(p), len, 0);
	return submit_bio_wait(bio);
}

struct page *foo_to_page(void *addr)
{
	if (is_vmalloc_addr(addr))
		return vmalloc_to_page(addr);
	return virt_to_page(addr);
}

static int foo_user(struct block_device *bdev)
{
	void *b = vmalloc(PAGE_SIZE);

	memset(b, 1, PAGE_SIZE);
	return foo_put(bdev, b, PAGE_SIZE);
}
`);
    assert.deepEqual(s.get('foo_flush')?.flushesParams, [0]);
    assert.deepEqual(s.get('foo_put')?.submitsParams, [1]);
    assert.equal(s.get('foo_put')?.submitDirection, 'write');
    assert.equal(s.get('foo_to_page')?.returnsPageOfParam, 0);
  });
});

describe('external summaries (another file)', () => {
  const caller = `${HDR}int foo_store(struct block_device *bdev, const void *src, size_t len)
{
	void *buf = foo_alloc_big(len, GFP_KERNEL);

	memcpy(buf, src, len);
	return foo_put(bdev, buf, len);
}
`;
  const ext = new Map<string, FunctionSummary>([
    ['foo_alloc_big', { name: 'foo_alloc_big', file: 'a.c', returnsVmalloc: 'vmalloc', returnSizeParam: 0 }],
    ['foo_put', { name: 'foo_put', file: 'b.c', submitsParams: [1], submitDirection: 'write' }],
  ]);

  test('connect a wrapper allocator and a submitting helper defined elsewhere', async () => {
    const r = await analyzeText(caller, 'c.c', { externalSummaries: ext });
    assert.deepEqual(r.findings.map((f) => [f.rule, f.span.start.line]), [['vmap-io-missing-flush', 9]]);
    // the size comes from the argument at the call site, so the fix is offered
    assert.match(r.findings[0].fixes[0].edits[0].newText, /flush_kernel_vmap_range\(buf, len\);/);
  });

  test('without the summaries the same file is clean', async () => {
    const r = await analyzeText(caller, 'c.c');
    assert.deepEqual(r.findings, []);
  });

  test('a helper from elsewhere that flushes its argument sanitizes', async () => {
    const withFlush = new Map(ext);
    withFlush.set('foo_flush', { name: 'foo_flush', file: 'd.c', flushesParams: [0] });
    const r = await analyzeText(caller.replace('\treturn foo_put', '\tfoo_flush(buf, len);\n\treturn foo_put'), 'c.c', { externalSummaries: withFlush });
    assert.deepEqual(r.findings, []);
  });
});

describe('failed reads', () => {
  // a helper reading into its caller's vmalloc buffer: on the path where the read failed it
  // returns early, and only the successful path must invalidate before the caller reads
  const helper = (check: string, after = '\tinvalidate_kernel_vmap_range(buf, len);\n') => `${HDR}static int foo_read(struct block_device *bdev, u8 *buf, unsigned int len)
{
	struct bio *bio = bio_alloc(bdev, 1, REQ_OP_READ, GFP_NOIO);
	int ret;

	__bio_add_page(bio, vmalloc_to_page(buf), len, 0);
	ret = submit_bio_wait(bio);
	bio_put(bio);
${check}
${after}	return 0;
}

int foo_load(struct block_device *bdev, unsigned int len, u32 *magic)
{
	u8 *buf = vmalloc(len);
	int ret = buf ? foo_read(bdev, buf, len) : -ENOMEM;

	if (!ret)
		*magic = buf[0];
	vfree(buf);
	return ret;
}
`;
  for (const check of ['\tif (ret)\n\t\treturn ret;', '\tif (unlikely(ret < 0))\n\t\treturn ret;', '\tif (ret != 0)\n\t\treturn ret;']) {
    test(`no invalidate is needed on the failure branch: ${check.trim().split('\n')[0]}`, async () => {
      assert.deepEqual((await analyzeText(helper(check), 'r.c')).findings.map((f) => f.rule), []);
    });
  }
  test('the success branch still needs its invalidate', async () => {
    const r = await analyzeText(helper('\tif (ret)\n\t\treturn ret;', ''), 'r.c');
    assert.deepEqual(r.findings.map((f) => f.rule), ['vmap-io-missing-invalidate']);
    const negated = await analyzeText(helper('\tif (!ret)\n\t\treturn 0;', '\treturn ret;\n'), 'r.c');
    assert.deepEqual(negated.findings.map((f) => f.rule), ['vmap-io-missing-invalidate'], 'if (!ret) return 0: the success branch leaves without the invalidate');
  });
});

describe('traces and fixes', () => {
  const src = `${HDR}static int foo_write(struct block_device *bdev, size_t len)
{
	void *buf = vmalloc(len);
	struct bio *bio;

	memset(buf, 0x5a, len);
	bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_KERNEL);
	__bio_add_page(bio, vmalloc_to_page(buf), len, 0);
	return submit_bio_wait(bio);
}
`;

  test('the trace runs allocation → CPU write → page → page add → submission, in source order', async () => {
    const r = await analyzeText(src, 't.c');
    assert.equal(r.findings.length, 1);
    const f = r.findings[0];
    assert.deepEqual(f.trace.map((t) => t.kind), ['alloc', 'cpu-write', 'page', 'page-add', 'submit']);
    const lines = f.trace.map((t) => t.span.start.line);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
    assert.equal(f.buffer, 'buf');
    assert.equal(f.size, 'len');
    assert.equal(f.direction, 'write');
    assert.equal(f.facts.cpuWroteBefore, true);
  });

  test('the flush fix is a whole line with the statement\'s indentation, right before it', async () => {
    const r = await analyzeText(src, 't.c');
    const fix = r.findings[0].fixes[0];
    assert.equal(fix.isPreferred, true);
    const fixed = applyFix(src, fix);
    assert.match(fixed, /\t__bio_add_page\(bio, vmalloc_to_page\(buf\), len, 0\);\n\tflush_kernel_vmap_range\(buf, len\);\n\treturn submit_bio_wait\(bio\);/);
    const again = await analyzeText(fixed, 't.c');
    assert.deepEqual(again.findings, []);
  });

  test('a kvmalloc buffer gets an is_vmalloc_addr()-guarded flush', async () => {
    const r = await analyzeText(src.replace('vmalloc(len)', 'kvmalloc(len, GFP_KERNEL)').replace('vmalloc_to_page(buf)', 'is_vmalloc_addr(buf) ? vmalloc_to_page(buf) : virt_to_page(buf)'), 't.c');
    assert.equal(r.findings.length, 1);
    assert.match(r.findings[0].fixes[0].edits[0].newText, /if \(is_vmalloc_addr\(buf\)\)\n\t\tflush_kernel_vmap_range\(buf, len\);/);
    assert.equal(r.findings[0].facts.source, 'maybe-vmalloc');
  });

  test('a size built from an expression keeps its meaning: (len >> PAGE_SHIFT) * PAGE_SIZE, not a shift by the product', async () => {
    const vsrc = `${HDR}static int foo_pt_write(struct block_device *bdev, struct foo_pt *pt, size_t pt_len)
{
	struct bio *bio;
	unsigned int i;

	pt->vaddr = vmap(pt->pages, pt_len >> PAGE_SHIFT, VM_MAP, PAGE_KERNEL);
	if (!pt->vaddr)
		return -ENOMEM;
	memset(pt->vaddr, 0, pt_len);
	bio = bio_alloc(bdev, pt_len >> PAGE_SHIFT, REQ_OP_WRITE, GFP_KERNEL);
	for (i = 0; i < pt_len >> PAGE_SHIFT; i++)
		__bio_add_page(bio, pt->pages[i], PAGE_SIZE, 0);
	return submit_bio_wait(bio);
}
`;
    const r = await analyzeText(vsrc, 't.c');
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].fixes[0]?.title, 'Insert flush_kernel_vmap_range(pt->vaddr, (pt_len >> PAGE_SHIFT) * PAGE_SIZE) before the submission');
    const e = r.findings[0].fixes[0].edits[0];
    const again = await analyzeText(vsrc.slice(0, e.span.startOffset) + e.newText + vsrc.slice(e.span.endOffset), 't.c');
    assert.deepEqual(again.findings, []);
  });

  test('a caller\'s `seg.n` is not written into a helper where `seg` is a pointer: the helper\'s own `seg->n` is', async () => {
    const src = `${HDR}struct foo_seg { void *buf; unsigned int nr; };

static int foo_seg_write(struct block_device *bdev, struct foo_seg *seg)
{
	struct bio *bio = bio_alloc(bdev, seg->nr, REQ_OP_WRITE, GFP_NOFS);
	unsigned int i;

	for (i = 0; i < seg->nr; i++)
		__bio_add_page(bio, vmalloc_to_page(seg->buf + (i << PAGE_SHIFT)), PAGE_SIZE, 0);
	return submit_bio_wait(bio);
}

int foo_seg_close(struct block_device *bdev)
{
	struct foo_seg seg = { .nr = 8 };

	seg.buf = vmalloc(seg.nr << PAGE_SHIFT);
	if (!seg.buf)
		return -ENOMEM;
	memset(seg.buf, 0, 64);
	return foo_seg_write(bdev, &seg);
}
`;
    const r = await analyzeText(src, 't.c');
    assert.equal(r.findings.length, 1);
    const e = r.findings[0].fixes[0]?.edits[0];
    assert.ok(e, 'a fix is offered');
    assert.doesNotMatch(e.newText, /seg\.nr/);
    assert.match(e.newText, /flush_kernel_vmap_range\(seg->buf, seg->nr \* PAGE_SIZE|flush_kernel_vmap_range\(seg->buf, seg->nr << PAGE_SHIFT/);
  });
});

describe('a table builder that flushes only the vmalloc side of a kvmalloc()ed member', () => {
  test('covers its caller\'s write: is_vmalloc_addr() said the other side is linear-map memory', async () => {
    const src = `#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

struct kbm_xfer {
	struct device *dev;
	struct sg_table sgt;
	void *buf;
	size_t len;
};

static int kbm_build(struct kbm_xfer *x)
{
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	if (!is_vmalloc_addr(x->buf)) {
		ret = sg_alloc_table(&x->sgt, 1, GFP_KERNEL);
		if (ret)
			return ret;
		sg_set_buf(x->sgt.sgl, x->buf, x->len);
		return 0;
	}
	ret = sg_alloc_table(&x->sgt, DIV_ROUND_UP(x->len, PAGE_SIZE), GFP_KERNEL);
	if (ret)
		return ret;
	for_each_sgtable_sg(&x->sgt, sg, i)
		sg_set_page(sg, vmalloc_to_page(x->buf + i * PAGE_SIZE), PAGE_SIZE, 0);
	flush_kernel_vmap_range(x->buf, x->len);
	return 0;
}

static int kbm_build_noflush(struct kbm_xfer *x)
{
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	if (!is_vmalloc_addr(x->buf)) {
		ret = sg_alloc_table(&x->sgt, 1, GFP_KERNEL);
		if (ret)
			return ret;
		sg_set_buf(x->sgt.sgl, x->buf, x->len);
		return 0;
	}
	ret = sg_alloc_table(&x->sgt, DIV_ROUND_UP(x->len, PAGE_SIZE), GFP_KERNEL);
	if (ret)
		return ret;
	for_each_sgtable_sg(&x->sgt, sg, i)
		sg_set_page(sg, vmalloc_to_page(x->buf + i * PAGE_SIZE), PAGE_SIZE, 0);
	return 0;
}

int kbm_init(struct kbm_xfer *x, size_t len)
{
	x->buf = kvmalloc(PAGE_ALIGN(len), GFP_KERNEL);
	return x->buf ? 0 : -ENOMEM;
}

int kbm_send(struct kbm_xfer *x, const void *src, size_t len)
{
	int ret;

	memcpy(x->buf, src, len);
	x->len = len;
	ret = kbm_build(x);
	if (ret)
		return ret;
	return dma_map_sgtable(x->dev, &x->sgt, DMA_TO_DEVICE, 0);
}

int kbm_send_noflush(struct kbm_xfer *x, const void *src, size_t len)
{
	int ret;

	memcpy(x->buf, src, len);
	x->len = len;
	ret = kbm_build_noflush(x);
	if (ret)
		return ret;
	return dma_map_sgtable(x->dev, &x->sgt, DMA_TO_DEVICE, 0);
}
`;
    const r = await analyzeText(src, 'kbm.c');
    assert.deepEqual(r.findings.map((f) => [f.rule, f.function]), [['vmap-io-missing-flush', 'kbm_send_noflush']]);
  });
});

describe('a flush made after the submission', () => {
  test('is named in the missing-flush finding and its trace', async () => {
    const src = `${HDR}int foo_put(struct block_device *bdev, const void *from)
{
	void *buf = vmalloc(PAGE_SIZE);
	struct bio *bio;

	memcpy(buf, from, PAGE_SIZE);
	bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_NOIO);
	__bio_add_page(bio, vmalloc_to_page(buf), PAGE_SIZE, 0);
	submit_bio(bio);
	flush_kernel_vmap_range(buf, PAGE_SIZE);
	return 0;
}
`;
    const r = await analyzeText(src, 't.c');
    assert.equal(r.findings.length, 1);
    const f = r.findings[0];
    const line = src.split('\n').findIndex((l) => l.includes('flush_kernel_vmap_range(buf')) + 1;
    assert.match(f.message, /without flush_kernel_vmap_range\(\) before it \(the one this function makes runs after the submission\)/);
    const last = f.trace[f.trace.length - 1];
    assert.equal(last.kind, 'maintenance');
    assert.equal(last.span.start.line, line);
    assert.equal(f.facts.hasFlush, false);
  });
});

describe('a page array kept in a member and mapped with vm_map_ram()', () => {
  test('the trace names the address its pages are also mapped at, not the array', async () => {
    const src = `${HDR}struct foo_zr { struct block_device *bdev; unsigned int n; struct page *pages[8]; };

static int foo_zr_read(struct foo_zr *z)
{
	struct bio *bio = bio_alloc(z->bdev, z->n, REQ_OP_READ, GFP_NOIO);
	unsigned int i;

	for (i = 0; i < z->n; i++)
		__bio_add_page(bio, z->pages[i], PAGE_SIZE, 0);
	return submit_bio_wait(bio);
}

int foo_zr_unpack(struct foo_zr *z, void *dst, int dlen)
{
	void *src = vm_map_ram(z->pages, z->n, NUMA_NO_NODE);
	int ret;

	if (!src)
		return -ENOMEM;
	ret = foo_zr_read(z);
	if (!ret)
		ret = LZ4_decompress_safe(src, dst, z->n * PAGE_SIZE, dlen);
	vm_unmap_ram(src, z->n);
	return ret;
}
`;
    const r = await analyzeText(src, 't.c');
    assert.equal(r.findings.length, 1);
    const steps = r.findings[0].trace.map((t) => t.message);
    assert.ok(steps.includes('page z->pages[i] is also mapped at `src` (mapped with vm_map_ram())'), steps.join(' | '));
  });
});

describe('a member allocated in another function', () => {
  test('keeps the size text only where it means the same: not the allocating function\'s `size`', async () => {
    const src = `${HDR}struct foo_lg { struct block_device *bdev; void *buf; };

int foo_lg_init(struct foo_lg *l, size_t size)
{
	l->buf = vmalloc(size);
	return l->buf ? 0 : -ENOMEM;
}

int foo_lg_write(struct foo_lg *l, const void *src, unsigned int size)
{
	struct bio *bio = bio_alloc(l->bdev, 1, REQ_OP_WRITE, GFP_NOIO);

	memcpy(l->buf, src, 16);
	__bio_add_page(bio, vmalloc_to_page(l->buf), PAGE_SIZE, 0);
	return submit_bio_wait(bio);
}
`;
    const r = await analyzeText(src, 't.c');
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].size, undefined);
    assert.equal(r.findings[0].fixes[0]?.title, 'Insert flush_kernel_vmap_range(l->buf, PAGE_SIZE) before the submission');
    // a size of constants and members means the same everywhere
    const kept = await analyzeText(src.replace('vmalloc(size)', 'vmalloc(FOO_LG_SIZE)'), 't.c');
    assert.equal(kept.findings[0].size, 'FOO_LG_SIZE');
  });
});

describe('quick fixes that would be wrong', () => {
  test('an invalidate fix covers the mapping, not the length of an earlier header-only invalidate', async () => {
    const src = `${HDR}static int foo_rdp(struct block_device *bdev, struct page **pages, unsigned int first, unsigned int nr)
{
	struct bio *bio = bio_alloc(bdev, nr, REQ_OP_READ, GFP_KERNEL);
	unsigned int i;

	for (i = 0; i < nr; i++)
		__bio_add_page(bio, pages[first + i], PAGE_SIZE, 0);
	return submit_bio_wait(bio);
}

u64 foo_load(struct block_device *bdev, struct page **pages, unsigned int nr)
{
	u32 *v = vmap(pages, nr, VM_MAP, PAGE_KERNEL);
	u64 sum = 0;
	unsigned int i;

	if (!v)
		return 0;
	if (foo_rdp(bdev, pages, 0, 1))
		return 0;
	invalidate_kernel_vmap_range(v, PAGE_SIZE);
	if (v[0] != 0x54424c31)
		return 0;
	if (foo_rdp(bdev, pages, 1, nr - 1))
		return 0;
	for (i = 1; i < nr * PAGE_SIZE / 4; i++)
		sum += v[i];
	return sum;
}
`;
    const r = await analyzeText(src, 't.c');
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].fixes[0]?.title, 'Insert invalidate_kernel_vmap_range(v, nr * PAGE_SIZE) after the I/O completes');
  });

  test('an invalidate fix goes right before the read when an error path jumps past the completion to a label', async () => {
    const src = `${HDR}struct foo_fl { struct device *dev; void *ring; dma_addr_t dma[4]; struct completion done; };

u32 foo_pull(struct foo_fl *f)
{
	int i;

	for (i = 0; i < 4; i++) {
		f->dma[i] = dma_map_page(f->dev, vmalloc_to_page(f->ring + i * PAGE_SIZE), 0, PAGE_SIZE, DMA_FROM_DEVICE);
		if (dma_mapping_error(f->dev, f->dma[i]))
			goto unmap;
	}
	wait_for_completion(&f->done);
unmap:
	while (--i >= 0)
		dma_unmap_page(f->dev, f->dma[i], PAGE_SIZE, DMA_FROM_DEVICE);
	return *(u32 *)f->ring;
}

int foo_fl_init(struct foo_fl *f)
{
	f->ring = vmalloc(4 * PAGE_SIZE);
	return f->ring ? 0 : -ENOMEM;
}
`;
    const r = await analyzeText(src, 't.c');
    assert.equal(r.findings.length, 1);
    const fix = r.findings[0].fixes[0];
    assert.equal(fix?.title, 'Insert invalidate_kernel_vmap_range(f->ring, 4 * PAGE_SIZE) before the CPU reads it');
    const e = fix.edits[0];
    const again = await analyzeText(src.slice(0, e.span.startOffset) + e.newText + src.slice(e.span.endOffset), 't.c');
    assert.deepEqual(again.findings, []);
  });

  test('a buffer named through a list cursor is flushed in the loop that adds it, not after the loop', async () => {
    const src = `${HDR}#define FOO_CHUNK (4 * PAGE_SIZE)
struct foo_chunk { struct list_head list; void *data; };
struct foo_log { struct block_device *bdev; struct list_head chunks; unsigned int nr; };

int foo_chunk_add(struct foo_log *l, const void *src)
{
	struct foo_chunk *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	c->data = vmalloc(FOO_CHUNK);
	memcpy(c->data, src, FOO_CHUNK);
	list_add_tail(&c->list, &l->chunks);
	return 0;
}

int foo_log_commit(struct foo_log *l)
{
	struct foo_chunk *c;
	struct bio *bio = bio_alloc(l->bdev, l->nr * 4, REQ_OP_WRITE, GFP_NOIO);
	unsigned int i;

	list_for_each_entry(c, &l->chunks, list) {
		for (i = 0; i < 4; i++)
			__bio_add_page(bio, vmalloc_to_page(c->data + i * PAGE_SIZE), PAGE_SIZE, 0);
	}
	for (i = 0; i < l->nr; i++)
		bio->bi_iter.bi_size += 0;
	return submit_bio_wait(bio);
}
`;
    const r = await analyzeText(src, 't.c');
    assert.equal(r.findings.length, 1);
    const fix = r.findings[0].fixes[0];
    assert.equal(fix?.title, 'Insert flush_kernel_vmap_range(c->data, FOO_CHUNK) in the loop, before its pages are added');
    const fixed = applyFix(src, fix);
    assert.ok(fixed.includes('list_for_each_entry(c, &l->chunks, list) {\n\t\tflush_kernel_vmap_range(c->data, FOO_CHUNK);\n\t\tfor (i = 0;'), fixed);
    assert.deepEqual((await analyzeText(fixed, 't.c')).findings, []);
    // an array walked by index: the same, inside the for loop
    const arr = src.replace('list_for_each_entry(c, &l->chunks, list) {', 'for (c = l->first; c; c = c->next) {');
    const ra = await analyzeText(arr, 't.c');
    assert.equal(ra.findings[0]?.fixes[0]?.title, 'Insert flush_kernel_vmap_range(c->data, FOO_CHUNK) in the loop, before its pages are added');
    // a local the loop advances that shares the member's name is not the fix's `c`: one flush before the submission
    const one = `${HDR}struct foo_t { struct block_device *bdev; void *data; unsigned int size; };

int foo_t_write(struct foo_t *t)
{
	struct bio *bio = bio_alloc(t->bdev, 4, REQ_OP_WRITE, GFP_NOIO);
	void *data = t->data;
	unsigned int i;

	memset(t->data, 0, t->size);
	for (i = 0; i < 4; i++) {
		__bio_add_page(bio, vmalloc_to_page(data), PAGE_SIZE, 0);
		data += PAGE_SIZE;
	}
	return submit_bio_wait(bio);
}

int foo_t_init(struct foo_t *t)
{
	t->size = 4 * PAGE_SIZE;
	t->data = vmalloc(t->size);
	return t->data ? 0 : -ENOMEM;
}
`;
    const ro = await analyzeText(one, 't.c');
    assert.match(ro.findings[0]?.fixes[0]?.title ?? '', /^Insert flush_kernel_vmap_range\(t->data, .*\) before the submission$/);
  });

  test('virt_to_page() in a loop adding at most a page each time gets vmalloc_to_page() and a flush before the loop', async () => {
    const src = `${HDR}int foo_save(struct block_device *bdev, const void *src, size_t len)
{
	void *buf = vmalloc(len);
	struct bio *bio;
	size_t off;

	memcpy(buf, src, len);
	bio = bio_alloc(bdev, DIV_ROUND_UP(len, PAGE_SIZE), REQ_OP_WRITE, GFP_NOIO);
	for (off = 0; off < len; off += PAGE_SIZE)
		__bio_add_page(bio, virt_to_page(buf + off), min_t(size_t, PAGE_SIZE, len - off), 0);
	return submit_bio_wait(bio);
}
`;
    const r = await analyzeText(src, 't.c');
    assert.equal(r.findings.length, 1);
    const fix = r.findings[0].fixes[0];
    assert.equal(fix?.title, 'Use vmalloc_to_page() and flush_kernel_vmap_range(buf, len) before the write');
    const fixed = applyFix(src, fix);
    assert.ok(fixed.includes('\tflush_kernel_vmap_range(buf, len);\n\tfor (off = 0;'), fixed);
    assert.deepEqual((await analyzeText(fixed, 't.c')).findings, []);
    // a length that may run past the page: no replacement (vmalloc pages are not contiguous)
    const over = await analyzeText(src.replace('min_t(size_t, PAGE_SIZE, len - off)', 'len - off'), 't.c');
    assert.deepEqual(over.findings[0]?.fixes, []);
  });

  test('a read completing in a callback that finds its object with container_of() gets the invalidate there', async () => {
    const src = `${HDR}struct foo_rd { struct completion done; void *buf; size_t len; u32 magic; struct bio_vec bv[4]; struct bio bio; };

static void foo_rd_endio(struct bio *bio)
{
	struct foo_rd *rd = container_of(bio, struct foo_rd, bio);

	rd->magic = *(u32 *)rd->buf;
	complete(&rd->done);
}

int foo_rd_start(struct foo_rd *rd, struct block_device *bdev)
{
	int i;

	rd->len = 4 * PAGE_SIZE;
	rd->buf = vmalloc(rd->len);
	bio_init(&rd->bio, bdev, rd->bv, 4, REQ_OP_READ);
	for (i = 0; i < 4; i++)
		__bio_add_page(&rd->bio, vmalloc_to_page(rd->buf + i * PAGE_SIZE), PAGE_SIZE, 0);
	rd->bio.bi_end_io = foo_rd_endio;
	submit_bio(&rd->bio);
	return 0;
}
`;
    const r = await analyzeText(src, 't.c');
    assert.equal(r.findings.length, 1);
    const fix = r.findings[0].fixes[0];
    assert.equal(fix?.title, 'Invalidate the vmap range at the top of foo_rd_endio()');
    const fixed = applyFix(src, fix);
    assert.ok(fixed.includes('container_of(bio, struct foo_rd, bio);\n\tinvalidate_kernel_vmap_range(rd->buf, rd->len);'), fixed);
    assert.deepEqual((await analyzeText(fixed, 't.c')).findings, []);
  });

  test('a DM_IO_KMEM request for vmalloc memory becomes a DM_IO_VMA one, in an initializer or assigned member by member', async () => {
    const init = `#include <linux/dm-io.h>
#include <linux/vmalloc.h>

int foo_md_rw(struct dm_io_client *c, struct dm_io_region *where, blk_opf_t opf, size_t len)
{
	void *area = vzalloc(len);
	struct dm_io_request req = {
		.bi_opf = opf,
		.mem.type = DM_IO_KMEM,
		.mem.ptr.addr = area,
		.client = c,
	};

	return dm_io(&req, 1, where, NULL, IOPRIO_DEFAULT);
}
`;
    const assigned = init.replace(/struct dm_io_request req = \{[^}]*\};/, `struct dm_io_request req;

	req.bi_opf = opf;
	req.mem.type = DM_IO_KMEM;
	req.mem.ptr.addr = area;
	req.client = c;`);
    for (const src of [init, assigned]) {
      const r = await analyzeText(src, 'm.c');
      assert.equal(r.findings.length, 1);
      const fix = r.findings[0].fixes[0];
      assert.equal(fix?.title, 'Use a DM_IO_VMA request (mem.ptr.vma)');
      const fixed = applyFix(src, fix);
      assert.match(fixed, /mem\.type = DM_IO_VMA/);
      assert.match(fixed, /mem\.ptr\.vma = area/);
      assert.deepEqual((await analyzeText(fixed, 'm.c')).findings, []);
    }
  });

  test('a flush that skips the header of what the I/O carries from the buffer start is moved to the start, for the I/O length', async () => {
    const src = `${HDR}struct foo_hdr { __le32 len; __le32 crc; };
struct foo_log { struct block_device *bdev; void *seg; };

int foo_log_append(struct foo_log *l, const void *data, size_t len)
{
	struct foo_hdr *hdr = l->seg;
	size_t total = sizeof(*hdr) + len;
	struct bio *bio;
	size_t off;

	memcpy(hdr + 1, data, len);
	hdr->len = cpu_to_le32(len);
	bio = bio_alloc(l->bdev, DIV_ROUND_UP(total, PAGE_SIZE), REQ_OP_WRITE, GFP_NOIO);
	for (off = 0; off < total; off += PAGE_SIZE)
		__bio_add_page(bio, vmalloc_to_page(l->seg + off), min_t(size_t, PAGE_SIZE, total - off), 0);
	flush_kernel_vmap_range(hdr + 1, len);
	return submit_bio_wait(bio);
}

int foo_log_init(struct foo_log *l, size_t size)
{
	l->seg = vzalloc(size);
	return l->seg ? 0 : -ENOMEM;
}
`;
    const r = await analyzeText(src, 't.c');
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].rule, 'vmap-io-maintenance-range');
    const fix = r.findings[0].fixes[0];
    assert.equal(fix?.title, 'Cover what the I/O carries: flush_kernel_vmap_range(l->seg, total)');
    const fixed = applyFix(src, fix);
    assert.deepEqual((await analyzeText(fixed, 't.c')).findings, []);
  });

  test('a submission inside a statement-expression macro gets its flush before the macro\'s use, never inside the #define', async () => {
    const src = `${HDR}#define foo_sync_io(bio)			\\
	({					\\
		int __r = submit_bio_wait(bio);	\\
		bio_put(bio);			\\
		__r;				\\
	})

struct foo_j { struct block_device *bdev; u8 *area; };

int foo_j_commit(struct foo_j *j, const void *tx)
{
	struct bio *bio;

	j->area = vmalloc(PAGE_SIZE);
	memcpy(j->area, tx, PAGE_SIZE);
	bio = bio_alloc(j->bdev, 1, REQ_OP_WRITE, GFP_NOIO);
	__bio_add_page(bio, vmalloc_to_page(j->area), PAGE_SIZE, 0);
	return foo_sync_io(bio);
}
`;
    const r = await analyzeText(src, 't.c');
    assert.equal(r.findings.length, 1);
    const fix = r.findings[0].fixes[0];
    assert.equal(fix?.edits.length, 1);
    const fixed = applyFix(src, fix);
    assert.ok(fixed.includes('\tflush_kernel_vmap_range(j->area, PAGE_SIZE);\n\treturn foo_sync_io(bio);'), fixed);
    assert.ok(fixed.includes('int __r = submit_bio_wait(bio);\t\\'), 'the #define is untouched');
    assert.deepEqual((await analyzeText(fixed, 't.c')).findings, []);
  });

  test('an inverted is_vmalloc_addr() test gets the test inverted, not vmalloc_to_page() on both sides', async () => {
    const early = `${HDR}static struct page *foo_page(const void *addr)
{
	if (!is_vmalloc_addr(addr))
		return vmalloc_to_page(addr);
	return virt_to_page(addr);
}

struct page *foo_first(size_t len, void **out)
{
	*out = kvzalloc(len, GFP_KERNEL);
	return *out ? foo_page(*out) : NULL;
}
`;
    const branches = early.replace('\tif (!is_vmalloc_addr(addr))\n\t\treturn vmalloc_to_page(addr);\n\treturn virt_to_page(addr);',
      '\tstruct page *pg;\n\n\tif (is_vmalloc_addr(addr))\n\t\tpg = virt_to_page(addr);\n\telse\n\t\tpg = vmalloc_to_page(addr);\n\treturn pg;');
    assert.notEqual(branches, early);
    for (const src of [early, branches]) {
      const r = await analyzeText(src, 't.c');
      const f = r.findings.find((x) => x.rule === 'vmalloc-linear-map');
      assert.ok(f, 'the conversion on the vmalloc side is found');
      const fix = f.fixes[0];
      assert.equal(fix?.title, 'Invert the is_vmalloc_addr() test: its branches are the wrong way round');
      const fixed = applyFix(src, fix);
      assert.deepEqual((await analyzeText(fixed, 't.c')).findings.filter((x) => x.rule === 'vmalloc-linear-map'), []);
    }
  });

  test('no vmalloc_to_page() fix when the page becomes the physical address of a multi-page buffer', async () => {
    const src = `${HDR}#define FOO_SNAP_SIZE (512 * 1024)

int foo_arm_snapshot(void __iomem *bar, void **snapp)
{
	void *snap = vzalloc(FOO_SNAP_SIZE);

	if (!snap)
		return -ENOMEM;
	writeq(page_to_phys(virt_to_page(snap)), bar + 0x40);
	*snapp = snap;
	return 0;
}
`;
    const r = await analyzeText(src, 't.c');
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].rule, 'vmalloc-linear-map');
    assert.deepEqual(r.findings[0].fixes, []);
    // one page of it, or a buffer of one page: the replacement is right
    const one = await analyzeText(src.replace('(512 * 1024)', '(4096)'), 't.c');
    assert.equal(one.findings[0].fixes[0]?.title, 'Use vmalloc_to_page()');
  });
});

describe('a flush at a fixed start inside a loop of chunks', () => {
  test('is short, and its fix moves it to the chunk the iteration adds', async () => {
    const src = fs.readFileSync(path.join(FIXTURE_DIR, 'maint_chunk_fixed_start.c'), 'utf8');
    const r = await analyzeText(src, 'maint_chunk_fixed_start.c');
    const f = r.findings.find((x) => x.rule === 'vmap-io-maintenance-range');
    assert.match(f?.message ?? '', /covers `snap` on every iteration, while the loop adds its chunks at `off` \(`len` bytes in all\)/);
    const e = f?.fixes[0]?.edits[0];
    assert.equal(e?.newText, 'snap + off');
    const fixed = src.slice(0, e.span.startOffset) + e.newText + src.slice(e.span.endOffset);
    const again = await analyzeText(fixed, 'maint_chunk_fixed_start.c');
    assert.deepEqual(again.findings.filter((x) => x.function === 'snap_write_stale'), []);
  });
});

describe('an invalidate made too early', () => {
  test('is named in the missing-invalidate finding and its trace, between submission and completion', async () => {
    const src = `${HDR}static void foo_end_io(struct bio *bio)
{
	complete(bio->bi_private);
}

int foo_read(struct block_device *bdev, size_t len, u32 *out)
{
	DECLARE_COMPLETION_ONSTACK(done);
	u32 *buf = vmalloc(len);
	struct bio *bio = bio_alloc(bdev, 1, REQ_OP_READ, GFP_KERNEL);

	bio->bi_end_io = foo_end_io;
	bio->bi_private = &done;
	__bio_add_page(bio, vmalloc_to_page(buf), len, 0);
	submit_bio(bio);
	invalidate_kernel_vmap_range(buf, len);
	wait_for_completion_io(&done);
	*out = buf[0];
	return 0;
}
`;
    const r = await analyzeText(src, 'early.c');
    assert.equal(r.findings.length, 1, JSON.stringify(r.findings.map((f) => f.message)));
    const f = r.findings[0];
    assert.equal(f.rule, 'vmap-io-missing-invalidate');
    const line = src.split('\n').findIndex((l) => l.includes('invalidate_kernel_vmap_range')) + 1;
    // the line is the trace's to give: a message with positions in it would not survive the memo's relocation
    assert.match(f.message, /but its invalidate_kernel_vmap_range\(\) runs before the I\/O completes/);
    const kinds = f.trace.map((t) => t.kind);
    assert.deepEqual(kinds.slice(kinds.indexOf('submit')), ['submit', 'maintenance', 'complete', 'cpu-read']);
    assert.equal(f.trace[kinds.indexOf('maintenance')].span.start.line, line);
  });
});

describe('when kvmalloc() can fall back to vmalloc', () => {
  test('small sizes never; the flags by kernel version; unknown expressions may', () => {
    const v = (s: string) => parseVersion(s);
    assert.equal(kvmallocFallback('GFP_KERNEL', 4096, v('6.18')), false);
    assert.equal(kvmallocFallback('GFP_KERNEL', 4097, v('6.18')), undefined);
    assert.equal(kvmallocFallback('GFP_KERNEL | __GFP_ZERO', undefined, v('5.4')), undefined);
    assert.equal(kvmallocFallback('GFP_NOIO', undefined, v('5.16')), false);
    assert.equal(kvmallocFallback('GFP_NOIO', undefined, v('5.17')), undefined);
    assert.equal(kvmallocFallback('GFP_NOFS', undefined, undefined), undefined);
    assert.equal(kvmallocFallback('GFP_ATOMIC | __GFP_NOWARN', undefined, v('6.18')), false);
    assert.equal(kvmallocFallback('GFP_NOWAIT', undefined, v('4.19')), false);
    // what the text cannot settle stays possible
    assert.equal(kvmallocFallback('gfp', undefined, v('5.4')), undefined);
    assert.equal(kvmallocFallback('GFP_KERNEL & ~__GFP_DIRECT_RECLAIM', undefined, v('6.18')), undefined);
    assert.equal(kvmallocFallback('GFP_NOIO | __GFP_FS', undefined, v('5.4')), undefined);
    assert.equal(kvmallocFallback('GFP_KERNEL | GFP_ATOMIC', undefined, v('5.4')), undefined);
  });
});

describe('kernel versions and rule selection', () => {
  const src = `${HDR}static int foo_report(struct request_queue *q, struct request *rq, size_t len)
{
	void *buf = vzalloc(len);

	return blk_rq_map_kern(q, rq, buf, len, GFP_KERNEL);
}
`;

  test('blk_rq_map_kern on a vmalloc buffer is a finding before 5.3 only', async () => {
    const old = await analyzeText(src, 'k.c', { kernel: { major: 5, minor: 2 } });
    assert.deepEqual(old.findings.map((f) => f.rule), ['vmap-blk-rq-map-kern']);
    assert.equal(old.findings[0].kernel, '5.2');
    const now = await analyzeText(src, 'k.c', { kernel: { major: 5, minor: 3 } });
    assert.deepEqual(now.findings, []);
    const newest = await analyzeText(src, 'k.c');
    assert.deepEqual(newest.findings, []);
  });

  test('before 2.6.34 a missing flush is still a finding, with no fix that calls the API it lacks', async () => {
    const w = `${HDR}static int foo_write(struct block_device *bdev, size_t len)
{
	void *buf = vmalloc(len);
	struct bio *bio = bio_alloc(GFP_NOIO, 1);

	memset(buf, 0x5a, len);
	bio->bi_bdev = bdev;
	bio_add_page(bio, vmalloc_to_page(buf), len, 0);
	return submit_bio_wait(WRITE, bio);
}
`;
    const old = await analyzeText(w, 'w.c', { kernel: { major: 2, minor: 6, patch: 33 } });
    assert.deepEqual(old.findings.map((f) => f.rule), ['vmap-io-missing-flush']);
    assert.deepEqual(old.findings[0].fixes, []);
    assert.match(old.findings[0].message, /kernel 2\.6\.33 has no flush_kernel_vmap_range\(\)\/invalidate_kernel_vmap_range\(\) \(added in 2\.6\.34\): do this I\/O from linear-map memory/);
    const later = await analyzeText(w, 'w.c', { kernel: { major: 2, minor: 6, patch: 34 } });
    assert.deepEqual(later.findings[0].fixes.map((f) => f.title), ['Insert flush_kernel_vmap_range(buf, len) before the submission']);
    assert.doesNotMatch(later.findings[0].message, /has no flush_kernel_vmap_range/);
  });

  test('an allocation or mapping made with an uncached protection is no vmalloc alias (5.4 __vmalloc, vm_map_ram; vmap)', async () => {
    const body = (alloc: string) => `${HDR}static int foo_flush_area(struct block_device *bdev, struct page **pages, unsigned int n)
{
	u8 *area = ${alloc};
	struct bio *bio;

	if (!area)
		return -ENOMEM;
	memset(area, 0xa5, n * PAGE_SIZE);
	bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_NOIO);
	__bio_add_page(bio, vmalloc_to_page(area), PAGE_SIZE, 0);
	return submit_bio_wait(bio);
}
`;
    const k54 = { kernel: { major: 5, minor: 4 } };
    const rules = async (alloc: string, opts = {}) => (await analyzeText(body(alloc), 'p.c', opts)).findings.map((f) => f.rule);
    assert.deepEqual(await rules('__vmalloc(n * PAGE_SIZE, GFP_NOIO, PAGE_KERNEL)', k54), ['vmap-io-missing-flush']);
    assert.deepEqual(await rules('__vmalloc(n * PAGE_SIZE, GFP_NOIO, PAGE_KERNEL_NOCACHE)', k54), []);
    assert.deepEqual(await rules('vm_map_ram(pages, n, -1, PAGE_KERNEL)', k54), ['vmap-io-missing-flush']);
    assert.deepEqual(await rules('vm_map_ram(pages, n, -1, pgprot_noncached(PAGE_KERNEL))', k54), []);
    assert.deepEqual(await rules('vmap(pages, n, VM_MAP, PAGE_KERNEL)'), ['vmap-io-missing-flush']);
    assert.deepEqual(await rules('vmap(pages, n, VM_MAP, pgprot_writecombine(PAGE_KERNEL))'), []);
    // still a vmalloc-space address: the linear map does not hold it
    const conv = (await analyzeText(body('vmap(pages, n, VM_MAP, pgprot_writecombine(PAGE_KERNEL))').replace('vmalloc_to_page(area)', 'virt_to_page(area)'), 'p.c')).findings;
    assert.deepEqual(conv.map((f) => f.rule), ['vmalloc-linear-map']);
  });

  test('the rules option filters findings', async () => {
    const r = await analyzeText(src, 'k.c', { kernel: { major: 4, minor: 19 }, rules: new Set(['vmap-io-missing-flush']) });
    assert.deepEqual(r.findings, []);
  });

  test('table rows apply by version range; an unknown kernel means the newest rules', () => {
    const row = SINKS.get('blk_rq_map_kern');
    assert.ok(row);
    assert.equal(appliesTo(row, parseVersion('5.2.21')), true);
    assert.equal(appliesTo(row, parseVersion('5.3')), false);
    assert.equal(appliesTo(row, undefined), false);
    const vadd = SINKS.get('bio_add_vmalloc');
    assert.ok(vadd);
    assert.equal(appliesTo(vadd, parseVersion('6.15')), false);
    assert.equal(appliesTo(vadd, parseVersion('6.16')), true);
    assert.throws(() => parseVersion('six'));
  });

  test('every table row names its source; _noprof spellings are matched', () => {
    for (const [name, row] of [...ALLOCATORS, ...SINKS]) assert.ok(row.source.length > 5, `${name} has no source`);
    assert.equal(ALLOCATORS.get('vmalloc_noprof')?.kind, 'vmalloc');
    assert.equal(ALLOCATORS.get('kvmalloc_node_noprof')?.kind, 'maybe-vmalloc');
    const names = relevantNames();
    assert.ok(names.includes('vmalloc') && names.includes('vmalloc_to_page') && names.includes('flush_kernel_vmap_range'));
  });
});

describe('linear-map findings say what the analysed kernel does and what to do instead', () => {
  const DMA = `int foo_send(struct device *dev, size_t len)
{
	void *buf = vmalloc(len);
	dma_addr_t a;

	a = dma_map_single(dev, buf, len, DMA_TO_DEVICE);
	return dma_mapping_error(dev, a);
}
`;
  test('dma_map_single(): refused from v5.4 (warning, DMA_MAPPING_ERROR), the wrong page before', async () => {
    const now = (await analyzeText(HDR + DMA, 'd.c', { kernel: { major: 6, minor: 18 } })).findings;
    const old = (await analyzeText(HDR + DMA, 'd.c', { kernel: { major: 4, minor: 19 } })).findings;
    assert.equal(now.length, 1);
    assert.equal(old.length, 1);
    assert.match(now[0].message, /refuses vmalloc memory \(a warning and DMA_MAPPING_ERROR/);
    assert.match(old[0].message, /maps virt_to_page\(\) of it: the wrong page/);
    for (const f of [...now, ...old]) assert.match(f.message, /kmalloc\(\) or dma_alloc_coherent\(\) memory/);
  });

  test('bdev_rw_virt(): refused with -EIO, not a wrong page; the advice names bio_add_vmalloc()', async () => {
    const src = `int foo_load(struct block_device *bdev, size_t len)
{
	void *t = vmalloc(len);

	return bdev_rw_virt(bdev, 0, t, len, REQ_OP_READ);
}
`;
    const f = (await analyzeText(HDR + src, 'r.c', { kernel: { major: 6, minor: 18 } })).findings;
    assert.equal(f.length, 1);
    assert.match(f[0].message, /refuses vmalloc memory \(WARN_ON_ONCE\(is_vmalloc_addr\(\)\) and -EIO/);
    assert.doesNotMatch(f[0].message, /wrong page/);
    assert.match(f[0].message, /bio_add_vmalloc\(\)/);
  });

  test('a possibly-vmalloc address gets an is_vmalloc_addr() test, not vmalloc_to_page() alone', async () => {
    const r = await analyzeText(HDR + `struct page *foo_page(size_t len)
{
	void *buf = kvmalloc(len, GFP_KERNEL);

	return virt_to_page(buf);
}
`, 'k.c', { kernel: { major: 6, minor: 18 } });
    assert.equal(r.findings.length, 1);
    const f = r.findings[0];
    assert.match(f.message, /test is_vmalloc_addr\(\) and use vmalloc_to_page\(\) for vmalloc memory/);
    assert.doesNotMatch(f.message, /; use vmalloc_to_page\(\)/);
    assert.equal(f.fixes[0]?.edits[0]?.newText, '(is_vmalloc_addr(buf) ? vmalloc_to_page(buf) : virt_to_page(buf))');
  });
});

test('a write after the flush is the one the trace shows, and says it came after the flush', async () => {
  const r = await analyzeText(HDR + `int foo_sb_write(struct block_device *bdev, u64 seq)
{
	__le64 *sb = vzalloc(PAGE_SIZE);
	struct bio *bio;

	sb[0] = cpu_to_le64(0x5342);
	flush_kernel_vmap_range(sb, PAGE_SIZE);
	sb[1] = cpu_to_le64(seq);
	bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_NOIO);
	__bio_add_page(bio, vmalloc_to_page(sb), PAGE_SIZE, 0);
	return submit_bio_wait(bio);
}
`, 'f.c');
  assert.equal(r.findings.length, 1);
  const w = r.findings[0].trace.filter((s) => s.kind === 'cpu-write');
  assert.equal(w.length, 1);
  assert.equal(w[0].span.start.line, 11);
  assert.match(w[0].message, /after it was flushed: sb\[1\] = /);
});

test('an invalidate before the read is submitted is named in the message and the trace', async () => {
  const r = await analyzeText(HDR + `int foo_tbl_read(struct block_device *bdev, u64 *out)
{
	__le64 *tbl = vzalloc(PAGE_SIZE);
	struct bio *bio;
	int ret;

	bio = bio_alloc(bdev, 1, REQ_OP_READ, GFP_NOIO);
	__bio_add_page(bio, vmalloc_to_page(tbl), PAGE_SIZE, 0);
	invalidate_kernel_vmap_range(tbl, PAGE_SIZE);
	ret = submit_bio_wait(bio);
	*out = le64_to_cpu(tbl[0]);
	return ret;
}
`, 'g.c');
  assert.equal(r.findings.length, 1);
  assert.match(r.findings[0].message, /its invalidate_kernel_vmap_range\(\) runs before the I\/O is submitted/);
  const kinds = r.findings[0].trace.map((s) => `${s.kind}:${s.span.start.line}`);
  assert.ok(kinds.indexOf('maintenance:12') >= 0 && kinds.indexOf('maintenance:12') < kinds.findIndex((k) => k.startsWith('submit')), kinds.join(' '));
});

describe('quick-fix placement', () => {
  const apply = (text: string, edits: { span: { startOffset: number; endOffset: number }; newText: string }[]): string =>
    [...edits].sort((a, b) => b.span.startOffset - a.span.startOffset).reduce((t, e) => t.slice(0, e.span.startOffset) + e.newText + t.slice(e.span.endOffset), text);
  const fixOnce = async (src: string) => {
    const r = await analyzeText(src, 'fix.c');
    assert.equal(r.findings.length, 1, r.findings.map((f) => f.message).join('\n'));
    const fix = r.findings[0].fixes[0];
    assert.ok(fix, `no fix offered for: ${r.findings[0].message}`);
    const fixed = apply(src, fix.edits);
    assert.deepEqual((await analyzeText(fixed, 'fix.c')).findings.map((f) => f.rule), [], fixed);
    return fixed;
  };

  test('an invalidate fix covers the part of the buffer the read carried, not the whole buffer', async () => {
    // SH-4's invalidate discards what it covers: dirty CPU data elsewhere in the buffer would be lost
    const part = await fixOnce(`${HDR}struct tlog { struct device *dev; struct completion done; u8 *vbuf; };
static u32 tlog_fetch(struct tlog *t, unsigned int blk)
{
	void *dst = t->vbuf + blk * 512;
	dma_addr_t addr;

	addr = dma_map_page(t->dev, vmalloc_to_page(dst), offset_in_page(dst), 512, DMA_FROM_DEVICE);
	wait_for_completion(&t->done);
	dma_unmap_page(t->dev, addr, 512, DMA_FROM_DEVICE);
	return *(u32 *)dst;
}
`);
    assert.match(part, /wait_for_completion\(&t->done\);\n\tinvalidate_kernel_vmap_range\(dst, 512\);\n/);
    // one iteration's part of a loop that does not add up to a span: the buffer, from its start
    const loop = await fixOnce(`${HDR}static int tlog_read_all(struct block_device *bdev, size_t count)
{
	u8 *data = vmalloc(count);
	struct bio *bio = bio_alloc(bdev, 16, REQ_OP_READ, GFP_KERNEL);
	size_t done = 0;
	int err;

	do {
		done += bio_add_vmalloc_chunk(bio, data + done, count - done);
	} while (done < count);
	err = submit_bio_wait(bio);
	return err ? err : data[0];
}
`);
    assert.match(loop, /err = submit_bio_wait\(bio\);\n\tinvalidate_kernel_vmap_range\(data, count\);\n/);
  });

  test('a read completed by wait_for_completion() or dma_unmap_page() gets its invalidate right after', async () => {
    const waited = await fixOnce(`${HDR}static u32 foo_read(struct block_device *bdev, struct completion *done)
{
	u32 *buf = vmalloc(PAGE_SIZE);
	struct bio *bio = bio_alloc(bdev, 1, REQ_OP_READ, GFP_NOIO);

	bio->bi_private = done;
	__bio_add_page(bio, vmalloc_to_page(buf), PAGE_SIZE, 0);
	submit_bio(bio);
	wait_for_completion(done);
	return buf[0];
}
`);
    assert.match(waited, /\twait_for_completion\(done\);\n\tinvalidate_kernel_vmap_range\(buf, PAGE_SIZE\);\n\treturn buf\[0\];/);
    const unmapped = await fixOnce(`${HDR}static u32 foo_dma(struct device *dev)
{
	u32 *buf = vmalloc(PAGE_SIZE);
	dma_addr_t d = dma_map_page(dev, vmalloc_to_page(buf), 0, PAGE_SIZE, DMA_FROM_DEVICE);

	dma_unmap_page(dev, d, PAGE_SIZE, DMA_FROM_DEVICE);
	return buf[0];
}
`);
    assert.match(unmapped, /\tdma_unmap_page\(dev, d, PAGE_SIZE, DMA_FROM_DEVICE\);\n\tinvalidate_kernel_vmap_range\(buf, PAGE_SIZE\);\n/);
  });

  test('a member buffer allocated elsewhere is flushed for what the I/O carries', async () => {
    const fixed = await fixOnce(`${HDR}struct foo_area { struct block_device *bdev; void *area; unsigned int pages; };

int foo_area_init(struct foo_area *pa, unsigned int pages)
{
	pa->pages = pages;
	pa->area = vzalloc(pages * PAGE_SIZE);
	return pa->area ? 0 : -ENOMEM;
}

int foo_area_sync(struct foo_area *pa, const void *rec, unsigned int len)
{
	struct bio *bio = bio_alloc(pa->bdev, pa->pages, REQ_OP_WRITE, GFP_NOIO);
	unsigned int i;

	memcpy(pa->area, rec, len);
	for (i = 0; i < pa->pages; i++)
		__bio_add_page(bio, vmalloc_to_page(pa->area + i * PAGE_SIZE), PAGE_SIZE, 0);
	return submit_bio_wait(bio);
}
`);
    assert.match(fixed, /\tflush_kernel_vmap_range\(pa->area, pa->pages \* PAGE_SIZE\);\n\treturn submit_bio_wait\(bio\);/);
  });

  test('an asynchronous read whose callback reads a member of the bi_private object is invalidated in the callback', async () => {
    const fixed = await fixOnce(`${HDR}struct foo_ctx { void *buf; unsigned int len; u32 sum; };

static void foo_read_endio(struct bio *bio)
{
	struct foo_ctx *c = bio->bi_private;

	if (!bio->bi_status)
		c->sum = crc32(0, c->buf, c->len);
	bio_put(bio);
}

int foo_start_read(struct foo_ctx *ctx, struct block_device *bdev)
{
	struct bio *bio = bio_alloc(bdev, 1, REQ_OP_READ, GFP_NOIO);

	ctx->len = PAGE_SIZE;
	ctx->buf = vmalloc(ctx->len);
	bio->bi_end_io = foo_read_endio;
	bio->bi_private = ctx;
	__bio_add_page(bio, vmalloc_to_page(ctx->buf), PAGE_SIZE, 0);
	submit_bio(bio);
	return 0;
}
`);
    assert.match(fixed, /struct foo_ctx \*c = bio->bi_private;\n\tinvalidate_kernel_vmap_range\(c->buf, c->len\);/);
  });

  test('a file with CRLF line ends gets CRLF in the inserted lines', async () => {
    const src = `${HDR}static int foo_load(struct block_device *bdev)
{
	u32 *buf = vmalloc(PAGE_SIZE);
	struct bio *bio = bio_alloc(bdev, 1, REQ_OP_READ, GFP_NOIO);
	int ret;

	__bio_add_page(bio, vmalloc_to_page(buf), PAGE_SIZE, 0);
	ret = submit_bio_wait(bio);
	return ret ? ret : buf[0];
}
`.replace(/\n/g, '\r\n');
    const fixed = await fixOnce(src);
    assert.ok(!/[^\r]\n/.test(fixed), 'a bare LF was inserted');
    assert.match(fixed, /ret = submit_bio_wait\(bio\);\r\n\tinvalidate_kernel_vmap_range\(buf, PAGE_SIZE\);\r\n/);
  });

  test('no statement lands among declarations: a submitting declaration is split, an invalidate follows the declarations', async () => {
    const split = await fixOnce(`${HDR}static int foo_write(struct bio **bios, int nr, const void *src)
{
	void *buf = vmalloc(PAGE_SIZE);
	int i, ret = 0;

	for (i = 0; i < nr; i++)
		__bio_add_page(bios[i], vmalloc_to_page(buf), PAGE_SIZE, 0);
	for (i = 0; i < nr; i++) {
		memcpy(buf, src, PAGE_SIZE);
		int err = submit_bio_wait(bios[i]);

		if (err)
			ret = err;
	}
	return ret;
}
`);
    assert.match(split, /\t\tint err;\n\t\tflush_kernel_vmap_range\(buf, PAGE_SIZE\);\n\t\terr = submit_bio_wait\(bios\[i\]\);\n/);
    // written before the loop: one flush before it, not one per submission
    const hoisted = await fixOnce(`${HDR}static int foo_write_all(struct bio **bios, int nr, const void *src)
{
	void *buf = vmalloc(PAGE_SIZE);
	int i, ret = 0;

	memcpy(buf, src, PAGE_SIZE);
	for (i = 0; i < nr; i++)
		__bio_add_page(bios[i], vmalloc_to_page(buf), PAGE_SIZE, 0);
	for (i = 0; i < nr; i++) {
		int err = submit_bio_wait(bios[i]);

		if (err)
			ret = err;
	}
	return ret;
}
`);
    assert.match(hoisted, /__bio_add_page\(bios\[i\], vmalloc_to_page\(buf\), PAGE_SIZE, 0\);\n\tflush_kernel_vmap_range\(buf, PAGE_SIZE\);\n\tfor \(i = 0; i < nr; i\+\+\) \{\n\t\tint err = submit_bio_wait/);
    const after = await fixOnce(`${HDR}struct foo_hdr { __le32 magic; };
static int foo_check(struct bio *bio, unsigned int i)
{
	void *buf = vmalloc(4 * PAGE_SIZE);

	__bio_add_page(bio, vmalloc_to_page(buf + i * PAGE_SIZE), PAGE_SIZE, 0);
	{
		int err = submit_bio_wait(bio);
		struct foo_hdr *h = buf + i * PAGE_SIZE;

		return err ? err : le32_to_cpu(h->magic);
	}
}
`);
    // (the page the read carried, not the whole buffer: an invalidate discards what it covers on SH-4)
    assert.match(after, /struct foo_hdr \*h = buf \+ i \* PAGE_SIZE;\n\t\tinvalidate_kernel_vmap_range\(buf \+ i \* PAGE_SIZE, PAGE_SIZE\);\n/);
    // a declaration that reads the buffer keeps the invalidate before it
    const reading = await fixOnce(`${HDR}static u32 foo_peek(struct bio *bio)
{
	u32 *buf = vmalloc(PAGE_SIZE);

	__bio_add_page(bio, vmalloc_to_page(buf), PAGE_SIZE, 0);
	{
		int err = submit_bio_wait(bio);
		u32 first = buf[0];

		return err ? 0 : first;
	}
}
`);
    assert.match(reading, /int err = submit_bio_wait\(bio\);\n\t\tinvalidate_kernel_vmap_range\(buf, PAGE_SIZE\);\n\t\tu32 first = buf\[0\];/);
  });
});

describe('linear-map fixes', () => {
  test('vmalloc_to_page() is offered for a page added for a page or less, never for a longer add', async () => {
    const fixesOf = async (len: string) => {
      const r = await analyzeText(`${HDR}static int foo_add(struct bio *bio, size_t count)
{
	void *ext = vmalloc(16 * PAGE_SIZE);

	return bio_add_page(bio, virt_to_page(ext), ${len}, 0);
}
`, 'lin.c');
      const f = r.findings.find((x) => x.rule === 'vmalloc-linear-map');
      assert.ok(f, `no linear-map finding for ${len}`);
      return f.fixes.map((x) => x.title);
    };
    assert.deepEqual(await fixesOf('PAGE_SIZE'), ['Use vmalloc_to_page()']);
    assert.deepEqual(await fixesOf('512'), ['Use vmalloc_to_page()']);
    // the pages behind a vmalloc address are not contiguous: one vmalloc_to_page() cannot carry more
    assert.deepEqual(await fixesOf('count * sizeof(u64)'), []);
    assert.deepEqual(await fixesOf('2 * PAGE_SIZE'), []);
  });
});

describe('linear-map fix into a write', () => {
  test('the page of a buffer the CPU wrote, added to a write bio, gets the right page and the flush', async () => {
    const src = `${HDR}static int foo_store(struct block_device *bdev, const void *rec)
{
	void *buf = vmalloc(PAGE_SIZE);
	struct bio *bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_KERNEL);

	memcpy(buf, rec, 64);
	__bio_add_page(bio, virt_to_page(buf), PAGE_SIZE, 0);
	return submit_bio_wait(bio);
}
`;
    const r = await analyzeText(src, 'w.c');
    assert.deepEqual(r.findings.map((f) => f.rule), ['vmalloc-linear-map']);
    const fix = r.findings[0].fixes[0];
    const fixed = [...fix.edits].sort((a, b) => b.span.startOffset - a.span.startOffset).reduce((t, e) => t.slice(0, e.span.startOffset) + e.newText + t.slice(e.span.endOffset), src);
    assert.match(fixed, /\tflush_kernel_vmap_range\(buf, PAGE_SIZE\);\n\t__bio_add_page\(bio, vmalloc_to_page\(buf\), PAGE_SIZE, 0\);/);
    // the whole fix leaves nothing behind: no missing flush in place of the wrong page
    assert.deepEqual((await analyzeText(fixed, 'w.c')).findings, []);
    // and the simulation replays the write the code shows
    assert.equal(r.findings[0].facts.cpuWroteBefore, true);
    assert.ok(!simulateFinding(r.findings[0].facts).assumptions.some((a) => /does not show the CPU writing/.test(a)));
  });
});

describe('refused linear-map calls', () => {
  test('dma_map_single() of vmalloc memory is a refusal from 5.4 and a wrong page before, in the facts and the simulation', async () => {
    const src = `${HDR}static dma_addr_t foo_map(struct device *dev)
{
	void *buf = vmalloc(PAGE_SIZE);

	return dma_map_single(dev, buf, PAGE_SIZE, DMA_TO_DEVICE);
}
`;
    const at = async (major: number, minor: number) => (await analyzeText(src, 'r.c', { kernel: { major, minor } })).findings.find((f) => f.rule === 'vmalloc-linear-map');
    const now = await at(6, 18);
    const before = await at(4, 19);
    assert.equal(now?.facts.refused, true);
    assert.equal(before?.facts.refused, undefined);
    const sim = simulateFinding(now?.facts as FindingFacts);
    assert.match(sim.assumptions[0], /refuses vmalloc memory/);
    assert.match(sim.fixDescription, /kmalloc\(\) or dma_alloc_coherent\(\)/);
    assert.doesNotMatch(simulateFinding(before?.facts as FindingFacts).fixDescription, /dma_alloc_coherent/);
  });
});

test('nesting deep enough to exhaust the stack: a partial result and one note per function, not one per level', async () => {
  const n = 3000;
  const text = `void *vmalloc(unsigned long size);\nvoid foo_deep(int a)\n{\n\tchar *p = vmalloc(4096);\n${'\tif (a) {\n'.repeat(n)}\t\tsg_init_one(&sg, p, 16);\n${'\t}\n'.repeat(n)}}\n\nvoid foo_flat(void)\n{\n\tchar *q = vmalloc(4096);\n\n\tsg_init_one(&sg, q, 16);\n}\n`;
  const r = await analyzeText(text, 'deep.c');
  const skipped = r.notes.filter((m) => m.includes('analysis skipped a statement'));
  assert.ok(skipped.length >= 1 && skipped.length <= 2, `${skipped.length} notes`);
  assert.ok(r.findings.some((f) => f.rule === 'vmalloc-linear-map' && f.span.start.line === n * 2 + 12), 'the function after it is still analysed');
});

test('a bio left in a member by another function: the write it carries is named, and traced', async () => {
  const text = `void *vmalloc(unsigned long size);
struct xreq { struct bio *bio; void *buf; };
static void xreq_prepare(struct xreq *r, struct block_device *bdev)
{
	r->buf = vmalloc(PAGE_SIZE);
	memset(r->buf, 0xa5, PAGE_SIZE);
	r->bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_KERNEL);
	__bio_add_page(r->bio, vmalloc_to_page(r->buf), PAGE_SIZE, 0);
}
void xreq_commit(struct xreq *r, struct block_device *bdev)
{
	xreq_prepare(r, bdev);
	submit_bio(r->bio);
}
`;
  const r = await analyzeText(text, 'xreq.c');
  const f = r.findings.find((x) => x.rule === 'vmap-io-missing-flush');
  assert.ok(f, JSON.stringify(r.findings.map((x) => x.rule)));
  assert.equal(f.span.start.line, 13);
  assert.match(f.message, /is written by the CPU through its vmalloc alias/);
  assert.ok(f.trace.some((s) => s.kind === 'cpu-write' && s.span.start.line === 6), 'the memset in the other function is in the trace');
});

test('a table member filled by a helper: the write this function made under the member is in the trace', async () => {
  const text = `#include <linux/scatterlist.h>
#include <linux/dma-mapping.h>
#include <linux/vmalloc.h>
struct lut { struct device *dev; void *table; size_t size; struct page **pages; struct sg_table sgt; };
static int lut_table(struct lut *l)
{
	unsigned int i, n = l->size >> PAGE_SHIFT;
	l->pages = kcalloc(n, sizeof(*l->pages), GFP_KERNEL);
	for (i = 0; i < n; i++)
		l->pages[i] = vmalloc_to_page(l->table + i * PAGE_SIZE);
	return sg_alloc_table_from_pages(&l->sgt, l->pages, n, 0, l->size, GFP_KERNEL);
}
int lut_load(struct lut *l, const void *src, size_t n)
{
	l->size = PAGE_ALIGN(n);
	l->table = vzalloc(l->size);
	if (!l->table || lut_table(l))
		return -ENOMEM;
	memcpy(l->table, src, n);
	return dma_map_sgtable(l->dev, &l->sgt, DMA_TO_DEVICE, 0);
}
`;
  const r = await analyzeText(text, 'lut.c');
  const f = r.findings.find((x) => x.rule === 'vmap-io-missing-flush');
  assert.ok(f, JSON.stringify(r.findings.map((x) => x.rule)));
  assert.equal(f.span.start.line, 20);
  assert.match(f.message, /is written by the CPU through its vmalloc alias/);
  assert.ok(f.trace.some((s) => s.kind === 'cpu-write' && s.span.start.line === 19), JSON.stringify(f.trace.map((s) => [s.kind, s.span.start.line])));
});

test('a submission through an ops table is named by the pointer it calls through', async () => {
  const text = `#include <linux/bio.h>
#include <linux/vmalloc.h>
struct jdev;
struct jdev_ops { int (*put)(struct jdev *j, void *p, unsigned int len); };
struct jdev { struct block_device *bdev; const struct jdev_ops *ops; void *rec; };
static int jdev_put_bio(struct jdev *j, void *p, unsigned int len)
{
	struct bio *bio = bio_alloc(j->bdev, 1, REQ_OP_WRITE, GFP_NOIO);
	__bio_add_page(bio, vmalloc_to_page(p), len, 0);
	return submit_bio_wait(bio);
}
static const struct jdev_ops jdev_bio_ops = { .put = jdev_put_bio };
int jdev_log(struct jdev *j, const void *src, unsigned int len)
{
	j->ops = &jdev_bio_ops;
	j->rec = vmalloc(PAGE_SIZE);
	memcpy(j->rec, src, len);
	return j->ops->put(j, j->rec, len);
}
`;
  const r = await analyzeText(text, 'jdev.c');
  const f = r.findings.find((x) => x.rule === 'vmap-io-missing-flush');
  assert.ok(f, JSON.stringify(r.findings.map((x) => x.rule)));
  const submit = f.trace.find((s) => s.kind === 'submit');
  assert.match(submit?.message ?? '', /with j->ops->put\(\) as a write/);
});

test('an SPI transfer descriptor is not a scatterlist: mapping another table does not submit its buffer', async () => {
  const text = `#include <linux/spi/spi.h>
#include <linux/dma-mapping.h>
#include <linux/vmalloc.h>
int qx_prep(struct device *dev, struct scatterlist *sg, int n, struct spi_transfer *out)
{
	void *b = vmalloc(PAGE_SIZE);
	struct spi_transfer t = { .tx_buf = b, .len = PAGE_SIZE };
	memset(b, 0, PAGE_SIZE);
	*out = t;
	return dma_map_sg(dev, sg, n, DMA_TO_DEVICE);
}
`;
  const r = await analyzeText(text, 'qx.c');
  assert.deepEqual(r.findings.filter((x) => x.severity !== 'info').map((x) => `${x.rule}:${x.span.start.line}`), []);
});

test('one buffer read by two I/Os with no invalidate anywhere in the file is one finding', async () => {
  const text = `#include <linux/dmaengine.h>
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <linux/vmalloc.h>
struct cap { struct device *dev; struct dma_chan *chan; void *frame; struct sg_table sgt; };
static int cap_map(struct cap *c, unsigned int n)
{
	struct scatterlist *sg;
	int i, ret = sg_alloc_table(&c->sgt, n, GFP_KERNEL);
	if (ret)
		return ret;
	for_each_sgtable_sg(&c->sgt, sg, i)
		sg_set_page(sg, vmalloc_to_page(c->frame + i * PAGE_SIZE), PAGE_SIZE, 0);
	return dma_map_sgtable(c->dev, &c->sgt, DMA_FROM_DEVICE, 0);
}
static int cap_start(struct cap *c)
{
	struct dma_async_tx_descriptor *d;
	d = dmaengine_prep_slave_sg(c->chan, c->sgt.sgl, c->sgt.nents, DMA_DEV_TO_MEM, 0);
	if (!d)
		return -EIO;
	dmaengine_submit(d);
	return 0;
}
int cap_init(struct cap *c, unsigned int n)
{
	c->frame = vmalloc(n * PAGE_SIZE);
	return c->frame ? cap_map(c, n) ?: cap_start(c) : -ENOMEM;
}
`;
  const r = await analyzeText(text, 'cap.c');
  const inv = r.findings.filter((x) => x.rule === 'vmap-io-missing-invalidate');
  assert.equal(inv.length, 1, JSON.stringify(r.findings.map((x) => `${x.rule}:${x.span.start.line}`)));
  assert.equal(inv[0].span.start.line, 14);
});

test('a whole-buffer flush is hoisted out of a page loop that stores into other members', async () => {
  const text = `#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/vmalloc.h>
#define OVL_PAGES 16
struct ovl { struct device *dev; void *buf; dma_addr_t dma[OVL_PAGES]; };
int ovl_load(struct ovl *d, const void *img, size_t len)
{
	int i;

	d->buf = vmalloc(OVL_PAGES * PAGE_SIZE);
	memcpy(d->buf, img, len);
	for (i = 0; i < OVL_PAGES; i++) {
		struct page *pg = vmalloc_to_page(d->buf + i * PAGE_SIZE);

		d->dma[i] = dma_map_page(d->dev, pg, 0, PAGE_SIZE, DMA_TO_DEVICE);
	}
	return 0;
}
`;
  const r = await analyzeText(text, 'ovl.c');
  const f = r.findings.find((x) => x.rule === 'vmap-io-missing-flush');
  assert.ok(f, JSON.stringify(r.findings.map((x) => x.rule)));
  const fix = f.fixes.find((x) => x.isPreferred);
  assert.ok(fix);
  assert.match(fix.title, /before the loop/);
  const out = applyFix(text, fix);
  assert.match(out, /memcpy\(d->buf, img, len\);\n\tflush_kernel_vmap_range\(d->buf, OVL_PAGES \* PAGE_SIZE\);\n\tfor \(i = 0;/);
});

describe('code of architectures whose caches do not alias', () => {
  const src = [
    '#include <linux/bio.h>',
    '#include <linux/vmalloc.h>',
    '',
    'int dump_state(struct block_device *bdev, const void *src, size_t len, struct scatterlist *sg)',
    '{',
    '\tvoid *buf = vmalloc(len);',
    '\tstruct bio *bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_KERNEL);',
    '',
    '\tmemcpy(buf, src, len);',
    '\t__bio_add_page(bio, vmalloc_to_page(buf), PAGE_SIZE, 0);',
    '\tsg_init_one(sg, buf, len);',
    '\treturn submit_bio_wait(bio);',
    '}',
  ].join('\n');
  const sev = async (file: string) => Object.fromEntries((await analyzeText(src, file)).findings.map((f) => [f.rule, f.severity]));

  test('a missing flush in arch/x86 or arch/arm64 is information; a linear-map conversion stays an error', async () => {
    for (const file of ['/src/linux/arch/x86/kernel/dump.c', 'arch/arm64/mm/dump.c']) {
      assert.deepEqual(await sev(file), { 'vmap-io-missing-flush': 'info', 'vmalloc-linear-map': 'error' }, file);
    }
  });

  test('arch/arm, arch/xtensa and driver code keep the warning', async () => {
    for (const file of ['arch/arm/mach-foo/dump.c', 'arch/xtensa/kernel/dump.c', 'drivers/block/dump.c', 'drivers/arch/x86ish/dump.c']) {
      assert.deepEqual(await sev(file), { 'vmap-io-missing-flush': 'warning', 'vmalloc-linear-map': 'error' }, file);
    }
  });
});
