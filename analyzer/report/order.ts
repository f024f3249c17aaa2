/** Stable output order for every format: file, position, then rule. */
import type { Finding } from '../types';

export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.span.start.line - b.span.start.line
    || a.span.start.column - b.span.start.column
    || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}
