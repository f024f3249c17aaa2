// Property-based tests (fast-check) over random operation sequences on the machine model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PROFILES, profileById, colourOf, type ArchProfile } from '../../simulator/profiles';
import { Machine, type Segment } from '../../simulator/machine';
import { placementFor } from '../../simulator/run';

type Action =
  | { t: 'store'; off: number; len: number; byte: number; linear: boolean }
  | { t: 'load'; off: number; len: number; linear: boolean }
  | { t: 'evict'; off: number }
  | { t: 'spec' }
  | { t: 'write-io' }
  | { t: 'read-io'; byte: number; evictDuring: number };

function actionArb(size: number, allowLinear: boolean): fc.Arbitrary<Action> {
  const off = fc.integer({ min: 0, max: size - 1 });
  const range = off.chain((o) => fc.record({ off: fc.constant(o), len: fc.integer({ min: 1, max: Math.min(300, size - o) }) }));
  const linear = allowLinear ? fc.boolean() : fc.constant(false);
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ r: range, byte: fc.integer({ min: 1, max: 255 }), linear }).map(({ r, byte, linear: l }) => ({ t: 'store' as const, off: r.off, len: r.len, byte, linear: l })) },
    { weight: 3, arbitrary: fc.record({ r: range, linear }).map(({ r, linear: l }) => ({ t: 'load' as const, off: r.off, len: r.len, linear: l })) },
    { weight: 2, arbitrary: off.map((o) => ({ t: 'evict' as const, off: o })) },
    { weight: 1, arbitrary: fc.constant({ t: 'spec' as const }) },
    { weight: 2, arbitrary: fc.constant({ t: 'write-io' as const }) },
    { weight: 2, arbitrary: fc.record({ byte: fc.integer({ min: 1, max: 255 }), evictDuring: off }).map((x) => ({ t: 'read-io' as const, ...x })) },
  );
}

interface Rig {
  m: Machine;
  vmap: number;
  segs: Segment[];
  linearOf: (off: number) => number;
}

/** A random placement: vmalloc page slot and one frame per page (distinct). */
interface RandomPlacement {
  vmapPage: number;
  pfns: number[];
}

const placementArb = (pages: number): fc.Arbitrary<RandomPlacement> => fc.record({
  vmapPage: fc.integer({ min: 0, max: 1023 }),
  pfns: fc.uniqueArray(fc.integer({ min: 0x100, max: 0x3fff }), { minLength: pages, maxLength: pages }),
});

function rig(p: ArchProfile, size: number, random?: RandomPlacement): Rig {
  const m = new Machine(p, 0);
  const pl = placementFor(p, size);
  const vmap = random ? pl.vmapBase + random.vmapPage * p.pageBytes : pl.vmapBase;
  const pfns = random ? random.pfns : pl.pfns;
  m.mapVmalloc(vmap, pfns);
  const segs = pfns.map((pfn, i) => ({ pa: pfn * p.pageBytes, length: Math.min(p.pageBytes, size - i * p.pageBytes) }));
  const linearOf = (off: number) => p.pageOffset + pfns[Math.floor(off / p.pageBytes)] * p.pageBytes + (off % p.pageBytes);
  return { m, vmap, segs, linearOf };
}

/**
 * Replays actions; `maintain` adds flush_kernel_vmap_range before every I/O and
 * invalidate_kernel_vmap_range after every read. Returns the first disagreement, or undefined.
 */
