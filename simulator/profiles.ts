/**
 * Architecture profiles: the data cache geometry and the kernel's cache-maintenance semantics of
 * each machine the simulator replays a finding on. Every row names where its facts come from;
 * docs/simulator.md carries the same table in prose. Values marked [unverified] are plausible
 * defaults that no source read for this project confirms; they are kept as data so that a user (or
 * a later reader of the manuals) can correct one row without touching the model.
 */

/** How the cache forms its set index and its tag. */
export type Indexing = 'VIVT' | 'VIPT' | 'PIPT';

/** What a maintenance call does to the lines of its range. */
export type RangeOp =
  | 'clean'             // write back dirty lines, keep them valid (SH-4 __flush_wback_region)
  | 'invalidate'        // discard lines, dirty data is lost (SH-4 __flush_invalidate_region)
  | 'clean-invalidate'  // write back dirty lines, then discard (ARM, MIPS "flush")
  | 'whole-cache'       // write back and discard every line of the cache (PA-RISC, csky abiv1)
  | 'none';             // the call compiles to nothing (generic stub in include/linux/highmem.h)

export interface FactSource {
  /** Which fields of the profile this source supports. */
  facts: string;
  source: string;
}

export interface ArchProfile {
  id: string;
  /** Human name of the CPU modelled. */
  cpu: string;
  /** Linux arch directory. */
  linuxArch: string;
  indexing: Indexing;
  /** L1 data cache size in bytes. */
  cacheBytes: number;
  ways: number;
  lineBytes: number;
  pageBytes: number;
  writeBack: boolean;
  /** A store miss allocates a line (false = read-allocate only: the store goes to memory). */
  writeAllocate: boolean;
  /** The CPU may move in lines of any page it holds a translation for (PA-RISC documents it). */
  speculativeMoveIn: boolean;
  /** DMA snoops the CPU caches (x86): the DMA API does no cache maintenance at all. */
  coherentDma: boolean;
  /** flush_kernel_vmap_range(): what it does on this arch. */
  flushVmap: RangeOp;
  /** invalidate_kernel_vmap_range(): what it does on this arch. */
  invalidateVmap: RangeOp;
  /** dma_map_*(DMA_TO_DEVICE): maintenance on the linear-map alias of the pages. */
  dmaToDevice: RangeOp;
  /** dma_map_*(DMA_FROM_DEVICE): maintenance before the transfer. */
  dmaFromDeviceMap: RangeOp;
  /** dma_unmap_*(DMA_FROM_DEVICE): maintenance after the transfer. */
  dmaFromDeviceUnmap: RangeOp;
  /** The kernel implements the vmap-range API for this CPU (ARCH_IMPLEMENTS_FLUSH_KERNEL_VMAP_RANGE and a runtime check that is true). */
  kernelImplementsApi: boolean;
  /** Kernel linear map base (PAGE_OFFSET) and a vmalloc-area address, as used in the model. */
  pageOffset: number;
  vmallocStart: number;
  /** 64-bit kernels: the model keeps the low 48 bits of addresses and prints them with an ffff prefix. */
  addressBits: 32 | 48;
  sources: FactSource[];
  notes: string[];
}

const KiB = 1024;

/** Sources used by several rows (domain facts compiled for this project; docs/simulator.md §Sources). */
const SRC = {
  highmemStub: 'include/linux/highmem.h (v6.18.2 ~l.191): generic flush/invalidate_kernel_vmap_range are empty inline stubs unless ARCH_IMPLEMENTS_FLUSH_KERNEL_VMAP_RANGE',
  armCacheflush: 'arch/arm/include/asm/cacheflush.h (v6.18.2 ~l.299): both calls do __cpuc_flush_dcache_area (clean+invalidate) if cache_is_vivt() || cache_is_vipt_aliasing()',
  armDma: 'arch/arm/mm/dma-mapping.c (v6.18.2 ~l.645-666): dma_cache_maint_page() maintains page_address()/kmap alias only; Russell King, linux-arm-kernel 2017-02-17 (…/2017-February/488588.html)',
};

