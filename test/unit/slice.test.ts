import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeText, analyzeTree, getBackend } from '../../analyzer/analyze';
import { blankExcept, fileGraph, keepFor, sliceFor, sliceOptions, sliceRelevant, sourceMeetsSink, type FileGraph } from '../../analyzer/scan/slice';
import { analyzeOnDemand, holderGate, sourceFields, startSet, type DemandOutcome } from '../../analyzer/scan/demand';
import { NameMatcher, nameClasses, stackCandidate, stackSinkNames } from '../../analyzer/scan/prefilter';
import { seedNames } from '../../analyzer/tables';
import { damagedFixtures, FIXTURE_DIR, listFixtures, parseFixture } from './fixtures-harness';
import type { AnalyzeOptions } from '../../analyzer/types';
import { outside, sameTree, type Backend } from '../../analyzer/parse/backends';
import { prng } from './prng';

const matcher = new NameMatcher(nameClasses());

function lineStructure(s: string): number[] {
  const out: number[] = [];
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) out.push(i);
  return out;
}

const SAMPLE = `// SPDX-License-Identifier: GPL-2.0
struct foo_dev { void *ring; unsigned int len; };

static void foo_end_io(struct bio *bio)
{
	struct foo_dev *fd = bio->bi_private;

	complete(&fd->done);
}

static int foo_fill(struct bio *bio, void *buf, unsigned int len)
{
	return bio_add_page(bio, vmalloc_to_page(buf), len, 0);
}

static int foo_io(struct foo_dev *fd, struct block_device *bdev)
{
	struct bio *bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_KERNEL);

	foo_fill(bio, fd->ring, fd->len);
	bio->bi_end_io = foo_end_io;
	return submit_bio_wait(bio);
}

static int foo_flush_cache(struct foo_dev *fd, struct block_device *bdev)
{
	return foo_io(fd, bdev);
}

static int foo_reg_read(struct foo_dev *fd, int reg)
{
	/* a } in a comment and "{" in a string */
	return reg * 4;
}

static int foo_probe(struct foo_dev *fd)
{
	int v = foo_reg_read(fd, 3);

	return v ? -EIO : 0;
}
`;

describe('sliceRelevant', () => {
  test('blanks only functions that cannot become relevant, keeping offsets and lines', () => {
    const r = sliceRelevant(SAMPLE, seedNames(), matcher);
    assert.equal(r.text.length, SAMPLE.length);
    assert.deepEqual(lineStructure(r.text), lineStructure(SAMPLE));
    assert.equal(r.functions, 6);
    // kept: foo_fill (seeds), foo_io (seeds; reaches foo_fill), foo_end_io (referenced by foo_io),
    // foo_flush_cache (caller of foo_io); blanked: foo_reg_read, foo_probe
    assert.equal(r.kept, 4);
    for (const kept of ['complete(&fd->done)', 'bio_add_page(bio', 'bio->bi_end_io = foo_end_io', 'return foo_io(fd, bdev)']) {
      assert.ok(r.text.includes(kept), `kept: ${kept}`);
    }
    for (const gone of ['reg * 4', 'foo_reg_read(fd, 3)']) assert.ok(!r.text.includes(gone), `blanked: ${gone}`);
    // declarations and signatures stay
    assert.ok(r.text.includes('static int foo_probe(struct foo_dev *fd)\n{'));
    assert.ok(r.text.includes('struct foo_dev { void *ring; unsigned int len; };'));
    assert.ok(r.blanked > 0);
  });

  test('a function reaching a seed only through a macro of the file is kept', () => {
    const src = `#define foo_map(b) \\\n\tvmalloc_to_page(b)\n\nstatic struct page *foo_pg(void *b)\n{\n\treturn foo_map(b);\n}\n\nstatic int foo_other(int a)\n{\n\treturn a + 1;\n}\n`;
    const r = sliceRelevant(src, seedNames(), matcher);
    assert.ok(r.text.includes('return foo_map(b);'));
    assert.ok(!r.text.includes('return a + 1;'));
  });

  test('a file without seeds is kept whole when every function is kept, blanked otherwise', () => {
    const none = 'static int a(void)\n{\n\treturn 1;\n}\n';
    const r = sliceRelevant(none, seedNames(), matcher);
    assert.equal(r.kept, 0);
    const withSeed = 'static void *a(unsigned long n)\n{\n\treturn vzalloc(n);\n}\n';
    const w = sliceRelevant(withSeed, seedNames(), matcher);
    assert.equal(w.text, withSeed);
    assert.equal(w.blanked, 0);
  });

  test('extra seeds (user allocators, summaries from other files) keep their callers', () => {
    const src = 'static void *a(void)\n{\n\treturn my_pool_get(4);\n}\n\nstatic int b(void)\n{\n\treturn 2;\n}\n';
    const plain = sliceRelevant(src, seedNames(), matcher);
    assert.ok(!plain.text.includes('my_pool_get'));
    const extra = sliceRelevant(src, seedNames(['my_pool_get']), matcher);
    assert.ok(extra.text.includes('my_pool_get(4)'));
    assert.ok(!extra.text.includes('return 2;'));
  });
});

