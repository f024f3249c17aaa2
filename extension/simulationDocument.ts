/**
 * Read-only virtual documents on the `vmalias:` scheme: the full simulation of one finding (the
 * target of each diagnostic's code link) and the explanation of each rule. Markdown, so the user can
 * open the preview; nothing is written to disk.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { ruleSection } from '../analyzer/report/rules';
import { RULE_IDS, RuleId, type Finding } from '../analyzer/types';
import { simulationDocument } from './findingMarkdown';
import { FindingStore, findingKey } from './findingStore';
import { ruleDocMarkdown } from './ruleDocs';
import type { SimulationCache } from './simulation';

export const SCHEME = 'vmalias';

export function simulationDocUri(docUri: vscode.Uri, f: Finding): vscode.Uri {
  const base = path.posix.basename(docUri.path).replace(/[^\w.-]/g, '_');
  return vscode.Uri.from({
    scheme: SCHEME,
    path: `/simulation/${base}-L${f.span.start.line}-${f.rule}.md`,
    query: new URLSearchParams({ uri: docUri.toString(), key: findingKey(f) }).toString(),
  });
}

export function ruleDocUri(rule: RuleId): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, path: `/rules/${rule}.md` });
}

export class VmaliasContentProvider implements vscode.TextDocumentContentProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  private rulesMd: string | null | undefined;

  /** `rulesFile`: the project's docs/rules.md, packaged with the extension (one section per rule). */
  constructor(private readonly store: FindingStore, private readonly sims: SimulationCache, private readonly archs: () => string[], private readonly rulesFile?: string) {}

  /** The rule's section of docs/rules.md when packaged, else the short built-in explanation. */
  ruleMarkdown(rule: RuleId): string {
    if (this.rulesMd === undefined) {
      try {
        this.rulesMd = this.rulesFile ? fs.readFileSync(this.rulesFile, 'utf8') : null;
      } catch {
        this.rulesMd = null;
      }
    }
    const section = this.rulesMd ? ruleSection(this.rulesMd, rule) : undefined;
    return section ? section.replace(/^## /, '# ') : ruleDocMarkdown(rule);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const rule = /^\/rules\/([\w-]+)\.md$/.exec(uri.path)?.[1];
    if (rule) {
      return (RULE_IDS as readonly string[]).includes(rule) ? this.ruleMarkdown(rule as RuleId) : `# Unknown rule ${rule}\n`;
    }
    if (uri.path.startsWith('/simulation/')) {
      const q = new URLSearchParams(uri.query);
      const doc = q.get('uri');
      const key = q.get('key');
      const f = doc && key ? this.store.find(vscode.Uri.parse(doc), key) : undefined;
      if (!f) return '# Finding no longer present\n\nThe document changed since this link was created; hover the new diagnostic instead.\n';
      return simulationDocument(f, await this.sims.summarize(f, this.archs()));
    }
    return `# Nothing at ${uri.toString()}\n`;
  }

  refresh(uri: vscode.Uri): void {
    this.emitter.fire(uri);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
