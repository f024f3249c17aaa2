/**
 * The command line as CI bots and b4 hooks use it (analyzer/cli.ts `main`, run in-process with
 * captured streams): exit codes (0 clean, 1 findings, 2 unusable input or usage), the output
 * formats carrying the same findings the scan API returns, stdin, patches and mailback's rule that
 * only real problems reach stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { main, VERSION } from '../../analyzer/cli';
import { scanPaths } from '../../analyzer/scan';
import { RULE_IDS } from '../../analyzer/types';
import { tmpdir as tmpdirIn } from './tmp';

const ROOT = path.join(__dirname, '..', '..', '..');
const FIX = path.join(ROOT, 'test', 'fixtures');
const DEMO = path.join(FIX, 'examples', 'demo.c');
const TN = path.join(FIX, 'c', 'bio_add_vmalloc_write_tn.c');
const PATCHES = path.join(FIX, 'patches');

interface Run { code: number; out: string; err: string }

async function run(argv: string[], stdin?: Buffer | string): Promise<Run> {
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s: string) => { out += s; } },
    stderr: { write: (s: string) => { err += s; } },
    ...(stdin !== undefined ? { stdin: (async function* () { yield stdin; })() } : {}),
  };
  const code = await main(argv, io);
  return { code, out, err };
}

function tmpdir(tag: string): string {
  return tmpdirIn(`cli-${tag}`);
}

const key = (f: { file: string; span: { start: { line: number } }; rule: string }) => `${path.basename(f.file)}:${f.span.start.line}:${f.rule}`;

test('cli: version, help and the rule list; no or an unknown command is a usage error (2)', async () => {
  const v = await run(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.out, `vmalias ${VERSION}\n`);
  assert.match(VERSION, /^\d+\.\d+\.\d+/);
  const h = await run(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.out, /^usage: vmalias/);
  const none = await run([]);
  assert.equal(none.code, 2);
  const bad = await run(['frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unknown command "frobnicate"/);
  const rules = await run(['rules']);
  assert.equal(rules.code, 0);
  for (const r of RULE_IDS) assert.match(rules.out, new RegExp(`^${r}\\s`, 'm'));
});

test('cli scan: text, json and sarif carry the findings the scan API returns; findings exit 1', async () => {
  const api = await scanPaths([DEMO], { noCache: true, quiet: true });
  assert.ok(api.findings.length >= 3, 'the demo has one finding of each kind');
  const want = api.findings.map(key).sort();

  const text = await run(['scan', '--no-cache', DEMO]);
  assert.equal(text.code, 1);
  const lines = text.out.trim().split('\n');
  assert.equal(lines.length, want.length);
  // gcc style: file:line:col: severity: message [rule]
  const got = lines.map((l) => {
    const m = /^(.+):(\d+):(\d+): (warning|error): .+ \[([a-z-]+)\]$/.exec(l);
    assert.ok(m, l);
    return `${path.basename(m[1])}:${m[2]}:${m[5]}`;
  });
  assert.deepEqual(got.sort(), want);

  const json = await run(['scan', '--no-cache', '--format', 'json', DEMO]);
  assert.equal(json.code, 1);
  const parsed = JSON.parse(json.out) as { findings: { file: string; span: { start: { line: number } }; rule: string }[] };
  assert.deepEqual(parsed.findings.map(key).sort(), want);

  const sarif = await run(['scan', '--no-cache', '--format', 'sarif', DEMO]);
  assert.equal(sarif.code, 1);
  const s = JSON.parse(sarif.out) as { version: string; runs: { tool: { driver: { version: string } }; results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
  assert.equal(s.version, '2.1.0');
  assert.equal(s.runs[0].tool.driver.version, VERSION);
  assert.deepEqual(s.runs[0].results.map((r) => `demo.c:${r.locations[0].physicalLocation.region.startLine}:${r.ruleId}`).sort(), want);
});

test('cli scan: a clean file exits 0 with no output; --rule and --disable select what is reported', async () => {
  const clean = await run(['scan', '--no-cache', TN]);
  assert.equal(clean.code, 0);
  assert.equal(clean.out, '');
  const all = (await scanPaths([DEMO], { noCache: true, quiet: true })).findings;
  const rule = all[0].rule;
  const only = await run(['scan', '--no-cache', '--format', 'json', '--rule', rule, DEMO]);
  const onlyRules = (JSON.parse(only.out) as { findings: { rule: string }[] }).findings.map((f) => f.rule);
  assert.ok(onlyRules.length > 0 && onlyRules.every((r) => r === rule));
  const without = await run(['scan', '--no-cache', '--format', 'json', '--disable', rule, DEMO]);
  const withoutRules = (JSON.parse(without.out) as { findings: { rule: string }[] }).findings.map((f) => f.rule);
  assert.equal(withoutRules.length, all.length - onlyRules.length);
  assert.ok(!withoutRules.includes(rule as never));
});

test('cli scan: usage errors exit 2 with the reason on stderr, nothing scanned', async () => {
  for (const [argv, reason] of [
    [['scan', '--format', 'xml', DEMO], /--format must be/],
    [['scan', '--jobs', '0', DEMO], /--jobs must be a positive integer/],
    [['scan', '--kernel', 'five', DEMO], /is not a kernel version/],
    [['scan', '--rule', 'no-such-rule', DEMO], /unknown rule "no-such-rule"/],
    [['scan', '--parser', 'java', DEMO], /--parser must be wasm or native/],
    [['scan', '--max-file-size', '-1', DEMO], /--max-file-size/],
    [['scan', '--link-depth', '1.5', DEMO], /--link-depth must be a positive integer/],
    [['scan'], /no paths given/],
    [['scan', '--no-such-option', DEMO], /no-such-option/],
  ] as [string[], RegExp][]) {
    const r = await run(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, reason);
    assert.equal(r.out, '');
  }
});

test('cli scan: --link-depth bounds how far wrappers of wrappers are followed', async () => {
  const dir = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'multi', 'wrapper_chain');
  const deep = await run(['scan', '--no-cache', '--format', 'json', dir]);
  assert.equal(deep.code, 1, deep.err);
  assert.deepEqual((JSON.parse(deep.out) as { findings: { rule: string }[] }).findings.map((f) => f.rule), ['vmalloc-linear-map']);
  const shallow = await run(['scan', '--no-cache', '--format', 'json', '--link-depth', '2', dir]);
  assert.equal(shallow.code, 0, shallow.err);
  assert.deepEqual((JSON.parse(shallow.out) as { findings: unknown[] }).findings, []);
});

test('cli scan: a missing path exits 2 with an error note; with findings elsewhere the findings win (1)', async () => {
  const missing = path.join(tmpdir('missing'), 'nope.c');
  const r = await run(['scan', '--no-cache', missing]);
  assert.equal(r.code, 2);
  assert.ok(r.err.includes(missing), r.err);
  const both = await run(['scan', '--no-cache', missing, DEMO]);
  assert.equal(both.code, 1);
  assert.ok(both.err.includes(missing));
  assert.ok(both.out.length > 0);
});

test('cli scan -: C text, a patch and binary data on stdin', async () => {
  const src = fs.readFileSync(DEMO);
  const fromFile = await run(['scan', '--no-cache', '--format', 'json', DEMO]);
  const fromStdin = await run(['scan', '--format', 'json', '-'], src);
  assert.equal(fromStdin.code, 1);
  const lines = (r: Run) => (JSON.parse(r.out) as { findings: { span: { start: { line: number } }; rule: string }[] }).findings.map((f) => `${f.span.start.line}:${f.rule}`).sort();
  assert.deepEqual(lines(fromStdin), lines(fromFile));
  assert.ok((JSON.parse(fromStdin.out) as { findings: { file: string }[] }).findings.every((f) => f.file === '<stdin>'));

  const patch = fs.readFileSync(path.join(PATCHES, '0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'));
  const viaFile = await run(['scan', '--format', 'json', path.join(PATCHES, '0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'), '--base', path.join(PATCHES, 'base')]);
  const viaStdin = await run(['scan', '--format', 'json', '-', '--base', path.join(PATCHES, 'base')], patch);
  assert.equal(viaStdin.code, viaFile.code);
  assert.equal(viaFile.code, 1);
  const rules = (r: Run) => (JSON.parse(r.out) as { findings: { rule: string; target: { file: string; line: number } }[] }).findings.map((f) => `${f.target.file}:${f.target.line}:${f.rule}`).sort();
  assert.deepEqual(rules(viaStdin), rules(viaFile));

  const bin = await run(['scan', '-'], Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3]));
  assert.equal(bin.code, 2);
  assert.match(bin.err, /binary input skipped/);
});

test('cli scan --format mailback: findings a patch introduces on stdout, parse problems (and only those) on stderr', async () => {
  const good = await run(['scan', '--format', 'mailback', path.join(PATCHES, '0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'), '--base', path.join(PATCHES, 'base')]);
  assert.equal(good.code, 1);
  assert.match(good.out, /^drivers\/block\/vsb\.c:\d+: .+ \[vmap-io-missing-flush\]$/m);
  assert.equal(good.err, '');
  // a series as several files: each line names its patch
  const series = await run(['scan', '--format', 'mailback', path.join(PATCHES, '0001-vsb-write-the-superblock-when-the-log-is-set-up.patch'), path.join(PATCHES, 'rename-drops-flush.patch'), '--base', path.join(PATCHES, 'base')]);
  assert.deepEqual(series.out.trimEnd().split('\n').map((l) => / \[\d\/\d\]$/.exec(l)?.[0]), [' [1/2]', ' [2/2]']);
  const bad = await run(['scan', '--format', 'mailback', path.join(PATCHES, 'malformed.mbox')]);
  assert.match(bad.err, /hunk .* is skipped/);
  // each stderr line is a problem with the input, none an informational note
  for (const l of bad.err.trim().split('\n')) assert.match(l, /skipped|error/, l);
});

test('cli scan: a directory with a cache gives the same findings cold and warm, and the warm run parses nothing', async () => {
  const d = tmpdir('dir');
  fs.cpSync(path.join(FIX, 'multi'), path.join(d, 'multi'), { recursive: true });
  const cacheDir = tmpdir('cache');
  const api = await scanPaths([d], { noCache: true, quiet: true });
  const argv = ['scan', '--format', 'json', '--quiet', '--cache-dir', cacheDir, d];
  const cold = await run(argv);
  const warm = await run(argv);
  type Out = { findings: { file: string; span: { start: { line: number } }; rule: string }[]; stats: { filesParsed: number; findings: number } };
  const c = JSON.parse(cold.out) as Out;
  const w = JSON.parse(warm.out) as Out;
  assert.equal(cold.code, api.findings.length ? 1 : 0);
  assert.ok(api.findings.length > 5);
  assert.deepEqual(c.findings.map(key).sort(), api.findings.map(key).sort());
  assert.deepEqual(w.findings.map(key).sort(), c.findings.map(key).sort());
  assert.ok(c.stats.filesParsed > 0);
  assert.equal(w.stats.filesParsed, 0);
  assert.equal(w.stats.findings, w.findings.length);
});

/** A throw-away kernel-style tree: `files` (path → text) under a fresh directory. */
function tree(tag: string, files: Record<string, string>): string {
  const d = tmpdir(tag);
  for (const [p, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, p)), { recursive: true });
    fs.writeFileSync(path.join(d, p), text);
  }
  return d;
}

