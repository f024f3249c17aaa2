/** Cache maintenance of the vmap alias, and preprocessor conditions that select it. */
import { Versioned } from './common';

export interface MaintenanceRow extends Versioned {
  name: string;
  op: 'flush' | 'invalidate';
  ptr: number;
  len: number;
}

export const MAINTENANCE: ReadonlyMap<string, MaintenanceRow> = new Map([
  ['flush_kernel_vmap_range', { name: 'flush_kernel_vmap_range', op: 'flush', ptr: 0, len: 1, since: '2.6.34', source: '9df5f7419487 "mm: add coherence API for DMA to vmalloc/vmap areas"; Documentation/core-api/cachetlb.rst v6.18.2 l.376–400' }],
  ['invalidate_kernel_vmap_range', { name: 'invalidate_kernel_vmap_range', op: 'invalidate', ptr: 0, len: 1, since: '2.6.34', source: '9df5f7419487; cachetlb.rst: "only necessary for data reads into the vmap area"' }],
] as const);

/**
 * Preprocessor symbols whose #ifdef branch is compiled exactly where the vmap-range API does
 * something: the branch is taken (the #else dropped) when the row applies to the kernel analysed,
 * and is dead code otherwise (domain §1.3: the guard macro was renamed in v5.15).
 */
export const MAINTENANCE_GUARDS: ReadonlyMap<string, Versioned> = new Map([
  ['ARCH_IMPLEMENTS_FLUSH_KERNEL_VMAP_RANGE', { since: '5.15', source: 'include/linux/highmem.h v5.15.135+ (f358afc52c30 "mm: remove flush_kernel_dcache_page")' }],
  ['ARCH_HAS_FLUSH_KERNEL_DCACHE_PAGE', { since: '2.6.34', until: '5.15', source: 'include/linux/highmem.h v2.6.34–v5.14; macro gone in v5.15' }],
]);

/**
 * Where the two maintenance functions are declared for every architecture: include/linux/highmem.h
 * (v6.18.2 l.192: the generic no-ops, and arch/<arch>/include/asm/cacheflush.h through it; since v2.6.34).
 * A quick fix that inserts one into a file including none of `includedBy` also adds the include:
 * without it the fixed file fails to build on x86 ("implicit declaration"). The others pull it in
 * (v6.18.2: bio.h → blk_types.h → bvec.h → highmem.h; blkdev.h and blk-mq.h include bio.h;
 * pagemap.h and buffer_head.h include highmem.h or pagemap.h; v4.19's bio.h includes highmem.h).
 */
export const MAINTENANCE_HEADER = {
  header: 'linux/highmem.h',
  includedBy: ['linux/highmem.h', 'linux/bvec.h', 'linux/blk_types.h', 'linux/bio.h', 'linux/blkdev.h', 'linux/blk-mq.h', 'linux/pagemap.h', 'linux/buffer_head.h'],
} as const;
