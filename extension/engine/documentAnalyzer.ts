/**
 * Incremental parse + analysis of editor documents. Pure (no `vscode`): it runs inside the analysis
 * worker, and the unit tests drive it directly.
 *
 * For a document whose previous version is cached, each content change is applied to the old tree
 * as a tree-sitter edit (pre-edit range), and the new text is parsed with the old tree so that
 * tree-sitter reuses every untouched subtree. The tree is then walked once into the analyzer's
 * plain SNode form (the analyzer never sees tree-sitter objects).
 */
import type { Language, Parser, Tree } from 'web-tree-sitter';
import type { AnalysisResult, AnalyzeOptions } from '../../analyzer/types';
import { AnalysisMemo } from '../../analyzer/engine/memo';
import { CursorLike, SNode } from '../../analyzer/parse/syntax';
import { copyTree, recoverTopLevelErrors, snodeFromTree } from '../../analyzer/parse/backends';
import { EditLike, toTreeSitterEdit } from './edits';
import { rebuildWithReuse } from './reuse';
import { TreeCache } from './treeCache';
import type { AnalyzeRequest, AnalyzeResponse, EngineTimings } from './protocol';

type WebTS = typeof import('web-tree-sitter');

export type AnalyzeTreeFn = (root: SNode, text: string, file: string, opts?: AnalyzeOptions, memo?: AnalysisMemo) => AnalysisResult;

export interface DocumentAnalyzerOptions {
  /** Trees kept at once (each holds WASM memory roughly the size of its text × 10). */
  cacheSize?: number;
  /** A parse that runs longer is abandoned (tree-sitter progress callback). */
  parseTimeoutMs?: number;
  /** Keep a per-function analysis memo per document (default true). */
  memo?: boolean;
}

export class ParseTimeoutError extends Error {}

/**
 * A cached document: its tree (WASM memory), the SNode tree built from it, and the per-function
 * analysis memo of its last analysis (dropped with the tree: on close, eviction, a failed parse).
 */
class CachedDoc {
  constructor(readonly tree: Tree, public root: SNode | undefined, readonly memo?: AnalysisMemo) {}
  delete(): void {
    this.tree.delete();
  }
}

interface Parsed {
  tree: Tree;
  /** Set when the SNode tree can be derived from the previous one. */
  reuse?: { prev: SNode; edit: EditLike; changed: { startIndex: number; endIndex: number }[] };
  /** Same version as cached: the previous SNode tree is still exact. */
  same?: SNode;
  /** The memo of the cached previous version (per-function results that may still hold). */
  memo?: AnalysisMemo;
}

export const DEFAULT_MAX_LENGTH = 4 * 1024 * 1024;

export class DocumentAnalyzer {
  private parser: Parser;
  private readonly trees: TreeCache<CachedDoc>;
  /** Subtree reuse counters since construction (tests, benchmark). */
  readonly reuse = { reused: 0, walked: 0 };
  private readonly parseTimeoutMs: number;
  /** Per-function analysis memo (off: every edit re-analyses the whole file; benchmark baseline). */
  private readonly useMemo: boolean;

  constructor(
    private readonly ts: WebTS,
    private readonly language: Language,
    private readonly analyzeTree: AnalyzeTreeFn,
    opts: DocumentAnalyzerOptions = {},
  ) {
    this.trees = new TreeCache<CachedDoc>(opts.cacheSize ?? 24);
    this.parseTimeoutMs = opts.parseTimeoutMs ?? 20_000;
    this.useMemo = opts.memo ?? true;
    this.parser = this.newParser();
  }

  private newParser(): Parser {
    const p = new this.ts.Parser();
    p.setLanguage(this.language);
    return p;
  }

  /** Documents with a cached tree (for tests and diagnostics of the engine itself). */
  cachedDocuments(): string[] {
    return this.trees.keys();
  }

  close(uri: string): void {
    this.trees.delete(uri);
  }

  dispose(): void {
    this.trees.clear();
    this.parser.delete();
  }

