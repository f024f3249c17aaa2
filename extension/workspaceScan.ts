/**
 * "vmalias: Analyze Workspace". Local folders are scanned by the CLI's whole-tree scanner
 * (analyzer/scan) in a child process (engine/scanWorker.ts): grep/lexical pre-pass, summaries
 * exchanged across files (a wrapper allocator in one file, the submission in another), a worker
 * pool and an on-disk cache in the extension's global storage, so re-running it on an unchanged
 * tree costs about a second. Progress and Cancel go through a notification. Folders that are not
 * on the local disk (virtual file systems) fall back to analysing each relevant file on its own.
 */
import * as vscode from 'vscode';
import { fork } from 'child_process';
import { relevantNames } from '../analyzer/tables/index';
import type { Finding } from '../analyzer/types';
import type { ScanProgress } from '../analyzer/scan/types';
import type { AnalysisController } from './analysisController';
import type { AnalysisClient } from './engine/client';
import type { ReviewWorkerInput, ScanWorkerInput, ScanWorkerMessage, ScanWorkerRequest } from './engine/scanWorker';

export interface ScanSummary {
  files: number;
  analysed: number;
  findings: number;
  cancelled: boolean;
  ms: number;
  /** Files whose results came from the scan cache. */
  cacheHits: number;
}

export interface WorkspaceScanEnv {
  /** dist/extension-scan.js */
  scanWorker: string;
  /** Directory of the on-disk scan cache. */
  cacheDir: string;
  output?: vscode.LogOutputChannel;
}

/** Files that got findings from the last workspace scan (so the next one can clear them). */
const published = new Set<string>();

type Progress = vscode.Progress<{ message?: string; increment?: number }>;

const PHASES: Record<ScanProgress['phase'], string> = { walk: 'listing files', prefilter: 'pre-pass', analyze: 'analysing', done: 'done' };

/** The scan process (engine/scanWorker.ts), with the tail of its stderr for the message should it die. */
function forkScanProcess(env: WorkspaceScanEnv): { w: ReturnType<typeof fork>; stderr: () => string } {
  // A process of its own (not a worker thread of the extension host): see engine/scanWorker.ts.
  // execArgv: none of the host's own flags (an --inspect port of a debugged host would clash)
  const w = fork(env.scanWorker, [], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
  let tail = '';
  w.stderr?.on('data', (d: Buffer) => { tail = (tail + d.toString('utf8')).slice(-2000); });
  return { w, stderr: () => tail };
}

/**
 * "Review Git Range…": reviewed in a scan process, since the range's base is a git revision whose
 * context (what the files the commits leave alone export) is a scan of its subsystems read from
 * git, never from the work tree — `vmalias review --git` in the editor, with the workspace scan's cache.
 */
export function reviewGitRangeInScanProcess(env: WorkspaceScanEnv, input: Omit<ReviewWorkerInput, 'cacheDir'>): Promise<{ text: string; findings: number; notes: string[] }> {
  return new Promise((resolve, reject) => {
    const { w, stderr } = forkScanProcess(env);
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      f();
      if (w.exitCode === null && w.signalCode === null) w.kill();
    };
    w.on('message', (m: ScanWorkerMessage) => {
      if (m.kind === 'reply') finish(() => resolve({ text: m.text, findings: m.findings, notes: m.notes }));
      else if (m.kind === 'error') finish(() => reject(new Error(m.message)));
    });
    w.on('error', (e) => finish(() => reject(e)));
    w.on('exit', (code, signal) => finish(() => reject(new Error(`the review process exited (${code ?? signal})${stderr() ? `: ${stderr().trim()}` : ''}`))));
    const req: ScanWorkerRequest = { kind: 'review', input: { ...input, cacheDir: env.cacheDir } };
    w.send(req);
  });
}

function runScan(env: WorkspaceScanEnv, input: ScanWorkerInput, progress: Progress, token: vscode.CancellationToken, label: string): Promise<ScanWorkerMessage> {
  return new Promise((resolve) => {
    const { w, stderr: tail } = forkScanProcess(env);
    const send = (m: ScanWorkerRequest): void => { if (w.connected) w.send(m); };
    let settled = false;
    const finish = (m: ScanWorkerMessage): void => {
      if (settled) return;
      settled = true;
      sub.dispose();
      resolve(m);
      if (w.exitCode === null && w.signalCode === null) w.kill();
    };
    const sub = token.onCancellationRequested(() => {
      send({ kind: 'cancel' });
      // the scan stops between files; a file being parsed may take a moment
      setTimeout(() => finish({ kind: 'cancelled' }), 2000).unref();
    });
    send({ kind: 'start', input });
    let shown = 0;
    w.on('message', (m: ScanWorkerMessage) => {
      if (m.kind !== 'progress') { finish(m); return; }
      const p = m.progress;
      const pct = p.phase === 'analyze' && p.total ? Math.floor((p.done / p.total) * 100) : 0;
      progress.report({ message: `${label}${PHASES[p.phase]} ${p.done}/${p.total || '?'} files, ${p.findings} findings`, increment: Math.max(0, pct - shown) });
      shown = Math.max(shown, pct);
    });
    w.on('error', (e) => finish({ kind: 'error', message: e.stack ?? e.message }));
    w.on('exit', (code, signal) => finish({ kind: 'error', message: `the scan process exited (${code ?? signal})${tail() ? `: ${tail().trim()}` : ''}` }));
  });
}

