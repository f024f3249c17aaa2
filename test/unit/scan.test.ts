/**
 * Whole-tree scan machinery (issue #6): file walking and bad inputs, the lexical pre-pass, the
 * summary exchange order, the on-disk cache (hits, invalidation of a file and its dependents,
 * corrupted and foreign entries), cancellation and the progress bar.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { execFileSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { scanPaths } from '../../analyzer/scan';
import { walkPaths, decodeSource, firstInvalidUtf8, makeExcluder } from '../../analyzer/scan/files';
import { addWrapperLinks, callsOf, lexFunctions, sourceFieldTypes, linkingNames, linkScope, nameClasses, NameMatcher, selectFiles, SNK, SRC, tableFieldTypes, wrapperLinks, type LinkName } from '../../analyzer/scan/prefilter';
import { buildGraph, fieldFactsFor, hasFacts, mergeSummaries, tarjan, SummaryTable } from '../../analyzer/scan/summaries';
import { renderBar, createProgress } from '../../analyzer/scan/progress';
import { CACHE_SCHEMA, defaultCacheDir, validSummary } from '../../analyzer/scan/cache';
import type { ScanNote } from '../../analyzer/scan';
import { tmpdir } from './tmp';

const MULTI = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'multi');


function copyDir(src: string, dst: string): void {
  fs.mkdirSync(dst, { recursive: true });
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dst, f));
}

/** Make files look old so the stat index may trust them (it distrusts mtimes near a scan). */
function age(dir: string): void {
  const t = new Date(Date.now() - 60_000);
  for (const f of fs.readdirSync(dir)) fs.utimesSync(path.join(dir, f), t, t);
}

/** The analysis entries a scan cache holds (files under objects/). */
function cacheObjects(cacheDir: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      const q = path.join(p, e.name);
      if (e.isDirectory()) walk(q); else out.push(q);
    }
  };
  walk(path.join(cacheDir, `v${CACHE_SCHEMA}`, 'objects'));
  return out;
}

const matcher = new NameMatcher(nameClasses());

/** Findings as they survive a JSON round trip (the cache stores JSON: undefined fields vanish). */
function json<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

// ---- files ----------------------------------------------------------------------------------

test('walk: directories recursively (.c/.h only), sorted, excludes by base name and by path', async () => {
  const d = tmpdir('walk');
  fs.mkdirSync(path.join(d, 'drivers/md'), { recursive: true });
  fs.mkdirSync(path.join(d, 'drivers/gpu'), { recursive: true });
  fs.writeFileSync(path.join(d, 'drivers/md/a.c'), 'int a;\n');
  fs.writeFileSync(path.join(d, 'drivers/md/a.h'), 'int b;\n');
  fs.writeFileSync(path.join(d, 'drivers/md/a.mod.c'), 'int c;\n');
  fs.writeFileSync(path.join(d, 'drivers/md/notes.txt'), 'x\n');
  fs.writeFileSync(path.join(d, 'drivers/gpu/g.c'), 'int g;\n');
  const notes: ScanNote[] = [];
  const files = await walkPaths([d], { exclude: ['*.mod.c', 'drivers/gpu/**'] }, notes);
  assert.deepEqual(files.map((f) => f.rel), ['drivers/md/a.c', 'drivers/md/a.h']);
  assert.deepEqual(notes, []);
  const all = await walkPaths([d], {}, []);
  assert.equal(all.length, 4);
});

test('excluder: bare patterns match base names, slashed patterns the relative path', () => {
  const ex = makeExcluder(['*.mod.c', 'arch/**']);
  assert.equal(ex('drivers/x.mod.c', false), true);
  assert.equal(ex('arch', true), true);
  assert.equal(ex('arch/arm/mm/flush.c', false), true);
  assert.equal(ex('drivers/arch.c', false), false);
});

test('walk: missing path is an error note naming it, the rest is still scanned', async () => {
  const d = tmpdir('missing');
  fs.writeFileSync(path.join(d, 'ok.c'), 'int ok;\n');
  const notes: ScanNote[] = [];
  const missing = path.join(d, 'nope');
  const files = await walkPaths([missing, d], {}, notes);
  assert.equal(files.length, 1);
  assert.equal(notes.length, 1);
  assert.equal(notes[0].path, missing);
  assert.equal(notes[0].severity, 'error');
  assert.match(notes[0].message, /no such file/);
});

test('walk: a symlink loop is skipped with a note and does not recurse forever', async () => {
  const d = tmpdir('loop');
  fs.mkdirSync(path.join(d, 'sub'));
  fs.writeFileSync(path.join(d, 'sub/x.c'), 'int x;\n');
  fs.symlinkSync('..', path.join(d, 'sub/up'));
  const notes: ScanNote[] = [];
  const files = await walkPaths([d], {}, notes);
  assert.deepEqual(files.map((f) => f.rel), ['sub/x.c']);
  assert.ok(notes.some((n) => n.path.endsWith(path.join('sub', 'up')) && n.severity === 'warning' && /loop/.test(n.message)), JSON.stringify(notes));
});

test('walk: a symlink to a directory scanned elsewhere is an info note, not a loop warning', async () => {
  const d = tmpdir('duplink');
  fs.mkdirSync(path.join(d, 'arch/boot'), { recursive: true });
  fs.writeFileSync(path.join(d, 'arch/boot/a.c'), 'int a;\n');
  fs.mkdirSync(path.join(d, 'scripts'));
  fs.symlinkSync('../arch/boot', path.join(d, 'scripts/boot'));
  const notes: ScanNote[] = [];
  const files = await walkPaths([d], {}, notes);
  assert.deepEqual(files.map((f) => f.rel), ['arch/boot/a.c']);
  assert.equal(notes.length, 1, JSON.stringify(notes));
  assert.equal(notes[0].severity, 'info');
  assert.match(notes[0].message, /already scanned/);
  assert.doesNotMatch(notes[0].message, /loop/);
});

test('walk: files over the size limit are skipped with a warning', async () => {
  const d = tmpdir('size');
  fs.writeFileSync(path.join(d, 'big.c'), 'x'.repeat(5000));
  fs.writeFileSync(path.join(d, 'small.c'), 'int s;\n');
  const notes: ScanNote[] = [];
  const files = await walkPaths([d], { maxFileBytes: 1000 }, notes);
  assert.deepEqual(files.map((f) => f.rel), ['small.c']);
  assert.equal(notes[0].severity, 'warning');
  assert.match(notes[0].message, /size limit/);
});

test('decode: invalid UTF-8 is reported with its byte offset and line', () => {
  const buf = Buffer.concat([Buffer.from('int a;\n/* caf'), Buffer.from([0xe9]), Buffer.from(' */\n')]);
  const r = decodeSource(buf);
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.message, /invalid UTF-8 at byte 13 \(line 2\)/);
  assert.equal(firstInvalidUtf8(Buffer.from('héllo', 'utf8')), 6);
  assert.deepEqual(decodeSource(Buffer.from('é', 'utf8')), { ok: true, text: 'é' });
});

test('scan: binary files are skipped with a note; a Latin-1 file is analysed as Latin-1 and says so', async () => {
  const d = tmpdir('bad');
  copyDir(path.join(MULTI, 'fallback_alloc'), d);
  fs.writeFileSync(path.join(d, 'blob.c'), Buffer.from([0x76, 0x6d, 0x61, 0, 1, 2]));
  // Mentions vmalloc and virt_to_page, so the pre-pass selects it and it must be decoded.
  fs.writeFileSync(path.join(d, 'latin1.c'), Buffer.concat([Buffer.from('/* G'), Buffer.from([0xfc]), Buffer.from('nther */\nvoid f(void) { void *p = vmalloc(8); virt_to_page(p); }\n')]));
  const r = await scanPaths([d], { noCache: true, quiet: true, jobs: 1 });
  // the Latin-1 file's virt_to_page() on vmalloc memory is found, at its line
  assert.equal(r.findings.length, 3);
  assert.deepEqual(r.findings.filter((f) => path.basename(f.file) === 'latin1.c').map((f) => [f.rule, f.span.start.line]), [['vmalloc-linear-map', 2]]);
  const byPath = new Map(r.notes.map((n) => [path.basename(n.path), n]));
  assert.match(byPath.get('blob.c')?.message ?? '', /binary/);
  assert.match(byPath.get('latin1.c')?.message ?? '', /invalid UTF-8 at byte 4 \(line 1\): read as Latin-1/);
  assert.equal(byPath.get('latin1.c')?.severity, 'info');
  assert.ok(!r.notes.some((n) => n.severity === 'error'), 'nothing the user asked for was unreadable');
});

