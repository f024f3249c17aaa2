/**
 * Sources: functions whose result is (or may be) a vmalloc-space alias.
 * `size` describes how to build the size expression from the arguments: an argument index, or
 * `[a, b]` for a product (count × element size). `pagesArg`/`countArg` describe vmap-style calls:
 * the returned address aliases every page of the page (or pfn) array argument.
 * Zeroing allocators are not CPU writes through the alias: the page allocator zeroes the pages
 * through the linear map before they are mapped, and mapping flushes (flush_cache_vmap).
 */
import { appliesTo, KVersion, Versioned } from './common';

export type SourceKind = 'vmalloc' | 'maybe-vmalloc' | 'vmap';

export interface AllocatorRow extends Versioned {
  name: string;
  kind: SourceKind;
  zeroing: boolean;
  size?: number | [number, number];
  pagesArg?: number;
  countArg?: number;
  /** The pgprot_t argument: an uncached protection (UNCACHED_PROTS) makes an alias with no cache lines. */
  protArg?: number;
  /** kvmalloc family: the gfp_t argument (negative: from the end), which decides whether it can fall back (kvmallocFallback) */
  gfpArg?: number;
}

const VM_H = 'include/linux/vmalloc.h v5.4.59 l.99, v5.15.135 l.153, v6.18.2 l.146–198';
const SLAB_H = 'include/linux/slab.h v6.18.2; mm/util.c v5.15.135 l.593–633 (kmalloc first, vmalloc fallback above PAGE_SIZE)';

