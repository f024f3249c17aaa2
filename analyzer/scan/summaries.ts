/**
 * Cross-file summary exchange by function name.
 *
 * A file's findings can depend on summaries of functions defined in other files (a wrapper that
 * returns __vmalloc memory, a helper that adds a buffer's pages to a bio). The lexical pre-pass
 * knows which exported functions each parsed file defines and which names it calls, which gives a
 * file dependency graph. Files are analysed callees first: the graph's strongly connected
 * components in reverse topological order. A file outside a cycle is analysed once, with the final
 * summaries of everything it calls, so its findings can be streamed immediately. Inside a cycle the
 * files are analysed, then re-analysed while the summaries they see change, up to `maxRounds`.
 *
 * The summaries a file was analysed with are hashed into its `depSig`; the cache keeps that hash,
 * so on a re-scan a file is re-analysed only if its own text or one of its callees' summaries changed.
 */
import * as path from 'path';
import { SUMMARY_PARAM_LISTS, type FieldFact, type FunctionSummary } from '../types';
import { sha1 } from './cache';

export interface DepFile {
  path: string;
  /** Exported function names it defines; undefined = not known lexically, every summary counts. */
  exports: string[] | undefined;
  /** All function names it defines (its own definitions shadow other files'). */
  defines: string[];
  /** Names it calls (lexically). */
  calls: string[];
}

export interface DepGraph {
  /** deps[i]: indices of files whose exported functions file i calls. */
  deps: number[][];
  /** SCCs in an order where every SCC comes after the SCCs it depends on. */
  sccs: number[][];
  /** sccOf[i] = index into sccs. */
  sccOf: number[];
  /** Name → indices of the files exporting it. */
  definers: Map<string, number[]>;
}

export function buildGraph(files: DepFile[]): DepGraph {
  const definers = new Map<string, number[]>();
  files.forEach((f, i) => {
    for (const n of new Set(f.exports ?? [])) {
      const d = definers.get(n);
      if (d) d.push(i); else definers.set(n, [i]);
    }
  });
  const deps = files.map((f, i) => {
    const own = new Set(f.defines);
    const out = new Set<number>();
    for (const c of f.calls) {
      if (own.has(c)) continue;
      for (const d of definers.get(c) ?? []) if (d !== i) out.add(d);
    }
    return [...out].sort((a, b) => a - b);
  });
  const sccs = tarjan(deps);
  const sccOf = new Array<number>(files.length).fill(-1);
  sccs.forEach((s, k) => { for (const i of s) sccOf[i] = k; });
  return { deps, sccs, sccOf, definers };
}

/**
 * Tarjan's algorithm, iterative (a kernel subsystem can chain thousands of files). Emits SCCs in
 * reverse topological order of the condensation, i.e. callees before callers — the order we want.
 */
export function tarjan(adj: number[][]): number[][] {
  const n = adj.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let s = 0; s < n; s++) {
    if (index[s] !== -1) continue;
    const work: [number, number][] = [[s, 0]];
    index[s] = low[s] = counter++;
    stack.push(s);
    onStack[s] = true;
    while (work.length) {
      const top = work[work.length - 1];
      const v = top[0];
      if (top[1] < adj[v].length) {
        const w = adj[v][top[1]++];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          work.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
      } else {
        work.pop();
        if (work.length) {
          const u = work[work.length - 1][0];
          low[u] = Math.min(low[u], low[v]);
        }
        if (low[v] === index[v]) {
          const comp: number[] = [];
          let w: number;
          do {
            w = stack.pop() as number;
            onStack[w] = false;
            comp.push(w);
          } while (w !== v);
          out.push(comp.sort((a, b) => a - b));
        }
      }
    }
  }
  return out;
}

/**
 * Merge the summaries several files give for one name (static functions of the same name in
 * different drivers, or #ifdef'd alternatives): only what they all agree on is kept, so an
 * unrelated same-named function never invents a flow.
 */