// ---- pre-pass -------------------------------------------------------------------------------

test('prefilter: source and sink sides are classified from the tables', () => {
  assert.equal(matcher.classify('p = vmalloc(n);'), SRC);
  assert.equal(matcher.classify('page = virt_to_page(p);'), SNK);
  assert.equal(matcher.classify('vmalloc_to_page(p); bio_add_page(b, pg, 4096, 0);'), SRC | SNK);
  assert.equal(matcher.classify('my_vmalloc_thing(p); submit_bio(b);'), 0, 'substrings and submit-only do not count');
});

test('lexFunctions: definitions, static, calls in bodies; comments, strings and #if braces do not confuse it', () => {
  const src = [
    '/* void fake(void) { vmalloc(1); } */',
    'static const char *s = "{ not a body }";',
    'static void *foo_alloc(size_t n)',
    '{',
    '#ifdef X',
    '\tif (n) {',
    '#else',
    '\tif (!n) {',
    '#endif',
    '\t\treturn vmalloc(n);',
    '\t}',
    '\treturn kmalloc(n, GFP_KERNEL);',
    '}',
    '',
    'int __init foo_write(struct bio *bio, void *buf) __must_hold(&lock)',
    '{',
    '\tfoo_alloc(1);',
    '\treturn bio_add_page(bio, virt_to_page(buf), 4096, 0);',
    '}',
    'struct foo { int (*fn)(void); };',
  ].join('\n');
  const lex = lexFunctions(src, matcher);
  assert.deepEqual(lex.defs.map((d) => [d.name, d.isStatic, d.bits]), [['foo_alloc', true, SRC], ['foo_write', false, SNK]]);
  assert.deepEqual(lex.defs[1].calls.sort(), ['bio_add_page', 'foo_alloc', 'virt_to_page']);
  // an indented `}` closes an inner block, not the function: calls after it still count
  assert.deepEqual(lex.defs[0].calls.sort(), ['kmalloc', 'vmalloc']);
  const withBodies = lexFunctions(src, matcher, { bodies: true });
  assert.equal(src.slice(withBodies.defs[0].bodyStart, withBodies.defs[0].bodyEnd), src.slice(src.indexOf('{\n#ifdef'), src.indexOf('}\n\nint') + 1));
  assert.ok(withBodies.defs[1].idents?.includes('buf'));
});

test('prefilter: a caller naming no table function is selected through linking names; unrelated files are not', () => {
  const paths = ['alloc.c', 'io.c', 'caller.c', 'other.c', 'srconly.c'];
  const texts = [
    'void *w_alloc(unsigned long n)\n{\n\treturn vmalloc(n);\n}\n',
    'int w_map(struct scatterlist *sg, void *p, unsigned int n)\n{\n\tsg_init_one(sg, p, n);\n\treturn 0;\n}\n',
    'int go(struct scatterlist *sg)\n{\n\tvoid *a = w_alloc(4);\n\treturn w_map(sg, a, 4);\n}\n',
    'int other(void)\n{\n\treturn printk("x");\n}\n',
    'static void *s_alloc(void)\n{\n\treturn vmalloc(4);\n}\n',
  ];
  const entries = texts.map((t) => {
    const bits = matcher.classify(t);
    return bits ? { bits, lex: lexFunctions(t, matcher) } : { bits };
  });
  const links = linkingNames({ paths, entries }, matcher);
  assert.deepEqual([...links.keys()].sort(), ['w_alloc', 'w_map'], 'static s_alloc is not a link');
  const refs = texts.map((t) => [...links.keys()].filter((n) => new RegExp(`\\b${n}\\b`).test(t)));
  const sel = selectFiles({ paths, entries }, links, refs, 64);
  assert.deepEqual(sel.parse.map((i) => paths[i]), ['alloc.c', 'io.c', 'caller.c']);
  // Bounded fan-out: a link referenced by more files than the limit is not followed.
  const capped = selectFiles({ paths, entries }, links, refs, 1);
  assert.deepEqual(capped.parse, []);
  assert.deepEqual(capped.dropped, ['w_alloc', 'w_map']);
});

test('prefilter: linking names are followed within their subsystem only', () => {
  assert.equal(linkScope('drivers/md/dm-vdo/memory-alloc.c'), 'drivers/md/');
  assert.equal(linkScope('drivers/md/dm-io.c'), 'drivers/md/');
  assert.equal(linkScope('mm/vmalloc.c'), 'mm/');
  assert.equal(linkScope('alloc.c'), '');
  const paths = ['drivers/md/vdo/mem.c', 'drivers/md/vdo/io.c', 'fs/xfs/caller.c', 'drivers/md/caller.c'];
  const texts = [
    'void *vdo_mem(unsigned long n)\n{\n\treturn vmalloc(n);\n}\n',
    'int vdo_io(struct scatterlist *sg, void *p)\n{\n\tsg_init_one(sg, p, 8);\n\treturn 0;\n}\n',
    'int x(struct scatterlist *sg)\n{\n\treturn vdo_io(sg, vdo_mem(8));\n}\n',
    'int y(struct scatterlist *sg)\n{\n\treturn vdo_io(sg, vdo_mem(8));\n}\n',
  ];
  const entries = texts.map((t) => {
    const bits = matcher.classify(t);
    return bits ? { bits, lex: lexFunctions(t, matcher) } : { bits };
  });
  const input = { paths, rels: paths, entries };
  const links = linkingNames(input, matcher);
  const refs = texts.map((t) => [...links.keys()].filter((n) => new RegExp(`\\b${n}\\(`).test(t)));
  const sel = selectFiles(input, links, refs, 64);
  assert.deepEqual(sel.parse.map((i) => paths[i]), ['drivers/md/vdo/mem.c', 'drivers/md/vdo/io.c', 'drivers/md/caller.c']);
  assert.deepEqual(sel.used.get(3)?.sort(), ['vdo_io', 'vdo_mem']);
  // In a huge subsystem the scope narrows to the wrapper's own directory.
  const narrow = linkingNames({ ...input, scopeFiles: (sc) => (sc === 'drivers/md/' ? 5000 : 10) }, matcher);
  assert.deepEqual(narrow.get('vdo_mem')?.scopes, ['drivers/md/vdo/']);
  const sel2 = selectFiles(input, narrow, refs, 64);
  assert.deepEqual(sel2.parse.map((i) => paths[i]), []);
});

test('prefilter: a source-side link hands memory back: by a pointer return or a pointer-to-pointer parameter', () => {
  const t = [
    'int fill(void **out)\n{\n\t*out = vmalloc(8);\n\treturn 0;\n}',
    'void *get(void)\n{\n\treturn vmalloc(8);\n}',
    // a plain pointer parameter, a function-pointer parameter taking a T **: nothing comes back
    'int count(void *data, int (*cb)(void **p))\n{\n\tvoid *t = vmalloc(8);\n\n\tvfree(t);\n\treturn 0;\n}',
    'int take(struct foo * * pp)\n{\n\t*pp = vzalloc(64);\n\treturn *pp ? 0 : -ENOMEM;\n}',
  ].join('\n') + '\n';
  const e = { bits: matcher.classify(t), lex: lexFunctions(t, matcher) };
  assert.deepEqual(e.lex.defs.map((d) => [d.name, d.returnsPointer, d.outParam === true]), [['fill', false, true], ['get', true, false], ['count', false, false], ['take', false, true]]);
  assert.deepEqual([...linkingNames({ paths: ['a.c'], entries: [e] }, matcher).keys()].sort(), ['fill', 'get', 'take']);
});