function replay(p: ArchProfile, size: number, actions: Action[], maintain: boolean, placement?: RandomPlacement): string | undefined {
  const { m, vmap, segs, linearOf } = rig(p, size, placement);
  const shadow = new Uint8Array(size);
  // A CPU access through the linear alias covers one page at most (linear addresses of different
  // pages are not contiguous); clip to the page.
  const clip = (off: number, len: number, linear: boolean) => (linear ? Math.min(len, p.pageBytes - (off % p.pageBytes)) : len);
  for (const [i, a] of actions.entries()) {
    switch (a.t) {
      case 'store': {
        const len = clip(a.off, a.len, a.linear);
        m.cpuStore(a.linear ? linearOf(a.off) : vmap + a.off, new Uint8Array(len).fill(a.byte));
        shadow.fill(a.byte, a.off, a.off + len);
        break;
      }
      case 'load': {
        const len = clip(a.off, a.len, a.linear);
        const got = m.cpuLoad(a.linear ? linearOf(a.off) : vmap + a.off, len);
        if (!Buffer.from(got).equals(Buffer.from(shadow.subarray(a.off, a.off + len)))) return `action ${i}: CPU load at +${a.off} disagrees`;
        break;
      }
      case 'evict': m.evict(vmap + a.off, 1); break;
      case 'spec': m.speculate(); break;
      case 'write-io': {
        if (maintain) m.flushKernelVmapRange(vmap, size);
        m.dmaMap(segs, 'to-device');
        m.speculate();
        const disk = m.deviceRead(segs);
        m.dmaUnmap(segs, 'to-device');
        if (!Buffer.from(disk).equals(Buffer.from(shadow))) return `action ${i}: the device read stale data`;
        break;
      }
      case 'read-io': {
        if (maintain) m.flushKernelVmapRange(vmap, size);
        m.dmaMap(segs, 'from-device');
        m.speculate();
        m.deviceWrite(segs, new Uint8Array(size).fill(a.byte));
        m.evict(vmap + a.evictDuring, 1);
        m.dmaUnmap(segs, 'from-device');
        if (maintain) m.invalidateKernelVmapRange(vmap, size);
        shadow.fill(a.byte);
        break;
      }
    }
  }
  const final = m.cpuLoad(vmap, size);
  if (!Buffer.from(final).equals(Buffer.from(shadow))) return 'final CPU read disagrees';
  return undefined;
}

const sizeArb = fc.integer({ min: 1, max: 3 * 4096 });

test('correctly maintained random sequences never corrupt (every profile whose kernel implements the API)', () => {
  for (const p of PROFILES.filter((x) => x.kernelImplementsApi)) {
    fc.assert(
      fc.property(sizeArb.chain((size) => fc.tuple(fc.constant(size), fc.array(actionArb(size, false), { maxLength: 25 }))), ([size, actions]) => {
        const bad = replay(p, size, actions, true);
        assert.equal(bad, undefined, `${p.id}: ${bad}`);
      }),
      { numRuns: 60, seed: 0x5a5a },
    );
  }
});

test('correctly maintained random sequences never corrupt for random placements either', () => {
  for (const p of PROFILES.filter((x) => x.kernelImplementsApi)) {
    const arb = sizeArb.chain((size) => fc.tuple(
      fc.constant(size),
      fc.array(actionArb(size, false), { maxLength: 20 }),
      placementArb(Math.ceil(size / p.pageBytes)),
    ));
    fc.assert(
      fc.property(arb, ([size, actions, placement]) => {
        const bad = replay(p, size, actions, true, placement);
        assert.equal(bad, undefined, `${p.id}: ${bad}`);
      }),
      { numRuns: 40, seed: 0x1136 },
    );
  }
});

test('PIPT never corrupts, without any vmap maintenance and with CPU access through both aliases', () => {
  for (const p of PROFILES.filter((x) => x.indexing === 'PIPT')) {
    fc.assert(
      fc.property(sizeArb.chain((size) => fc.tuple(fc.constant(size), fc.array(actionArb(size, true), { maxLength: 30 }))), ([size, actions]) => {
        const bad = replay(p, size, actions, false);
        assert.equal(bad, undefined, `${p.id}: ${bad}`);
      }),
      { numRuns: 150, seed: 0xd5 },
    );
  }
});

