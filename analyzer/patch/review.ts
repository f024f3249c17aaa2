/**
 * Patch review: for each C file a patch touches, analyse it before and after the patch and keep
 * the findings the patch introduces (present after, absent before, matched by rule + function +
 * buffer). A patch that deletes a needed flush thus owns the finding although none of its added
 * lines submits I/O. A finding that left another file of the series with its function (moved code,
 * a rename posted as a delete + an add) is not introduced where the function arrives. Findings are
 * placed at the patch line showing the submitting call, or — when that line is outside every hunk —
 * at the first changed line of the nearest hunk of the function.
 */
import { createHash } from 'crypto';
import { analyzeText } from '../analyze';
import { givesMemory, type AnalysisResult, type AnalyzeOptions, type FieldFact, type Finding, type FunctionSummary, type KernelVersion, type Span } from '../types';
import { kernelVersionAbove, kernelVersionOfMakefile } from '../kernel-version';
import { applySeries, BaseTree, EMPTY_BASE, FileResult, fsBase, HunkPlacement, LineMap } from './apply';
import { buildFragment, Fragment } from './fragment';
import { formatPatchRange, gitBase, rangeBaseRev } from './git';
import type { FilePatch, Hunk, Patch, PatchFinding, PatchProblem, PatchSet } from './model';
import { describePatch, isCFile, patchTag } from './model';
import { parsePatches } from './parse';
import { fieldFactsFor } from '../scan/summaries';
import type { ContextBase } from '../scan/context';
import { SINK_ROWS } from '../tables/sinks';

export type AnalyzeTextFn = (text: string, file: string, opts: AnalyzeOptions) => Promise<AnalysisResult>;

export interface PatchReviewOptions extends AnalyzeOptions {
  /** Base tree directory; without it new files are analysed whole and modified files from hunks. */
  base?: string;
  /** A base tree other than a directory (e.g. gitBase(repo, rev)); takes precedence over `base`. */
  baseTree?: BaseTree;
  /** Also report findings that exist before the patch, marked `preexisting: true`. */
  all?: boolean;
  /** The analyzer; defaults to analyzer/analyze.ts `analyzeText`. Injectable for tests. */
  analyze?: AnalyzeTextFn;
  /**
   * What the untouched files of the base say about the touched ones' subsystems (function
   * summaries, struct-member facts; paths relative to the base), given the base-relative paths of
   * the C files the series touches, the kernel version the review applies (`kernel`, or the
   * base's) and where the base is: the `base` directory, or the git revision of a `baseTree` read
   * from git (gitBase). Called once per review, not for a base that is neither
   * (analyzer/scan/context.ts reviewContext; the CLI supplies it).
   */
  baseContext?: (paths: string[], opts: { kernel?: KernelVersion; base: ContextBase }) => Promise<{
    summaries: FunctionSummary[];
    fields: FieldFact[];
    notes?: string[];
    /** The untouched files of the base that call each of `names` (base-relative), for consequences. */
    callers?: (names: string[]) => Promise<Map<string, string[]>>;
    /** The untouched files of the base that read each struct member `T.m`, for consequences. */
    readers?: (members: string[]) => Promise<Map<string, string[]>>;
    /** Called once the review is done with `callers` and `readers`. */
    dispose?: () => void;
  } | undefined>;
}

/** Untouched callers analysed for the consequences of one changed function, and for a whole review. */
const MAX_CONSEQUENCE_FILES = 16;
const MAX_CONSEQUENCE_ANALYSES = 64;

/** Everything a reply needs about one finding, beyond the PatchFinding itself. */
export interface ReviewItem {
  pf: PatchFinding;
  patch: Patch;
  file: FilePatch;
  /** The hunk the finding is reported in. */
  hunk?: Hunk;
  /** The text that was analysed (post-image or fragment) and its line → post-image line map. */
  analyzedText: string;
  imageLine: (analyzedLine: number) => number;
  /** Post-image line ↔ patch line of the file in this patch. */
  map: LineMap;
  /**
   * A finding in a file the series does not touch: its lines there (the statement at the finding)
   * and, when a helper of another file does the wrong thing, that helper's line — what the reply
   * quotes besides the hunk that causes it.
   */
  untouched?: QuotedLine[];
}

/** Lines of a file quoted in a reply: `path:line`, the text of each line, and what the place is. */
export interface QuotedLine {
  path: string;
  line: number;
  lines: string[];
  /** `in zlog_submit_kbuf()`, or that the patch does not touch the file. */
  what: string;
}

export interface PatchReview {
  set: PatchSet;
  items: ReviewItem[];
  findings: PatchFinding[];
  /** Everything worth telling the user: what was skipped on purpose, then the problems. */
  notes: string[];
  /** Real problems only (malformed or truncated input, refused paths, hunks that do not apply, analysis failures). */
  problems: PatchProblem[];
}

/** rule + function + buffer: how a finding is recognised before and after a patch. */
export function findingKey(f: Pick<Finding, 'rule' | 'function' | 'buffer'>): string {
  return `${f.rule}\u0000${f.function}\u0000${f.buffer.replace(/\s+/g, '')}`;
}

/** Split `after` into findings the patch introduced and ones that were already there (multiset match). */
export function diffFindings(before: Finding[], after: Finding[]): { introduced: Finding[]; preexisting: Finding[] } {
  const pool = new Map<string, number>();
  for (const f of before) pool.set(findingKey(f), (pool.get(findingKey(f)) ?? 0) + 1);
  const introduced: Finding[] = [];
  const preexisting: Finding[] = [];
  for (const f of after) {
    const k = findingKey(f);
    const n = pool.get(k) ?? 0;
    if (n > 0) {
      pool.set(k, n - 1);
      preexisting.push(f);
    } else introduced.push(f);
  }
  return { introduced, preexisting };
}

/** The function body around `line` in kernel style: `{` or `head {` in column 0 up to `}` in column 0. */
export function functionExtent(lines: string[], line: number): [number, number] {
  let start = 1;
  for (let i = Math.min(line, lines.length); i >= 1; i--) {
    const t = lines[i - 1];
    if (/^\{/.test(t) || /^[A-Za-z_].*\)\s*\{\s*$/.test(t)) {
      start = i;
      break;
    }
    if (i < line && /^\}/.test(t)) {
      start = i + 1;
      break;
    }
  }
  let end = lines.length;
  for (let i = Math.max(line, 1); i <= lines.length; i++) {
    if (/^\}/.test(lines[i - 1])) {
      end = i;
      break;
    }
  }
  return [start, end];
}

