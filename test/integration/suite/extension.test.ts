/**
 * The extension's wiring inside a real VS Code: diagnostics, hover, quick fixes, incremental
 * re-analysis, the simulation document and view, settings, patches. Fixtures: ../fixtures/ws.
 */
import * as assert from 'assert/strict';
import * as fs from 'fs';
import { monitorEventLoopDelay } from 'perf_hooks';
import * as vscode from 'vscode';
import * as path from 'path';
import {
  analysed, api, closeAll, codeOf, fixtureUri, metrics, open, ours, positionOf, waitForAnalysis, waitForDiagnostics,
} from './util';

const LOG = 'drivers/block/foo/foo_log.c';
const SUPER = 'drivers/block/foo/foo_super.c';
const READ = 'drivers/block/foo/foo_read.c';

function hoverText(h: vscode.Hover[]): string {
  return h.flatMap((x) => x.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

describe('vmalias in VS Code', () => {
  before(async () => {
    const a = await api();
    metrics.activationMs = Number(a.activationMs.toFixed(2));
  });

  const restore: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const r of restore.splice(0)) await r();
    await closeAll();
  });

  it('reports vmap-io-missing-flush at the submit_bio_wait() call, with the trace as related information', async () => {
    const { doc } = await open(LOG);
    const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length > 0, 'a diagnostic on foo_log.c');
    assert.equal(codeOf(d), 'vmap-io-missing-flush');
    const submit = positionOf(doc, 'submit_bio_wait(');
    assert.equal(d.range.start.line, submit.line, 'reported on the submitting line');
    assert.ok(doc.getText(d.range).includes('submit_bio_wait'), `range text: ${doc.getText(d.range)}`);
    assert.ok(d.severity === vscode.DiagnosticSeverity.Warning || d.severity === vscode.DiagnosticSeverity.Error);
    assert.equal(typeof d.code === 'object' && d.code.target.scheme, 'vmalias', 'the code links to the simulation');
    const related = d.relatedInformation ?? [];
    const lines = related.map((r) => r.location.range.start.line);
    assert.ok(lines.includes(positionOf(doc, 'vzalloc(').line), `a step at the vzalloc line; got lines ${lines.join(',')}`);
    assert.ok(lines.includes(positionOf(doc, 'bio_add_page(').line), `a step at the bio_add_page line; got lines ${lines.join(',')}`);
    for (const r of related) {
      assert.equal(r.location.uri.toString(), doc.uri.toString());
      assert.ok(r.message.length > 0);
    }
  });

  it('stays quiet on a file that flushes before the I/O', async () => {
    const a = await api();
    const { doc } = await open(SUPER);
    await analysed(a, doc);
    assert.deepEqual(ours(doc.uri).map(codeOf), []);
  });

  it('reports vmap-io-missing-invalidate for a read used without invalidate', async () => {
    const { doc } = await open(READ);
    const ds = await waitForDiagnostics(doc.uri, (x) => x.length > 0, 'a diagnostic on foo_read.c');
    assert.ok(ds.some((d) => codeOf(d) === 'vmap-io-missing-invalidate'), ds.map(codeOf).join(','));
  });

  it('uses the kernel version of the workspace Makefile', async () => {
    const a = await api();
    const { doc } = await open(LOG);
    await waitForDiagnostics(doc.uri, (ds) => ds.length > 0, 'a diagnostic');
    const f = a.store.get(doc.uri)?.findings[0];
    assert.ok(f, 'a stored finding');
    assert.match(f.kernel, /^6\.18/);
  });

  it('hover on the submitting call shows the flow, the per-architecture verdicts and command links', async () => {
    const a = await api();
    const { doc } = await open(LOG);
    await waitForDiagnostics(doc.uri, (ds) => ds.length > 0, 'a diagnostic');
    const pos = positionOf(doc, 'submit_bio_wait(').translate(0, 3);
    const t0 = performance.now();
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos);
    metrics.firstHoverMs = Number((performance.now() - t0).toFixed(2));
    metrics.firstHoverProviderMs = Number(a.hover.lastHoverMs.toFixed(2));
    const text = hoverText(hovers);
    assert.match(text, /vmap-io-missing-flush/);
    assert.match(text, new RegExp(`allocated \\(line ${positionOf(doc, 'vzalloc(').line + 1}\\)`), 'the flow starts at the vzalloc() line');
    assert.match(text, /armv5-vivt/, 'per-architecture table');
    assert.match(text, /x86-64/);
    assert.match(text, /command:vmalias\.showSimulation/);
    // Hover on the allocation (a trace step) shows the same finding.
    const onAlloc = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf(doc, 'vzalloc(').translate(0, 2)));
    assert.match(onAlloc, /vmap-io-missing-flush/);
    metrics.secondHoverProviderMs = Number(a.hover.lastHoverMs.toFixed(2));
  });

  it('offers the preferred quick fix with the diagnostic attached; applying it clears the diagnostic', async () => {
    const a = await api();
    const { doc } = await open(LOG);
    const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length > 0, 'a diagnostic');
    // What VS Code offers (the command API does not carry `diagnostics` back) …
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const offered = actions.filter((x) => /flush_kernel_vmap_range/.test(x.title));
    assert.ok(offered.length > 0, `quick fixes: ${actions.map((x) => x.title).join(' | ')}`);
    const fix = offered.find((x) => x.isPreferred);
    assert.ok(fix, 'one fix is preferred');
    assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
    assert.ok(fix.edit, 'the fix carries an edit');
    // … and, from the provider itself, that the diagnostic is attached.
    const direct = a.codeActions.provideCodeActions(doc, d.range, { diagnostics: [d], only: undefined, triggerKind: vscode.CodeActionTriggerKind.Invoke });
    const attached = direct.find((x) => x.isPreferred);
    assert.deepEqual(attached?.diagnostics?.map(codeOf), ['vmap-io-missing-flush']);
    const before = doc.version;
    const original = doc.getText();
    // workspace.applyEdit may save the file (files.refactoring.autoSave): restore it afterwards.
    restore.push(async () => {
      const all = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
      const e = new vscode.WorkspaceEdit();
      e.replace(doc.uri, all, original);
      await vscode.workspace.applyEdit(e);
      await doc.save();
    });
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await waitForDiagnostics(doc.uri, (ds) => !ds.some((x) => codeOf(x) === 'vmap-io-missing-flush'), 'the diagnostic to disappear after the fix');
    assert.match(doc.getText(), /flush_kernel_vmap_range\(\s*buf\s*,\s*len\s*\)/);
    const ev = await waitForAnalysis(a, doc.uri, before + 1).catch(() => undefined);
    if (ev) assert.equal(ev.response.result?.stats.errorNodes ?? 0, 0, 'the fixed text parses without errors');
  });

  it('"fix all in file" fixes every finding at once', async () => {
    const body = (await open(LOG)).doc.getText();
    const two = body + body.replace(/foo_write_log/g, 'foo_write_log2').replace(/foo_log_commit/g, 'foo_log_commit2');
    const doc = await vscode.workspace.openTextDocument({ language: 'c', content: two });
    await vscode.window.showTextDocument(doc);
    const ds = await waitForDiagnostics(doc.uri, (x) => x.length === 2, 'two diagnostics');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, ds[0].range, vscode.CodeActionKind.QuickFix.value);
    const all = actions.find((x) => /fix all 2 problems/.test(x.title));
    assert.ok(all?.edit, `actions: ${actions.map((x) => x.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(all.edit));
    await waitForDiagnostics(doc.uri, (x) => x.length === 0, 'no diagnostics after fixing all');
    assert.equal(doc.getText().match(/flush_kernel_vmap_range\(buf, len\);/g)?.length, 2);
  });

  it('an edit that adds the flush clears the diagnostic through an incremental re-parse', async () => {
    const a = await api();
    const { doc, editor } = await open(LOG);
    await waitForDiagnostics(doc.uri, (ds) => ds.length > 0, 'a diagnostic');
    const line = positionOf(doc, 'ret = submit_bio_wait(').line;
    const analysedAfter = waitForAnalysis(a, doc.uri, doc.version + 1);
    const t0 = performance.now();
    assert.ok(await editor.edit((e) => e.insert(new vscode.Position(line, 0), '\tflush_kernel_vmap_range(buf, len);\n')));
    await waitForDiagnostics(doc.uri, (ds) => ds.length === 0, 'diagnostics to clear after adding the flush');
    metrics.editToDiagnosticsMs = Number((performance.now() - t0).toFixed(2));
    const ev = await analysedAfter;
    assert.equal(ev.response.timings.incremental, true, 'the previous tree was edited and reused');
    // Removing the flush again brings the diagnostic back.
    assert.ok(await editor.edit((e) => e.delete(new vscode.Range(line, 0, line + 1, 0))));
    await waitForDiagnostics(doc.uri, (ds) => ds.some((x) => codeOf(x) === 'vmap-io-missing-flush'), 'the diagnostic to come back');
  });

  it('the diagnostic code opens the full simulation document', async () => {
    const { doc } = await open(LOG);
    const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length > 0, 'a diagnostic');
    assert.ok(typeof d.code === 'object');
    const sim = await vscode.workspace.openTextDocument(d.code.target);
    const text = sim.getText();
    assert.match(text, /^# vmap-io-missing-flush in foo_write_log\(\)/);
    assert.match(text, /## What flows where/);
    assert.match(text, /## Simulation/);
    assert.match(text, /flush_kernel_vmap_range/);
  });

  it('shows the simulation view and switches architecture and variant', async () => {
    const a = await api();
    const { doc, editor } = await open(LOG);
    await waitForDiagnostics(doc.uri, (ds) => ds.length > 0, 'a diagnostic');
    editor.selection = new vscode.Selection(positionOf(doc, 'submit_bio_wait('), positionOf(doc, 'submit_bio_wait('));
    const rendered = new Promise<{ arch: string; variant: string }>((resolve) => {
      const sub = a.simulationView.onDidRender((e) => { sub.dispose(); resolve(e); });
    });
    await vscode.commands.executeCommand('vmalias.showSimulation');
    const first = await rendered;
    assert.ok(a.simulationView.isVisible);
    assert.equal(first.variant, 'as-written');
    const next = new Promise<{ arch: string; variant: string }>((resolve) => {
      const sub = a.simulationView.onDidRender((e) => { sub.dispose(); resolve(e); });
    });
    a.simulationView.select('sh4', 'with-fix');
    assert.deepEqual(await next, { arch: 'sh4', variant: 'with-fix' });
  });

  it('opens the rule explanation', async () => {
    await vscode.commands.executeCommand('vmalias.openRuleExplanation', 'vmalloc-linear-map');
    const doc = vscode.window.activeTextEditor?.document;
    assert.equal(doc?.uri.scheme, 'vmalias');
    const text = doc?.getText() ?? '';
    assert.match(text, /^# vmalloc-linear-map/);
    assert.match(text, /vmalloc_to_page/);
  });

  it('applies per-rule severity overrides and "off"', async () => {
    const { doc } = await open(LOG);
    await waitForDiagnostics(doc.uri, (ds) => ds.length > 0, 'a diagnostic');
    const cfg = vscode.workspace.getConfiguration('vmalias');
    try {
      await cfg.update('severity', { 'vmap-io-missing-flush': 'error' }, vscode.ConfigurationTarget.Workspace);
      await waitForDiagnostics(doc.uri, (ds) => ds.length > 0 && ds.every((d) => d.severity === vscode.DiagnosticSeverity.Error), 'severity Error');
      await cfg.update('severity', { 'vmap-io-missing-flush': 'off' }, vscode.ConfigurationTarget.Workspace);
      await waitForDiagnostics(doc.uri, (ds) => ds.length === 0, 'the rule to be off');
    } finally {
      await cfg.update('severity', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitForDiagnostics(doc.uri, (ds) => ds.length > 0, 'the diagnostic back with default settings');
  });

  it('reports findings inside a patch document', async () => {
    const { doc } = await open('patches/0001-foo-add-state-dump.patch');
    const ds = await waitForDiagnostics(doc.uri, (x) => x.length > 0, 'a diagnostic on the patch');
    const d = ds.find((x) => codeOf(x) === 'vmap-io-missing-flush');
    assert.ok(d, ds.map(codeOf).join(','));
    assert.match(doc.lineAt(d.range.start.line).text, /^\+.*submit_bio_wait\(/);
  });

  it('shows a patch finding in the target file too, when that file is open', async () => {
    const { doc: patch } = await open('patches/0001-foo-add-state-dump.patch');
    await waitForDiagnostics(patch.uri, (x) => x.some((d) => codeOf(d) === 'vmap-io-missing-flush'), 'the finding on the patch');
    // the post-image of the new file, written where the patch puts it, then opened
    const post = patch.getText().split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')).map((l) => l.slice(1)).join('\n') + '\n';
    const target = fixtureUri('drivers/block/foo/foo_dump.c');
    fs.writeFileSync(target.fsPath, post);
    try {
      const doc = await vscode.workspace.openTextDocument(target);
      await vscode.window.showTextDocument(doc);
      const ds = await waitForDiagnostics(target, (x) => x.some((d) => d.message.includes('introduced by 0001-foo-add-state-dump.patch')), 'the patch finding on the target file');
      const d = ds.find((x) => x.message.includes('introduced by'));
      assert.ok(d);
      assert.equal(codeOf(d), 'vmap-io-missing-flush');
      assert.match(doc.lineAt(d.range.start.line).text, /submit_bio_wait\(/);
    } finally {
      await closeAll();
      fs.rmSync(target.fsPath, { force: true });
    }
  });

  it('Analyze Workspace reports files that are not open, in the Problems panel', async () => {
    const a = await api();
    const summary = await a.analyzeWorkspace();
    assert.equal(summary.cancelled, false);
    assert.ok(summary.files >= 3, `files: ${summary.files}`);
    assert.ok(summary.findings >= 2, `findings: ${summary.findings}`);
    assert.ok(ours(fixtureUri(READ)).some((d) => codeOf(d) === 'vmap-io-missing-invalidate'));
    assert.deepEqual(ours(fixtureUri(SUPER)).map(codeOf), []);
  });

  it('Analyze Workspace connects a wrapper allocator in one file with the DMA mapping in another', async () => {
    const a = await api();
    const dir = fixtureUri('drivers/misc/qux').fsPath;
    writeQux(dir);
    try {
      const summary = await a.analyzeWorkspace();
      assert.equal(summary.cancelled, false);
      const xfer = ours(vscode.Uri.file(path.join(dir, 'qux_xfer.c')));
      assert.deepEqual(xfer.map(codeOf), ['vmalloc-linear-map'], 'the caller in the other file is flagged');
      assert.equal(xfer[0].range.start.line, 11);
      // a second run over the unchanged tree comes from the scan cache
      const again = await a.analyzeWorkspace();
      assert.ok(again.cacheHits >= 2, `cache hits: ${again.cacheHits}`);
      assert.deepEqual(ours(vscode.Uri.file(path.join(dir, 'qux_xfer.c'))).map(codeOf), ['vmalloc-linear-map']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // the next scan clears the diagnostics of the files that went away
    await a.analyzeWorkspace();
    assert.deepEqual(ours(vscode.Uri.file(path.join(dir, 'qux_xfer.c'))).map(codeOf), []);
  });

  it('after Analyze Workspace an open document keeps a cross-file finding while it is edited', async () => {
    const a = await api();
    const dir = fixtureUri('drivers/misc/qux_live').fsPath;
    writeQux(dir);
    try {
      await a.analyzeWorkspace();
      // Opened and edited, the file is analysed live with the scan's summaries of the other file:
      // the cross-file finding stays, and moves with the edit.
      const xferUri = vscode.Uri.file(path.join(dir, 'qux_xfer.c'));
      const doc = await vscode.workspace.openTextDocument(xferUri);
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((e) => e.insert(new vscode.Position(1, 0), '/* the transfer path */\n'));
      const moved = await waitForDiagnostics(xferUri, (x) => x.some((d) => codeOf(d) === 'vmalloc-linear-map' && d.range.start.line === 12), 'the cross-file finding after an edit');
      assert.deepEqual(moved.filter((d) => d.source === 'vmalias').map(codeOf), ['vmalloc-linear-map']);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('after Analyze Workspace an open document keeps a finding on a member another file fills', async () => {
    const a = await api();
    const dir = fixtureUri('drivers/misc/zq_live').fsPath;
    writeZq(dir);
    try {
      const summary = await a.analyzeWorkspace();
      assert.equal(summary.cancelled, false);
      const dmaUri = vscode.Uri.file(path.join(dir, 'zq_dma.c'));
      assert.deepEqual(ours(dmaUri).map(codeOf), ['vmalloc-linear-map'], 'the reader of zq_core.c\'s vzalloc()ed member is flagged');
      // Opened and edited, it is analysed live with the facts the scan found in zq_core.c.
      const doc = await vscode.workspace.openTextDocument(dmaUri);
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((e) => e.insert(new vscode.Position(1, 0), '/* the log path */\n'));
      const moved = await waitForDiagnostics(dmaUri, (x) => x.some((d) => codeOf(d) === 'vmalloc-linear-map' && d.range.start.line === 6), 'the member finding after an edit');
      assert.deepEqual(moved.filter((d) => d.source === 'vmalias').map(codeOf), ['vmalloc-linear-map']);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await a.analyzeWorkspace();
  });

  it('analyses a 1 MB file in the worker without blocking the extension host', async function () {
    this.timeout(180_000);
    const a = await api();
    const body = (await open(LOG)).doc.getText();
    let text = '';
    for (let i = 0; text.length < 1024 * 1024; i++) text += body.replace(/foo_write_log/g, `foo_write_log_${i}`).replace(/foo_log_commit/g, `foo_log_commit_${i}`);
    const h = monitorEventLoopDelay({ resolution: 5 });
    a.controller.stats.maxBlockMs = 0;
    const doc = await vscode.workspace.openTextDocument({ language: 'c', content: text });
    const done = a.store.get(doc.uri)?.version === doc.version ? undefined : waitForAnalysis(a, doc.uri, doc.version, 170_000);
    h.enable();
    const t0 = performance.now();
    const ev = await done;
    h.disable();
    metrics.bigFileChars = text.length;
    metrics.bigFileAnalysisMs = Number((performance.now() - t0).toFixed(1));
    // Everything on the extension host thread: vmalias's own longest synchronous stretch (what the
    // 100 ms budget is about) and, for information, the longest event-loop delay from any cause
    // (other extensions, GC, a loaded machine).
    metrics.bigFileVmaliasMaxBlockMs = Number(a.controller.stats.maxBlockMs.toFixed(1));
    metrics.bigFileEventLoopMaxDelayMs = Number((h.max / 1e6).toFixed(1));
    if (ev) {
      metrics.bigFileWorker = JSON.stringify(ev.response.timings);
      metrics.bigFilePublish = JSON.stringify(a.controller.lastPublish);
    }
    const findings = a.store.get(doc.uri)?.findings.length ?? 0;
    assert.ok(findings > 100, `findings on the big file: ${findings}`);
    assert.equal(ours(doc.uri).length, 100, 'capped at vmalias.maxProblems');
    assert.ok(a.controller.stats.maxBlockMs < 100, `vmalias held the extension host for ${a.controller.stats.maxBlockMs.toFixed(1)} ms`);
  });
});

/** A wrapper allocator in one file, and a caller in another that DMA-maps what it returns. */
/** A driver whose event log is vzalloc()ed in one file and mapped for DMA in another. */
function writeZq(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'zq.h'), ['struct zq_dev {', '\tstruct scatterlist sg;', '\tvoid *log;', '};', ''].join('\n'));
  fs.writeFileSync(path.join(dir, 'zq_core.c'), [
    '// SPDX-License-Identifier: GPL-2.0',
    '#include "zq.h"',
    '',
    'int zq_init(struct zq_dev *zd)',
    '{',
    '\tzd->log = vzalloc(PAGE_SIZE * 4);',
    '\treturn zd->log ? 0 : -ENOMEM;',
    '}',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'zq_dma.c'), [
    '// SPDX-License-Identifier: GPL-2.0',
    '#include "zq.h"',
    '',
    'void zq_push(struct zq_dev *zd)',
    '{',
    '\tsg_init_one(&zd->sg, zd->log, PAGE_SIZE * 4);',
    '}',
    '',
  ].join('\n'));
}

function writeQux(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'qux_mem.c'), [
    '// SPDX-License-Identifier: GPL-2.0',
    'void *qux_buf_alloc(unsigned long size)',
    '{',
    '\treturn vzalloc(size);',
    '}',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'qux_xfer.c'), [
    '// SPDX-License-Identifier: GPL-2.0',
    'void *qux_buf_alloc(unsigned long size);',
    '',
    'int qux_send(struct device *dev, unsigned long len)',
    '{',
    '\tvoid *buf = qux_buf_alloc(len);',
    '\tdma_addr_t a;',
    '',
    '\tif (!buf)',
    '\t\treturn -ENOMEM;',
    '\tmemset(buf, 0x5a, len);',
    '\ta = dma_map_single(dev, buf, len, DMA_TO_DEVICE);',
    '\treturn dma_mapping_error(dev, a) ? -EIO : 0;',
    '}',
    '',
  ].join('\n'));
}
