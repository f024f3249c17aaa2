/**
 * Patch review in the editor: mbox documents get diagnostics like .patch documents, "Copy review
 * reply" on a finding puts that finding's reply (and only it) on the clipboard, and "Review Patch
 * Series…" opens the reply for chosen files; after Analyze Workspace a patch is judged with what the
 * files it leaves alone export. Fixture: patches/series-cover-3.mbox (a cover letter and
 * three patches; patches 2 and 3 each introduce a missing flush, copied from test/fixtures/patches).
 */
import * as assert from 'assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { api, closeAll, codeOf, fixtureUri, open, waitForDiagnostics, workspaceRoot } from './util';

const MBOX = 'patches/series-cover-3.mbox';
const RULE = 'vmap-io-missing-flush';

describe('patch review in the editor', () => {
  afterEach(async () => {
    await closeAll();
  });

  it('an .mbox document is a vmalias-mbox document and gets the patch diagnostics', async () => {
    await api();
    const { doc } = await open(MBOX);
    assert.equal(doc.languageId, 'vmalias-mbox');
    const ds = await waitForDiagnostics(doc.uri, (x) => x.length >= 2, 'two diagnostics on the series');
    assert.deepEqual(ds.map(codeOf), [RULE, RULE]);
    // Patch 2 adds the submission; patch 3 removes the flush before an unchanged submission line.
    const lines = ds.map((d) => doc.lineAt(d.range.start.line).text).sort();
    assert.match(lines[0], /^ \tret = submit_bio_wait\(bio\);/);
    assert.match(lines[1], /^\+\tret = submit_bio_wait\(bio\);/);
  });

  it('offers "Copy review reply" on a finding and copies the reply for just that finding', async () => {
    await api();
    const { doc } = await open(MBOX);
    const ds = await waitForDiagnostics(doc.uri, (x) => x.length >= 2, 'two diagnostics on the series');
    const added = ds.find((d) => doc.lineAt(d.range.start.line).text.startsWith('+'));
    assert.ok(added, 'the finding of patch 2');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, added.range);
    const copy = actions.filter((x) => /^Copy review reply/.test(x.title));
    assert.equal(copy.length, 1, `actions: ${actions.map((x) => x.title).join(' | ')}`);
    assert.notEqual(copy[0].kind?.value, vscode.CodeActionKind.QuickFix.value, 'not a quick fix: it edits nothing');
    assert.ok(copy[0].command, 'the action runs a command');
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand(copy[0].command.command, ...(copy[0].command.arguments ?? []));
    const text = await vscode.env.clipboard.readText();
    assert.match(text, new RegExp(`\\b${RULE}\\b`));
    assert.match(text, /^Subject: Re: \[PATCH 2\/3\]/m);
    assert.match(text, /^> \+\tret = submit_bio_wait\(bio\);/m, 'quotes the offending hunk line');
    assert.doesNotMatch(text, /PATCH 3\/3/, 'only the chosen finding');
  });

  it('after Analyze Workspace a patch document is judged with what the files it leaves alone export', async () => {
    const a = await api();
    const dir = fixtureUri('drivers/misc/quy').fsPath;
    const patch = fixtureUri('patches/0001-quy-stage.patch').fsPath;
    // a wrapper allocator and its existing caller, which the patch does not touch
    writeAllocatorAndCaller(dir, 'quy', 'vzalloc(size)');
    const body = ['// SPDX-License-Identifier: GPL-2.0', 'void *quy_buf_alloc(unsigned long size);', '', 'int quy_stage(struct device *dev, struct scatterlist *sg, unsigned long len)', '{',
      '\tvoid *st = quy_buf_alloc(len);', '', '\tif (!st)', '\t\treturn -ENOMEM;', '\tsg_init_one(sg, st, len);', '\treturn dma_map_sg(dev, sg, 1, DMA_FROM_DEVICE) ? 0 : -EIO;', '}'];
    fs.writeFileSync(patch, patchMail('quy: stage buffers', ['diff --git a/drivers/misc/quy/quy_stage.c b/drivers/misc/quy/quy_stage.c', 'new file mode 100644',
      '--- /dev/null', '+++ b/drivers/misc/quy/quy_stage.c', `@@ -0,0 +1,${body.length} @@`, ...body.map((l) => `+${l}`)]));
    try {
      await a.analyzeWorkspace();
      const { doc } = await open('patches/0001-quy-stage.patch');
      const ds = await waitForDiagnostics(doc.uri, (x) => x.some((d) => codeOf(d) === 'vmalloc-linear-map'), 'the finding on the added sg_init_one()');
      const d = ds.find((x) => codeOf(x) === 'vmalloc-linear-map');
      assert.ok(d);
      assert.match(doc.lineAt(d.range.start.line).text, /^\+\tsg_init_one\(sg, st, len\);/);
      // its reply is built with the same context
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range);
      const copy = actions.find((x) => /^Copy review reply/.test(x.title));
      assert.ok(copy?.command);
      await vscode.env.clipboard.writeText('');
      await vscode.commands.executeCommand(copy.command.command, ...(copy.command.arguments ?? []));
      assert.match(await vscode.env.clipboard.readText(), /vmalloc-linear-map/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(patch, { force: true });
    }
    await a.analyzeWorkspace();
  });

  it('after Analyze Workspace a patch converting an allocator to kvzalloc() is flagged for its untouched caller', async () => {
    const a = await api();
    const dir = fixtureUri('drivers/misc/quz').fsPath;
    const patch = fixtureUri('patches/0001-quz-large.patch').fsPath;
    writeAllocatorAndCaller(dir, 'quz', 'kzalloc(size, GFP_KERNEL)');
    fs.writeFileSync(patch, patchMail('quz: allow large buffers', ['diff --git a/drivers/misc/quz/quz_mem.c b/drivers/misc/quz/quz_mem.c', '--- a/drivers/misc/quz/quz_mem.c',
      '+++ b/drivers/misc/quz/quz_mem.c', '@@ -4,4 +4,4 @@', ' void *quz_buf_alloc(unsigned long size)', ' {', '-\treturn kzalloc(size, GFP_KERNEL);', '+\treturn kvzalloc(size, GFP_KERNEL);', ' }']));
    try {
      await a.analyzeWorkspace();
      const { doc } = await open('patches/0001-quz-large.patch');
      const ds = await waitForDiagnostics(doc.uri, (x) => x.some((d) => codeOf(d) === 'vmalloc-linear-map'), 'the finding for the untouched caller');
      const d = ds.find((x) => codeOf(x) === 'vmalloc-linear-map');
      assert.ok(d);
      assert.match(d.message, /quz_xfer\.c:10, which this patch does not touch: a caller of quz_buf_alloc\(\)/);
      assert.match(doc.lineAt(d.range.start.line).text, /kzalloc|kvzalloc/, 'at the changed line');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(patch, { force: true });
    }
    await a.analyzeWorkspace();
  });

  it('Review Patch Series… opens the reply for the chosen files in an untitled document', async () => {
    await api();
    const reply = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('vmalias.reviewPatchSeries', [fixtureUri(MBOX)]);
    assert.ok(reply, 'a reply document');
    assert.equal(reply.isUntitled, true);
    const text = reply.getText();
    assert.match(text, /^Subject: Re: \[PATCH 2\/3\]/m);
    assert.match(text, /^Subject: Re: \[PATCH 3\/3\]/m);
    assert.ok((text.match(new RegExp(`\\b${RULE}\\b`, 'g')) ?? []).length >= 2, text);
  });

  it('Review Git Range… reviews the commits of A..B in the workspace repository', async function () {
    await api();
    const root = workspaceRoot(); // a temporary copy of the fixture folder
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.org', '-c', 'commit.gpgsign=false', ...args], { cwd: root, encoding: 'utf8' });
    try {
      git('--version');
    } catch {
      return this.skip();
    }
    const log = 'drivers/block/foo/foo_log.c';
    try {
      git('init', '-q');
      git('add', '--', '.', `:!${log}`);
      git('commit', '-q', '-m', 'foo: base');
      git('add', '--', log);
      git('commit', '-q', '-m', 'foo: add the log writer');
      // Strict input: an option-looking or one-ended range never reaches git.
      assert.equal(await vscode.commands.executeCommand('vmalias.reviewGitRange', '--output=/tmp/x..HEAD'), undefined);
      assert.equal(await vscode.commands.executeCommand('vmalias.reviewGitRange', 'HEAD~1..'), undefined);
      const reply = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('vmalias.reviewGitRange', 'HEAD~1..HEAD');
      assert.ok(reply, 'a reply document');
      const text = reply.getText();
      assert.match(text, /^Subject: Re: \[PATCH\] foo: add the log writer/m);
      assert.match(text, new RegExp(`\\b${RULE}\\b`));
    } finally {
      fs.rmSync(path.join(root, '.git'), { recursive: true, force: true });
    }
  });
});