const rows: AllocatorRow[] = [
  { name: 'vmalloc', kind: 'vmalloc', zeroing: false, size: 0, source: VM_H },
  { name: 'vzalloc', kind: 'vmalloc', zeroing: true, size: 0, source: VM_H },
  { name: 'vmalloc_user', kind: 'vmalloc', zeroing: true, size: 0, source: `${VM_H} (VM_USERMAP, zeroed)` },
  { name: 'vmalloc_32', kind: 'vmalloc', zeroing: false, size: 0, source: VM_H },
  { name: 'vmalloc_32_user', kind: 'vmalloc', zeroing: true, size: 0, source: VM_H },
  { name: 'vmalloc_node', kind: 'vmalloc', zeroing: false, size: 0, source: VM_H },
  { name: 'vzalloc_node', kind: 'vmalloc', zeroing: true, size: 0, source: VM_H },
  { name: 'vmalloc_huge', kind: 'vmalloc', zeroing: false, size: 0, source: VM_H },
  { name: 'vmalloc_huge_node', kind: 'vmalloc', zeroing: false, size: 0, source: VM_H },
  // __vmalloc took a pgprot_t third argument up to v5.7; size stays argument 0.
  { name: '__vmalloc', kind: 'vmalloc', zeroing: false, size: 0, protArg: 2, source: `${VM_H}; 3 args in v5.4.59 (size, gfp, prot), 2 in v5.15.135` },
  { name: '__vmalloc_node', kind: 'vmalloc', zeroing: false, size: 0, source: VM_H },
  { name: '__vmalloc_node_range', kind: 'vmalloc', zeroing: false, size: 0, protArg: 5, source: `${VM_H} (size, align, start, end, gfp, prot, vm_flags, node, caller)` },
  { name: 'vcalloc', kind: 'vmalloc', zeroing: true, size: [0, 1], since: '5.15', source: 'include/linux/vmalloc.h v5.15.135 (absent in v5.4.59)' },
  { name: '__vcalloc', kind: 'vmalloc', zeroing: true, size: [0, 1], since: '5.15', source: 'include/linux/vmalloc.h v5.15.135' },
  { name: 'vmalloc_array', kind: 'vmalloc', zeroing: false, size: [0, 1], since: '5.15', source: 'include/linux/vmalloc.h v5.15.135' },
  { name: '__vmalloc_array', kind: 'vmalloc', zeroing: false, size: [0, 1], since: '5.15', source: 'include/linux/vmalloc.h v5.15.135' },
  // vrealloc(p, size, gfp): size is argument 1.
  { name: 'vrealloc', kind: 'vmalloc', zeroing: false, size: 1, since: '6.12', source: 'include/linux/vmalloc.h v6.13.7' },
  { name: 'vrealloc_node', kind: 'vmalloc', zeroing: false, size: 1, since: '6.12', source: 'include/linux/vmalloc.h v6.18.2' },
  { name: 'vrealloc_node_align', kind: 'vmalloc', zeroing: false, size: 1, since: '6.12', source: 'include/linux/vmalloc.h v6.18.2' },
  { name: 'vmalloc_exec', kind: 'vmalloc', zeroing: false, size: 0, until: '5.8', source: 'include/linux/vmalloc.h v5.4.59 (gone by v5.15.135)' },
  // vmap(pages, count, flags, prot) / vm_map_ram(pages, count, node[, prot]) / vmap_pfn(pfns, count, prot).
  { name: 'vmap', kind: 'vmap', zeroing: false, pagesArg: 0, countArg: 1, protArg: 3, source: 'include/linux/vmalloc.h v6.18.2; mm/vmalloc.c' },
  { name: 'vm_map_ram', kind: 'vmap', zeroing: false, pagesArg: 0, countArg: 1, protArg: 3, source: 'include/linux/vmalloc.h; pgprot argument dropped between v5.4.59 and v5.15.135' },
  // dma_vmap_noncontiguous(dev, size, sgt): a vmap alias of the pages of a dma_alloc_noncontiguous()
  // table; the table is the "page array" (its syncs are the alias's I/O)
  { name: 'dma_vmap_noncontiguous', kind: 'vmap', zeroing: false, size: 1, pagesArg: 2, since: '5.15', source: 'kernel/dma/mapping.c, Documentation/core-api/dma-api.rst v6.18.2 l.672–683' },
  { name: 'vmap_pfn', kind: 'vmap', zeroing: false, pagesArg: 0, countArg: 1, protArg: 2, source: 'include/linux/vmalloc.h v5.15.135+' },
  // kvmalloc family: maybe vmalloc.
  { name: 'kvmalloc', kind: 'maybe-vmalloc', zeroing: false, size: 0, gfpArg: 1, since: '4.12', source: SLAB_H },
  { name: 'kvzalloc', kind: 'maybe-vmalloc', zeroing: true, size: 0, gfpArg: 1, since: '4.12', source: SLAB_H },
  { name: 'kvcalloc', kind: 'maybe-vmalloc', zeroing: true, size: [0, 1], gfpArg: 2, since: '4.18', source: SLAB_H },
  { name: 'kvmalloc_array', kind: 'maybe-vmalloc', zeroing: false, size: [0, 1], gfpArg: 2, since: '4.12', source: SLAB_H },
  { name: 'kvmalloc_node', kind: 'maybe-vmalloc', zeroing: false, size: 0, gfpArg: 1, since: '4.12', source: SLAB_H },
  { name: 'kvzalloc_node', kind: 'maybe-vmalloc', zeroing: true, size: 0, gfpArg: 1, since: '4.12', source: SLAB_H },
  { name: 'kvcalloc_node', kind: 'maybe-vmalloc', zeroing: true, size: [0, 1], gfpArg: 2, since: '6.10', source: SLAB_H },
  { name: 'kvmalloc_array_node', kind: 'maybe-vmalloc', zeroing: false, size: [0, 1], gfpArg: 2, since: '6.10', source: SLAB_H },
  // copies into kvmalloc() memory: mm/util.c v6.18.2 (vmemdup_user: present in v4.19.y, absent in
  // v3.10.99; kvmemdup: present in v6.12, absent in v5.4.59; vmemdup_array_user: include/linux/string.h
  // v6.12, v6.18.2, added with memdup_array_user() in v6.7)
  { name: 'vmemdup_user', kind: 'maybe-vmalloc', zeroing: false, size: 1, since: '4.16', source: 'mm/util.c v4.19, v6.18.2 (kvmalloc + copy_from_user)' },
  { name: 'vmemdup_array_user', kind: 'maybe-vmalloc', zeroing: false, size: [1, 2], since: '6.7', source: 'include/linux/string.h v6.12, v6.18.2 (vmemdup_user of n * size)' },
  { name: 'kvmemdup', kind: 'maybe-vmalloc', zeroing: false, size: 1, gfpArg: 2, since: '6.1', source: 'mm/util.c v6.12, v6.18.2 (kvmalloc + memcpy)' },
  // kvrealloc(p, size, gfp) since v6.12 (older: kvrealloc(p, oldsize, newsize, gfp)).
  { name: 'kvrealloc', kind: 'maybe-vmalloc', zeroing: false, gfpArg: -1, since: '5.15', source: SLAB_H },
];