test('prefilter: wrappers of wrappers — exported pointer-returning functions calling a source-side link, through a static helper too', () => {
  const t = [
    'static void *grab(unsigned long n)\n{\n\treturn w_alloc(n);\n}',
    'void *direct(unsigned long n)\n{\n\treturn w_alloc(n * 2);\n}',
    'void *helped(unsigned long n)\n{\n\treturn grab(n);\n}',
    'int count(unsigned long n)\n{\n\treturn w_alloc(n) != NULL;\n}',
    'static void *hidden(void)\n{\n\treturn w_alloc(8);\n}',
    'void *vmalloc_user(unsigned long n)\n{\n\treturn w_alloc(n);\n}',
    'void *DEF_ALLOC(unsigned long n)\n{\n\treturn w_alloc(n);\n}',
    'void *unrelated(void)\n{\n\treturn other_alloc(8);\n}',
  ].join('\n') + '\n';
  const lex = lexFunctions(t, matcher);
  // not: a non-pointer return, a static function, a table name, a macro-like name, a call to a non-link
  assert.deepEqual(wrapperLinks('b.c', lex, new Set(['w_alloc']), matcher), [['direct', ['w_alloc']], ['helped', ['w_alloc']]]);
  assert.deepEqual(wrapperLinks('b.c', lex, new Set(), matcher), []);
  // in a header a static inline is visible to its includers
  assert.deepEqual(wrapperLinks('b.h', lex, new Set(['w_alloc']), matcher).map(([nm]) => nm).sort(), ['direct', 'grab', 'helped', 'hidden']);

  // scoped like their definers; a name defined by too many files, or already linking, is not added
  const paths = ['drivers/foo/core/a.c', 'drivers/foo/b.c', 'drivers/foo/c.c', 'drivers/foo/d.c', 'drivers/foo/e.c'];
  const entries = [
    { bits: SRC },
    { bits: 0, wraps: [['b_get', ['a_get']], ['dup', ['a_get']]] as [string, string[]][] },
    { bits: 0, wraps: [['dup', ['a_get']]] as [string, string[]][] },
    { bits: 0, wraps: [['dup', ['a_get']], ['a_get', ['a_get']]] as [string, string[]][] },
    { bits: SNK },
  ];
  const input = { paths, rels: paths, entries };
  const links = new Map<string, LinkName>([['a_get', { bits: SRC, definers: [0], scopes: ['drivers/foo/'] }]]);
  assert.deepEqual(addWrapperLinks(input, links, [1, 2, 3]), ['b_get']);
  assert.deepEqual(links.get('b_get'), { bits: SRC, definers: [1], scopes: ['drivers/foo/'], via: ['a_get'] });
  assert.equal(links.get('a_get')?.via, undefined);
  // A file calling the level-2 name and naming a sink is parsed with both definers: the wrapper's
  // summary needs the one it wraps.
  const refs = [[], ['a_get'], [], [], ['b_get']];
  assert.deepEqual(selectFiles(input, links, refs, 64).parse, [0, 1, 4]);
  // dropped for fan-out: nothing is followed through it
  assert.deepEqual(selectFiles(input, links, refs, 0).parse, []);
});

test('prefilter: members a source\'s result is stored in, with the holder\'s struct tag', () => {
  const t = [
    'static struct qq_ring *global_ring;',
    'int qq_setup(struct qq_dev *qd, struct qq_ring r, int n)',
    '{',
    '\tqd->log = vzalloc(n);',
    '\tqd->bufs[2] = (u8 *)vmalloc(n);',
    '\tr.desc = kvmalloc (n, GFP_KERNEL);',
    '\tglobal_ring->ents = vmalloc(n);',
    '\tunknown->x = vmalloc(n);',
    '\tqd->count = n; p = vmalloc(n);',
    '\tqd->cb = vmalloc;',
    '\tif (qd->log == vmalloc(1))',
    '\t\treturn 0;',
    '\treturn 0;',
    '}',
  ].join('\n');
  const re = callsOf(t, ['vmalloc', 'vzalloc', 'kvmalloc']);
  // not: a holder with no struct declaration in view, a plain variable, a function name stored
  // without a call, a comparison
  assert.deepEqual(sourceFieldTypes(t, re), [['qq_dev', 'bufs'], ['qq_dev', 'log'], ['qq_ring', 'desc'], ['qq_ring', 'ents']]);
  // the same from the calls the lexer saw (what the scan's pre-pass uses)
  const m = new NameMatcher(nameClasses());
  const srcCalls: number[] = [];
  lexFunctions(t, m, { srcCalls });
  assert.equal(srcCalls.length, 2 * 7, 'seven source calls in the body');
  assert.deepEqual(sourceFieldTypes(t, srcCalls), sourceFieldTypes(t, re));
  const none = 'int f(void)\n{\n\treturn 0;\n}\n';
  assert.deepEqual(sourceFieldTypes(none, callsOf(none, ['vmalloc'])), []);
});

test('prefilter: member tables a function calling a source fills or walks, with the holder\'s struct tag', () => {
  const t = [
    'int qq_map_ring(struct qq_ring *ring, struct qq_dev *qd, int n)',
    '{',
    '\tstruct scatterlist *sg;',
    '\tstruct sg_table *local = &qd->tmp;',
    '\tvoid *p = ring->vaddr;',
    '\tint i;',
    '',
    '\tfor_each_sg(ring->sgt[qd->port].sgl, sg, n, i) {',
    '\t\tsg_set_page(sg, vmalloc_to_page(p), PAGE_SIZE, 0);',
    '\t\tp += PAGE_SIZE;',
    '\t}',
    '\tsg_set_page(&qd->sglist[0], vmalloc_to_page(p), PAGE_SIZE, 0);',
    '\tfor_each_sg(local->sgl, sg, n, i)',
    '\t\tsg_set_page(sg, vmalloc_to_page(p), PAGE_SIZE, 0);',
    '\tfor_each_sg(unknown->list, sg, n, i)',
    '\t\tsg_set_page(sg, vmalloc_to_page(p), PAGE_SIZE, 0);',
    '\treturn 0;',
    '}',
    '',
    'int qq_map_ctl(struct qq_dev *qd)',
    '{',
    '\treturn sg_alloc_table_from_pages(&qd->ctl_sgt, qd->pages, 1, 0, PAGE_SIZE, GFP_KERNEL);',
    '}',
  ].join('\n');
  const m = new NameMatcher(nameClasses());
  const srcCalls: number[] = [];
  lexFunctions(t, m, { srcCalls });
  // not: a local table pointer's `sgl` (struct sg_table's own list), a holder with no declaration
  // in view, a table filled in a function that calls no source
  assert.deepEqual(tableFieldTypes(t, srcCalls), [['qq_dev', 'sglist'], ['qq_ring', 'sgt']]);
  // sg_alloc_table_from_pages() is a fill too, where a source is called
  const pages = t.replace('qd->pages, 1', 'vmalloc_to_page(qd->buf), 1');
  const srcCalls2: number[] = [];
  lexFunctions(pages, m, { srcCalls: srcCalls2 });
  assert.deepEqual(tableFieldTypes(pages, srcCalls2), [['qq_dev', 'ctl_sgt'], ['qq_dev', 'sglist'], ['qq_ring', 'sgt']]);
  assert.deepEqual(tableFieldTypes(t, []), []);
});

test('scan: the pre-pass keeps only files that can matter', async () => {
  const d = tmpdir('pre');
  copyDir(path.join(MULTI, 'three_file_chain'), d);
  fs.writeFileSync(path.join(d, 'unrelated.c'), 'int unrelated(int x)\n{\n\treturn x + 1;\n}\n');
  fs.writeFileSync(path.join(d, 'only_alloc.c'), 'static int *t;\nint init_t(void)\n{\n\tt = vmalloc(64);\n\treturn t ? 0 : -1;\n}\n');
  const r = await scanPaths([d], { noCache: true, quiet: true, jobs: 1 });
  assert.equal(r.stats.filesSeen, 5);
  assert.equal(r.stats.filesPrefiltered, 3);
  assert.equal(r.stats.filesParsed, 3);
  assert.equal(r.findings.length, 1);
  const all = await scanPaths([d], { noCache: true, quiet: true, jobs: 1, prefilter: false });
  assert.equal(all.stats.filesParsed, 5);
  assert.deepEqual(all.findings.map((f) => f.span.start.line), r.findings.map((f) => f.span.start.line), 'no recall lost to the pre-pass');
});

/** A sink-side function with nothing vmalloc near it: makes a file name both sides. */
const UTIL_PING = [
  'int util_ping(struct device *dev, u8 *cmd)',
  '{',
  '\tdma_addr_t a = dma_map_single(dev, cmd, 16, DMA_TO_DEVICE);',
  '',
  '\treturn dma_mapping_error(dev, a);',
  '}',
  '',
];

