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

/** `flush_kernel_vmap_range(buf, len)`, or a description when the size is not known. */
const call = (name: string, f: Finding): string => (f.size ? `${name}(${f.buffer}, ${f.size})` : `${name}() on the whole of ${f.buffer}`);

/**
 * The reply opens with the analyzer's own message (what is wrong); these add why (one sentence)
 * and what to do (one sentence), so the explanation stays at three sentences.
 */
export const EXPLANATIONS: Record<RuleId, Explanation> = {
  'vmap-io-missing-flush': {
    text: (f) =>
      `The block layer and the DMA API maintain only the kernel's linear mapping of these pages, never the ` +
      `vmalloc alias the CPU wrote through. Please call ${call('flush_kernel_vmap_range', f)} ` +
      `before the I/O is submitted (Documentation/core-api/cachetlb.rst).`,
    source: 'Documentation/core-api/cachetlb.rst (v6.18), flush_kernel_vmap_range()',
  },
  'vmap-io-missing-invalidate': {
    text: (f) =>
      `Nothing invalidates the vmalloc alias's cache lines, so the CPU can hit lines cached before, or ` +
      `speculatively during, the transfer. Please call ${call('invalidate_kernel_vmap_range', f)} ` +
      `after the I/O has completed and before the first CPU read (Documentation/core-api/cachetlb.rst).`,
    source: 'Documentation/core-api/cachetlb.rst (v6.18), invalidate_kernel_vmap_range()',
  },
  'vmap-io-maintenance-range': {
    text: (f) =>
      `Whatever the call leaves out keeps stale or dirty alias lines for ${f.buffer}. The range has to start ` +
      `at the address the CPU accesses and cover every byte transferred.`,
    source: 'Documentation/core-api/cachetlb.rst (v6.18)',
  },
  'vmalloc-linear-map': {
    // the finding's own message already says what to use instead: this says why, and what stays
    text: () =>
      `virt_to_page(), virt_to_phys(), __pa() and sg_set_buf() compute from the kernel's direct mapping, so ` +
      `for a vmalloc address they give an unrelated page; the DMA API and the USB core of current kernels ` +
      `refuse such buffers instead. Whatever replaces the call, the vmap alias still needs ` +
      `flush_kernel_vmap_range()/invalidate_kernel_vmap_range() around the I/O.`,
    source: 'include/linux/mm.h virt_to_page(), include/linux/dma-mapping.h dma_map_single_attrs() (v6.18)',
  },
  'vmap-blk-rq-map-kern': {
    text: () =>
      `Before v5.3, bio_map_kern() turned the address into pages with virt_to_page(), which is wrong for ` +
      `vmalloc memory; b4c5875d3617 ("block: Allow mapping of vmalloc-ed buffers", v5.3) fixed that in the ` +
      `block layer, so this matters for the older kernels the patch may be backported to.`,
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