/** A `git format-patch`-style mail changing line `at` (1-based) of `file` from its text in `lines` to `to`. */
function oneLinePatch(file: string, lines: string[], at: number, to: string, subject = '[PATCH] frob: change a line'): string {
  const from = Math.max(1, at - 3);
  const until = Math.min(lines.length, at + 3);
  const body: string[] = [];
  for (let l = from; l <= until; l++) {
    if (l === at) body.push(`-${lines[l - 1]}`, `+${to}`);
    else body.push(` ${lines[l - 1]}`);
  }
  const n = until - from + 1;
  return [
    'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
    'From: Ada Example <ada@example.org>',
    'Date: Tue, 3 Mar 2026 10:00:00 +0100',
    `Subject: ${subject}`,
    '',
    'Change a line.',
    '',
    'Signed-off-by: Ada Example <ada@example.org>',
    '---',
    `diff --git a/${file} b/${file}`,
    'index 1111111..2222222 100644',
    `--- a/${file}`,
    `+++ b/${file}`,
    `@@ -${from},${n} +${from},${n} @@`,
    ...body,
    '-- ',
    '2.43.0',
    '',
  ].join('\n');
}

const FROB_C = [
  '// SPDX-License-Identifier: GPL-2.0',
  '#include <linux/blkdev.h>',
  '#include <linux/slab.h>',
  '',
  'static int frob_read_log(struct request_queue *q, size_t len)',
  '{',
  '\tstruct request *rq;',
  '\tvoid *buf;',
  '\tint ret;',
  '',
  '\tbuf = kzalloc(len, GFP_KERNEL);',
  '\tif (!buf)',
  '\t\treturn -ENOMEM;',
  '\trq = blk_get_request(q, REQ_OP_DRV_IN, 0);',
  '\tret = blk_rq_map_kern(q, rq, buf, len, GFP_KERNEL);',
  '\tblk_put_request(rq);',
  '\tkvfree(buf);',
  '\treturn ret;',
  '}',
  '',
];
const KERNEL_MAKEFILE = (v: number, p: number): string => `# SPDX-License-Identifier: GPL-2.0\nVERSION = ${v}\nPATCHLEVEL = ${p}\nSUBLEVEL = 0\nEXTRAVERSION =\n`;

