/**
 * The latest findings per document, with the document version they were computed for. Hovers,
 * code actions, the simulation document and the simulation view all read from here; nothing
 * re-analyses on hover.
 */
import * as vscode from 'vscode';
import type { Finding } from '../analyzer/types';

export interface StoredFindings {
  /** Document version analysed; undefined for files analysed from disk (workspace scan). */
  version?: number;
  findings: Finding[];
  /** For patch documents: where each finding shows in the patch (1-based line/column). */
  patchPositions?: { line: number; column: number }[];
  /** For patch documents: each finding's `findingId()` in the patch review (for "Copy review reply"). */
  patchIds?: string[];
}

/** A stable key of a finding within one analysis: rule and position. */
export function findingKey(f: Finding): string {
  return `${f.rule}@${f.span.start.line}:${f.span.start.column}`;
}

export class FindingStore implements vscode.Disposable {
  private readonly byUri = new Map<string, StoredFindings>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  set(uri: vscode.Uri, entry: StoredFindings): void {
    this.byUri.set(uri.toString(), entry);
    this.emitter.fire(uri);
  }

  get(uri: vscode.Uri): StoredFindings | undefined {
    return this.byUri.get(uri.toString());
  }

  delete(uri: vscode.Uri): void {
    if (this.byUri.delete(uri.toString())) this.emitter.fire(uri);
  }

  find(uri: vscode.Uri, key: string): Finding | undefined {
    return this.get(uri)?.findings.find((f) => findingKey(f) === key);
  }

  all(): [string, StoredFindings][] {
    return [...this.byUri.entries()];
  }

  dispose(): void {
    this.byUri.clear();
    this.emitter.dispose();
  }
}