test('scan: a definition of a table-resolved name (kvfree, kfree) is no dependency: neither file is parsed', async () => {
  // mm-style kvfree() names is_vmalloc_addr(); its summary is never read (the interpreter resolves
  // kvfree from the tables), so calling it must not make it a sink for the caller's flow check nor
  // make its file a dependency whose summaries have to be exact.
  const d = tmpdir('tabres');
  fs.writeFileSync(path.join(d, 'util.c'), [
    'void kvfree(const void *addr)',
    '{',
    '\tif (is_vmalloc_addr(addr))',
    '\t\tvfree(addr);',
    '\telse',
    '\t\tkfree(addr);',
    '}',
    '',
    ...UTIL_PING,
  ].join('\n'));
  // slub-style kfree(): it converts its argument, so by its body it is a sink-side helper
  fs.writeFileSync(path.join(d, 'slab.c'), [
    'void kfree(const void *obj)',
    '{',
    '\tstruct folio *folio = virt_to_folio(obj);',
    '',
    '\tslab_put(folio, obj);',
    '}',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(d, 'user.c'), [
    'static void user_drop(u8 *hdr)',
    '{',
    '\tkfree(hdr);',
    '}',
    '',
    'static int user_count(unsigned int n)',
    '{',
    '\tu32 *tbl = kvmalloc_array(n, sizeof(*tbl), GFP_KERNEL);',
    '\tint i, sum = 0;',
    '',
    '\tif (!tbl)',
    '\t\treturn -ENOMEM;',
    '\tfor (i = 0; i < n; i++)',
    '\t\tsum += tbl[i] = i;',
    '\tkvfree(tbl);',
    '\treturn sum;',
    '}',
    '',
    'int user_status(struct device *dev, u8 *st)',
    '{',
    '\tdma_addr_t a = dma_map_single(dev, st, 8, DMA_FROM_DEVICE);',
    '',
    '\treturn dma_mapping_error(dev, a);',
    '}',
    '',
  ].join('\n'));
  const r = await scanPaths([d], { noCache: true, quiet: true, jobs: 1 });
  assert.equal(r.stats.filesPrefiltered, 2, 'both files name both sides; slab.c links nothing');
  assert.equal(r.stats.filesParsed, 0);
  assert.equal(r.stats.filesSkipped, 2);
  assert.deepEqual(r.findings, []);
  const all = await scanPaths([d], { noCache: true, quiet: true, jobs: 1, prefilter: false });
  assert.deepEqual(all.findings, [], 'nothing to find when everything is parsed either');
});

test('scan: a definition of an allocator the scanned kernel has is no dependency; of one it lacks, it is', async () => {
  // vcalloc() is in the tables from 5.15. In a 6.18 tree the interpreter resolves its calls from the
  // tables, so util.c's definition is never read: user.c alone carries the finding and util.c, a
  // leaf whose vzalloc() reaches no sink, is not parsed. In a 5.4 tree the same name is the
  // file's own helper, and its summary is what makes user.c's call an allocation.
  const d = tmpdir('tabver');
  fs.writeFileSync(path.join(d, 'util.c'), [
    'void *vcalloc(size_t n, size_t size)',
    '{',
    '\treturn vzalloc(n * size);',
    '}',
    '',
    ...UTIL_PING,
  ].join('\n'));
  fs.writeFileSync(path.join(d, 'user.c'), [
    'int user_send(struct scatterlist *sg, unsigned int n)',
    '{',
    '\tu32 *tbl = vcalloc(n, sizeof(*tbl));',
    '',
    '\tif (!tbl)',
    '\t\treturn -ENOMEM;',
    '\tsg_init_one(sg, tbl, n * sizeof(*tbl));',
    '\treturn 0;',
    '}',
    '',
  ].join('\n'));
  for (const [minor, major, parsed] of [[18, 6, 1], [4, 5, 2]] as const) {
    const r = await scanPaths([d], { noCache: true, quiet: true, jobs: 1, kernel: { major, minor } });
    assert.equal(r.stats.filesPrefiltered, 2, `${major}.${minor}: both files name both sides`);
    assert.equal(r.stats.filesParsed, parsed, `${major}.${minor}: files parsed`);
    assert.deepEqual(r.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line}:${f.rule}`), ['user.c:7:vmalloc-linear-map'], `${major}.${minor}`);
  }
});

// ---- summaries ------------------------------------------------------------------------------

test('tarjan: callees come before callers, cycles are one component', () => {
  // 0 → 1 → 2 → 1, 3 → 0
  const sccs = tarjan([[1], [2], [1], [0]]);
  assert.deepEqual(sccs, [[1, 2], [0], [3]]);
});

test('summaries: same-named functions of several files are merged to what they agree on; near definitions win', () => {
  const m = mergeSummaries([
    { name: 'f', file: 'a.c', returnsVmalloc: 'vmalloc', flushesParams: [0, 1] },
    { name: 'f', file: 'b.c', flushesParams: [1] },
  ]);
  assert.deepEqual(m, { name: 'f', file: 'a.c', flushesParams: [1] });
  const files = [
    { path: 'x/a.c', exports: ['f'], defines: ['f'], calls: [] },
    { path: 'y/b.c', exports: ['f'], defines: ['f'], calls: [] },
    { path: 'x/c.c', exports: [], defines: [], calls: ['f'] },
  ];
  const t = new SummaryTable(files);
  t.set(0, [{ name: 'f', file: 'x/a.c', returnsVmalloc: 'vmalloc' }]);
  t.set(1, [{ name: 'f', file: 'y/b.c', flushesParams: [0] }]);
  assert.deepEqual(t.externalFor(2), [{ name: 'f', file: 'x/a.c', returnsVmalloc: 'vmalloc' }]);
  const g = buildGraph(files);
  assert.deepEqual(g.deps[2], [0, 1]);
});

test('summaries: a helper whose only fact is adding pages, reading into or returning a page of its argument reaches its callers', () => {
  const files = [
    { path: 'x/a.c', exports: ['add', 'rd', 'pg', 'nothing'], defines: ['add', 'rd', 'pg', 'nothing'], calls: [] },
    { path: 'x/c.c', exports: [], defines: [], calls: ['add', 'rd', 'pg', 'nothing'] },
  ];
  const t = new SummaryTable(files);
  const add = { name: 'add', file: 'x/a.c', addsPagesParams: [{ buf: 1, to: 0, kind: 'bio' as const }] };
  const rd = { name: 'rd', file: 'x/a.c', readIntoParams: [0], submitDirection: 'read' as const };
  const pg = { name: 'pg', file: 'x/a.c', returnsPageOfParam: 0 };
  t.set(0, [add, rd, pg, { name: 'nothing', file: 'x/a.c' }]);
  assert.deepEqual(t.externalFor(1), [add, pg, rd]);
  // several definers: only what all of them say
  assert.deepEqual(mergeSummaries([add, { ...add, file: 'y/b.c' }]), { name: 'add', file: 'x/a.c', addsPagesParams: add.addsPagesParams });
  assert.deepEqual(mergeSummaries([add, { name: 'add', file: 'y/b.c', addsPagesParams: [{ buf: 1, to: 0, kind: 'sg' }] }]), { name: 'add', file: 'x/a.c' });
  assert.deepEqual(mergeSummaries([rd, { ...rd, file: 'y/b.c' }]), { name: 'rd', file: 'x/a.c', readIntoParams: [0], submitDirection: 'read' });
  assert.deepEqual(mergeSummaries([pg, { name: 'pg', file: 'y/b.c', returnsPageOfParam: 1 }]), { name: 'pg', file: 'x/a.c' });
});

test('summaries: a returned table of the argument\'s pages reaches callers, merged to what every definer says', () => {
  const files = [
    { path: 'x/a.c', exports: ['to_sg'], defines: ['to_sg'], calls: [] },
    { path: 'x/c.c', exports: [], defines: [], calls: ['to_sg'] },
  ];
  const t = new SummaryTable(files);
  const sg = { name: 'to_sg', file: 'x/a.c', returnsPagesOfParams: [{ buf: 0, kind: 'sg' as const }] };
  t.set(0, [sg]);
  assert.deepEqual(t.externalFor(1), [sg]);
  assert.ok(hasFacts(sg));
  assert.deepEqual(mergeSummaries([sg, { ...sg, file: 'y/b.c' }]), sg);
  // another parameter, another kind or another op: nothing is agreed
  assert.deepEqual(mergeSummaries([sg, { ...sg, file: 'y/b.c', returnsPagesOfParams: [{ buf: 1, kind: 'sg' }] }]), { name: 'to_sg', file: 'x/a.c' });
  const bio = { name: 'to_bio', file: 'x/a.c', returnsPagesOfParams: [{ buf: 1, kind: 'bio' as const, dir: 'write' as const }] };
  assert.deepEqual(mergeSummaries([bio, { ...bio, file: 'y/b.c', returnsPagesOfParams: [{ buf: 1, kind: 'bio', dir: 'read' }] }]), { name: 'to_bio', file: 'x/a.c' });
});

test('summaries: a flag parameter choosing the direction survives a merge only where every definer says the same', () => {
  const x = { name: 'xfer', file: 'x/a.c', submitsParams: [1], submitDirection: 'both' as const, directionParam: 2, directionWhenTrue: 'read' as const };
  assert.deepEqual(mergeSummaries([x, { ...x, file: 'y/b.c' }]), x);
  const merged = mergeSummaries([x, { ...x, file: 'y/b.c', directionWhenTrue: 'write' }]);
  assert.equal(merged?.directionWhenTrue, undefined);
  assert.equal(merged?.directionParam, 2);
  assert.equal(validSummary({ ...x, directionWhenTrue: 'sideways' }), false);
  assert.ok(validSummary(x));
});

test('summaries: flushes a flag parameter selects are facts, kept where every definer agrees, and checked when read back', () => {
  const x = { name: 'sync', file: 'x/a.c', invalidatesMembers: ['seg.mem'], flushesWhen: [{ param: 1, value: true, members: ['seg.mem'] }] };
  assert.ok(hasFacts({ name: 'sync', file: 'x/a.c', flushesWhen: x.flushesWhen }));
  assert.deepEqual(mergeSummaries([x, { ...x, file: 'y/b.c' }]), x);
  assert.equal(mergeSummaries([x, { ...x, file: 'y/b.c', flushesWhen: [{ param: 1, value: false, members: ['seg.mem'] }] }])?.flushesWhen, undefined);
  assert.ok(validSummary(x));
  assert.ok(validSummary({ ...x, flushesWhen: [{ param: 2, value: false, params: [0] }] }));
  for (const bad of [[{ param: -1, value: true }], [{ param: 1, value: 'yes' }], [{ param: 1, value: true, params: ['0'] }], [{ param: 1, value: true, members: ['mem'] }], { param: 1, value: true }]) {
    assert.equal(validSummary({ ...x, flushesWhen: bad }), false, JSON.stringify(bad));
  }
});

test('summaries: the length parameter of a submitted one survives a merge only where every definer agrees, and is checked', () => {
  const x = { name: 'put', file: 'x/a.c', submitsParams: [1], submitsLength: [{ param: 1, len: 2 }] };
  assert.deepEqual(mergeSummaries([x, { ...x, file: 'y/b.c' }]), x);
  assert.equal(mergeSummaries([x, { ...x, file: 'y/b.c', submitsLength: [{ param: 1, len: 3 }] }])?.submitsLength, undefined);
  assert.ok(validSummary(x));
  for (const bad of [[{ param: 1 }], [{ param: 1, len: -2 }], [{ param: '1', len: 2 }], { param: 1, len: 2 }]) {
    assert.equal(validSummary({ ...x, submitsLength: bad }), false, JSON.stringify(bad));
  }
});

test('summaries: member reads and writes are kept only where every definer agrees, and are facts', () => {
  const a = { name: 'chk', file: 'x/a.c', readsMembers: ['qb.area', 'qb.hdr'], writesMembers: ['qb.area'] };
  const b = { name: 'chk', file: 'y/b.c', readsMembers: ['qb.area'] };
  assert.deepEqual(mergeSummaries([a, b]), { name: 'chk', file: 'x/a.c', readsMembers: ['qb.area'] });
  assert.ok(hasFacts({ name: 'w', file: 'x/a.c', writesMembers: ['qb.area'] }));
  assert.ok(validSummary(a));
  for (const bad of [['qb'], ['qb.area; x'], [1], 'qb.area']) {
    assert.equal(validSummary({ name: 'chk', file: 'x/a.c', readsMembers: bad }), false, JSON.stringify(bad));
    assert.equal(validSummary({ name: 'chk', file: 'x/a.c', writesMembers: bad }), false, JSON.stringify(bad));
  }
});

test('cache: a stored returned-table fact of the wrong shape is not trusted', () => {
  const base = { name: 'to_sg', file: 'x/a.c' };
  assert.ok(validSummary({ ...base, returnsPagesOfParams: [{ buf: 0, kind: 'sg' }, { buf: 1, kind: 'bio', dir: 'write' }] }));
  for (const bad of [[{ buf: -1, kind: 'sg' }], [{ buf: 0, kind: 'dma' }], [{ buf: 0, kind: 'bio', dir: 'sideways' }], { buf: 0, kind: 'sg' }, ['0>sg']]) {
    assert.equal(validSummary({ ...base, returnsPagesOfParams: bad }), false, JSON.stringify(bad));
  }
});

// ---- cache ----------------------------------------------------------------------------------

test('summaries: an open document gets the member facts other files of its subsystem stored', () => {
  const fact = (file: string) => ({
    key: 'zq_dev.log', t: 'buf' as const, kind: 'vmalloc' as const, display: 'zd->log', zeroed: true,
    origin: [{ kind: 'alloc' as const, message: 'allocated with vzalloc()', file, span: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 }, startOffset: 0, endOffset: 1 } }],
  });
  const facts = [fact('/ws/drivers/misc/zq/zq_core.c'), fact('/ws/drivers/net/other/core.c'), fact('/ws/drivers/misc/zq/zq_dma.c')];
  const of = (file: string) => fieldFactsFor(file, facts).map((f) => f.origin[0].file);
  // its own directory and its siblings under the storer's parent; never its own stores
  assert.deepEqual(of('/ws/drivers/misc/zq/zq_dma.c'), ['/ws/drivers/misc/zq/zq_core.c']);
  assert.deepEqual(of('/ws/drivers/misc/zq_extra/x.c'), ['/ws/drivers/misc/zq/zq_core.c', '/ws/drivers/misc/zq/zq_dma.c']);
  assert.deepEqual(of('/ws/drivers/net/other/b.c'), ['/ws/drivers/net/other/core.c']);
  assert.deepEqual(of('/ws/fs/x.c'), []);
});

test('cache: default directory follows XDG_CACHE_HOME, else ~/.cache', () => {
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' }), path.join('/x/cache', 'vmalias'));
  assert.equal(defaultCacheDir({}), path.join(os.homedir(), '.cache', 'vmalias'));
});

test('cache: a warm re-scan parses nothing and gives the same findings', async () => {
  const d = tmpdir('warm');
  copyDir(path.join(MULTI, 'page_helper'), d);
  age(d);
  const cacheDir = tmpdir('cache');
  const cold = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(cold.stats.filesParsed, 3);
  assert.equal(cold.stats.cacheHits, 0);
  const streamed: string[] = [];
  const warm = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 }, (f) => streamed.push(f.message));
  assert.equal(warm.stats.filesParsed, 0);
  assert.equal(warm.stats.cacheHits, 3);
  assert.equal(warm.stats.prefilterCacheHits, 3, 'unchanged files are not even read');
  assert.deepEqual(json(warm.findings), json(cold.findings));
  assert.equal(streamed.length, cold.findings.length, 'cached findings are streamed too');
});

test('cache: a changed file costs itself, plus its dependents only when its summaries change', async () => {
  const d = tmpdir('inval');
  copyDir(path.join(MULTI, 'fallback_alloc'), d);
  const cacheDir = tmpdir('cache');
  const cold = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(cold.findings.length, 2);
  // A comment in the caller: only the caller is re-analysed.
  fs.appendFileSync(path.join(d, 'foo_xfer.c'), '/* touched */\n');
  const r1 = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(r1.stats.filesParsed, 1);
  assert.equal(r1.stats.cacheHits, 1);
  assert.equal(r1.findings.length, 2);
  // A comment in the allocator: its summary is unchanged, so its caller stays cached.
  fs.appendFileSync(path.join(d, 'foo_mem.c'), '/* touched */\n');
  const r2 = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(r2.stats.filesParsed, 1);
  assert.equal(r2.findings.length, 2);
  // The allocator's large path now ends in kmalloc memory: its summary changes and the dependent
  // caller is re-analysed (the file still names __vmalloc, so the pre-pass selects both again).
  const mem = fs.readFileSync(path.join(d, 'foo_mem.c'), 'utf8').replace('return p;', 'if (p)\n\t\tvfree(p);\n\tp = kmalloc(size, gfp);\n\treturn p;');
  fs.writeFileSync(path.join(d, 'foo_mem.c'), mem);
  const r3 = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  // (the caller is re-examined; with no vmalloc source left it is not even parsed)
  assert.equal(r3.stats.filesParsed + r3.stats.filesSkipped, 2);
  assert.equal(r3.stats.filesSkipped, 1);
  assert.equal(r3.findings.length, 0);
});

test('cache: an unchanged file that a changed file newly links to is selected and analysed', async () => {
  const d = tmpdir('join');
  copyDir(path.join(MULTI, 'three_file_chain'), d);
  // The pre-pass also reads comments: drop the annotation, which names the rule (and so "vmalloc").
  const snap = path.join(d, 'bar_snapshot.c');
  fs.writeFileSync(snap, fs.readFileSync(snap, 'utf8').replace(' /* expect: vmalloc-linear-map */', ''));
  const allocFile = path.join(d, 'bar_alloc.c');
  const original = fs.readFileSync(allocFile, 'utf8');
  fs.writeFileSync(allocFile, original.replace('return vmalloc(nr_pages << PAGE_SHIFT);', 'return kmalloc(nr_pages << PAGE_SHIFT, GFP_KERNEL);'));
  age(d);
  const cacheDir = tmpdir('cache');
  const before = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(before.findings.length, 0);
  assert.equal(before.stats.filesPrefiltered, 0, 'no file has a source side');
  const again = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(again.stats.prefilterCacheHits, 3);
  fs.writeFileSync(allocFile, original);
  const after = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(after.stats.filesPrefiltered, 3);
  assert.deepEqual(after.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line}`), ['bar_snapshot.c:24']);
});

