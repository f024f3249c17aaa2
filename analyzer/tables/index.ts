/** All domain tables, and the names the whole-tree pre-filter looks for. */
import { ALLOCATORS, allocatorApplies } from './allocators';
import { SINKS, EVIDENCE_PAGE_OF, VMALLOC_TESTS, COMPLETION_WAITS, DMA_COMPLETIONS, FREES, LINEAR_FREES, sinkApplies } from './sinks';
import type { KVersion } from './common';
import { MAINTENANCE } from './sanitizers';
import { LINEAR_ALLOCATORS } from './allocators';
import { ACCESS } from './access';
import { BIO_OP_SETTERS } from './directions';
import { XFER_CALLS } from './transfers';

export * from './common';
export * from './allocators';
export * from './sinks';
export * from './sanitizers';
export * from './directions';
export * from './access';
export * from './arches';
export * from './annotations';
export * from './ctypes';
export * from './transfers';

/**
 * Every name whose presence in a file can make it relevant: allocators, evidence calls, sinks,
 * maintenance calls. A file naming none of these (and calling no function summarised elsewhere)
 * cannot produce a finding.
 */
export function relevantNames(extra: readonly string[] = []): string[] {
  const names = new Set<string>([
    ...ALLOCATORS.keys(), ...EVIDENCE_PAGE_OF.keys(), ...VMALLOC_TESTS, ...MAINTENANCE.keys(), ...extra,
  ]);
  for (const [n, row] of SINKS) if (row.kind !== 'submit') names.add(n);
  return [...names].sort();
}

/**
 * Names that make a function worth analysing (the analyzer's relevance seeds, analyze.ts; the
 * scan's slicing uses the same set): everything in relevantNames() plus submission calls and bio
 * op setters, which decide a function's direction.
 */
export function seedNames(extra: readonly string[] = []): Set<string> {
  return new Set<string>([
    ...ALLOCATORS.keys(), ...SINKS.keys(), ...MAINTENANCE.keys(), ...EVIDENCE_PAGE_OF.keys(), ...VMALLOC_TESTS,
    ...BIO_OP_SETTERS.keys(), ...XFER_CALLS.keys(), ...extra,
  ]);
}

/**
 * Names the interpreter resolves from these tables whatever the kernel version, before it would
 * look up a summary (analyzer/engine/interp.ts, call(): maintenance calls, CPU accesses, linear
 * allocators, page-of evidence, is_vmalloc_addr() tests, completion waits, DMA completions, vmalloc,
 * page and slab frees, SPI transfer calls).
 * A summary of a definition of one of them (mm/ defines kvfree(), which names is_vmalloc_addr()) is
 * never read, so the whole-tree scan draws no dependency on it: otherwise every file calling
 * kvfree() would wait for mm/slub.c, keep its kvfree() call as a possible sink, and have mm/slub.c
 * parsed for a summary no one uses. tableResolved() adds the version-dependent rows.
 */
export const TABLE_RESOLVED: ReadonlySet<string> = new Set([
  ...MAINTENANCE.keys(), ...ACCESS.keys(), ...LINEAR_ALLOCATORS, ...EVIDENCE_PAGE_OF.keys(), ...VMALLOC_TESTS,
  ...COMPLETION_WAITS, ...DMA_COMPLETIONS, ...FREES, ...LINEAR_FREES.keys(), ...XFER_CALLS.keys(),
]);

/**
 * TABLE_RESOLVED plus what the interpreter resolves for kernel `k` before a summary: the allocator
 * and sink rows that apply to it (allocatorApplies, sinkApplies: the same tests call() makes), the
 * bio op setters it always takes, and the user's `--allocator`/`--sink` names. mm/vmalloc.c's
 * definition of `__vmalloc_noprof()` or include/linux/mm.h's `virt_to_folio()` is then no
 * dependency of their callers in a 6.18 scan; in a 4.9 scan a driver's own `kvmalloc()` (the table
 * row starts at 4.12) still is, as its summary is what the callers get.
 */
export function tableResolved(k: KVersion | undefined, extraAllocators: readonly string[] = [], extraSinks: readonly string[] = []): Set<string> {
  const out = new Set<string>([...TABLE_RESOLVED, ...extraAllocators, ...extraSinks, 'bio_chain']);
  for (const [name, row] of ALLOCATORS) if (allocatorApplies(row, k)) out.add(name);
  for (const [name, row] of SINKS) if (sinkApplies(row, k)) out.add(name);
  // a setter with `minArgs` falls through to summaries when called with fewer arguments, unless
  // it returns the bio (2.6-era bio_alloc(gfp, nr_vecs))
  for (const [name, row] of BIO_OP_SETTERS) if (row.minArgs === undefined || row.bio === 'result') out.add(name);
  return out;
}
