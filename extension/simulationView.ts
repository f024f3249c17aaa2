/**
 * The simulation view: one webview panel, re-rendered when the user picks another architecture or
 * switches between the code as written and with the fix. Strict CSP; resources only from media/.
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import type { Finding } from '../analyzer/types';
import type { SimulationCache, Variant } from './simulation';
import { simulationPageHtml } from './simulationHtml';

interface Selection {
  finding: Finding;
  arch: string;
  variant: Variant;
}

export class SimulationView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private current: Selection | undefined;
  private readonly rendered = new vscode.EventEmitter<{ arch: string; variant: Variant }>();
  /** Fires after each render (tests wait on it). */
  readonly onDidRender = this.rendered.event;

  constructor(private readonly extensionUri: vscode.Uri, private readonly sims: SimulationCache, private readonly archs: () => string[]) {}

  async show(finding: Finding, arch?: string, variant: Variant = 'as-written'): Promise<void> {
    const archs = this.archs();
    const firstBad = (await this.sims.summarize(finding, archs))?.outcomes.find((o) => o.corruptedBytes > 0)?.arch;
    this.current = { finding, arch: arch ?? firstBad ?? archs[0] ?? 'armv5-vivt', variant };
    if (!this.panel) {
      const media = vscode.Uri.joinPath(this.extensionUri, 'media');
      this.panel = vscode.window.createWebviewPanel('vmalias.simulation', 'vmalias simulation', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        enableCommandUris: false,
        localResourceRoots: [media],
        retainContextWhenHidden: false,
      });
      this.panel.onDidDispose(() => {
        this.panel = undefined;
      });
      this.panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m));
    }
    this.panel.reveal(undefined, true);
    await this.render();
  }

  get isVisible(): boolean {
    return this.panel !== undefined;
  }

  get selection(): { arch: string; variant: Variant } | undefined {
    return this.current && { arch: this.current.arch, variant: this.current.variant };
  }

  private onMessage(m: unknown): void {
    if (!this.current || typeof m !== 'object' || m === null) return;
    const msg = m as { type?: unknown; arch?: unknown; variant?: unknown };
    if (msg.type !== 'select') return;
    if (typeof msg.arch === 'string' && this.archs().includes(msg.arch)) this.current.arch = msg.arch;
    if (msg.variant === 'as-written' || msg.variant === 'with-fix') this.current.variant = msg.variant;
    void this.render();
  }

  select(arch: string, variant: Variant): void {
    this.onMessage({ type: 'select', arch, variant });
  }

  private renderSeq = 0;

  private async render(): Promise<void> {
    if (!this.panel || !this.current) return;
    const { finding, arch, variant } = this.current;
    const seq = ++this.renderSeq;
    const [summary, timeline] = await Promise.all([this.sims.summarize(finding, this.archs()), this.sims.timeline(finding, arch, variant)]);
    // A newer selection (or a closed panel) wins over this render.
    if (!this.panel || seq !== this.renderSeq) return;
    const w = this.panel.webview;
    const media = (f: string): string => w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', f)).toString();
    this.panel.title = `vmalias: ${finding.rule} (line ${finding.span.start.line})`;
    w.html = simulationPageHtml({
      finding,
      archs: this.archs(),
      arch,
      variant,
      summary,
      timeline,
      scriptUri: media('simulation-view.js'),
      styleUris: [media('simulation-view.css'), media('simulation.css')],
      cspSource: w.cspSource,
      nonce: randomBytes(16).toString('base64'),
    });
    this.rendered.fire({ arch, variant });
  }

  dispose(): void {
    this.panel?.dispose();
    this.rendered.dispose();
  }
}
