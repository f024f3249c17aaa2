/**
 * The per-function analysis memo (analyzer/engine/memo.ts) must never change a result: after any
 * sequence of edits, analysing with the memo carried across them gives exactly what a fresh
 * analysis gives (findings with traces and fixes, summaries, notes). And it must actually reuse:
 * an edit re-analyses the edited function and those whose inputs changed, not the file.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeTree, AnalysisMemo, getBackend } from '../../analyzer/analyze';
import { loadWasmLanguage } from '../../analyzer/parse/backends';
import type { Backend } from '../../analyzer/parse/backends';
import type { SNode } from '../../analyzer/parse/syntax';
import type { AnalysisResult, AnalyzeOptions } from '../../analyzer/types';
import { DocumentAnalyzer } from '../../extension/engine/documentAnalyzer';
import { Recorder } from '../../analyzer/engine/memo';
import { collectFunctions } from '../../analyzer/engine/tu';
import type { TuCtx } from '../../analyzer/engine/interp';
import type { AnalyzeRequest, ContentChange } from '../../extension/engine/protocol';
import { FIXTURE_DIR, listFixtures, parseFixture } from './fixtures-harness';
import { prng } from './prng';


function optionsOf(text: string): AnalyzeOptions {
  const spec = parseFixture(text);
  return { kernel: spec.kernel, extraAllocators: spec.extraAllocators, extraSinks: spec.extraSinks };
}

/** Everything of a result except timings. */
function comparable(r: AnalysisResult): unknown {
  return { file: r.file, findings: r.findings, summaries: r.summaries, notes: r.notes, functions: r.stats.functions, errorNodes: r.stats.errorNodes };
}

function topFunctions(root: SNode): SNode[] {
  const out: SNode[] = [];
  const walk = (n: SNode) => {
    for (const c of n.children) {
      if (c.type === 'function_definition') out.push(c);
      else if (c.type.startsWith('preproc')) walk(c);
    }
  };
  walk(root);
  return out;
}

interface Edit {
  start: number;
  end: number;
  text: string;
  what: string;
}

/** One random edit of `text` (kinds the editor produces: typing, deleting, lines, renames, whole functions). */
function randomEdit(text: string, root: SNode, rnd: () => number): Edit {
  const fns = topFunctions(root);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const fn = fns.length ? pick(fns) : undefined;
  const inFn = () => (fn ? fn.start + Math.floor(rnd() * (fn.end - fn.start)) : Math.floor(rnd() * text.length));
  const lineStartIn = () => {
    const at = inFn();
    return text.lastIndexOf('\n', at - 1) + 1;
  };
  const kind = Math.floor(rnd() * 9);
  switch (kind) {
    case 0: {
      const at = inFn();
      return { start: at, end: at, text: pick([' ', 'x', ';', '(', '}', '\n', '1']), what: 'insert a character in a function' };
    }
    case 1: {
      const at = inFn();
      return { start: at, end: Math.min(text.length, at + 1 + Math.floor(rnd() * 3)), text: '', what: 'delete characters in a function' };
    }
    case 2: {
      // outside every function: before the first one, between two, or at the end
      const gaps = [0, ...fns.map((f) => f.end), text.length];
      const at = pick(gaps);
      return { start: at, end: at, text: pick(['\n', '\n\n/* note */\n', ' ', '\n#define FOO_LEN 4096\n']), what: 'insert outside functions' };
    }
    case 3: {
      const at = lineStartIn();
      return { start: at, end: at, text: '\tflush_kernel_vmap_range(buf, len);\n', what: 'add a flush call' };
    }
    case 4: {
      const at = lineStartIn();
      const eol = text.indexOf('\n', at);
      return { start: at, end: eol < 0 ? text.length : eol + 1, text: '', what: 'delete a line' };
    }
    case 5: {
      // rename one variable throughout one function
      if (!fn) break;
      const body = text.slice(fn.start, fn.end);
      const ids = [...new Set(body.match(/\b(?:buf|bio|len|ret|off|bp|p|data|page|sector)\b/g) ?? [])];
      if (!ids.length) break;
      const id = pick(ids);
      return { start: fn.start, end: fn.end, text: body.replace(new RegExp(`\\b${id}\\b`, 'g'), `${id}_r`), what: `rename ${id}` };
    }
    case 6:
      if (!fn) break;
      return { start: fn.start, end: fn.end, text: '', what: 'delete a function' };
    case 7:
      if (!fn) break;
      // a copy of a function at the top: every function below moves
      return { start: fns[0].start, end: fns[0].start, text: `${text.slice(fn.start, fn.end)}\n\n`, what: 'duplicate a function above all' };
    default:
      break;
  }
  const at = Math.floor(rnd() * (text.length + 1));
  return { start: at, end: at, text: '\n', what: 'insert a newline anywhere' };
}