function optionsOf(text: string): AnalyzeOptions {
  const spec = parseFixture(text);
  return { kernel: spec.kernel, extraAllocators: spec.extraAllocators, extraSinks: spec.extraSinks };
}

async function sameAnalysis(text: string, file: string, opts: AnalyzeOptions): Promise<number> {
  // a file that may hand a stack object to a device-facing sink: those sinks are sources (tasks.ts)
  const stackSrc = stackCandidate(text) ? stackSinkNames() : [];
  const seeds = seedNames([...(opts.extraAllocators ?? []), ...(opts.extraSinks ?? []), ...stackSrc]);
  const s = sliceRelevant(text, seeds, matcher);
  const whole = await analyzeText(text, file, opts);
  const sliced = await analyzeText(s.text, file, { ...opts, ...sliceOptions(s) });
  assert.deepEqual(JSON.parse(JSON.stringify(sliced.findings)), JSON.parse(JSON.stringify(whole.findings)), `${file}: findings differ after slicing`);
  assert.deepEqual(sliced.summaries, whole.summaries, `${file}: summaries differ after slicing`);
  // A leaf file keeps only what a source reaches: the findings (not the summaries) must not change.
  const classes = nameClasses();
  const g = fileGraph(text, matcher);
  const sources = new Set([...classes.sources, ...(opts.extraAllocators ?? []), ...stackSrc]);
  const sinks = new Set([...classes.sinks, ...(opts.extraSinks ?? [])]);
  const leaf = sliceFor(g, sources, sinks, [], seeds);
  if (leaf === 'skip') assert.deepEqual(whole.findings, [], `${file}: skipped as a leaf but has findings`);
  else if (leaf) {
    const l = await analyzeText(leaf.text, file, { ...opts, ...sliceOptions(leaf) });
    assert.deepEqual(JSON.parse(JSON.stringify(l.findings)), JSON.parse(JSON.stringify(whole.findings)), `${file}: findings differ after leaf slicing`);
    if (leaf.blanked > s.blanked) leafGain++;
    // demand-driven: the same findings from the narrow slice and its widenings, starting with the
    // users of fields a source is stored in (as the scan does) and without them (more widening)
    const f = await onDemand(g, sources, sinks, seeds, [], file, opts);
    assert.deepEqual(JSON.parse(JSON.stringify(f.result.findings)), JSON.parse(JSON.stringify(whole.findings)), `${file}: findings differ after demand-driven slicing`);
    const d = await onDemand(g, sources, sinks, seeds, [], file, opts, undefined, true, false);
    assert.deepEqual(JSON.parse(JSON.stringify(d.result.findings)), JSON.parse(JSON.stringify(whole.findings)), `${file}: findings differ after demand-driven slicing (no field start)`);
    assert.ok(f.passes <= d.passes, `${file}: starting with the field users took more passes (${f.passes} > ${d.passes})`);
    if (f.passes < d.passes) demandStats.fieldStartSaved++;
    demandStats.runs++;
    if (d.passes > 1) {
      demandStats.widened++;
      // later passes parsed only what they un-blanked
      if (d.charsParsed < d.passes * text.length) demandStats.spliced++;
      // a re-analysis that starts from what this one ended up parsing needs one pass
      const again = await onDemand(g, sources, sinks, seeds, [], file, opts, d.parsed);
      assert.equal(again.passes, 1, `${file}: a re-analysis from the hint widened again`);
      assert.deepEqual(JSON.parse(JSON.stringify(again.result.findings)), JSON.parse(JSON.stringify(whole.findings)), `${file}: findings differ after a hinted demand-driven slice`);
    }
    if (d.slice.blanked > leaf.blanked) demandStats.narrower++;
  }
  // A file whose exported functions other files call: each one's summary must not change either.
  for (const name of [...new Set(g.defs.filter((d) => !d.isStatic).map((d) => d.name))]) {
    const part = sliceFor(g, sources, sinks, [name], seeds);
    if (part === undefined || part === 'skip') continue;
    const r = await analyzeText(part.text, file, { ...opts, ...sliceOptions(part) });
    assert.deepEqual(r.summaries.filter((x) => x.name === name), whole.summaries.filter((x) => x.name === name), `${file}: summary of ${name}() differs after slicing for it`);
    assert.deepEqual(JSON.parse(JSON.stringify(r.findings)), JSON.parse(JSON.stringify(whole.findings)), `${file}: findings differ after slicing for ${name}()`);
    // demand-driven, analysed as the scan does: with the needed function analysed whatever calls it
    const withNeeded = { ...opts, neededSummaries: [name] };
    const wholeN = await analyzeText(text, file, withNeeded);
    const d = await onDemand(g, sources, sinks, seeds, [name], file, withNeeded);
    assert.deepEqual(d.result.summaries.filter((x) => x.name === name), wholeN.summaries.filter((x) => x.name === name), `${file}: summary of ${name}() differs after demand-driven slicing for it`);
    assert.deepEqual(JSON.parse(JSON.stringify(d.result.findings)), JSON.parse(JSON.stringify(wholeN.findings)), `${file}: findings differ after demand-driven slicing for ${name}()`);
  }
  return s.blanked;
}
let leafGain = 0;
const demandStats = { runs: 0, widened: 0, narrower: 0, spliced: 0, fieldStartSaved: 0 };

