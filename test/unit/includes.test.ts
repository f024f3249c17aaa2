import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeText } from '../../analyzer/analyze';
import { includeSite } from '../../analyzer/engine/includes';
import { applyEdits } from './fixtures-harness';

const BODY = `
dma_addr_t foo_issue(struct device *dev, u32 *blk, u32 op)
{
	blk[0] = op;
	return dma_map_page(dev, vmalloc_to_page(blk), 0, PAGE_SIZE, DMA_TO_DEVICE);
}
`;


test('includes: a maintenance fix in a file without its header adds #include <linux/highmem.h>', async () => {
  const src = `#include <linux/mm.h>\n#include <linux/vmalloc.h>\n#include <linux/dma-mapping.h>\n${BODY}`;
  const r = await analyzeText(src, 'foo.c');
  const fix = r.findings[0]?.fixes.find((f) => f.isPreferred);
  assert.ok(fix, 'a preferred fix');
  const fixed = applyEdits(src, fix.edits);
  assert.match(fixed, /#include <linux\/dma-mapping\.h>\n#include <linux\/highmem\.h>\n\ndma_addr_t/);
  assert.match(fixed, /flush_kernel_vmap_range\(blk, PAGE_SIZE\);/);
  assert.deepEqual((await analyzeText(fixed, 'foo.c')).findings, []);
});

test('includes: not when the file includes the header or one that pulls it in, nor without includes', () => {
  assert.equal(includeSite('#include <linux/bio.h>\n#include <linux/vmalloc.h>\n'), undefined);
  assert.equal(includeSite('#include <linux/highmem.h>\n'), undefined);
  assert.equal(includeSite('#include <linux/blkdev.h>\n'), undefined);
  assert.equal(includeSite('static int x;\n'), undefined);
  // after the last <linux/…> include, not after a local header
  const t = '#include <linux/mm.h>\n#include <asm/io.h>\n#include "foo.h"\n\nint x;\n';
  assert.equal(includeSite(t), '#include <linux/mm.h>\n'.length);
});
