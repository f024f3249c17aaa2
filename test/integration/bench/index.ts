/**
 * Extension benchmark, run inside a real extension host by `npm run bench:extension`
 * (scripts/run-integration.mjs --bench): activation time, edit → updated diagnostics on a
 * 2,000-line file (p50/p95, incremental parse + analysis + publish, debounce set to 0 so the
 * pipeline itself is measured), and hover time (provider, and the full executeHoverProvider trip).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { api, waitForAnalysis, workspaceRoot } from '../suite/util';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function stats(xs: number[]): string {
  return `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;
}

/** A kernel-style file of about 2,000 lines: mostly correct I/O helpers, a few with the bug. */
function bigFile(root: string): string {
  const dir = path.join(root, 'drivers', 'block', 'foo');
  const clean = fs.readFileSync(path.join(dir, 'foo_super.c'), 'utf8').split('\n').slice(9).join('\n');
  const buggy = fs.readFileSync(path.join(dir, 'foo_log.c'), 'utf8').split('\n').slice(10).join('\n');
  let out = '// SPDX-License-Identifier: GPL-2.0\n#include <linux/bio.h>\n#include <linux/vmalloc.h>\n\n';
  for (let i = 0; out.split('\n').length < 2000; i++) {
    const src = i % 8 === 3 ? buggy : clean;
    out += src.replace(/\bfoo_(\w+)/g, (_m, n: string) => `foo${i}_${n}`) + '\n';
  }
  return out;
}

export async function run(): Promise<void> {
  const metrics: Record<string, string | number> = {};
  const a = await api();
  metrics.activation = `${a.activationMs.toFixed(1)} ms inside activate()`;
  const file = path.join(workspaceRoot(), 'bench_2000.c');
  fs.writeFileSync(file, bigFile(workspaceRoot()));
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const editor = await vscode.window.showTextDocument(doc);
  const first = await waitForAnalysis(a, doc.uri, doc.version, 60_000);
  metrics.lines = doc.lineCount;
  metrics.findings = first.response.result?.findings.length ?? 0;
  metrics.firstAnalysis = `${first.elapsedMs.toFixed(1)} ms (parse ${first.response.timings.parseMs.toFixed(1)}, tree ${first.response.timings.buildMs.toFixed(1)}, analysis ${first.response.timings.analyzeMs.toFixed(1)})`;

  // Edits: insert and remove the flush before the first buggy submission, and type in a comment.
  const sub = doc.getText().indexOf('ret = submit_bio_wait(bio);\n\tbio_put(bio);\n\tvfree(buf);\n\treturn ret;\n}\n\nint foo');
  const line = doc.positionAt(sub).line;
  const total: number[] = [];
  const inHost: number[] = [];
  const parse: number[] = [];
  const analyse: number[] = [];
  const build: number[] = [];
  const publish: number[] = [];
  const incremental: boolean[] = [];
  const memo = { reused: 0, analysed: 0, edits: 0 };
  for (let i = 0; i < 60; i++) {
    const next = waitForAnalysis(a, doc.uri, doc.version + 1, 60_000);
    const t0 = performance.now();
    const ok = await editor.edit((e) => {
      if (i % 3 === 0) e.insert(new vscode.Position(line, 0), '\tflush_kernel_vmap_range(buf, len);\n');
      else if (i % 3 === 1) e.delete(new vscode.Range(line, 0, line + 1, 0));
      else e.insert(new vscode.Position(1, 0), `/* edit ${i} */\n`);
    });
    if (!ok) throw new Error('edit failed');
    const ev = await next;
    if (i >= 5) {
      total.push(performance.now() - t0);
      if (ev.sinceChangeMs !== undefined) inHost.push(ev.sinceChangeMs);
      parse.push(ev.response.timings.parseMs);
      build.push(ev.response.timings.buildMs);
      analyse.push(ev.response.timings.analyzeMs);
      publish.push(ev.publishMs);
      incremental.push(ev.response.timings.incremental);
      const m = ev.response.timings.memo;
      if (m) {
        memo.reused += m.reused;
        memo.analysed += m.analysed;
        memo.edits++;
      }
    }
  }
  metrics.editToDiagnostics = stats(total);
  metrics.changeEventToDiagnostics = stats(inHost);
  metrics.incrementalParse = stats(parse);
  metrics.treeWalk = stats(build);
  metrics.analysis = stats(analyse);
  metrics.publish = stats(publish);
  metrics.incrementalShare = `${incremental.filter(Boolean).length}/${incremental.length}`;
  metrics.analysisMemo = memo.edits
    ? `${(memo.analysed / memo.edits).toFixed(1)} function analyses run, ${(memo.reused / memo.edits).toFixed(1)} reused per edit`
    : 'off';

  // Hover on the first finding: provider time (simulation from the worker, memoised) and the trip
  // through the workbench's hover command.
  await waitForAnalysis(a, doc.uri, doc.version, 60_000).catch(() => undefined);
  const f = a.store.get(doc.uri)?.findings[0];
  if (!f) throw new Error('no finding to hover');
  const pos = new vscode.Position(f.span.start.line - 1, f.span.start.column + 1);
  const cold0 = performance.now();
  await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos);
  metrics.firstHover = `${(performance.now() - cold0).toFixed(1)} ms round trip, ${a.hover.lastHoverMs.toFixed(1)} ms in the provider`;
  const trip: number[] = [];
  const provider: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos);
    trip.push(performance.now() - t0);
    provider.push(a.hover.lastHoverMs);
  }
  metrics.hoverProvider = stats(provider);
  metrics.hoverRoundTrip = stats(trip);
  await vscode.commands.executeCommand('workbench.action.files.revert');
  const out = process.env.VMALIAS_TEST_RESULT;
  if (out) fs.writeFileSync(out, JSON.stringify({ vscodeVersion: vscode.version, tests: [{ title: 'benchmark', state: 'passed' }], metrics }, null, 2));
}