/** Pick the hunk a finding outside every hunk is reported at. */
export function hunkForOutside(placements: HunkPlacement[], postLines: string[], postLine: number, fn: string): HunkPlacement | undefined {
  const applied = placements.filter((p) => p.applied && p.postRange);
  if (applied.length === 0) return undefined;
  const [s, e] = functionExtent(postLines, postLine);
  let cands = applied.filter((p) => (p.changedPostLines ?? []).some((l) => l >= s && l <= e));
  if (cands.length === 0) cands = applied.filter((p) => p.hunk.section.includes(`${fn}(`));
  if (cands.length === 0) cands = applied;
  const dist = (p: HunkPlacement): number => {
    const [a, b] = p.postRange ?? [0, 0];
    if (postLine < a) return (a - postLine) * 2 + 1; // prefer a hunk before the line on ties
    if (postLine > b) return (postLine - b) * 2;
    return 0;
  };
  return cands.reduce((best, p) => (dist(p) < dist(best) ? p : best));
}

/** Placements of a file's hunks at their header positions (no base: the header is all we know). */
function headerPlacements(hunks: Hunk[]): { placements: HunkPlacement[]; map: LineMap } {
  const map = new LineMap();
  const placements: HunkPlacement[] = [];
  for (const h of hunks) {
    if (h.malformed) {
      placements.push({ hunk: h, applied: false });
      continue;
    }
    const changed: number[] = [];
    let next = h.newCount === 0 ? h.newStart + 1 : h.newStart;
    let firstChanged: number | undefined;
    for (const l of h.lines) {
      if (l.newLine !== undefined) {
        map.set(l.newLine, l.patchLine);
        next = l.newLine + 1;
      }
      if (l.kind === '+') changed.push(l.newLine ?? next);
      if (l.kind === '-') changed.push(next);
      if (l.kind !== ' ') firstChanged ??= l.patchLine;
    }
    const first = h.newCount === 0 ? h.newStart + 1 : h.newStart;
    placements.push({
      hunk: h,
      applied: true,
      newStart: first,
      offset: 0,
      changedPostLines: changed,
      firstChangedPatchLine: firstChanged ?? h.patchLine,
      postRange: [first, Math.max(first, first + h.newCount - 1)],
    });
  }
  return { placements, map };
}

function remapSpan(span: Span, toImage: (l: number) => number): Span {
  return {
    ...span,
    start: { ...span.start, line: toImage(span.start.line) },
    end: { ...span.end, line: toImage(span.end.line) },
  };
}

/** Fragment line → image line; synthetic lines take the next real line (else the previous one). */
function fragmentLineMapper(frag: Fragment): (l: number) => number {
  return (l: number): number => {
    for (let i = l; i < frag.imageLine.length; i++) if (frag.imageLine[i]) return frag.imageLine[i];
    for (let i = Math.min(l, frag.imageLine.length - 1); i >= 1; i--) if (frag.imageLine[i]) return frag.imageLine[i];
    return 1;
  };
}

function relabel(f: Finding, toImage: (l: number) => number, lowConfidence: boolean): Finding {
  const g: Finding = {
    ...f,
    span: remapSpan(f.span, toImage),
    trace: f.trace.map((t) => ({ ...t, span: remapSpan(t.span, toImage) })),
  };
  if (lowConfidence) g.confidence = 'low';
  return g;
}

interface FileAnalysis {
  after: Finding[];
  before: Finding[];
  /** Post-image lines (whole file, or the fragment's lines placed at their image lines). */
  postLines: string[];
  placements: HunkPlacement[];
  map: LineMap;
  analyzedText: string;
  toImage: (l: number) => number;
  low: boolean;
}

/**
 * Analyses memoized by path, content and the summaries of other files: in a series the
 * post-image of one patch is the pre-image of the next patch touching the file, so each text is
 * analysed once.
 */
type AnalysisCache = Map<string, Promise<FileFacts & { findings: Finding[] }>>;

/** What a file's analysis says for other files: its summaries and its struct-member facts. */
interface FileFacts {
  summaries: FunctionSummary[];
  fields: FieldFact[];
}

/** Summaries of functions in other files, by function name, and what they store in members. */
interface External {
  summaries: Map<string, FunctionSummary>;
  fields: FieldFact[];
  /** The untouched files of a directory base (PatchReviewOptions.baseContext); the series' own win. */
  base?: BaseFacts;
}

interface BaseFacts {
  summaries: FunctionSummary[];
  fields: FieldFact[];
}

interface FileAnalysisOut extends FileAnalysis {
  /** Whole-file summaries and member facts (complete files only: fragments have partial functions). */
  beforeFacts: FileFacts;
  afterFacts: FileFacts;
}

const NO_FACTS: FileFacts = { summaries: [], fields: [] };

