/**
 * The report formatters: gcc-style text, JSON and SARIF 2.1.0, and the rule documentation they
 * link to. The SARIF checks below encode the required properties and value constraints of the
 * SARIF 2.1.0 schema (OASIS sarif-schema-2.1.0.json) for the objects this writer emits; no
 * network, no schema download.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { analyzeText } from '../../analyzer/analyze';
import {
  buildJsonReport, buildSarif, formatJson, formatRuleList, formatSarif, formatText, pathToUri, RULE_LIST, RULES, RULES_DOC_PATH,
  ruleSection,
} from '../../analyzer/report';
import type { SarifLog } from '../../analyzer/report';
import { RULE_IDS } from '../../analyzer/types';
import type { Finding, RuleId, Severity, Span, TextEdit, TraceStep } from '../../analyzer/types';
import { applyEdits, FIXTURE_DIR, listFixtures, projectRoot, runFixture } from './fixtures-harness';

// ---------------------------------------------------------------------------------------------
// Sample findings over a small text, with spans computed from the text so offsets are honest.

const SAMPLE = [
  'static int f(struct block_device *bdev)',
  '{',
  '\tvoid *buf = vmalloc(4096);',
  '\tmemset(buf, 1, 4096);',
  '\t__bio_add_page(bio, vmalloc_to_page(buf), 4096, 0);',
  '\treturn submit_bio_wait(bio);',
  '}',
  'static struct page *g(void *p)',
  '{',
  '\treturn virt_to_page(p);',
  '}',
  '',
].join('\n');

function spanOf(text: string, needle: string, nth = 0): Span {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `sample lacks ${needle}`);
  const posOf = (off: number): { line: number; column: number } => {
    const before = text.slice(0, off);
    const line = before.split('\n').length;
    return { line, column: off - (before.lastIndexOf('\n') + 1) + 1 };
  };
  return { start: posOf(at), end: posOf(at + needle.length), startOffset: at, endOffset: at + needle.length };
}

function step(kind: TraceStep['kind'], needle: string, message: string, file = 'drivers/foo/foo.c'): TraceStep {
  return { kind, message, file, span: spanOf(SAMPLE, needle) };
}

function mk(rule: RuleId, severity: Severity, needle: string, extra: Partial<Finding> = {}): Finding {
  return {
    rule, severity, file: 'drivers/foo/foo.c', span: spanOf(SAMPLE, needle), message: `${rule}: message`,
    function: 'f', buffer: 'buf', size: '4096', direction: 'write', trace: [], kernel: 'newest', fixes: [],
    confidence: 'high',
    facts: { rule, direction: 'write', sizeBytes: 4096, cpuWroteBefore: true, cpuReadsAfter: false, hasFlush: false, hasInvalidate: false, source: 'vmalloc' },
    ...extra,
  };
}

function flushFinding(): Finding {
  const at = spanOf(SAMPLE, '\treturn submit_bio_wait(bio);');
  const insertAt: Span = { start: at.start, end: at.start, startOffset: at.startOffset, endOffset: at.startOffset };
  const edit: TextEdit = { file: 'drivers/foo/foo.c', span: insertAt, newText: '\tflush_kernel_vmap_range(buf, 4096);\n' };
  return mk('vmap-io-missing-flush', 'warning', 'submit_bio_wait(bio)', {
    message: '`buf` is written by the CPU through its vmalloc alias\nand reaches a write I/O without a flush',
    trace: [
      step('alloc', 'vmalloc(4096)', 'allocated with vmalloc()'),
      step('cpu-write', 'memset(buf, 1, 4096)', 'written by the CPU through the alias'),
      step('page', 'vmalloc_to_page(buf)', 'page of `buf` from vmalloc_to_page()'),
      step('page-add', '__bio_add_page', 'page added to the bio'),
      step('submit', 'submit_bio_wait(bio)', 'submitted as a write'),
    ],
    fixes: [{ title: 'Insert flush_kernel_vmap_range(buf, 4096) before the submission', isPreferred: true, edits: [edit] }],
  });
}

function linearFinding(): Finding {
  const call = spanOf(SAMPLE, 'virt_to_page');
  return mk('vmalloc-linear-map', 'error', 'virt_to_page(p)', {
    function: 'g', buffer: 'p', size: undefined, direction: 'both',
    trace: [step('convert', 'virt_to_page(p)', 'linear-map conversion')],
    fixes: [{ title: 'Use vmalloc_to_page()', isPreferred: true, edits: [{ file: 'drivers/foo/foo.c', span: call, newText: 'vmalloc_to_page' }] }],
  });
}

function infoFinding(): Finding {
  return mk('vmap-io-missing-invalidate', 'info', 'submit_bio_wait(bio)', { file: 'a dir/x#1.c', function: 'h', confidence: 'low' });
}

// ---------------------------------------------------------------------------------------------

describe('formatText', () => {
  // VS Code's built-in $gcc problem matcher pattern (also what most CI annotators use).
  const GCC = /^(.*?):(\d+):(\d*):?\s+(?:fatal\s+)?(warning|error):\s+(.*)$/;

  test('one gcc-style line per finding: file:line:col: severity: message [rule]', () => {
    const out = formatText([linearFinding()]);
    assert.equal(out, 'drivers/foo/foo.c:10:9: error: vmalloc-linear-map: message [vmalloc-linear-map]\n');
    const m = GCC.exec(out.trimEnd());
    assert.ok(m, 'the gcc problem matcher must read the line');
    assert.deepEqual([m[1], m[2], m[3], m[4]], ['drivers/foo/foo.c', '10', '9', 'error']);
  });

  test('sorted by file and position; messages kept on one line', () => {
    const lines = formatText([linearFinding(), flushFinding(), infoFinding()]).trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^a dir\/x#1\.c:6:9: info: /);
    assert.match(lines[1], /^drivers\/foo\/foo\.c:6:9: warning: `buf` is written by the CPU through its vmalloc alias and reaches a write I\/O without a flush \[vmap-io-missing-flush\]$/);
    assert.match(lines[2], /^drivers\/foo\/foo\.c:10:9: error: /);
  });

  test('verbose adds the trace as indented note lines in trace order, then the fixes', () => {
    const f = flushFinding();
    const out = formatText([f], { verbose: true }).trimEnd().split('\n');
    assert.equal(out.length, 1 + f.trace.length + f.fixes.length);
    f.trace.forEach((t, i) => {
      assert.equal(out[i + 1], `    drivers/foo/foo.c:${t.span.start.line}:${t.span.start.column}: note: ${t.message}`);
    });
    assert.equal(out[out.length - 1], '    fix (preferred): Insert flush_kernel_vmap_range(buf, 4096) before the submission');
    assert.ok(!formatText([f]).includes('note:'), 'notes only when verbose');
  });

  test('a finding of a patch review that the patch did not introduce (--all) says so', () => {
    assert.equal(formatText([{ ...linearFinding(), preexisting: true }]), 'drivers/foo/foo.c:10:9: error: vmalloc-linear-map: message (pre-existing) [vmalloc-linear-map]\n');
    assert.equal(formatText([{ ...linearFinding(), preexisting: false }]), 'drivers/foo/foo.c:10:9: error: vmalloc-linear-map: message [vmalloc-linear-map]\n');
  });

  test('relativeTo shortens absolute paths inside the directory only', () => {
    const f = { ...linearFinding(), file: '/src/linux/fs/foo.c' };
    assert.match(formatText([f], { relativeTo: '/src/linux' }), /^fs\/foo\.c:10:9: /);
    assert.match(formatText([f], { relativeTo: '/elsewhere' }), /^\/src\/linux\/fs\/foo\.c:10:9: /);
    assert.equal(formatText([]), '');
  });
});

describe('formatJson', () => {
  test('{"version":1,"findings":[…],"stats":{…}} with every Finding field', () => {
    const input = [linearFinding(), flushFinding(), infoFinding()];
    const parsed = JSON.parse(formatJson(input, { filesScanned: 3, parser: 'wasm' })) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ['version', 'findings', 'stats']);
    assert.equal(parsed.version, 1);
    const findings = parsed.findings as Finding[];
    assert.equal(findings.length, 3);
    // Round trip: each finding comes back with all its fields (order: file, then position).
    const expectOrder = [infoFinding(), flushFinding(), linearFinding()];
    assert.deepEqual(findings, JSON.parse(JSON.stringify(expectOrder)));
    for (const k of ['rule', 'severity', 'file', 'span', 'message', 'function', 'buffer', 'size', 'direction', 'trace', 'kernel', 'fixes', 'facts', 'confidence']) {
      assert.ok(k in findings[1], `finding lacks ${k}`);
    }
  });

  test('stats keep the caller\'s values and add counts that agree with the findings', () => {
    const r = buildJsonReport([linearFinding(), flushFinding(), flushFinding()], { filesScanned: 2, findings: 99 });
    assert.equal(r.stats.filesScanned, 2);
    assert.equal(r.stats.findings, 3);
    assert.equal(r.stats.byRule['vmap-io-missing-flush'], 2);
    assert.equal(r.stats.byRule['vmalloc-linear-map'], 1);
    assert.equal(r.stats.byRule['vmap-blk-rq-map-kern'], 0);
    assert.deepEqual(r.stats.bySeverity, { error: 1, warning: 2, info: 0 });
    assert.deepEqual(Object.keys(r.stats.byRule), [...RULE_IDS]);
  });
});

// ---------------------------------------------------------------------------------------------
// SARIF 2.1.0 structural validation (required properties and constraints of the schema).

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const LEVELS = new Set(['none', 'note', 'warning', 'error']);
const TF_KINDS = new Set(['acquire', 'release', 'enter', 'exit', 'call', 'return', 'branch', 'implicit', 'false', 'true',
  'caution', 'danger', 'unknown', 'unreachable', 'taint', 'function', 'handler', 'lock', 'unlock', 'wait', 'read', 'write',
  'assignment', 'usage', 'sink', 'source', 'sanitizer', 'initialize', 'free', 'exception']);

function isUriReference(s: unknown): boolean {
  return typeof s === 'string' && s.length > 0 && !/[\s\\<>"{}|^`]/.test(s) && !/%(?![0-9A-Fa-f]{2})/.test(s);
}
function isAbsoluteUri(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  try {
    return new URL(s).protocol.length > 1;
  } catch {
    return false;
  }
}

export function validateSarif(log: unknown): string[] {
  const errs: string[] = [];
  const need = (o: J, k: string, where: string): boolean => {
    if (!(k in o) || o[k] === undefined) {
      errs.push(`${where}: missing required "${k}"`);
      return false;
    }
    return true;
  };
  const int = (v: unknown, min: number, where: string): void => {
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < min)) errs.push(`${where}: ${String(v)} is not an integer ≥ ${min}`);
  };
  const message = (m: unknown, where: string): void => {
    if (!isObj(m)) return void errs.push(`${where}: message is not an object`);
    if (typeof m.text !== 'string' && typeof m.id !== 'string') errs.push(`${where}: message needs text or id`);
  };
  const mfString = (m: unknown, where: string): void => {
    if (m === undefined) return;
    if (!isObj(m) || typeof m.text !== 'string' || m.text.length === 0) errs.push(`${where}: multiformatMessageString needs non-empty text`);
  };
  const regionCheck = (r: unknown, where: string): void => {
    if (!isObj(r)) return void errs.push(`${where}: region is not an object`);
    if (r.startLine === undefined && r.charOffset === undefined && r.byteOffset === undefined) errs.push(`${where}: region needs startLine, charOffset or byteOffset`);
    int(r.startLine, 1, `${where}.startLine`);
    int(r.startColumn, 1, `${where}.startColumn`);
    int(r.endLine, 1, `${where}.endLine`);
    int(r.endColumn, 1, `${where}.endColumn`);
    int(r.charOffset, -1, `${where}.charOffset`);
    int(r.charLength, 0, `${where}.charLength`);
    if (typeof r.startLine === 'number' && typeof r.endLine === 'number') {
      if (r.endLine < r.startLine) errs.push(`${where}: endLine before startLine`);
      else if (r.endLine === r.startLine && typeof r.startColumn === 'number' && typeof r.endColumn === 'number' && r.endColumn < r.startColumn) {
        errs.push(`${where}: endColumn before startColumn`);
      }
    }
  };
  const artifactLocation = (a: unknown, where: string): void => {
    if (!isObj(a)) return void errs.push(`${where}: artifactLocation is not an object`);
    if (a.uri !== undefined && !isUriReference(a.uri)) errs.push(`${where}: uri ${JSON.stringify(a.uri)} is not a valid URI reference`);
  };
  const locationCheck = (l: unknown, where: string): void => {
    if (!isObj(l)) return void errs.push(`${where}: location is not an object`);
    if (l.message !== undefined) message(l.message, `${where}.message`);
    if (l.physicalLocation !== undefined) {
      const p = l.physicalLocation;
      if (!isObj(p)) return void errs.push(`${where}.physicalLocation is not an object`);
      if (p.artifactLocation === undefined && p.address === undefined) errs.push(`${where}.physicalLocation needs artifactLocation or address`);
      if (p.artifactLocation !== undefined) artifactLocation(p.artifactLocation, `${where}.physicalLocation.artifactLocation`);
      if (p.region !== undefined) regionCheck(p.region, `${where}.physicalLocation.region`);
    }
  };

  if (!isObj(log)) return ['log is not an object'];
  if (log.version !== '2.1.0') errs.push('sarifLog.version must be "2.1.0"');
  if (!Array.isArray(log.runs)) return [...errs, 'sarifLog.runs must be an array'];
  log.runs.forEach((run: unknown, ri: number) => {
    const rw = `runs[${ri}]`;
    if (!isObj(run)) return void errs.push(`${rw} is not an object`);
    if (!need(run, 'tool', rw)) return;
    const tool = run.tool as J;
    if (!isObj(tool) || !need(tool, 'driver', `${rw}.tool`)) return;
    const driver = tool.driver as J;
    if (!isObj(driver)) return void errs.push(`${rw}.tool.driver is not an object`);
    need(driver, 'name', `${rw}.tool.driver`);
    const rules = (Array.isArray(driver.rules) ? driver.rules : []) as J[];
    const ids = new Set<string>();
    rules.forEach((r, i) => {
      const w = `${rw}.tool.driver.rules[${i}]`;
      if (!isObj(r) || !need(r, 'id', w)) return;
      if (ids.has(r.id as string)) errs.push(`${w}: duplicate id ${String(r.id)}`);
      ids.add(r.id as string);
      mfString(r.shortDescription, `${w}.shortDescription`);
      mfString(r.fullDescription, `${w}.fullDescription`);
      mfString(r.help, `${w}.help`);
      if (r.helpUri !== undefined && !isAbsoluteUri(r.helpUri)) errs.push(`${w}: helpUri is not an absolute URI`);
      if (isObj(r.defaultConfiguration) && r.defaultConfiguration.level !== undefined && !LEVELS.has(r.defaultConfiguration.level as string)) {
        errs.push(`${w}: bad defaultConfiguration.level`);
      }
    });
    if (run.columnKind !== undefined && run.columnKind !== 'utf16CodeUnits' && run.columnKind !== 'unicodeCodePoints') errs.push(`${rw}: bad columnKind`);
    const results = run.results;
    if (results === undefined) return;
    if (!Array.isArray(results)) return void errs.push(`${rw}.results must be an array`);
    results.forEach((res: unknown, i: number) => {
      const w = `${rw}.results[${i}]`;
      if (!isObj(res)) return void errs.push(`${w} is not an object`);
      if (need(res, 'message', w)) message(res.message, `${w}.message`);
      if (res.level !== undefined && !LEVELS.has(res.level as string)) errs.push(`${w}: bad level ${String(res.level)}`);
      int(res.ruleIndex, -1, `${w}.ruleIndex`);
      if (typeof res.ruleIndex === 'number' && res.ruleIndex >= 0) {
        const r = rules[res.ruleIndex];
        if (!r || r.id !== res.ruleId) errs.push(`${w}: ruleIndex ${res.ruleIndex} does not point at rule ${String(res.ruleId)}`);
      }
      if (res.locations !== undefined) {
        if (!Array.isArray(res.locations)) errs.push(`${w}.locations must be an array`);
        else res.locations.forEach((l: unknown, k: number) => locationCheck(l, `${w}.locations[${k}]`));
      }
      if (res.partialFingerprints !== undefined) {
        if (!isObj(res.partialFingerprints) || Object.values(res.partialFingerprints).some((v) => typeof v !== 'string')) errs.push(`${w}: partialFingerprints must map to strings`);
      }
      if (res.codeFlows !== undefined) {
        if (!Array.isArray(res.codeFlows) || res.codeFlows.length === 0) errs.push(`${w}.codeFlows must be a non-empty array`);
        else res.codeFlows.forEach((cf: unknown, c: number) => {
          const cw = `${w}.codeFlows[${c}]`;
          if (!isObj(cf) || !need(cf, 'threadFlows', cw)) return;
          if (!Array.isArray(cf.threadFlows) || cf.threadFlows.length === 0) return void errs.push(`${cw}.threadFlows needs at least one item`);
          cf.threadFlows.forEach((tf: unknown, t: number) => {
            const tw = `${cw}.threadFlows[${t}]`;
            if (!isObj(tf) || !need(tf, 'locations', tw)) return;
            if (!Array.isArray(tf.locations) || tf.locations.length === 0) return void errs.push(`${tw}.locations needs at least one item`);
            tf.locations.forEach((tl: unknown, k: number) => {
              const lw = `${tw}.locations[${k}]`;
              if (!isObj(tl)) return void errs.push(`${lw} is not an object`);
              int(tl.executionOrder, -1, `${lw}.executionOrder`);
              if (tl.kinds !== undefined) {
                if (!Array.isArray(tl.kinds) || new Set(tl.kinds).size !== tl.kinds.length) errs.push(`${lw}.kinds must be unique strings`);
                else for (const kd of tl.kinds) if (!TF_KINDS.has(kd as string)) errs.push(`${lw}: kind ${String(kd)} not in the SARIF vocabulary`);
              }
              if (tl.location !== undefined) locationCheck(tl.location, `${lw}.location`);
            });
          });
        });
      }
      if (res.fixes !== undefined) {
        if (!Array.isArray(res.fixes)) return void errs.push(`${w}.fixes must be an array`);
        res.fixes.forEach((fx: unknown, k: number) => {
          const fw = `${w}.fixes[${k}]`;
          if (!isObj(fx) || !need(fx, 'artifactChanges', fw)) return;
          if (fx.description !== undefined) message(fx.description, `${fw}.description`);
          if (!Array.isArray(fx.artifactChanges) || fx.artifactChanges.length === 0) return void errs.push(`${fw}.artifactChanges needs at least one item`);
          fx.artifactChanges.forEach((ac: unknown, a: number) => {
            const aw = `${fw}.artifactChanges[${a}]`;
            if (!isObj(ac)) return void errs.push(`${aw} is not an object`);
            if (need(ac, 'artifactLocation', aw)) artifactLocation(ac.artifactLocation, `${aw}.artifactLocation`);
            if (!need(ac, 'replacements', aw)) return;
            if (!Array.isArray(ac.replacements) || ac.replacements.length === 0) return void errs.push(`${aw}.replacements needs at least one item`);
            ac.replacements.forEach((rp: unknown, p: number) => {
              const pw = `${aw}.replacements[${p}]`;
              if (!isObj(rp)) return void errs.push(`${pw} is not an object`);
              if (need(rp, 'deletedRegion', pw)) regionCheck(rp.deletedRegion, `${pw}.deletedRegion`);
              if (rp.insertedContent !== undefined) {
                const ic = rp.insertedContent;
                if (!isObj(ic) || (ic.text === undefined && ic.binary === undefined && ic.rendered === undefined)) errs.push(`${pw}.insertedContent needs text, binary or rendered`);
              }
            });
          });
        });
      }
    });
  });
  return errs;
}

/** Apply a SARIF fix's replacements (charOffset/charLength) to a text. */
function applySarifFix(text: string, fix: { artifactChanges: { replacements: { deletedRegion: { charOffset: number; charLength: number }; insertedContent: { text: string } }[] }[] }): string {
  const reps = fix.artifactChanges.flatMap((a) => a.replacements).sort((x, y) => y.deletedRegion.charOffset - x.deletedRegion.charOffset);
  let out = text;
  for (const r of reps) out = out.slice(0, r.deletedRegion.charOffset) + r.insertedContent.text + out.slice(r.deletedRegion.charOffset + r.deletedRegion.charLength);
  return out;
}