/**
 * Can a kvmalloc-family call fall back to vmalloc? `kvmalloc_node()` tries kmalloc first and:
 * - returns its result for `size <= PAGE_SIZE`, whatever it is (`if (ret || size <= PAGE_SIZE) return
 *   ret;`: mm/util.c v4.19, v5.4.59 l.557–567, v5.15.135 l.593–633, v6.12 l.661; mm/slub.c v6.18.2
 *   l.7103–7136). PAGE_SIZE is at least 4 KiB everywhere, so a constant size up to 4096 never falls back;
 * - up to v5.16 only with GFP_KERNEL-compatible flags (`if ((flags & GFP_KERNEL) != GFP_KERNEL) return
 *   kmalloc_node(size, flags, node);`, v5.4.59 l.547, v5.15.135): GFP_NOFS, GFP_NOIO, GFP_ATOMIC and
 *   GFP_NOWAIT get kmalloc memory only;
 * - from v5.17 (a421ef303008 "mm: allow !GFP_KERNEL allocations for kvmalloc", v5.17-rc1; the
 *   boundary between v5.15.135 and v6.12 is checked, the release is from the commit's history)
 *   whenever the flags allow blocking (`if (!gfpflags_allow_blocking(flags)) return NULL;`, v6.12
 *   l.665): GFP_NOFS and GFP_NOIO may fall back, GFP_ATOMIC and GFP_NOWAIT never.
 * `false`: never vmalloc memory; `undefined`: may be (an unknown size or flags expression).
 */
interface GfpBase { kernelBits: boolean; blocking: boolean }
const GFP_BASES: ReadonlyMap<string, GfpBase> = new Map<string, GfpBase>([
  ...['GFP_KERNEL', 'GFP_KERNEL_ACCOUNT', 'GFP_USER', 'GFP_HIGHUSER', 'GFP_HIGHUSER_MOVABLE'].map((n): [string, GfpBase] => [n, { kernelBits: true, blocking: true }]),
  ...['GFP_NOFS', 'GFP_NOIO'].map((n): [string, GfpBase] => [n, { kernelBits: false, blocking: true }]),
  ...['GFP_ATOMIC', 'GFP_NOWAIT'].map((n): [string, GfpBase] => [n, { kernelBits: false, blocking: false }]),
]);
/** Modifiers that change neither test (zones, zeroing, warnings, retry policy, accounting). */
const GFP_NEUTRAL: ReadonlySet<string> = new Set([
  'GFP_DMA', 'GFP_DMA32', '__GFP_DMA', '__GFP_DMA32', '__GFP_HIGHMEM', '__GFP_MOVABLE', '__GFP_ZERO', '__GFP_NOWARN',
  '__GFP_NORETRY', '__GFP_RETRY_MAYFAIL', '__GFP_NOFAIL', '__GFP_ACCOUNT', '__GFP_COMP', '__GFP_NOMEMALLOC',
  '__GFP_HARDWALL', '__GFP_THISNODE', '__GFP_REPEAT',
]);
/** The smallest PAGE_SIZE of any architecture (4 KiB). */
export const PAGE_SIZE_MIN = 4096;

export function kvmallocFallback(gfpText: string | undefined, sizeBytes: number | undefined, k: KVersion | undefined): false | undefined {
  if (sizeBytes !== undefined && sizeBytes <= PAGE_SIZE_MIN) return false;
  if (gfpText === undefined || !/^[\sA-Za-z0-9_|()]*$/.test(gfpText)) return undefined;
  let base: GfpBase | undefined;
  for (const id of gfpText.match(/[A-Za-z_]\w*/g) ?? []) {
    const b = GFP_BASES.get(id);
    if (b) {
      if (base) return undefined;
      base = b;
    } else if (!GFP_NEUTRAL.has(id)) return undefined;
  }
  if (!base) return undefined;
  const newRule = !k || k.major > 5 || (k.major === 5 && k.minor >= 17);
  return (newRule ? base.blocking : base.kernelBits) ? undefined : false;
}

