/**
 * `--format sarif`: SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/), the
 * format GitHub code scanning and most SAST viewers import.
 *
 * - `tool.driver.rules`: one reportingDescriptor per rule, in RULE_IDS order (results point at
 *   them with `ruleIndex`), with `helpUri` to the rule's section of docs/rules.md.
 * - results: `level` from the finding's severity, the primary location with UTF-16 columns
 *   (`run.columnKind`), the enclosing function as a logical location.
 * - `codeFlows`: the trace as one threadFlow, locations in trace order (allocation → flows →
 *   page add → submission → completion → CPU read), each with its message and a `kinds` tag.
 * - `fixes`: each quick-fix's edits as artifactChanges with `deletedRegion` (empty for an insertion)
 *   and `insertedContent`.
 * - `partialFingerprints`: a hash of rule, file, function and buffer, stable when lines move.
 */
import * as path from 'path';
import type { Finding, Severity, Span, TextEdit, TraceKind } from '../types';
import { RULE_IDS } from '../types';
import { RULE_LIST, ruleHelpUri, RULES } from './rules';
import { sortFindings } from './order';

// The subset of the SARIF 2.1.0 object model this writer produces.
export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

export interface SarifMessage { text: string; markdown?: string }
export interface SarifArtifactLocation { uri: string }
export interface SarifRegion {
  startLine: number; startColumn: number; endLine: number; endColumn: number;
  charOffset: number; charLength: number;
}
export interface SarifPhysicalLocation { artifactLocation: SarifArtifactLocation; region: SarifRegion }
export interface SarifLocation {
  physicalLocation: SarifPhysicalLocation;
  message?: SarifMessage;
  logicalLocations?: { name: string; kind: string }[];
}
export interface SarifThreadFlowLocation { location: SarifLocation; kinds?: string[]; executionOrder: number }
export interface SarifCodeFlow { message?: SarifMessage; threadFlows: { locations: SarifThreadFlowLocation[] }[] }
export interface SarifReplacement { deletedRegion: SarifRegion; insertedContent: { text: string } }
export interface SarifFix {
  description: SarifMessage;
  artifactChanges: { artifactLocation: SarifArtifactLocation; replacements: SarifReplacement[] }[];
}
export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  codeFlows?: SarifCodeFlow[];
  fixes?: SarifFix[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}
export interface SarifReportingDescriptor {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  helpUri: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[] };
}
export interface SarifRun {
  tool: { driver: { name: string; version: string; semanticVersion?: string; informationUri: string; rules: SarifReportingDescriptor[] } };
  columnKind: 'utf16CodeUnits';
  results: SarifResult[];
}
export interface SarifLog { $schema: string; version: '2.1.0'; runs: SarifRun[] }

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifOptions {
  /** Base of the rule documentation links (default: RULES_DOC_URL). */
  helpBase?: string;
  /** Tool home page. */
  informationUri?: string;
  /** Make absolute paths relative to this directory (SARIF viewers resolve them against the checkout). */
  relativeTo?: string;
}

export function sarifLevel(s: Severity): SarifLevel {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';
}

/**
 * A URI reference for a path: relative paths stay relative (forward slashes, each segment
 * percent-encoded, so spaces, `#` and `?` survive); absolute paths become file:// URIs.
 */