export const PROFILES: readonly ArchProfile[] = [
  {
    id: 'armv5-vivt',
    cpu: 'ARM926EJ-S (ARMv5TEJ)',
    linuxArch: 'arm',
    indexing: 'VIVT',
    cacheBytes: 16 * KiB, ways: 4, lineBytes: 32, pageBytes: 4 * KiB,
    writeBack: true, writeAllocate: false, speculativeMoveIn: false, coherentDma: false,
    flushVmap: 'clean-invalidate', invalidateVmap: 'clean-invalidate',
    dmaToDevice: 'clean', dmaFromDeviceMap: 'invalidate', dmaFromDeviceUnmap: 'none',
    kernelImplementsApi: true,
    pageOffset: 0xc0000000, vmallocStart: 0xc4800000, addressBits: 32,
    sources: [
      { facts: 'VIVT, 4-way, 32 B lines, sizes 4-128 KB, allocate on read miss only, PLD does no linefill', source: 'ARM DDI0198D (ARM926EJ-S TRM) §4.1' },
      { facts: 'cache_is_vivt() for arch < ARMv6', source: 'arch/arm/kernel/setup.c cacheid_init() (v6.18.2 l.307-350)' },
      { facts: 'flush/invalidate_kernel_vmap_range = clean+invalidate of the range (arm926_flush_kern_dcache_area, c7,c14,1)', source: `${SRC.armCacheflush}; arch/arm/mm/proc-arm926.S` },
      { facts: 'DMA API maintains the linear alias only', source: SRC.armDma },
      { facts: 'PAGE_OFFSET 0xc0000000 (VMSPLIT_3G); VMALLOC_START = high_memory + 8 MB (64 MB RAM assumed) [illustrative]', source: 'arch/arm/include/asm/pgtable.h VMALLOC_START' },
    ],
    notes: ['16 KB is the size the domain notes suggest for the simulator; ARM926 parts range 4-128 KB.'],
  },
  {
    id: 'armv6-vipt-aliasing',
    cpu: 'ARM1136JF-S (ARMv6), 32 KB D-cache',
    linuxArch: 'arm',
    indexing: 'VIPT',
    cacheBytes: 32 * KiB, ways: 4, lineBytes: 32, pageBytes: 4 * KiB,
    writeBack: true, writeAllocate: false, speculativeMoveIn: false, coherentDma: false,
    flushVmap: 'clean-invalidate', invalidateVmap: 'clean-invalidate',
    dmaToDevice: 'clean', dmaFromDeviceMap: 'invalidate', dmaFromDeviceUnmap: 'invalidate',
    kernelImplementsApi: true,
    pageOffset: 0xc0000000, vmallocStart: 0xc4800000, addressBits: 32,
    sources: [
      { facts: 'VIPT, 4-way, 32 B lines, 4-64 KB; aliasing above 16 KB (VA[13:12] colour bits), CTR bit 23', source: 'ARM DDI0211 §6.11.3 (ARM1136 TRM, page colouring); DDI0301H CTR' },
      { facts: 'no inner allocate-on-write (read-allocate) [documented for ARM1176, assumed for ARM1136]', source: 'ARM DDI0301H (ARM1176JZF-S TRM) Table 6-3 note' },
      { facts: 'CACHEID_VIPT_ALIASING => API does clean+invalidate', source: `arch/arm/kernel/setup.c l.329-333; ${SRC.armCacheflush}` },
      { facts: 'DMA API maintains the linear alias only', source: SRC.armDma },
    ],
    notes: ['way = 32 KB / 4 = 8 KB = 2 pages => 2 colours.'],
  },
  {
    id: 'armv6-vipt-aliasing-64k',
    cpu: 'ARM1136JF-S (ARMv6), 64 KB D-cache',
    linuxArch: 'arm',
    indexing: 'VIPT',
    cacheBytes: 64 * KiB, ways: 4, lineBytes: 32, pageBytes: 4 * KiB,
    writeBack: true, writeAllocate: false, speculativeMoveIn: false, coherentDma: false,
    flushVmap: 'clean-invalidate', invalidateVmap: 'clean-invalidate',
    dmaToDevice: 'clean', dmaFromDeviceMap: 'invalidate', dmaFromDeviceUnmap: 'invalidate',
    kernelImplementsApi: true,
    pageOffset: 0xc0000000, vmallocStart: 0xc4800000, addressBits: 32,
    sources: [
      { facts: 'largest ARM1136 configuration: 64 KB, 4-way => 16 KB way => 4 colours', source: 'ARM DDI0211 §6.11.3' },
      { facts: 'API and DMA semantics as armv6-vipt-aliasing', source: `${SRC.armCacheflush}; ${SRC.armDma}` },
    ],
    notes: ['The ARM1176 CZ bit can restrict the cache to 16 KB (no aliasing); Linux does not rely on it.'],
  },
  {
    id: 'sh4',
    cpu: 'SH-4 SH7750 (operand cache)',
    linuxArch: 'sh',
    indexing: 'VIPT',
    cacheBytes: 16 * KiB, ways: 1, lineBytes: 32, pageBytes: 4 * KiB,
    writeBack: true, writeAllocate: true, speculativeMoveIn: false, coherentDma: false,
    flushVmap: 'clean', invalidateVmap: 'invalidate',
    dmaToDevice: 'clean', dmaFromDeviceMap: 'invalidate', dmaFromDeviceUnmap: 'none',
    kernelImplementsApi: true,
    pageOffset: 0x80000000, vmallocStart: 0xc0000000, addressBits: 32,
    sources: [
      { facts: '16 KB direct-mapped, 32 B lines, index = EA[13:5], copy-back or write-through (copy-back modelled)', source: 'SH7750 hardware manual §4.3.2; arch/sh/kernel/cpu/sh4/probe.c l.44-48' },
      { facts: 'n_aliases = 4 (16 KB way / 4 KB page)', source: 'arch/sh/mm/cache.c l.255-262' },
      { facts: 'flush_kernel_vmap_range = __flush_wback_region (write back, lines stay valid); invalidate_kernel_vmap_range = __flush_invalidate_region (pure discard)', source: 'arch/sh/include/asm/cacheflush.h ~l.74; arch/sh/mm/flush-sh4.c (v6.18.2)' },
      { facts: 'write-allocate in copy-back mode [unverified]', source: 'SH7750 hardware manual §4.3 (not re-read for this project)' },
      { facts: 'DMA: arch_sync_dma_for_device writes back for TO_DEVICE (__flush_wback_region), invalidates only for FROM_DEVICE (__flush_invalidate_region) on the linear alias; no for_cpu hook', source: 'arch/sh/kernel/dma-coherent.c arch_sync_dma_for_device (read in a mirror for this project)' },
      { facts: 'PAGE_OFFSET = P1SEG 0x80000000, VMALLOC_START = P3SEG 0xc0000000', source: 'arch/sh/include/asm/pgtable_32.h [unverified line]' },
    ],
    notes: ['SH-4\'s invalidate throws dirty alias lines away: a read into a buffer the CPU dirtied is not overwritten at completion (unless the lines were evicted during the transfer).'],
  },
  {
    id: 'mips-r4k',
    cpu: 'MIPS R4400',
    linuxArch: 'mips',
    indexing: 'VIPT',
    cacheBytes: 16 * KiB, ways: 1, lineBytes: 32, pageBytes: 4 * KiB,
    writeBack: true, writeAllocate: true, speculativeMoveIn: false, coherentDma: false,
    flushVmap: 'clean-invalidate', invalidateVmap: 'clean-invalidate',
    dmaToDevice: 'clean', dmaFromDeviceMap: 'invalidate', dmaFromDeviceUnmap: 'none',
    kernelImplementsApi: true,
    pageOffset: 0x80000000, vmallocStart: 0xc0000000, addressBits: 32,
    sources: [
      { facts: 'R4400 16 KB direct-mapped D-cache, 16 or 32 B lines (32 modelled), write-back', source: 'R4000 user manual p.33; arch/mips/mm/c-r4k.c l.1040-1065' },
      { facts: 'MIPS_CACHE_ALIASES if waysize > PAGE_SIZE (16 KB / 4 KB => 4 colours)', source: 'arch/mips/mm/c-r4k.c l.1295-1302' },
      { facts: 'both calls = __flush_kernel_vmap_range (write back + invalidate) if cpu_has_dc_aliases', source: 'arch/mips/include/asm/cacheflush.h ~l.136; arch/mips/mm/c-r4k.c ~l.866-905' },
      { facts: 'write-allocate for cacheable write-back [unverified]', source: 'R4000 user manual (not re-read for this project)' },
      { facts: 'PAGE_OFFSET = CKSEG0, VMALLOC_START = CKSEG2 (32-bit kernel)', source: 'arch/mips/include/asm/pgtable-32.h [unverified line]' },
    ],
    notes: [],
  },
  {
    id: 'parisc',
    cpu: 'PA-RISC PA-8200 class',
    linuxArch: 'parisc',
    indexing: 'VIPT',
    cacheBytes: 2048 * KiB, ways: 1, lineBytes: 32, pageBytes: 4 * KiB,
    writeBack: true, writeAllocate: true, speculativeMoveIn: true, coherentDma: false,
    flushVmap: 'whole-cache', invalidateVmap: 'whole-cache',
    dmaToDevice: 'clean-invalidate', dmaFromDeviceMap: 'clean-invalidate', dmaFromDeviceUnmap: 'invalidate',
    kernelImplementsApi: true,
    pageOffset: 0x10000000, vmallocStart: 0x50000000, addressBits: 32,
    sources: [
      { facts: 'VIPT, write-back (FDC/PDC write dirty lines back); PA-8200 2 MB D-cache; direct-mapped 32 B lines [unverified]', source: 'HP V-Class doc A3725-96022 ch.3; arch/parisc/include/asm/shmparam.h' },
      { facts: 'speculative move-in of any line of a page with a TLB translation; a flush/purge stops it until the next reference', source: 'https://parisc.docs.kernel.org/en/latest/processor_limitations.html' },
      { facts: 'flush_kernel_vmap_range: purge TLB range, flush the whole D-cache; invalidate_kernel_vmap_range: same (PA8800/PA8900 cannot flush a vmap range selectively)', source: 'arch/parisc/kernel/cache.c (v6.18.2 ~l.880-932)' },
      { facts: 'DMA: flush_kernel_dcache_range on map, purge on unmap for FROM_DEVICE [analysis]', source: 'arch/parisc/kernel/pci-dma.c arch_sync_dma_for_device/for_cpu (not re-read for this project)' },
      { facts: 'PAGE_OFFSET 0x10000000 (32-bit); vmalloc address [illustrative]', source: 'arch/parisc/include/asm/page.h [unverified]' },
    ],
    notes: ['Real PA-8x00 caches are larger/impl.-specific; what matters here is that the vmalloc alias and the linear alias are not congruent (equal mod 4 MB, SHM_COLOUR).'],
  },
  {
    id: 'nios2',
    cpu: 'Nios II/f with MMU, 32 KB D-cache',
    linuxArch: 'nios2',
    indexing: 'VIPT',
    cacheBytes: 32 * KiB, ways: 1, lineBytes: 32, pageBytes: 4 * KiB,
    writeBack: true, writeAllocate: true, speculativeMoveIn: false, coherentDma: false,
    flushVmap: 'none', invalidateVmap: 'none',
    dmaToDevice: 'clean-invalidate', dmaFromDeviceMap: 'invalidate', dmaFromDeviceUnmap: 'invalidate',
    kernelImplementsApi: false,
    pageOffset: 0xc0000000, vmallocStart: 0x80000000, addressBits: 32,
    sources: [
      { facts: 'direct-mapped, 32 B lines, write-back, write-allocate; Linux defconfigs (10m50, 3c120) use 32 KB => 8 colours', source: 'Intel Nios II processor reference, "Data Cache"; arch/nios2/configs/*_defconfig; arch/nios2/include/asm/shmparam.h' },
      { facts: 'cpu_dcache_is_aliasing() = NIOS2_DCACHE_SIZE > PAGE_SIZE but no ARCH_IMPLEMENTS_FLUSH_KERNEL_VMAP_RANGE: the calls are no-ops', source: `arch/nios2/include/asm/cachetype.h; ${SRC.highmemStub}` },
      { facts: 'DMA: arch_sync_dma_for_device invalidates for FROM_DEVICE and flushes (the Nios II flush writes back and invalidates) for TO_DEVICE, on phys_to_virt(paddr), the linear alias; for_cpu invalidate on FROM_DEVICE [analysis]', source: 'arch/nios2/mm/dma-mapping.c (read in a mirror for this project)' },
      { facts: 'PAGE_OFFSET = CONFIG_NIOS2_KERNEL_REGION_BASE 0xc0000000; vmalloc in the MMU region [illustrative]', source: 'arch/nios2/Kconfig' },
    ],
    notes: ['The kernel gap: correct C code still corrupts here; only an arch implementation of the API (or bouncing through linear-mapped memory) fixes it.'],
  },
  {
    id: 'xtensa-aliasing',
    cpu: 'Xtensa test_mmuhifi_c3 core (16 KB 2-way D-cache)',
    linuxArch: 'xtensa',
    indexing: 'VIPT',
    cacheBytes: 16 * KiB, ways: 2, lineBytes: 32, pageBytes: 4 * KiB,
    writeBack: true, writeAllocate: true, speculativeMoveIn: false, coherentDma: false,
    flushVmap: 'none', invalidateVmap: 'none',
    dmaToDevice: 'clean', dmaFromDeviceMap: 'none', dmaFromDeviceUnmap: 'invalidate',
    kernelImplementsApi: false,
    pageOffset: 0xd0000000, vmallocStart: 0xc0000000, addressBits: 32,
    sources: [
      { facts: 'test_mmuhifi_c3: 16 KB 2-way write-back D-cache => 8 KB way => 2 colours; 32 B lines and write-allocate [unverified]', source: 'arch/xtensa/variants/test_mmuhifi_c3/include/variant/core.h' },
      { facts: 'cpu_dcache_is_aliasing() = DCACHE_WAY_SIZE > PAGE_SIZE, but no ARCH_IMPLEMENTS_FLUSH_KERNEL_VMAP_RANGE: the calls are no-ops', source: `arch/xtensa/include/asm/cachetype.h; ${SRC.highmemStub}` },
      { facts: 'DMA: arch_sync_dma_for_device writes back (__flush_dcache_range) for TO_DEVICE/BIDIRECTIONAL on write-back cores and does nothing for FROM_DEVICE; for_cpu invalidates FROM_DEVICE [analysis]', source: 'arch/xtensa/kernel/pci-dma.c (for_device read in a mirror for this project)' },
      { facts: 'PAGE_OFFSET 0xd0000000 (KSEG), VMALLOC_START 0xc0000000 [illustrative]', source: 'arch/xtensa/include/asm/page.h, pgtable.h [unverified]' },
    ],
    notes: ['Another kernel gap like nios2: an aliasing cache where the vmap-range API does nothing.'],
  },
  {
    id: 'x86-64',
    cpu: 'x86-64 (PIPT L1D, cache-coherent DMA)',
    linuxArch: 'x86',
    indexing: 'PIPT',
    cacheBytes: 32 * KiB, ways: 8, lineBytes: 64, pageBytes: 4 * KiB,
    writeBack: true, writeAllocate: true, speculativeMoveIn: true, coherentDma: true,
    flushVmap: 'none', invalidateVmap: 'none',
    dmaToDevice: 'none', dmaFromDeviceMap: 'none', dmaFromDeviceUnmap: 'none',
    kernelImplementsApi: true,
    pageOffset: 0x888000000000, vmallocStart: 0xc90000000000, addressBits: 48,
    sources: [
      { facts: 'no aliasing: the API is not needed and is the generic no-op', source: SRC.highmemStub },
      { facts: '32 KB 8-way 64 B L1D, behaves as physically indexed (way = page) [unverified, typical]', source: 'Intel 64 and IA-32 Optimization Reference Manual (not re-read for this project)' },
      { facts: 'DMA snoops caches: the DMA API does no CPU cache maintenance', source: 'x86 dma-direct is coherent (dev_is_dma_coherent) [analysis]' },
      { facts: 'PAGE_OFFSET 0xffff888000000000, VMALLOC_START 0xffffc90000000000 (4-level paging)', source: 'Documentation/arch/x86/x86_64/mm.rst' },
    ],
    notes: ['Counts as "implements the API": with no aliasing there is nothing to implement.'],
  },
  {
    id: 'arm64',
    cpu: 'ARMv8-A (e.g. Cortex-A53), non-aliasing D-cache',
    linuxArch: 'arm64',
    indexing: 'PIPT',
    cacheBytes: 32 * KiB, ways: 4, lineBytes: 64, pageBytes: 4 * KiB,
    writeBack: true, writeAllocate: true, speculativeMoveIn: true, coherentDma: false,
    flushVmap: 'none', invalidateVmap: 'none',
    dmaToDevice: 'clean', dmaFromDeviceMap: 'clean', dmaFromDeviceUnmap: 'invalidate',
    kernelImplementsApi: true,
    pageOffset: 0x000000000000, vmallocStart: 0x800080000000, addressBits: 48,
    sources: [
      { facts: 'ARMv7-A and later D-side is VIPT non-aliasing or PIPT: no aliases, API is a no-op', source: 'arch/arm/kernel/setup.c l.316-327; include/linux/highmem.h' },
      { facts: 'Cortex-A53 L1D 32 KB 4-way 64 B [unverified]', source: 'ARM DDI0500 (Cortex-A53 TRM) ch.6 (not re-read for this project)' },
      { facts: 'non-coherent DMA: clean for to-device and from-device map, invalidate on from-device unmap [analysis]', source: 'arch/arm64/mm/dma-mapping.c arch_sync_dma_for_device/for_cpu' },
      { facts: 'PAGE_OFFSET 0xffff000000000000 (48-bit VA), vmalloc above the modules area [illustrative]', source: 'Documentation/arch/arm64/memory.rst' },
    ],
    notes: ['Speculative prefetch exists but cannot create an alias in a physically indexed cache.'],
  },
];

