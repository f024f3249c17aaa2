/**
 * Types of the whole-tree scan (issue #6): the options the CLI and the extension pass to
 * `scanPaths`, what it returns, and the notes it emits for inputs it could not (fully) scan.
 */
import type { AnalyzeOptions, FieldFact, Finding, FunctionSummary } from '../types';
import type { BackendName } from '../parse/backends';

export type NoteSeverity = 'error' | 'warning' | 'info';

/**
 * A problem with one input that did not stop the scan. `error` = the user asked for something we
 * could not read (missing path, unreadable file): the CLI exits 2 when any is present.
 */
export interface ScanNote {
  path: string;
  severity: NoteSeverity;
  message: string;
}

export function formatNote(n: ScanNote): string {
  return `${n.path}: ${n.severity}: ${n.message}`;
}

export interface ScanProgress {
  phase: 'walk' | 'prefilter' | 'analyze' | 'done';
  /** Files finished in this phase and the phase's total (total is 0 while still unknown). */
  done: number;
  total: number;
  findings: number;
}

export interface FileTiming {
  path: string;
  bytes: number;
  /** Parse and analysis wall time in the worker; 0 for cache hits. */
  parseMs: number;
  analyzeMs: number;
  cached: boolean;
}

export interface ScanOptions extends AnalyzeOptions {
  /** Glob patterns (picomatch); a pattern without `/` matches base names, one with `/` the path relative to the scanned root. */
  exclude?: string[];
  /** Parser backend for the workers (default wasm). */
  parser?: BackendName;
  /** Worker threads; default os.availableParallelism(). 1 (or a tiny parse set) analyses in-process. */
  jobs?: number;
  /** Cache directory; default $XDG_CACHE_HOME/vmalias or ~/.cache/vmalias. */
  cacheDir?: string;
  /** Neither read nor write the cache. */
  noCache?: boolean;
  /** No progress bar. */
  quiet?: boolean;
  /** Cancels the scan: scanPaths rejects with an error named `AbortError`. */
  signal?: AbortSignal;
  /** Files larger than this are skipped with a note (default 8 MiB). */
  maxFileBytes?: number;
  /**
   * The calling process is the scan's own (a CLI, a benchmark): let the worker pool raise V8's
   * tier-up budget, process-wide, before it starts its workers (pool.ts WORKER_INTERRUPT_BUDGET).
   * Never set it inside a host that runs other code (an editor's extension host).
   */
  tuneJit?: boolean;
  /** false = parse every file (no lexical pre-pass); for benchmarks and recall checks. */
  prefilter?: boolean;
  /**
   * Also analyse every file that defines a linking name (a wrapper allocator, a helper that maps or
   * converts its argument), with exact summaries of those names, whether or not a scanned file
   * calls it: for callers the scan does not see (a patch under review, context.ts).
   */
  exportLinks?: boolean;
  /**
   * false = parse whole files. Default: the bodies of functions that cannot reach the analysis are
   * blanked before parsing (analyzer/scan/slice.ts); findings are the same, parsing much cheaper.
   */
  slice?: boolean;
  /**
   * false = slice lexically only (slice.ts keepFor). Default: parse a narrow slice first and widen
   * it where the analysis asks for more (analyzer/scan/demand.ts); findings are the same.
   */
  demand?: boolean;
  /**
   * Let grep skip the files that name nothing relevant (analyzer/scan/grep.ts). Default: when
   * at least 1,000 files have to be read; false never; true always.
   */
  grep?: boolean;
  /** grep executable (default `grep` on PATH). */
  grepCommand?: string;
  /**
   * Inside a git work tree, trust stored pre-pass results of files git reports unchanged with the
   * same blob id, whatever their mtime and inode (a CI job's fresh checkout; analyzer/scan/git.ts).
   * Default: when at least 1,000 files are not trusted by their stat data; false never.
   */
  git?: boolean;
  /**
   * Read the tree's kbuild Makefiles and Kconfig files to tell files built only for architectures
   * whose caches do not alias (an x86-only driver), whose cache-alias findings are then
   * information (analyzer/kbuild.ts). Default true; false keeps every finding's severity.
   */
  kbuild?: boolean;
  /** git executable (default `git` on PATH). */
  gitCommand?: string;
  /** A linking name referenced by more files than this is not followed (default 64). */
  maxFanout?: number;
  /**
   * Levels of wrapper allocators followed across files (default 3): 1 = only functions whose
   * bodies name a table allocator; 2 = also the functions of other files returning their result;
   * and so on. Each level costs one more search of the new names' subsystem scopes.
   */
  linkDepth?: number;
  /** Summary-exchange rounds inside a cycle of files that call each other (default 4). */
  maxRounds?: number;
  /** Progress callback (the extension's workspace analysis); independent of the TTY bar. */
  onProgress?: (p: ScanProgress) => void;
  /** Stop after the pre-pass and return the files it selected in `selected` (no parsing). */
  selectOnly?: boolean;
  /** Called once per analysed file (benchmarks, the extension's timing budget). */
  onFile?: (f: FileTiming) => void;
  /** Where the TTY progress bar goes (default process.stderr). */
  progressStream?: NodeJS.WriteStream;
}

