/**
 * Patch review with a directory base sees what the files a series leaves alone export
 * (analyzer/scan/context.ts): a wrapper allocator's summary and a member table another file fills.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parsePatches } from '../../analyzer/patch/parse';
import { reviewSet } from '../../analyzer/patch/review';
import { formatReply } from '../../analyzer/patch/format';
import { reviewCommand, type CommandIO } from '../../analyzer/patch/command';
import { baseContext, contextScopes } from '../../analyzer/scan/context';
import { headerIncluders, MAX_INCLUDER_SCOPES, systemInclude } from '../../analyzer/scan/callers';

const MULTI = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'multi');

test('context scopes: each touched file\'s subsystem, never the whole tree or outside it', () => {
  assert.deepEqual(contextScopes(['drivers/net/ethernet/intel/e1000e/netdev.c', 'drivers/net/ethernet/intel/igb/igb_main.c', 'mm/vmalloc.c']),
    ['drivers/net/ethernet/intel/', 'mm/']);
  // a scope inside another is scanned with it; a root file, `..` and absolute paths give none
  assert.deepEqual(contextScopes(['fs/xfs/xfs_buf.c', 'fs/xfs/libxfs/xfs_ag.c', 'init.c', '../etc/x.c', '/abs/y.c', 'a/../../b/c.c']), ['fs/xfs/']);
  assert.deepEqual(contextScopes(['.\\drivers\\md\\dm.c'.replace(/\\/g, '/')]), ['drivers/md/']);
});

/** Files of a base tree: base-relative path → text. */
type Tree = Record<string, string>;

/** `f` on a temporary base directory holding `files`, removed afterwards whatever happens. */
async function withBase<T>(files: Tree, f: (base: string) => Promise<T>): Promise<T> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'vmalias-ctx-'));
  try {
    for (const [rel, text] of Object.entries(files)) {
      const p = path.join(base, ...rel.split('/'));
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, text);
    }
    return await f(base);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

/** A base with the yv driver's header and core (member table filled there) and a zz allocator file. */
function makeBase(): Tree {
  const yv = (f: string): string => fs.readFileSync(path.join(MULTI, 'member_table', f), 'utf8');
  return {
    'drivers/yv/yv.h': yv('yv.h'),
    'drivers/yv/yv_core.c': yv('yv_core.c'),
    'drivers/zz/zz_alloc.c': '// SPDX-License-Identifier: GPL-2.0\n#include <linux/vmalloc.h>\n\nvoid *zz_buf_alloc(size_t len)\n{\n\treturn vmalloc(len);\n}\n',
  };
}

/** One patch mail: a commit's From line, author, subject, then `diff` lines. */
function mail(subject: string, diff: string[]): string {
  return ['From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001', 'From: Dev <dev@example.org>', `Subject: [PATCH] ${subject}`, '', '---', ...diff, '-- ', '2.39.5', ''].join('\n');
}

function newFilePatch(file: string, subject: string, body: string[]): string {
  return mail(subject, [`diff --git a/${file} b/${file}`, 'new file mode 100644', 'index 0000000..1111111', '--- /dev/null', `+++ b/${file}`,
    `@@ -0,0 +1,${body.length} @@`, ...body.map((l) => `+${l}`)]);
}

/** A one-hunk patch to an existing file. */
function editPatch(file: string, subject: string, header: string, lines: string[]): string {
  return mail(subject, [`diff --git a/${file} b/${file}`, `--- a/${file}`, `+++ b/${file}`, header, ...lines]);
}

/** Scanned with the review's context hook, no cache. */
function ctxOf(base: string) {
  return (paths: string[]) => baseContext(base, paths, { noCache: true, jobs: 1 });
}

const POST = newFilePatch('drivers/yv/yv_post.c', 'yv: post messages through the ring', [
  '// SPDX-License-Identifier: GPL-2.0',
  '#include <linux/dma-mapping.h>',
  '#include "yv.h"',
  '',
  'int yv_ring_post(struct yv_ring *ring, const void *data, size_t len)',
  '{',
  '\tmemcpy(ring->cpu_addr, data, len);',
  '\tif (!dma_map_sg(ring->dev, ring->sgt.sgl, ring->npages, DMA_TO_DEVICE))',
  '\t\treturn -EIO;',
  '\treturn 0;',
  '}',
]);