function apply(text: string, e: Edit): string {
  return text.slice(0, e.start) + e.text + text.slice(e.end);
}

let backend: Backend | undefined;
async function parse(text: string): Promise<SNode> {
  backend ??= await getBackend('wasm');
  return backend.parse(text).root;
}

test('memo carried across random edits gives the same results as a fresh analysis (every C fixture)', async () => {
  let steps = 0;
  let reused = 0;
  for (const [i, name] of listFixtures(FIXTURE_DIR).entries()) {
    let text = fs.readFileSync(path.join(FIXTURE_DIR, name), 'utf8');
    const opts = optionsOf(text);
    const memo = new AnalysisMemo();
    const rnd = prng(1000 + i);
    const history: string[] = [];
    for (let step = 0; step < 7; step++) {
      let root = await parse(text);
      const what: string[] = [];
      if (step > 0) {
        // step 5 goes back to an earlier text (undo): old entries must not leak into it
        if (step === 5 && history.length > 1) {
          text = history[1];
          what.push('undo');
        } else {
          const e = randomEdit(text, root, rnd);
          text = apply(text, e);
          what.push(e.what);
        }
        root = await parse(text);
      }
      history.push(text);
      const fresh = analyzeTree(root, text, name, opts);
      const inc = analyzeTree(root, text, name, opts, memo);
      reused += memo.last.reused;
      steps++;
      assert.deepEqual(comparable(inc), comparable(fresh), `${name} step ${step} (${what.join(', ')})`);
    }
  }
  assert.ok(steps > 100);
  assert.ok(reused > steps, `the memo reused ${reused} function results over ${steps} analyses`);
});

test('memo across edits of a large multi-fixture file (functions move, fields and summaries cross functions)', async () => {
  const names = listFixtures(FIXTURE_DIR).filter((n) => n.endsWith('.c') && !/^\s*\/\*\s*(kernel|options):/.test(fs.readFileSync(path.join(FIXTURE_DIR, n), 'utf8').split('\n')[0]));
  let text = names.slice(0, 40).map((n) => fs.readFileSync(path.join(FIXTURE_DIR, n), 'utf8')).join('\n');
  const memo = new AnalysisMemo();
  const rnd = prng(7);
  let reused = 0, analysed = 0;
  for (let step = 0; step < 25; step++) {
    const root = await parse(text);
    if (step > 0) {
      const e = randomEdit(text, root, rnd);
      text = apply(text, e);
    }
    const r = await parse(text);
    const fresh = analyzeTree(r, text, 'big.c', {});
    const inc = analyzeTree(r, text, 'big.c', {}, memo);
    if (step > 0) {
      reused += memo.last.reused;
      analysed += memo.last.analysed;
    }
    assert.deepEqual(comparable(inc), comparable(fresh), `step ${step}`);
  }
  assert.ok(reused > 4 * analysed, `reused ${reused}, analysed ${analysed}`);
});

const HELPERS = fs.readFileSync(path.join(FIXTURE_DIR, 'flush_invalidate_helpers_tn.c'), 'utf8');

