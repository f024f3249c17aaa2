/**
 * Quick fixes from the analyzer's fixes: kind QuickFix with the diagnostic attached, the safe fix
 * `isPreferred` (so "Auto Fix" and the lightbulb's first entry apply it), and one "fix all in file"
 * action that applies the preferred fix of every finding whose edits do not overlap.
 */
import * as vscode from 'vscode';
import type { Finding, Fix } from '../analyzer/types';
import { FindingStore } from './findingStore';
import { findingRange, spanToRange } from './positions';

function fixEdit(doc: vscode.TextDocument, fix: Fix, edit = new vscode.WorkspaceEdit()): vscode.WorkspaceEdit {
  for (const e of fix.edits) edit.replace(doc.uri, spanToRange(e.span), e.newText);
  return edit;
}

function preferred(f: Finding): Fix | undefined {
  return f.fixes.find((x) => x.isPreferred);
}

/** Preferred fixes of all findings, skipping any whose edits overlap an earlier one. */
export function fixAllEdit(doc: vscode.TextDocument, findings: Finding[]): { edit: vscode.WorkspaceEdit; count: number } {
  const taken: vscode.Range[] = [];
  const edit = new vscode.WorkspaceEdit();
  let count = 0;
  const seen = new Set<string>();
  for (const f of findings) {
    const fix = preferred(f);
    if (!fix) continue;
    const ranges = fix.edits.map((e) => spanToRange(e.span));
    const sig = fix.edits.map((e) => `${e.span.startOffset}:${e.span.endOffset}:${e.newText}`).join('|');
    if (seen.has(sig)) continue; // two findings, one identical fix (same buffer, same statement)
    if (ranges.some((r) => taken.some((t) => t.intersection(r) !== undefined && !(t.isEmpty && r.isEmpty && !t.start.isEqual(r.start))))) continue;
    seen.add(sig);
    taken.push(...ranges);
    fixEdit(doc, fix, edit);
    count++;
  }
  return { edit, count };
}

function diagnosticRule(d: vscode.Diagnostic): string | undefined {
  if (typeof d.code === 'object' && d.code !== null) return String(d.code.value);
  return d.code === undefined ? undefined : String(d.code);
}

export class VmaliasCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };

  constructor(private readonly store: FindingStore) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    if (ctx.only && !vscode.CodeActionKind.QuickFix.contains(ctx.only) && !ctx.only.contains(vscode.CodeActionKind.QuickFix)) return [];
    const entry = this.store.get(doc.uri);
    // Fixes carry offsets of the analysed text: never apply them to a newer version.
    if (!entry || entry.patchPositions || (entry.version !== undefined && entry.version !== doc.version)) return [];
    // Diagnostics in the request's context, or else ours from the collection (callers such as
    // vscode.executeCodeActionProvider may pass none).
    const fromCtx = ctx.diagnostics.filter((d) => d.source === 'vmalias');
    const ours = fromCtx.length ? fromCtx : vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'vmalias' && d.range.intersection(range));
    const actions: vscode.CodeAction[] = [];
    for (const f of entry.findings) {
      const fr = findingRange(f);
      if (!fr.intersection(range) && !ours.some((d) => d.range.isEqual(fr))) continue;
      const diags = ours.filter((d) => d.range.isEqual(fr) && diagnosticRule(d) === f.rule);
      for (const fix of f.fixes) {
        const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        a.edit = fixEdit(doc, fix);
        a.diagnostics = diags;
        a.isPreferred = fix.isPreferred;
        actions.push(a);
      }
    }
    const fixable = entry.findings.filter((f) => preferred(f));
    if (actions.length > 0 && fixable.length > 1) {
      const { edit, count } = fixAllEdit(doc, fixable);
      if (count > 1) {
        const a = new vscode.CodeAction(`vmalias: fix all ${count} problems in file`, vscode.CodeActionKind.QuickFix);
        a.edit = edit;
        a.diagnostics = ours;
        actions.push(a);
      }
    }
    return actions;
  }
}
