#!/usr/bin/env node
/* global performance */
// Whole-tree benchmark (issues #6 and #2):
//   npm run bench [-- --tree PATH] [--files N] [--seed S] [--jobs N] [--parser wasm|native]
//                 [--exclude GLOB]... [--no-spatch] [--no-grep] [--json FILE]
// Without --tree it generates a kernel-style corpus under bench/.corpus/ (scripts/gen-corpus.mjs)
// with planted true and false positives, and reports precision/recall on them.
// Every scan runs in a child process so CPU time (all threads) and peak RSS are the scan's own.
// Measured in the same run on the same tree: the `grep -rlE` floor over the same names, and the
// Coccinelle semantic patch for the simplest form of the bug when `spatch` is on PATH.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { generate, GENERATOR } from './gen-corpus.mjs';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));

function parseArgs(argv) {
  const o = { tree: undefined, files: 3000, seed: 1, jobs: undefined, parser: 'wasm', exclude: [], spatch: true, grep: true, json: undefined, child: undefined, large: 6, nocache: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--tree') o.tree = argv[++i];
    else if (a === '--files') o.files = Number(argv[++i]);
    else if (a === '--seed') o.seed = Number(argv[++i]);
    else if (a === '--large') o.large = Number(argv[++i]);
    else if (a === '--jobs') o.jobs = Number(argv[++i]);
    else if (a === '--parser') o.parser = argv[++i];
    else if (a === '--exclude') o.exclude.push(argv[++i]);
    else if (a === '--no-spatch') o.spatch = false;
    else if (a === '--no-grep') o.grep = false;
    else if (a === '--nocache') o.nocache = true;
    else if (a === '--no-nocache') o.nocache = false;
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--child') o.child = argv[++i];
    else { console.error(`bench: unknown argument ${a}`); process.exit(2); }
  }
  return o;
}

/**
 * The benchmark runs its own esbuild bundle of the scanner and worker (how users run it: one
 * bundle, workers from dist-style worker.js), built into a temporary directory at start. That
 * snapshot is immune to other work rebuilding out/ or dist/ mid-run, which would change the
 * analyzer fingerprint and turn the warm run cold.
 */
async function buildSnapshot() {
  const { build } = await import('esbuild');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-bench-build-'));
  await build({
    entryPoints: { scan: path.join(root, 'analyzer/scan/index.ts'), worker: path.join(root, 'analyzer/scan/worker.ts') },
    outdir: dir, absWorkingDir: root, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning',
    external: ['tree-sitter', 'tree-sitter-c'],
    // web-tree-sitter's ESM build needs import.meta.url; use its CJS build for the bare import only
    // (an esbuild alias would also rewrite 'web-tree-sitter/web-tree-sitter.wasm').
    plugins: [{ name: 'wts-cjs', setup(b) { b.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: require.resolve('web-tree-sitter') })); } }],
  });
  fs.copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), path.join(dir, 'web-tree-sitter.wasm'));
  fs.copyFileSync(path.join(path.dirname(require.resolve('tree-sitter-c/package.json')), 'tree-sitter-c.wasm'), path.join(dir, 'tree-sitter-c.wasm'));
  // The native backend's require('tree-sitter') must resolve from the snapshot too.
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

// ---- child: one scan, reporting its own CPU and RSS -----------------------------------------
async function child(spec) {
  const { scanPaths } = require(path.join(spec.build, 'scan.js'));
  const files = [];
  const t0 = performance.now();
  const r = await scanPaths([spec.tree], {
    cacheDir: spec.cacheDir, noCache: !spec.cacheDir, quiet: true, jobs: spec.jobs, parser: spec.parser,
    exclude: spec.exclude, onFile: (f) => files.push(f),
    // as the CLI does (its process is the scan's own)
    tuneJit: true,
  });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage();
  const res = {
    wallMs: wall, userMs: cpu.user / 1000, sysMs: cpu.system / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024,
    stats: r.stats, findings: r.findings.map((f) => ({ file: path.relative(spec.tree, f.file), line: f.span.start.line, rule: f.rule })),
    notes: r.notes.filter((n) => n.severity !== 'info').length, files,
  };
  fs.writeFileSync(spec.result, JSON.stringify(res));
}

