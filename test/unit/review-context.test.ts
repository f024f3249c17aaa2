/**
 * Patch review with a base sees what the files a series leaves alone export (analyzer/scan/context.ts,
 * and gitbase.ts for a base read from a git revision): a wrapper allocator's summary and a member
 * table another file fills.
 */
import { test } from 'node:test';
import { execFileSync, fork } from 'child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parsePatches } from '../../analyzer/patch/parse';
import { reviewSet } from '../../analyzer/patch/review';
import { formatReply } from '../../analyzer/patch/format';
import { reviewCommand, type CommandIO, type ReviewDeps } from '../../analyzer/patch/command';
import { gitBase } from '../../analyzer/patch/git';
import { baseContext, contextScopes, reviewContext, type ContextBase } from '../../analyzer/scan/context';
import { gitBaseContext } from '../../analyzer/scan/gitbase';
import type { ScanWorkerMessage, ScanWorkerRequest } from '../../extension/engine/scanWorker';
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
    const deps = { baseContext: async (b: ContextBase, paths: string[]) => { calls.push(paths); return reviewContext(b, paths, { noCache: true, jobs: 1 }); } };
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

/** An untouched caller of drivers/zz's sync helper: it fills a vmalloc() buffer and writes it after the helper. */
const ZZ_WRITE_CALLER = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/bio.h>', '#include <linux/vmalloc.h>', '', 'void zz_sync_for_device(void *buf, size_t len);', '',
  'int zz_write(struct block_device *bdev, const void *src)', '{', '\tvoid *buf = vmalloc(PAGE_SIZE);', '\tstruct bio *bio;', '\tint ret;', '',
  '\tif (!buf)', '\t\treturn -ENOMEM;', '\tmemcpy(buf, src, PAGE_SIZE);', '\tzz_sync_for_device(buf, PAGE_SIZE);',
  '\tbio = bio_alloc(bdev, 1, REQ_OP_WRITE, GFP_NOIO);', '\t__bio_add_page(bio, vmalloc_to_page(buf), PAGE_SIZE, 0);', '\tret = submit_bio_wait(bio);',
  '\tbio_put(bio);', '\tvfree(buf);', '\treturn ret;', '}', ''].join('\n');

test('review with a directory base: a helper that stops flushing is reported at its untouched callers', async () => {
  const files: Tree = {};
  const zz = 'drivers/zz';
  files[`${zz}/zz_sync.c`] = '// SPDX-License-Identifier: GPL-2.0\n#include <linux/highmem.h>\n\nvoid zz_sync_for_device(void *buf, size_t len)\n{\n\tflush_kernel_vmap_range(buf, len);\n}\n';
  files[`${zz}/zz_io.c`] = ZZ_WRITE_CALLER;
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
  files[`${zz}/zz_io.c`] = ZZ_WRITE_CALLER;
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

/** git in `dir` with a fixed identity and dates, and none of the user's or the system's configuration. */
function git(dir: string, ...args: string[]): string {
  const date = '2026-03-03T10:00:00+0100';
  return execFileSync('git', ['-C', dir, '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: os.devNull, GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.org',
      GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.org', GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
  }).trim();
}

/** Commit `files` (null removes one) on the branch checked out in `repo`; the commit's id. */
function commit(repo: string, files: Record<string, string | null>, message: string): string {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(repo, ...rel.split('/'));
    if (text === null) fs.rmSync(p, { force: true });
    else {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, text);
    }
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '--allow-empty', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

/** `f` on a new repository whose branch `main` has `commits` (the changes of each, in order), and their ids. */
function withRepo<T>(commits: Record<string, string | null>[], f: (repo: string, ids: string[]) => Promise<T>): Promise<T> {
  return withBase({}, async (repo) => {
    git(repo, 'init', '-q');
    const ids = commits.map((c, i) => commit(repo, c, `commit ${i}`));
    return f(repo, ids);
  });
}

/** What a review must never change: the checkout's HEAD and every file of its work tree. */
function checkout(repo: string): string {
  return `${git(repo, 'rev-parse', 'HEAD')}\n${git(repo, 'status', '--porcelain', '--untracked-files=all')}`;
}

/** drivers/qx/qx_mem.c: a wrapper allocator returning `alloc`. */
function qxMem(alloc: string): string {
  return ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/slab.h>', '#include <linux/vmalloc.h>', '',
    'void *qx_buf_alloc(size_t len)', '{', `\treturn ${alloc};`, '}', ''].join('\n');
}

/** A new file of the qx driver that maps the wrapper's memory for the device (line 13). */
const QX_DMA = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/dma-mapping.h>', '', 'void *qx_buf_alloc(size_t len);', '',
  'dma_addr_t qx_map_cmd(struct device *dev, size_t len)', '{', '\tvoid *cmd = qx_buf_alloc(len);', '',
  '\tif (!cmd)', '\t\treturn DMA_MAPPING_ERROR;', '\tmemset(cmd, 0x5a, len);', '\treturn dma_map_single(dev, cmd, len, DMA_TO_DEVICE);', '}', ''];

