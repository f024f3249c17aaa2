/**
 * The explanation of each rule, shown by "vmalias: Open Rule Explanation" and at the top of a
 * finding's simulation document. Kernel facts name the file and version they were read in.
 */
import type { RuleId } from '../analyzer/types';

export interface RuleDoc {
  title: string;
  /** One line, used in hovers. */
  summary: string;
  /** Markdown body. */
  body: string;
}

const API = '`flush_kernel_vmap_range()` / `invalidate_kernel_vmap_range()` (Documentation/core-api/cachetlb.rst, v6.18)';

export const RULE_DOCS: Record<RuleId, RuleDoc> = {
  'vmap-io-missing-flush': {
    title: 'vmalloc/vmap buffer written by the CPU reaches I/O without flush_kernel_vmap_range()',
    summary: 'The CPU wrote the buffer through its vmalloc alias; the device reads the pages through their physical address and can see stale memory.',
    body: [
      'A vmalloc or vmap address is a second virtual mapping of the buffer\'s pages. On a virtually indexed',
      'data cache (ARMv5 VIVT, aliasing ARMv6 VIPT, SH-4, MIPS R4k, PA-RISC, nios2) the CPU\'s stores through that',
      'alias can sit dirty in cache lines that the DMA API never cleans: the DMA API maintains only the kernel',
      'linear-map alias of a page (arch/arm/mm/dma-mapping.c, v6.18).',
      '',
      `The caller must write the alias back before submitting the I/O with ${API}.`,
      '',
      '**Fix:** call `flush_kernel_vmap_range(buf, len)` on the whole range the CPU wrote, before the',
      'submission (`submit_bio()`, `submit_bio_wait()`, `dma_map_sg()` …).',
    ].join('\n'),
  },
  'vmap-io-missing-invalidate': {
    title: 'Data read into a vmalloc/vmap buffer is used without invalidate_kernel_vmap_range()',
    summary: 'The device wrote the pages; the CPU then reads through the vmalloc alias and can hit stale cache lines.',
    body: [
      'After a device-to-memory transfer, cache lines of the vmalloc alias may still hold data from before the',
      'I/O (or lines the CPU moved in speculatively while the device was writing; PA-RISC documents this).',
      'The CPU reads those stale lines instead of what the device wrote.',
      '',
      `The caller must discard the alias after the I/O completes and before reading it, with ${API}.`,
      '',
      '**Fix:** call `invalidate_kernel_vmap_range(buf, len)` after the wait (`submit_bio_wait()`,',
      '`wait_for_completion()`) or at the start of the `bi_end_io` callback — never before completion.',
    ].join('\n'),
  },
  'vmap-io-maintenance-range': {
    title: 'flush/invalidate_kernel_vmap_range() covers the wrong range',
    summary: 'The maintenance call does not cover the buffer the I/O used (for example the pointer was advanced while building the bio).',
    body: [
      'A maintenance call only helps for the bytes it covers. A common mistake is to call it with a pointer',
      'that a loop already advanced past the buffer, so it maintains the memory just after it (fs/xfs/xfs_bio_io.c',
      '`xfs_rw_bdev()`, v5.4–v6.15: `invalidate_kernel_vmap_range(data, count)` after `data += len`).',
      '',
      '**Fix:** pass the original start of the buffer and the full length transferred.',
    ].join('\n'),
  },
  'vmalloc-linear-map': {
    title: 'vmalloc address passed to a linear-map conversion',
    summary: 'virt_to_page(), __pa(), sg_set_buf(), dma_map_single() … compute a page from the linear map: for a vmalloc address that is the wrong page on every architecture.',
    body: [
      'Linear-map helpers subtract `PAGE_OFFSET`; a vmalloc address is not in the linear map, so the result is',
      'an unrelated page (include/linux/mm.h, `virt_to_page`). `dma_map_single()` refuses vmalloc memory since',
      'v5.4 ("rejecting DMA map of vmalloc memory", kernel/dma/mapping.c).',
      '',
      '**Fix:** use `vmalloc_to_page()` for each page, and do the cache maintenance that the other vmalias rules',
      'describe.',
    ].join('\n'),
  },
  'vmap-blk-rq-map-kern': {
    title: 'vmalloc buffer mapped with blk_rq_map_kern() on a kernel older than 5.3',
    summary: 'Before 5.3, bio_map_kern() used virt_to_page() on the buffer: wrong pages for vmalloc memory.',
    body: [
      'Since v5.3 (commit b4c5875d3617 "block: Allow mapping of vmalloc-ed buffers") `bio_map_kern()` detects',
      'vmalloc buffers, maps them with `vmalloc_to_page()` and does the flush/invalidate itself. Before that it',
      'used `virt_to_page()` (block/bio.c, v4.19), so a vmalloc buffer was mapped to the wrong pages.',
      '',
      '**Fix:** on such kernels, use a kmalloc\'d (or page-allocated) bounce buffer for the request.',
    ].join('\n'),
  },
};

export function ruleDocMarkdown(rule: RuleId): string {
  const d = RULE_DOCS[rule];
  return `# ${rule}\n\n**${d.title}**\n\n${d.body}\n`;
}