/** A copy of multi/wrapper_chain whose caller names no table function, even in a comment. */
function wrapperChain(tag: string): string {
  const d = tmpdir(tag);
  copyDir(path.join(MULTI, 'wrapper_chain'), d);
  const sync = path.join(d, 'baz_sync.c');
  fs.writeFileSync(sync, fs.readFileSync(sync, 'utf8').replace(' /* expect: vmalloc-linear-map */', ''));
  return d;
}

test('scan: wrappers of wrappers are followed across files to linkDepth levels', async () => {
  const d = wrapperChain('depth');
  // vzalloc() in baz_pool.c, wrapped in baz_table.c, wrapped again (through a static helper) in
  // baz_ring.c, whose result baz_sync.c maps with sg_init_one()
  const at = async (linkDepth: number) => scanPaths([d], { noCache: true, quiet: true, jobs: 1, linkDepth });
  for (const depth of [1, 2]) {
    const r = await at(depth);
    assert.deepEqual(r.findings, [], `depth ${depth}`);
    assert.equal(r.stats.wrapperLinks, depth - 1);
  }
  const r = await at(3);
  assert.deepEqual(r.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line}:${f.rule}`), ['baz_sync.c:21:vmalloc-linear-map']);
  assert.equal(r.stats.wrapperLinks, 2);
  assert.equal(r.stats.filesPrefiltered, 4, 'the caller and every file of the chain');
  const sel = await scanPaths([d], { noCache: true, quiet: true, jobs: 1, selectOnly: true });
  assert.deepEqual(sel.selected?.find((f) => f.path.endsWith('baz_sync.c'))?.links, ['baz_ring_new']);
});

test('cache: a changed file that becomes a wrapper of wrappers links its unchanged callers, and stops linking them when it no longer is one', async () => {
  const d = wrapperChain('wrapjoin');
  const ring = path.join(d, 'baz_ring.c');
  const original = fs.readFileSync(ring, 'utf8');
  const standalone = original.replace('return baz_table_new(slots + 1);', 'return kcalloc(slots + 1, sizeof(u64), GFP_KERNEL);');
  assert.notEqual(standalone, original);
  fs.writeFileSync(ring, standalone);
  age(d);
  const cacheDir = tmpdir('cache');
  const opts = { cacheDir, quiet: true, jobs: 1 };
  const before = await scanPaths([d], opts);
  assert.deepEqual(before.findings, []);
  assert.equal(before.stats.wrapperLinks, 1, 'baz_table_new() still wraps baz_pool_get()');
  const again = await scanPaths([d], { ...opts, selectOnly: true });
  assert.equal(again.stats.prefilterCacheHits, 4, 'every file trusted by its stat data');
  // Only baz_ring.c changes: baz_sync.c is trusted, and its stored references predate the new
  // wrapper, so it must be searched for it.
  fs.writeFileSync(ring, original);
  const old = new Date(Date.now() - 30_000); // trusted on the next run; the size tells the change now
  fs.utimesSync(ring, old, old);
  const after = await scanPaths([d], opts);
  assert.equal(after.stats.prefilterCacheHits, 3);
  assert.deepEqual(after.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line}`), ['baz_sync.c:21']);
  // Warm and trusted: the stored references and wrappers answer, the finding stays.
  fs.rmSync(path.join(cacheDir, `v${CACHE_SCHEMA}`, 'results'), { recursive: true, force: true });
  const warm = await scanPaths([d], opts);
  assert.equal(warm.stats.prefilterCacheHits, 4);
  assert.equal(warm.stats.wrapperLinks, 2);
  assert.deepEqual(warm.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line}`), ['baz_sync.c:21']);
  // A stored wrapper list of the wrong shape is not trusted: the index is dropped, files read again.
  const indexDir = path.join(cacheDir, `v${CACHE_SCHEMA}`, 'index');
  const idxFile = fs.readdirSync(indexDir).filter((f) => !f.endsWith('.lex.json')).map((f) => path.join(indexDir, f))[0];
  const idx = JSON.parse(fs.readFileSync(idxFile, 'utf8'));
  const withWraps = Object.values(idx.entry as Record<string, { wraps?: unknown }>).filter((e) => e.wraps !== undefined);
  assert.ok(withWraps.length > 0, 'wrappers are stored with their files');
  withWraps[0].wraps = [['baz_x', 'baz_pool_get']];
  fs.writeFileSync(idxFile, JSON.stringify(idx));
  fs.rmSync(path.join(cacheDir, `v${CACHE_SCHEMA}`, 'results'), { recursive: true, force: true });
  const damaged = await scanPaths([d], opts);
  assert.equal(damaged.stats.prefilterCacheHits, 0);
  assert.deepEqual(damaged.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line}`), ['baz_sync.c:21']);
  // And back: the wrapper is gone, so is the finding.
  fs.writeFileSync(ring, standalone);
  const gone = await scanPaths([d], opts);
  assert.deepEqual(gone.findings, []);
  assert.equal(gone.stats.wrapperLinks, 1);
});

