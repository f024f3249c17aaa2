// Renderers and the `vmalias simulate` command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { simulateNamed } from '../../simulator/simulate';
import { renderMarkdown, byteExample } from '../../simulator/render/markdown';
import { renderText } from '../../simulator/render/text';
import { renderSvg } from '../../simulator/render/svg';
import { SIMULATION_CSS } from '../../simulator/render/simulation-css.generated';
import { simulateCommand } from '../../simulator/command';
import { PROFILES } from '../../simulator/profiles';

const root = path.resolve(__dirname, '..', '..', '..');

function cmd(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = simulateCommand(argv, (s) => { out += s; }, (s) => { err += s; });
  return { code, out, err };
}

test('markdown: one row per architecture, a concrete byte example, the fixed result', () => {
  const md = renderMarkdown(simulateNamed('write-no-flush'));
  const rows = md.split('\n').filter((l) => l.startsWith('| `'));
  assert.equal(rows.length, PROFILES.length);
  assert.match(md, /\| `armv5-vivt` VIVT \| ✗ 8192 of 8192 B corrupted \| ✓ intact \|/);
  assert.match(md, /\| `nios2` VIPT, 8 colours \| ✗ 8192 of 8192 B corrupted \| ✗ 8192 of 8192 B corrupted \(API is a no-op here\) \|/);
  assert.match(md, /the CPU wrote `5a 5a 5a 5a` at buf; the device received `00 00 00 00`/);
  assert.match(md, /With the fix: the CPU wrote `5a 5a 5a 5a` at buf; the device received `5a 5a 5a 5a`/);
  assert.match(md, /Fix: flush_kernel_vmap_range\(buf, 8192\) before submission\./);
});

test('markdown for a read names the device and the CPU, at the first corrupt offset', () => {
  const rep = simulateNamed('read-dirty-no-flush', ['sh4']);
  assert.equal(byteExample(rep.results[0]), 'the device wrote `d5 d5 d5 d5` at buf+0x1000; the CPU read `5a 5a 5a 5a`');
});

test('markdown when nothing corrupts says so', () => {
  const md = renderMarkdown(simulateNamed('write-no-flush', ['x86-64', 'arm64']));
  assert.match(md, /No corruption on the architectures simulated/);
});

test('text: verdicts, placement, lines and both timelines for one profile', () => {
  const t = renderText(simulateNamed('read-no-invalidate', ['parisc']));
  assert.match(t, /== parisc/);
  assert.match(t, /as written: CORRUPTED 8192\/8192 bytes, first at buf\+0x0/);
  assert.match(t, /with fix: {3}ok \(0 bytes corrupted\)/);
  assert.match(t, /moved in speculatively/);
  assert.match(t, /timeline with the fix:/);
  assert.match(t, /invalidate_kernel_vmap_range\(buf, 8192\)/);
});

test('svg: well-formed, one frame per step, both aliases coloured, CSS inlined from media/', () => {
  const rep = simulateNamed('write-no-flush', ['armv6-vipt-aliasing'], undefined, { frames: true });
  const svg = renderSvg(rep);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  const r = rep.results[0];
  const frames = svg.match(/class="vmsim-step"/g) ?? [];
  assert.equal(frames.length, r.steps.length + r.fixed.steps.length);
  assert.match(svg, /vmsim-cell vmsim-vmap vmsim-dirty/);
  assert.ok(svg.includes(SIMULATION_CSS), 'inlined CSS');
  assert.ok(!renderSvg(rep, { inlineCss: false }).includes('<style>'));
  // Balanced groups and no raw '<' inside text.
  assert.equal((svg.match(/<g /g) ?? []).length, (svg.match(/<\/g>/g) ?? []).length);
  // The fixed run's flush makes the linear alias clean memory: one frame shows the flush step.
  assert.match(svg, /flush_kernel_vmap_range/);
});

test('svg frames: the VIPT aliases sit in different sets', () => {
  const rep = simulateNamed('write-no-flush', ['sh4'], undefined, { frames: true });
  const store = rep.results[0].steps[1];
  const vmapRows = store.frame.filter((row) => row.cells.some((c) => c.alias === 'vmap'));
  assert.ok(vmapRows.length > 0);
  for (const row of vmapRows) assert.ok(row.cells.every((c) => c.alias !== 'linear'));
  assert.ok(vmapRows.every((row) => row.cells[0].dirty && row.cells[0].byte === '5a'));
});