function externalKey(ext: External | undefined): string {
  if (!ext || (ext.summaries.size === 0 && ext.fields.length === 0)) return '';
  const sums = [...ext.summaries.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return createHash('sha1').update(JSON.stringify([sums, ext.fields])).digest('hex');
}

/** One analysis of `text` as file `r.path`, memoized in `cache`; a failure becomes a problem and no findings. */
function runAnalysis(
  r: FileResult,
  text: string,
  confidence: 'high' | 'low',
  external: External | undefined,
  analyze: AnalyzeTextFn,
  opts: PatchReviewOptions,
  failures: PatchProblem[],
  cache: AnalysisCache,
): Promise<FileFacts & { findings: Finding[] }> {
  const who = describePatch(r.patch);
  const key = `${confidence}\u0000${r.path}\u0000${createHash('sha1').update(text).digest('hex')}\u0000${externalKey(external)}`;
  let p = cache.get(key);
  if (!p) {
    const externalSummaries = new Map([...(opts.externalSummaries ?? new Map<string, FunctionSummary>()), ...(external?.base?.summaries ?? []).map((x) => [x.name, x] as const), ...(external?.summaries ?? new Map<string, FunctionSummary>())]);
    // what other files of the series store in members of this file's subsystem's types
    // the series' own facts for a member replace the base's
    const seriesFields = external?.fields ?? [];
    const baseFields = (external?.base?.fields ?? []).filter((b) => !seriesFields.some((f) => f.key === b.key && f.t === b.t));
    const externalFields = fieldFactsFor(r.path, [...baseFields, ...seriesFields]);
    p = analyze(text, r.path, { ...opts, confidence, ...(externalSummaries.size ? { externalSummaries } : {}), ...(externalFields.length ? { externalFields } : {}) }).then(
      (res) => ({ findings: res.findings, summaries: res.summaries ?? [], fields: res.fieldFacts ?? [] }),
      (e: unknown) => {
        failures.push({ patch: r.patch.index, line: r.file.patchLine, message: `${who}: analysis of ${r.path} failed: ${(e as Error).message}` });
        return { findings: [], ...NO_FACTS };
      },
    );
    cache.set(key, p);
  }
  return p;
}

async function analyzeFile(
  r: FileResult,
  analyze: AnalyzeTextFn,
  opts: PatchReviewOptions,
  failures: PatchProblem[],
  cache: AnalysisCache,
  ext: { before?: External; after?: External } = {},
): Promise<FileAnalysisOut | undefined> {
  const run = (text: string, confidence: 'high' | 'low', external: External | undefined): Promise<FileFacts & { findings: Finding[] }> =>
    runAnalysis(r, text, confidence, external, analyze, opts, failures, cache);
  const identity = (l: number): number => l;
  if (r.complete) {
    if (r.after === undefined) return undefined;
    const after = await run(r.after, 'high', ext.after);
    const before = r.before !== undefined ? await run(r.before, 'high', ext.before) : { findings: [], ...NO_FACTS };
    return {
      after: after.findings,
      before: before.findings,
      afterFacts: { summaries: after.summaries, fields: after.fields },
      beforeFacts: { summaries: before.summaries, fields: before.fields },
      postLines: r.after.split('\n'),
      placements: r.placements,
      map: r.map,
      analyzedText: r.after,
      toImage: identity,
      low: false,
    };
  }
  if (r.file.status === 'deleted' || r.file.status === 'added') return undefined;
  const post = buildFragment(r.file.hunks, 'post');
  const pre = buildFragment(r.file.hunks, 'pre');
  const toPost = fragmentLineMapper(post);
  const toPre = fragmentLineMapper(pre);
  const after = (await run(post.text, 'low', ext.after)).findings.map((f) => relabel(f, toPost, true));
  const before = (await run(pre.text, 'low', ext.before)).findings.map((f) => relabel(f, toPre, true));
  const { placements, map } = headerPlacements(r.file.hunks);
  const postLines: string[] = [];
  const fragLines = post.text.split('\n');
  for (let i = 1; i < post.imageLine.length; i++) if (post.imageLine[i]) postLines[post.imageLine[i] - 1] = fragLines[i - 1];
  for (let i = 0; i < postLines.length; i++) postLines[i] ??= '';
  return { after, before, afterFacts: NO_FACTS, beforeFacts: NO_FACTS, postLines, placements, map, analyzedText: post.text, toImage: toPost, low: true };
}

/** Union of the summaries of `files` (path → summaries), leaving out `skip`. */
function externalFrom(files: Map<string, FileFacts>, skip: Set<string>, base: BaseFacts | undefined): External {
  const m: External = { summaries: new Map(), fields: [], ...(base ? { base } : {}) };
  for (const [path, facts] of files) {
    if (skip.has(path)) continue;
    for (const sm of facts.summaries) m.summaries.set(sm.name, sm);
    m.fields.push(...facts.fields);
  }
  return m;
}

/**
 * Analyse the C files of one patch with the summaries of the other files the series has shown so
 * far (`known`: path → summaries of its latest post-image). A patch touching several files gets
 * a second pass in which each file sees the other files' summaries before and after this patch,
 * so a helper changed in one file and its caller in another are judged together.
 */
async function analyzePatchFiles(
  files: FileResult[],
  known: Map<string, FileFacts>,
  analyze: AnalyzeTextFn,
  opts: PatchReviewOptions,
  failures: PatchProblem[],
  cache: AnalysisCache,
  base: BaseFacts | undefined,
): Promise<Map<FileResult, FileAnalysisOut | undefined>> {
  const here = new Set(files.map((r) => r.path));
  const out = new Map<FileResult, FileAnalysisOut | undefined>();
  for (const r of files) {
    out.set(r, await analyzeFile(r, analyze, opts, failures, cache, { before: externalFrom(known, new Set([r.path]), base), after: externalFrom(known, here, base) }));
  }
  if (files.length > 1) {
    for (const r of files) {
      const before = new Map(known);
      const after = new Map([...known].filter(([p]) => !here.has(p)));
      for (const [o, fa] of out) {
        if (o === r || !fa) continue;
        before.set(o.path, fa.beforeFacts);
        after.set(o.path, fa.afterFacts);
      }
      const eb = externalFrom(before, new Set([r.path]), base);
      const ea = externalFrom(after, new Set([r.path]), base);
      if (eb.summaries.size || ea.summaries.size || eb.fields.length || ea.fields.length) out.set(r, await analyzeFile(r, analyze, opts, failures, cache, { before: eb, after: ea }));
    }
  }
  for (const r of files) {
    const fa = out.get(r);
    if (r.file.status === 'renamed' && r.file.oldPath) known.delete(r.file.oldPath);
    if (fa && !fa.low) known.set(r.path, fa.afterFacts);
  }
  return out;
}

/**
 * Does `text` define function `name`? Kernel style: the head starts in column 0 (`static int
 * name(…)` or the name alone under its return type) and its parameter list is followed by `{`, so a
 * prototype, an `EXPORT_SYMBOL(name);` or a call is not a definition.
 */
export function definesFunction(text: string, name: string): boolean {
  const head = new RegExp(`^[A-Za-z_][^;{}]*?\\b${name.replace(/\W/g, '\\$&')}\\s*\\(`, 'gm');
  for (let m = head.exec(text); m; m = head.exec(text)) {
    let depth = 0;
    let i = m.index + m[0].length - 1;
    for (; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) break;
    }
    const rest = text.slice(i + 1).replace(/^(\s|\/\*[\s\S]*?\*\/)+/, '');
    if (rest.startsWith('{')) return true;
  }
  return false;
}

/** What a deleted file had before the patch deleting it (`low`: rebuilt from the deletion's hunks). */
interface Removed extends FileFacts {
  findings: Finding[];
  low: boolean;
}

/** What the series' files define, as a whole: function summaries by name, member facts by member and kind. */
interface TreeFacts {
  summaries: Map<string, FunctionSummary>;
  fields: Map<string, FieldFact>;
}

/** One member fact's identity: the member and what is kept in it (a member and the table kept in it are two). */
const factId = (f: FieldFact): string => `${f.key}\0${f.t}`;

/**
 * What the series' files define before the first patch (`[0]`) and after each patch (`[k]`): the
 * files' facts before the first patch touching them, then each patch's post-images (a deleted or
 * renamed-away file defines nothing). Fragments (no base) define nothing. A function or member
 * fact moved between files is in every state, wherever it lives.
 */
