/**
 * Architectures whose data caches never alias a page's two kernel mappings: in their own code
 * (`arch/<name>/…`, built only for them) a missing flush or invalidate of the vmap alias cannot
 * leave stale data, since flush_kernel_vmap_range() and invalidate_kernel_vmap_range() are the
 * generic no-ops there (include/linux/highmem.h v6.18.2 ~l.191) and cpu_dcache_is_aliasing() is
 * false. The cache-alias rules are kept as information for them; a linear-map conversion of a
 * vmalloc address is wrong on every architecture and keeps its severity.
 *
 * Left out on purpose, as their caches can alias (domain §1.3, §1.6, arch/*\/include/asm/cachetype.h
 * v6.18.2): arm, mips, parisc, sh, csky (implement the API), sparc, m68k, nios2, xtensa
 * (declare aliasing D-caches without implementing it), and the removed nds32 (implemented it).
 *
 * `kconfig`: the symbols that are on only when building for that architecture (its
 * `arch/<name>/Kconfig` defines them: `config X86`, `config X86_64`, `config PPC64`, …), which
 * analyzer/kbuild.ts reads in `depends on` lines to find drivers built only for these.
 */
export const NON_ALIASING_ARCHES: ReadonlyMap<string, { kconfig: readonly string[]; source: string }> = new Map([
  ['x86', { kconfig: ['X86', 'X86_32', 'X86_64'], source: 'PIPT caches; highmem.h generic no-op' }],
  ['arm64', { kconfig: ['ARM64'], source: 'PIPT D-cache (ARMv8); no ARCH_IMPLEMENTS_FLUSH_KERNEL_VMAP_RANGE' }],
  ['powerpc', { kconfig: ['PPC', 'PPC32', 'PPC64'], source: 'physically indexed data caches; generic no-op' }],
  ['riscv', { kconfig: ['RISCV'], source: 'no cache-aliasing support in arch/riscv; generic no-op' }],
  ['s390', { kconfig: ['S390'], source: 'generic no-op' }],
  ['loongarch', { kconfig: ['LOONGARCH'], source: 'generic no-op' }],
  ['alpha', { kconfig: ['ALPHA'], source: 'generic no-op' }],
  ['microblaze', { kconfig: ['MICROBLAZE'], source: 'generic no-op; cpu_dcache_is_aliasing() not selected' }],
  ['openrisc', { kconfig: ['OPENRISC'], source: 'generic no-op; cpu_dcache_is_aliasing() not selected' }],
  ['hexagon', { kconfig: ['HEXAGON'], source: 'generic no-op' }],
  ['um', { kconfig: ['UML'], source: 'runs on the host\'s (x86/arm64) caches' }],
  ['arc', { kconfig: ['ARC'], source: 'aliasing VIPT D$ support retired (6732c0e494ac, 6.7; cpu_dcache_is_aliasing() false)' }],
]);

/** The architecture whose own code `file` is (`…/arch/x86/kernel/foo.c` → `x86`), if one of NON_ALIASING_ARCHES. */
export function nonAliasingArchOf(file: string): string | undefined {
  const m = /(?:^|[/\\])arch[/\\]([a-z0-9]+)[/\\]/.exec(file);
  return m && NON_ALIASING_ARCHES.has(m[1]) ? m[1] : undefined;
}
