// Index, tag and colour arithmetic of every profile against values computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROFILES, profileById, geometry, colourOf, canAlias, type ArchProfile } from '../../simulator/profiles';
import { indexerFor, setIndex, tagOf } from '../../simulator/cache';
import { placementFor } from '../../simulator/run';

function prof(id: string): ArchProfile {
  const p = profileById(id);
  assert.ok(p, `profile ${id} exists`);
  return p;
}

interface Hand {
  id: string;
  sets: number;
  wayBytes: number;
  colours: number;
  aliasProbability: number;
  /** a (va, pa) pair and the set/tag/colour worked out by hand */
  va: number;
  pa: number;
  set: number;
  tag: number;
  colour: number;
}

const HAND: Hand[] = [
  // 16 KB / (4 ways × 32 B) = 128 sets; way = 4 KB = one page. VIVT: set = (va / 32) % 128:
  // 0x1040 = 4160 bytes into the page → line 130 → 130 % 128 = 2. Tag = va / 4 KB = 0xc4801.
  { id: 'armv5-vivt', sets: 128, wayBytes: 4096, colours: 1, aliasProbability: 1, va: 0xc4801040, pa: 0x01002040, set: 2, tag: 0xc4801, colour: 0 },
  // 32 KB / (4 × 32) = 256 sets; way 8 KB → 2 colours. va mod 8 KB = 0x1040 = 4160 → line 130;
  // colour = 4160 / 4096 = 1. Physical tag = frame number 0x1002.
  { id: 'armv6-vipt-aliasing', sets: 256, wayBytes: 8192, colours: 2, aliasProbability: 0.5, va: 0xc4801040, pa: 0x01002040, set: 130, tag: 0x1002, colour: 1 },
  // 64 KB / (4 × 32) = 512 sets; way 16 KB → 4 colours. va mod 16 KB = 0x3040 = 12352 → line 386,
  // colour 12352 / 4096 = 3.
  { id: 'armv6-vipt-aliasing-64k', sets: 512, wayBytes: 16384, colours: 4, aliasProbability: 0.75, va: 0xc4803040, pa: 0x01002040, set: 386, tag: 0x1002, colour: 3 },
  // SH7750: 16 KB direct-mapped, 32 B: 512 sets, index = EA[13:5]. 0x2020 >> 5 = 0x101 = 257;
  // colour = 0x2020 / 4096 = 2.
  { id: 'sh4', sets: 512, wayBytes: 16384, colours: 4, aliasProbability: 0.75, va: 0xc0002020, pa: 0x00803020, set: 257, tag: 0x803, colour: 2 },
  // R4400: same geometry as SH7750. 0x3fe0 >> 5 = 511, colour 3.
  { id: 'mips-r4k', sets: 512, wayBytes: 16384, colours: 4, aliasProbability: 0.75, va: 0xc0003fe0, pa: 0x00001fe0, set: 511, tag: 0x1, colour: 3 },
  // 2 MB direct-mapped, 32 B: 65536 sets; way 2 MB / 4 KB = 512 colours. va mod 2 MB = 0x1ff000 + 0x40
  // → line (0x1ff040 / 32) = 0xff82 = 65410; colour 0x1ff = 511.
  { id: 'parisc', sets: 65536, wayBytes: 2097152, colours: 512, aliasProbability: 1 - 1 / 512, va: 0x501ff040, pa: 0x00002040, set: 65410, tag: 0x2, colour: 511 },
  // 32 KB direct-mapped, 32 B: 1024 sets; 8 colours. va mod 32 KB = 0x7000 → line 0x380 = 896, colour 7.
  { id: 'nios2', sets: 1024, wayBytes: 32768, colours: 8, aliasProbability: 0.875, va: 0x80007000, pa: 0x00001000, set: 896, tag: 0x1, colour: 7 },
  // test_mmuhifi_c3: 16 KB / (2 × 32) = 256 sets; way 8 KB → 2 colours. 0x1040 = 4160 → line 130, colour 1.
  { id: 'xtensa-aliasing', sets: 256, wayBytes: 8192, colours: 2, aliasProbability: 0.5, va: 0xc0001040, pa: 0x01002040, set: 130, tag: 0x1002, colour: 1 },
  // 32 KB / (8 × 64 B) = 64 sets, PIPT: the set comes from pa. 0x1002040 / 64 = 0x40081 → % 64 = 1.
  // PIPT tag = pa / way (4 KB) = 0x1002. No colours.
  { id: 'x86-64', sets: 64, wayBytes: 4096, colours: 1, aliasProbability: 0, va: 0xc90000000040, pa: 0x01002040, set: 1, tag: 0x1002, colour: 0 },
  // 32 KB / (4 × 64 B) = 128 sets, PIPT. 0x1002040 / 64 = 0x40081 → % 128 = 1; tag = pa / 8 KB = 0x801.
  { id: 'arm64', sets: 128, wayBytes: 8192, colours: 1, aliasProbability: 0, va: 0x800080000040, pa: 0x01002040, set: 1, tag: 0x801, colour: 0 },
];

