/**
 * The expectation harness for the C fixture corpus (test/fixtures/c).
 *
 * A fixture states what the analyzer must report with trailing comments on the exact line of each
 * finding: `/* expect: RULE-ID *\/` or `/* expect: a, b *\/`. Every other line must have no
 * finding, so a file without annotations is a true negative. A first-line comment
 * `/* kernel: X.Y[.Z] *\/` pins the kernel version the file is analysed for; a comment
 * `/* options: extraAllocators=a,b; extraSinks=c *\/` on line 1 or 2 sets the user-configured
 * names of AnalyzeOptions.
 *
 * The comparison is on {line, rule} pairs, exactly: a missing finding, an extra one, or the same
 * finding reported twice (one root cause must give one finding) all fail, with a diff that shows
 * the source line so the failure reads without opening the file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { analyzeText } from '../../analyzer/analyze';
import type { Backend } from '../../analyzer/parse/backends';
import { damage, prng } from './prng';
import { RULE_IDS } from '../../analyzer/types';
import type { AnalyzeOptions, Finding, KernelVersion, RuleId, TextEdit } from '../../analyzer/types';

/** The project root: the nearest directory above this file with a package.json (works from out/). */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test', 'fixtures'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`fixtures-harness: no project root above ${__dirname}`);
    dir = up;
  }
}

export const FIXTURE_DIR = path.join(projectRoot(), 'test', 'fixtures', 'c');
export const BAD_DIR = path.join(projectRoot(), 'test', 'fixtures', 'bad');

/** Fixture file names (not paths), sorted so test order is stable. */
export function listFixtures(dir: string = FIXTURE_DIR): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.c') || f.endsWith('.h')).sort();
}

/**
 * `count` damaged fixture texts (prng.ts damage()): the corpus in turn, over and over, all damaged
 * by one generator seeded with `seed`, so every run sees the same texts and a failing case replays.
 */
export function* damagedFixtures(count: number, seed: number): Generator<{ i: number; name: string; text: string }> {
  const rnd = prng(seed);
  const files = listFixtures();
  for (let i = 0; i < count; i++) {
    const name = files[i % files.length];
    yield { i, name, text: damage(fs.readFileSync(path.join(FIXTURE_DIR, name), 'utf8'), rnd) };
  }
}

export interface Expectation {
  /** 1-based */
  line: number;
  rule: RuleId;
}

export interface FixtureSpec {
  expectations: Expectation[];
  kernel?: KernelVersion;
  extraAllocators?: string[];
  extraSinks?: string[];
  /** Malformed annotations (unknown rule id, bad kernel pin): a fixture bug, reported as a failure. */
  problems: string[];
}

const EXPECT_RE = /\/\*\s*expect:\s*([^*]*?)\s*\*\//g;
const KERNEL_RE = /^\s*\/\*\s*kernel:\s*([^*]*?)\s*\*\/\s*$/;
const OPTIONS_RE = /^\s*\/\*\s*options:\s*([^*]*?)\s*\*\/\s*$/;
const RULES = new Set<string>(RULE_IDS);

export function parseKernelVersion(s: string): KernelVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(s.trim());
  if (!m) return undefined;
  const v: KernelVersion = { major: Number(m[1]), minor: Number(m[2]) };
  if (m[3] !== undefined) v.patch = Number(m[3]);
  return v;
}

