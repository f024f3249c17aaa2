/**
 * gcc-style text output: `file:line:col: severity: message [rule]`, one line per finding, so the
 * problem matchers of editors and CI systems read it. With `verbose`, the trace follows as indented
 * `file:line:col: note: …` lines (indented so that matchers do not take them for findings), then
 * the offered fixes.
 */
import * as path from 'path';
import type { Finding, Span } from '../types';
import { sortFindings } from './order';

export interface TextOptions {
  /** Print the trace (allocation → flow → submission) and the fixes under each finding. */
  verbose?: boolean;
  /** Print paths relative to this directory (absolute paths outside it stay absolute). */
  relativeTo?: string;
}

/** One line of output: line breaks (U+2028/U+2029 too, which editors and regexes treat as such) become a space. */
function oneLine(s: string): string {
  return s.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').trim();
}

function displayPath(file: string, relativeTo: string | undefined): string {
  if (!relativeTo || !path.isAbsolute(file)) return file;
  const rel = path.relative(relativeTo, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

function pos(file: string, span: Span): string {
  return `${file}:${span.start.line}:${span.start.column}`;
}

export function formatFinding(f: Finding, opts: TextOptions = {}): string {
  const file = displayPath(f.file, opts.relativeTo);
  // patch review with --all: say which findings the patch did not introduce, as the mailback lines do
  const pre = f.preexisting ? ' (pre-existing)' : '';
  const lines = [`${pos(file, f.span)}: ${f.severity}: ${oneLine(f.message)}${pre} [${f.rule}]`];
  if (opts.verbose) {
    for (const t of f.trace) lines.push(`    ${pos(displayPath(t.file, opts.relativeTo), t.span)}: note: ${oneLine(t.message)}`);
    for (const fix of f.fixes) lines.push(`    fix${fix.isPreferred ? ' (preferred)' : ''}: ${oneLine(fix.title)}`);
  }
  return lines.join('\n');
}

/** All findings, sorted by file and position; '' when there are none. */
export function formatText(findings: readonly Finding[], opts: TextOptions = {}): string {
  const sorted = sortFindings(findings);
  return sorted.map((f) => formatFinding(f, opts) + '\n').join('');
}