test('every profile has hand-computed geometry in this test', () => {
  assert.deepEqual(HAND.map((h) => h.id).sort(), PROFILES.map((p) => p.id).sort());
});

for (const h of HAND) {
  test(`${h.id}: sets, way size, colours, alias probability`, () => {
    const g = geometry(prof(h.id));
    assert.equal(g.sets, h.sets);
    assert.equal(g.wayBytes, h.wayBytes);
    assert.equal(g.colours, h.colours);
    assert.ok(Math.abs(g.aliasProbability - h.aliasProbability) < 1e-12, `probability ${g.aliasProbability}`);
  });

  test(`${h.id}: set index, tag and colour of a hand-computed address`, () => {
    const p = prof(h.id);
    const ix = indexerFor(p);
    assert.equal(setIndex(ix, h.va, h.pa), h.set);
    assert.equal(tagOf(ix, h.va, h.pa), h.tag);
    if (p.indexing !== 'PIPT') assert.equal(colourOf(p, h.va), h.colour);
  });
}

test('VIVT tags are virtual: two aliases of one physical line get different tags', () => {
  const ix = indexerFor(prof('armv5-vivt'));
  // Same offset in the page, so same set; different virtual pages, so different tags.
  assert.equal(setIndex(ix, 0xc4800040, 0x1000040), setIndex(ix, 0xc1000040, 0x1000040));
  assert.notEqual(tagOf(ix, 0xc4800040, 0x1000040), tagOf(ix, 0xc1000040, 0x1000040));
});

test('VIPT: same colour → same set and tag (one line); different colour → different sets', () => {
  const p = prof('armv6-vipt-aliasing');
  const ix = indexerFor(p);
  const pa = 0x01002040;
  const same = [0xc4802040, 0xc1002040]; // both colour 0 (bit 12 clear)
  assert.equal(colourOf(p, same[0]), colourOf(p, same[1]));
  assert.equal(setIndex(ix, same[0], pa), setIndex(ix, same[1], pa));
  assert.equal(tagOf(ix, same[0], pa), tagOf(ix, same[1], pa));
  const diff = [0xc4803040, 0xc1002040]; // colour 1 vs colour 0
  assert.notEqual(setIndex(ix, diff[0], pa), setIndex(ix, diff[1], pa));
});

test('PIPT: the virtual address does not matter', () => {
  const ix = indexerFor(prof('x86-64'));
  assert.equal(setIndex(ix, 0xc90000001040, 0x2040), setIndex(ix, 0x888000002040, 0x2040));
});

test('canAlias: true for VIVT and multi-colour VIPT, false for PIPT', () => {
  const got = Object.fromEntries(PROFILES.map((p) => [p.id, canAlias(p)]));
  assert.deepEqual(got, {
    'armv5-vivt': true, 'armv6-vipt-aliasing': true, 'armv6-vipt-aliasing-64k': true, sh4: true,
    'mips-r4k': true, parisc: true, nios2: true, 'xtensa-aliasing': true, 'x86-64': false, arm64: false,
  });
});

test('placement puts the vmalloc and linear alias of every page in different colours where colours exist', () => {
  for (const p of PROFILES) {
    const pl = placementFor(p, 5 * p.pageBytes);
    assert.equal(pl.pfns.length, 5);
    assert.equal(new Set(pl.pfns).size, 5, 'distinct frames');
    for (const pg of pl.pages) {
      if (geometry(p).colours > 1) assert.notEqual(pg.vmapColour, pg.linearColour, `${p.id} page ${pg.offset}`);
      if (p.indexing === 'PIPT') assert.equal(pg.vmapSet, pg.linearSet, `${p.id}: one physical line, one set`);
    }
  }
});

test('every profile names its sources', () => {
  for (const p of PROFILES) {
    assert.ok(p.sources.length >= 2, p.id);
    for (const s of p.sources) assert.ok(s.facts.length > 0 && s.source.length > 0, p.id);
  }
});