const MAP = newFilePatch('drivers/zz/zz_io.c', 'zz: map the staging buffer', [
  '// SPDX-License-Identifier: GPL-2.0',
  '#include <linux/dma-mapping.h>',
  '',
  'void *zz_buf_alloc(size_t len);',
  '',
  'int zz_stage(struct device *dev, struct scatterlist *sg, size_t len)',
  '{',
  '\tvoid *buf = zz_buf_alloc(len);',
  '',
  '\tif (!buf)',
  '\t\treturn -ENOMEM;',
  '\tsg_init_one(sg, buf, len);',
  '\treturn dma_map_sg(dev, sg, 1, DMA_TO_DEVICE) ? 0 : -EIO;',
  '}',
]);

test('review with a directory base: untouched files\' summaries and member tables decide findings', async () => {
  await withBase(makeBase(), async (base) => {
    const ctx = ctxOf(base);
    const post = await reviewSet(parsePatches(POST, 'post.patch'), { base, baseContext: ctx });
    assert.deepEqual(post.problems, []);
    assert.deepEqual(post.findings.map((f) => [f.finding.rule, f.target.path, f.target.line]), [['vmap-io-missing-flush', 'drivers/yv/yv_post.c', 8]]);
    // the trace starts where the table was filled, named relative to the base as the patch names files
    assert.equal(post.findings[0].finding.trace[0].file, 'drivers/yv/yv_core.c');
    const map = await reviewSet(parsePatches(MAP, 'map.patch'), { base, baseContext: ctx });
    assert.deepEqual(map.findings.map((f) => [f.finding.rule, f.target.line]), [['vmalloc-linear-map', 12]]);
    // without the context neither is found: the series alone says nothing about the other files
    assert.deepEqual((await reviewSet(parsePatches(POST, 'post.patch'), { base })).findings, []);
    assert.deepEqual((await reviewSet(parsePatches(MAP, 'map.patch'), { base })).findings, []);
  });
});

test('review command: the CLI\'s context hook is used with a directory base, not with --no-base-context', async () => {
  await withBase(makeBase(), async (base) => {
    const pf = path.join(base, 'post.patch');
    fs.writeFileSync(pf, POST);
    const calls: string[][] = [];
    const deps = { baseContext: async (b: string, paths: string[]) => { calls.push(paths); return baseContext(b, paths, { noCache: true, jobs: 1 }); } };
    let out = '';
    const io: CommandIO = { stdout: { write: (s: string) => { out += s; return true; } }, stderr: { write: () => true } } as unknown as CommandIO;
    assert.equal(await reviewCommand([pf, '--base', base, '--format', 'mailback'], io, deps), 1);
    assert.deepEqual(calls, [['drivers/yv/yv_post.c']]);
    assert.match(out, /vmap-io-missing-flush/);
    out = '';
    assert.equal(await reviewCommand([pf, '--base', base, '--format', 'mailback', '--no-base-context'], io, deps), 0);
    assert.equal(calls.length, 1, 'not called with --no-base-context');
    assert.equal(out, '');
  });
});