describe('formatSarif', () => {
  const findings = [flushFinding(), linearFinding(), infoFinding()];
  const log = JSON.parse(formatSarif(findings, '0.1.0')) as SarifLog;

  test('the output satisfies the SARIF 2.1.0 required properties', () => {
    assert.deepEqual(validateSarif(log), []);
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
  });

  test('the validator rejects logs that break the schema', () => {
    const broken = (mutate: (l: J) => void): string[] => {
      const l = JSON.parse(JSON.stringify(log)) as J;
      mutate(l);
      return validateSarif(l);
    };
    const run = (l: J): J => (l.runs as J[])[0];
    const res = (l: J): J => (run(l).results as J[]).find((r) => r.ruleId === 'vmap-io-missing-flush') as J;
    assert.ok(broken((l) => { l.version = '2.0.0'; }).length > 0);
    assert.ok(broken((l) => { delete ((run(l).tool as J).driver as J).name; }).some((e) => /"name"/.test(e)));
    assert.ok(broken((l) => { delete res(l).message; }).some((e) => /"message"/.test(e)));
    assert.ok(broken((l) => { res(l).level = 'fatal'; }).some((e) => /bad level/.test(e)));
    assert.ok(broken((l) => { res(l).ruleIndex = 3; }).some((e) => /ruleIndex/.test(e)));
    assert.ok(broken((l) => { (res(l).locations as J[])[0] = { physicalLocation: { artifactLocation: { uri: 'a b.c' }, region: { startLine: 0 } } }; }).length >= 2);
    assert.ok(broken((l) => { ((res(l).codeFlows as J[])[0].threadFlows as J[])[0].locations = []; }).some((e) => /at least one/.test(e)));
    assert.ok(broken((l) => { delete ((((res(l).fixes as J[])[0].artifactChanges as J[])[0].replacements as J[])[0]).deletedRegion; }).some((e) => /deletedRegion/.test(e)));
  });

  test('tool.driver.rules: every rule with helpUri and full description, in ruleIndex order', () => {
    const driver = log.runs[0].tool.driver;
    assert.equal(driver.name, 'vmalias');
    assert.equal(driver.version, '0.1.0');
    assert.equal(driver.semanticVersion, '0.1.0');
    assert.deepEqual(driver.rules.map((r) => r.id), [...RULE_IDS]);
    for (const r of driver.rules) {
      assert.ok(r.helpUri.endsWith(`#${r.id}`), r.helpUri);
      assert.ok(r.fullDescription.text.length > 80, `${r.id}: full description too short`);
      assert.equal(r.defaultConfiguration.level, RULES[r.id as RuleId].defaultSeverity === 'info' ? 'note' : RULES[r.id as RuleId].defaultSeverity);
    }
  });

  test('results: rule, level, message and the primary location from the finding', () => {
    const results = log.runs[0].results;
    assert.equal(results.length, 3);
    const byRule = new Map(results.map((r) => [r.ruleId, r]));
    const lin = byRule.get('vmalloc-linear-map');
    assert.ok(lin);
    assert.equal(lin.level, 'error');
    assert.equal(lin.ruleIndex, RULE_IDS.indexOf('vmalloc-linear-map'));
    const f = linearFinding();
    assert.deepEqual(lin.locations[0].physicalLocation.region, {
      startLine: f.span.start.line, startColumn: f.span.start.column, endLine: f.span.end.line, endColumn: f.span.end.column,
      charOffset: f.span.startOffset, charLength: f.span.endOffset - f.span.startOffset,
    });
    assert.deepEqual(lin.locations[0].logicalLocations, [{ name: 'g', kind: 'function' }]);
    assert.equal(byRule.get('vmap-io-missing-invalidate')?.level, 'note', 'info severity is SARIF note');
    assert.equal(byRule.get('vmap-io-missing-invalidate')?.locations[0].physicalLocation.artifactLocation.uri, 'a%20dir/x%231.c');
    assert.equal(byRule.get('vmap-io-missing-invalidate')?.codeFlows, undefined, 'no codeFlows without a trace');
  });

  test('codeFlows: one threadFlow with the trace steps in order, with their messages', () => {
    const f = flushFinding();
    const r = log.runs[0].results.find((x) => x.ruleId === 'vmap-io-missing-flush');
    assert.ok(r?.codeFlows);
    const locs = r.codeFlows[0].threadFlows[0].locations;
    assert.deepEqual(locs.map((l) => l.location.message?.text), f.trace.map((t) => t.message));
    assert.deepEqual(locs.map((l) => l.location.physicalLocation.region.startLine), f.trace.map((t) => t.span.start.line));
    assert.deepEqual(locs.map((l) => l.executionOrder), f.trace.map((_, i) => i + 1));
  });

  test('fixes: replacements that produce the same text as the finding\'s edits', () => {
    for (const f of [flushFinding(), linearFinding()]) {
      const r = log.runs[0].results.find((x) => x.ruleId === f.rule);
      assert.ok(r?.fixes && r.fixes.length === 1);
      assert.equal(r.fixes[0].description.text, f.fixes[0].title);
      assert.equal(applySarifFix(SAMPLE, r.fixes[0]), applyEdits(SAMPLE, f.fixes[0].edits));
    }
  });

  test('fingerprints are stable when lines move and differ between findings', () => {
    const a = buildSarif([flushFinding()], '1').runs[0].results[0].partialFingerprints;
    const moved = flushFinding();
    moved.span = spanOf(SAMPLE, 'return submit_bio_wait');
    const b = buildSarif([moved], '1').runs[0].results[0].partialFingerprints;
    const c = buildSarif([linearFinding()], '1').runs[0].results[0].partialFingerprints;
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test('pathToUri makes valid URI references', () => {
    assert.equal(pathToUri('fs/xfs/xfs_buf.c'), 'fs/xfs/xfs_buf.c');
    assert.equal(pathToUri('./a b/c#d?.c'), 'a%20b/c%23d%3F.c');
    assert.equal(pathToUri('/src/linux/fs/a.c'), 'file:///src/linux/fs/a.c');
    assert.equal(pathToUri('/src/linux/fs/a.c', '/src/linux'), 'fs/a.c');
    assert.equal(pathToUri('C:\\linux\\fs\\a.c'), 'file:///C:/linux/fs/a.c');
    assert.equal(pathToUri('drivers/ünï.c'), 'drivers/%C3%BCn%C3%AF.c');
  });

  test('real analyzer findings (a fixture) give a valid SARIF log with a code flow per finding', async () => {
    const file = 'write_vmalloc_no_flush.c';
    const text = fs.readFileSync(path.join(FIXTURE_DIR, file), 'utf8');
    const r = await analyzeText(text, `test/fixtures/c/${file}`);
    assert.ok(r.findings.length > 0, 'the fixture should have a finding');
    const real = buildSarif(r.findings, '0.1.0');
    assert.deepEqual(validateSarif(JSON.parse(JSON.stringify(real))), []);
    real.runs[0].results.forEach((res, i) => {
      assert.equal(res.codeFlows?.[0].threadFlows[0].locations.length, r.findings[i].trace.length);
    });
  });
});

describe('formats on arbitrary findings (property)', () => {
  const pos = fc.record({ line: fc.integer({ min: 1, max: 5000 }), column: fc.integer({ min: 1, max: 300 }) });
  const spanArb = fc.tuple(pos, fc.nat({ max: 3 }), fc.nat({ max: 40 }), fc.nat({ max: 200000 })).map(([start, dl, dc, off]): Span => ({
    start, end: { line: start.line + dl, column: dl === 0 ? start.column + dc : 1 + dc }, startOffset: off, endOffset: off + dl * 80 + dc,
  }));
  const text = fc.string({ unit: 'binary', maxLength: 60 });
  const fileArb = fc.array(fc.stringMatching(/^[\w .#%é-]{1,8}$/), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/') + '.c');
  const findingArb = fc.record({
    rule: fc.constantFrom(...RULE_IDS), severity: fc.constantFrom<Severity>('error', 'warning', 'info'), file: fileArb, span: spanArb,
    message: text.map((m) => (m.length > 0 ? m : 'x')), trace: fc.array(fc.record({ kind: fc.constantFrom<TraceStep['kind']>('alloc', 'flow', 'cpu-write', 'page', 'page-add', 'submit', 'complete', 'cpu-read', 'maintenance', 'convert'), message: text, span: spanArb }), { maxLength: 5 }),
    fixes: fc.array(fc.record({ title: text, edits: fc.array(fc.record({ span: spanArb, newText: text }), { maxLength: 2 }) }), { maxLength: 2 }),
  }).map((r): Finding => ({
    ...mk(r.rule, r.severity, 'submit_bio_wait(bio)'), file: r.file, span: r.span, message: r.message,
    trace: r.trace.map((t) => ({ ...t, file: r.file })),
    fixes: r.fixes.map((x, i) => ({ title: x.title, isPreferred: i === 0, edits: x.edits.map((e) => ({ ...e, file: r.file })) })),
  }));

  test('text: one gcc line per finding (plus trace and fix lines when verbose); JSON round-trips; SARIF validates', () => {
    fc.assert(fc.property(fc.array(findingArb, { maxLength: 6 }), (findings) => {
      const lines = formatText(findings).split('\n').slice(0, -1);
      assert.equal(lines.length, findings.length);
      for (const l of lines) assert.match(l, /^.+:\d+:\d+: (error|warning|info): .* \[[a-z-]+\]$/);
      const verbose = formatText(findings, { verbose: true }).split('\n').slice(0, -1);
      assert.equal(verbose.length, findings.reduce((n, f) => n + 1 + f.trace.length + f.fixes.length, 0));

      const json = JSON.parse(formatJson(findings)) as { findings: Finding[] };
      assert.deepEqual(json.findings.map((f) => JSON.stringify(f)).sort(), findings.map((f) => JSON.stringify(f)).sort());

      const log = JSON.parse(formatSarif(findings, '1.2.3')) as SarifLog;
      assert.deepEqual(validateSarif(log), []);
      assert.equal(log.runs[0].results.length, findings.length);
    }), { numRuns: 150 });
  });
});

describe('all formats over the whole fixture corpus', () => {
  test('text, JSON and SARIF agree on every finding the analyzer produces', async () => {
    const all: Finding[] = [];
    for (const f of listFixtures()) all.push(...(await runFixture(f)).findings);
    assert.ok(all.length >= 50, `only ${all.length} findings in the corpus`);

    const text = formatText(all).trimEnd().split('\n');
    assert.equal(text.length, all.length);
    for (const l of text) assert.match(l, /^[^:]+:\d+:\d+: (error|warning|info): .+ \[[a-z-]+\]$/);

    const json = JSON.parse(formatJson(all, { files: listFixtures().length })) as { findings: Finding[] };
    assert.equal(json.findings.length, all.length);
    assert.deepEqual(new Set(json.findings.map((f) => JSON.stringify(f))), new Set(all.map((f) => JSON.stringify(f))));

    const sarif = JSON.parse(formatSarif(all, '0.1.0')) as SarifLog;
    assert.deepEqual(validateSarif(sarif), []);
    const results = sarif.runs[0].results;
    assert.equal(results.length, all.length);
    const withTrace = all.filter((f) => f.trace.length > 0).length;
    assert.equal(results.filter((r) => r.codeFlows).length, withTrace);
    const withFix = all.filter((f) => f.fixes.some((x) => x.edits.length > 0)).length;
    assert.equal(results.filter((r) => r.fixes).length, withFix);
  });
});

describe('docs/rules.md', () => {
  const doc = fs.readFileSync(path.join(projectRoot(), RULES_DOC_PATH), 'utf8');

  test('one section per rule, headed by the rule id (the helpUri anchor)', () => {
    const headings = doc.split('\n').filter((l) => l.startsWith('## ')).map((l) => l.slice(3).trim());
    for (const r of RULE_LIST) assert.ok(headings.includes(r.id), `no "## ${r.id}" section`);
  });

  test('each section says what, why, the kernel facts with sources, an example and the fix', () => {
    const sections = doc.split(/^## /m).slice(1);
    for (const r of RULE_LIST) {
      const s = sections.find((x) => x.startsWith(`${r.id}\n`));
      assert.ok(s, r.id);
      for (const h of ['### What', '### Why', '### Kernel facts', '### Example', '### Fix']) assert.ok(s.includes(h), `${r.id}: no "${h}"`);
      assert.match(s, /```c\n/, `${r.id}: no C example`);
      assert.match(s, /\[src\]|\[doc\]/, `${r.id}: kernel facts without a source marker`);
    }
  });

  test('ruleSection cuts one rule\'s section out of the document', () => {
    for (const r of RULE_LIST) {
      const sec = ruleSection(doc, r.id);
      assert.ok(sec, r.id);
      assert.ok(sec.startsWith(`## ${r.id}\n`));
      assert.ok(sec.includes('### Fix'));
      for (const other of RULE_LIST) if (other.id !== r.id) assert.ok(!sec.includes(`## ${other.id}\n`), `${r.id} section runs into ${other.id}`);
    }
    assert.equal(ruleSection('# x\n', 'vmalloc-linear-map'), undefined);
  });

  test('formatRuleList: one line per rule with its default severity', () => {
    const lines = formatRuleList().trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.split(/\s+/)[0]), [...RULE_IDS]);
    assert.match(lines[RULE_IDS.indexOf('vmalloc-linear-map')], /^vmalloc-linear-map +error +A vmalloc address/);
  });
});
