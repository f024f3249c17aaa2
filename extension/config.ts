/**
 * The `vmalias.*` settings, read in one place. The manifest (package.json `contributes.configuration`)
 * documents each of them; defaults here must match it.
 */
import * as vscode from 'vscode';
import { RULE_IDS, RuleId } from '../analyzer/types';

export type RunMode = 'onType' | 'onSave' | 'manual';
export type SeverityOverride = 'error' | 'warning' | 'information' | 'hint' | 'off';

export interface VmaliasConfig {
  run: RunMode;
  debounceMs: number;
  architectures: string[];
  /** 'auto' (from the workspace kernel Makefile), 'newest', or "X.Y[.Z]". */
  kernelVersion: string;
  severity: Partial<Record<RuleId, SeverityOverride>>;
  exclude: string[];
  extraAllocators: string[];
  extraSinks: string[];
  maxFileSizeKB: number;
  maxProblems: number;
}

export const DEFAULT_ARCHITECTURES = ['armv5-vivt', 'armv6-vipt-aliasing', 'sh4', 'mips-r4k', 'parisc', 'nios2', 'x86-64', 'arm64'];

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : [];
}

export function readConfig(scope?: vscode.ConfigurationScope): VmaliasConfig {
  const c = vscode.workspace.getConfiguration('vmalias', scope);
  const run = c.get<string>('run', 'onType');
  const severity: Partial<Record<RuleId, SeverityOverride>> = {};
  const raw = c.get<Record<string, unknown>>('severity', {}) ?? {};
  for (const r of RULE_IDS) {
    const s = raw[r];
    if (s === 'error' || s === 'warning' || s === 'information' || s === 'hint' || s === 'off') severity[r] = s;
  }
  const archs = strings(c.get('architectures'));
  return {
    run: run === 'onSave' || run === 'manual' ? run : 'onType',
    debounceMs: Math.max(0, Math.min(5000, Number(c.get('debounceMs', 250)) || 0)),
    architectures: archs.length ? archs : DEFAULT_ARCHITECTURES,
    kernelVersion: (c.get<string>('kernelVersion', 'auto') ?? 'auto').trim() || 'auto',
    severity,
    exclude: strings(c.get('exclude')),
    extraAllocators: strings(c.get('extraAllocators')),
    extraSinks: strings(c.get('extraSinks')),
    maxFileSizeKB: Math.max(1, Number(c.get('maxFileSizeKB', 4096)) || 4096),
    maxProblems: Math.max(1, Number(c.get('maxProblems', 100)) || 100),
  };
}

/** Rules left on after the `off` overrides; undefined when all are on. */
export function enabledRules(cfg: VmaliasConfig): Set<RuleId> | undefined {
  const on = RULE_IDS.filter((r) => cfg.severity[r] !== 'off');
  return on.length === RULE_IDS.length ? undefined : new Set(on);
}