  analyze(req: AnalyzeRequest): AnalyzeResponse {
    const timings: EngineTimings = { parseMs: 0, buildMs: 0, analyzeMs: 0, incremental: false };
    const base = { kind: 'result' as const, id: req.id, uri: req.uri, version: req.version, timings };
    const maxLength = req.maxLength ?? DEFAULT_MAX_LENGTH;
    if (req.text.length > maxLength) {
      this.trees.delete(req.uri);
      return { ...base, error: `not analysed: ${req.text.length} characters is over the limit of ${maxLength} (setting vmalias.maxFileSizeKB)` };
    }
    let parsed: Parsed;
    try {
      parsed = this.parse(req, timings);
    } catch (e) {
      if (e instanceof ParseTimeoutError) {
        this.trees.delete(req.uri);
        return { ...base, error: e.message };
      }
      // A WASM trap ("memory access out of bounds") can leave the parser and cached trees unusable:
      // drop all of them and parse this document once more from scratch.
      this.trees.clear();
      try { this.parser.delete(); } catch { /* already broken */ }
      this.parser = this.newParser();
      try {
        timings.incremental = false;
        parsed = { tree: this.parseFresh(req.text, timings) };
      } catch (e2) {
        return { ...base, error: `parse failed: ${(e2 as Error).message} (first attempt: ${(e as Error).message})` };
      }
    }
    const tree = parsed.tree;
    const t1 = performance.now();
    let root: SNode;
    if (parsed.same) root = parsed.same;
    else if (!parsed.reuse) root = copyTree(tree, req.text);
    else {
      const cursor = tree.walk();
      try {
        root = rebuildWithReuse(cursor as unknown as CursorLike, parsed.reuse.prev, parsed.reuse.edit, parsed.reuse.changed, this.reuse);
      } finally {
        cursor.delete();
      }
    }
    timings.buildMs = performance.now() - t1;
    // One-shot documents get no memo; an open one carries its memo on to the next version.
    const memo = req.noCache || !this.useMemo ? undefined : parsed.memo ?? new AnalysisMemo();
    if (req.noCache) tree.delete();
    else this.trees.set(req.uri, req.version, new CachedDoc(tree, root, memo));
    const t2 = performance.now();
    try {
      // Keep syntax damage local (as the CLI's backends do): re-parse top-level ERROR regions in
      // pieces. That makes a new root; the cached root still mirrors tree-sitter's tree for reuse.
      const analysisRoot = recoverTopLevelErrors(root, req.text, (piece) => {
        const t = this.parser.parse(piece);
        if (!t) throw new Error('parse failed');
        return snodeFromTree(t, piece);
      });
      let result: AnalysisResult;
      try {
        result = this.analyzeTree(analysisRoot, req.text, req.file, req.options, memo);
      } finally {
        // the recovered root shares the undamaged children: point them back at the cached root
        if (analysisRoot !== root) for (const c of root.children) c.parent = root;
      }
      timings.analyzeMs = performance.now() - t2;
      if (memo) timings.memo = { reused: memo.last.reused, analysed: memo.last.analysed };
      result.stats = { ...result.stats, parseMs: timings.parseMs };
      return { ...base, result };
    } catch (e) {
      timings.analyzeMs = performance.now() - t2;
      return { ...base, error: `analysis failed: ${(e as Error).stack ?? String(e)}` };
    }
  }

  private parse(req: AnalyzeRequest, timings: EngineTimings): Parsed {
    const cached = req.noCache ? undefined : this.trees.take(req.uri);
    if (cached && req.changes && req.baseVersion !== undefined && cached.version === req.baseVersion) {
      const old = cached.tree.tree;
      try {
        const edits = req.changes.map(toTreeSitterEdit);
        for (const e of edits) old.edit(new this.ts.Edit(e));
        timings.incremental = true;
        const tree = this.runParser(req.text, old, timings);
        const prev = cached.tree.root;
        // One edit (typing, a quick fix): unchanged top-level subtrees of the old SNode tree are reused.
        const memo = cached.tree.memo;
        if (prev && edits.length === 1) {
          const changed = tree.getChangedRanges(old).map((r) => ({ startIndex: r.startIndex, endIndex: r.endIndex }));
          return { tree, reuse: { prev, edit: edits[0], changed }, memo };
        }
        return { tree, memo };
      } finally {
        old.delete();
      }
    }
    if (cached && cached.version === req.version && !req.changes?.length) {
      // Same version again (e.g. settings changed): the tree and its SNode form are still right.
      timings.incremental = true;
      return { tree: cached.tree.tree, same: cached.tree.root, memo: cached.tree.memo };
    }
    cached?.tree.delete();
    // The memo is keyed by function text, not by version: it stays valid across a full re-parse.
    return { tree: this.parseFresh(req.text, timings), memo: cached?.tree.memo };
  }

  private parseFresh(text: string, timings: EngineTimings): Tree {
    return this.runParser(text, null, timings);
  }

  private runParser(text: string, oldTree: Tree | null, timings: EngineTimings): Tree {
    const t0 = performance.now();
    const deadline = t0 + this.parseTimeoutMs;
    const tree = this.parser.parse(text, oldTree, { progressCallback: () => performance.now() > deadline });
    timings.parseMs = performance.now() - t0;
    if (!tree) {
      this.parser.reset();
      throw new ParseTimeoutError(`not analysed: parsing took longer than ${this.parseTimeoutMs} ms`);
    }
    return tree;
  }
}