function runChild(spec) {
  const result = path.join(os.tmpdir(), `vmalias-bench-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--child', JSON.stringify({ ...spec, result })], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`bench child failed (${r.status})`);
  const res = JSON.parse(fs.readFileSync(result, 'utf8'));
  fs.unlinkSync(result);
  return res;
}

// ---- the floor and the alternative ----------------------------------------------------------
function timeCmd(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  return { ms: performance.now() - t0, stdout: r.stdout ?? '', status: r.status, error: r.error };
}

function grepFloor(tree, names, exclude) {
  const args = ['-rlE', '--include=*.c', '--include=*.h', ...exclude.map((g) => `--exclude=${g}`), `\\b(${names.join('|')})\\b`, tree];
  timeCmd('grep', args); // warm the page cache the same way for everyone
  const runs = [0, 1, 2].map(() => timeCmd('grep', args));
  runs.sort((a, b) => a.ms - b.ms);
  const med = runs[1];
  return { ms: med.ms, files: med.stdout.split('\n').filter(Boolean).length };
}

const COCCI = `// The simplest form of the bug (vmalias bench): a vmalloc() buffer whose pages are added to a
// bio with vmalloc_to_page() and submitted with no flush_kernel_vmap_range() in between.
@r exists@
expression buf, bio, len, e, e1, e2;
identifier alloc = {vmalloc, vzalloc, __vmalloc, vmalloc_user};
identifier add = {bio_add_page, __bio_add_page};
identifier sub = {submit_bio, submit_bio_wait};
position p;
@@
buf = alloc(...);
... when != flush_kernel_vmap_range(buf, len)
add(bio, vmalloc_to_page(buf + e), e1, e2);
... when != flush_kernel_vmap_range(buf, len)
sub@p(bio)

@script:python@
p << r.p;
@@
print("VMALIAS_COCCI %s:%s" % (p[0].file, p[0].line))
`;

function spatchRun(tree, jobs) {
  const which = spawnSync('sh', ['-c', 'command -v spatch'], { encoding: 'utf8' });
  if (which.status !== 0) return undefined;
  const sp = path.join(os.tmpdir(), `vmalias-bench-${process.pid}.cocci`);
  fs.writeFileSync(sp, COCCI);
  const r = timeCmd('spatch', ['--sp-file', sp, '--dir', tree, '--very-quiet', '-j', String(jobs), '--timeout', '60'], { cwd: tree, timeout: 1800_000 });
  fs.unlinkSync(sp);
  const findings = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^VMALIAS_COCCI (.*):(\d+)$/.exec(line.trim());
    if (m) findings.push({ file: path.relative(tree, path.resolve(tree, m[1])), line: Number(m[2]), rule: 'vmap-io-missing-flush' });
  }
  return { ms: r.ms, findings, timedOut: r.error?.code === 'ETIMEDOUT' };
}

// ---- reporting ------------------------------------------------------------------------------
function pct(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function score(findings, manifest, filter = () => true) {
  const want = manifest.tps.filter(filter);
  const key = (x) => `${x.file}:${x.line}:${x.rule}`;
  const wantSet = new Set(want.map(key));
  const got = new Set(findings.map(key));
  const tp = [...got].filter((k) => wantSet.has(k)).length;
  return { tp, fp: got.size - tp, fn: wantSet.size - tp, precision: got.size ? tp / got.size : 1, recall: wantSet.size ? tp / wantSet.size : 1 };
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toString() : '-');

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.child) return child(JSON.parse(o.child));
  const build = await buildSnapshot();
  const jobs = o.jobs ?? (os.availableParallelism?.() ?? os.cpus().length);
  let tree = o.tree ? path.resolve(o.tree) : path.join(root, 'bench', '.corpus');
  let manifest;
  if (!o.tree) {
    const mf = path.join(tree, 'manifest.json');
    const want = { files: o.files, seed: o.seed, large: o.large };
    let cur;
    try { cur = JSON.parse(fs.readFileSync(mf, 'utf8')); } catch { cur = undefined; }
    if (!cur || cur.generator !== GENERATOR || JSON.stringify(cur.params) !== JSON.stringify(want)) {
      console.error(`bench: generating a ${o.files}-file corpus in ${path.relative(root, tree)}/ …`);
      cur = generate({ out: tree, files: o.files, seed: o.seed, large: o.large });
    }
    manifest = cur;
    // A real tree's files are older than the scan that indexes them; freshly written ones fall
    // under the stat index's racy-mtime rule and would be re-read on the warm run. Age them.
    const old = new Date(Date.now() - 3600_000);
    const age = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) age(p); else fs.utimesSync(p, old, old); } };
    age(tree);
  }
  const { relevantNames } = require(path.join(build, 'scan.js'));
  const names = relevantNames();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-bench-cache-'));
  const spec = { tree, jobs, parser: o.parser, exclude: o.exclude, build };

  const grep = o.grep ? grepFloor(tree, names, o.exclude) : undefined;
  const cold = runChild({ ...spec, cacheDir });
  const warm = runChild({ ...spec, cacheDir });
  let incremental;
  if (manifest) {
    // One cross-file allocator edited: costs itself and its dependents, not the tree.
    const alloc = manifest.tps.find((t) => t.kind === 'xfile_fallback');
    const memFile = alloc ? path.join(tree, alloc.file.replace(/_queue\.c$/, '_mem.c')) : undefined;
    if (memFile && fs.existsSync(memFile)) {
      const before = fs.readFileSync(memFile, 'utf8');
      fs.writeFileSync(memFile, before.replace('gfp | __GFP_NOWARN', 'gfp | __GFP_NOWARN | __GFP_NORETRY'));
      incremental = runChild({ ...spec, cacheDir });
      fs.writeFileSync(memFile, before);
    }
  }
  // A second cold run without any cache (default only on the generated corpus: on a real tree it
  // doubles the benchmark's time and the cold run above already started from an empty cache).
  const nocache = (o.nocache ?? !o.tree) ? runChild({ ...spec, cacheDir: undefined }) : undefined;
  const spatch = o.spatch ? spatchRun(tree, jobs) : undefined;

  // Per-file analysis time from the cold run (parse + analysis in a worker).
  const timed = cold.files.filter((f) => !f.cached);
  const small = timed.filter((f) => f.bytes < 64 * 1024).map((f) => f.parseMs + f.analyzeMs);
  const large = timed.filter((f) => f.bytes >= 64 * 1024).map((f) => f.parseMs + f.analyzeMs);
  const largeAn = timed.filter((f) => f.bytes >= 64 * 1024).map((f) => f.analyzeMs);
  const bytesParsed = timed.reduce((a, f) => a + f.bytes, 0);
  const msParsed = timed.reduce((a, f) => a + f.parseMs + f.analyzeMs, 0);
  const mbps = bytesParsed / 1e6 / (msParsed / 1000);
  const biggest = timed.reduce((a, f) => (!a || f.bytes > a.bytes ? f : a), undefined);

  const s = cold.stats;
  const lines = [];
  const row = (k, v) => lines.push(`  ${k.padEnd(34)} ${v}`);
  lines.push(`vmalias bench — ${o.tree ? tree : `generated corpus (${manifest.files} files, seed ${o.seed})`}, ${jobs} jobs, ${o.parser} parser, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
  row('files / bytes scanned', `${s.filesSeen} / ${(s.bytes / 1e6).toFixed(1)} MB`);
  row('files selected by pre-pass / parsed', `${s.filesPrefiltered} / ${s.filesParsed} (${s.filesSkipped ?? 0} not parsed: no source reaches a sink; analyses ${s.analyses}, rounds ${s.rounds})`);
  row('pre-pass reads', `grep ${s.grepFiles ? `over ${s.grepFiles} file names` : 'not used'}, ${s.filesRead ?? '?'} files read by vmalias; ${s.linkNames} linking names (${s.wrapperLinks ?? 0} wrappers of wrappers, ${s.fieldLinks ?? 0} struct members), ${s.linkFilesRead} files read for them`);
  if (s.charsParsed) row('characters parsed / blanked', `${(s.charsParsed / 1e6).toFixed(1)} MB / ${(s.charsBlanked / 1e6).toFixed(1)} MB over ${s.passes ?? '?'} parse passes (function bodies that cannot matter)`);
  row('cold: wall / CPU / peak RSS', `${f0(cold.wallMs)} ms / ${f0(cold.userMs + cold.sysMs)} ms / ${f0(cold.maxRssMB)} MB`);
  row('cold: walk / pre-pass / analysis', `${f0(s.walkMs)} / ${f0(s.prefilterMs)} / ${f0(s.analyzeMs)} ms`);
  if (s.grepMs !== undefined) row('  pre-pass: grep / read / links', `${f0(s.grepMs)} / ${f0(s.candidatesMs)} / ${f0(s.linkMs)} ms`);
  row('warm (cache): wall / CPU / RSS', `${f0(warm.wallMs)} ms / ${f0(warm.userMs + warm.sysMs)} ms / ${f0(warm.maxRssMB)} MB (parsed ${warm.stats.filesParsed}, cache hits ${warm.stats.cacheHits}, stat-index hits ${warm.stats.prefilterCacheHits})`);
  if (incremental) row('one allocator edited: wall / parsed', `${f0(incremental.wallMs)} ms / ${incremental.stats.filesParsed} files (its dependents included)`);
  if (nocache) row('no cache: wall / CPU', `${f0(nocache.wallMs)} ms / ${f0(nocache.userMs + nocache.sysMs)} ms`);
  row('findings', `${cold.findings.length} (warm ${warm.findings.length}${nocache ? `, no-cache ${nocache.findings.length}` : ''})`);
  if (grep) {
    row('grep -rlE floor', `${f0(grep.ms)} ms, ${grep.files} files`);
    row('cold / grep, warm / grep', `${(cold.wallMs / grep.ms).toFixed(2)}× , ${(warm.wallMs / grep.ms).toFixed(2)}×`);
  }
  row('per file p50 / p95 (< 64 KB)', `${f1(pct(small, 50))} / ${f1(pct(small, 95))} ms over ${small.length} files`);
  row('per file p50 / p95 (≥ 64 KB)', `${f1(pct(large, 50))} / ${f1(pct(large, 95))} ms over ${large.length} files (analysis only p95 ${f1(pct(largeAn, 95))} ms)`);
  if (biggest) row('largest parsed file', `${(biggest.bytes / 1e6).toFixed(2)} MB: parse ${f0(biggest.parseMs)} ms + analysis ${f0(biggest.analyzeMs)} ms`);
  row('parse + analysis throughput', `${f1(mbps)} MB/s per worker`);
  if (spatch) row('Coccinelle (simplest form)', `${f0(spatch.ms)} ms${spatch.timedOut ? ' (timed out)' : ''}, ${spatch.findings.length} findings${grep ? `, ${(spatch.ms / grep.ms).toFixed(1)}× grep` : ''}`);
  else if (o.spatch) row('Coccinelle', 'spatch not on PATH: skipped');
  let scores;
  if (manifest) {
    scores = {
      vmalias: score(cold.findings, manifest),
      vmaliasSimple: score(cold.findings, manifest, (t) => t.simple),
      spatch: spatch ? score(spatch.findings, manifest) : undefined,
      spatchSimple: spatch ? score(spatch.findings, manifest, (t) => t.simple) : undefined,
    };
    const fmt = (x) => `precision ${x.precision.toFixed(2)}, recall ${x.recall.toFixed(2)} (tp ${x.tp}, fp ${x.fp}, fn ${x.fn})`;
    row('planted', `${manifest.tps.length} findings (${manifest.tps.filter((t) => t.simple).length} simplest form), ${manifest.tns.length} true negatives`);
    row('vmalias on planted', fmt(scores.vmalias));
    row('vmalias on simplest-form cases', `recall ${scores.vmaliasSimple.recall.toFixed(2)}`);
    if (scores.spatch) {
      row('Coccinelle on planted (all)', fmt(scores.spatch));
      row('Coccinelle on simplest-form cases', `recall ${scores.spatchSimple.recall.toFixed(2)}; its false positives: ${scores.spatch.fp}`);
    }
  }
  console.log(lines.join('\n'));
  const report = { tree, jobs, parser: o.parser, load: os.loadavg(), grep, cold: { ...cold, files: undefined }, warm: { ...warm, files: undefined },
    incremental: incremental && { ...incremental, files: undefined }, nocache: nocache && { ...nocache, files: undefined }, spatch, scores,
    perFile: { smallP50: pct(small, 50), smallP95: pct(small, 95), largeP50: pct(large, 50), largeP95: pct(large, 95), mbps } };
  const jsonOut = o.json ?? (o.tree ? undefined : path.join(tree, 'results.json'));
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(report, null, 1));
  fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.rmSync(build, { recursive: true, force: true });
}

main().catch((e) => { console.error(e); process.exit(1); });