export interface ScanStats {
  /** Files found by the walk (after excludes and the size limit). */
  filesSeen: number;
  /** Bytes of those files. */
  bytes: number;
  /** Files the lexical pre-pass selected (name a relevant function, or link to such a file). */
  filesPrefiltered: number;
  /** Files grep looked at for the pre-pass and the linking pass (0: grep not used), and files the workers then read. */
  grepFiles: number;
  filesRead: number;
  /** Linking names found, and files read a second time to look for them. */
  linkNames: number;
  /** Of those, wrappers of wrappers (functions of another file returning a wrapper allocator's result). */
  wrapperLinks: number;
  /** Struct members (`T.m`) one file stores vmalloc memory in and others read: followed across files. */
  fieldLinks: number;
  linkFilesRead: number;
  /** Files actually parsed and analysed in this run (cache misses, re-analyses counted once per file). */
  filesParsed: number;
  /** Selected files not parsed because none of their sources can reach one of their sinks (slice.ts). */
  filesSkipped: number;
  /** Analyses run (a file re-analysed after a callee's summary changed counts again). */
  analyses: number;
  /** Files whose findings came from the cache. */
  cacheHits: number;
  /** Files whose pre-pass result came from the stat index (unchanged size/mtime/inode, or the same git blob). */
  prefilterCacheHits: number;
  /** Of those, the files trusted through git (same blob id and size, clean in the work tree). */
  gitHits: number;
  /** 1 when nothing had changed since the last scan and its whole result was reused. */
  resultCached: number;
  /** Summary-exchange rounds (1 = no file needed re-analysis). */
  rounds: number;
  workers: number;
  wallMs: number;
  walkMs: number;
  prefilterMs: number;
  /**
   * The pre-pass's parts (ms): the first grep, reading and lexing the files it listed (all files
   * when grep is not used; the workers start here, so their start-up counts too), and the linking
   * pass (linking names, the searches for their callers, lexing files that joined the parse set).
   */
  grepMs: number;
  candidatesMs: number;
  linkMs: number;
  analyzeMs: number;
  /** Characters parsed, and characters blanked by slicing before parsing (every pass counts). */
  charsParsed: number;
  charsBlanked: number;
  /** Parse + analysis passes of demand-driven slicing (demand.ts), summed over analyses. */
  passes: number;
  /** Sum of per-file parse and analysis time in workers. */
  parseCpuMs: number;
  analyzeCpuMs: number;
}

export interface ScanResult {
  findings: Finding[];
  notes: ScanNote[];
  stats: ScanStats;
  /** Exported summaries of all analysed files, by function name (for the extension's hover and for tests). */
  summaries: Map<string, FunctionSummary>;
  /**
   * What the analysed files store in struct members of known types (AnalysisResult.fieldFacts),
   * for analysing one of the files again alone (the extension's open documents).
   */
  fieldFacts: FieldFact[];
  /** With selectOnly: the files the pre-pass selected for parsing, and why (the linking names used). */
  selected?: { path: string; bits: number; links: string[] }[];
}

export function abortError(): Error {
  const e = new Error('vmalias: scan cancelled');
  e.name = 'AbortError';
  return e;
}
