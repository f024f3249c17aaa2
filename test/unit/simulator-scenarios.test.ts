// Exact corrupted-byte counts per named scenario and profile, worked out by hand (see comments),
// plus the invariants: fixed code never corrupts where the kernel implements the API, PIPT never
// corrupts from cache effects, api-noop stays broken on nios2 and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROFILES, profileById } from '../../simulator/profiles';
import { namedScenario, scenarioFromFacts, SCENARIO_NAMES, DEFAULT_SIZE, type ScenarioName } from '../../simulator/scenarios';
import { runScenario, countDifferences, type ArchResult } from '../../simulator/run';
import { simulateFinding } from '../../simulator/simulate';
import type { FindingFacts } from '../../analyzer/types';

function run(name: ScenarioName, arch: string, size?: number): ArchResult {
  const p = profileById(arch);
  assert.ok(p);
  return runScenario(p, namedScenario(name, size));
}

type Row = Record<string, [asWritten: number, fixed: number]>;

// Default buffer: 8192 bytes = 2 pages = 256 lines of 32 B (128 lines of 64 B on x86-64/arm64).
const EXPECTED: Record<ScenarioName, Row> = {
  // The CPU reads then overwrites the whole buffer through the vmalloc alias: 256 dirty alias
  // lines (all fit: 8 KB is at most half of every aliasing cache here). dma_map cleans the linear
  // alias, which holds nothing, so the device reads the old 00s: all 8192 bytes wrong on every
  // aliasing cache. x86-64 snoops the dirty lines; arm64 cleans the single physical line through
  // the linear address. The fix (flush before submission) repairs everything except nios2, whose
  // flush_kernel_vmap_range() is the empty generic stub (and the aliasing xtensa core, same gap).
  'write-no-flush': {
    'armv5-vivt': [8192, 0], 'armv6-vipt-aliasing': [8192, 0], 'armv6-vipt-aliasing-64k': [8192, 0], sh4: [8192, 0],
    'mips-r4k': [8192, 0], parisc: [8192, 0], nios2: [8192, 8192], 'xtensa-aliasing': [8192, 8192], 'x86-64': [0, 0], arm64: [0, 0],
  },
  // The CPU read the first line of each page before the I/O: 2 stale 32-byte lines = 64 bytes the
  // CPU later reads as 00 instead of d5. PA-RISC moves in every other line of both pages (it holds
  // translations for them) before the device's data lands: all 8192 bytes stale. Fixed: the
  // invalidate drops them (nios2: no-op, still 64).
  'read-no-invalidate': {
    'armv5-vivt': [64, 0], 'armv6-vipt-aliasing': [64, 0], 'armv6-vipt-aliasing-64k': [64, 0], sh4: [64, 0],
    'mips-r4k': [64, 0], parisc: [8192, 0], nios2: [64, 64], 'xtensa-aliasing': [64, 64], 'x86-64': [0, 0], arm64: [0, 0],
  },
  // 256 dirty 5a lines in the alias during a read. One line (buf+0x1000) is evicted after the
  // device wrote d5: 32 bytes of 5a land on the device's data everywhere. At completion ARM, MIPS
  // and PA-RISC "invalidate" by clean+invalidate (or whole-cache flush), writing the other 255
  // lines back too: 8192 bytes. SH-4's invalidate discards them: only the evicted 32 bytes.
  // nios2 never invalidates: the CPU reads its own dirty lines (255 × 32) plus the evicted one.
  'read-dirty-no-flush': {
    'armv5-vivt': [8192, 0], 'armv6-vipt-aliasing': [8192, 0], 'armv6-vipt-aliasing-64k': [8192, 0], sh4: [32, 0],
    'mips-r4k': [8192, 0], parisc: [8192, 0], nios2: [8192, 8192], 'xtensa-aliasing': [8192, 8192], 'x86-64': [0, 0], arm64: [0, 0],
  },
  // As read-no-invalidate, but the invalidate runs on [buf+size, buf+2*size): the 64 stale bytes
  // stay. PA-RISC's invalidate flushes the whole cache whatever the range: 0.
  'wrong-range': {
    'armv5-vivt': [64, 0], 'armv6-vipt-aliasing': [64, 0], 'armv6-vipt-aliasing-64k': [64, 0], sh4: [64, 0],
    'mips-r4k': [64, 0], parisc: [0, 0], nios2: [64, 64], 'xtensa-aliasing': [64, 64], 'x86-64': [0, 0], arm64: [0, 0],
  },
  // Correct code (flush before the write): only nios2 and the aliasing xtensa core, where the
  // flush is a no-op, lose all 8192.
  'api-noop': {
    'armv5-vivt': [0, 0], 'armv6-vipt-aliasing': [0, 0], 'armv6-vipt-aliasing-64k': [0, 0], sh4: [0, 0],
    'mips-r4k': [0, 0], parisc: [0, 0], nios2: [8192, 8192], 'xtensa-aliasing': [8192, 8192], 'x86-64': [0, 0], arm64: [0, 0],
  },
  // virt_to_page() on the vmalloc address: the device reads an unrelated page (00): every byte
  // wrong everywhere, x86 included. Fixed (vmalloc_to_page + flush) = write-no-flush fixed.
  'linear-map': {
    'armv5-vivt': [8192, 0], 'armv6-vipt-aliasing': [8192, 0], 'armv6-vipt-aliasing-64k': [8192, 0], sh4: [8192, 0],
    'mips-r4k': [8192, 0], parisc: [8192, 0], nios2: [8192, 8192], 'xtensa-aliasing': [8192, 8192], 'x86-64': [8192, 0], arm64: [8192, 0],
  },
};