/** Read the annotations of one fixture text. */
export function parseFixture(text: string): FixtureSpec {
  const spec: FixtureSpec = { expectations: [], problems: [] };
  const lines = text.split(/\r\n|\r|\n/);
  const first = KERNEL_RE.exec(lines[0] ?? '');
  if (first) {
    const v = parseKernelVersion(first[1]);
    if (v) spec.kernel = v;
    else spec.problems.push(`line 1: bad kernel pin "${first[1]}"`);
  }
  for (const i of [0, 1]) {
    const m = OPTIONS_RE.exec(lines[i] ?? '');
    if (!m) continue;
    for (const part of m[1].split(';').map((x) => x.trim()).filter((x) => x.length > 0)) {
      const kv = /^(extraAllocators|extraSinks)\s*=\s*([\w\s,]+)$/.exec(part);
      if (!kv) {
        spec.problems.push(`line ${i + 1}: bad option "${part}"`);
        continue;
      }
      const names = kv[2].split(',').map((x) => x.trim()).filter((x) => x.length > 0);
      if (kv[1] === 'extraAllocators') spec.extraAllocators = names;
      else spec.extraSinks = names;
    }
  }
  lines.forEach((src, i) => {
    for (const m of src.matchAll(EXPECT_RE)) {
      const ids = m[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      if (ids.length === 0) spec.problems.push(`line ${i + 1}: empty expect annotation`);
      for (const id of ids) {
        if (!RULES.has(id)) {
          spec.problems.push(`line ${i + 1}: unknown rule id "${id}"`);
          continue;
        }
        if (spec.expectations.some((e) => e.line === i + 1 && e.rule === id)) {
          spec.problems.push(`line ${i + 1}: "${id}" listed twice`);
          continue;
        }
        spec.expectations.push({ line: i + 1, rule: id as RuleId });
      }
    }
  });
  return spec;
}

export interface Unexpected extends Expectation {
  message: string;
  /** How many times this {line, rule} was reported (> 1 is a duplicate even when expected). */
  count: number;
}

export interface Comparison {
  missing: Expectation[];
  unexpected: Unexpected[];
  /** Expected pairs that were reported more than once. */
  duplicated: Unexpected[];
  ok: boolean;
}

const key = (line: number, rule: string): string => `${line}\u0000${rule}`;

/** Compare expectations with findings on exact {line, rule} pairs. */
export function compareFindings(expected: readonly Expectation[], findings: readonly Finding[]): Comparison {
  const want = new Set(expected.map((e) => key(e.line, e.rule)));
  const got = new Map<string, Unexpected>();
  for (const f of findings) {
    const k = key(f.span.start.line, f.rule);
    const seen = got.get(k);
    if (seen) seen.count++;
    else got.set(k, { line: f.span.start.line, rule: f.rule, message: f.message, count: 1 });
  }
  const missing = expected.filter((e) => !got.has(key(e.line, e.rule)));
  const unexpected = [...got.entries()].filter(([k]) => !want.has(k)).map(([, u]) => u);
  const duplicated = [...got.entries()].filter(([k, u]) => want.has(k) && u.count > 1).map(([, u]) => u);
  const byLine = (a: Expectation, b: Expectation): number => a.line - b.line || a.rule.localeCompare(b.rule);
  missing.sort(byLine);
  unexpected.sort(byLine);
  duplicated.sort(byLine);
  return { missing, unexpected, duplicated, ok: missing.length === 0 && unexpected.length === 0 && duplicated.length === 0 };
}

/** A readable diff: one line per discrepancy, with the fixture's source line. */
export function formatComparison(file: string, text: string, c: Comparison): string {
  if (c.ok) return `${file}: ok`;
  const lines = text.split(/\r\n|\r|\n/);
  const src = (n: number): string => (lines[n - 1] ?? '').trim().replace(/\s*\/\*\s*expect:[^*]*\*\/\s*$/, '');
  const out = [`${file}: findings differ from the /* expect: */ annotations`];
  for (const m of c.missing) out.push(`  - missing    ${file}:${m.line}  ${m.rule}\n               | ${src(m.line)}`);
  for (const u of c.unexpected) {
    const times = u.count > 1 ? ` (×${u.count})` : '';
    out.push(`  + unexpected ${file}:${u.line}  ${u.rule}${times}: ${u.message}\n               | ${src(u.line)}`);
  }
  for (const d of c.duplicated) out.push(`  × duplicate  ${file}:${d.line}  ${d.rule} reported ${d.count} times (one root cause, one finding)\n               | ${src(d.line)}`);
  return out.join('\n');
}

export interface FixtureRun {
  file: string;
  /** Path passed to the analyzer, relative to the project root (stable in messages). */
  relPath: string;
  text: string;
  spec: FixtureSpec;
  findings: Finding[];
  comparison: Comparison;
}

export function fixtureOptions(spec: FixtureSpec, backend?: Backend): AnalyzeOptions & { backend?: Backend } {
  const opts: AnalyzeOptions & { backend?: Backend } = {};
  if (spec.kernel) opts.kernel = spec.kernel;
  if (spec.extraAllocators) opts.extraAllocators = spec.extraAllocators;
  if (spec.extraSinks) opts.extraSinks = spec.extraSinks;
  if (backend) opts.backend = backend;
  return opts;
}

/** Analyse one fixture and compare it with its annotations. */
export async function runFixture(file: string, backend?: Backend, dir: string = FIXTURE_DIR): Promise<FixtureRun> {
  const abs = path.join(dir, file);
  const text = fs.readFileSync(abs, 'utf8');
  const spec = parseFixture(text);
  const relPath = path.relative(projectRoot(), abs).split(path.sep).join('/');
  const result = await analyzeText(text, relPath, fixtureOptions(spec, backend));
  return { file, relPath, text, spec, findings: result.findings, comparison: compareFindings(spec.expectations, result.findings) };
}

/**
 * Apply text edits (0-based UTF-16 offsets) to a text. Edits must not overlap; two insertions at
 * the same offset keep their given order.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.span.startOffset - b.e.span.startOffset || a.i - b.i);
  let out = '';
  let pos = 0;
  for (const { e } of sorted) {
    const { startOffset, endOffset } = e.span;
    if (startOffset < pos || endOffset < startOffset || endOffset > text.length) {
      throw new Error(`applyEdits: bad or overlapping edit [${startOffset}, ${endOffset}) at position ${pos} of ${text.length}`);
    }
    out += text.slice(pos, startOffset) + e.newText;
    pos = endOffset;
  }
  return out + text.slice(pos);
}

/**
 * Where an offset of the original text lands after the edits: edits ending at or before it
 * (including an insertion exactly at it) shift it; an edit replacing text around it moves it to
 * the start of the replacement.
 */
export function mapOffset(offset: number, edits: readonly TextEdit[]): number {
  let delta = 0;
  let clampTo: number | undefined;
  for (const e of edits) {
    const { startOffset: s, endOffset: t } = e.span;
    if (t <= offset) delta += e.newText.length - (t - s);
    else if (s < offset) clampTo = s;
  }
  return (clampTo ?? offset) + delta;
}

/** 1-based line of a 0-based offset. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