function seriesStates(patches: Patch[], files: FileResult[], analyses: Map<FileResult, FileAnalysisOut | undefined>, removed: Map<FileResult, Removed>): TreeFacts[] {
  const state = new Map<string, FileFacts>();
  for (const r of files) {
    const src = r.file.oldPath ?? r.path;
    if (state.has(src) || r.file.status === 'added') continue;
    const gone = removed.get(r);
    const fa = analyses.get(r);
    if (gone && !gone.low) state.set(src, gone);
    else if (fa && !fa.low) state.set(src, fa.beforeFacts);
  }
  const union = (): TreeFacts => {
    const t: TreeFacts = { summaries: new Map(), fields: new Map() };
    for (const facts of state.values()) {
      for (const x of facts.summaries) t.summaries.set(x.name, x);
      for (const f of facts.fields) t.fields.set(factId(f), f);
    }
    return t;
  };
  const out = [union()];
  for (const patch of patches) {
    for (const r of files) {
      if (r.patch !== patch) continue;
      const src = r.file.oldPath ?? r.path;
      const fa = analyses.get(r);
      if (r.file.status === 'deleted' || src !== r.path) state.delete(src);
      if (r.file.status !== 'deleted' && fa && !fa.low) state.set(r.path, fa.afterFacts);
    }
    out.push(union());
  }
  return out;
}

/**
 * How many findings of each identity (findingKey) the series' files have after each patch (`[k]`
 * after the k-th, 0-based): each file's latest after-analysis. A deleted or renamed-away file has
 * none; a fragment (no base) says nothing about its file, which keeps what it had.
 */
function findingCounts(patches: Patch[], files: FileResult[], analyses: Map<FileResult, FileAnalysisOut | undefined>): Map<string, number>[] {
  const state = new Map<string, Finding[]>();
  return patches.map((patch) => {
    for (const r of files) {
      if (r.patch !== patch) continue;
      const fa = analyses.get(r);
      if (r.file.status === 'deleted' || r.file.status === 'renamed') state.delete(r.file.oldPath ?? r.path);
      if (r.file.status !== 'deleted' && fa && !fa.low) state.set(r.path, fa.after);
    }
    const counts = new Map<string, number>();
    for (const list of state.values()) for (const f of list) counts.set(findingKey(f), (counts.get(findingKey(f)) ?? 0) + 1);
    return counts;
  });
}

/**
 * The later patch (0-based) after which a finding patch `k` introduced is gone for good: from it to
 * the end of the series, the series' files have fewer findings of its identity than after `k`,
 * less `rank` (the same patch's earlier findings of the identity go first). A finding that only
 * leaves with its function, to come back in another file, is not gone; undefined when it stays.
 */
function fixedAfter(counts: Map<string, number>[], k: number, key: string, rank: number): number | undefined {
  if (k < 0) return undefined;
  const limit = (counts[k].get(key) ?? 0) - rank;
  let at: number | undefined;
  for (let j = counts.length - 1; j > k && (counts[j].get(key) ?? 0) < limit; j--) at = j;
  return at;
}

/**
 * The state of `key` around patch `k` (0-based) as the series' other files see it, for a file
 * that lacks it on one side of the patch: before, the latest state up to the patch that has it
 * (a function removed from another file earlier in the series); after, the first state from the
 * patch on that has it (one that reappears in a later patch). A function in transit between two
 * files of the series thus keeps its summary; one the series really adds or removes has none.
 */
function inTransit<T>(states: TreeFacts[], k: number, pick: (t: TreeFacts) => T | undefined): { before: T | undefined; after: T | undefined } {
  let before: T | undefined;
  for (let i = k; i >= 0 && before === undefined; i--) before = pick(states[i]);
  let after: T | undefined;
  for (let i = k + 1; i < states.length && after === undefined; i++) after = pick(states[i]);
  return { before, after };
}

/**
 * A finding a patch takes out of a file together with its function: the function was moved to
 * another file (or renamed as a delete + an add, or the file deleted), and the finding goes with it.
 */
interface Vacated {
  key: string;
  patch: number;
  /** The file the function left. */
  path: string;
  /** The finding is in that file before the series (so it predates any patch of the series). */
  inBase: boolean;
  used: boolean;
}

/**
 * The findings of the series' files that leave with their function: in the file's analysis before
 * the patch, not matched after it, and the function no longer defined after it (every finding of
 * a deleted file). `removed` holds what deleted files had.
 */
function vacatedFindings(files: FileResult[], analyses: Map<FileResult, FileAnalysisOut | undefined>, removed: Map<FileResult, Removed>): Vacated[] {
  const out: Vacated[] = [];
  // each source file's findings before the series: the before of the first patch touching it
  const base = new Map<string, Finding[]>();
  for (const r of files) {
    const src = r.file.oldPath ?? r.path;
    const gone = removed.get(r)?.findings;
    const fa = analyses.get(r);
    if (!base.has(src) && (gone || fa)) base.set(src, gone ?? fa?.before ?? []);
    const left = gone ?? (fa ? diffFindings(fa.after, fa.before).introduced.filter((f) => !definesFunction(fa.analyzedText, f.function)) : []);
    const pre = base.get(src) ?? [];
    for (const f of left) out.push({ key: findingKey(f), patch: r.patch.index, path: src, inBase: pre.some((b) => findingKey(b) === findingKey(f)), used: false });
  }
  return out;
}

/**
 * Split the findings a file's diff calls introduced in patch `patch`: one whose identity (rule,
 * function, buffer) left another file with its function — in this patch or an earlier one, or in
 * a later one when it was there before the series (a copy first, the old one removed after) — is
 * moved code, not new. Each vacated finding answers for one moved finding.
 */
function takeMoved(introduced: Finding[], patch: number, vacated: Vacated[]): { introduced: Finding[]; moved: { finding: Finding; from: Vacated }[] } {
  const left: Finding[] = [];
  const moved: { finding: Finding; from: Vacated }[] = [];
  for (const f of introduced) {
    const k = findingKey(f);
    const ok = (v: Vacated): boolean => !v.used && v.key === k;
    const from = vacated.find((v) => ok(v) && v.patch <= patch) ?? vacated.find((v) => ok(v) && v.inBase);
    if (from) {
      from.used = true;
      moved.push({ finding: f, from });
    } else left.push(f);
  }
  return { introduced: left, moved };
}