for (const name of SCENARIO_NAMES) {
  for (const p of PROFILES) {
    test(`${name} on ${p.id}: exact corrupted bytes as written and fixed`, () => {
      const r = run(name, p.id);
      const [w, f] = EXPECTED[name][p.id];
      assert.equal(r.corruptedBytes, w, 'as written');
      assert.equal(r.fixed.corruptedBytes, f, 'fixed');
      assert.equal(r.verdict, w ? 'corrupted' : 'ok');
    });
  }
}

test('every scenario and profile has an expected row', () => {
  for (const name of SCENARIO_NAMES) assert.deepEqual(Object.keys(EXPECTED[name]).sort(), PROFILES.map((p) => p.id).sort());
});

test('invariant: the fixed run never corrupts where the kernel implements the API', () => {
  for (const name of SCENARIO_NAMES) {
    for (const p of PROFILES.filter((x) => x.kernelImplementsApi)) {
      for (const size of [100, 4096, 8192, 12288 + 40]) {
        const r = runScenario(p, namedScenario(name, size));
        assert.equal(r.fixed.corruptedBytes, 0, `${name} ${p.id} size ${size}`);
      }
    }
  }
});

test('invariant: PIPT profiles never corrupt through cache effects', () => {
  for (const name of SCENARIO_NAMES.filter((n) => n !== 'linear-map')) {
    for (const p of PROFILES.filter((x) => x.indexing === 'PIPT')) {
      for (const size of [64, 8192, 40000]) assert.equal(runScenario(p, namedScenario(name, size)).corruptedBytes, 0, `${name} ${p.id}`);
    }
  }
});

test('api-noop on nios2: corrupted even fixed, and the result says why', () => {
  const r = run('api-noop', 'nios2');
  assert.equal(r.fixed.corruptedBytes, 8192);
  assert.ok(r.fixed.notes.some((n) => /empty on nios2/.test(n) && /fix cannot work/.test(n)), r.fixed.notes.join('|'));
  assert.match(namedScenario('api-noop').fixDescription, /kernel/);
});