const QX_PATCH = newFilePatch('drivers/qx/qx_dma.c', 'qx: map the command buffer for the device', QX_DMA.slice(0, -1));

/** `vmalias review` through reviewCommand with the CLI's context hook (one job); exit status, stdout, stderr. */
async function review(argv: string[], opts: { jobs?: number } = {}): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } } as unknown as CommandIO;
  const deps: ReviewDeps = { baseContext: (b, paths, o) => reviewContext(b, paths, { ...o, jobs: opts.jobs ?? 1 }) };
  const status = await reviewCommand(argv, io, deps);
  return { status, out, err };
}

test('review with a git base: the revision\'s untouched files decide findings, never the work tree', async () => {
  // the revision's wrapper returns vmalloc memory; the checkout is at a later commit where it does not
  await withRepo([{ 'drivers/qx/qx_mem.c': qxMem('vmalloc(len)'), 'drivers/qx/qx_core.c': '// SPDX-License-Identifier: GPL-2.0\nint qx_ready;\n' },
    { 'drivers/qx/qx_mem.c': qxMem('kmalloc(len, GFP_KERNEL)') }], async (repo, [rev]) => {
    git(repo, 'checkout', '-q', '-b', 'topic', rev);
    commit(repo, { 'drivers/qx/qx_dma.c': QX_DMA.join('\n') }, 'qx: map the command buffer for the device');
    git(repo, 'checkout', '-q', 'main');
    const before = checkout(repo);
    await withBase({ 'p.patch': QX_PATCH.replace('\n-- \n', `\nbase-commit: ${rev}\n-- \n`) }, async (tmp) => {
      const pf = path.join(tmp, 'p.patch');
      const cache = ['--cache-dir', path.join(tmp, 'cache')];
      const line = /^drivers\/qx\/qx_dma\.c:13: .*\[vmalloc-linear-map\]$/m;
      // --base-rev REV, --base-rev auto (the base-commit: trailer) and --git RANGE all read the revision
      for (const argv of [[pf, '--base', repo, '--base-rev', rev], [pf, '--base', repo, '--base-rev', 'auto'], ['--git', `${rev}..topic`, '--repo', repo]]) {
        const r = await review([...argv, '--format', 'mailback', ...cache]);
        assert.equal(r.status, 1, `${argv.join(' ')}: ${r.err}`);
        assert.match(r.out, line);
      }
      // the work tree says otherwise: had the review read it, it would have found nothing
      assert.deepEqual(await review([pf, '--base', repo, '--format', 'mailback', ...cache]), { status: 0, out: '', err: '' });
      // without the context the revision's other files are unknown
      assert.equal((await review([pf, '--base', repo, '--base-rev', rev, '--format', 'mailback', '--no-base-context'])).out, '');
      // the subsystem at the revision was written out once, in the cache, and reused by the next reviews
      const revs = path.join(tmp, 'cache', 'v2', 'revs');
      assert.equal(fs.readdirSync(revs).length, 1);
      const tree = path.join(revs, fs.readdirSync(revs)[0]);
      assert.deepEqual(fs.readdirSync(path.join(tree, 'drivers', 'qx')).sort(), ['qx_core.c', 'qx_mem.c']);
      assert.match(fs.readFileSync(path.join(tree, 'drivers', 'qx', 'qx_mem.c'), 'utf8'), /return vmalloc\(len\);/);
      // --no-cache: a temporary copy, removed when the review is done
      const own = path.join(tmp, 'tmpdir');
      fs.mkdirSync(own);
      const saved = process.env.TMPDIR;
      process.env.TMPDIR = own;
      try {
        const r = await review([pf, '--base', repo, '--base-rev', rev, '--format', 'mailback', '--no-cache', '--jobs', '2'], { jobs: 2 });
        assert.match(r.out, line);
      } finally {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
      }
      assert.deepEqual(fs.readdirSync(own), []);
    });
    assert.equal(checkout(repo), before, 'the repository was not touched');
  });
});