test('an edit inside one function re-analyses only that function; moved functions are reused and shifted', async () => {
  const memo = new AnalysisMemo();
  // the fixture twice: a second copy (renamed) below, so a change above moves real findings
  const lower = HELPERS.replace(/foo_/g, 'bar_').replace(/invalidate_kernel_vmap_range\(p, len\);/, '/* none */');
  let text = `${HELPERS}\n${lower}`;
  const first = analyzeTree(await parse(text), text, 'h.c', {}, memo);
  assert.ok(first.findings.length > 0, 'the lower copy has a finding that must move');
  assert.equal(memo.last.reused, 0);
  // a blank line at the start of foo_exchange's body: everything below it moves by one line
  const at = text.indexOf('{', text.indexOf('static int foo_exchange')) + 1;
  text = `${text.slice(0, at)}\n${text.slice(at)}`;
  const root = await parse(text);
  const inc = analyzeTree(root, text, 'h.c', {}, memo);
  assert.deepEqual(new Set(memo.last.analysedNames), new Set(['foo_exchange']));
  assert.ok(memo.last.reused >= 3, `reused ${memo.last.reused}`);
  const fresh = analyzeTree(root, text, 'h.c', {});
  assert.deepEqual(comparable(inc), comparable(fresh));
  assert.equal(inc.findings[0].span.start.line, first.findings[0].span.start.line + 1, 'the moved finding is one line lower');
});

test('a function that mentions positions in another (a field filled there) is reused when both move', async () => {
  const memo = new AnalysisMemo();
  let text = fs.readFileSync(path.join(FIXTURE_DIR, 'buffer_array.c'), 'utf8');
  const first = analyzeTree(await parse(text), text, 'b.c', {}, memo);
  const f0 = first.findings.find((f) => f.function === 'foo_log_write');
  assert.ok(f0, 'the function submitting the field has a finding');
  // the finding's trace starts in the function that filled the field
  const fill = text.indexOf('static int foo_log_fill');
  const alloc0 = f0.trace.find((s) => s.span.startOffset > fill && s.span.startOffset < text.indexOf('static int foo_log_write'));
  assert.ok(alloc0, 'a trace step inside foo_log_fill');
  text = `${text.slice(0, fill)}/* moved */\n${text.slice(fill)}`;
  const root = await parse(text);
  const inc = analyzeTree(root, text, 'b.c', {}, memo);
  assert.deepEqual(memo.last.analysedNames, [], 'both functions only moved');
  assert.deepEqual(comparable(inc), comparable(analyzeTree(root, text, 'b.c', {})));
  const f1 = inc.findings.find((f) => f.function === 'foo_log_write') as typeof f0;
  const alloc1 = f1.trace[f0.trace.indexOf(alloc0)];
  assert.equal(alloc1.span.start.line, alloc0.span.start.line + 1);
  assert.equal(alloc1.span.startOffset, alloc0.span.startOffset + '/* moved */\n'.length);
});

test('a change in a callee summary re-analyses its callers (and the result changes as a fresh one does)', async () => {
  const memo = new AnalysisMemo();
  let text = HELPERS;
  const before = analyzeTree(await parse(text), text, 'h.c', {}, memo);
  assert.equal(before.findings.length, 0);
  // the helper no longer flushes: foo_exchange's write is unflushed
  text = text.replace('\tflush_kernel_vmap_range(p, len);\n', '');
  const root = await parse(text);
  const inc = analyzeTree(root, text, 'h.c', {}, memo);
  assert.ok(memo.last.analysedNames.includes('foo_exchange'), `analysed: ${memo.last.analysedNames.join(', ')}`);
  assert.ok(memo.last.analysedNames.includes('foo_prep_for_device'));
  assert.ok(!memo.last.analysedNames.includes('foo_prep_for_cpu'), 'an unrelated helper is reused');
  assert.ok(inc.findings.some((f) => f.rule === 'vmap-io-missing-flush'));
  assert.deepEqual(comparable(inc), comparable(analyzeTree(root, text, 'h.c', {})));
});