test('write-no-flush on armv5: bytes, first offset, lines and timeline', () => {
  const r = run('write-no-flush', 'armv5-vivt');
  assert.equal(r.firstCorruptOffset, 0);
  assert.equal(r.expected, Array(16).fill('5a').join(' '));
  assert.equal(r.observed, Array(16).fill('00').join(' '));
  // At the device read, all 256 vmalloc-alias lines are cached and dirty.
  assert.equal(r.linesTotal, 256);
  assert.equal(r.dirtyLines, 256);
  assert.equal(r.lines[0].alias, 'vmap');
  assert.equal(r.lines[0].offset, 0);
  assert.equal(r.lines[0].dirty, true);
  assert.equal(r.lines[0].set, 0);
  assert.deepEqual(r.steps.map((s) => s.op), ['cpu-load', 'cpu-store', 'dma-map', 'device-read', 'dma-unmap']);
  assert.deepEqual(r.fixed.steps.map((s) => s.op), ['cpu-load', 'cpu-store', 'flush-vmap', 'dma-map', 'device-read', 'dma-unmap']);
  assert.equal(r.steps[1].counts['vmap:store'], 256);
  assert.equal(r.fixed.steps[2].counts['vmap:clean'], 256, 'the flush writes back 256 dirty lines');
  assert.equal(r.fixed.expected, r.fixed.observed);
});

test('read-dirty-no-flush on sh4: the discard keeps the device data except the evicted line', () => {
  const r = run('read-dirty-no-flush', 'sh4');
  assert.equal(r.firstCorruptOffset, 0x1000);
  assert.equal(r.expected.split(' ')[0], 'd5');
  assert.equal(r.observed.split(' ')[0], '5a');
  const inv = r.steps.find((s) => s.op === 'invalidate-vmap');
  assert.ok(inv);
  assert.equal(inv.counts['vmap:discard'], 255);
  assert.equal(inv.counts['vmap:clean'], undefined, 'SH-4 invalidate writes nothing back');
  const arm = run('read-dirty-no-flush', 'armv5-vivt').steps.find((s) => s.op === 'invalidate-vmap');
  assert.ok(arm);
  assert.equal(arm.counts['vmap:clean'], 255, 'ARM clean+invalidate writes the 255 dirty lines back');
});

test('parisc: speculative move-in shows in the timeline', () => {
  const r = run('read-no-invalidate', 'parisc');
  const spec = r.steps.find((s) => s.op === 'speculate');
  assert.ok(spec);
  // 2 vmalloc pages × 128 lines, minus the 2 lines already loaded; plus 2 linear pages × 128.
  assert.equal(spec.counts['vmap:move-in'], 254);
  assert.equal(spec.counts['linear:move-in'], 256);
  assert.equal(run('read-no-invalidate', 'armv5-vivt').steps.some((s) => s.op === 'speculate'), false);
});

test('VIPT notes state the random-placement probability; VIVT says always distinct', () => {
  assert.ok(run('write-no-flush', 'armv6-vipt-aliasing').notes.some((n) => n.includes('50.0%')));
  assert.ok(run('write-no-flush', 'sh4').notes.some((n) => n.includes('75.0%')));
  assert.ok(run('write-no-flush', 'armv5-vivt').notes.some((n) => /always occupy different lines/.test(n)));
});

test('sizes: partial lines and buffers larger than the cache', () => {
  // 100 bytes = 3 full lines + 4 bytes, all dirty in the alias: every byte wrong.
  assert.equal(run('write-no-flush', 'armv5-vivt', 100).corruptedBytes, 100);
  // 64 KB through a 16 KB 4-way VIVT read-allocate cache: after the read only the last 16 KB are
  // cached; stores to the first 48 KB miss and go straight to memory, stores to the last 16 KB
  // dirty the cached alias lines, which the device never sees: 16384 bytes lost.
  assert.equal(run('write-no-flush', 'armv5-vivt', 65536).corruptedBytes, 16384);
});