export function pathToUri(file: string, relativeTo?: string): string {
  let p = file;
  if (relativeTo && path.isAbsolute(p)) {
    const rel = path.relative(relativeTo, p);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) p = rel;
  }
  p = p.replace(/\\/g, '/');
  const enc = (s: string): string => s.split('/').map((seg) => encodeURIComponent(seg).replace(/%3A/gi, ':')).join('/');
  if (/^[A-Za-z]:\//.test(p)) return `file:///${enc(p)}`;
  if (p.startsWith('/')) return `file://${enc(p)}`;
  return enc(p.replace(/^\.\//, ''));
}

function region(span: Span): SarifRegion {
  return {
    startLine: span.start.line,
    startColumn: span.start.column,
    endLine: span.end.line,
    endColumn: span.end.column,
    charOffset: span.startOffset,
    charLength: span.endOffset - span.startOffset,
  };
}

function location(file: string, span: Span, opts: SarifOptions, message?: string): SarifLocation {
  const loc: SarifLocation = { physicalLocation: { artifactLocation: { uri: pathToUri(file, opts.relativeTo) }, region: region(span) } };
  if (message !== undefined) loc.message = { text: message };
  return loc;
}

/** SARIF threadFlowLocation.kinds vocabulary (§3.38.8) for each trace step. */
const FLOW_KINDS: Record<TraceKind, string[]> = {
  alloc: ['acquire'],
  flow: ['assignment'],
  'cpu-write': ['write'],
  page: ['call'],
  'page-add': ['call'],
  submit: ['call', 'taint'],
  complete: ['return'],
  'cpu-read': ['read'],
  maintenance: ['call'],
  convert: ['call', 'taint'],
};

/** 32-bit FNV-1a, hex: enough to tell findings apart, cheap, and stable across runs. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function fixOf(edits: readonly TextEdit[], title: string, opts: SarifOptions): SarifFix {
  const byFile = new Map<string, SarifReplacement[]>();
  for (const e of edits) {
    const list = byFile.get(e.file) ?? [];
    list.push({ deletedRegion: region(e.span), insertedContent: { text: e.newText } });
    byFile.set(e.file, list);
  }
  return {
    description: { text: title },
    artifactChanges: [...byFile.entries()].map(([file, replacements]) => ({ artifactLocation: { uri: pathToUri(file, opts.relativeTo) }, replacements })),
  };
}

function result(f: Finding, opts: SarifOptions): SarifResult {
  const r: SarifResult = {
    ruleId: f.rule,
    ruleIndex: RULE_IDS.indexOf(f.rule),
    level: sarifLevel(f.severity),
    message: { text: f.message },
    locations: [{ ...location(f.file, f.span, opts), logicalLocations: [{ name: f.function, kind: 'function' }] }],
    partialFingerprints: { 'vmaliasFinding/v1': fnv1a([f.rule, f.file, f.function, f.buffer, f.direction].join('\u0000')) },
    properties: {
      buffer: f.buffer,
      ...(f.size !== undefined ? { size: f.size } : {}),
      direction: f.direction,
      kernel: f.kernel,
      confidence: f.confidence,
      ...(f.preexisting !== undefined ? { preexisting: f.preexisting } : {}),
      facts: f.facts,
    },
  };
  if (f.trace.length > 0) {
    r.codeFlows = [{
      message: { text: `How \`${f.buffer}\` reaches the problem` },
      threadFlows: [{
        locations: f.trace.map((t, i) => ({ location: location(t.file, t.span, opts, t.message), kinds: FLOW_KINDS[t.kind], executionOrder: i + 1 })),
      }],
    }];
  }
  const fixes = f.fixes.filter((x) => x.edits.length > 0);
  if (fixes.length > 0) r.fixes = fixes.map((x) => fixOf(x.edits, x.title, opts));
  return r;
}

export function buildSarif(findings: readonly Finding[], toolVersion: string, opts: SarifOptions = {}): SarifLog {
  const rules: SarifReportingDescriptor[] = RULE_LIST.map((ri) => ({
    id: ri.id,
    name: ri.name,
    shortDescription: { text: ri.short },
    fullDescription: { text: ri.full },
    help: { text: `${ri.full} Reported at ${ri.reportedAt}. See ${ruleHelpUri(ri.id, opts.helpBase)}` },
    helpUri: ruleHelpUri(ri.id, opts.helpBase),
    defaultConfiguration: { level: sarifLevel(RULES[ri.id].defaultSeverity) },
    properties: { tags: ri.tags },
  }));
  const driver: SarifRun['tool']['driver'] = {
    name: 'vmalias',
    version: toolVersion,
    informationUri: opts.informationUri ?? (opts.helpBase ?? ruleHelpUri(RULE_IDS[0])).replace(/#.*$/, ''),
    rules,
  };
  if (/^\d+\.\d+\.\d+(?:[-+].*)?$/.test(toolVersion)) driver.semanticVersion = toolVersion;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{ tool: { driver }, columnKind: 'utf16CodeUnits', results: sortFindings(findings).map((f) => result(f, opts)) }],
  };
}

export function formatSarif(findings: readonly Finding[], toolVersion: string, opts: SarifOptions = {}): string {
  return JSON.stringify(buildSarif(findings, toolVersion, opts), null, 2) + '\n';
}
