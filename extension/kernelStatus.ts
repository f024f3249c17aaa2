/**
 * Which kernel's rules apply to a document: `vmalias.kernelVersion` when set to a version, else the
 * VERSION/PATCHLEVEL of the workspace folder's top-level kernel Makefile, else the newest rules.
 * Shown in the status bar while a C or patch document is active.
 */
import * as vscode from 'vscode';
import type { KernelVersion } from '../analyzer/types';
import { formatKernelVersion, parseKernelMakefile, parseKernelVersionString } from './kernelVersion';

export class KernelVersionService implements vscode.Disposable {
  private readonly detected = new Map<string, KernelVersion | undefined>();
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly setting: () => string, private readonly isRelevant: (d: vscode.TextDocument) => boolean) {
    this.item = vscode.window.createStatusBarItem('vmalias.kernel', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'vmalias kernel version';
    this.item.command = { title: 'Set kernel version', command: 'workbench.action.openSettings', arguments: ['vmalias.kernelVersion'] };
    const watcher = vscode.workspace.createFileSystemWatcher('**/Makefile');
    const redetect = (uri: vscode.Uri): void => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (folder && vscode.Uri.joinPath(folder.uri, 'Makefile').toString() === uri.toString()) void this.detect(folder).then(() => this.changed.fire());
    };
    this.disposables.push(
      this.item, watcher, this.changed,
      watcher.onDidChange(redetect), watcher.onDidCreate(redetect), watcher.onDidDelete(redetect),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateStatus()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.detectAll().then(() => this.changed.fire())),
    );
  }

  /** Read every workspace folder's Makefile (a few KB each; not done during activation). */
  async detectAll(): Promise<void> {
    await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => this.detect(f)));
    this.updateStatus();
  }

  private async detect(folder: vscode.WorkspaceFolder): Promise<void> {
    let v: KernelVersion | undefined;
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, 'Makefile'));
      v = parseKernelMakefile(Buffer.from(bytes.subarray(0, 4096)).toString('utf8'));
    } catch {
      v = undefined;
    }
    this.detected.set(folder.uri.toString(), v);
    this.updateStatus();
  }

  /** The kernel version for a document, and where it came from. */
  describe(uri: vscode.Uri | undefined): { version: KernelVersion | undefined; source: string } {
    const s = this.setting();
    if (s === 'newest') return { version: undefined, source: 'setting vmalias.kernelVersion' };
    const explicit = parseKernelVersionString(s);
    if (explicit) return { version: explicit, source: 'setting vmalias.kernelVersion' };
    const folder = uri && vscode.workspace.getWorkspaceFolder(uri);
    const v = folder ? this.detected.get(folder.uri.toString()) : undefined;
    return v ? { version: v, source: `${folder?.name ?? ''}/Makefile` } : { version: undefined, source: 'no kernel Makefile found' };
  }

  versionFor(uri: vscode.Uri): KernelVersion | undefined {
    return this.describe(uri).version;
  }

  updateStatus(): void {
    const ed = vscode.window.activeTextEditor;
    if (!ed || !this.isRelevant(ed.document)) {
      this.item.hide();
      return;
    }
    const { version, source } = this.describe(ed.document.uri);
    this.item.text = `$(circuit-board) Linux ${formatKernelVersion(version)}`;
    this.item.tooltip = `vmalias applies the rules of Linux ${formatKernelVersion(version)} (${source}). Click to change vmalias.kernelVersion.`;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
