/**
 * Entry point. Activation only wires things up: it creates the services, registers providers and
 * commands, and pushes every disposable into the context. The parser and grammar load lazily in the
 * analysis worker on the first C document, so activation costs a few milliseconds.
 */
import * as vscode from 'vscode';
import { RULE_IDS, RuleId } from '../analyzer/types';
import { AnalysisController, AnalysisEvent, isCDocument, isPatchDocument } from './analysisController';
import { VmaliasCodeActionProvider } from './codeActions';
import { AnalysisClient } from './engine/client';
import { FindingStore } from './findingStore';
import { findingsAt, VmaliasHoverProvider } from './hover';
import { KernelVersionService } from './kernelStatus';
import { COPY_REPLY_COMMAND, CopyReplyCodeActionProvider, PatchReviewService } from './patchReview';
import { RULE_DOCS } from './ruleDocs';
import { SimulationCache } from './simulation';
import { ruleDocUri, SCHEME, VmaliasContentProvider } from './simulationDocument';
import { SimulationView } from './simulationView';
import { analyzeWorkspace, reviewGitRangeInScanProcess, ScanSummary } from './workspaceScan';

/** What `activate` returns: used by the in-host tests and the benchmark, not a public API. */
export interface VmaliasApi {
  readonly onDidAnalyze: vscode.Event<AnalysisEvent>;
  readonly store: FindingStore;
  readonly simulationView: SimulationView;
  readonly activationMs: number;
  readonly controller: AnalysisController;
  readonly codeActions: VmaliasCodeActionProvider;
  readonly hover: VmaliasHoverProvider;
  readonly patchReview: PatchReviewService;
  readonly copyReplyActions: CopyReplyCodeActionProvider;
  analyzeWorkspace(): Promise<ScanSummary>;
}

const SELECTOR: vscode.DocumentSelector = [
  { language: 'c' },
  { language: 'cpp', pattern: '**/*.h' },
  { language: 'diff' },
  { language: 'vmalias-mbox' },
];

/** Patch documents only: "Copy review reply" is about a finding in a patch. */
const PATCH_SELECTOR: vscode.DocumentSelector = [{ language: 'diff' }, { language: 'vmalias-mbox' }];

export function activate(context: vscode.ExtensionContext): VmaliasApi | undefined {
  const t0 = performance.now();
  try {
    return wire(context, t0);
  } catch (e) {
    void vscode.window.showErrorMessage(`vmalias failed to start: ${(e as Error).message}`);
    return undefined;
  }
}

