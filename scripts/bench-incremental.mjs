#!/usr/bin/env node
/* global performance */
// Edit → analysis latency of the editor engine with and without the per-function analysis memo:
//   npm run bench:incremental [-- --file PATH] [--lines N] [--edits N] [--warmup N] [--seed S] [--json FILE]
// Drives extension/engine/documentAnalyzer (as the analysis worker does) with single-character
// edits at random positions inside functions, each sent as an incremental content change. Two
// analyzers, memo on and off, get the same edits interleaved in the same run (same machine noise).
// Without --file it builds a ~N-line kernel-style file from the C fixtures (function names made
// unique per fixture). The first --warmup edits (default 20) are not measured: the worker is
// long-lived, and the first edits mostly measure V8 compiling the code. Runs on the tsc output in
// out/ (npm run compile-tests).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));

function parseArgs(argv) {
  const o = { file: undefined, lines: 2000, edits: 100, warmup: 20, seed: 1, json: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--file') o.file = argv[++i];
    else if (a === '--lines') o.lines = Number(argv[++i]);
    else if (a === '--edits') o.edits = Number(argv[++i]);
    else if (a === '--warmup') o.warmup = Number(argv[++i]);
    else if (a === '--seed') o.seed = Number(argv[++i]);
    else if (a === '--json') o.json = argv[++i];
    else { console.error(`bench-incremental: unknown argument ${a}`); process.exit(2); }
  }
  return o;
}