const base: FindingFacts = { rule: 'vmap-io-missing-flush', direction: 'write', cpuWroteBefore: true, cpuReadsAfter: false, hasFlush: false, hasInvalidate: false, source: 'vmalloc' };

test('scenarioFromFacts picks the scenario the facts describe', () => {
  assert.equal(scenarioFromFacts(base).name, 'write-no-flush');
  assert.equal(scenarioFromFacts({ ...base, rule: 'vmap-io-missing-invalidate', direction: 'read', cpuWroteBefore: false, cpuReadsAfter: true }).name, 'read-no-invalidate');
  assert.equal(scenarioFromFacts({ ...base, direction: 'read', cpuReadsAfter: true, hasInvalidate: true }).name, 'read-dirty-no-flush');
  assert.equal(scenarioFromFacts({ ...base, rule: 'vmap-io-maintenance-range', direction: 'read', hasInvalidate: true, wrongRange: true, cpuWroteBefore: false }).name, 'wrong-range');
  assert.equal(scenarioFromFacts({ ...base, rule: 'vmalloc-linear-map' }).name, 'linear-map');
  assert.equal(scenarioFromFacts({ ...base, rule: 'vmap-io-missing-invalidate', direction: 'both', cpuWroteBefore: false }).direction, 'read');
});

test('scenarioFromFacts: default size two pages, known size used, fix applied', () => {
  const s = scenarioFromFacts(base);
  assert.equal(s.sizeBytes, DEFAULT_SIZE);
  assert.ok(s.assumptions.some((a) => a.includes('unknown')));
  const t = scenarioFromFacts({ ...base, sizeBytes: 512 });
  assert.equal(t.sizeBytes, 512);
  assert.ok(!t.asWritten.some((o) => o.kind === 'flush-vmap'));
  assert.ok(t.fixed.some((o) => o.kind === 'flush-vmap' && o.offset === 0 && o.length === 512));
  assert.match(t.fixDescription, /flush_kernel_vmap_range\(buf, 512\)/);
  // A read that already invalidates the wrong range: the fix invalidates the right one.
  const w = scenarioFromFacts({ ...base, rule: 'vmap-io-maintenance-range', direction: 'read', cpuWroteBefore: false, hasInvalidate: true, wrongRange: true, sizeBytes: 4096 });
  assert.ok(w.asWritten.some((o) => o.kind === 'invalidate-vmap' && o.offset === 4096));
  assert.ok(w.fixed.some((o) => o.kind === 'invalidate-vmap' && o.offset === 0 && o.length === 4096));
});

test('simulateFinding: all profiles by default, a chosen subset, JSON contract', () => {
  const rep = simulateFinding({ ...base, sizeBytes: 4096 });
  assert.equal(rep.results.length, PROFILES.length);
  const one = simulateFinding(base, ['sh4', 'x86-64']);
  assert.deepEqual(one.results.map((r) => r.arch), ['sh4', 'x86-64']);
  const json = JSON.parse(JSON.stringify(one.results[0])) as Record<string, unknown>;
  for (const k of ['arch', 'scenario', 'corruptedBytes', 'firstCorruptOffset', 'expected', 'observed', 'lines', 'steps', 'fixed']) assert.ok(k in json, k);
  const fixed = json.fixed as Record<string, unknown>;
  for (const k of ['corruptedBytes', 'firstCorruptOffset', 'expected', 'observed', 'lines', 'steps']) assert.ok(k in fixed, `fixed.${k}`);
  assert.throws(() => simulateFinding(base, ['vax']), /unknown architecture profile 'vax'/);
});

test('runs are deterministic (pooled machines are fully reset)', () => {
  const a = JSON.stringify(simulateFinding(base));
  simulateFinding({ ...base, direction: 'read', sizeBytes: 20000, cpuReadsAfter: true });
  assert.equal(JSON.stringify(simulateFinding(base)), a);
});