test('review with a git base: a wrapper converted to kvzalloc() is reported at the revision\'s untouched callers', async () => {
  const zzAlloc = (alloc: string) => `// SPDX-License-Identifier: GPL-2.0\n#include <linux/slab.h>\n\nvoid *zz_buf_alloc(size_t len)\n{\n\treturn ${alloc}(len, GFP_KERNEL);\n}\n`;
  const zzIo = ['// SPDX-License-Identifier: GPL-2.0', '#include <linux/dma-mapping.h>', '', 'void *zz_buf_alloc(size_t len);', '',
    'int zz_stage(struct device *dev, struct scatterlist *sg, size_t len)', '{', '\tvoid *buf = zz_buf_alloc(len);', '',
    '\tif (!buf)', '\t\treturn -ENOMEM;', '\tsg_init_one(sg, buf, len);', '\treturn dma_map_sg(dev, sg, 1, DMA_TO_DEVICE) ? 0 : -EIO;', '}', ''].join('\n');
  const patch = editPatch('drivers/zz/zz_alloc.c', 'zz: allow large staging buffers', '@@ -4,4 +4,4 @@',
    [' void *zz_buf_alloc(size_t len)', ' {', '-\treturn kzalloc(len, GFP_KERNEL);', '+\treturn kvzalloc(len, GFP_KERNEL);', ' }']);
  // the caller is in the revision only: the checkout has dropped it
  await withRepo([{ 'drivers/zz/zz_alloc.c': zzAlloc('kzalloc'), 'drivers/zz/zz_io.c': zzIo }, { 'drivers/zz/zz_io.c': null }], async (repo, [rev]) => {
    const ctx = (paths: string[], o: { base: ContextBase }) => reviewContext(o.base, paths, { noCache: true, jobs: 1 });
    const r = await reviewSet(parsePatches(patch, 'zz.patch'), { base: repo, baseTree: gitBase(repo, rev), baseContext: ctx });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.findings.map((f) => [f.finding.rule, f.target.path, f.target.line, f.patch.line]), [['vmalloc-linear-map', 'drivers/zz/zz_io.c', 12, 13]]);
    // the reply quotes the caller as the revision has it
    assert.match(formatReply(r), /^drivers\/zz\/zz_io\.c:12, which this patch does not touch:\n> \tsg_init_one\(sg, buf, len\);$/m);
    // the same series on the work tree: no caller there
    assert.deepEqual((await reviewSet(parsePatches(patch, 'zz.patch'), { base: repo, baseContext: ctx })).findings, []);
  });
});

test('review with a git base: the files including a touched include/ header are found with git grep on the revision', async () => {
  const files = headerBase('kzalloc(size, GFP_KERNEL)');
  const patch = editPatch('include/linux/zq.h', 'zq: allocate the log from vmalloc space', '@@ -7,4 +7,4 @@',
    [' static inline void *zq_alloc_buf(size_t size)', ' {', '-\treturn kzalloc(size, GFP_KERNEL);', '+\treturn vzalloc(size);', ' }']);
  // the checkout has moved the filesystem elsewhere: fs/zq/ is only in the revision
  const moved: Record<string, string | null> = {};
  for (const [rel, text] of Object.entries(files)) if (rel.startsWith('fs/zq/')) Object.assign(moved, { [rel]: null, [rel.replace('fs/zq/', 'fs/zr/')]: text });
  await withRepo([files, moved], async (repo, [rev]) => {
    const ctx = await gitBaseContext({ repo, commit: rev }, ['include/linux/zq.h'], { noCache: true, jobs: 1 });
    try {
      assert.deepEqual(ctx.scopes, ['fs/zq/', 'include/linux/']);
      assert.deepEqual(ctx.notes, []);
    } finally {
      ctx.dispose();
    }
    await withBase({ 'zq.patch': patch }, async (tmp) => {
      const j = await review([path.join(tmp, 'zq.patch'), '--base', repo, '--base-rev', rev, '--no-cache', '--format', 'json']);
      assert.equal(j.status, 1, j.err);
      const findings = (JSON.parse(j.out) as { findings: { finding: { rule: string }; target: { path: string; line: number } }[] }).findings;
      assert.deepEqual(findings.map((f) => [f.finding.rule, f.target.path, f.target.line]), [['vmalloc-linear-map', 'fs/zq/zq_log.c', 10]]);
      // the work tree's includers are elsewhere: read from it, the review names those
      const w = await review([path.join(tmp, 'zq.patch'), '--base', repo, '--no-cache', '--format', 'mailback']);
      assert.match(w.out, /^fs\/zr\/zq_log\.c:10: /m);
    });
  });
});