test('review with a directory base: a wrapper converted to kvzalloc() is reported at its untouched callers', async () => {
  const files: Tree = {};
  const zz = 'drivers/zz';
  files[`${zz}/zz_alloc.c`] = '// SPDX-License-Identifier: GPL-2.0\n#include <linux/slab.h>\n\nvoid *zz_buf_alloc(size_t len)\n{\n\treturn kzalloc(len, GFP_KERNEL);\n}\n';
  const io = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/dma-mapping.h>', '', 'void *zz_buf_alloc(size_t len);', '',
    'int zz_stage(struct device *dev, struct scatterlist *sg, size_t len)', '{', '\tvoid *buf = zz_buf_alloc(len);', '',
    '\tif (!buf)', '\t\treturn -ENOMEM;', '\tsg_init_one(sg, buf, len);', '\treturn dma_map_sg(dev, sg, 1, DMA_TO_DEVICE) ? 0 : -EIO;', '}', ''];
  files[`${zz}/zz_io.c`] = io.join('\n');
  // a caller that only frees what it gets is no finding either way
  files[`${zz}/zz_misc.c`] = '// SPDX-License-Identifier: GPL-2.0\nvoid *zz_buf_alloc(size_t len);\n\nvoid zz_probe(void)\n{\n\tkvfree(zz_buf_alloc(64));\n}\n';
  const patch = editPatch('drivers/zz/zz_alloc.c', 'zz: allow large staging buffers', '@@ -4,4 +4,4 @@',
    [' void *zz_buf_alloc(size_t len)', ' {', '-\treturn kzalloc(len, GFP_KERNEL);', '+\treturn kvzalloc(len, GFP_KERNEL);', ' }']);
  await withBase(files, async (base) => {
    const review = await reviewSet(parsePatches(patch, 'zz.patch'), { base, baseContext: ctxOf(base) });
    assert.deepEqual(review.problems, []);
    // reported at the added line of the patch (not the removed one), for the caller's file and line
    assert.deepEqual(review.findings.map((f) => [f.finding.rule, f.target.path, f.target.line, f.patch.line]), [['vmalloc-linear-map', 'drivers/zz/zz_io.c', 12, 13]]);
    assert.match(review.findings[0].finding.message, /\(at drivers\/zz\/zz_io\.c:12, which this patch does not touch: a caller of zz_buf_alloc\(\), which it makes hand out vmalloc memory\)/);
    // the reply quotes the hunk that changes the allocator and names the caller
    const reply = formatReply(review);
    assert.match(reply, /^> \+\treturn kvzalloc\(len, GFP_KERNEL\);/m);
    assert.match(reply, /\[vmalias vmalloc-linear-map at drivers\/zz\/zz_io\.c:12\]/);
    // without the context the callers are not looked at
    assert.deepEqual((await reviewSet(parsePatches(patch, 'zz.patch'), { base })).findings, []);
  });
});

test('review with a directory base: a helper that stops flushing is reported at its untouched callers', async () => {
  const files: Tree = {};
  const zz = 'drivers/zz';
  files[`${zz}/zz_sync.c`] = '// SPDX-License-Identifier: GPL-2.0\n#include <linux/highmem.h>\n\nvoid zz_sync_for_device(void *buf, size_t len)\n{\n\tflush_kernel_vmap_range(buf, len);\n}\n';
  const io = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/bio.h>', '#include <linux/vmalloc.h>', '', 'void zz_sync_for_device(void *buf, size_t len);', '',
    'int zz_write(struct block_device *bdev, const void *src)', '{', '\tvoid *buf = vmalloc(PAGE_SIZE);', '\tstruct bio *bio;', '\tint ret;', '',
    '\tif (!buf)', '\t\treturn -ENOMEM;', '\tmemcpy(buf, src, PAGE_SIZE);', '\tzz_sync_for_device(buf, PAGE_SIZE);',
    '\tbio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_NOIO);', '\t__bio_add_page(bio, vmalloc_to_page(buf), PAGE_SIZE, 0);', '\tret = submit_bio_wait(bio);',
    '\tbio_put(bio);', '\tvfree(buf);', '\treturn ret;', '}', ''];
  files[`${zz}/zz_io.c`] = io.join('\n');
  const patch = editPatch('drivers/zz/zz_sync.c', 'zz: the sync helper does nothing on coherent machines', '@@ -4,4 +4,3 @@',
    [' void zz_sync_for_device(void *buf, size_t len)', ' {', '-\tflush_kernel_vmap_range(buf, len);', ' }']);
  await withBase(files, async (base) => {
    const review = await reviewSet(parsePatches(patch, 'zz.patch'), { base, baseContext: ctxOf(base) });
    assert.deepEqual(review.problems, []);
    assert.deepEqual(review.findings.map((f) => [f.finding.rule, f.target.path, f.target.line]), [['vmap-io-missing-flush', 'drivers/zz/zz_io.c', 19]]);
    assert.match(review.findings[0].finding.message, /a caller of zz_sync_for_device\(\), which it changes\)/);
  });
});

