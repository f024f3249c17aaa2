/**
 * Hover on a finding's submitting call / conversion, or on any step of its trace (the buffer's
 * allocation, the page add …): what flows where, the per-architecture verdicts, the fix, and
 * command links to the simulation view and the rule explanation. Reads stored findings only.
 */
import * as vscode from 'vscode';
import type { Finding } from '../analyzer/types';
import { hoverMarkdown } from './findingMarkdown';
import { FindingStore, findingKey } from './findingStore';
import { findingRange, spanToRange } from './positions';
import type { SimulationCache } from './simulation';

export function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/** Findings whose range or whose trace touches `pos`; the finding's own range wins. */
export function findingsAt(store: FindingStore, doc: vscode.TextDocument, pos: vscode.Position): { finding: Finding; range: vscode.Range }[] {
  const entry = store.get(doc.uri);
  if (!entry || (entry.version !== undefined && entry.version !== doc.version)) return [];
  const direct: { finding: Finding; range: vscode.Range }[] = [];
  const viaTrace: { finding: Finding; range: vscode.Range }[] = [];
  entry.findings.forEach((f, i) => {
    const r = findingRange(f, entry.patchPositions?.[i], doc);
    if (r.contains(pos)) {
      direct.push({ finding: f, range: r });
      return;
    }
    if (entry.patchPositions) return;
    const step = f.trace.find((s) => spanToRange(s.span).contains(pos));
    if (step) viaTrace.push({ finding: f, range: spanToRange(step.span) });
  });
  return direct.length ? direct : viaTrace;
}

export class VmaliasHoverProvider implements vscode.HoverProvider {
  constructor(private readonly store: FindingStore, private readonly sims: SimulationCache, private readonly archs: () => string[]) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    const hits = findingsAt(this.store, doc, pos);
    if (hits.length === 0) return undefined;
    const t0 = performance.now();
    const sims = await Promise.all(hits.slice(0, 3).map(({ finding }) => this.sims.summarize(finding, this.archs())));
    const parts = hits.slice(0, 3).map(({ finding }, i) => {
      const md = new vscode.MarkdownString(hoverMarkdown(finding, sims[i], {
        simulation: commandUri('vmalias.showSimulation', [doc.uri.toString(), findingKey(finding)]),
        rule: commandUri('vmalias.openRuleExplanation', [finding.rule]),
      }));
      md.isTrusted = { enabledCommands: ['vmalias.showSimulation', 'vmalias.openRuleExplanation'] };
      md.supportHtml = false;
      return md;
    });
    this.lastHoverMs = performance.now() - t0;
    return new vscode.Hover(parts, hits[0].range);
  }

  /** Time the last hover took inside the provider, simulation included (benchmark). */
  lastHoverMs = 0;
}
