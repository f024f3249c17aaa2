/**
 * The analyzer's public contract: what a finding is, in every output (CLI text/JSON/SARIF, the
 * extension's diagnostics, patch review, the simulator's input). Positions are 1-based lines and
 * 1-based columns in UTF-16 code units, plus 0-based offsets for editors.
 */

export type RuleId =
  | 'vmap-io-missing-flush'
  | 'vmap-io-missing-invalidate'
  | 'vmap-io-maintenance-range'
  | 'vmalloc-linear-map'
  | 'vmap-blk-rq-map-kern';

export const RULE_IDS: readonly RuleId[] = [
  'vmap-io-missing-flush',
  'vmap-io-missing-invalidate',
  'vmap-io-maintenance-range',
  'vmalloc-linear-map',
  'vmap-blk-rq-map-kern',
];

export type Severity = 'error' | 'warning' | 'info';

/** Transfer direction as seen from memory: `write` = memory → device, `read` = device → memory. */
export type Direction = 'read' | 'write' | 'both';

export interface Pos {
  /** 1-based */
  line: number;
  /** 1-based, UTF-16 code units */
  column: number;
}

export interface Span {
  start: Pos;
  end: Pos;
  /** 0-based UTF-16 offsets into the analysed text */
  startOffset: number;
  endOffset: number;
}

export type TraceKind =
  | 'alloc'      // allocated with vmalloc/vmap/kvmalloc, or known vmalloc by evidence
  | 'flow'       // assigned, stored in a field, passed as an argument, returned
  | 'cpu-write'  // written by the CPU through the alias
  | 'page'       // a page of the buffer obtained (vmalloc_to_page, pages[i] of a vmap)
  | 'page-add'   // pages tied to a bio / scatterlist
  | 'submit'     // I/O submitted / DMA mapping
  | 'complete'   // completion waited for / end_io callback
  | 'cpu-read'   // read by the CPU after the I/O
  | 'maintenance'// a flush/invalidate call
  | 'convert';   // linear-map conversion

export interface TraceStep {
  kind: TraceKind;
  message: string;
  file: string;
  span: Span;
}

export interface TextEdit {
  file: string;
  span: Span;
  newText: string;
}

export interface Fix {
  title: string;
  isPreferred: boolean;
  edits: TextEdit[];
}

/** Facts a simulation needs; produced by the analyzer, consumed by simulator/scenario building. */
export interface FindingFacts {
  rule: RuleId;
  direction: Direction;
  /** Buffer size in bytes when the size expression is a compile-time constant. */
  sizeBytes?: number;
  cpuWroteBefore: boolean;
  cpuReadsAfter: boolean;
  hasFlush: boolean;
  hasInvalidate: boolean;
  /** The maintenance call exists but covers the wrong range. */
  wrongRange?: boolean;
  /** always-vmalloc, maybe-vmalloc (kvmalloc family), or vmap of a page array */
  source: 'vmalloc' | 'maybe-vmalloc' | 'vmap';
  /**
   * The analysed kernel refuses vmalloc memory at this call (SinkRow.viaOld: dma_map_single()
   * from 5.4, the USB core from 4.19): the I/O fails instead of transferring the wrong page.
   */
  refused?: boolean;
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  file: string;
  span: Span;
  message: string;
  /** The function the finding is in. */
  function: string;
  /** Source text of the buffer expression at its allocation / root. */
  buffer: string;
  /** Source text of the size expression, when known. */
  size?: string;
  direction: Direction;
  trace: TraceStep[];
  /** Kernel version the rules were applied for, e.g. "6.18" or "newest". */
  kernel: string;
  fixes: Fix[];
  facts: FindingFacts;
  /** `low` for findings from patch fragments analysed without a base tree. */
  confidence: 'high' | 'low';
  /** Set by patch review: pre-existing in the base (only shown with --all). */
  preexisting?: boolean;
}

/**
 * Cross-file function summaries (issue #6 exchanges these between files by function name).
 * Parameter indices are 0-based.
 */
