/**
 * Rule metadata shared by every output: SARIF `tool.driver.rules`, the explanations shown by the
 * extension (docs/rules.md has one section per rule, anchored by its id), and `--list-rules`.
 * The default levels mirror the engine's per-rule severities (a maybe-vmalloc buffer lowers a
 * finding to `warning`, which is carried on the finding itself).
 */
import { RULE_IDS } from '../types';
import type { RuleId, Severity } from '../types';

export interface RuleInfo {
  id: RuleId;
  /** PascalCase name (SARIF reportingDescriptor.name). */
  name: string;
  /** One sentence. */
  short: string;
  /** A paragraph: what is wrong and what happens on a virtually indexed cache. */
  full: string;
  /** Where it is reported. */
  reportedAt: string;
  defaultSeverity: Severity;
  tags: string[];
}

/**
 * Where docs/rules.md is published; `helpUri` is this plus `#<rule id>`. The repository URL in
 * package.json is a placeholder, so this is one constant to change when the project is published.
 */
export const RULES_DOC_URL = 'https://example.invalid/vmalias/blob/main/docs/rules.md';

/** Path of the rule documentation inside the project (the extension opens it from the package). */
export const RULES_DOC_PATH = 'docs/rules.md';

export const RULES: Readonly<Record<RuleId, RuleInfo>> = {
  'vmap-io-missing-flush': {
    id: 'vmap-io-missing-flush',
    name: 'VmapIoMissingFlush',
    short: 'A CPU-written vmalloc/vmap alias reaches block or DMA I/O without flush_kernel_vmap_range() before submission.',
    full:
      'The CPU wrote the buffer through its vmalloc/vmap virtual address, and its pages are handed to a bio, a '
      + 'scatterlist or the DMA API with no flush_kernel_vmap_range() on some path before submission. The block '
      + 'layer and the DMA API only maintain the kernel linear mapping of a page; on a VIVT or aliasing VIPT data '
      + 'cache (ARMv5, aliasing ARMv6, PA-RISC, MIPS R4k, SH-4, ...) the written data can still sit in dirty '
      + 'cache lines of the vmalloc alias, so the device reads stale memory. Before a read, dirty alias lines can '
      + 'also be written back over the data the device has just stored.',
    reportedAt: 'the submitting call (submit_bio*, or the DMA mapping call for scatterlists and pages)',
    defaultSeverity: 'warning',
    tags: ['correctness', 'cache-coherency', 'vmalloc'],
  },
  'vmap-io-missing-invalidate': {
    id: 'vmap-io-missing-invalidate',
    name: 'VmapIoMissingInvalidate',
    short: 'Data read by I/O into a vmalloc/vmap alias is read by the CPU without invalidate_kernel_vmap_range() after completion.',
    full:
      'The device wrote into the buffer\'s pages and the CPU then reads the buffer through its vmalloc/vmap '
      + 'address, with no invalidate_kernel_vmap_range() between completion of the I/O and the read on some path. '
      + 'Lines of the alias that were cached before the I/O, or moved in speculatively while it ran, are not '
      + 'invalidated by the DMA API, so the CPU can read stale data. An invalidate placed before completion (right '
      + 'after an asynchronous submit_bio()) does not count.',
    reportedAt: 'the submitting call',
    defaultSeverity: 'warning',
    tags: ['correctness', 'cache-coherency', 'vmalloc'],
  },
  'vmap-io-maintenance-range': {
    id: 'vmap-io-maintenance-range',
    name: 'VmapIoMaintenanceRange',
    short: 'A flush_kernel_vmap_range()/invalidate_kernel_vmap_range() call does not cover the buffer that takes part in the I/O.',
    full:
      'The cache-maintenance call exists but its address or length does not match the buffer the I/O used, for '
      + 'example because the pointer was advanced while the bio was built, or the length is a single page of a '
      + 'larger buffer. The real buffer keeps stale or dirty alias lines while an unrelated range is maintained.',
    reportedAt: 'the flush or invalidate call',
    defaultSeverity: 'warning',
    tags: ['correctness', 'cache-coherency', 'vmalloc'],
  },
  'vmalloc-linear-map': {
    id: 'vmalloc-linear-map',
    name: 'VmallocLinearMap',
    short: 'A vmalloc address is passed to a linear-map conversion (virt_to_page, __pa, sg_set_buf, dma_map_single, ...).',
    full:
      'Linear-map conversions compute a physical address or struct page by arithmetic on the kernel direct '
      + 'mapping. A vmalloc/vmap address is not in that mapping, so the result is the wrong page on every '
      + 'architecture, not only on those with aliasing caches. Use vmalloc_to_page() per page (with the cache '
      + 'maintenance that I/O then needs), DM_IO_VMA instead of DM_IO_KMEM, or a linear-map buffer.',
    reportedAt: 'the conversion call',
    defaultSeverity: 'error',
    tags: ['correctness', 'vmalloc'],
  },
  'vmap-blk-rq-map-kern': {
    id: 'vmap-blk-rq-map-kern',
    name: 'VmapBlkRqMapKern',
    short: 'A vmalloc buffer is mapped with blk_rq_map_kern()/scsi_execute*() on a kernel older than 5.3.',
    full:
      'Before Linux 5.3 bio_map_kern(), behind blk_rq_map_kern() and scsi_execute*(), translated the buffer '
      + 'with virt_to_page(), which gives the wrong pages for a vmalloc address. Since 5.3 ("block: Allow mapping '
      + 'of vmalloc-ed buffers") it uses vmalloc_to_page() and does the flush and the read-side invalidate itself.',
    reportedAt: 'the blk_rq_map_kern()/scsi_execute*() call',
    defaultSeverity: 'error',
    tags: ['correctness', 'vmalloc', 'kernel-version'],
  },
};

/** Rules in their fixed order (the SARIF ruleIndex). */
export const RULE_LIST: readonly RuleInfo[] = RULE_IDS.map((id) => RULES[id]);

export function ruleHelpUri(id: RuleId, base: string = RULES_DOC_URL): string {
  return `${base}#${id}`;
}

/** `vmalias rules`: one line per rule — id, default severity, one-sentence description. */
export function formatRuleList(): string {
  const width = Math.max(...RULE_LIST.map((r) => r.id.length));
  return RULE_LIST.map((r) => `${r.id.padEnd(width)}  ${r.defaultSeverity.padEnd(7)}  ${r.short}\n`).join('');
}

/**
 * The section of docs/rules.md for one rule (from its `## <id>` heading up to the next `## ` or
 * `---` separator), for the extension's rule explanation. The caller reads the file from the
 * installed package; undefined when the rule has no section.
 */
export function ruleSection(markdown: string, id: RuleId): string | undefined {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === `## ${id}`);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && !lines[end].startsWith('## ') && lines[end].trim() !== '---') end++;
  return lines.slice(start, end).join('\n').trimEnd() + '\n';
}
