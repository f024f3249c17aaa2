/**
 * "vmalias: Analyze Workspace": every C file of the workspace (minus `vmalias.exclude`), with a
 * cancellable progress notification. A cheap lexical check first: only files that name an
 * allocator, evidence call, sink or sanitizer from the analyzer's tables are sent to the worker.
 */
import * as vscode from 'vscode';
import { relevantNames } from '../analyzer/tables/index';
import type { AnalysisController } from './analysisController';
import type { AnalysisClient } from './engine/client';

export interface ScanSummary {
  files: number;
  analysed: number;
  findings: number;
  cancelled: boolean;
  ms: number;
}

function namesRegex(extra: string[]): RegExp {
  const names = relevantNames(extra).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`\\b(?:${names.join('|')})\\b`);
}

export async function analyzeWorkspace(controller: AnalysisController, client: AnalysisClient): Promise<ScanSummary> {
  const t0 = performance.now();
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'vmalias: analyzing workspace', cancellable: true }, async (progress, token) => {
    const uris = await vscode.workspace.findFiles('**/*.{c,h}', '**/{node_modules,.git}/**', undefined, token);
    const cfg = controller.config;
    const relevant = namesRegex([...cfg.extraAllocators, ...cfg.extraSinks]);
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    const summary: ScanSummary = { files: uris.length, analysed: 0, findings: 0, cancelled: false, ms: 0 };
    let done = 0;
    for (const uri of uris) {
      if (token.isCancellationRequested) {
        summary.cancelled = true;
        break;
      }
      done++;
      if (done % 20 === 0 || done === uris.length) progress.report({ message: `${done}/${uris.length} files, ${summary.findings} findings`, increment: (20 / uris.length) * 100 });
      if (controller.isExcluded(uri)) continue;
      if (open.has(uri.toString())) {
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        if (doc) {
          await controller.analyzeNow(doc);
          summary.findings += vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'vmalias').length;
          summary.analysed++;
        }
        continue;
      }
      let text: string;
      try {
        const bytes = await vscode.workspace.fs.readFile(uri);
        if (bytes.byteLength > cfg.maxFileSizeKB * 1024) continue;
        text = Buffer.from(bytes).toString('utf8');
      } catch {
        continue;
      }
      if (!relevant.test(text)) {
        controller.publishFile(uri, []);
        continue;
      }
      const res = await client.analyze({ uri: uri.toString(), file: uri.fsPath, version: 0, text, options: controller.analysisOptions(uri), noCache: true, maxLength: cfg.maxFileSizeKB * 1024 });
      const findings = res.result?.findings ?? [];
      controller.publishFile(uri, findings);
      summary.analysed++;
      summary.findings += findings.length;
    }
    summary.ms = performance.now() - t0;
    return summary;
  });
}