function wire(context: vscode.ExtensionContext, t0: number): VmaliasApi {
  const output = vscode.window.createOutputChannel('vmalias', { log: true });
  const store = new FindingStore();
  const diagnostics = vscode.languages.createDiagnosticCollection('vmalias');
  const workerPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'extension-worker.js').fsPath;
  const client = new AnalysisClient(workerPath);
  // Analyze Workspace: the CLI's scanner in its own worker, its cache in the global storage.
  const scanEnv = {
    scanWorker: vscode.Uri.joinPath(context.extensionUri, 'dist', 'extension-scan.js').fsPath,
    cacheDir: vscode.Uri.joinPath(context.globalStorageUri, 'scan-cache').fsPath,
    output,
  };
  // A second worker of the same script for simulations, so hovers never wait behind an analysis.
  const simClient = new AnalysisClient(workerPath);
  const relevant = (d: vscode.TextDocument): boolean => isCDocument(d) || isPatchDocument(d);
  const kernel = new KernelVersionService(() => vscode.workspace.getConfiguration('vmalias').get<string>('kernelVersion', 'auto').trim() || 'auto', relevant);
  // patch findings shown in their (open) target files, apart from the files' own findings
  const targetDiagnostics = vscode.languages.createDiagnosticCollection('vmalias-patch');
  context.subscriptions.push(targetDiagnostics);
  const ctl = new AnalysisController(client, diagnostics, store, (uri) => kernel.versionFor(uri), output, targetDiagnostics);
  const archs = (): string[] => ctl.config.architectures;
  const sims = new SimulationCache({ summarize: (f, a) => simClient.simulate(f, a), timeline: (f, a, v) => simClient.timeline(f, a, v) });
  const hover = new VmaliasHoverProvider(store, sims, archs);
  const content = new VmaliasContentProvider(store, sims, archs, vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules.md').fsPath);
  const codeActions = new VmaliasCodeActionProvider(store);
  const view = new SimulationView(context.extensionUri, sims, archs);
  // Reviews run on the analysis worker, queued behind analyses (they are user-initiated and rare);
  // a git range in a scan process, which reads its base's context from git.
  const patchReview = new PatchReviewService(client, (uri) => (uri ? ctl.analysisOptions(uri) : {}), (input) => reviewGitRangeInScanProcess(scanEnv, input));
  const copyReplyActions = new CopyReplyCodeActionProvider(store);

  context.subscriptions.push(
    output, store, diagnostics, { dispose: () => client.dispose() }, { dispose: () => simClient.dispose() }, kernel, ctl, content, view,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, content),
    vscode.languages.registerHoverProvider(SELECTOR, hover),
    // Warm the simulation worker with the first findings of each analysed document, so the first
    // hover finds its simulation ready.
    ctl.onDidAnalyze((e) => {
      for (const f of (e.response.result?.findings ?? []).slice(0, 5)) void sims.summarize(f, archs());
    }),
    vscode.languages.registerCodeActionsProvider(SELECTOR, codeActions, VmaliasCodeActionProvider.metadata),
    vscode.languages.registerCodeActionsProvider(PATCH_SELECTOR, copyReplyActions, CopyReplyCodeActionProvider.metadata),
    vscode.commands.registerCommand('vmalias.reviewPatchSeries', (uris?: unknown) => patchReview.reviewSeries(Array.isArray(uris) && uris.every((u) => u instanceof vscode.Uri) ? uris : undefined)),
    vscode.commands.registerCommand('vmalias.reviewGitRange', (range?: unknown) => patchReview.reviewGitRange(typeof range === 'string' ? range : undefined)),
    vscode.commands.registerCommand(COPY_REPLY_COMMAND, (uri?: unknown, id?: unknown) => patchReview.copyReply(uri, id)),
    store.onDidChange((uri) => {
      // Open simulation documents of this file follow the new findings.
      for (const d of vscode.workspace.textDocuments) {
        if (d.uri.scheme === SCHEME && d.uri.query.includes(encodeURIComponent(uri.toString()))) content.refresh(d.uri);
      }
    }),
    kernel.onDidChange(() => ctl.reloadConfig()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('vmalias.kernelVersion')) kernel.updateStatus();
    }),
    vscode.commands.registerCommand('vmalias.analyzeWorkspace', async () => {
      const s = await analyzeWorkspace(ctl, client, scanEnv);
      void vscode.window.showInformationMessage(`vmalias: ${s.findings} finding(s) in ${s.analysed} analysed of ${s.files} C files${s.cancelled ? ' (cancelled)' : ''}.`);
      return s;
    }),
    vscode.commands.registerCommand('vmalias.analyzeFile', async () => {
      const doc = vscode.window.activeTextEditor?.document;
      if (doc && ctl.eligible(doc)) await ctl.analyzeNow(doc);
    }),
    vscode.commands.registerCommand('vmalias.showSimulation', (uriArg?: unknown, key?: unknown) => {
      if (typeof uriArg === 'string' && typeof key === 'string') {
        const f = store.find(vscode.Uri.parse(uriArg), key);
        if (f) return view.show(f);
      }
      const ed = vscode.window.activeTextEditor;
      const hit = ed ? findingsAt(store, ed.document, ed.selection.active)[0] : undefined;
      if (!hit) return void vscode.window.showInformationMessage('vmalias: no finding under the cursor.');
      return view.show(hit.finding);
    }),
    vscode.commands.registerCommand('vmalias.openRuleExplanation', async (ruleArg?: unknown) => {
      let rule = typeof ruleArg === 'string' && (RULE_IDS as readonly string[]).includes(ruleArg) ? (ruleArg as RuleId) : undefined;
      if (!rule) {
        const ed = vscode.window.activeTextEditor;
        rule = ed ? findingsAt(store, ed.document, ed.selection.active)[0]?.finding.rule : undefined;
      }
      if (!rule) {
        const pick = await vscode.window.showQuickPick(RULE_IDS.map((r) => ({ label: r, detail: RULE_DOCS[r].title })), { placeHolder: 'vmalias rule' });
        rule = pick?.label as RuleId | undefined;
      }
      if (!rule) return;
      const doc = await vscode.workspace.openTextDocument(ruleDocUri(rule));
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
  );

  // Reading the Makefiles is I/O, so it happens after activation returns; the first analyses wait for it
  // so that they already use the detected kernel version.
  void kernel.detectAll().then(() => ctl.start(), () => ctl.start());
  const activationMs = performance.now() - t0;
  output.info(`activated in ${activationMs.toFixed(1)} ms`);
  return {
    onDidAnalyze: ctl.onDidAnalyze,
    store,
    simulationView: view,
    activationMs,
    controller: ctl,
    codeActions,
    hover,
    patchReview,
    copyReplyActions,
    analyzeWorkspace: () => analyzeWorkspace(ctl, client, scanEnv),
  };
}

export function deactivate(): void {
  /* everything is disposed through context.subscriptions */
}
