/** Helpers of the in-host suite: the extension's test API and waiting on events, never sleeping. */
import * as path from 'path';
import * as vscode from 'vscode';
import type { VmaliasApi } from '../../../extension/extension';
import type { AnalysisEvent } from '../../../extension/analysisController';

export const metrics: Record<string, number | string> = {};

export const EXTENSION_ID = 'vmalias.vmalias';

export async function api(): Promise<VmaliasApi> {
  const ext = vscode.extensions.getExtension<VmaliasApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this host`);
  const exported = await ext.activate();
  if (!exported) throw new Error('vmalias activated without its API (activation failed?)');
  return exported;
}

export function workspaceRoot(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder open');
  return f.uri.fsPath;
}

export function fixtureUri(rel: string): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceRoot(), rel));
}

export function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'vmalias');
}

export function codeOf(d: vscode.Diagnostic): string | undefined {
  if (typeof d.code === 'object' && d.code !== null) return String(d.code.value);
  return d.code === undefined ? undefined : String(d.code);
}

/** Resolve when `pred` holds for the document's vmalias diagnostics (checked now and on each change). */
export function waitForDiagnostics(uri: vscode.Uri, pred: (d: vscode.Diagnostic[]) => boolean, what: string, timeoutMs = 30_000): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const d = ours(uri);
      if (!pred(d)) return false;
      sub.dispose();
      clearTimeout(timer);
      resolve(d);
      return true;
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; diagnostics now: ${JSON.stringify(ours(uri).map((d) => [codeOf(d), d.range.start.line]))}`));
    }, timeoutMs);
    check();
  });
}

/** Resolve with the analysis event for this document at (at least) this version. */
export function waitForAnalysis(a: VmaliasApi, uri: vscode.Uri, minVersion: number, timeoutMs = 30_000): Promise<AnalysisEvent> {
  return new Promise((resolve, reject) => {
    const sub = a.onDidAnalyze((e) => {
      if (e.uri.toString() === uri.toString() && e.version >= minVersion) {
        sub.dispose();
        clearTimeout(timer);
        resolve(e);
      }
    });
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for analysis of ${uri.fsPath} v${minVersion}`));
    }, timeoutMs);
  });
}

/** The analysis of this exact version, whether it already happened or not. */
export async function analysed(a: VmaliasApi, doc: vscode.TextDocument): Promise<void> {
  const entry = a.store.get(doc.uri);
  if (entry && entry.version === doc.version) return;
  await waitForAnalysis(a, doc.uri, doc.version);
}

export async function open(rel: string): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor }> {
  const doc = await vscode.workspace.openTextDocument(fixtureUri(rel));
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  return { doc, editor };
}

/** Position of the first occurrence of `needle` in the document. */
export function positionOf(doc: vscode.TextDocument, needle: string, nth = 0): vscode.Position {
  let idx = -1;
  for (let i = 0; i <= nth; i++) {
    idx = doc.getText().indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`"${needle}" not found in ${doc.uri.fsPath}`);
  }
  return doc.positionAt(idx);
}

/** Revert every edited document (no save prompts in a headless run), then close all editors. */
export async function closeAll(): Promise<void> {
  for (const d of vscode.workspace.textDocuments) {
    if (!d.isDirty || d.isUntitled) continue;
    await vscode.window.showTextDocument(d);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  for (const d of vscode.workspace.textDocuments) {
    if (!d.isUntitled || !d.isDirty) continue;
    await vscode.window.showTextDocument(d);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
