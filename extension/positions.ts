/** Analyzer positions (1-based line/column, UTF-16) → VS Code ranges (0-based). */
import * as vscode from 'vscode';
import type { Finding, Span } from '../analyzer/types';

export function spanToRange(span: Span): vscode.Range {
  return new vscode.Range(span.start.line - 1, span.start.column - 1, span.end.line - 1, span.end.column - 1);
}

/** Where a finding shows in its document: its span, or for a patch document its patch line. */
export function findingRange(f: Finding, patchPos?: { line: number; column: number }, doc?: vscode.TextDocument): vscode.Range {
  if (!patchPos) return spanToRange(f.span);
  const line = patchPos.line - 1;
  const end = doc && line < doc.lineCount ? doc.lineAt(line).range.end.character : patchPos.column - 1 + (f.span.endOffset - f.span.startOffset);
  return new vscode.Range(line, patchPos.column - 1, line, Math.max(end, patchPos.column));
}