test('re-pointing a function-pointer slot re-analyses its caller with the memo (the slot is a logged input)', async () => {
  const memo = new AnalysisMemo();
  let text = fs.readFileSync(path.join(FIXTURE_DIR, 'call_through_fn_pointer.c'), 'utf8');
  const before = analyzeTree(await parse(text), text, 'p.c', {}, memo);
  assert.ok(before.findings.some((f) => f.function === 'fwld_load'));
  // the ops table's stage slot now holds the bouncing writer's sibling: no linear-map call
  text = text.replace('.stage\t\t= fwld_stage_v2,', '.stage\t\t= fwld_stage_bounced,').replace(
    'static dma_addr_t fwld_stage_v2(', 'static dma_addr_t fwld_stage_bounced(struct fwld_dev *fd, void *img, size_t len)\n{\n\treturn 0;\n}\n\nstatic dma_addr_t fwld_stage_v2(');
  const root = await parse(text);
  const inc = analyzeTree(root, text, 'p.c', {}, memo);
  assert.ok(memo.last.analysedNames.includes('fwld_load'), `analysed: ${memo.last.analysedNames.join(', ')}`);
  assert.ok(!inc.findings.some((f) => f.function === 'fwld_load'));
  assert.deepEqual(comparable(inc), comparable(analyzeTree(root, text, 'p.c', {})));
});

test('the same text analysed again with the memo re-analyses nothing; other options empty it', async () => {
  const memo = new AnalysisMemo();
  const root = await parse(HELPERS);
  analyzeTree(root, HELPERS, 'h.c', {}, memo);
  const n = memo.last.analysed;
  assert.ok(n >= 3);
  analyzeTree(root, HELPERS, 'h.c', {}, memo);
  assert.equal(memo.last.analysed, 0);
  assert.equal(memo.last.reused, n);
  analyzeTree(root, HELPERS, 'h.c', { kernel: { major: 4, minor: 19 } }, memo);
  assert.equal(memo.last.reused, 0, 'a different kernel version must not reuse results');
});

test('DocumentAnalyzer with the memo equals DocumentAnalyzer without it over incremental edits', async () => {
  const { ts, language } = await loadWasmLanguage();
  const capture = (root: SNode, text: string, file: string, opts?: AnalyzeOptions, memo?: AnalysisMemo) => analyzeTree(root, text, file, opts, memo);
  const withMemo = new DocumentAnalyzer(ts, language, capture);
  const without = new DocumentAnalyzer(ts, language, capture, { memo: false });
  const names = listFixtures(FIXTURE_DIR).filter((n) => n.endsWith('.c')).slice(40, 70);
  let text = names.map((n) => fs.readFileSync(path.join(FIXTURE_DIR, n), 'utf8').replace(/^\/\*\s*(kernel|options):.*\n/, '')).join('\n');
  const rnd = prng(99);
  const uri = 'file:///big.c';
  let version = 1;
  const req = (changes?: ContentChange[], baseVersion?: number): AnalyzeRequest => ({ kind: 'analyze', id: version, uri, file: 'big.c', version, baseVersion, changes, text, options: {} });
  const a0 = withMemo.analyze(req());
  const b0 = without.analyze(req());
  assert.deepEqual(comparable(a0.result as AnalysisResult), comparable(b0.result as AnalysisResult));
  let reused = 0;
  for (let i = 0; i < 40; i++) {
    const e = randomEdit(text, await parse(text), rnd);
    const before = text;
    const lineCol = (off: number) => {
      const pre = before.slice(0, off);
      const line = (pre.match(/\n/g) ?? []).length;
      return { line, character: off - (pre.lastIndexOf('\n') + 1) };
    };
    const s = lineCol(e.start), en = lineCol(e.end);
    const change: ContentChange = { startLine: s.line, startCharacter: s.character, endLine: en.line, endCharacter: en.character, rangeOffset: e.start, rangeLength: e.end - e.start, text: e.text };
    text = apply(text, e);
    const base = version++;
    const a = withMemo.analyze(req([change], base));
    const b = without.analyze(req([change], base));
    assert.equal(a.error, undefined);
    assert.deepEqual(comparable(a.result as AnalysisResult), comparable(b.result as AnalysisResult), `edit ${i}: ${e.what}`);
    reused += a.timings.memo?.reused ?? 0;
    assert.equal(b.timings.memo, undefined);
  }
  assert.ok(reused > 20, `reused ${reused}`);
  version++;
  const again = withMemo.analyze(req()).timings.memo;
  assert.equal(again?.analysed, 0, 'an unchanged document re-analyses nothing');
  withMemo.close(uri);
  version++;
  const afterClose = withMemo.analyze(req()).timings.memo;
  const brandNew = new DocumentAnalyzer(ts, language, capture);
  const firstTime = brandNew.analyze(req()).timings.memo;
  brandNew.dispose();
  assert.ok((afterClose?.analysed ?? 0) > 0);
  assert.deepEqual(afterClose, firstTime, 'closing the document dropped its memo');
  withMemo.dispose();
  without.dispose();
});