export function profileById(id: string): ArchProfile | undefined {
  return PROFILES.find((p) => p.id === id);
}

export const PROFILE_IDS: readonly string[] = PROFILES.map((p) => p.id);

/** Derived geometry, computed once per profile: the arithmetic the tests check by hand. */
export interface Geometry {
  sets: number;
  /** bytes covered by one way = cacheBytes / ways */
  wayBytes: number;
  /**
   * Page colours: VIPT = max(1, wayBytes / pageBytes) (the VIPT rule); PIPT = 1. VIVT caches alias
   * for any two distinct virtual addresses, so their "colours" only describe which set a page lands
   * in; `aliasesAlwaysDistinct` is what matters there.
   */
  colours: number;
  aliasesAlwaysDistinct: boolean;
  /** Probability that a random placement puts the vmalloc and the linear alias of a page in different lines. */
  aliasProbability: number;
}

const geometryCache = new WeakMap<ArchProfile, Geometry>();

export function geometry(p: ArchProfile): Geometry {
  let g = geometryCache.get(p);
  if (!g) {
    g = Object.freeze(computeGeometry(p));
    geometryCache.set(p, g);
  }
  return g;
}

function computeGeometry(p: ArchProfile): Geometry {
  const sets = p.cacheBytes / (p.ways * p.lineBytes);
  const wayBytes = p.cacheBytes / p.ways;
  const pageColours = Math.max(1, wayBytes / p.pageBytes);
  if (p.indexing === 'PIPT') return { sets, wayBytes, colours: 1, aliasesAlwaysDistinct: false, aliasProbability: 0 };
  if (p.indexing === 'VIVT') return { sets, wayBytes, colours: pageColours, aliasesAlwaysDistinct: true, aliasProbability: 1 };
  return { sets, wayBytes, colours: pageColours, aliasesAlwaysDistinct: false, aliasProbability: 1 - 1 / pageColours };
}

/** Colour of a virtual address: (VA mod way size) / page size. */
export function colourOf(p: ArchProfile, va: number): number {
  const g = geometry(p);
  return Math.floor((va % g.wayBytes) / p.pageBytes) % Math.max(1, g.colours);
}

/** The cache can hold two lines for one physical line (the precondition of every scenario). */
export function canAlias(p: ArchProfile): boolean {
  const g = geometry(p);
  return g.aliasesAlwaysDistinct || g.colours > 1;
}
