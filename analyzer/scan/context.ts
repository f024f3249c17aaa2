/**
 * What the rest of a base tree says about the files a patch series touches: the exported function
 * summaries and struct-member facts of their subsystems, for `vmalias review` / `vmalias scan
 * PATCH --base DIR`. Review analyses only the files the series touches; a wrapper allocator, a
 * mapping helper or a member store in an untouched file of the same driver is known only through
 * these (docs/patch-review.md, "Across files").
 *
 * Each touched file's subsystem is its link scope (prefilter.ts linkScope: the parent of its
 * directory, never shallower than two levels; a top-level one is its own files only), scanned with
 * the whole-tree scanner and its cache,
 * so a second review of the same tree costs a stat walk. The touched files' own summaries and
 * facts are left out (review computes them before and after each patch); paths in what is returned
 * are relative to the base, as the patch names its files.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { FieldFact, FunctionSummary } from '../types';
import { scanPaths } from './index';
import { linkScope, wordsRegex } from './prefilter';
import { readSourceBytes, walkPaths } from './files';
import { untouchedFacts } from './summaries';
import type { ScanOptions } from './types';

export interface BaseContext {
  summaries: FunctionSummary[];
  fields: FieldFact[];
  /** The untouched `.c` files of the scopes that call one of `names` (base-relative, sorted). */
  callers: (names: string[]) => Promise<string[]>;
  /** The subsystem directories scanned (relative to the base, `/`-terminated). */
  scopes: string[];
  /** Problems worth telling the user (a scope that could not be scanned). */
  notes: string[];
}

/** The subsystems of `paths` (base-relative, `/`-separated): never the whole tree, never outside it. */
export function contextScopes(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const rel = p.replace(/\\/g, '/').replace(/^\.\//, '');
    if (rel.startsWith('/') || rel.split('/').includes('..')) continue;
    const scope = linkScope(rel);
    // a file at the root, or a one-level directory: the directory itself, not the tree above it
    if (scope === '') continue;
    out.add(scope);
  }
  // a scope inside another one is scanned with it
  const sorted = [...out].sort();
  return sorted.filter((s) => !sorted.some((o) => o !== s && s.startsWith(o)));
}

export async function baseContext(base: string, paths: readonly string[], opts: ScanOptions = {}): Promise<BaseContext> {
  const root = path.resolve(base);
  const scopes = contextScopes(paths).filter((s) => {
    try {
      return fs.statSync(path.join(root, s)).isDirectory();
    } catch {
      return false;
    }
  });
  const none = async (): Promise<string[]> => [];
  if (scopes.length === 0) return { summaries: [], fields: [], callers: none, scopes, notes: [] };
  // A top-level scope (`fs/` for fs/buffer.c, `mm/`) is its own files, not every filesystem or
  // driver below it; deeper scopes are scanned whole.
  const inputs = scopes.flatMap((s) => {
    const dir = path.join(root, s);
    if (s.split('/').filter(Boolean).length > 1) return [dir];
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && /\.[ch]$/.test(e.name)).map((e) => path.join(dir, e.name)).sort();
    } catch {
      return [];
    }
  });
  if (inputs.length === 0) return { summaries: [], fields: [], callers: none, scopes, notes: [] };
  // every wrapper allocator and mapping helper of the scopes: the patch may add their first caller
  const r = await scanPaths(inputs, { ...opts, quiet: true, exportLinks: true });
  const { summaries, fields } = untouchedFacts(root, paths, r.summaries.values(), r.fieldFacts);
  const notes = r.notes.filter((n) => n.severity === 'error').map((n) => `${path.relative(root, n.path) || n.path}: ${n.message} (base context)`);
  const touched = new Set(paths.map((p) => path.join(root, p)));
  const callers = async (names: string[]): Promise<string[]> => {
    const walked = await walkPaths(inputs, {}, []);
    const out: string[] = [];
    for (const f of walked) {
      const g = wordsRegex(names);
      if (!g || !f.path.endsWith('.c') || touched.has(path.resolve(f.path))) continue;
      const r = readSourceBytes(f.path);
      if (!r.ok) continue;
      // `name(`: a call, not a mention (the analysis decides what the call does)
      const text = r.buf.toString('latin1');
      let m: RegExpExecArray | null;
      while ((m = g.exec(text)) !== null) {
        if (/^\s*\(/.test(text.slice(m.index + m[0].length, m.index + m[0].length + 20))) {
          out.push(path.relative(root, path.resolve(f.path)).split(path.sep).join('/'));
          break;
        }
      }
    }
    return out.sort();
  };
  return { summaries, fields, callers, scopes, notes };
}