test('simulateFinding caps large buffers for hovers and says so', () => {
  const rep = simulateFinding({ ...base, sizeBytes: 1 << 20 });
  assert.equal(rep.sizeBytes, 32 * 1024);
  assert.match(rep.assumptions[0], /1048576 bytes; the simulation replays its first 32768 bytes/);
  assert.equal(simulateFinding({ ...base, sizeBytes: 1 << 20 }, ['sh4'], { maxBytes: 1 << 20 }).sizeBytes, 1 << 20);
});

test('scenarioFromFacts states what maybe-vmalloc and vmap sources assume', () => {
  assert.ok(scenarioFromFacts({ ...base, source: 'maybe-vmalloc' }).assumptions.some((a) => /vmalloc fallback/.test(a)));
  assert.ok(scenarioFromFacts({ ...base, source: 'vmap' }).assumptions.some((a) => /vmap\(\) of a page array/.test(a)));
  assert.ok(!scenarioFromFacts(base).assumptions.some((a) => /fallback|page array/.test(a)));
});

test('countDifferences: counts differing bytes and the first offset, word-aligned or not', () => {
  const a = new Uint8Array(23).fill(1);
  const b = a.slice();
  assert.deepEqual(countDifferences(a, b), { corrupted: 0, first: -1 });
  b[5] = 9; b[6] = 9; b[22] = 0;
  assert.deepEqual(countDifferences(a, b), { corrupted: 3, first: 5 });
  // Unaligned views take the byte path.
  assert.deepEqual(countDifferences(a.subarray(1), b.subarray(1)), { corrupted: 3, first: 4 });
});

test('speculative move-in can be forced on: ARM926 then loses the whole page in read-no-invalidate', () => {
  const p = profileById('armv5-vivt');
  assert.ok(p);
  // Forced on, the in-order ARM926 moves in the remaining 254 vmalloc lines (and the linear ones,
  // which the DMA unmap of ARMv5 does not invalidate — but the CPU reads through the alias) before
  // the device writes: 8192 stale bytes instead of 64. The fix still repairs it.
  const on = runScenario(p, namedScenario('read-no-invalidate'), { speculate: true });
  assert.equal(on.corruptedBytes, 8192);
  assert.equal(on.fixed.corruptedBytes, 0);
  assert.ok(on.notes.some((n) => /forced on by the user/.test(n)));
  // Forced off, PA-RISC behaves like the in-order CPUs.
  const parisc = profileById('parisc');
  assert.ok(parisc);
  assert.equal(runScenario(parisc, namedScenario('read-no-invalidate'), { speculate: false }).corruptedBytes, 64);
  // The profile objects themselves are untouched.
  assert.equal(p.speculativeMoveIn, false);
});

test('a read whose data the analysed code never reads says who the final read stands for', () => {
  const r = scenarioFromFacts({ ...base, rule: 'vmap-io-missing-invalidate', direction: 'read', cpuWroteBefore: false, cpuReadsAfter: false });
  assert.ok(r.assumptions.some((a) => /does not read the buffer after completion/.test(a)));
  assert.ok(!namedScenario('read-no-invalidate').assumptions.some((a) => /does not read/.test(a)));
});

test('a read without invalidate corrupts on every aliasing profile whatever the buffer size', () => {
  // larger than a cache way: the stale lines the CPU touched before the I/O must survive until it reads them
  for (const size of [8192, 32768, 65536]) {
    for (const p of PROFILES.filter((x) => x.indexing !== 'PIPT' && x.kernelImplementsApi && !x.coherentDma)) {
      const r = runScenario(p, namedScenario('read-no-invalidate', size));
      assert.equal(r.verdict, 'corrupted', `${p.id} at ${size} bytes: ${r.notes.join(' ')}`);
      assert.equal(r.fixed.verdict, 'ok', `${p.id} at ${size} bytes with the fix`);
    }
  }
});
