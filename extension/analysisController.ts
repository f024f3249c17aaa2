/**
 * Keeps diagnostics of open C documents up to date: on open, while typing (debounced) and on save,
 * per `vmalias.run`. Content changes are queued per document and sent with the next analysis so the
 * worker can edit and reuse the previous tree. At most one analysis per document is in flight; edits
 * that arrive meanwhile coalesce into the next one.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import picomatch from 'picomatch';
import type { AnalysisResult, AnalyzeOptions, FieldFact, Finding, FunctionSummary, KernelVersion } from '../analyzer/types';
import { enabledRules, readConfig, SeverityOverride, VmaliasConfig } from './config';
import type { AnalysisClient } from './engine/client';
import type { AnalyzeResponse, ContentChange } from './engine/protocol';
import { FindingStore, findingKey } from './findingStore';
import { findingRange, spanToRange } from './positions';
import { simulationDocUri } from './simulationDocument';

/** Too many queued changes cost more to replay than a fresh parse. */
const MAX_QUEUED_CHANGES = 512;
/** Findings converted to diagnostics per slice of the extension host thread. */
const PUBLISH_SLICE = 50;

interface DocState {
  /** Version the worker last parsed (its cached tree), if any. */
  sentVersion?: number;
  queued: ContentChange[];
  inFlight: boolean;
  again: boolean;
  timer?: ReturnType<typeof setTimeout>;
  /** When the oldest change not yet analysed reached the extension host (performance.now()). */
  changedAt?: number;
}

export interface AnalysisEvent {
  uri: vscode.Uri;
  version: number;
  response: AnalyzeResponse;
  /** Wall time from sending to publishing, ms. */
  elapsedMs: number;
  /** Time spent on the extension host thread turning findings into diagnostics, ms. */
  publishMs: number;
  /** From the extension host receiving the (first) edit to the diagnostics being set, ms. */
  sinceChangeMs?: number;
}

export function isCDocument(doc: vscode.TextDocument): boolean {
  if (doc.languageId === 'c') return true;
  // VS Code gives .h files to C++ by default; kernel headers are C.
  return (doc.languageId === 'cpp' || doc.languageId === 'cuda-cpp') && /\.h$/i.test(doc.uri.path);
}

export function isPatchDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'diff' || doc.languageId === 'vmalias-mbox' || /\.(patch|diff|mbox|eml)$/i.test(doc.uri.path);
}

const SEVERITY: Record<Exclude<SeverityOverride, 'off'>, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export function diagnosticSeverity(f: Finding, cfg: VmaliasConfig): vscode.DiagnosticSeverity | undefined {
  const o = cfg.severity[f.rule];
  if (o === 'off') return undefined;
  if (o) return SEVERITY[o];
  return f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'info' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Warning;
}

/** Uri of a trace step: the document itself when the step is in the same file. */
function stepUri(docUri: vscode.Uri, docFile: string, stepFile: string): vscode.Uri {
  if (stepFile === docFile || stepFile === '') return docUri;
  return path.isAbsolute(stepFile) ? docUri.with({ path: vscode.Uri.file(stepFile).path }) : docUri;
}

/** Trace steps of a patch finding name the patched file relative to the base (the workspace folder). */
function patchTargetUri(patchUri: vscode.Uri, file: string): vscode.Uri {
  if (path.isAbsolute(file)) return patchUri.with({ path: vscode.Uri.file(file).path });
  const folder = vscode.workspace.getWorkspaceFolder(patchUri);
  return folder ? vscode.Uri.joinPath(folder.uri, file) : patchUri;
}

export function toDiagnostic(uri: vscode.Uri, docFile: string, f: Finding, cfg: VmaliasConfig, patchPos?: { line: number; column: number }, doc?: vscode.TextDocument): vscode.Diagnostic | undefined {
  const severity = diagnosticSeverity(f, cfg);
  if (severity === undefined) return undefined;
  const d = new vscode.Diagnostic(findingRange(f, patchPos, doc), f.message, severity);
  d.source = 'vmalias';
  d.code = { value: f.rule, target: simulationDocUri(uri, f) };
  d.relatedInformation = f.trace.map((s) => new vscode.DiagnosticRelatedInformation(
    new vscode.Location(patchPos ? patchTargetUri(uri, s.file) : stepUri(uri, docFile, s.file), spanToRange(s.span)),
    s.message,
  ));
  return d;
}

