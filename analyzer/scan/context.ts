/**
 * What the rest of a base tree says about the files a patch series touches: the exported function
 * summaries and struct-member facts of their subsystems, for `vmalias review` / `vmalias scan
 * PATCH --base DIR`. Review analyses only the files the series touches; a wrapper allocator, a
 * mapping helper or a member store in an untouched file of the same driver is known only through
 * these (docs/patch-review.md, "Across files").
 *
 * Each touched file's subsystem is its link scope (prefilter.ts linkScope: the parent of its
 * directory, never shallower than two levels; a top-level one is its own files only) — for a header
 * of an include directory (`include/linux/zlog.h`) also those of the files including it
 * (callers.ts headerIncluders) — scanned with
 * the whole-tree scanner and its cache,
 * so a second review of the same tree costs a stat walk. The touched files' own summaries and
 * facts are left out (review computes them before and after each patch); paths in what is returned
 * are relative to the base, as the patch names its files. A base read from a git revision gets the
 * same from the revision's objects (gitbase.ts); reviewContext() picks the one a base needs.
 */
import * as path from 'path';
import type { FieldFact, FunctionSummary } from '../types';
import { scanPaths } from './index';
import { findCallers, findMemberReaders, headerIncluders, scopeInputs } from './callers';
import { baseRelative, untouchedFacts } from './summaries';
import { gitBaseContext, type GitContextOptions, type GitRevision } from './gitbase';
import type { ScanOptions } from './types';

export interface BaseContext {
  summaries: FunctionSummary[];
  fields: FieldFact[];
  /** The untouched `.c` files of the scopes that call each of `names` (base-relative, sorted). */
  callers: (names: string[]) => Promise<Map<string, string[]>>;
  /** The untouched `.c` files of the scopes that read each struct member `T.m` (base-relative, sorted). */
  readers: (members: string[]) => Promise<Map<string, string[]>>;
  /** The subsystem directories scanned (relative to the base, `/`-terminated). */
  scopes: string[];
  /** Problems worth telling the user (a scope that could not be scanned). */
  notes: string[];
}

export async function baseContext(base: string, paths: readonly string[], opts: ScanOptions = {}): Promise<BaseContext> {
  const root = path.resolve(base);
  // a touched header of an include directory: the subsystems that include it use what it defines
  const inc = await headerIncluders(root, paths);
  const { scopes, inputs } = scopeInputs(root, paths, inc.files);
  const none = async (): Promise<Map<string, string[]>> => new Map();
  if (inputs.length === 0) return { summaries: [], fields: [], callers: none, readers: none, scopes, notes: inc.notes };
  // every wrapper allocator and mapping helper of the scopes: the patch may add their first caller
  const r = await scanPaths(inputs, { ...opts, quiet: true, exportLinks: true });
  const { summaries, fields } = untouchedFacts(root, paths, r.summaries.values(), r.fieldFacts);
  const notes = [...inc.notes, ...r.notes.filter((n) => n.severity === 'error').map((n) => `${baseRelative(root, n.path)}: ${n.message} (base context)`)];
  const callers = (names: string[]): Promise<Map<string, string[]>> => findCallers(root, inputs, paths, names);
  const readers = (members: string[]): Promise<Map<string, string[]>> => findMemberReaders(root, inputs, paths, members);
  return { summaries, fields, callers, readers, scopes, notes };
}

/** Where a review's base is: a directory, or a git revision (never its work tree). */
export type ContextBase = { dir: string } | { git: GitRevision };

/**
 * The base context of `paths` for either kind of base. `dispose()`, when there is one, must be
 * called once the review no longer needs `callers`/`readers` (a revision's scopes written out
 * without the cache are removed then).
 */
export function reviewContext(base: ContextBase, paths: readonly string[], opts: GitContextOptions = {}): Promise<BaseContext & { dispose?: () => void }> {
  return 'git' in base ? gitBaseContext(base.git, paths, opts) : baseContext(base.dir, paths, opts);
}

export { contextScopes } from './callers';
export type { GitRevision } from './gitbase';