export interface FunctionSummary {
  name: string;
  file: string;
  /** Return value is vmalloc (always) or maybe-vmalloc memory. */
  returnsVmalloc?: 'vmalloc' | 'maybe-vmalloc' | 'vmap';
  /** Parameters on which flush_kernel_vmap_range is called on every path (with the whole range). */
  flushesParams?: number[];
  /** Parameters on which invalidate_kernel_vmap_range is called. */
  invalidatesParams?: number[];
  /**
   * Members (`T.m`) of a parameter's struct flushed on every path (`flush_kernel_vmap_range(x->data,
   * x->size)` with `struct xa *x`): the caller's buffer kept in that member is flushed by the call.
   */
  flushesMembers?: string[];
  /** Members of a parameter's struct invalidated (`invalidate_kernel_vmap_range(x->data, …)`). */
  invalidatesMembers?: string[];
  /**
   * Members (`T.m`) of a parameter's struct read into by I/O that has completed when the function
   * returns, without an invalidate (a static helper doing a member's I/O for its callers): the
   * caller's buffer in that member has a completed read at the call, which its own invalidate
   * after the call settles.
   */
  readIntoMembers?: string[];
  /**
   * Members (`T.m`) of a parameter's struct the function reads through with the CPU (`h = x->data;
   * h->magic`, `memcpy(dst, x->data, n)`) / writes through (`memset(x->data, …)`), where the
   * file knows the member holds vmalloc memory: a CPU read / write at the call of the buffer the
   * caller keeps in that member.
   */
  readsMembers?: string[];
  writesMembers?: string[];
  /** Parameters whose pointee pages reach a bio/sg/DMA sink inside the function. */
  submitsParams?: number[];
  /**
   * Parameters of submitsParams added to the I/O through an API that flushes them itself for writes
   * (`bio_add_vmalloc()`, v6.16+), and never submitted for a write unflushed otherwise: a caller's
   * write through the function needs no flush of its own.
   */
  flushesWritesParams?: number[];
  /**
   * `struct page *` / `struct page **` parameters whose pages the function maps, adds or submits
   * (`foo_map(dev, page, off, len)` → dma_map_page()): a caller passing a page of a vmalloc buffer,
   * or the page array behind a vmap() alias, submits that buffer. / Those it reads into, completed on return.
   */
  submitsPagesParams?: number[];
  readIntoPagesParams?: number[];
  /** Parameters that the function writes through (CPU stores). */
  writesParams?: number[];
  /** Parameters that the function reads through (CPU loads). */
  readsParams?: number[];
  /** Parameters passed to an always-wrong linear-map conversion. */
  convertsParams?: number[];
  /**
   * Of convertsParams, those a path converts by mapping them into a request with
   * blk_rq_map_kern() on a kernel before 5.3 (the caller's finding is vmap-blk-rq-map-kern).
   */
  rqMapParams?: number[];
  /** Parameters read into by I/O that has completed when the function returns, without an invalidate. */
  readIntoParams?: number[];
  /** Parameters read into by I/O that the function itself then reads with the CPU, without an invalidate. */
  readsCompletedParams?: number[];
  /** Direction of the I/O on submitsParams, when fixed inside the function. */
  submitDirection?: Direction;
  /** The I/O direction comes from this parameter (an op or DMA direction passed by the caller). */
  directionParam?: number;
  /**
   * With directionParam: the parameter is a flag that selects this direction when true and the
   * other when false (`u8 dir = read ? DMA_FROM_DEVICE : DMA_TO_DEVICE;`).
   */
  directionWhenTrue?: 'read' | 'write';
  /** With returnsVmalloc: the parameter holding the allocation size. */
  returnSizeParam?: number;
  /**
   * With returnsVmalloc, when the size is not one parameter: the size as an expression of the
   * parameters and constants, parameter i written `$i` (`$0 * PAGE_SIZE`), for the callers' fixes.
   */
  returnSize?: string;
  /**
   * Parameters through which the function hands vmalloc memory back (`*out = vmalloc(n)`), with
   * its kind: the caller's `&p` then holds it. maybe-vmalloc when some path stores other memory.
   */
  outVmallocParams?: { param: number; kind: 'vmalloc' | 'maybe-vmalloc' | 'vmap'; size?: string }[];
  /** With returnsVmalloc: the allocation is zeroed (vzalloc-style wrapper). */
  returnsZeroed?: boolean;
  /** Returns the struct page of the address in this parameter (kmem_to_page-style helpers). */
  returnsPageOfParam?: number;
  /** Returns an address inside the buffer passed in this parameter. */
  returnsAliasOfParam?: number;
  /** Adds the pages of buffer parameter `buf` to the bio or scatterlist passed in parameter `to`. */
  addsPagesParams?: { buf: number; to: number; kind: 'bio' | 'sg' }[];
  /**
   * Returns a bio or scatterlist it built holding the pages of buffer parameter `buf`
   * (`sgl = foo_vmalloc_to_sg(buf, n)`): the caller's bio or table then carries them. `dir`: the
   * op a returned bio was allocated for, when the helper fixed it.
   */
  returnsPagesOfParams?: { buf: number; kind: 'bio' | 'sg'; dir?: 'read' | 'write' }[];
  /**
   * Flushes made only when a flag parameter is true or false (`if (to_device) flush(s->mem, …);
   * else invalidate(…);`), on every exit where the flag has that value: a caller passing that
   * literal (`foo_sync(s, true)`) gets them, in addition to flushesParams / flushesMembers.
   */
  flushesWhen?: { param: number; value: boolean; params?: number[]; members?: string[] }[];
  /**
   * With submitsParams: the parameter holding how many bytes of the submitted one the I/O carries,
   * from where it points (`foo_put(p, len)` adding `p + done` while `done < len`): the caller's
   * range for its argument.
   */
  submitsLength?: { param: number; len: number }[];
}