/**
 * `<p>_mem.c`: a wrapper allocator `<p>_buf_alloc()` returning `alloc` (line 6 is its return), and
 * `<p>_xfer.c`: a caller that maps its buffer with sg_init_one() (line 10).
 */
function writeAllocatorAndCaller(dir: string, p: string, alloc: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${p}_mem.c`), `// SPDX-License-Identifier: GPL-2.0\n#include <linux/slab.h>\n\nvoid *${p}_buf_alloc(unsigned long size)\n{\n\treturn ${alloc};\n}\n`);
  fs.writeFileSync(path.join(dir, `${p}_xfer.c`), `// SPDX-License-Identifier: GPL-2.0\nvoid *${p}_buf_alloc(unsigned long size);\n\nint ${p}_send(struct device *dev, struct scatterlist *sg, unsigned long len)\n{\n\tvoid *buf = ${p}_buf_alloc(len);\n\n\tif (!buf)\n\t\treturn -ENOMEM;\n\tsg_init_one(sg, buf, len);\n\treturn dma_map_sg(dev, sg, 1, DMA_TO_DEVICE) ? 0 : -EIO;\n}\n`);
}

/** One patch mail around `diff` lines. */
function patchMail(subject: string, diff: string[]): string {
  return ['From: Dev <dev@example.org>', `Subject: [PATCH] ${subject}`, '', '---', ...diff, '-- ', '2.39.5', ''].join('\n');
}
