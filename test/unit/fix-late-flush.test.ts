import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeText } from '../../analyzer/analyze';
import type { Fix } from '../../analyzer/types';
import { applyEdits } from './fixtures-harness';

const HDR = '#include <linux/bio.h>\n#include <linux/vmalloc.h>\n\n';


async function preferred(src: string): Promise<Fix> {
  const r = await analyzeText(src, 'late.c');
  assert.equal(r.findings.length, 1, r.findings.map((f) => f.message).join('\n'));
  const fix = r.findings[0].fixes.find((f) => f.isPreferred);
  assert.ok(fix);
  return fix;
}

test('fix: a flush made after the submission is moved before it', async () => {
  const src = `${HDR}void foo_write(struct bio *bio, const void *src, size_t len)
{
	void *buf = vmalloc(len);

	memcpy(buf, src, len);
	__bio_add_page(bio, vmalloc_to_page(buf), len, 0);
	submit_bio(bio);
	flush_kernel_vmap_range(buf, len);
}
`;
  const fix = await preferred(src);
  assert.match(fix.title, /^Move flush_kernel_vmap_range\(buf, len\)/);
  const fixed = applyEdits(src, fix.edits);
  assert.equal(fixed.match(/flush_kernel_vmap_range/g)?.length, 1);
  assert.match(fixed, /flush_kernel_vmap_range\(buf, len\);\n\tsubmit_bio\(bio\);\n}/);
  assert.deepEqual((await analyzeText(fixed, 'late.c')).findings, []);
});

test('fix: a late flush that precedes another submission stays', async () => {
  const src = `${HDR}void foo_write_twice(struct bio *a, struct bio *b, const void *src, size_t len)
{
	void *buf = vmalloc(len);

	memcpy(buf, src, len);
	__bio_add_page(a, vmalloc_to_page(buf), len, 0);
	submit_bio(a);
	flush_kernel_vmap_range(buf, len);
	__bio_add_page(b, vmalloc_to_page(buf), len, 0);
	submit_bio(b);
}
`;
  const fix = await preferred(src);
  assert.match(fix.title, /^Insert /);
  const fixed = applyEdits(src, fix.edits);
  assert.equal(fixed.match(/flush_kernel_vmap_range/g)?.length, 2);
  assert.deepEqual((await analyzeText(fixed, 'late.c')).findings, []);
});