export function mergeSummaries(list: FunctionSummary[]): FunctionSummary | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  const [first, ...rest] = list;
  const out: FunctionSummary = { name: first.name, file: first.file };
  const agree = <K extends keyof FunctionSummary>(k: K): boolean => first[k] !== undefined && rest.every((s) => JSON.stringify(s[k]) === JSON.stringify(first[k]));
  if (first.returnsVmalloc && agree('returnsVmalloc')) {
    out.returnsVmalloc = first.returnsVmalloc;
    if (agree('returnSizeParam')) out.returnSizeParam = first.returnSizeParam;
    if (agree('returnSize')) out.returnSize = first.returnSize;
    if (agree('returnsZeroed')) out.returnsZeroed = first.returnsZeroed;
  }
  if (agree('outVmallocParams')) out.outVmallocParams = first.outVmallocParams;
  if (agree('returnsPageOfParam')) out.returnsPageOfParam = first.returnsPageOfParam;
  if (agree('returnsAliasOfParam')) out.returnsAliasOfParam = first.returnsAliasOfParam;
  for (const k of SUMMARY_PARAM_LISTS) {
    let acc = first[k] ?? [];
    for (const s of rest) {
      const other = new Set(s[k] ?? []);
      acc = acc.filter((x) => other.has(x));
    }
    if (acc.length) out[k] = acc;
  }
  for (const k of ['flushesMembers', 'invalidatesMembers', 'readIntoMembers', 'readsMembers', 'writesMembers'] as const) {
    const acc = (first[k] ?? []).filter((m) => rest.every((s) => s[k]?.includes(m)));
    if (acc.length) out[k] = acc;
  }
  // the direction of the I/O, only where every candidate submits or reads into the same parameters
  const io = out.submitsParams || out.readIntoParams || out.readsCompletedParams || out.submitsPagesParams || out.readIntoPagesParams;
  if (io && agree('submitDirection')) out.submitDirection = first.submitDirection;
  if (io && agree('directionParam')) out.directionParam = first.directionParam;
  if (out.directionParam !== undefined && agree('directionWhenTrue')) out.directionWhenTrue = first.directionWhenTrue;
  const adds = (first.addsPagesParams ?? []).filter((a) => rest.every((s) => (s.addsPagesParams ?? []).some((b) => b.buf === a.buf && b.to === a.to && b.kind === a.kind)));
  if (adds.length) out.addsPagesParams = adds;
  const holds = (first.returnsPagesOfParams ?? []).filter((a) => rest.every((s) => (s.returnsPagesOfParams ?? []).some((b) => b.buf === a.buf && b.kind === a.kind && b.dir === a.dir)));
  if (holds.length) out.returnsPagesOfParams = holds;
  if (agree('flushesWhen')) out.flushesWhen = first.flushesWhen;
  if (out.submitsParams && agree('submitsLength')) out.submitsLength = first.submitsLength;
  return out;
}

/** The summary table of a scan: per name, the summary each exporting file gave. */
export class SummaryTable {
  private readonly byName = new Map<string, Map<number, FunctionSummary>>();

  constructor(private readonly files: DepFile[]) {}

  /** Record a file's summaries (only those of functions it exports); true if any changed. */
  set(fileIdx: number, summaries: FunctionSummary[]): boolean {
    const ex = this.files[fileIdx].exports;
    const exported = ex ? new Set(ex) : undefined;
    let changed = false;
    const seen = new Set<string>();
    for (const s of summaries) {
      if (exported && !exported.has(s.name)) continue;
      seen.add(s.name);
      let m = this.byName.get(s.name);
      if (!m) { m = new Map(); this.byName.set(s.name, m); }
      const prev = m.get(fileIdx);
      if (!prev || canonical(prev) !== canonical(s)) changed = true;
      m.set(fileIdx, s);
    }
    for (const [name, m] of this.byName) {
      if (m.has(fileIdx) && !seen.has(name)) { m.delete(fileIdx); changed = true; }
    }
    return changed;
  }

  /**
   * The external summaries file `i` should be analysed with: for each name it calls and does not
   * define, the summaries of the other files exporting it — the ones in its own directory when there
   * are any (a driver's helper, not a same-named one elsewhere), merged conservatively.
   */
  externalFor(i: number): FunctionSummary[] {
    const f = this.files[i];
    const own = new Set(f.defines);
    const dir = path.dirname(f.path);
    const out: FunctionSummary[] = [];
    for (const name of [...new Set(f.calls)].sort()) {
      if (own.has(name)) continue;
      const m = this.byName.get(name);
      if (!m) continue;
      const cands = [...m].filter(([j]) => j !== i);
      if (cands.length === 0) continue;
      const near = cands.filter(([j]) => path.dirname(this.files[j].path) === dir);
      const chosen = (near.length ? near : cands).sort((a, b) => a[0] - b[0]).map(([, s]) => s);
      const merged = mergeSummaries(chosen);
      if (merged && hasFacts(merged)) out.push(merged);
    }
    return out;
  }