test('cache: an unchanged file already calling a wrapper is looked at again when it starts calling a new one', async () => {
  const d = wrapperChain('wrapgain');
  // baz_view.c calls a level-1 wrapper (so its wrappers were stored) and baz_ring_new(), which
  // becomes a level-3 wrapper only when baz_ring.c changes: baz_view_new() is then a level-4 one,
  // and baz_show.c, unchanged too, maps its result.
  fs.writeFileSync(path.join(d, 'baz_view.c'), [
    'void *baz_pool_get(size_t size);', 'void *baz_ring_new(unsigned int slots);', '',
    'void *baz_view_small(void)', '{', '\treturn baz_pool_get(64);', '}', '',
    'void *baz_view_new(unsigned int slots)', '{', '\treturn baz_ring_new(slots);', '}', '',
  ].join('\n'));
  fs.writeFileSync(path.join(d, 'baz_show.c'), [
    'void *baz_view_new(unsigned int slots);', '',
    'int baz_show(struct scatterlist *sg, unsigned int slots)', '{', '\tvoid *v = baz_view_new(slots);', '',
    '\tif (!v)', '\t\treturn -ENOMEM;', '\tsg_init_one(sg, v, slots * 8);', '\treturn 0;', '}', '',
  ].join('\n'));
  const ring = path.join(d, 'baz_ring.c');
  const original = fs.readFileSync(ring, 'utf8');
  fs.writeFileSync(ring, original.replace('return baz_table_new(slots + 1);', 'return kcalloc(slots + 1, sizeof(u64), GFP_KERNEL);'));
  age(d);
  const opts = { cacheDir: tmpdir('cache'), quiet: true, jobs: 1, linkDepth: 4 };
  const before = await scanPaths([d], opts);
  assert.deepEqual(before.findings, []);
  assert.equal(before.stats.wrapperLinks, 2, 'baz_table_new and baz_view_small');
  fs.writeFileSync(ring, original);
  const after = await scanPaths([d], opts);
  assert.equal(after.stats.prefilterCacheHits, 5);
  assert.equal(after.stats.wrapperLinks, 4);
  assert.deepEqual(after.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line}`), ['baz_show.c:9', 'baz_sync.c:21']);
  // Back again: baz_view.c's stored wrappers still name baz_ring_new(), which links nothing now.
  fs.writeFileSync(ring, original.replace('return baz_table_new(slots + 1);', 'return kcalloc(slots + 2, sizeof(u64), GFP_KERNEL);'));
  const gone = await scanPaths([d], opts);
  assert.equal(gone.stats.prefilterCacheHits, 5);
  assert.deepEqual(gone.findings, []);
  assert.equal(gone.stats.wrapperLinks, 2);
  assert.equal(gone.stats.filesPrefiltered, 0, 'no caller has a sink on a source side');
});

test('scan: a member stored in one file and read in another is followed only for types the storer\'s own headers define', async () => {
  const d = tmpdir('members');
  copyDir(path.join(MULTI, 'member_store'), d);
  const r = await scanPaths([d], { noCache: true, quiet: true, jobs: 1 });
  assert.deepEqual(r.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line}`), ['zq_dma.c:11']);
  assert.equal(r.stats.fieldLinks, 1);
  const core = path.join(d, 'zq_core.c');
  const original = fs.readFileSync(core, 'utf8');
  // filled from a helper of the storer's file that returns vzalloc() memory: the same
  const helper = original.replace('int zq_log_init(', 'static void *zq_log_mem(size_t len)\n{\n\treturn vzalloc(len);\n}\n\nint zq_log_init(')
    .replace('zd->log = vzalloc(len);', 'zd->log = zq_log_mem(len);');
  fs.writeFileSync(core, helper);
  const viaHelper = await scanPaths([d], { noCache: true, quiet: true, jobs: 1 });
  assert.equal(viaHelper.stats.fieldLinks, 1);
  assert.deepEqual(viaHelper.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line}`), ['zq_dma.c:11']);
  // filled from another file's wrapper allocator, in a storer naming no allocator itself: the
  // files calling a source-side link are read for member stores too, and the wrapper's file joins
  fs.writeFileSync(path.join(d, 'zq_mem.c'), 'void *zq_mem_get(size_t len)\n{\n\treturn vzalloc(len);\n}\n');
  fs.writeFileSync(core, original.replace('#include <linux/vmalloc.h>\n', 'void *zq_mem_get(size_t len);\n')
    .replace(' * zq core: the event log is large and only ever touched by the CPU, so it\n * lives in virtually contiguous memory; the scratch area is small.\n', ' * zq core.\n')
    .replace('zd->log = vzalloc(len);', 'zd->log = zq_mem_get(len);').replace('vfree(zd->log);', 'kvfree(zd->log);'));
  assert.ok(!/vmalloc|vzalloc/.test(fs.readFileSync(core, 'utf8')), 'the storer names no allocator');
  const viaLink = await scanPaths([d], { noCache: true, quiet: true, jobs: 1 });
  assert.equal(viaLink.stats.fieldLinks, 1);
  assert.deepEqual(viaLink.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line} ${path.basename(f.trace[0].file)}`), ['zq_dma.c:11 zq_core.c']);
  fs.rmSync(path.join(d, 'zq_mem.c'));
  fs.writeFileSync(core, original);
  // an include naming a FIFO (or a directory) is not read: the scan neither blocks nor fails
  fs.writeFileSync(core, original.replace('#include "zq.h"', '#include "zq_pipe.h"\n#include "zq_dir.h"\n#include "zq.h"'));
  execFileSync('mkfifo', [path.join(d, 'zq_pipe.h')]);
  fs.mkdirSync(path.join(d, 'zq_dir.h'));
  const withFifo = await scanPaths([d], { noCache: true, quiet: true, jobs: 1 });
  assert.deepEqual(withFifo.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line}`), ['zq_dma.c:11']);
  fs.rmSync(path.join(d, 'zq_pipe.h'));
  fs.rmSync(path.join(d, 'zq_dir.h'), { recursive: true });
  fs.writeFileSync(core, original);
  // struct zq_dev from a header the storer does not include with quotes: not the subsystem's own
  fs.writeFileSync(core, fs.readFileSync(core, 'utf8').replace('#include "zq.h"', '#include <linux/zq.h>'));
  const foreign = await scanPaths([d], { noCache: true, quiet: true, jobs: 1 });
  assert.equal(foreign.stats.fieldLinks, 0);
  assert.deepEqual(foreign.findings, []);
});

test('cache: a reader of another file\'s member is analysed again when what is stored there changes', async () => {
  const d = tmpdir('memcache');
  copyDir(path.join(MULTI, 'member_store'), d);
  const core = path.join(d, 'zq_core.c');
  const original = fs.readFileSync(core, 'utf8');
  age(d);
  const cacheDir = tmpdir('cache');
  const opts = { cacheDir, quiet: true, jobs: 1 };
  const where = (r: Awaited<ReturnType<typeof scanPaths>>): string[] =>
    r.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line} from ${f.trace.map((s) => `${path.basename(s.file)}:${s.span.start.line}`).join(' ')}`);
  const cold = await scanPaths([d], opts);
  assert.deepEqual(where(cold), ['zq_dma.c:11 from zq_core.c:12 zq_core.c:12 zq_dma.c:11']);
  // The store moves down a line: zq_dma.c is unchanged and trusted, only the fact it reads differs.
  fs.writeFileSync(core, original.replace('\tzd->log = vzalloc(len);', '\t/* zeroed: the log is read back before it is full */\n\tzd->log = vzalloc(len);'));
  const after = await scanPaths([d], opts);
  assert.equal(after.stats.prefilterCacheHits, 2, 'zq.h and zq_dma.c trusted');
  // only the changed file is read for names (its sink-side helpers): what zq_dma.c names is kept
  assert.equal(after.stats.linkFilesRead, 1);
  assert.deepEqual(where(after), ['zq_dma.c:11 from zq_core.c:13 zq_core.c:13 zq_dma.c:11']);
  // A stored fact of the wrong shape is not trusted: the entry is dropped and the file analysed again.
  const objects = cacheObjects(cacheDir);
  let damaged = 0;
  for (const o of objects) {
    const e = JSON.parse(fs.readFileSync(o, 'utf8'));
    if (!e.fieldFacts) continue;
    e.fieldFacts[0].kind = 'kmalloc';
    fs.writeFileSync(o, JSON.stringify(e));
    damaged++;
  }
  assert.ok(damaged > 0, 'field facts are stored with their file');
  fs.rmSync(path.join(cacheDir, `v${CACHE_SCHEMA}`, 'results'), { recursive: true, force: true });
  const again = await scanPaths([d], opts);
  assert.equal(again.stats.cacheHits, 1, 'only the reader\'s entry is still good');
  assert.deepEqual(where(again), where(after));
});