test('review with a git base: objects that cannot be read, a bad commit or a scope over the limit are notes, and the review goes on', async () => {
  await withRepo([{ 'drivers/qx/qx_mem.c': qxMem('vmalloc(len)') }], async (repo, [rev]) => {
    // a scope over the size limit
    const big = await gitBaseContext({ repo, commit: rev }, ['drivers/qx/qx_dma.c'], { noCache: true, jobs: 1, maxScopeBytes: 16 });
    big.dispose();
    assert.deepEqual(big.summaries, []);
    assert.match(big.notes.join('\n'), /^drivers\/qx\/ at [0-9a-f]{12} not read for the base context: .* over the review's limit$/m);
    // not a commit id (gitBase resolves revisions; the context takes only what it resolved)
    const bad = await gitBaseContext({ repo, commit: 'HEAD' }, ['drivers/qx/qx_dma.c'], { noCache: true });
    assert.match(bad.notes.join('\n'), /base context not available: "HEAD" is not a commit id/);
    const gone = await gitBaseContext({ repo, commit: '0'.repeat(40) }, ['drivers/qx/qx_dma.c'], { noCache: true });
    assert.match(gone.notes.join('\n'), /base context not available: git cat-file failed/);
    // a blob of the scope missing from the object store (a damaged or partial clone)
    const blob = git(repo, 'rev-parse', `${rev}:drivers/qx/qx_mem.c`);
    fs.rmSync(path.join(repo, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
    await withBase({ 'p.patch': QX_PATCH }, async (tmp) => {
      const r = await review([path.join(tmp, 'p.patch'), '--base', repo, '--base-rev', rev, '--cache-dir', path.join(tmp, 'cache')]);
      assert.equal(r.status, 0, r.err);
      assert.equal(r.out, '');
      assert.match(r.err, /^vmalias: drivers\/qx\/ at [0-9a-f]{12} not read for the base context: object [0-9a-f]{40} \(drivers\/qx\/qx_mem\.c\) is missing/m);
      // nothing half-written is left in the cache
      const revs = path.join(tmp, 'cache', 'v2', 'revs');
      assert.deepEqual(fs.existsSync(revs) ? fs.readdirSync(revs) : [], []);
    });
  });
});

test('review with a git base: nothing the repository configures is executed', async () => {
  await withRepo([{ 'drivers/qx/qx_mem.c': qxMem('vmalloc(len)'), 'include/linux/qx.h': 'void *qx_buf_alloc(size_t len);\n',
    'drivers/qx/qx_core.c': '#include <linux/qx.h>\nint qx_ready;\n' }], async (repo, [rev]) => {
    git(repo, 'checkout', '-q', '-b', 'topic');
    commit(repo, { 'drivers/qx/qx_dma.c': QX_DMA.join('\n'), 'include/linux/qx.h': 'void *qx_buf_alloc(size_t len);\nvoid qx_free(void *p);\n' }, 'qx: map the command buffer');
    // every hook, filter, textconv and fsmonitor command of the repository leaves a mark
    const mark = path.join(repo, '..', `${path.basename(repo)}-ran`);
    const script = path.join(repo, '.git', 'mark.sh');
    fs.writeFileSync(script, `#!/bin/sh\necho "$0 $*" >> '${mark}'\ncat\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(repo, '.git', 'info', 'attributes'), '* filter=mark diff=mark\n');
    for (const [k, v] of [['core.fsmonitor', script], ['filter.mark.clean', script], ['filter.mark.smudge', script], ['filter.mark.process', script],
      ['diff.mark.textconv', script], ['diff.external', script], ['core.hooksPath', path.join(repo, '.git', 'hooks-mark')], ['core.pager', script]]) git(repo, 'config', k, v);
    fs.mkdirSync(path.join(repo, '.git', 'hooks-mark'));
    for (const h of ['pre-commit', 'post-checkout', 'post-index-change', 'reference-transaction']) fs.copyFileSync(script, path.join(repo, '.git', 'hooks-mark', h));
    try {
      for (const argv of [['--git', `${rev}..topic`, '--repo', repo], ['--git', 'topic', '--repo', repo]]) {
        const r = await review([...argv, '--format', 'mailback', '--no-cache']);
        assert.equal(r.status, 1, r.err);
        assert.match(r.out, /drivers\/qx\/qx_dma\.c:13: .*\[vmalloc-linear-map\]/);
      }
      assert.equal(fs.existsSync(mark), false, fs.existsSync(mark) ? fs.readFileSync(mark, 'utf8') : '');
    } finally {
      fs.rmSync(mark, { force: true });
    }
  });
});

test('review --git: the repository\'s diff.noprefix and diff.relative do not change the paths reviewed', async () => {
  await withRepo([{ 'drivers/qx/qx_mem.c': qxMem('vmalloc(len)') }], async (repo, [rev]) => {
    git(repo, 'checkout', '-q', '-b', 'topic');
    commit(repo, { 'drivers/qx/qx_dma.c': QX_DMA.join('\n') }, 'qx: map the command buffer');
    git(repo, 'config', 'diff.noprefix', 'true');
    git(repo, 'config', 'diff.relative', 'true');
    // --repo a subdirectory (an editor folder opened below the top): paths stay the tree's
    for (const dir of [repo, path.join(repo, 'drivers')]) {
      const r = await review(['--git', `${rev}..topic`, '--repo', dir, '--format', 'mailback', '--no-cache']);
      assert.equal(r.status, 1, r.err);
      assert.match(r.out, /^drivers\/qx\/qx_dma\.c:13: .*\[vmalloc-linear-map\]/m, r.out);
    }
  });
});

test('review with a git base: a partial clone fetches no missing object, so no program its remote names runs', async () => {
  await withRepo([{ 'drivers/qx/qx_mem.c': qxMem('vmalloc(len)') }], async (src, [rev]) => {
    git(src, 'checkout', '-q', '-b', 'topic');
    const tip = commit(src, { 'drivers/qx/qx_dma.c': QX_DMA.join('\n') }, 'qx: map the command buffer');
    git(src, 'config', 'uploadpack.allowFilter', 'true');
    await withBase({}, async (dir) => {
      // a clone without blobs whose promisor remote runs a program of the repository's choosing
      const clone = path.join(dir, 'clone');
      git(dir, 'clone', '-q', '--filter=blob:none', '--no-checkout', `file://${src}`, clone);
      const mark = path.join(dir, 'ran');
      const script = path.join(dir, 'upload-pack.sh');
      fs.writeFileSync(script, `#!/bin/sh\necho "$*" >> '${mark}'\nexec git-upload-pack "$@"\n`, { mode: 0o755 });
      git(clone, 'config', 'remote.origin.uploadpack', script);
      // (plain git would run it: a lazy fetch of the first blob format-patch needs)
      const r = await review(['--git', `${rev}..${tip}`, '--repo', clone, '--no-cache']);
      assert.equal(r.status, 2, r.out);
      assert.match(r.err, /format-patch failed .*(promisor|not allowed)/);
      assert.throws(() => gitBase(clone, rev).read('drivers/qx/qx_mem.c') ?? assert.fail('read nothing'), /read nothing/);
      const ctx = await gitBaseContext({ repo: clone, commit: rev }, ['drivers/qx/qx_dma.c'], { noCache: true, jobs: 1 });
      ctx.dispose();
      assert.deepEqual(ctx.summaries, [], 'nothing read from objects that are not there');
      assert.ok(ctx.notes.some((n) => /drivers\/qx\//.test(n)), JSON.stringify(ctx.notes));
      assert.equal(fs.existsSync(mark), false, fs.existsSync(mark) ? fs.readFileSync(mark, 'utf8') : '');
    });
  });
});

test('the editor\'s Review Git Range… (the scan process) reviews with the context of the range\'s base', async () => {
  await withRepo([{ 'drivers/qx/qx_mem.c': qxMem('vmalloc(len)') }, { 'drivers/qx/qx_dma.c': QX_DMA.join('\n') }], async (repo) => {
    await withBase({}, async (cacheDir) => {
      const w = fork(path.join(__dirname, '..', '..', 'extension', 'engine', 'scanWorker.js'), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
      try {
        const m = await new Promise<ScanWorkerMessage>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no answer from the scan process')), 60_000);
          w.on('message', (x: ScanWorkerMessage) => { clearTimeout(timer); resolve(x); });
          w.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}`)); });
          const req: ScanWorkerRequest = { kind: 'review', input: { repoDir: repo, range: 'HEAD~1..HEAD', options: {}, cacheDir } };
          w.send(req);
        });
        assert.equal(m.kind, 'reply', JSON.stringify(m));
        if (m.kind !== 'reply') return;
        assert.equal(m.findings, 1);
        assert.match(m.text, /^\[vmalias vmalloc-linear-map at drivers\/qx\/qx_dma\.c:13\]$/m);
      } finally {
        w.kill();
      }
    });
  });
});