export async function analyzeWorkspace(controller: AnalysisController, client: AnalysisClient, env: WorkspaceScanEnv): Promise<ScanSummary> {
  const t0 = performance.now();
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'vmalias: analyzing workspace', cancellable: true }, async (progress, token) => {
    const summary: ScanSummary = { files: 0, analysed: 0, findings: 0, cancelled: false, ms: 0, cacheHits: 0 };
    const folders = vscode.workspace.workspaceFolders ?? [];
    const local = folders.filter((f) => f.uri.scheme === 'file');
    const cfg = controller.config;
    const byFile = new Map<string, Finding[]>();
    for (const folder of local) {
      const opts = controller.analysisOptions(folder.uri);
      const input: ScanWorkerInput = {
        roots: [folder.uri.fsPath],
        options: {
          ...opts, exclude: cfg.exclude.length ? cfg.exclude : undefined, cacheDir: env.cacheDir, maxFileBytes: cfg.maxFileSizeKB * 1024,
          // no git process in a workspace the user has not trusted (restricted mode)
          ...(vscode.workspace.isTrusted ? {} : { git: false }),
        },
      };
      const m = await runScan(env, input, progress, token, local.length > 1 ? `${folder.name}: ` : '');
      if (m.kind === 'cancelled') { summary.cancelled = true; break; }
      if (m.kind === 'error') {
        env.output?.error(`Analyze Workspace: ${folder.uri.fsPath}: ${m.message}`);
        void vscode.window.showErrorMessage(`vmalias: the workspace scan of ${folder.name} failed: ${m.message.split('\n')[0]}`);
        continue;
      }
      if (m.kind !== 'done') continue;
      summary.files += m.stats.filesSeen;
      summary.analysed += m.stats.filesPrefiltered;
      summary.cacheHits += m.stats.cacheHits;
      for (const n of m.notes) if (n.severity !== 'info') env.output?.warn(`${n.path}: ${n.message}`);
      env.output?.info(`Analyze Workspace: ${folder.uri.fsPath}: ${m.stats.filesSeen} files, ${m.stats.filesPrefiltered} selected, ${m.stats.filesParsed} parsed, ${m.stats.cacheHits} from the cache, ${m.findings.length} findings in ${(m.stats.wallMs / 1000).toFixed(1)} s`);
      for (const f of m.findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
      // From now on the live analysis of an open document of this folder knows what the functions
      // of its other files do.
      controller.setWorkspaceSummaries(folder.uri, m.summaries, m.fieldFacts);
    }
    if (!summary.cancelled) {
      // Open documents keep their live analysis (re-run now); the others show the scan's findings.
      const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
      const now = new Set<string>();
      for (const [file, findings] of byFile) {
        const uri = vscode.Uri.file(file);
        if (controller.isExcluded(uri)) continue;
        now.add(uri.toString());
        summary.findings += findings.length;
        const doc = open.get(uri.toString());
        if (doc) await controller.analyzeNow(doc);
        else controller.publishFile(uri, findings);
      }
      for (const u of published) if (!now.has(u) && !open.has(u)) controller.publishFile(vscode.Uri.parse(u), []);
      published.clear();
      for (const u of now) published.add(u);
      if (local.length < folders.length) await analyzeRemoteFolders(controller, client, progress, token, summary);
    }
    summary.ms = performance.now() - t0;
    return summary;
  });
}

function namesRegex(extra: string[]): RegExp {
  const names = relevantNames(extra).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`\\b(?:${names.join('|')})\\b`);
}

/** Folders on virtual file systems: each file that names a table function, analysed on its own. */
async function analyzeRemoteFolders(controller: AnalysisController, client: AnalysisClient, progress: Progress, token: vscode.CancellationToken, summary: ScanSummary): Promise<void> {
  const uris = (await vscode.workspace.findFiles('**/*.{c,h}', '**/{node_modules,.git}/**', undefined, token)).filter((u) => u.scheme !== 'file');
  const cfg = controller.config;
  const relevant = namesRegex([...cfg.extraAllocators, ...cfg.extraSinks]);
  summary.files += uris.length;
  let done = 0;
  for (const uri of uris) {
    if (token.isCancellationRequested) {
      summary.cancelled = true;
      return;
    }
    done++;
    if (done % 20 === 0 || done === uris.length) progress.report({ message: `${done}/${uris.length} files, ${summary.findings} findings` });
    if (controller.isExcluded(uri)) continue;
    let text: string;
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      if (bytes.byteLength > cfg.maxFileSizeKB * 1024) continue;
      text = Buffer.from(bytes).toString('utf8');
    } catch {
      continue;
    }
    if (!relevant.test(text)) continue;
    const res = await client.analyze({ uri: uri.toString(), file: uri.fsPath, version: 0, text, options: controller.analysisOptions(uri), noCache: true, maxLength: cfg.maxFileSizeKB * 1024 });
    const findings = res.result?.findings ?? [];
    controller.publishFile(uri, findings);
    summary.analysed++;
    summary.findings += findings.length;
  }
}