test('cache: a storer and a reader of a member that also call each other are taken from the cache together', async () => {
  const d = tmpdir('memcycle');
  copyDir(path.join(MULTI, 'member_store'), d);
  const core = path.join(d, 'zq_core.c');
  // zq_core.c now calls zq_log_push() of zq_dma.c: the two files are one cycle of the graph
  fs.writeFileSync(core, `${fs.readFileSync(core, 'utf8')}\nint zq_start(struct zq_dev *zd)\n{\n\treturn zq_log_push(zd);\n}\n`);
  age(d);
  const cacheDir = tmpdir('cache');
  const opts = { cacheDir, quiet: true, jobs: 1 };
  const cold = await scanPaths([d], opts);
  assert.deepEqual(cold.findings.map((f) => `${path.basename(f.file)}:${f.span.start.line}`), ['zq_dma.c:11']);
  fs.rmSync(path.join(cacheDir, `v${CACHE_SCHEMA}`, 'results'), { recursive: true, force: true });
  const warm = await scanPaths([d], opts);
  assert.equal(warm.stats.cacheHits, 2);
  assert.equal(warm.stats.filesParsed, 0);
  assert.deepEqual(json(warm.findings), json(cold.findings));
});

test('cache: corrupted and foreign entries are ignored, never trusted', async () => {
  const d = tmpdir('corrupt');
  copyDir(path.join(MULTI, 'three_file_chain'), d);
  const cacheDir = tmpdir('cache');
  const cold = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  const objects = cacheObjects(cacheDir);
  assert.equal(objects.length, 3);
  // One truncated, one with findings replaced by a forged one under another tool version, one
  // with a shape error.
  fs.writeFileSync(objects[0], fs.readFileSync(objects[0], 'utf8').slice(0, 40));
  const e1 = JSON.parse(fs.readFileSync(objects[1], 'utf8'));
  e1.tool = 'someone-else';
  e1.findings = [{ ...cold.findings[0], message: 'forged' }];
  fs.writeFileSync(objects[1], JSON.stringify(e1));
  const e2 = JSON.parse(fs.readFileSync(objects[2], 'utf8'));
  e2.findings = [{ rule: 42 }];
  fs.writeFileSync(objects[2], JSON.stringify(e2));
  fs.writeFileSync(fs.readdirSync(path.join(cacheDir, `v${CACHE_SCHEMA}`, 'index')).map((f) => path.join(cacheDir, `v${CACHE_SCHEMA}`, 'index', f))[0], '{"magic":');
  // (the whole-result store would answer an unchanged tree without reading any entry: not this test)
  fs.rmSync(path.join(cacheDir, `v${CACHE_SCHEMA}`, 'results'), { recursive: true, force: true });
  const again = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(again.stats.cacheHits, 0);
  assert.equal(again.stats.filesParsed, 3);
  assert.deepEqual(json(again.findings), json(cold.findings));
  // The entries were rewritten and are good again.
  fs.rmSync(path.join(cacheDir, `v${CACHE_SCHEMA}`, 'results'), { recursive: true, force: true });
  const third = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(third.stats.cacheHits, 3);
  // Summaries with fields of the wrong type (the interpreter would trip over them), or a size a fix
  // would paste into the caller's code that is not an expression, are not trusted.
  const forgeries = [{ returnSize: '$0); evil(' }, { flushesParams: 'all' }, { addsPagesParams: [{ buf: 'x', to: 0, kind: 'bio' }] }];
  let forged = 0;
  for (const o of objects) {
    const e = JSON.parse(fs.readFileSync(o, 'utf8'));
    if (!e.summaries?.length) continue;
    e.summaries[0] = { ...e.summaries[0], ...forgeries[forged % forgeries.length] };
    fs.writeFileSync(o, JSON.stringify(e));
    forged++;
  }
  assert.ok(forged > 0);
  fs.rmSync(path.join(cacheDir, `v${CACHE_SCHEMA}`, 'results'), { recursive: true, force: true });
  const typed = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(typed.stats.cacheHits, 3 - forged);
  assert.deepEqual(json(typed.findings), json(cold.findings));
  // A stat index whose columns disagree in length is not trusted either: every file is read again.
  age(d);
  await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  const idxFile = fs.readdirSync(path.join(cacheDir, `v${CACHE_SCHEMA}`, 'index')).map((f) => path.join(cacheDir, `v${CACHE_SCHEMA}`, 'index', f))[0];
  fs.rmSync(path.join(cacheDir, `v${CACHE_SCHEMA}`, 'results'), { recursive: true, force: true });
  const trustedRun = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(trustedRun.stats.prefilterCacheHits, 3);
  fs.rmSync(path.join(cacheDir, `v${CACHE_SCHEMA}`, 'results'), { recursive: true, force: true });
  const idx = JSON.parse(fs.readFileSync(idxFile, 'utf8'));
  idx.mtime.pop();
  fs.writeFileSync(idxFile, JSON.stringify(idx));
  const fourth = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(fourth.stats.prefilterCacheHits, 0);
  assert.deepEqual(json(fourth.findings), json(cold.findings));
});

