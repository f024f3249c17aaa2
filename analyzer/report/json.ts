/**
 * `--format json`: `{"version":1,"findings":[…],"stats":{…}}`. Findings carry every Finding field
 * (the contract in analyzer/types.ts), sorted like the other formats. Counts by rule and severity
 * are computed here so they always agree with the findings; the caller adds scan statistics.
 */
import { RULE_IDS } from '../types';
import type { Finding, RuleId, Severity } from '../types';
import { sortFindings } from './order';

export const JSON_REPORT_VERSION = 1;

/** Scan statistics from the caller (files scanned, skipped, timings, parser, kernel …). */
export type JsonStatValue = number | string | boolean | null | readonly string[] | { readonly [k: string]: number | string };
export type JsonStats = { readonly [key: string]: JsonStatValue };

export interface JsonReport {
  version: typeof JSON_REPORT_VERSION;
  findings: Finding[];
  stats: JsonStats & { findings: number; byRule: Record<RuleId, number>; bySeverity: Record<Severity, number> };
}

export function buildJsonReport(findings: readonly Finding[], stats: JsonStats = {}): JsonReport {
  const byRule = Object.fromEntries(RULE_IDS.map((r) => [r, 0])) as Record<RuleId, number>;
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) {
    byRule[f.rule]++;
    bySeverity[f.severity]++;
  }
  return {
    version: JSON_REPORT_VERSION,
    findings: sortFindings(findings),
    stats: { ...stats, findings: findings.length, byRule, bySeverity },
  };
}

export function formatJson(findings: readonly Finding[], stats: JsonStats = {}): string {
  return JSON.stringify(buildJsonReport(findings, stats), null, 2) + '\n';
}