/**
 * Since ~v6.10 the allocators are macros over `*_noprof` functions (memory allocation profiling);
 * code that calls the `_noprof` spelling directly is matched too.
 */
export const ALLOCATORS: ReadonlyMap<string, AllocatorRow> = new Map(
  rows.flatMap((r) => [[r.name, r] as const, [`${r.name}_noprof`, { ...r, name: `${r.name}_noprof`, since: r.since ?? '6.10' }] as const]),
);

/**
 * Does the interpreter take an allocator row for kernel `k`? An unknown kernel takes every row (a
 * removed allocator's calls are still allocations in the code that makes them).
 */
export function allocatorApplies(row: AllocatorRow, k: KVersion | undefined): boolean {
  return !k || appliesTo(row, k);
}

/**
 * Page protections that map without the data cache: an alias made with one holds no cache lines,
 * so the CPU's accesses through it need no flush_kernel_vmap_range()/invalidate_kernel_vmap_range()
 * (the linear alias is the DMA API's business as for any page). Every aliasing architecture with
 * an MMU defines pgprot_noncached() (arch/{arm,mips,parisc,sh,sparc,nios2,xtensa,csky,arc}/
 * include/asm/pgtable*.h v6.18.2; arm: l.114–117, parisc: l.497 `_PAGE_NO_CACHE`), and
 * include/linux/pgtable.h v6.18.2 l.1498–1502 makes pgprot_writecombine() fall back to it;
 * arm's pgprot_dmacoherent() is bufferable, non-cacheable (arch/arm/include/asm/pgtable.h);
 * PAGE_KERNEL_NOCACHE (sh, x86, mips, parisc) and PAGE_KERNEL_IO are uncached kernel mappings.
 * omapdrm and imagination (v6.18.2) vmap() their pages with pgprot_writecombine().
 */
export const UNCACHED_PROTS: ReadonlySet<string> = new Set([
  'pgprot_noncached', 'pgprot_writecombine', 'pgprot_dmacoherent', 'pgprot_device', 'pgprot_noncached_wc',
  'PAGE_KERNEL_NOCACHE', 'PAGE_KERNEL_IO', 'PAGE_KERNEL_UC', 'PAGE_KERNEL_IO_NOCACHE',
]);

/**
 * Read-only kernel protections: nothing writes through an alias mapped with one (a store faults
 * wherever the architecture honours it, x86 and arm64 among them, so correct code has none), so it
 * holds no dirty lines and needs no flush_kernel_vmap_range() before a device reads the pages; it
 * can still hold stale clean lines, so reads through it after a device write still need
 * invalidate_kernel_vmap_range(). include/linux/pgtable.h v6.18.2 l.1947 makes PAGE_KERNEL_RO
 * PAGE_KERNEL where an architecture (arm) has no read-only kernel protection; arch/x86/include/asm/
 * pgtable_types.h l.249–250 (PAGE_KERNEL_RO, PAGE_KERNEL_ROX). fs/ntfs3/frecord.c (v6.18.2 l.2754)
 * vmap()s the pages it compresses from with PAGE_KERNEL_RO.
 */
export const READONLY_PROTS: ReadonlySet<string> = new Set(['PAGE_KERNEL_RO', 'PAGE_KERNEL_ROX', 'PAGE_READONLY']);

/** Does a pgprot_t argument's text name a read-only protection (READONLY_PROTS)? */
export function isReadOnlyProt(text: string): boolean {
  const ids = text.match(/[A-Za-z_]\w*/g) ?? [];
  return ids.length === 1 && READONLY_PROTS.has(ids[0]);
}

/** Does a pgprot_t argument's text name an uncached protection? */
export function isUncachedProt(text: string): boolean {
  for (const id of text.match(/[A-Za-z_]\w*/g) ?? []) if (UNCACHED_PROTS.has(id)) return true;
  return false;
}