/** A kernel-style file of about `lines` lines: fixtures with their `foo` names made unique. */
function generated(lines) {
  const dir = path.join(root, 'test', 'fixtures', 'c');
  const parts = [];
  let n = 0;
  for (const [i, f] of fs.readdirSync(dir).filter((x) => x.endsWith('.c')).sort().entries()) {
    const t = fs.readFileSync(path.join(dir, f), 'utf8').replace(/^\/\*\s*(kernel|options):.*\n/, '').replace(/\bfoo/g, `foo${i}`);
    parts.push(t);
    n += t.split('\n').length;
    if (n >= lines) break;
  }
  return parts.join('\n');
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

const o = parseArgs(process.argv.slice(2));
const out = path.join(root, 'out');
if (!fs.existsSync(path.join(out, 'extension', 'engine', 'documentAnalyzer.js'))) {
  console.error('bench-incremental: out/ is missing; run `npm run compile-tests` first');
  process.exit(2);
}
const { DocumentAnalyzer } = require(path.join(out, 'extension', 'engine', 'documentAnalyzer.js'));
const { analyzeTree } = require(path.join(out, 'analyzer', 'analyze.js'));
const { loadWasmLanguage } = require(path.join(out, 'analyzer', 'parse', 'backends.js'));
// the same seeded edits as test/unit/incremental-analysis.test.ts
const { prng } = require(path.join(out, 'test', 'unit', 'prng.js'));

let text = o.file ? fs.readFileSync(o.file, 'utf8') : generated(o.lines);
const { ts, language } = await loadWasmLanguage();
const engines = {
  memo: new DocumentAnalyzer(ts, language, analyzeTree),
  full: new DocumentAnalyzer(ts, language, analyzeTree, { memo: false }),
};
const uri = 'file:///bench.c';
let version = 1;
const request = (changes, baseVersion) => ({ kind: 'analyze', id: version, uri, file: 'bench.c', version, baseVersion, changes, text, options: {} });
const first = {};
for (const [k, e] of Object.entries(engines)) {
  const r = e.analyze(request());
  if (r.error) throw new Error(r.error);
  first[k] = r;
}
const functions = first.full.result.stats.functions;
const findings = first.full.result.findings.length;

/** Offsets inside function bodies (where typing happens), from a fresh parse of the current text. */
function bodyRanges() {
  const p = new ts.Parser();
  p.setLanguage(language);
  const tree = p.parse(text);
  const out = [];
  const walk = (n) => {
    for (const c of n.namedChildren) {
      if (c.type === 'function_definition') {
        const b = c.childForFieldName('body');
        if (b) out.push([b.startIndex + 1, b.endIndex - 1]);
      } else if (c.type.startsWith('preproc')) walk(c);
    }
  };
  walk(tree.rootNode);
  tree.delete();
  p.delete();
  return out;
}

const rnd = prng(o.seed);
const ranges = bodyRanges();
const samples = { memo: [], full: [] };
const memoCounts = [];
let mismatches = 0;
for (let i = 0; i < o.warmup + o.edits; i++) {
  const [s, e] = ranges[Math.floor(rnd() * ranges.length)];
  const at = s + Math.floor(rnd() * Math.max(1, e - s));
  const ch = rnd() < 0.5 ? ' ' : 'x';
  const pre = text.slice(0, at);
  const line = (pre.match(/\n/g) ?? []).length;
  const character = at - (pre.lastIndexOf('\n') + 1);
  const change = { startLine: line, startCharacter: character, endLine: line, endCharacter: character, rangeOffset: at, rangeLength: 0, text: ch };
  text = text.slice(0, at) + ch + text.slice(at);
  // the offsets of later functions move by one: keep the ranges in step with the text
  for (const r of ranges) {
    if (r[0] > at) r[0]++;
    if (r[1] >= at) r[1]++;
  }
  const base = version++;
  const res = {};
  // alternate which engine goes first so neither always runs on a warmer cache
  const order = i % 2 ? ['memo', 'full'] : ['full', 'memo'];
  for (const k of order) {
    const t0 = performance.now();
    const r = engines[k].analyze(request([change], base));
    const total = performance.now() - t0;
    if (r.error) throw new Error(r.error);
    if (i >= o.warmup) samples[k].push({ parse: r.timings.parseMs, build: r.timings.buildMs, analysis: r.timings.analyzeMs, total });
    res[k] = r;
  }
  if (i >= o.warmup) memoCounts.push(res.memo.timings.memo);
  const strip = (r) => JSON.stringify({ f: r.result.findings, s: r.result.summaries, n: r.result.notes });
  if (strip(res.memo) !== strip(res.full)) mismatches++;
}

const rows = ['parse', 'build', 'analysis', 'total'];
const report = { file: o.file ?? `generated from fixtures`, lines: text.split('\n').length, functions, findings, edits: o.edits, warmup: o.warmup, load: os.loadavg().map((x) => x.toFixed(2)).join(' '), mismatches, stats: {} };
for (const r of rows) {
  const m = samples.memo.map((x) => x[r]);
  const f = samples.full.map((x) => x[r]);
  report.stats[r] = { memo: { p50: pct(m, 50), p95: pct(m, 95) }, full: { p50: pct(f, 50), p95: pct(f, 95) } };
}
const reusedAvg = memoCounts.reduce((a, c) => a + (c?.reused ?? 0), 0) / memoCounts.length;
const analysedAvg = memoCounts.reduce((a, c) => a + (c?.analysed ?? 0), 0) / memoCounts.length;
report.memo = { reusedPerEdit: reusedAvg, analysedPerEdit: analysedAvg };

console.log(`bench:incremental — ${report.file}: ${report.lines} lines, ${functions} functions, ${findings} findings; ${o.edits} single-character edits in function bodies after ${o.warmup} unmeasured (seed ${o.seed}); load ${report.load}`);
console.log('                 memo p50   memo p95   full p50   full p95   p50 ratio  p95 ratio');
const f2 = (x) => `${x.toFixed(2)} ms`.padStart(9);
for (const r of rows) {
  const s = report.stats[r];
  console.log(`${r.padEnd(14)} ${f2(s.memo.p50)}  ${f2(s.memo.p95)}  ${f2(s.full.p50)}  ${f2(s.full.p95)}  ${(s.full.p50 / s.memo.p50).toFixed(1).padStart(8)}x ${(s.full.p95 / s.memo.p95).toFixed(1).padStart(8)}x`);
}
console.log(`memo: ${analysedAvg.toFixed(1)} function analyses run and ${reusedAvg.toFixed(1)} reused per edit; results differing from the full analysis: ${mismatches}`);
if (o.json) fs.writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
for (const e of Object.values(engines)) e.dispose();
if (mismatches) process.exitCode = 1;