test('review with a directory base: a caller of two changed functions is analysed once', async () => {
  const files: Tree = {};
  const zz = 'drivers/zz';
  files[`${zz}/zz_alloc.c`] = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/slab.h>', '',
    'void *zz_buf_alloc(size_t len)', '{', '\treturn kzalloc(len, GFP_KERNEL);', '}', '',
    'void *zz_hdr_alloc(size_t len)', '{', '\treturn kzalloc(len, GFP_KERNEL);', '}', ''].join('\n');
  files[`${zz}/zz_io.c`] = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/dma-mapping.h>', '',
    'void *zz_buf_alloc(size_t len);', 'void *zz_hdr_alloc(size_t len);', '',
    'int zz_stage(struct device *dev, struct scatterlist *sg, size_t len)', '{', '\tvoid *buf = zz_buf_alloc(len);', '\tvoid *hdr = zz_hdr_alloc(64);', '',
    '\tif (!buf || !hdr)', '\t\treturn -ENOMEM;', '\tsg_init_one(&sg[0], hdr, 64);', '\tsg_init_one(&sg[1], buf, len);',
    '\treturn dma_map_sg(dev, sg, 2, DMA_TO_DEVICE) ? 0 : -EIO;', '}', ''].join('\n');
  const patch = editPatch('drivers/zz/zz_alloc.c', 'zz: allow large buffers', '@@ -4,9 +4,9 @@',
    [' void *zz_buf_alloc(size_t len)', ' {', '-\treturn kzalloc(len, GFP_KERNEL);', '+\treturn kvzalloc(len, GFP_KERNEL);', ' }', ' ',
      ' void *zz_hdr_alloc(size_t len)', ' {', '-\treturn kzalloc(len, GFP_KERNEL);', '+\treturn kvzalloc(len, GFP_KERNEL);', ' }']);
  await withBase(files, async (base) => {
    const review = await reviewSet(parsePatches(patch, 'zz.patch'), { base, baseContext: ctxOf(base) });
    assert.deepEqual(review.problems, []);
    // one finding per conversion in the caller, not one per changed function it calls
    assert.deepEqual(review.findings.map((f) => [f.finding.rule, f.target.path, f.target.line]),
      [['vmalloc-linear-map', 'drivers/zz/zz_io.c', 14], ['vmalloc-linear-map', 'drivers/zz/zz_io.c', 15]]);
    assert.match(review.findings[0].finding.message, /a caller of zz_buf_alloc\(\), zz_hdr_alloc\(\), which it makes hand out vmalloc memory/);
  });
});

test('review with a directory base: a member the series makes hold vmalloc memory is reported at its untouched readers', async () => {
  const files: Tree = {};
  const rc = 'drivers/net/rc';
  files[`${rc}/rc.h`] = 'struct rc_priv {\n\tstruct device *dev;\n\tvoid *ring;\n\tvoid *stats;\n\tsize_t ring_size;\n\tdma_addr_t ring_dma;\n};\n';
  files[`${rc}/rc_probe.c`] = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/slab.h>', '#include "rc.h"', '',
    'int rc_alloc_rings(struct rc_priv *priv, unsigned int n)', '{', '\tpriv->ring_size = n * 64;',
    '\tpriv->ring = kzalloc(priv->ring_size, GFP_KERNEL);', '\tpriv->stats = kzalloc(4096, GFP_KERNEL);',
    '\treturn priv->ring && priv->stats ? 0 : -ENOMEM;', '}', ''].join('\n');
  files[`${rc}/rc_io.c`] = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/dma-mapping.h>', '#include "rc.h"', '',
    'int rc_map_ring(struct rc_priv *priv)', '{',
    '\tpriv->ring_dma = dma_map_single(priv->dev, priv->ring, priv->ring_size, DMA_BIDIRECTIONAL);',
    '\treturn dma_mapping_error(priv->dev, priv->ring_dma) ? -EIO : 0;', '}', ''].join('\n');
  const patch = (alloc: string) => editPatch('drivers/net/rc/rc_probe.c', 'rc: allow large rings', '@@ -6,5 +6,5 @@',
    ['\tpriv->ring_size = n * 64;', '-\tpriv->ring = kzalloc(priv->ring_size, GFP_KERNEL);', `+\tpriv->ring = ${alloc}(priv->ring_size, GFP_KERNEL);`,
      ' \tpriv->stats = kzalloc(4096, GFP_KERNEL);', ' \treturn priv->ring && priv->stats ? 0 : -ENOMEM;', ' }'].map((l) => (l.startsWith('\t') ? ` ${l}` : l)));
  await withBase(files, async (base) => {
    const review = await reviewSet(parsePatches(patch('kvzalloc'), 'rc.patch'), { base, baseContext: ctxOf(base) });
    assert.deepEqual(review.problems, []);
    assert.deepEqual(review.findings.map((f) => [f.finding.rule, f.target.path, f.target.line, f.patch.line]),
      [['vmalloc-linear-map', 'drivers/net/rc/rc_io.c', 7, 12]]);
    assert.match(review.findings[0].finding.message, /which this patch does not touch: it reads `rc_priv->ring`, which this patch makes hold possibly-vmalloc memory/);
    // a store the readers cannot tell from the old one adds nothing (kzalloc → kmalloc)
    const same = await reviewSet(parsePatches(patch('kmalloc'), 'rc.patch'), { base, baseContext: ctxOf(base) });
    assert.deepEqual(same.findings, []);
    // without the reader search (an older context provider) the review still runs, and says nothing of rc_io.c
    const blind = await reviewSet(parsePatches(patch('kvzalloc'), 'rc.patch'), {
      base, baseContext: async (paths) => ({ ...(await ctxOf(base)(paths)), readers: undefined }),
    });
    assert.deepEqual(blind.findings, []);
  });
});

