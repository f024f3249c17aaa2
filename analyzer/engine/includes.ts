/**
 * Quick fixes that insert flush_kernel_vmap_range()/invalidate_kernel_vmap_range() into a file
 * that does not include their header (directly or through one of the headers known to pull it
 * in: tables MAINTENANCE_HEADER) also add the `#include`, after the file's last `#include <linux/…>`
 * line of its leading block, so the fixed file builds everywhere.
 */
import { MAINTENANCE, MAINTENANCE_HEADER } from '../tables';
import { lineIndex } from '../parse/lines';
import type { Finding, Fix, Span } from '../types';

const MAINT_CALL = new RegExp(`\\b(?:${[...MAINTENANCE.keys()].join('|')})\\s*\\(`);

/** Where to insert the include (an offset at a line start), or undefined when nothing is needed or no place is clear. */
export function includeSite(text: string): number | undefined {
  let last: number | undefined;
  for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*<([^>\n]+)>[^\n]*\n/gm)) {
    if ((MAINTENANCE_HEADER.includedBy as readonly string[]).includes(m[1].trim())) return undefined;
    if (m[1].startsWith('linux/')) last = (m.index ?? 0) + m[0].length;
  }
  return last;
}

/** The findings with an include edit added to each fix that inserts a maintenance call, when the file needs it. */
export function withMaintenanceInclude(findings: Finding[], text: string, file: string, starts: readonly number[]): Finding[] {
  if (!findings.some((f) => f.fixes.some(insertsMaintenance))) return findings;
  const at = includeSite(text);
  if (at === undefined) return findings;
  const line = lineIndex(starts, at);
  const pos = { line: line + 1, column: at - (starts[line] ?? 0) + 1 };
  const span: Span = { start: pos, end: pos, startOffset: at, endOffset: at };
  const edit = { file, span, newText: `#include <${MAINTENANCE_HEADER.header}>\n` };
  return findings.map((f) => (f.fixes.some(insertsMaintenance) ? { ...f, fixes: f.fixes.map((x) => (insertsMaintenance(x) ? { ...x, edits: [edit, ...x.edits] } : x)) } : f));
}

function insertsMaintenance(fix: Fix): boolean {
  return fix.edits.some((e) => MAINT_CALL.test(e.newText));
}