let backend: Backend | undefined;
async function onDemand(g: FileGraph, sources: Set<string>, sinks: Set<string>, seeds: Set<string>, needed: string[], file: string, opts: AnalyzeOptions, hint?: string[], splice = true, fieldStart = true): Promise<DemandOutcome> {
  backend ??= await getBackend('wasm');
  const b = backend;
  const keep = keepFor(g, sources, sinks, needed, seeds);
  assert.ok(keep instanceof Set, `${file}: the lexical slice keeps a set`);
  // the scan's gate on holder demand (tasks.ts): what it leaves out must not change the result
  const gate = holderGate(g, sinks, [...(opts.externalSummaries?.values() ?? [])], needed);
  return analyzeOnDemand({ g, keep, sources, needed, sites: [], fieldStart, ...(hint ? { hint } : {}), ...gate }, {
    parse: (sl) => b.parse(sl.text, sl.gaps).root,
    ...(splice ? { parseOnly: (t: string, ranges: readonly (readonly [number, number])[]) => b.parse(t, outside(ranges, t.length)).root } : {}),
    analyze: (root, sl) => analyzeTree(root, sl.text, file, { ...opts, reportDemand: true, ...sliceOptions(sl) }),
  });
}

describe('top-level blanking', () => {
  const noise = fs.readFileSync(path.join(FIXTURE_DIR, '..', 'slice', 'noise.c'), 'utf8');
  const g = fileGraph(noise, matcher);
  const all = new Set(g.defs.map((_, i) => i));
  const r = blankExcept(g, all, { topLevel: true });

  test('keeps offsets, lines, every function, conditionals and the #defines kept functions name', () => {
    assert.equal(r.text.length, noise.length);
    assert.deepEqual(lineStructure(r.text), lineStructure(noise));
    for (const d of g.defs) {
      const from = d.sigStart as number;
      assert.equal(r.text.slice(from, d.bodyEnd), noise.slice(from, d.bodyEnd), `${d.name} kept whole`);
    }
    const lines = r.text.split('\n');
    const pp = noise.split('\n').filter((l) => /^#\s*(?:if|ifdef|ifndef|elif|else|endif)\b/.test(l));
    assert.ok(pp.length >= 2);
    for (const l of pp) assert.ok(lines.includes(l), `kept: ${l}`);
    for (const name of ['NOISE_REG_CTRL', 'NOISE_REG_STATUS', 'noise_writel']) assert.ok(lines.some((l) => l.startsWith(`#define ${name}`)), `kept: #define ${name}`);
    // a #define no function names goes, with the comment it runs onto the next line
    assert.ok(!r.text.includes('NOISE_TIMEOUT_MS') && !r.text.includes(' * part; see noise_wait_ready() */'));
    // without the functions that name it, a #define goes too; #include lines always
    const user = g.defs.findIndex((d) => noise.slice(d.bodyStart, d.bodyEnd).includes('NOISE_REG_CTRL'));
    assert.ok(user >= 0);
    const without = blankExcept(g, new Set(g.defs.map((_, i) => i).filter((i) => i !== user && g.defs[i].name !== g.defs[user].name)), { topLevel: true }).text;
    assert.ok(!without.includes('#define NOISE_REG_CTRL') && without.includes('#define NOISE_REG_STATUS'));
    const inc = '#include <linux/vmalloc.h>\n#define FOO_LEN 8\n#ifdef CONFIG_FOO\nstatic int foo(void)\n{\n\treturn FOO_LEN;\n}\n#endif\n';
    const gi = fileGraph(inc, matcher);
    const ri = blankExcept(gi, new Set([0]), { topLevel: true }).text;
    assert.ok(!ri.includes('#include') && ri.includes('#define FOO_LEN 8') && ri.includes('#ifdef CONFIG_FOO') && ri.includes('#endif'));
  });

  test('blanks types, tables, initialisers, prototypes, exports and comments between functions', () => {
    for (const gone of ['void __iomem *regs;', 'NOISE_BUSY = 4', '{ "ctrl", NOISE_REG_CTRL }', '.open\t= noise_open',
      'int noise_open(struct noise_dev *nd);', 'EXPORT_SYMBOL_GPL(noise_open);', 'Return: 0 or a negative errno.', 'SPDX-License-Identifier']) {
      assert.ok(noise.includes(gone), `the fixture has ${gone}`);
      assert.ok(!r.text.includes(gone), `blanked: ${gone}`);
    }
    assert.ok(r.blanked > noise.length / 5, `blanked ${r.blanked} of ${noise.length}`);
  });

  test('keeps what may be code the lexer did not delimit, and unfinished declarations', () => {
    const src = [
      'static int a(void)', '#ifdef CONFIG_A', '{', '\treturn 1;', '}', '#else', '{', '\treturn 2;', '}', '#endif',
      'static int tbl[] = { 1, 2 };', 'static int b(void)', '{', '\treturn tbl[0];', '}', 'static int tbl2[] = { 3 };',
      'static int unfinished = (1',
    ].join('\n');
    const g2 = fileGraph(src, matcher);
    const out = blankExcept(g2, new Set(g2.defs.map((_, i) => i)), { topLevel: true }).text;
    // the #else body has no `;` at depth 0: it, and what follows it up to the next `;`, stay
    assert.ok(out.includes('{\n\treturn 2;\n}\n#endif\nstatic int tbl[] = { 1, 2 };'), 'the #else body stays');
    assert.ok(!out.includes('tbl2[] = { 3 };'));
    assert.ok(out.includes('return tbl[0];'));
    assert.ok(out.includes('static int unfinished = (1'));
  });
});

describe('slicing never changes what the analyzer reports', () => {
  const files = listFixtures();
  const texts = files.map((f) => fs.readFileSync(path.join(FIXTURE_DIR, f), 'utf8'));
  const noise = fs.readFileSync(path.join(FIXTURE_DIR, '..', 'slice', 'noise.c'), 'utf8');
  test('every fixture alone, with unrelated functions before and after it, and followed by the next one', async () => {
    let blanked = 0;
    for (let i = 0; i < files.length; i++) {
      const opts = optionsOf(texts[i]);
      await sameAnalysis(texts[i], files[i], opts);
      // the fixture's first lines carry its pins (whole-line comments): noise goes after them, not
      // inside the block comment that usually follows, or at the end
      const lines = texts[i].split('\n');
      let pins = 0;
      while (pins < 2 && /^\s*(?:\/\/.*|\/\*.*\*\/\s*)$/.test(lines[pins] ?? '')) pins++;
      const nl = lines.slice(0, pins).reduce((n, l) => n + l.length + 1, 0);
      const variants = [
        `${texts[i]}\n${noise}`,
        `${texts[i].slice(0, nl)}${noise}\n${texts[i].slice(nl)}`,
        // two fixtures in one file: each one's functions are noise to the other's
        `${texts[i]}\n${texts[(i + 1) % files.length]}`,
      ];
      for (const v of variants) if (await sameAnalysis(v, files[i], opts)) blanked++;
    }
    // the comparison is only meaningful if slicing removed something in most of them (the scan
    // slices no file that may hand a stack object to a device: stackCandidate)
    assert.ok(blanked >= 2 * files.length, `only ${blanked} texts were sliced`);
    assert.ok(leafGain >= files.length / 2, `leaf slicing blanked more than plain slicing in only ${leafGain} texts`);
    // the demand-driven comparison is only meaningful if it parsed less than the lexical slice, and
    // widened, in a fair share of them
    assert.ok(demandStats.narrower >= demandStats.runs / 10, `demand-driven slicing blanked more in only ${demandStats.narrower} of ${demandStats.runs} texts (widened in ${demandStats.widened})`);
    assert.ok(demandStats.widened >= demandStats.runs / 5, `demand-driven slicing widened in only ${demandStats.widened} of ${demandStats.runs} texts`);
    assert.equal(demandStats.spliced, demandStats.widened, 'every widened analysis spliced its later passes');
    assert.ok(demandStats.fieldStartSaved > 0, 'starting with the users of source-assigned fields saved a pass somewhere');
  });
});

describe('sourceMeetsSink: a file it rules out has no finding', () => {
  const classes = nameClasses();
  const files = listFixtures();
  const noise = fs.readFileSync(path.join(FIXTURE_DIR, '..', 'slice', 'noise.c'), 'utf8');
  test('on every fixture, alone and with unrelated functions; annotated fixtures are never ruled out', async () => {
    let ruledOut = 0;
    for (const f of files) {
      const text = fs.readFileSync(path.join(FIXTURE_DIR, f), 'utf8');
      const opts = optionsOf(text);
      const sources = new Set([...classes.sources, ...(opts.extraAllocators ?? [])]);
      const sinks = new Set([...classes.sinks, ...(opts.extraSinks ?? [])]);
      for (const t of [text, `${text}\n${noise}`]) {
        const withStack = stackCandidate(t) ? new Set([...sources, ...stackSinkNames()]) : sources;
        if (sourceMeetsSink(fileGraph(t, matcher), withStack, sinks)) continue;
        ruledOut++;
        assert.equal(parseFixture(t).expectations.length, 0, `${f}: ruled out but annotated`);
        assert.deepEqual((await analyzeText(t, f, opts)).findings, [], `${f}: ruled out but the analyzer finds something`);
      }
    }
    assert.ok(ruledOut > 0, 'no fixture was ruled out: the check proves nothing');
  });

  test('flows through fields, file-scope variables, callers and macros count; unrelated sources do not', () => {
    const s = new Set(classes.sources);
    const k = new Set(classes.sinks);
    const yes = (t: string) => sourceMeetsSink(fileGraph(t, matcher), s, k);
    const sinkFn = 'static void foo_map(struct foo *f, struct scatterlist *sg)\n{\n\tsg_init_one(sg, f->ring, 64);\n}\n';
    // field: allocated in one function, mapped in another that no call connects
    assert.ok(yes(`static int foo_init(struct foo *f)\n{\n\tf->ring = vzalloc(64);\n\treturn 0;\n}\n${sinkFn}`));
    // the allocation goes into a different field: no flow
    assert.ok(!yes(`static int foo_init(struct foo *f)\n{\n\tf->table = vzalloc(64);\n\treturn 0;\n}\n${sinkFn}`));
    // file-scope variable
    assert.ok(yes('static void *g_buf;\nstatic int a(void)\n{\n\tg_buf = vmalloc(64);\n\treturn 0;\n}\nstatic void b(struct scatterlist *sg)\n{\n\tsg_init_one(sg, g_buf, 64);\n}\n'));
    // a caller that gets the buffer back from a helper
    assert.ok(yes('static void *a(void)\n{\n\treturn vmalloc(64);\n}\nstatic void b(struct scatterlist *sg)\n{\n\tvoid *p = a();\n\n\tsg_init_one(sg, p, 64);\n}\n'));
    // the allocator named only in a macro body that a function uses
    assert.ok(yes('#define foo_get(n) vzalloc(n)\nstatic void b(struct scatterlist *sg)\n{\n\tsg_init_one(sg, foo_get(64), 64);\n}\n'));
    // a source outside any function body the lexer delimits: no claim
    assert.ok(yes('FOO_DEFINE_BUF(ring, vmalloc(64));\nstatic void b(struct scatterlist *sg)\n{\n\tsg_init_one(sg, NULL, 0);\n}\n'));
    // an SPI transfer: the buffer is named by a member, the submission is the sink
    assert.ok(yes('static int a(struct spi_device *spi)\n{\n\tvoid *b = vmalloc(64);\n\tstruct spi_transfer t = { .tx_buf = b, .len = 64 };\n\n\treturn spi_sync_transfer(spi, &t, 1);\n}\n'));
    // ... but one in a comment is not a source
    assert.ok(!yes('/* not vmalloc() memory */\nstatic void b(struct scatterlist *sg)\n{\n\tsg_init_one(sg, NULL, 0);\n}\n'));
  });
});

describe('skipping blanked stretches (Backend.parse gaps)', () => {
  const noise = fs.readFileSync(path.join(FIXTURE_DIR, '..', 'slice', 'noise.c'), 'utf8');
  const tricky = [
    '#define FOO_LEN 64 /* a comment that runs on',
    '   to the next line */',
    'static const char *foo_names[] = {',
    '\t"a                                                                                                                                  b",',
    '\t"c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",',
    '};',
    '#ifdef CONFIG_FOO',
    'static int foo_a(void)',
    '{',
    `\t/*${' '.repeat(300)}*/`,
    '\treturn FOO_LEN;',
    '}',
    '#else',
    'static int foo_a(void)',
    '{',
    `\treturn ${'1 + '.repeat(80)}1;`,
    '}',
    '#endif',
    `static int foo_b(void) { return foo_a() + ${'2 + '.repeat(60)}2; }`,
    '#define BAR(x) \\',
    '\t((x) + 1)',
    `static int foo_c(int x)\n{\n${'\tx = BAR(x);\n'.repeat(20)}\treturn x;\n}`,
  ].join('\n');

  test('gives the tree of the blanked text, for any choice of kept functions', async () => {
    const b = await getBackend('wasm');
    const rnd = prng(11);
    const texts = [tricky, noise, ...listFixtures().map((f) => fs.readFileSync(path.join(FIXTURE_DIR, f), 'utf8'))];
    let skipped = 0;
    let sliced = 0;
    for (const [k, base] of texts.entries()) {
      for (const text of [base, `${base}\n${noise}`, `${noise}\n${base}`]) {
        const g = fileGraph(text, matcher);
        for (let trial = 0; trial < 3; trial++) {
          const keep = new Set(g.defs.map((_, i) => i).filter(() => rnd() < (trial === 0 ? 0 : 0.5)));
          // trial 1 blanks the functions it does not keep with their signatures
          const sl = blankExcept(g, keep, { topLevel: trial !== 2, ...(trial === 1 ? { whole: () => true } : {}) });
          if (!sl.blanked) continue;
          sliced++;
          if (sl.gaps?.length) skipped++;
          for (const [s, e] of sl.gaps ?? []) assert.ok(/^\s*$/.test(sl.text.slice(s, e)), `text ${k}: a gap holds only blanks`);
          assert.ok(sameTree(b.parse(sl.text, sl.gaps).root, b.parse(sl.text).root), `text ${k}, trial ${trial}: the tree differs when gaps are skipped`);
        }
      }
    }
    assert.ok(skipped >= sliced / 2, `gaps in only ${skipped} of ${sliced} slices`);
  });
});

describe('demand-driven slicing widens where the analysis needs it', () => {
  const classes = nameClasses();
  const sources = new Set(classes.sources);
  const sinks = new Set(classes.sinks);
  test('a static helper whose every caller tests the holder: the callers are parsed too', async () => {
    // foo_a() names nothing the slice starts from, but its test of `c` is what keeps the
    // maybe-vmalloc buffer of foo_setup() on the author's linear path
    const text = [
      'struct foo_ctx { void *buf; int linear; };', '',
      'static void foo_setup(struct foo_ctx *c, struct scatterlist *sg)', '{',
      '\tc->buf = kvmalloc(8192, GFP_KERNEL);', '\tsg_init_one(sg, c->buf, 8192);', '}', '',
      'static void foo_a(struct foo_ctx *c, struct scatterlist *sg)', '{', '\tif (c->linear)', '\t\tfoo_setup(c, sg);', '}', '',
    ].join('\n');
    const unguarded = text.replace('\tif (c->linear)\n\t', '');
    const seeds = seedNames();
    for (const [t, expected] of [[text, 0], [unguarded, 1]] as const) {
      assert.equal((await analyzeText(t, 'guard.c', {})).findings.length, expected);
      const d = await onDemand(fileGraph(t, matcher), sources, sinks, seeds, [], 'guard.c', {});
      assert.equal(d.result.findings.length, expected, 'the same findings as the whole text');
      if (expected === 0) assert.ok(d.passes >= 2, 'the first pass left foo_a() blank');
    }
  });
});

describe('demand-driven slicing starts with the users of a field a source is stored in', () => {
  const classes = nameClasses();
  const sources = new Set(classes.sources);
  const sinks = new Set(classes.sinks);
  const text = [
    'struct qq_ctx { void *log; void *other; struct { char *buf; } d[2]; };', '',
    'int qq_init(struct qq_ctx *ctx)', '{',
    '\tctx->log = vzalloc(1 << 16);', '\tctx->d[0].buf = (char *)kvmalloc(8192, GFP_KERNEL);', '\tctx->other = kmalloc(64, GFP_KERNEL);',
    '\treturn ctx->log ? 0 : -ENOMEM;', '}', '',
    'static void qq_flush_log(struct qq_ctx *ctx, struct scatterlist *sg)', '{', '\tsg_init_one(sg, ctx->log, 1 << 16);', '}', '',
    'static void qq_other(struct qq_ctx *ctx, struct scatterlist *sg)', '{', '\tsg_init_one(sg, ctx->other, 64);', '}', '',
    'void qq_run(struct qq_ctx *ctx, struct scatterlist *sg)', '{', '\tqq_flush_log(ctx, sg);', '\tqq_other(ctx, sg);', '}', '',
  ].join('\n');

  test('sourceFields: members assigned a source call, through a cast or an array element; not other calls', () => {
    const g = fileGraph(text, matcher);
    const init = g.byName.get('qq_init') as number[];
    assert.deepEqual([...sourceFields(g, init, sources)].sort(), ['buf', 'log']);
    assert.deepEqual([...sourceFields(g, init, new Set(['kmalloc']))], ['other']);
    assert.equal(sourceFields(g, g.byName.get('qq_run') as number[], sources).size, 0);
  });

  test('the field\'s users join the first pass: one pass, the findings of the whole text', async () => {
    const g = fileGraph(text, matcher);
    const keep = keepFor(g, sources, sinks, [], seedNames());
    assert.ok(keep instanceof Set);
    const n = startSet({ g, keep, sources, needed: [], sites: [] });
    const names = [...n].map((i) => g.defs[i].name).sort();
    assert.ok(names.includes('qq_init') && names.includes('qq_flush_log'), names.join());
    assert.ok(!names.includes('qq_other'), 'a function using other members only is not added');
    const whole = await analyzeText(text, 'qq.c', {});
    assert.equal(whole.findings.length, 1);
    const d = await onDemand(g, sources, sinks, seedNames(), [], 'qq.c', {});
    assert.equal(d.passes, 1);
    assert.deepEqual(d.result.findings.map((f) => `${f.span.start.line}:${f.rule}`), whole.findings.map((f) => `${f.span.start.line}:${f.rule}`));
  });
});

describe('demand-driven slicing on damaged code', () => {
  test('finds what the lexical slice finds, on fixtures with syntax errors, unbalanced braces and stray #ifs', async () => {
    const b = await getBackend('wasm');
    const classes = nameClasses();
    const sources = new Set(classes.sources);
    const sinks = new Set(classes.sinks);
    const seeds = seedNames();
    let runs = 0;
    let findings = 0;
    let outsideRecovered = 0;
    for (const { i, name, text } of damagedFixtures(160, 7)) {
      const g = fileGraph(text, matcher);
      const keep = keepFor(g, sources, sinks, [], seeds);
      if (!(keep instanceof Set)) continue;
      runs++;
      const k = blankExcept(g, keep, { topLevel: true });
      const root = b.parse(k.text, k.gaps).root;
      const lexical = analyzeTree(root, k.text, 'damaged.c', sliceOptions(k));
      // Error recovery depends on the text around a break, and the slices differ there: a
      // function the lexical slice's parse lost into an ERROR node can come back whole in a
      // narrower slice (a call cut by a stray `#if` then really is missing). Compare on the
      // lines of the functions the lexical parse recovered; count what that leaves out.
      const recovered = root.children.filter((c) => c.type === 'function_definition').map((c) => [c.sr + 1, c.er + 1]);
      const inRecovered = (f: { span: { start: { line: number } } }) => recovered.some(([a, z]) => f.span.start.line >= a && f.span.start.line <= z);
      // with later passes spliced into the previous tree, and parsed whole (the native backend)
      for (const splice of [true, false]) {
        const d = await onDemand(g, sources, sinks, seeds, [], 'damaged.c', {}, undefined, splice);
        assert.ok(d.passes <= 7);
        const kept = d.result.findings.filter(inRecovered);
        outsideRecovered += d.result.findings.length - kept.length;
        assert.deepEqual(JSON.parse(JSON.stringify(kept)), JSON.parse(JSON.stringify(lexical.findings.filter(inRecovered))), `case ${i} (${name}), splice ${splice}`);
      }
      findings += lexical.findings.length;
    }
    assert.ok(runs >= 80 && findings >= 40, `${runs} damaged texts sliced, ${findings} findings`);
    // counted over both splice modes; a few per hundred findings (error recovery, not slicing)
    assert.ok(outsideRecovered / 2 <= Math.max(4, findings / 10), `${outsideRecovered / 2} demand-driven findings (of ${findings}) outside the functions the lexical parse recovered`);
  });
});
