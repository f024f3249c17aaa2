/** All domain tables, and the names the whole-tree pre-filter looks for. */
import { ALLOCATORS } from './allocators';
import { SINKS, EVIDENCE_PAGE_OF, VMALLOC_TESTS, COMPLETION_WAITS, FREES } from './sinks';
import { MAINTENANCE } from './sanitizers';
import { LINEAR_ALLOCATORS } from './allocators';
import { ACCESS } from './access';
import { BIO_OP_SETTERS } from './directions';

export * from './common';
export * from './allocators';
export * from './sinks';
export * from './sanitizers';
export * from './directions';
export * from './access';

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
    ...BIO_OP_SETTERS.keys(), ...extra,
  ]);
}

/**
 * Names the interpreter resolves from these tables whatever the kernel version, before it would
 * look up a summary (analyzer/engine/interp.ts, call(): maintenance calls, CPU accesses, linear
 * allocators, page-of evidence, is_vmalloc_addr() tests, completion waits, frees). A summary of a
 * definition of one of them (mm/ defines kvfree(), which names is_vmalloc_addr()) is never read,
 * so the whole-tree scan draws no dependency on it: otherwise every file calling kvfree() would
 * wait for mm/slub.c, keep its kvfree() call as a possible sink, and have mm/slub.c parsed for a
 * summary no one uses. Version-dependent rows (allocators, sinks) are not in it.
 */
export const TABLE_RESOLVED: ReadonlySet<string> = new Set([
  ...MAINTENANCE.keys(), ...ACCESS.keys(), ...LINEAR_ALLOCATORS, ...EVIDENCE_PAGE_OF.keys(), ...VMALLOC_TESTS,
  ...COMPLETION_WAITS, ...FREES,
]);