test('review with a directory base: a helper moved to another file does not change what its untouched callers see', async () => {
  const files: Tree = {};
  const zz = 'drivers/zz';
  const head = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/highmem.h>', ''];
  const helper = ['void zz_sync_for_device(void *buf, size_t len)', '{', '\tflush_kernel_vmap_range(buf, len);', '}'];
  const other = ['void zz_sync_for_cpu(void *buf, size_t len)', '{', '\tinvalidate_kernel_vmap_range(buf, len);', '}'];
  files[`${zz}/zz_sync.c`] = [...head, ...helper, '', ...other, ''].join('\n');
  const io = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/bio.h>', '#include <linux/vmalloc.h>', '', 'void zz_sync_for_device(void *buf, size_t len);', '',
    'int zz_write(struct block_device *bdev, const void *src)', '{', '\tvoid *buf = vmalloc(PAGE_SIZE);', '\tstruct bio *bio;', '\tint ret;', '',
    '\tif (!buf)', '\t\treturn -ENOMEM;', '\tmemcpy(buf, src, PAGE_SIZE);', '\tzz_sync_for_device(buf, PAGE_SIZE);',
    '\tbio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_NOIO);', '\t__bio_add_page(bio, vmalloc_to_page(buf), PAGE_SIZE, 0);', '\tret = submit_bio_wait(bio);',
    '\tbio_put(bio);', '\tvfree(buf);', '\treturn ret;', '}', ''];
  files[`${zz}/zz_io.c`] = io.join('\n');
  const remove = ['diff --git a/drivers/zz/zz_sync.c b/drivers/zz/zz_sync.c', '--- a/drivers/zz/zz_sync.c', '+++ b/drivers/zz/zz_sync.c', '@@ -1,11 +1,6 @@',
    ...head.map((l) => ` ${l}`), ...[...helper, ''].map((l) => `-${l}`), ...other.slice(0, 3).map((l) => ` ${l}`)];
  const add = (body: string[]): string[] => ['diff --git a/drivers/zz/zz_lib.c b/drivers/zz/zz_lib.c', 'new file mode 100644', '--- /dev/null', '+++ b/drivers/zz/zz_lib.c',
    `@@ -0,0 +1,${head.length + body.length} @@`, ...[...head, ...body].map((l) => `+${l}`)];
  // mbox messages are separated by a blank line before the next `From ` line
  const numbered = (k: number, n: number, diff: string[]): string => `${mail('zz: move the sync helper', diff).replace('[PATCH]', `[PATCH ${k}/${n}]`)}\n`;
  await withBase(files, async (base) => {
    const review = async (text: string) => {
      const set = parsePatches(text, 'zz.mbox');
      assert.equal(set.patches.length, text.split('\nFrom ').length);
      return (await reviewSet(set, { base, baseContext: ctxOf(base) })).findings.map((f) => [f.patch.index, f.finding.rule, f.target.path]);
    };
    // one patch, and a series in either order
    assert.deepEqual(await review(mail('zz: move the sync helper to zz_lib.c', [...remove, ...add(helper)])), []);
    assert.deepEqual(await review(numbered(1, 2, remove) + numbered(2, 2, add(helper))), []);
    assert.deepEqual(await review(numbered(1, 2, add(helper)) + numbered(2, 2, remove)), []);
    // moved and made a no-op on the way: the caller is wrong now, and that is this patch's doing
    const noop = helper.map((l) => (l.includes('flush_kernel_vmap_range') ? '\t/* coherent on every machine we support */' : l));
    assert.deepEqual(await review(mail('zz: move the sync helper to zz_lib.c', [...remove, ...add(noop)])), [[1, 'vmap-io-missing-flush', 'drivers/zz/zz_io.c']]);
  });
});

