/**
 * Two- or three-sentence explanations for a mailing-list reply, per rule. Facts from
 * Documentation/core-api/cachetlb.rst (v6.18 "flush_kernel_vmap_range" section), the ARM DMA API
 * (arch/arm/mm/dma-mapping.c dma_cache_maint_page(), v6.18: maintains only the linear/kmap alias)
 * and block/bio.c (bio_map_kern(): vmalloc accepted and maintained since v5.3, b4c5875d3617).
 */
import type { Finding, RuleId } from '../types';

interface Explanation {
  text: (f: Finding) => string;
  source: string;
}

const size = (f: Finding): string => f.size ?? 'its length';

export const EXPLANATIONS: Record<RuleId, Explanation> = {
  'vmap-io-missing-flush': {
    text: (f) =>
      `The CPU fills ${f.buffer} through its vmalloc/vmap alias, but the block layer and the DMA API only ` +
      `maintain the kernel's linear mapping of those pages, so on CPUs with virtually indexed data caches the ` +
      `new data can still sit dirty in the alias's cache lines when the device reads memory. ` +
      `flush_kernel_vmap_range(${f.buffer}, ${size(f)}) before the submission writes them back.`,
    source: 'Documentation/core-api/cachetlb.rst (v6.18), flush_kernel_vmap_range()',
  },
  'vmap-io-missing-invalidate': {
    text: (f) =>
      `The device writes into the pages of ${f.buffer}, but the CPU reads the result through the vmalloc ` +
      `alias, whose cache lines nothing invalidates, so on virtually indexed caches it can read lines cached ` +
      `before or speculatively during the I/O. invalidate_kernel_vmap_range(${f.buffer}, ${size(f)}) after ` +
      `the I/O has completed and before the first CPU read fixes that.`,
    source: 'Documentation/core-api/cachetlb.rst (v6.18), invalidate_kernel_vmap_range()',
  },
  'vmap-io-maintenance-range': {
    text: (f) =>
      `The cache maintenance call does not cover the range the I/O uses for ${f.buffer}, so part of the ` +
      `buffer keeps stale or dirty alias lines. It has to start at the address the CPU accesses and cover ` +
      `every byte transferred.`,
    source: 'Documentation/core-api/cachetlb.rst (v6.18)',
  },
  'vmalloc-linear-map': {
    text: (f) =>
      `${f.buffer} is a vmalloc address, and linear-map conversions (virt_to_page(), virt_to_phys(), ` +
      `__pa(), sg_set_buf()) are only valid for the kernel's direct mapping, so this yields an unrelated ` +
      `page. Use vmalloc_to_page() per page and keep the vmap cache maintenance.`,
    source: 'include/linux/mm.h virt_to_page() (v6.18); domain notes §4',
  },
  'vmap-blk-rq-map-kern': {
    text: (f) =>
      `${f.buffer} is a vmalloc address passed to blk_rq_map_kern(); before v5.3 bio_map_kern() turned it ` +
      `into pages with virt_to_page(), which is wrong for vmalloc memory. Since v5.3 ` +
      `(b4c5875d3617 "block: Allow mapping of vmalloc-ed buffers") the block layer handles it.`,
    source: 'block/bio.c bio_map_kern() v4.19 vs v5.3',
  },
};

/**
 * What happens per architecture, when no simulation is available. From domain notes §1.3/§1.6:
 * which architectures have aliasing data caches (v6.18 cpu_dcache_is_aliasing()).
 */
export function staticConsequence(f: Finding): string {
  const what =
    f.direction === 'read'
      ? 'the CPU can read stale bytes instead of what the device wrote'
      : 'the device can receive stale memory instead of what the CPU wrote';
  return (
    `On aliasing data caches (ARMv5 VIVT, aliasing ARMv6 VIPT, MIPS R4k with dcache aliases, PA-RISC, ` +
    `SH-4) ${what}; on nios2 and aliasing xtensa the kernel implements the vmap calls as no-ops; ` +
    `x86-64 and arm64 (PIPT) are not affected.`
  );
}