/** The FunctionSummary fields that list parameter indexes (merged, validated and tested as one kind). */
export const SUMMARY_PARAM_LISTS = ['flushesParams', 'invalidatesParams', 'submitsParams', 'writesParams', 'readsParams', 'convertsParams', 'rqMapParams', 'readIntoParams', 'readsCompletedParams', 'flushesWritesParams', 'submitsPagesParams', 'readIntoPagesParams'] as const;

/**
 * Whether a call of the summarised function gives its caller vmalloc memory (returned or stored
 * through an out-parameter) or a page of its argument: a source for the caller (the scan's flow
 * check, the demand-driven widening to callers).
 */
export function givesMemory(s: FunctionSummary): boolean {
  return Boolean(s.returnsVmalloc || s.outVmallocParams?.length || s.returnsPageOfParam !== undefined);
}

/**
 * Whether the summarised function takes a buffer argument towards I/O or its maintenance: submits
 * or reads into it, adds its pages to a bio or table (the caller's, or one it returns), converts,
 * flushes or invalidates it. A sink for the caller (the scan's flow check).
 */
export function reachesIo(s: FunctionSummary): boolean {
  return Boolean(s.submitsParams || s.readIntoParams || s.readsCompletedParams || s.submitsPagesParams || s.readIntoPagesParams || s.addsPagesParams || s.returnsPagesOfParams ||
    s.convertsParams || s.flushesParams || s.invalidatesParams || s.flushesMembers || s.invalidatesMembers || s.readIntoMembers || s.flushesWhen);
}

export interface AnalysisStats {
  parseMs: number;
  analyzeMs: number;
  functions: number;
  errorNodes: number;
}

export interface AnalysisResult {
  file: string;
  findings: Finding[];
  summaries: FunctionSummary[];
  /** Problems that did not stop analysis (ERROR nodes, skipped constructs). */
  notes: string[];
  stats: AnalysisStats;
  /**
   * Calls to functions defined in other files that pass vmalloc memory: callee → argument
   * positions (sorted). A whole-tree scan hands them to the callee's file (externalCallSites).
   */
  callSites?: [string, number[]][];
  /** With `AnalyzeOptions.reportDemand`: what the analysis needed of the file (analyzer/scan/demand.ts). */
  demand?: AnalysisDemand;
  /**
   * Struct members of a known type this file stores vmalloc memory (or its pages) in, for the
   * files that read them (`AnalyzeOptions.externalFields`); sorted by key.
   */
  fieldFacts?: FieldFact[];
}

/**
 * What a struct member of a known type holds, file-wide: `ctx->log = vzalloc(…)` with `ctx` a
 * `struct qq_ctx *` is `{ key: 'qq_ctx.log', t: 'buf', kind: 'vmalloc', … }`. The origin steps name
 * the file that stored it.
 */