test('the same sequences without maintenance do corrupt on aliasing caches (the properties can fail)', () => {
  const p = profileById('armv5-vivt');
  assert.ok(p);
  const actions: Action[] = [{ t: 'load', off: 0, len: 64, linear: false }, { t: 'store', off: 0, len: 64, byte: 0x5a, linear: false }, { t: 'write-io' }];
  assert.match(replay(p, 4096, actions, false) ?? '', /stale/);
  assert.equal(replay(p, 4096, actions, true), undefined);
});

/** Write-no-flush with a chosen placement: bytes the device got wrong. */
function writeNoFlush(p: ArchProfile, vmapPage: number, pfn: number, lines: number): number {
  const m = new Machine(p, 0);
  const va = Math.ceil(p.vmallocStart / 0x400000) * 0x400000 + vmapPage * p.pageBytes;
  m.mapVmalloc(va, [pfn]);
  const len = lines * p.lineBytes;
  m.cpuLoad(va, len);
  m.cpuStore(va, new Uint8Array(len).fill(0x5a));
  const segs = [{ pa: pfn * p.pageBytes, length: len }];
  m.dmaMap(segs, 'to-device');
  return m.deviceRead(segs).filter((b) => b !== 0x5a).length;
}

test('write without flush corrupts on VIVT for every placement (so for some)', () => {
  const p = profileById('armv5-vivt');
  assert.ok(p);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0x100, max: 0x3fff }), fc.integer({ min: 1, max: 64 }), (page, pfn, lines) => {
      assert.equal(writeNoFlush(p, page, pfn, lines), lines * p.lineBytes);
    }),
    { numRuns: 200, seed: 7 },
  );
});

test('write without flush on aliasing VIPT corrupts exactly when the two colours differ', () => {
  for (const id of ['armv6-vipt-aliasing', 'sh4', 'nios2']) {
    const p = profileById(id);
    assert.ok(p);
    let sawSame = false;
    let sawDiff = false;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0x100, max: 0x3fff }), (page, pfn) => {
        const va = Math.ceil(p.vmallocStart / 0x400000) * 0x400000 + page * p.pageBytes;
        const differ = colourOf(p, va) !== colourOf(p, p.pageOffset + pfn * p.pageBytes);
        if (differ) sawDiff = true; else sawSame = true;
        const bad = writeNoFlush(p, page, pfn, 8);
        assert.equal(bad > 0, differ, `${id} page ${page} pfn ${pfn}`);
      }),
      { numRuns: 200, seed: 11 },
    );
    assert.ok(sawSame && sawDiff, `${id}: both kinds of placement were generated`);
  }
});

test('after a full clean, memory equals what the CPU last wrote (every profile)', () => {
  for (const p of PROFILES) {
    fc.assert(
      fc.property(sizeArb.chain((size) => fc.tuple(fc.constant(size), fc.array(actionArb(size, false).filter((a) => a.t === 'store' || a.t === 'load' || a.t === 'evict' || a.t === 'spec'), { maxLength: 40 }))), ([size, actions]) => {
        const { m, vmap, segs } = rig(p, size);
        const shadow = new Uint8Array(size);
        for (const a of actions) {
          if (a.t === 'store') { m.cpuStore(vmap + a.off, new Uint8Array(a.len).fill(a.byte)); shadow.fill(a.byte, a.off, a.off + a.len); }
          else if (a.t === 'load') m.cpuLoad(vmap + a.off, a.len);
          else if (a.t === 'evict') m.evict(vmap + a.off, 1);
          else if (a.t === 'spec') m.speculate();
        }
        m.cleanAll();
        const mem = new Uint8Array(size);
        let pos = 0;
        for (const s of segs) { m.mem.read(s.pa, mem.subarray(pos, pos + s.length)); pos += s.length; }
        assert.ok(Buffer.from(mem).equals(Buffer.from(shadow)), `${p.id}: memory differs after cleanAll`);
      }),
      { numRuns: 50, seed: 3 },
    );
  }
});
