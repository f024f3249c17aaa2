/**
 * Messages between the extension host (client.ts) and the analysis worker (worker.ts).
 * Plain data only: everything crosses a worker_threads structured clone.
 */
import type { AnalysisResult, AnalyzeOptions, FieldFact, FindingFacts, FunctionSummary } from '../../analyzer/types';
import type { SimulationSummary, Variant } from '../simulation';

/**
 * One VS Code content change, with its range in the document as it was BEFORE the change
 * (VS Code reports it that way; tree-sitter's Edit needs exactly the pre-edit range).
 * Lines and characters are 0-based, characters and offsets in UTF-16 code units.
 */
export interface ContentChange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

export interface AnalyzeRequest {
  kind: 'analyze';
  id: number;
  /** Cache key of the document (its URI string). */
  uri: string;
  /** Path reported in findings. */
  file: string;
  version: number;
  /** The version the changes start from; the worker reuses its tree only if it holds that version. */
  baseVersion?: number;
  changes?: ContentChange[];
  text: string;
  options: AnalyzeOptions;
  /** Skip documents longer than this many UTF-16 code units (a note is returned instead). */
  maxLength?: number;
  /** The document is a patch/mbox: review it (base = workspace folder) instead of parsing it as C. */
  patch?: { base?: string };
  /** Do not keep the tree (one-shot analysis of a file that is not open, e.g. workspace scan). */
  noCache?: boolean;
  /** Key of summaries from other files the worker holds (ExternalsRequest), used as externalSummaries. */
  externals?: string;
}

/**
 * Summaries of a workspace folder's functions from its last whole-tree scan (Analyze Workspace),
 * kept by the worker under `key` so that the analysis of an open document sees what the functions
 * of other files do. Sent once, not with every keystroke's request.
 */
export interface ExternalsRequest {
  kind: 'externals';
  key: string;
  summaries: FunctionSummary[];
  /** What the folder's files store in struct members (AnalyzeOptions.externalFields). */
  fields?: FieldFact[];
}

export interface CloseRequest {
  kind: 'close';
  uri: string;
}

/** Simulations run in a worker too: the first one allocates the simulator's memory model (~1 s). */
export interface SimulateRequest {
  kind: 'simulate';
  id: number;
  facts: FindingFacts;
  archs: string[];
}

export interface TimelineRequest {
  kind: 'timeline';
  id: number;
  facts: FindingFacts;
  arch: string;
  variant: Variant;
}

/** Where a review reply's patches come from: documents/files the user chose, or a git range. */
export type ReplySource =
  | { kind: 'inputs'; inputs: { name: string; data: string | Uint8Array }[] }
  | { kind: 'git'; repoDir: string; range: string };

/**
 * Review patches and format the plain-text reply for the list ("Review Patch Series…", "Review Git
 * Range…", "Copy review reply"). The review keeps hunks and line maps that do not survive a
 * structured clone, so the worker formats the reply and returns only text.
 */
export interface ReplyRequest {
  kind: 'reply';
  id: number;
  source: ReplySource;
  /** Base tree directory (the workspace folder); ignored for git ranges (git supplies the base). */
  base?: string;
  options: AnalyzeOptions;
  /** Only the finding with this `findingId()` (from AnalyzeResponse.patchIds). */
  onlyId?: string;
  /** Key of the base folder's workspace-scan summaries (ExternalsRequest), for the untouched files. */
  externals?: string;
}

export interface ReplyResponse {
  kind: 'reply';
  id: number;
  text?: string;
  /** Findings in the reply. */
  findings?: number;
  notes?: string[];
  error?: string;
}

export type WorkerRequest = AnalyzeRequest | CloseRequest | SimulateRequest | TimelineRequest | ReplyRequest | ExternalsRequest;

export interface SimulateResponse {
  kind: 'simulation';
  id: number;
  summary?: SimulationSummary;
  html?: string;
  error?: string;
}

export type WorkerResponse = AnalyzeResponse | SimulateResponse | ReplyResponse;

export interface EngineTimings {
  parseMs: number;
  /** Walking the tree-sitter tree into SNode objects. */
  buildMs: number;
  analyzeMs: number;
  /** True when the previous tree was edited and reused. */
  incremental: boolean;
  /** Function analyses taken from the document's memo / run, in this analysis (absent: no memo). */
  memo?: { reused: number; analysed: number };
}

export interface AnalyzeResponse {
  kind: 'result';
  id: number;
  uri: string;
  version: number;
  result?: AnalysisResult;
  /** Why the document was not analysed (too large, parse timeout, engine error). */
  error?: string;
  /** For patch documents: where each finding (same index) shows in the patch, 1-based. */
  patchPositions?: { line: number; column: number }[];
  /** For patch documents: `findingId()` of each finding (same index), for "Copy review reply". */
  patchIds?: string[];
  /** For patch documents: each finding's target file (relative to the base) and post-image line. */
  patchTargets?: { path: string; line: number }[];
  timings: EngineTimings;
}