export class AnalysisController implements vscode.Disposable {
  private readonly states = new Map<string, DocState>();
  private readonly disposables: vscode.Disposable[] = [];
  private cfg: VmaliasConfig;
  private excluders = new Map<string, (p: string) => boolean>();
  private readonly events = new vscode.EventEmitter<AnalysisEvent>();
  /** Fires after each published analysis (tests and the benchmark wait on it). */
  readonly onDidAnalyze = this.events.event;
  private reportedError = false;
  lastPublish = { convertMs: 0, setMs: 0, count: 0, findings: 0 };
  /** Longest stretch vmalias held the extension host thread (ms), for the tests and the benchmark. */
  readonly stats = { maxBlockMs: 0 };

  /**
   * A patch finding is also shown in its target file when that file is open, at the post-image
   * line, in a collection of its own (the file's own analysis owns the main one). Per patch
   * document: the findings with their targets, to (re)publish when a target opens.
   */
  private readonly patchTargets = new Map<string, { source: vscode.Uri; findings: Finding[]; targets: { path: string; line: number }[] }>();

  constructor(
    private readonly client: AnalysisClient,
    private readonly diagnostics: vscode.DiagnosticCollection,
    private readonly store: FindingStore,
    private readonly kernelFor: (uri: vscode.Uri) => KernelVersion | undefined,
    private readonly output: vscode.LogOutputChannel,
    private readonly targetDiagnostics?: vscode.DiagnosticCollection,
  ) {
    this.cfg = readConfig();
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => {
        this.onOpen(d);
        if (this.patchTargets.size) this.publishTargets();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e)),
      vscode.workspace.onDidSaveTextDocument((d) => this.onSave(d)),
      vscode.workspace.onDidCloseTextDocument((d) => this.onClose(d)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('vmalias')) this.reloadConfig();
      }),
      this.events,
    );
  }

  get config(): VmaliasConfig {
    return this.cfg;
  }

  /** Analyse the documents already open when the extension started. */
  start(): void {
    for (const d of vscode.workspace.textDocuments) this.onOpen(d);
  }

  reloadConfig(): void {
    this.cfg = readConfig();
    this.excluders.clear();
    for (const d of vscode.workspace.textDocuments) {
      if (!this.eligible(d)) {
        this.forget(d.uri);
        continue;
      }
      if (this.cfg.run !== 'manual') this.schedule(d, 0);
    }
  }

  analysisOptions(uri: vscode.Uri): AnalyzeOptions {
    const opts: AnalyzeOptions = {};
    const kernel = this.kernelFor(uri);
    if (kernel) opts.kernel = kernel;
    if (this.cfg.extraAllocators.length) opts.extraAllocators = this.cfg.extraAllocators;
    if (this.cfg.extraSinks.length) opts.extraSinks = this.cfg.extraSinks;
    const rules = enabledRules(this.cfg);
    if (rules) opts.rules = rules;
    return opts;
  }

  /**
   * After Analyze Workspace: documents of `folder` are analysed with the summaries of the
   * functions of the folder's other files from their next analysis on (so a wrapper allocator
   * elsewhere still counts while the document is edited).
   */
  setWorkspaceSummaries(folder: vscode.Uri, summaries: FunctionSummary[], fields: FieldFact[] = []): void {
    this.client.setExternals(folder.toString(), summaries, fields);
  }

  private externalsKey(uri: vscode.Uri): string | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.toString();
    return folder !== undefined && this.client.hasExternals(folder) ? folder : undefined;
  }

  isExcluded(uri: vscode.Uri): boolean {
    if (!this.cfg.exclude.length) return false;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const rel = folder ? path.posix.relative(folder.uri.path, uri.path) : uri.path;
    const key = folder?.uri.toString() ?? '';
    let m = this.excluders.get(key);
    if (!m) {
      m = picomatch(this.cfg.exclude, { dot: true });
      this.excluders.set(key, m);
    }
    return m(rel);
  }

  eligible(doc: vscode.TextDocument): boolean {
    if (doc.uri.scheme === 'git' || doc.uri.scheme === 'output' || doc.uri.scheme === 'vmalias') return false;
    return (isCDocument(doc) || isPatchDocument(doc)) && !this.isExcluded(doc.uri);
  }

  private state(uri: vscode.Uri): DocState {
    const k = uri.toString();
    let s = this.states.get(k);
    if (!s) {
      s = { queued: [], inFlight: false, again: false };
      this.states.set(k, s);
    }
    return s;
  }

  private onOpen(doc: vscode.TextDocument): void {
    if (!this.eligible(doc) || this.cfg.run === 'manual') return;
    this.schedule(doc, 0);
  }

  private onChange(e: vscode.TextDocumentChangeEvent): void {
    const doc = e.document;
    if (e.contentChanges.length === 0 || !this.eligible(doc)) return;
    const s = this.state(doc.uri);
    s.changedAt ??= performance.now();
    if (s.sentVersion !== undefined) {
      for (const c of e.contentChanges) {
        s.queued.push({
          startLine: c.range.start.line, startCharacter: c.range.start.character,
          endLine: c.range.end.line, endCharacter: c.range.end.character,
          rangeOffset: c.rangeOffset, rangeLength: c.rangeLength, text: c.text,
        });
      }
      if (s.queued.length > MAX_QUEUED_CHANGES) {
        s.queued = [];
        s.sentVersion = undefined;
      }
    }
    if (this.cfg.run === 'onType') this.schedule(doc, this.cfg.debounceMs);
  }

  private onSave(doc: vscode.TextDocument): void {
    if (!this.eligible(doc) || this.cfg.run === 'manual') return;
    this.schedule(doc, 0);
  }

  private onClose(doc: vscode.TextDocument): void {
    this.forget(doc.uri);
    if (this.patchTargets.delete(doc.uri.toString()) || this.patchTargets.size) this.publishTargets();
  }

  private forget(uri: vscode.Uri): void {
    const k = uri.toString();
    const s = this.states.get(k);
    if (s?.timer) clearTimeout(s.timer);
    this.states.delete(k);
    this.client.close(k);
    this.diagnostics.delete(uri);
    this.store.delete(uri);
  }

  schedule(doc: vscode.TextDocument, delayMs: number): void {
    const s = this.state(doc.uri);
    if (s.timer) clearTimeout(s.timer);
    s.timer = setTimeout(() => {
      s.timer = undefined;
      void this.run(doc);
    }, delayMs);
  }

  /** Analyse now (the command "analyze" and tests); resolves when diagnostics are published. */
  async analyzeNow(doc: vscode.TextDocument): Promise<void> {
    const done = new Promise<void>((resolve) => {
      const sub = this.onDidAnalyze((e) => {
        if (e.uri.toString() === doc.uri.toString()) {
          sub.dispose();
          resolve();
        }
      });
    });
    void this.run(doc);
    await done;
  }

  /** Run `fn` on the extension host thread and record how long it held it. */
  private sync<T>(fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      const ms = performance.now() - t0;
      if (ms > this.stats.maxBlockMs) this.stats.maxBlockMs = ms;
    }
  }

  private async run(doc: vscode.TextDocument): Promise<void> {
    if (doc.isClosed) return;
    const s = this.state(doc.uri);
    if (s.inFlight) {
      s.again = true;
      return;
    }
    s.inFlight = true;
    s.again = false;
    const version = doc.version;
    const changes = s.queued;
    s.queued = [];
    const changedAt = s.changedAt;
    s.changedAt = undefined;
    const t0 = performance.now();
    let res: AnalyzeResponse;
    const key = doc.uri.toString();
    try {
      // getText() and the structured clone of the request are the only work done here; parsing
      // and analysis happen in the worker.
      res = await this.sync(() => this.client.analyze({
        uri: key,
        file: doc.uri.scheme === 'untitled' ? doc.uri.toString() : doc.uri.fsPath,
        version,
        baseVersion: s.sentVersion,
        changes: s.sentVersion !== undefined ? changes : undefined,
        text: doc.getText(),
        options: this.analysisOptions(doc.uri),
        externals: this.externalsKey(doc.uri),
        maxLength: this.cfg.maxFileSizeKB * 1024,
        patch: isPatchDocument(doc) ? { base: vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath } : undefined,
      }));
    } catch (e) {
      res = { kind: 'result', id: 0, uri: key, version, error: (e as Error).message, timings: { parseMs: 0, buildMs: 0, analyzeMs: 0, incremental: false } };
    }
    s.inFlight = false;
    if (this.states.get(key) !== s) return; // closed meanwhile
    s.sentVersion = res.error ? undefined : version;
    if (res.error) {
      s.queued = [];
      this.output.warn(`${doc.uri.fsPath}: ${res.error}`);
      if (!this.reportedError && /engine|worker|failed/.test(res.error)) {
        this.reportedError = true;
        void vscode.window.showErrorMessage(`vmalias could not analyse ${path.basename(doc.uri.fsPath)}: ${res.error.split('\n')[0]}`);
      }
    }
    if (s.again || doc.version !== version) {
      // Outdated before it arrived: skip publishing, analyse the newest text.
      if (this.cfg.run === 'onType' || s.again) void this.run(doc);
      return;
    }
    const tp = performance.now();
    const published = await this.publish(doc, version, res.error ? undefined : res.result, res.patchPositions, res.patchIds, res.patchTargets);
    const publishMs = performance.now() - tp;
    const t = res.timings;
    this.output.trace(`${path.basename(doc.uri.fsPath)} v${version}: parse ${t.parseMs.toFixed(1)} ms${t.incremental ? ' (incremental)' : ''}, tree ${t.buildMs.toFixed(1)} ms, analysis ${t.analyzeMs.toFixed(1)} ms, ${res.result?.findings.length ?? 0} findings, publish ${publishMs.toFixed(1)} ms`);
    const now = performance.now();
    if (published) this.events.fire({ uri: doc.uri, version, response: res, elapsedMs: now - t0, publishMs, sinceChangeMs: changedAt === undefined ? undefined : now - changedAt });
  }

  /**
   * Findings → diagnostics in slices (a yield to the event loop between slices), then one
   * `set`. At most `vmalias.maxProblems` diagnostics per document: VS Code's cost of a diagnostic
   * grows with its related information, and hundreds in one file help nobody.
   */
  private async publish(doc: vscode.TextDocument, version: number, result: AnalysisResult | undefined, patchPositions: { line: number; column: number }[] | undefined, patchIds?: string[], patchTargets?: { path: string; line: number }[]): Promise<boolean> {
    const findings = result?.findings ?? [];
    const diags: vscode.Diagnostic[] = [];
    const file = doc.uri.scheme === 'untitled' ? doc.uri.toString() : doc.uri.fsPath;
    const t0 = performance.now();
    for (let i = 0; i < findings.length && diags.length < this.cfg.maxProblems; i += PUBLISH_SLICE) {
      if (i > 0) {
        await new Promise<void>((r) => setImmediate(r));
        if (doc.isClosed || doc.version !== version) return false;
      }
      this.sync(() => {
        for (let j = i; j < Math.min(findings.length, i + PUBLISH_SLICE) && diags.length < this.cfg.maxProblems; j++) {
          const d = toDiagnostic(doc.uri, file, findings[j], this.cfg, patchPositions?.[j], doc);
          if (d) diags.push(d);
        }
      });
    }
    const t1 = performance.now();
    this.sync(() => {
      this.store.set(doc.uri, { version, findings, patchPositions, patchIds });
      this.diagnostics.set(doc.uri, diags);
      if (patchTargets) this.patchTargets.set(doc.uri.toString(), { source: doc.uri, findings, targets: patchTargets });
      else this.patchTargets.delete(doc.uri.toString());
      this.publishTargets();
    });
    this.lastPublish = { convertMs: t1 - t0, setMs: performance.now() - t1, count: diags.length, findings: findings.length };
    if (findings.length > diags.length && diags.length >= this.cfg.maxProblems) {
      this.output.info(`${path.basename(file)}: showing ${diags.length} of ${findings.length} findings (vmalias.maxProblems)`);
    }
    return true;
  }

  /** Findings from a workspace scan of a file that is not open. */
  publishFile(uri: vscode.Uri, findings: Finding[]): void {
    const diags = findings.slice(0, this.cfg.maxProblems).map((f) => toDiagnostic(uri, uri.fsPath, f, this.cfg)).filter((d): d is vscode.Diagnostic => d !== undefined);
    this.store.set(uri, { findings });
    this.diagnostics.set(uri, diags);
  }

  /** Publish every patch document's findings on the target files that are open now. */
  private publishTargets(): void {
    if (!this.targetDiagnostics) return;
    const byUri = new Map<string, { uri: vscode.Uri; diags: vscode.Diagnostic[] }>();
    for (const { source, findings, targets } of this.patchTargets.values()) {
      findings.forEach((f, j) => {
        const t = targets[j];
        if (!t) return;
        const uri = patchTargetUri(source, t.path);
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        if (!doc || doc.lineCount === 0) return;
        const severity = diagnosticSeverity(f, this.cfg);
        if (severity === undefined) return;
        const line = doc.lineAt(Math.max(0, Math.min(doc.lineCount - 1, t.line - 1)));
        const range = new vscode.Range(line.lineNumber, line.firstNonWhitespaceCharacterIndex, line.lineNumber, line.range.end.character);
        const d = new vscode.Diagnostic(range, `${f.message} (introduced by ${path.basename(source.path)})`, severity);
        d.source = 'vmalias';
        d.code = { value: f.rule, target: simulationDocUri(source, f) };
        const e = byUri.get(uri.toString()) ?? { uri, diags: [] };
        e.diags.push(d);
        byUri.set(uri.toString(), e);
      });
    }
    this.targetDiagnostics.clear();
    for (const { uri, diags } of byUri.values()) this.targetDiagnostics.set(uri, diags);
  }

  dispose(): void {
    for (const s of this.states.values()) if (s.timer) clearTimeout(s.timer);
    this.states.clear();
    for (const d of this.disposables) d.dispose();
  }
}

export { findingKey };