test('cli scan/review PATCH --base DIR: the rules are those of the base\'s kernel (its top Makefile); --kernel wins', async () => {
  const base = tree('kbase', { Makefile: KERNEL_MAKEFILE(5, 2), 'drivers/block/frob/frob.c': FROB_C.join('\n') });
  const patch = path.join(tmpdir('kpatch'), '0001-frob.patch');
  fs.writeFileSync(patch, oneLinePatch('drivers/block/frob/frob.c', FROB_C, 11, '\tbuf = vzalloc(len);'));
  const rules = (r: Run) => (JSON.parse(r.out) as { findings: { rule: string; kernel?: string }[] }).findings.map((f) => `${f.rule}@${f.kernel}`);
  const scan = await run(['scan', '--no-cache', '--format', 'json', patch, '--base', base]);
  assert.equal(scan.code, 1, scan.err);
  assert.deepEqual(rules(scan), ['vmap-blk-rq-map-kern@5.2.0']);
  // from 5.3 on bio_map_kern() maps vmalloc memory page by page: nothing to report
  const newer = await run(['scan', '--no-cache', '--format', 'json', patch, '--base', base, '--kernel', '5.4']);
  assert.equal(newer.code, 0, newer.err);
  const review = await run(['review', '--format', 'mailback', patch, '--base', base, '--no-base-context']);
  assert.equal(review.code, 1, review.err);
  assert.match(review.out, /^drivers\/block\/frob\/frob\.c:15: .*\[vmap-blk-rq-map-kern\]$/m);
});