test('review with a directory base: a function moved to another file does not change what its members hold for their readers', async () => {
  const files: Tree = {};
  const rc = 'drivers/net/rc';
  files[`${rc}/rc.h`] = 'struct rc_priv {\n\tstruct device *dev;\n\tvoid *ring;\n\tsize_t ring_size;\n\tdma_addr_t ring_dma;\n\tint up;\n};\n';
  const head = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/slab.h>', '#include "rc.h"', ''];
  const alloc = (fn: string) => ['int rc_alloc_rings(struct rc_priv *priv, unsigned int n)', '{', '\tpriv->ring_size = n * 64;',
    `\tpriv->ring = ${fn}(priv->ring_size, GFP_KERNEL);`, '\treturn priv->ring ? 0 : -ENOMEM;', '}'];
  const up = ['void rc_up(struct rc_priv *priv)', '{', '\tpriv->up = 1;', '}'];
  const probe = (base: string, fn: string) => fs.writeFileSync(path.join(base, rc, 'rc_probe.c'), [...head, ...alloc(fn), '', ...up, ''].join('\n'));
  // an untouched reader: with a kvzalloc() ring its mapping is wrong before the series
  files[`${rc}/rc_io.c`] = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/dma-mapping.h>', '#include "rc.h"', '',
    'int rc_map_ring(struct rc_priv *priv)', '{',
    '\tpriv->ring_dma = dma_map_single(priv->dev, priv->ring, priv->ring_size, DMA_BIDIRECTIONAL);',
    '\treturn dma_mapping_error(priv->dev, priv->ring_dma) ? -EIO : 0;', '}', ''].join('\n');
  const move = (from: string, to: string) => mail('rc: move the ring allocation to rc_mem.c', [
    'diff --git a/drivers/net/rc/rc_probe.c b/drivers/net/rc/rc_probe.c', '--- a/drivers/net/rc/rc_probe.c', '+++ b/drivers/net/rc/rc_probe.c', '@@ -2,13 +2,6 @@',
    ...head.slice(1).map((l) => ` ${l}`), ...[...alloc(from), ''].map((l) => `-${l}`), ...up.slice(0, 3).map((l) => ` ${l}`),
    'diff --git a/drivers/net/rc/rc_mem.c b/drivers/net/rc/rc_mem.c', 'new file mode 100644', '--- /dev/null', '+++ b/drivers/net/rc/rc_mem.c',
    `@@ -0,0 +1,${head.length + 6} @@`, ...[...head, ...alloc(to)].map((l) => `+${l}`),
  ]);
  await withBase(files, async (base) => {
    const review = async (text: string) => {
      const r = await reviewSet(parsePatches(text, 'rc.patch'), { base, baseContext: ctxOf(base) });
      assert.deepEqual(r.problems, []);
      return r.findings.map((f) => [f.finding.rule, f.target.path]);
    };
    probe(base, 'kvzalloc');
    assert.deepEqual(await review(move('kvzalloc', 'kvzalloc')), []);
    // a kzalloc() ring moved and made kvzalloc() on the way: the reader is wrong now, and that is this patch's doing
    probe(base, 'kzalloc');
    assert.deepEqual(await review(move('kzalloc', 'kvzalloc')), [['vmalloc-linear-map', 'drivers/net/rc/rc_io.c']]);
  });
});

