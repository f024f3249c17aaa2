import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeText } from '../../analyzer/analyze';
import { applyEdits } from './fixtures-harness';


test('dma_unmap_single() completes a DMA read: the invalidate fix goes right after it', async () => {
  const src = `#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/vmalloc.h>

struct foo_stats {
	struct device *dev;
	void *area;
};

u64 foo_stats_read(struct foo_stats *fs, unsigned int port)
{
	void *pg = fs->area + (size_t)port * PAGE_SIZE;
	const __le64 *ctr = pg;
	dma_addr_t dma;

	dma = dma_map_single(fs->dev, page_address(vmalloc_to_page(pg)), PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(fs->dev, dma))
		return 0;
	foo_stats_wait(fs, dma);
	dma_unmap_single(fs->dev, dma, PAGE_SIZE, DMA_FROM_DEVICE);
	return le64_to_cpu(ctr[0]);
}

int foo_stats_init(struct foo_stats *fs, unsigned int n)
{
	fs->area = vmalloc_32(n * PAGE_SIZE);
	return fs->area ? 0 : -ENOMEM;
}
`;
  const r = await analyzeText(src, 'stats.c');
  assert.deepEqual(r.findings.map((f) => f.rule), ['vmap-io-missing-invalidate']);
  assert.ok(r.findings[0].trace.some((t) => t.kind === 'complete' && /dma_unmap_single/.test(t.message)));
  const fix = r.findings[0].fixes.find((f) => f.isPreferred);
  assert.ok(fix, 'an invalidate fix');
  const fixed = applyEdits(src, fix.edits);
  assert.match(fixed, /dma_unmap_single\(fs->dev, dma, PAGE_SIZE, DMA_FROM_DEVICE\);\n\tinvalidate_kernel_vmap_range\(pg, PAGE_SIZE\);\n/);
  assert.deepEqual((await analyzeText(fixed, 'stats.c')).findings, []);
});