  /** All exported summaries, one per name (merged), for the scan result. */
  all(): Map<string, FunctionSummary> {
    const out = new Map<string, FunctionSummary>();
    for (const [name, m] of [...this.byName].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const merged = mergeSummaries([...m.values()]);
      if (merged) out.set(name, merged);
    }
    return out;
  }
}

/**
 * Whether a summary says anything a caller can use. Every fact counts: a helper whose only effect
 * is adding a buffer's pages to the caller's bio (addsPagesParams), reading into it
 * (readIntoParams) or returning the page of its argument is exactly what a caller in another file
 * needs to know.
 */
export function hasFacts(s: FunctionSummary): boolean {
  return Boolean(s.returnsVmalloc || s.outVmallocParams?.length || SUMMARY_PARAM_LISTS.some((k) => s[k]?.length) || s.flushesMembers?.length || s.invalidatesMembers?.length || s.readIntoMembers?.length ||
    s.readsMembers?.length || s.writesMembers?.length ||
    s.addsPagesParams?.length || s.returnsPagesOfParams?.length || s.returnsPageOfParam !== undefined || s.returnsAliasOfParam !== undefined || s.flushesWhen?.length);
}

/** Key-order-independent JSON of a summary (the file path is not part of what callers see). */
export function canonical(s: FunctionSummary): string {
  const keys = Object.keys(s).filter((k) => k !== 'file').sort();
  return JSON.stringify(keys.map((k) => [k, (s as unknown as Record<string, unknown>)[k]]));
}

/** Hash of the external summaries a file is analysed with. */
export function depSignature(external: FunctionSummary[]): string {
  return sha1(external.map(canonical).join('\n'));
}

/**
 * The struct-member facts of a workspace scan that an open document may read: those other files
 * stored (its own stores are what it says now) within the document's subsystem — the storer's
 * directory's parent, as the scan's scopes — so a same-named struct of an unrelated driver
 * elsewhere in the workspace never gets them.
 */
export function fieldFactsFor(file: string, facts: readonly FieldFact[]): FieldFact[] {
  const doc = path.resolve(file);
  return facts.filter((f) => {
    const from = f.origin[0]?.file;
    if (!from) return false;
    const storer = path.resolve(from);
    if (storer === doc) return false;
    const scope = path.dirname(path.dirname(storer));
    return doc.startsWith(scope.endsWith(path.sep) ? scope : scope + path.sep);
  });
}

/**
 * What the untouched files of a base say, for a patch review of `touched` (base-relative paths):
 * the summaries and member facts of other files, with their paths made relative to the base as the
 * patch names its files (patch/review.ts PatchReviewOptions.baseContext).
 */
export function untouchedFacts(base: string, touched: readonly string[], summaries: Iterable<FunctionSummary>, fields: readonly FieldFact[]): { summaries: FunctionSummary[]; fields: FieldFact[] } {
  const root = path.resolve(base);
  return untouchedFactsBy((f) => baseRelative(root, f), touched, summaries, fields);
}

/**
 * untouchedFacts for a base whose files are not under one directory (the scopes of a git revision,
 * each written out on its own: gitbase.ts): `rel` gives a scanned file's base-relative path.
 */
export function untouchedFactsBy(rel: (file: string) => string, touched: readonly string[], summaries: Iterable<FunctionSummary>, fields: readonly FieldFact[]): { summaries: FunctionSummary[]; fields: FieldFact[] } {
  const skip = new Set(touched.map((p) => path.posix.normalize(p.replace(/\\/g, '/'))));
  return {
    summaries: [...summaries].filter((s) => !skip.has(rel(s.file))).map((s) => relativize(s, rel)),
    fields: fields.filter((f) => !f.origin.some((o) => skip.has(rel(o.file)))).map((f) => relativize(f, rel)),
  };
}

/** A copy of `v` with every `file` string property mapped through `rel`. */
function relativize<T>(v: T, rel: (f: string) => string): T {
  if (Array.isArray(v)) return v.map((x) => relativize(x, rel)) as T;
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = k === 'file' && typeof x === 'string' ? rel(x) : relativize(x, rel);
  return out as T;
}

/** `file` relative to `root` with `/` separators, as a patch names it; unchanged when outside `root`. */
export function baseRelative(root: string, file: string): string {
  const abs = path.resolve(root, file);
  return abs.startsWith(root + path.sep) ? abs.slice(root.length + 1).split(path.sep).join('/') : file;
}