/** A base with a system-style header `include/linux/zq.h` (a static inline wrapper allocator) and fs/zq/, which includes it. */
function headerBase(alloc: string, macro = false): Tree {
  return {
    'include/linux/zq.h': ['#ifndef _LINUX_ZQ_H', '#define _LINUX_ZQ_H', '#include <linux/slab.h>', '',
      'int zq_submit(struct block_device *bdev, void *buf, unsigned int len);', '',
      ...(macro ? [`#define zq_alloc_buf(size) ${alloc}`] : ['static inline void *zq_alloc_buf(size_t size)', '{', `\treturn ${alloc};`, '}']), '', '#endif', ''].join('\n'),
    'fs/zq/zq_io.c': ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/bio.h>', '#include <linux/zq.h>', '',
      'int zq_submit(struct block_device *bdev, void *buf, unsigned int len)', '{', '\tstruct bio *bio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_NOIO);', '',
      '\t__bio_add_page(bio, virt_to_page(buf), len, offset_in_page(buf));', '\treturn submit_bio_wait(bio);', '}', ''].join('\n'),
    'fs/zq/zq_log.c': ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/zq.h>', '',
      'int zq_write_log(struct block_device *bdev)', '{', '\tvoid *buf = zq_alloc_buf(512);', '', '\tif (!buf)', '\t\treturn -ENOMEM;',
      '\treturn zq_submit(bdev, buf, 512);', '}', ''].join('\n'),
  };
}

test('review with a directory base: a wrapper in a header of include/ is judged at the untouched callers of the files including it', async () => {
  assert.equal(systemInclude('include/linux/zq.h'), 'linux/zq.h');
  assert.equal(systemInclude('include/uapi/linux/zq.h'), 'linux/zq.h');
  assert.equal(systemInclude('arch/arm/include/asm/zq.h'), 'asm/zq.h');
  assert.equal(systemInclude('fs/zq/zq.h'), undefined);
  const files = headerBase('kzalloc(size, GFP_KERNEL)');
  const patch = editPatch('include/linux/zq.h', 'zq: allocate the log from vmalloc space', '@@ -7,4 +7,4 @@',
    [' static inline void *zq_alloc_buf(size_t size)', ' {', '-\treturn kzalloc(size, GFP_KERNEL);', '+\treturn vzalloc(size);', ' }']);
  await withBase(files, async (base) => {
    const ctx = await ctxOf(base)(['include/linux/zq.h']);
    assert.deepEqual(ctx.scopes, ['fs/zq/', 'include/linux/']);
    const review = await reviewSet(parsePatches(patch, 'zq.patch'), { base, baseContext: ctxOf(base) });
    assert.deepEqual(review.problems, []);
    assert.deepEqual(review.findings.map((f) => [f.finding.rule, f.target.path, f.target.line, f.patch.line]), [['vmalloc-linear-map', 'fs/zq/zq_log.c', 10, 13]]);
    assert.match(review.findings[0].finding.message, /a caller of zq_alloc_buf\(\), which it makes hand out vmalloc memory/);
    // the reply quotes what breaks in the files the patch leaves alone: the call, and the helper's conversion
    const reply = formatReply(review);
    assert.match(reply, /^fs\/zq\/zq_log\.c:10, which this patch does not touch:\n> \treturn zq_submit\(bdev, buf, 512\);\n/m);
    assert.match(reply, /^fs\/zq\/zq_io\.c:9, in zq_submit\(\):\n> \t__bio_add_page\(bio, virt_to_page\(buf\), len, offset_in_page\(buf\)\);\n/m);
    // where the fixed code still corrupts, the simulation says it is the vmap call, not the page lookup
    assert.match(reply, /\n {2}nios2 +\d+\/\d+ bytes corrupted, fixed: \d+\/\d+ bytes corrupted \(vmalloc_to_page\(\) gives the right page, but flush_kernel_vmap_range\(\) is a no-op there\)\n/);
    // a subsystem that does not include the header is not searched
    fs.unlinkSync(path.join(base, 'fs', 'zq', 'zq_log.c'));
    fs.mkdirSync(path.join(base, 'fs', 'other'));
    fs.writeFileSync(path.join(base, 'fs', 'other', 'o.c'), '#include <linux/bio.h>\nint o(struct block_device *b)\n{\n\treturn zq_submit(b, zq_alloc_buf(8), 8);\n}\n');
    assert.deepEqual((await ctxOf(base)(['include/linux/zq.h'])).scopes, ['fs/zq/', 'include/linux/']);
  });
});

