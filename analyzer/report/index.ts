/** Output formats of findings: gcc-style text, JSON, SARIF 2.1.0; and the rule metadata they share. */
export { formatText, formatFinding } from './text';
export type { TextOptions } from './text';
export { formatJson, buildJsonReport, JSON_REPORT_VERSION } from './json';
export type { JsonReport, JsonStats, JsonStatValue } from './json';
export { formatSarif, buildSarif, pathToUri, sarifLevel, SARIF_SCHEMA } from './sarif';
export type { SarifLog, SarifOptions } from './sarif';
export { RULES, RULE_LIST, RULES_DOC_URL, RULES_DOC_PATH, ruleHelpUri, formatRuleList, ruleSection } from './rules';
export type { RuleInfo } from './rules';
export { sortFindings, compareFindings } from './order';