/** A file of the base, or undefined when it cannot be read (it is then not judged). */
function readOrUndefined(base: BaseTree, p: string): string | undefined {
  try {
    return base.read(p);
  } catch {
    return undefined;
  }
}

/** The statement starting at 1-based `line` of `lines` (up to its `;`, `{` or `)`-ended line, at most 4 lines). */
function statementAt(lines: readonly string[], line: number): string[] {
  const out: string[] = [];
  for (let i = line - 1; i < lines.length && out.length < 4; i++) {
    out.push(lines[i].replace(/\s+$/, ''));
    if (/[;{}]\s*(\/\*.*\*\/)?$/.test(lines[i])) break;
  }
  return out;
}

/** The linear-map conversions the analyzer knows (virt_to_page(), sg_init_one(), dma_map_single() …). */
const LINEAR = new RegExp(`\\b(?:${SINK_ROWS.filter((x) => x.kind === 'linear').map((x) => x.name).join('|')})\\s*\\(`);

/**
 * What a reply quotes of a finding in untouched file `p`: the statement at the finding, and for a
 * linear-map conversion inside a helper of another file (`zlog_submit_kbuf()` calling
 * `virt_to_page(buf)`), the helper's line that converts — found in the helper's body in `read(file)`.
 */
export function untouchedQuote(p: string, text: string, f: Finding, summaries: ReadonlyMap<string, FunctionSummary>, read: (file: string) => string | undefined,
  what = 'which this patch does not touch'): QuotedLine[] {
  const lines = text.split('\n');
  const out: QuotedLine[] = [{ path: p, line: f.span.start.line, lines: statementAt(lines, f.span.start.line), what }];
  if (f.rule !== 'vmalloc-linear-map') return out;
  const callee = /^([A-Za-z_]\w*)\s*\(/.exec(text.slice(f.span.startOffset, f.span.endOffset))?.[1];
  const sm = callee ? summaries.get(callee) : undefined;
  if (!callee || !sm?.convertsParams?.length) return out;
  const other = sm.file === p ? text : read(sm.file);
  if (other === undefined) return out;
  const ol = other.split('\n');
  const head = ol.findIndex((l) => new RegExp(`^[A-Za-z_][^;]*\\b${callee}\\s*\\(`).test(l) && !/;\s*$/.test(l));
  if (head < 0) return out;
  const [, end] = functionExtent(ol, head + 1);
  for (let i = head + 1; i < end; i++) {
    if (LINEAR.test(ol[i]) && !/^\s*(\/\/|\*|\/\*)/.test(ol[i])) {
      out.push({ path: sm.file, line: i + 1, lines: statementAt(ol, i + 1), what: `in ${callee}()` });
      break;
    }
  }
  return out;
}

/**
 * The patch line a finding placed at a hunk (not at a line of its own) is reported at: the first
 * added line of the hunk's first run of changes — a line of the file after the patch, as the
 * target's position is — else its first changed line (a hunk that only removes).
 */
export function anchorLine(p: HunkPlacement | undefined): number | undefined {
  if (!p) return undefined;
  const lines = p.hunk.lines;
  const i = lines.findIndex((l) => l.patchLine === p.firstChangedPatchLine);
  if (i >= 0) for (let k = i; k < lines.length && lines[k].kind !== ' '; k++) if (lines[k].kind === '+') return lines[k].patchLine;
  return p.firstChangedPatchLine;
}

/** A finding in untouched file `p`, reported at the hunk of `r` that causes it. */
function untouchedItem(r: FileResult, placement: HunkPlacement, p: string, text: string, finding: Finding, untouched?: QuotedLine[]): ReviewItem {
  return {
    ...(untouched ? { untouched } : {}),
    pf: {
      finding,
      patch: { index: r.patch.index, subject: r.patch.subject, file: r.patch.source, line: anchorLine(placement) ?? r.file.patchLine, column: 1 },
      target: { path: p, line: finding.span.start.line },
    },
    patch: r.patch, file: r.file, hunk: placement.hunk, analyzedText: text, imageLine: (l: number) => l, map: new LineMap(),
  };
}

/**
 * What a series does to files it leaves alone: an exported function of a touched file whose summary
 * changes — it starts handing out vmalloc memory (a wrapper allocator converted to kvmalloc(), a
 * `__vmalloc()` fallback added), stops flushing its argument, starts submitting it — can make its
 * untouched callers wrong. Each caller the base context finds (`callers`, at most
 * MAX_CONSEQUENCE_FILES per function) is analysed with the function's summary before and after the
 * patch; the findings only the after-analysis has are reported at the hunk that changes the
 * function, named for the caller's file and line. A function (or a member store) that moves between
 * files of the series keeps, on the side where this file lacks it, its state in the file it moves
 * from or to (`states`, `inTransit`), so a move changes nothing for the callers.
 */
async function consequences(
  files: FileResult[],
  analyses: Map<FileResult, FileAnalysisOut | undefined>,
  touched: readonly string[],
  base: BaseTree,
  ctx: BaseFacts,
  callers: (names: string[]) => Promise<Map<string, string[]>>,
  readers: ((members: string[]) => Promise<Map<string, string[]>>) | undefined,
  analyze: AnalyzeTextFn,
  opts: PatchReviewOptions,
  notes: string[],
  states: TreeFacts[],
  order: Map<Patch, number>,
): Promise<ReviewItem[]> {
  const out: ReviewItem[] = [];
  const reported = new Set<string>();
  const skip = new Set(touched);
  let budget = MAX_CONSEQUENCE_ANALYSES;
  const capped = new Set<string>();
  const common = ctx.summaries.map((x) => [x.name, x] as const);
  // a file as the series leaves it (a helper the reply quotes may be in a touched file)
  const readLatest = (file: string): string | undefined => [...files].reverse().find((x) => x.path === file && x.after !== undefined)?.after ?? readOrUndefined(base, file);
  for (const r of files) {
    const fa = analyses.get(r);
    if (!fa || fa.low || !r.complete) continue;
    const k = order.get(r.patch) ?? 0;
    const ownBefore = new Map(fa.beforeFacts.summaries.map((x) => [x.name, x]));
    const ownAfter = new Map(fa.afterFacts.summaries.map((x) => [x.name, x]));
    // a function this file gains or loses keeps the summary it has in the file it moves from or to
    const before = new Map<string, FunctionSummary>();
    const after = new Map<string, FunctionSummary>();
    for (const nm of new Set([...ownBefore.keys(), ...ownAfter.keys()])) {
      const moved = inTransit(states, k, (t) => t.summaries.get(nm));
      const b = ownBefore.get(nm) ?? moved.before;
      const a = ownAfter.get(nm) ?? moved.after;
      if (b) before.set(nm, b);
      if (a) after.set(nm, a);
    }
    // what callers see of a function: its summary without where it lives
    const seen = (x: FunctionSummary | undefined): string => (x ? JSON.stringify({ ...x, file: '' }) : '');
    const changed = [...new Set([...before.keys(), ...after.keys()])].sort()
      .filter((nm) => seen(before.get(nm)) !== seen(after.get(nm)))
      .map((nm) => ({ name: nm, gives: givesMemory(after.get(nm) ?? { name: nm, file: r.path }) && !givesMemory(before.get(nm) ?? { name: nm, file: r.path }) }))
      .flatMap((fn) => {
        // the hunk that changes the function: the one in its body, else one whose @@ line names it
        // (or a function-like macro of a header: `#define zlog_alloc_log(n) vzalloc(n)`)
        const def = fa.postLines.findIndex((l) => (new RegExp(`^[A-Za-z_][^;]*\\b${fn.name}\\s*\\(`).test(l) && !/;\s*$/.test(l)) || new RegExp(`^#\\s*define\\s+${fn.name}\\(`).test(l));
        // a static function of a .c file has no callers elsewhere (a same-named one is another function)
        if (def >= 0 && /^static\b/.test(fa.postLines[def]) && r.path.endsWith('.c')) return [];
        const placement = hunkForOutside(fa.placements, fa.postLines, def >= 0 ? def + 1 : 1, fn.name);
        return placement ? [{ ...fn, placement }] : [];
      });
    if (changed.length === 0) continue;
    const callersOf = await callers(changed.map((fn) => fn.name));
    // each caller once, with the changed functions it calls (the first one's hunk is where it is reported)
    const byCaller = new Map<string, typeof changed>();
    for (const fn of changed) {
      for (const p of (callersOf.get(fn.name) ?? []).filter((x) => !skip.has(x)).slice(0, MAX_CONSEQUENCE_FILES)) byCaller.set(p, [...(byCaller.get(p) ?? []), fn]);
    }
    const withBefore = new Map([...common, ...before]);
    const withAfter = new Map([...common, ...after]);
    for (const [p, fns] of byCaller) {
      if (budget-- <= 0) {
        for (const fn of fns) capped.add(fn.name);
        continue;
      }
      const text = readOrUndefined(base, p);
      if (text === undefined) continue;
      const fields = fieldFactsFor(p, ctx.fields);
      const o = { ...opts, baseContext: undefined, ...(fields.length ? { externalFields: fields } : {}) };
      const b = await analyze(text, p, { ...o, externalSummaries: withBefore });
      const a = await analyze(text, p, { ...o, externalSummaries: withAfter });
      const which = fns.map((fn) => `${fn.name}()`).join(', ');
      const what = fns.every((fn) => fn.gives) ? 'makes hand out vmalloc memory' : 'changes';
      const placement = fns[0].placement;
      for (const f of diffFindings(b.findings, a.findings).introduced) {
        reported.add(`${p}:${f.span.start.line}:${f.rule}`);
        out.push(untouchedItem(r, placement, p, text, { ...f, message: `${f.message} (at ${p}:${f.span.start.line}, which this patch does not touch: a caller of ${which}, which it ${what})` },
          untouchedQuote(p, text, f, withAfter, readLatest)));
      }
    }
  }
  // Members: a touched file that starts keeping vmalloc memory in `T.m` (kzalloc() → kvzalloc() in
  // a probe function) makes the untouched files that map `x->m` wrong, with no call between them.
  // the member a fact names
  const memberOf = (f: FieldFact): string => f.key.replace(/\[\]$/, '');
  for (const r of readers ? files : []) {
    const fa = analyses.get(r);
    if (!fa || fa.low || !r.complete || !readers) continue;
    const what = (f: FieldFact | undefined): string => (f ? JSON.stringify([f.t, f.kind, f.mixed ?? false, f.home ?? '']) : '');
    const before = new Map(fa.beforeFacts.fields.map((f) => [factId(f), f]));
    // a store this file gains keeps the fact it has in the file it moves from
    const k = order.get(r.patch) ?? 0;
    const factBefore = (f: FieldFact): FieldFact | undefined => before.get(factId(f)) ?? inTransit(states, k, (t) => t.fields.get(factId(f))).before;
    const changed = fa.afterFacts.fields.filter((f) => what(factBefore(f)) !== what(f));
    if (changed.length === 0) continue;
    const readersOf = await readers([...new Set(changed.map(memberOf))]);
    const byReader = new Map<string, FieldFact[]>();
    for (const f of changed) {
      for (const p of (readersOf.get(memberOf(f)) ?? []).filter((x) => !skip.has(x)).slice(0, MAX_CONSEQUENCE_FILES)) byReader.set(p, [...(byReader.get(p) ?? []), f]);
    }
    const summaries = new Map([...common, ...fa.afterFacts.summaries.map((x) => [x.name, x] as const)]);
    const changedKeys = new Set(changed.map(factId));
    for (const [p, facts] of byReader) {
      if (budget-- <= 0) {
        for (const f of facts) capped.add(`member ${f.key}`);
        continue;
      }
      const text = readOrUndefined(base, p);
      if (text === undefined) continue;
      // the reader's other members as the base says; these as the series leaves them, before and after
      const others = fieldFactsFor(p, ctx.fields).filter((f) => !changedKeys.has(factId(f)));
      const moved = changed.filter((f) => !before.has(factId(f))).flatMap((f) => factBefore(f) ?? []);
      const beforeFields = [...others, ...fa.beforeFacts.fields.filter((f) => changedKeys.has(factId(f))), ...moved];
      const o = { ...opts, baseContext: undefined, externalSummaries: summaries };
      const b = await analyze(text, p, { ...o, ...(beforeFields.length ? { externalFields: beforeFields } : {}) });
      const a = await analyze(text, p, { ...o, externalFields: [...others, ...facts] });
      // reported at the hunk that changes the store: the last step of the fact in the touched file
      const store = [...facts[0].origin].reverse().find((s) => s.file === r.path) ?? facts[0].origin[0];
      const placement = hunkForOutside(fa.placements, fa.postLines, store?.span.start.line ?? 1, '');
      if (!placement) continue;
      const which = facts.map((f) => `\`${f.key.replace('.', '->')}\``).join(', ');
      for (const f of diffFindings(b.findings, a.findings).introduced) {
        const k = `${p}:${f.span.start.line}:${f.rule}`;
        if (reported.has(k)) continue;
        reported.add(k);
        const kind = facts[0].kind === 'maybe' ? 'possibly-vmalloc' : facts[0].kind === 'vmap' ? 'vmap' : 'vmalloc';
        out.push(untouchedItem(r, placement, p, text, { ...f, message: `${f.message} (at ${p}:${f.span.start.line}, which this patch does not touch: it reads ${which}, which this patch makes hold ${kind} memory)` },
          untouchedQuote(p, text, f, summaries, readLatest)));
      }
    }
  }
  if (capped.size) notes.push(`callers in untouched files: only the first ${MAX_CONSEQUENCE_ANALYSES} were analysed; not the rest of those of ${[...capped].slice(0, 8).map((x) => (x.startsWith('member ') ? x : `${x}()`)).join(', ')}`);
  return out;
}

/**
 * The kernel whose rules judge a series: `opts.kernel` when given, else the version of the base —
 * the `Makefile` of a base read from git, the nearest kernel Makefile at or above a base directory.
 */
export function reviewKernel(opts: Pick<PatchReviewOptions, 'kernel' | 'base' | 'baseTree'>): KernelVersion | undefined {
  if (opts.kernel) return opts.kernel;
  if (opts.baseTree) {
    const text = readOrUndefined(opts.baseTree, 'Makefile');
    return text !== undefined ? kernelVersionOfMakefile(text) : undefined;
  }
  return opts.base !== undefined ? kernelVersionAbove(opts.base) : undefined;
}

/** Where the base of a review is, for its base context: the revision of a tree read from git, else the directory. */
function contextBase(opts: Pick<PatchReviewOptions, 'base' | 'baseTree'>): ContextBase | undefined {
  if (opts.baseTree) return opts.baseTree.git ? { git: opts.baseTree.git } : undefined;
  return opts.base !== undefined ? { dir: opts.base } : undefined;
}

/** Review a parsed set. */
export async function reviewSet(set: PatchSet, options: PatchReviewOptions = {}): Promise<PatchReview> {
  let dispose: (() => void) | undefined;
  try {
    return await reviewWith(set, options, (d) => { dispose = d; });
  } finally {
    dispose?.();
  }
}

async function reviewWith(set: PatchSet, options: PatchReviewOptions, onDispose: (d: () => void) => void): Promise<PatchReview> {
  const kernel = reviewKernel(options);
  const opts: PatchReviewOptions = kernel ? { ...options, kernel } : options;
  const notes = [...set.notes];
  const problems: PatchProblem[] = [...set.problems];
  for (const p of set.patches) problems.push(...p.problems);
  let base: BaseTree = EMPTY_BASE;
  if (opts.baseTree) base = opts.baseTree;
  else if (opts.base !== undefined) base = fsBase(opts.base);
  const applied = applySeries(set, base);
  problems.push(...applied.problems);
  const analyze = opts.analyze ?? analyzeText;
  const items: ReviewItem[] = [];
  const cache: AnalysisCache = new Map();
  const known = new Map<string, FileFacts>();
  const analyses = new Map<FileResult, FileAnalysisOut | undefined>();
  const removed = new Map<FileResult, Removed>();
  // the rest of the base: what untouched files of the touched files' subsystems export
  let baseFacts: BaseFacts | undefined;
  let callers: ((names: string[]) => Promise<Map<string, string[]>>) | undefined;
  let readers: ((members: string[]) => Promise<Map<string, string[]>>) | undefined;
  const touched = [...new Set(applied.files.flatMap((r) => [r.path, ...(r.file.oldPath ? [r.file.oldPath] : [])]).filter(isCFile))];
  const where = contextBase(opts);
  if (opts.baseContext && where) {
    try {
      const ctx = touched.length ? await opts.baseContext(touched, { kernel, base: where }) : undefined;
      if (ctx?.dispose) onDispose(ctx.dispose);
      if (ctx) {
        baseFacts = { summaries: ctx.summaries, fields: ctx.fields };
        callers = ctx.callers;
        readers = ctx.readers;
        notes.push(...(ctx.notes ?? []));
      }
    } catch (e) {
      notes.push(`base context not available: ${(e as Error).message}`);
    }
  }
  for (const patch of set.patches) {
    const files = applied.files.filter((r) => r.patch === patch && isCFile(r.path) && r.file.status !== 'deleted');
    for (const [r, fa] of await analyzePatchFiles(files, known, analyze, opts, problems, cache, baseFacts)) analyses.set(r, fa);
    // what a deleted file had: its functions may reappear elsewhere (a rename posted as delete + add)
    for (const r of applied.files.filter((x) => x.patch === patch && isCFile(x.path) && x.file.status === 'deleted')) {
      const pre = r.before !== undefined ? { text: r.before, low: false } : { text: buildFragment(r.file.hunks, 'pre').text, low: true };
      removed.set(r, { ...await runAnalysis(r, pre.text, pre.low ? 'low' : 'high', externalFrom(known, new Set([r.path]), baseFacts), analyze, opts, problems, cache), low: pre.low });
    }
    for (const r of applied.files) if (r.patch === patch && r.file.status === 'deleted' && r.file.oldPath) known.delete(r.file.oldPath);
  }
  if (callers && baseFacts) {
    try {
      const states = seriesStates(set.patches, applied.files, analyses, removed);
      const order = new Map(set.patches.map((p, i) => [p, i]));
      items.push(...await consequences(applied.files, analyses, touched, base, baseFacts, callers, readers, analyze, opts, notes, states, order));
    } catch (e) {
      notes.push(`callers in untouched files not reviewed: ${(e as Error).message}`);
    }
  }
  // Hunks that did not apply to the base are still reviewed, from their own lines (as fragments).
  const reviewed: FileResult[] = [...applied.files];
  for (const r of applied.files) {
    if (!r.complete || !isCFile(r.path) || r.file.status === 'deleted' || r.file.status === 'added') continue;
    const failed = r.placements.filter((p) => !p.applied && !p.hunk.malformed).map((p) => p.hunk);
    if (failed.length === 0) continue;
    const pseudo: FileResult = { ...r, complete: false, before: undefined, after: undefined, file: { ...r.file, hunks: failed }, placements: [], problems: [] };
    analyses.set(pseudo, await analyzeFile(pseudo, analyze, opts, problems, cache));
    reviewed.push(pseudo);
  }
  // every summary the review knows (the base's, then the series' files as it leaves them), for quotes
  let summaryCache: Map<string, FunctionSummary> | undefined;
  const everySummary = (): Map<string, FunctionSummary> =>
    (summaryCache ??= new Map([...(baseFacts?.summaries ?? []), ...[...known.values()].flatMap((x) => x.summaries)].map((x) => [x.name, x] as const)));
  // findings that leave a file with their function, for the files they move to
  const vacated = vacatedFindings(applied.files, analyses, removed);
  // what the series' files have after each patch: a finding a later patch fixes says so
  const counts = findingCounts(set.patches, applied.files, analyses);
  const position = new Map(set.patches.map((p, i) => [p, i]));
  for (const r of reviewed) {
    const fa = analyses.get(r);
    if (!fa) continue;
    const d = diffFindings(fa.before, fa.after);
    const { introduced, moved } = takeMoved(d.introduced, r.patch.index, vacated);
    const movedHere = moved.map(({ finding, from }) => ({
      ...finding,
      message: `${finding.message} (already in ${from.path}, ${from.patch === r.patch.index ? 'which this patch moves it from' : from.patch < r.patch.index ? `which patch ${from.patch} moved it from` : `which patch ${from.patch} removes it from`})`,
    }));
    const preexisting = [...d.preexisting, ...movedHere];
    // each introduced finding: the later patch after which it is gone (the n-th of an identity the n-th to go)
    const later = new Map<Finding, Patch>();
    const rank = new Map<string, number>();
    for (const f of fa.low ? [] : introduced) {
      const key = findingKey(f);
      const at = fixedAfter(counts, position.get(r.patch) ?? -1, key, rank.get(key) ?? 0);
      rank.set(key, (rank.get(key) ?? 0) + 1);
      if (at !== undefined) later.set(f, set.patches[at]);
    }
    const shown = opts.all ? [...introduced, ...preexisting.map((f) => ({ ...f, preexisting: true }))] : introduced;
    for (const f0 of shown) {
      const fixer = later.get(f0);
      // fixed by a later patch of the series: the series is right, this commit alone is not (bisection);
      // information, with no fix of its own (the later patch is the fix)
      const f: Finding = fixer ? {
        ...f0, severity: 'info', fixes: [],
        message: `${f0.message} (fixed later in [PATCH ${patchTag(fixer, set.patches.length)}]: fold that fix into this patch so that every commit of the series is correct, e.g. for git bisect)`,
      } : f0;
      const postLine = f.span.start.line;
      let patchLine = fa.map.patchLineOf(postLine);
      let column = f.span.start.column + 1; // the diff's prefix character comes first
      let hunk = fa.placements.find((p) => p.postRange && postLine >= p.postRange[0] && postLine <= p.postRange[1] && fa.map.patchLineOf(postLine) !== undefined)?.hunk;
      let finding = f;
      let untouched: QuotedLine[] | undefined;
      if (patchLine === undefined) {
        const h = hunkForOutside(fa.placements, fa.postLines, postLine, f.function);
        patchLine = anchorLine(h) ?? r.file.patchLine;
        column = 1;
        hunk = h?.hunk;
        // the patch line is a stand-in: say where the finding is, and quote it
        finding = { ...f, message: `${f.message} (at ${r.path}:${postLine}, outside the lines the patch shows)` };
        if (!fa.low && r.after !== undefined) {
          untouched = untouchedQuote(r.path, r.after, f, everySummary(), (file) => [...applied.files].reverse().find((x) => x.path === file && x.after !== undefined)?.after ?? readOrUndefined(base, file),
            'outside the lines the patch shows');
        }
      }
      const pf: PatchFinding = {
        finding,
        patch: { index: r.patch.index, subject: r.patch.subject, file: r.patch.source, line: patchLine, column },
        target: { path: r.path, line: postLine },
        ...(fixer ? { fixedLater: { index: fixer.index, subject: fixer.subject } } : {}),
      };
      items.push({ pf, patch: r.patch, file: r.file, hunk, analyzedText: fa.analyzedText, imageLine: fa.toImage, map: fa.map, ...(untouched ? { untouched } : {}) });
    }
  }
  items.sort((a, b) => a.pf.patch.index - b.pf.patch.index || a.pf.patch.line - b.pf.patch.line || a.pf.patch.column - b.pf.patch.column);
  for (const pr of problems) notes.push(pr.message);
  return { set, items, findings: items.map((i) => i.pf), notes, problems };
}

/** Parse and review patch text, keeping everything a reply needs (editor: "Copy review reply"). */
export async function reviewPatchText(text: string | Uint8Array, name: string, opts: PatchReviewOptions = {}): Promise<PatchReview> {
  return reviewSet(parsePatches(text, name), opts);
}

/**
 * A stable identity for a patch finding that survives structured cloning (worker messages):
 * input, patch, position and rule.
 */
export function findingId(pf: PatchFinding): string {
  return `${pf.patch.file}\u0000${pf.patch.index}\u0000${pf.patch.line}\u0000${pf.patch.column}\u0000${pf.finding.rule}\u0000${pf.target.path}\u0000${pf.target.line}`;
}

/**
 * Review the commits of a git range (`A..B`, `A...B`, or one commit) of the repository at
 * repoDir: the series from `git format-patch`, applied on the range's base read from git (the work
 * tree is at B, so it cannot be the base); `opts.baseContext` is asked for that revision's context.
 * Only reads the repository.
 */
export async function reviewGitRange(repoDir: string, range: string, opts: PatchReviewOptions = {}): Promise<PatchReview> {
  const mbox = formatPatchRange(repoDir, range);
  const rev = rangeBaseRev(repoDir, range);
  // a range without commits is nothing to review, not an empty input
  const set: PatchSet = mbox.length > 0 ? parsePatches(mbox, `git:${range.trim()}`) : { name: `git:${range.trim()}`, patches: [], notes: [`${range}: no commits in the range`], problems: [] };
  if (rev === undefined) set.notes.push(`${range}: no base revision (root commit?); reviewed without a base`);
  return reviewSet(set, { ...opts, base: undefined, baseTree: rev !== undefined ? gitBase(repoDir, rev) : undefined });
}

/** Parse and review patch text (`vmalias scan FILE.patch`, `vmalias scan -`). */
export async function scanPatchText(
  text: string | Uint8Array,
  name: string,
  opts: PatchReviewOptions = {},
): Promise<{ findings: PatchFinding[]; notes: string[]; problems: string[] }> {
  const review = await reviewSet(parsePatches(text, name), opts);
  // `problems` is the subset of `notes` that b4-style consumers must see (b4 fails on any stderr line).
  return { findings: review.findings, notes: review.notes, problems: review.problems.map((p) => p.message) };
}