test('header includers: a header included from many subsystems is core API, and says its users were not searched', async () => {
  const files: Tree = { 'include/linux/zc.h': 'static inline void *zc_alloc(size_t n)\n{\n\treturn kmalloc(n, GFP_KERNEL);\n}\n' };
  for (let i = 0; i <= MAX_INCLUDER_SCOPES; i++) files[`drivers/d${i}/x.c`] = '#include <linux/zc.h>\nvoid *x(void)\n{\n\treturn zc_alloc(8);\n}\n';
  await withBase(files, async (base) => {
    const many = await headerIncluders(base, ['include/linux/zc.h']);
    assert.deepEqual(many.files, []);
    assert.match(many.notes.join('\n'), /include\/linux\/zc\.h: included from 5 subsystems/);
    fs.rmSync(path.join(base, 'drivers', 'd0'), { recursive: true });
    const few = await headerIncluders(base, ['include/linux/zc.h', 'drivers/d1/x.c']);
    assert.deepEqual(few.files, ['drivers/d1/x.c', 'drivers/d2/x.c', 'drivers/d3/x.c', 'drivers/d4/x.c']);
    assert.deepEqual(few.notes, []);
  });
});

test('review with a directory base: a function-like macro wrapper in a header of include/ is judged like a static inline one', async () => {
  const files = headerBase('kzalloc(size, GFP_KERNEL)', true);
  const patch = editPatch('include/linux/zq.h', 'zq: allocate the log from vmalloc space', '@@ -5,4 +5,4 @@',
    [' int zq_submit(struct block_device *bdev, void *buf, unsigned int len);', ' ', '-#define zq_alloc_buf(size) kzalloc(size, GFP_KERNEL)', '+#define zq_alloc_buf(size) vzalloc(size)', ' ']);
  await withBase(files, async (base) => {
    const review = await reviewSet(parsePatches(patch, 'zq.patch'), { base, baseContext: ctxOf(base) });
    assert.deepEqual(review.problems, []);
    assert.deepEqual(review.findings.map((f) => [f.finding.rule, f.target.path, f.target.line, f.patch.line]), [['vmalloc-linear-map', 'fs/zq/zq_log.c', 10, 13]]);
    assert.match(review.findings[0].finding.message, /a caller of zq_alloc_buf\(\), which it makes hand out vmalloc memory/);
  });
});

test('review reply: a finding outside the hunks quotes its line and the helper line that converts', async () => {
  const files = headerBase('kzalloc(size, GFP_KERNEL)');
  files['fs/zq/zq_sb.c'] = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/zq.h>', '',
    'int zq_read_sb(struct block_device *bdev)', '{', '\tvoid *buf;', '', '\tbuf = kzalloc(4096, GFP_KERNEL);', '\tif (!buf)', '\t\treturn -ENOMEM;',
    '\tmemset(buf, 0, 64);', '\tmemset(buf + 64, 0, 64);', '\tmemset(buf + 128, 0, 64);', '\tmemset(buf + 192, 0, 64);',
    '\treturn zq_submit(bdev, buf,', '\t\t\t 4096);', '}', ''].join('\n');
  const patch = editPatch('fs/zq/zq_sb.c', 'zq: the superblock may be large', '@@ -5,7 +5,7 @@',
    [' {', ' \tvoid *buf;', ' ', '-\tbuf = kzalloc(4096, GFP_KERNEL);', '+\tbuf = vzalloc(4096);', ' \tif (!buf)', ' \t\treturn -ENOMEM;', ' \tmemset(buf, 0, 64);']);
  await withBase(files, async (base) => {
    const review = await reviewSet(parsePatches(patch, 'zq.patch'), { base, baseContext: ctxOf(base) });
    assert.deepEqual(review.findings.map((f) => [f.finding.rule, f.target.path, f.target.line]), [['vmalloc-linear-map', 'fs/zq/zq_sb.c', 15]]);
    const reply = formatReply(review);
    assert.match(reply, /^fs\/zq\/zq_sb\.c:15, outside the lines the patch shows:\n> \treturn zq_submit\(bdev, buf,\n> \t\t\t 4096\);\nfs\/zq\/zq_io\.c:9, in zq_submit\(\):\n> \t__bio_add_page/m);
  });
});