/** Allocators whose result is never a vmalloc address: assigning one makes a pointer clean again. */
export const LINEAR_ALLOCATORS: ReadonlySet<string> = new Set([
  'kmalloc', 'kzalloc', 'kcalloc', 'kmalloc_array', 'kmalloc_node', 'kzalloc_node', 'kmem_cache_alloc',
  'kmem_cache_zalloc', 'krealloc', 'kmemdup', 'kstrdup', 'page_address', '__get_free_pages', '__get_free_page',
  'get_zeroed_page', 'devm_kmalloc', 'devm_kzalloc', 'dma_alloc_coherent', 'dma_alloc_attrs', 'mempool_alloc',
  'kmap', 'kmap_local_page', 'kmap_atomic', 'folio_address',
]);

/**
 * Stack memory as vmalloc memory: with CONFIG_VMAP_STACK a task's stack is a vmalloc area, so a
 * linear-map conversion of a local object's address gives the wrong page (the DMA API forbids
 * DMA to or from the stack anyway; DMA-API debugging's check_for_stack() warns). VMAP_STACK came
 * with v4.9 (x86_64); arm64 (v4.19.1), and in v6.18.2 also arm32 with an MMU, riscv64, s390 and
 * um select it (HAVE_ARCH_VMAP_STACK in arch/ARCH/Kconfig; domain §4.1).
 */
export const STACK_VMAP: { since: string; text: string; ignored: ReadonlySet<string> } = {
  since: '4.9',
  text: 'with CONFIG_VMAP_STACK (x86_64 since 4.9, arm64, riscv64, s390, arm32) the stack is vmalloc memory',
  /**
   * Only sinks that hand the memory to a device or a scatterlist count (the DMA API forbids stack
   * memory on every architecture: Documentation/core-api/dma-api-howto.rst). The bare address
   * conversions are left out: on 6.18 all their stack arguments were firmware and hypervisor
   * calls of architectures without VMAP_STACK (m68k, parisc, powerpc64: opal, ps3, pseries).
   */
  ignored: new Set(['virt_to_page', 'virt_to_folio', 'virt_to_head_page', 'virt_to_pfn', 'virt_to_phys', '__pa', 'virt_to_bus']),
};

/**
 * Members of kernel structs that always hold memory a kernel API allocated with vmalloc or vmap:
 * reading one gives a (possibly) vmalloc address, whichever function or file the object came from.
 *
 * `struct firmware` `data`: request_firmware() and its kin read the file with kernel_read_file(),
 * which vmalloc()s the buffer (fs/kernel_read_file.c v6.18.2 l.80), or assemble it from pages
 * and vmap() them (drivers/base/firmware_loader/main.c v6.18.2 l.298, the sysfs fallback and
 * decompression), or vmalloc() it for a platform's embedded firmware (fallback_platform.c l.37);
 * fw_set_page_data() points `fw->data` at it (main.c l.612). Built-in firmware
 * (firmware_request_builtin(), the kernel image) and request_firmware_into_buf() (the caller's
 * buffer) are the exceptions, so it is "possibly" vmalloc: handing `fw->data` to dma_map_single()
 * or sg_init_one() is a linear-map conversion of a vmalloc address in the common case; drivers copy
 * it into DMA memory first. `names`: the calls that bring such an object into a file (the scan's
 * pre-pass counts them as the source side, include/linux/firmware.h v6.18.2 l.99–117).
 */
export interface MemberSourceRow {
  kind: Exclude<SourceKind, 'vmap'>;
  names: readonly string[];
  /** what the member holds, for a trace step (`fw->data` is …) */
  what: string;
  /** who wrote it, for a missing-flush message (`fw->data` holds … its vmalloc alias) */
  writtenBy: string;
}

export const MEMBER_SOURCES: ReadonlyMap<string, MemberSourceRow> = new Map([
  ['firmware.data', {
    kind: 'maybe-vmalloc',
    names: ['request_firmware', 'request_firmware_direct', 'firmware_request_nowarn', 'firmware_request_platform',
      'request_firmware_nowait', 'firmware_request_nowait_nowarn', 'request_partial_firmware_into_buf'],
    what: 'firmware data request_firmware() loaded into vmalloc or vmap memory',
    writtenBy: 'firmware data the loader wrote through',
  }],
]);