test('cache: --no-cache neither reads nor writes', async () => {
  const d = tmpdir('nocache');
  copyDir(path.join(MULTI, 'three_file_chain'), d);
  const cacheDir = path.join(tmpdir('cache'), 'sub');
  await scanPaths([d], { cacheDir, noCache: true, quiet: true, jobs: 1 });
  assert.equal(fs.existsSync(cacheDir), false);
});

// ---- cancellation and progress --------------------------------------------------------------

test('cancel: an aborted signal rejects with AbortError, in-process and with workers', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(scanPaths([MULTI], { noCache: true, quiet: true, signal: ac.signal }), { name: 'AbortError' });
  const ac2 = new AbortController();
  const seen: string[] = [];
  const p = scanPaths([MULTI], { noCache: true, quiet: true, jobs: 2, signal: ac2.signal, onProgress: (pr) => {
    seen.push(pr.phase);
    if (pr.phase === 'analyze') ac2.abort();
  } });
  await assert.rejects(p, { name: 'AbortError' });
  assert.ok(seen.includes('analyze'));
});

test('progress: bar shows files, findings and ETA; nothing is drawn off a TTY or with quiet', () => {
  const s = renderBar({ phase: 'analyze', done: 50, total: 200, findings: 3 }, 10_000, 100);
  assert.match(s, /analysing \[#+\.+\] 50\/200 files, 3 findings, ETA 00:30/);
  let written = '';
  const fake = { isTTY: false, columns: 80, write: (x: string) => { written += x; return true; } } as unknown as NodeJS.WriteStream;
  const p = createProgress(fake, false);
  p.update({ phase: 'analyze', done: 1, total: 2, findings: 0 });
  p.done();
  assert.equal(written, '');
  const tty = { isTTY: true, columns: 80, write: (x: string) => { written += x; return true; } } as unknown as NodeJS.WriteStream;
  createProgress(tty, true).update({ phase: 'analyze', done: 1, total: 2, findings: 0 });
  assert.equal(written, '');
  const on = createProgress(tty, false);
  on.update({ phase: 'analyze', done: 2, total: 2, findings: 1 });
  on.done();
  assert.match(written, /2\/2 files, 1 finding,/);
});

test('cache: when nothing changed the previous scan result is reused whole; any change, option or damage falls back', async () => {
  const d = tmpdir('whole');
  copyDir(path.join(MULTI, 'three_file_chain'), d);
  age(d);
  const cacheDir = tmpdir('cache');
  const cold = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(cold.stats.resultCached, 0);
  const streamed: string[] = [];
  const warm = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 }, (f) => streamed.push(`${f.file}:${f.span.start.line}`));
  assert.equal(warm.stats.resultCached, 1);
  assert.equal(warm.stats.filesParsed, 0);
  assert.deepEqual(json(warm.findings), json(cold.findings));
  assert.deepEqual(streamed, cold.findings.map((f) => `${f.file}:${f.span.start.line}`), 'reused findings are streamed too');
  assert.ok(warm.summaries.size > 0);
  // other options: another result
  const oneRule = await scanPaths([d], { cacheDir, quiet: true, jobs: 1, rules: new Set(['vmap-io-missing-flush'] as const) });
  assert.equal(oneRule.stats.resultCached, 0);
  assert.deepEqual(oneRule.findings, []);
  // a damaged result file is ignored
  const resDir = path.join(cacheDir, `v${CACHE_SCHEMA}`, 'results');
  for (const f of fs.readdirSync(resDir)) fs.writeFileSync(path.join(resDir, f), '{"magic":"vmalias-cache","findings":[{"rule":"forged"}]}');
  const damaged = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(damaged.stats.resultCached, 0);
  assert.deepEqual(json(damaged.findings), json(cold.findings));
  // a changed file: not reused, and the change shows
  const snap = fs.readdirSync(d).find((f) => f.includes('snapshot')) as string;
  fs.writeFileSync(path.join(d, snap), fs.readFileSync(path.join(d, snap), 'utf8').replace(/^.*ret = bar_area_map.*$/m, '\tret = 0;'));
  const changed = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(changed.stats.resultCached, 0);
  assert.equal(changed.findings.length, 0);
  // a removed file: not reused either
  age(d);
  await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  fs.rmSync(path.join(d, snap));
  const removed = await scanPaths([d], { cacheDir, quiet: true, jobs: 1 });
  assert.equal(removed.stats.resultCached, 0);
  assert.equal(removed.stats.filesSeen, 2);
});