export interface FieldFact {
  /** `T.member`, or `T.member[]` for an array of buffer pointers. */
  key: string;
  /**
   * the buffer itself, its page array, or (`table`) the pages a scatterlist table kept in the member
   * holds (`sg_set_page(sg, vmalloc_to_page(p), …)` over `for_each_sg(d->sgt.sgl, sg, …)`)
   */
  t: 'buf' | 'pages' | 'table';
  /** For a table: the member of the same file's structs the buffer itself is kept in (`T.m`), if any. */
  home?: string;
  kind: 'vmalloc' | 'maybe' | 'vmap';
  /** the storer's file also keeps other memory in the member: which one a reader sees is a mode */
  mixed?: true;
  display: string;
  size?: string;
  sizeBytes?: number;
  zeroed: boolean;
  origin: TraceStep[];
}

export interface AnalysisDemand {
  /**
   * Struct fields (last member name, no `[]`) the file-wide facts hold something for after the last
   * round (vmalloc memory, its pages, a dm_io request): every function mentioning one may read or
   * overwrite it.
   */
  fields: string[];
  /** Functions of the file whose body was read or whose summary was applied to a buffer. */
  functions: string[];
  /** Static functions whose parameters' guard facts (from every caller) decided something. */
  guards: string[];
  /** File-scope variables the file-wide facts hold something for: every function naming one may use it. */
  globals: string[];
  /**
   * Functions called with an object whose type has a member holding a buffer (and nothing else
   * tracked): they may read or write it through the member (readsMembers / writesMembers), so they
   * are wanted when they, or a function of the file they call, mention one of `fields`. With the
   * struct types (`types`) of the objects handed over.
   */
  holders?: { name: string; types: string[] }[];
}

export interface KernelVersion {
  major: number;
  minor: number;
  patch?: number;
}

export interface AnalyzeOptions {
  /** Kernel version; undefined = newest rules. */
  kernel?: KernelVersion;
  /** Extra always-vmalloc allocators (user config for out-of-tree wrappers). */
  extraAllocators?: string[];
  /** Extra submission sinks: function names whose first pointer/bio argument is submitted. */
  extraSinks?: string[];
  /** Summaries of functions defined in other files (from a whole-tree scan). */
  externalSummaries?: Map<string, FunctionSummary>;
  /**
   * Functions of this file that other files call with vmalloc memory: name → argument positions
   * (from a whole-tree scan). A helper that proves such a parameter is vmalloc memory is then
   * judged at its call sites, as when its own file calls it so.
   */
  externalCallSites?: Map<string, number[]>;
  /** Rules to report; undefined = all. */
  rules?: Set<RuleId>;
  confidence?: 'high' | 'low';
  /**
   * Functions of this file whose summaries other files need (a whole-tree scan): analysed whatever
   * calls them here, so a summary never depends on whether an unrelated caller is analysed.
   */
  neededSummaries?: string[];
  /**
   * Functions of this file whose whole definitions were blanked before parsing (the scan's
   * demand-driven slicing): calls to them are calls to this file's functions, with no body to read.
   */
  blankedFunctions?: string[];
  /** Report AnalysisResult.demand (the scan's demand-driven slicing). */
  reportDemand?: boolean;
  /**
   * What other files store in struct members of known types (their AnalysisResult.fieldFacts):
   * read here only where this file knows the same type (`struct qq_ctx *ctx; … ctx->log`), never
   * by member name alone; a store of this file wins, and a store of other memory makes it maybe.
   */
  externalFields?: FieldFact[];
  /**
   * The non-static file-scope variables the file declares (engine/globals.ts fileScopeGlobals),
   * when `text` is not the whole file (a scan's slice blanks declarations). Their facts are
   * exported (`_global_.name` keys), and other files' facts about a name the file declares itself
   * are not imported. Default: read from the text.
   */
  fileGlobals?: readonly string[];
  /**
   * The file's function-pointer slots (engine/fnptr.ts `pointerSlots()`), when `text` is a slice:
   * read from the whole file, since a store into a slot may sit in a blanked body.
   */
  pointerSlots?: readonly (readonly [string, readonly string[]])[];
  /**
   * The whole file, when `text` is a slice: what only the whole file can tell (whether a static
   * function's address is taken in a blanked table or body, so that its call sites are not all
   * known).
   */
  wholeText?: string;
}
