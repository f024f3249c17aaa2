/**
 * Patch review in the editor: "Review Patch Series…" (files the user picks), "Review Git Range…"
 * (`git format-patch` of A..B in the workspace folder) and the "Copy review reply" code action on a
 * finding in a patch document. The review and the reply's formatting run in the analysis worker
 * (analyzer/patch), so the extension host only moves text.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { AnalyzeOptions } from '../analyzer/types';
import type { AnalysisClient } from './engine/client';
import type { ReplyResponse } from './engine/protocol';
import { FindingStore } from './findingStore';
import { validateRange } from './gitRange';
import { findingRange } from './positions';

export const COPY_REPLY_COMMAND = 'vmalias.copyReviewReply';
/** Not a quick fix (it changes nothing in the document): a kind of its own, so "Auto Fix" never runs it. */
export const COPY_REPLY_KIND = vscode.CodeActionKind.Empty.append('vmalias').append('copyReply');

function folderFor(uri?: vscode.Uri): vscode.WorkspaceFolder | undefined {
  return (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
}

async function showReply(r: ReplyResponse, what: string): Promise<vscode.TextDocument> {
  const notes = r.notes?.length ? `\n\n-- vmalias notes --\n${r.notes.join('\n')}\n` : '';
  const body = r.text?.trim() ? r.text : `vmalias found nothing to report in ${what}.\n`;
  const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: body + notes });
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

/** Reviews a git range with its base's context (workspaceScan.ts reviewGitRangeInScanProcess). */
export type GitRangeReviewer = (input: { repoDir: string; range: string; options: AnalyzeOptions }) => Promise<{ text: string; findings: number; notes: string[] }>;

export class PatchReviewService {
  constructor(
    private readonly client: AnalysisClient,
    private readonly options: (uri: vscode.Uri | undefined) => AnalyzeOptions,
    /** Without it, git ranges are reviewed in the analysis worker, with no base context. */
    private readonly gitRange?: GitRangeReviewer,
  ) {}

  /** "Review Patch Series…": `uris` for tests; otherwise a file picker. */
  async reviewSeries(uris?: vscode.Uri[]): Promise<vscode.TextDocument | undefined> {
    const folder = folderFor(vscode.window.activeTextEditor?.document.uri);
    const picked = uris ?? await vscode.window.showOpenDialog({
      canSelectMany: true,
      defaultUri: folder?.uri,
      openLabel: 'Review',
      title: 'vmalias: patches to review (in series order)',
      filters: { 'Patches and mail': ['patch', 'diff', 'mbox', 'mbx', 'eml'], 'All files': ['*'] },
    });
    if (!picked?.length) return undefined;
    // Series order is the order of the names (0001-…, 0002-…), whatever order the dialog returns.
    const sorted = [...picked].sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    const inputs = await Promise.all(sorted.map(async (u) => ({
      name: folder ? path.relative(folder.uri.fsPath, u.fsPath) || u.fsPath : u.fsPath,
      // Bytes, not text: the parser decodes each mail by its own charset / transfer encoding.
      data: await vscode.workspace.fs.readFile(u),
    })));
    return this.run(`${inputs.length} patch file(s)`, () => this.client.reply({
      source: { kind: 'inputs', inputs }, base: folder?.uri.fsPath, options: this.options(folder?.uri), externals: folder?.uri.toString(),
    }));
  }

  /** "Review Git Range…": `range` for tests; otherwise an input box. */
  async reviewGitRange(range?: string): Promise<vscode.TextDocument | undefined> {
    // git reads the repository's configuration: not in a workspace the user has not trusted
    if (!vscode.workspace.isTrusted) return void vscode.window.showErrorMessage('vmalias: Review Git Range runs git in the workspace\'s repository; trust the workspace first (it is in restricted mode).');
    const folder = folderFor(vscode.window.activeTextEditor?.document.uri);
    if (!folder) return void vscode.window.showErrorMessage('vmalias: open a folder holding a git repository first.');
    const r = range ?? await vscode.window.showInputBox({
      title: 'vmalias: review the commits of a git range',
      prompt: `Revision range in ${folder.name}, e.g. v6.18..HEAD`,
      placeHolder: 'A..B',
      validateInput: validateRange,
    });
    if (r === undefined) return undefined;
    const bad = validateRange(r);
    if (bad) return void vscode.window.showErrorMessage(`vmalias: ${bad}`);
    const gitRange = this.gitRange;
    const input = { repoDir: folder.uri.fsPath, range: r.trim(), options: this.options(folder.uri) };
    return this.run(r.trim(), gitRange
      ? async () => ({ kind: 'reply' as const, id: 0, ...await gitRange(input) })
      : () => this.client.reply({ source: { kind: 'git', repoDir: input.repoDir, range: input.range }, options: input.options }));
  }

  /** Copy the reply for one finding of a patch document (id from the store's patchIds). */
  async copyReply(uriArg: unknown, idArg: unknown): Promise<string | undefined> {
    if (typeof uriArg !== 'string' || typeof idArg !== 'string') return undefined;
    const uri = vscode.Uri.parse(uriArg);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uriArg) ?? await vscode.workspace.openTextDocument(uri);
    const file = doc.uri.scheme === 'untitled' ? doc.uri.toString() : doc.uri.fsPath;
    try {
      const r = await this.client.reply({
        source: { kind: 'inputs', inputs: [{ name: file, data: doc.getText() }] },
        base: vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath,
        options: this.options(doc.uri),
        onlyId: idArg,
        // as the document's diagnostics were computed (the workspace scan's summaries, if any)
        externals: vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.toString(),
      });
      if (!r.findings || !r.text) {
        void vscode.window.showWarningMessage('vmalias: the finding is gone (the patch changed); nothing copied.');
        return undefined;
      }
      await vscode.env.clipboard.writeText(r.text);
      void vscode.window.setStatusBarMessage('vmalias: review reply copied', 3000);
      return r.text;
    } catch (e) {
      void vscode.window.showErrorMessage(`vmalias: could not build the reply: ${(e as Error).message}`);
      return undefined;
    }
  }

  private async run(what: string, req: () => Promise<ReplyResponse>): Promise<vscode.TextDocument | undefined> {
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `vmalias: reviewing ${what}…` }, req);
      return await showReply(r, what);
    } catch (e) {
      void vscode.window.showErrorMessage(`vmalias: review of ${what} failed: ${(e as Error).message}`);
      return undefined;
    }
  }
}

/** "Copy review reply" on each finding of a patch document under the cursor/selection. */
export class CopyReplyCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [COPY_REPLY_KIND] };

  constructor(private readonly store: FindingStore) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    if (ctx.only && !ctx.only.contains(COPY_REPLY_KIND) && !COPY_REPLY_KIND.contains(ctx.only)) return [];
    const entry = this.store.get(doc.uri);
    if (!entry?.patchPositions || !entry.patchIds || (entry.version !== undefined && entry.version !== doc.version)) return [];
    const actions: vscode.CodeAction[] = [];
    entry.findings.forEach((f, i) => {
      const pos = entry.patchPositions?.[i];
      const id = entry.patchIds?.[i];
      if (!pos || id === undefined || !findingRange(f, pos, doc).intersection(range)) return;
      const a = new vscode.CodeAction(`Copy review reply (${f.rule})`, COPY_REPLY_KIND);
      a.command = { command: COPY_REPLY_COMMAND, title: 'Copy review reply', arguments: [doc.uri.toString(), id] };
      actions.push(a);
    });
    return actions;
  }
}