test('media/simulation.css is the source of the generated CSS module', () => {
  const css = readFileSync(path.join(root, 'media', 'simulation.css'), 'utf8');
  assert.equal(SIMULATION_CSS, css, 'run: node simulator/render/gen-css.mjs');
});

test('command: json for one profile is the contract object', () => {
  const r = cmd(['--scenario', 'write-no-flush', '--arch', 'armv5-vivt', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out) as { arch: string; scenario: string; corruptedBytes: number; firstCorruptOffset: number; expected: string; observed: string; lines: unknown[]; steps: unknown[]; fixed: { corruptedBytes: number } };
  assert.equal(o.arch, 'armv5-vivt');
  assert.equal(o.scenario, 'write-no-flush');
  assert.equal(o.corruptedBytes, 8192);
  assert.equal(o.firstCorruptOffset, 0);
  assert.ok(o.expected.startsWith('5a 5a'));
  assert.ok(o.observed.startsWith('00 00'));
  assert.ok(o.lines.length > 0 && o.steps.length > 0);
  assert.equal(o.fixed.corruptedBytes, 0);
  const steps = o.steps as { frame: unknown[] }[];
  assert.ok(steps.every((st) => st.frame.length === 0), 'no frames without --frames');
  const withFrames = JSON.parse(cmd(['--scenario', 'write-no-flush', '--arch', 'armv5-vivt', '--format', 'json', '--frames']).out) as { steps: { frame: unknown[] }[] };
  assert.ok(withFrames.steps.every((st) => st.frame.length > 0));
});

test('command: --arch all gives an array, --size and = forms work, leading "simulate" accepted', () => {
  const all = cmd(['simulate', '--scenario=read-no-invalidate', '--arch=all', '--format=json', '--size', '0x1000']);
  assert.equal(all.code, 0, all.err);
  const arr = JSON.parse(all.out) as { arch: string; sizeBytes: number }[];
  assert.equal(arr.length, PROFILES.length);
  assert.ok(arr.every((x) => x.sizeBytes === 4096));
  const two = JSON.parse(cmd(['--scenario', 'api-noop', '--arch', 'nios2,sh4', '--format', 'json']).out) as { arch: string }[];
  assert.deepEqual(two.map((x) => x.arch), ['nios2', 'sh4']);
});

test('command: text, markdown and svg formats', () => {
  assert.match(cmd(['--scenario', 'wrong-range', '--arch', 'mips-r4k']).out, /== mips-r4k/);
  assert.match(cmd(['--scenario', 'wrong-range', '--format', 'markdown']).out, /\*\*Cache-alias simulation\*\*/);
  assert.match(cmd(['--scenario', 'wrong-range', '--arch', 'sh4', '--format', 'svg']).out, /^<svg /);
});

test('command: usage errors exit 2 with a clear message', () => {
  const cases: [string[], RegExp][] = [
    [[], /--scenario is required/],
    [['--scenario', 'nope'], /unknown scenario 'nope'/],
    [['--scenario', 'api-noop', '--arch', 'vax'], /unknown architecture profile 'vax'/],
    [['--scenario', 'api-noop', '--size', '-5'], /--size must be a number of bytes/],
    [['--scenario', 'api-noop', '--size', '99999999999'], /--size must be a number of bytes/],
    [['--scenario', 'api-noop', '--format', 'pdf'], /--format must be one of json, text, markdown, svg/],
    [['--scenario'], /--scenario needs a value/],
    [['--bogus'], /unknown argument '--bogus'/],
  ];
  for (const [argv, re] of cases) {
    const r = cmd(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, re);
    assert.equal(r.out, '');
  }
});

test('command: --help and --list exit 0', () => {
  assert.match(cmd(['--help']).out, /usage: vmalias simulate/);
  const l = cmd(['--list']);
  assert.equal(l.code, 0);
  for (const p of PROFILES) assert.ok(l.out.includes(p.id));
});

test('command: --speculate on|off', () => {
  const on = JSON.parse(cmd(['--scenario', 'read-no-invalidate', '--arch', 'sh4', '--format', 'json', '--speculate', 'on']).out) as { corruptedBytes: number };
  assert.equal(on.corruptedBytes, 8192);
  const r = cmd(['--scenario', 'read-no-invalidate', '--speculate', 'maybe']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--speculate must be on or off/);
});