test('a TuCtx member the recorder does not log is forwarded, and keeps the unit out of the memo', async () => {
  const text = 'static int foo_a(void *p)\n{\n\treturn foo_b(p);\n}\n';
  const f = collectFunctions(await parse(text), text)[0];
  const summaries = new Map([['foo_b', { name: 'foo_b', file: 'a.c', submitsParams: [0] }]]);
  const base = {
    src: text, file: 'a.c', kernelLabel: 'newest', confidence: 'high', functions: new Map([['foo_a', [f]]]), summaries,
    fieldVals: new Map(), fieldValsNext: new Map(), paramOps: new Map(), extraAllocators: new Set(), extraSinks: new Set(),
    fieldOther: new Set(), fieldOtherNext: new Set(), allocToField: new Map(), calledInFile: new Set(), analyzed: new Set(),
    callSites: new Map(), macros: new Map(), lineStarts: [0], defines: new Map(), invalidateTexts: [], notes: [],
  } as unknown as TuCtx;
  const w = { ls: 0, we: text.length, line: 1 };
  const rec = new Recorder(f, base, { own: w, t: { wins: [], byGid: new Map() } }, text, 0);
  assert.equal(rec.tu.summaries.get('foo_b')?.submitsParams?.[0], 0);
  assert.equal(rec.failed, false, 'a logged read');
  assert.deepEqual([...rec.tu.summaries.keys()], ['foo_b'], 'forwarded to the real map');
  assert.equal(rec.failed, true);
  // a TuCtx member it knows nothing about
  const rec2 = new Recorder(f, { ...base, somethingNew: new Map() } as unknown as TuCtx, { own: w, t: { wins: [], byGid: new Map() } }, text, 0);
  assert.equal(rec2.failed, true);
  assert.equal(new Recorder(f, base, { own: w, t: { wins: [], byGid: new Map() } }, text, 0).failed, false);
});

test('a scan pass (reportDemand) is memoisable: analysed again it replays every unit, demand included', async () => {
  let units = 0;
  let unmemoizable = 0;
  for (const file of listFixtures()) {
    const text = fs.readFileSync(path.join(FIXTURE_DIR, file), 'utf8');
    const opts = { ...optionsOf(text), reportDemand: true };
    const root = await parse(text);
    const memo = new AnalysisMemo();
    const first = analyzeTree(root, text, file, opts, memo);
    unmemoizable += memo.last.unmemoizable;
    units += memo.last.analysed;
    const again = analyzeTree(root, text, file, opts, memo);
    assert.equal(memo.last.analysed, memo.last.unmemoizable ? memo.last.analysed : 0, `${file}: re-analysed units`);
    assert.deepEqual(comparable(again), comparable(first), `${file}: the replayed result`);
    assert.deepEqual(again.demand, first.demand, `${file}: the replayed demand`);
  }
  assert.ok(units > 500, `${units} units`);
  assert.equal(unmemoizable, 0, `${unmemoizable} of ${units} units could not be memoised in a scan pass`);
});