test('cli review: --cache-dir, --no-cache, --no-git and --jobs reach the base-context scan; the user\'s cache is left alone', async () => {
  const base = tree('cbase', { Makefile: KERNEL_MAKEFILE(6, 8), 'drivers/block/frob/frob.c': FROB_C.join('\n'), 'drivers/block/frob/other.c': 'int frob_other(void)\n{\n\treturn 0;\n}\n' });
  const patch = path.join(tmpdir('cpatch'), '0001-frob.patch');
  fs.writeFileSync(patch, oneLinePatch('drivers/block/frob/frob.c', FROB_C, 11, '\tbuf = vzalloc(len);'));
  const userCache = tmpdir('xdg');
  const saved = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = userCache;
  try {
    const cacheDir = path.join(tmpdir('cdir'), 'cache');
    const withDir = await run(['review', '--format', 'mailback', patch, '--base', base, '--cache-dir', cacheDir, '--no-git', '--jobs', '1']);
    assert.equal(withDir.code, 0, withDir.err);
    assert.ok(fs.existsSync(cacheDir) && fs.readdirSync(cacheDir).length > 0, 'the scan used --cache-dir');
    const none = await run(['review', '--format', 'mailback', patch, '--base', base, '--no-cache']);
    assert.equal(none.code, 0, none.err);
    assert.deepEqual(fs.readdirSync(userCache), [], 'neither run wrote the user\'s cache');
    const bad = await run(['review', patch, '--base', base, '--jobs', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--jobs must be a positive integer/);
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  }
});

test('cli scan: patch files given separately form one series, put in [PATCH k/N] order', async () => {
  const base = tree('sbase', { Makefile: KERNEL_MAKEFILE(6, 8), 'drivers/block/frob/frob.c': FROB_C.join('\n') });
  const dir = tmpdir('series');
  const one = '\tbuf = vzalloc(len);';
  const after1 = FROB_C.map((l, i) => (i === 10 ? one : l));
  // patch 2's context holds patch 1's line: it applies only on top of patch 1
  fs.writeFileSync(path.join(dir, '0001-frob.patch'), oneLinePatch('drivers/block/frob/frob.c', FROB_C, 11, one, '[PATCH 1/2] frob: allocate the log with vzalloc'));
  fs.writeFileSync(path.join(dir, '0002-frob.patch'), oneLinePatch('drivers/block/frob/frob.c', after1, 14, '\tsg_init_one(&sg, buf, len);', '[PATCH 2/2] frob: map the log'));
  for (const order of [['0001-frob.patch', '0002-frob.patch'], ['0002-frob.patch', '0001-frob.patch']]) {
    const r = await run(['scan', '--no-cache', '--format', 'json', ...order.map((f) => path.join(dir, f)), '--base', base]);
    assert.equal(r.code, 1, r.err);
    const out = JSON.parse(r.out) as { findings: { rule: string; confidence?: string; patch: { index: number; file: string } }[]; notes: string[] };
    assert.doesNotMatch(r.err, /does not apply|series has/, order.join(' '));
    assert.deepEqual(out.findings.map((f) => [f.rule, f.patch.index, path.basename(f.patch.file), f.confidence ?? 'high']), [['vmalloc-linear-map', 2, '0002-frob.patch', 'high']], order.join(' '));
  }
});

test('cli scan/review: a patch that could not be reviewed (truncated, not applying, empty, binary) exits 2, not 0; findings still exit 1', async () => {
  const base = tree('pbase', { Makefile: KERNEL_MAKEFILE(6, 8), 'drivers/block/frob/frob.c': FROB_C.join('\n') });
  const dir = tmpdir('problems');
  const good = oneLinePatch('drivers/block/frob/frob.c', FROB_C, 11, '\tbuf = vzalloc(len);');
  const cut = good.split('\n');
  const inputs: Record<string, string | Buffer> = {
    'truncated.patch': cut.slice(0, cut.findIndex((l) => l.startsWith('+\tbuf')) + 1).join('\n') + '\n',
    'stale.patch': oneLinePatch('drivers/block/frob/frob.c', FROB_C.map((l, i) => (i === 9 ? '\t/* a line the base does not have */' : l)), 11, '\tbuf = vzalloc(len);'),
    'empty.patch': '',
    'garbage.patch': Buffer.from([0x29, 0xa1, 0x16, 0x89, 0, 0x70, 0x0a, 0x15, 0xee, 0, 0x6d, 0x0a]),
  };
  const why: Record<string, RegExp> = { 'truncated.patch': /truncated/, 'stale.patch': /does not apply/, 'empty.patch': /empty\.patch: the input is empty; nothing was reviewed/, 'garbage.patch': /garbage\.patch: binary data .*not a patch/ };
  for (const [name, data] of Object.entries(inputs)) {
    const f = path.join(dir, name);
    fs.writeFileSync(f, data);
    for (const argv of [['scan', '--no-cache', f, '--base', base], ['scan', '--format', 'mailback', f], ['review', '--no-cache', f, '--base', base], ['review', '--format', 'mailback', f]]) {
      const r = await run(argv);
      if (name === 'stale.patch' && !argv.includes('--base')) continue; // applies to nothing without a base
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
      assert.match(r.err, why[name], argv.join(' '));
      assert.equal(r.out, '', argv.join(' '));
    }
  }
  // a finding elsewhere in the series still wins
  const withFinding = path.join(dir, '0001-finding.patch');
  fs.writeFileSync(withFinding, oneLinePatch('drivers/block/frob/frob.c', FROB_C, 15, '\tsg_init_one(&sg, vmalloc(len), len);'));
  const both = await run(['scan', '--no-cache', withFinding, path.join(dir, 'empty.patch'), '--base', base]);
  assert.equal(both.code, 1, both.err);
  assert.match(both.err, /the input is empty/);
});

test('cli scan DIR: a directory of patch files (git format-patch -o DIR) is not scanned silently', async () => {
  const mail = oneLinePatch('drivers/block/frob/frob.c', FROB_C, 11, '\tbuf = vzalloc(len);');
  const out = tree('fpout', { '0001-frob.patch': mail, '0002-frob.patch': mail, 'series.mbx': mail });
  const alone = await run(['scan', '--no-cache', out]);
  assert.equal(alone.code, 2, alone.err);
  assert.equal(alone.out, '');
  assert.ok(alone.err.includes(`${out}: error: no .c/.h files to scan, but 3 patch files (0001-frob.patch, 0002-frob.patch, series.mbx)`), alone.err);
  assert.ok(alone.err.includes(`vmalias scan ${path.join(out, '*.{patch,mbx}')}`), alone.err);
  // mailback: the note is a problem, so it reaches stderr there too
  const mb = await run(['scan', '--no-cache', '--format', 'mailback', out]);
  assert.equal(mb.code, 2);
  assert.match(mb.err, /no \.c\/\.h files to scan/);
  // with something else scanned: a warning, and the exit status is that of the rest
  const withClean = await run(['scan', '--no-cache', out, TN]);
  assert.equal(withClean.code, 0, withClean.err);
  assert.match(withClean.err, /warning: no \.c\/\.h files to scan, but 3 patch files/);
  // a source tree that happens to hold patches (at its top or below) is scanned as usual, without the note
  const src = tree('fpsrc', { 'fix.patch': mail, 'drivers/block/frob/frob.c': FROB_C.join('\n'), 'patches/0001-x.patch': mail });
  const scanned = await run(['scan', '--no-cache', src]);
  assert.equal(scanned.code, 0, scanned.err);
  assert.doesNotMatch(scanned.err, /patch file/);
  const nested = await run(['scan', '--no-cache', path.join(src, 'drivers')]);
  assert.doesNotMatch(nested.err, /patch file/);
});

test('cli scan PATCH without --base: nothing found from the hunks alone says so on stderr (not in mailback mode)', async () => {
  const patch = path.join(tmpdir('nobase'), '0001-frob.patch');
  // the allocation becomes vmalloc memory; the mapping three lines below is outside the hunk
  fs.writeFileSync(patch, oneLinePatch('drivers/block/frob/frob.c', FROB_C, 11, '\tbuf = vzalloc(len);'));
  const text = await run(['scan', '--no-cache', patch]);
  assert.equal(text.code, 0);
  assert.equal(text.out, '');
  assert.match(text.err, /reviewed without --base: only the lines the hunks show were analysed/);
  const mail = await run(['scan', '--no-cache', '--format', 'mailback', patch]);
  assert.equal(mail.err, '');
  // with the tree it applies to, the whole file is analysed and the note is gone
  const base = tree('nobase-tree', { 'drivers/block/frob/frob.c': FROB_C.join('\n') });
  const withBase = await run(['scan', '--no-cache', '--kernel', '5.2', patch, '--base', base]);
  assert.doesNotMatch(withBase.err, /without --base/);
});

test('cli scan: information alone exits 0; --no-kbuild keeps the warning of an x86-only driver', async () => {
  const tree = path.join(FIX, 'kbuild', 'tree');
  const x86 = path.join(tree, 'drivers', 'shared', 'shx86.c');
  const info = await run(['scan', x86, '--no-cache', '--quiet']);
  assert.equal(info.code, 0, info.err);
  assert.match(info.out, /shx86\.c:\d+:\d+: info: .*built only with CONFIG_SHX86/);
  const kept = await run(['scan', x86, '--no-cache', '--quiet', '--no-kbuild']);
  assert.equal(kept.code, 1);
  assert.match(kept.out, /shx86\.c:\d+:\d+: warning: /);
  const anywhere = await run(['scan', path.join(tree, 'drivers', 'shared', 'shdev.c'), '--no-cache', '--quiet']);
  assert.equal(anywhere.code, 1);
  // a linear-map error in an x86-only file still fails
  const linear = await run(['scan', path.join(tree, 'drivers', 'camx'), '--no-cache', '--quiet']);
  assert.equal(linear.code, 1);
  assert.match(linear.out, /camx_main\.c:\d+:\d+: error: /);
});
