/**
 * The units of work of a scan, run either in a worker thread (worker.ts) or in-process (small scans,
 * --jobs 1, tests): reading files for the pre-pass, looking for linking names, and parsing +
 * analysing one file. Each runner holds one parser backend for its lifetime; the syntax tree of a
 * file is dropped as soon as its analysis returns (the WASM tree is deleted inside the backend).
 */
import * as fs from 'fs';
import * as path from 'path';
import { givesMemory, reachesIo, type AnalysisResult, type AnalyzeOptions, type FieldFact, type Finding, type FunctionSummary } from '../types';
import { outside, type Backend, type BackendName } from '../parse/backends';
import { analyzeTree, fieldNameOf, getBackend } from '../analyze';
import { decodeSource, readSourceBytes } from './files';
import { callsOf, fileLinks, lexFunctions, mergePairs, NameMatcher, SNK, sourceFieldTypes, sourceGlobals, SRC, stackCandidate, stackSinkNames, tableFieldTypes, wordsRegex, type NameClasses, type PrefilterEntry } from './prefilter';
import { sha1 } from './cache';
import { blankExcept, fileGraph, keepFor, sliceOptions, sliceRelevant, type SliceResult } from './slice';
import { analyzeOnDemand, holderGate } from './demand';
import { declaresOwn, fileScopeGlobals, GLOBAL_TAG } from '../engine/globals';
import { seedNames } from '../tables';
import type { ScanNote } from './types';

/** AnalyzeOptions as sent to a worker (no externalSummaries: those go with each file). */
export type WorkerAnalyzeOptions = Omit<AnalyzeOptions, 'externalSummaries'>;

export interface RunnerInit {
  parser: BackendName;
  classes: NameClasses;
  options: WorkerAnalyzeOptions;
  /** Blank the bodies of functions that cannot reach the analysis before parsing (slice.ts). */
  slice?: boolean;
  /** Widen a narrow slice on the analysis's demand (demand.ts); false: the lexical slice. */
  demand?: boolean;
}

export type Task =
  | { kind: 'prefilter'; files: string[] }
  | { kind: 'lex'; files: string[] }
  /** Members each file fills with the result of a call to one of its `names` (sourceFieldTypes). */
  | { kind: 'fields'; files: string[]; names: string[][] }
  /** `lex: false`: the names only, not the lexical details of the files that mention one. */
  | { kind: 'refs'; files: string[]; names: string[]; namesHash: string; lex?: boolean }
  /**
   * `needed`: the functions other scanned files call (their summaries must be exact); [] for a
   * leaf, which may be skipped when no flow is possible; undefined = analyse the whole file.
   */
  | {
    kind: 'analyze'; file: string; external: FunctionSummary[]; needed?: string[]; callSites?: [string, number[]][]; calls?: string[];
    /** What other files store in struct members this file reads (AnalyzeOptions.externalFields). */
    fields?: FieldFact[];
    /** Functions the file's previous demand-driven analysis parsed: this one starts with them too. */
    hint?: string[];
  };

export interface PrefilterFileResult {
  entry?: PrefilterEntry;
  /** The file's LexInfo as JSON (prefilter tasks, files with bits), for the main thread to decode when it parses the file. */
  lexJson?: string;
  /** Content sha1, for files with a match (the ones that may be parsed). */
  sha1?: string;
  note?: ScanNote;
}

export interface RefsFileResult {
  refs?: string[];
  sha1?: string;
  /** Definitions and calls of a file that mentions a linking name (it may be parsed), as JSON. */
  lexJson?: string;
  note?: ScanNote;
}

export interface AnalyzeFileResult {
  file: string;
  sha1?: string;
  findings: Finding[];
  summaries: FunctionSummary[];
  /** The analyzer's own notes (ERROR nodes …). */
  notes: string[];
  /** Why the file could not be analysed (invalid UTF-8, binary, unreadable, analyzer crash). */
  fileNote?: ScanNote;
  parseMs: number;
  analyzeMs: number;
  /** Characters parsed and characters of them blanked by slicing. */
  chars?: number;
  blanked?: number;
  /** Not parsed: no source of this file can reach one of its sink-side calls (slice.ts sourceMeetsSink). */
  skipped?: boolean;
  /** Calls to other files' functions with vmalloc memory (AnalysisResult.callSites). */
  callSites?: [string, number[]][];
  /** Parse + analysis passes of demand-driven slicing (demand.ts). */
  passes?: number;
  /** The functions its last pass parsed (a re-analysis of the file starts with them). */
  parsedFunctions?: string[];
  /** AnalysisResult.fieldFacts. */
  fieldFacts?: FieldFact[];
}

export type TaskResult =
  | { kind: 'prefilter'; files: PrefilterFileResult[] }
  | { kind: 'refs'; files: RefsFileResult[] }
  | { kind: 'fields'; files: [string, string][][] }
  | { kind: 'analyze'; result: AnalyzeFileResult };

const LOCAL_INCLUDE = /^[ \t]*#[ \t]*include[ \t]*"([^"\n]+\.h)"/gm;
const STRUCT_DEF = /\bstruct\s+([A-Za-z_]\w*)\s*\{/g;
/** Headers larger than this (generated register maps) are not read for struct definitions. */
const MAX_HEADER_BYTES = 8 << 20;

export class TaskRunner {
  private readonly matcher: NameMatcher;
  private backend: Promise<Backend> | undefined;
  private refsRe: { hash: string; re: RegExp | undefined } | undefined;

  /** Source- and sink-side names of the tables and user options, for the worker's flow check. */
  private readonly sources: ReadonlySet<string>;
  private readonly sinks: ReadonlySet<string>;
  private readonly headerTags = new Map<string, string[]>();

  constructor(private readonly init: RunnerInit) {
    this.matcher = new NameMatcher(init.classes);
    this.sources = new Set([...init.classes.sources, ...(init.options.extraAllocators ?? [])]);
    this.sinks = new Set([...init.classes.sinks, ...(init.options.extraSinks ?? [])]);
  }

  /** Start loading the parser now (workers do this at start-up, while the pre-pass runs). */
  warmUp(): void {
    // getBackend caches per thread: in-process scans share the CLI's/extension's parser.
    this.backend ??= getBackend(this.init.parser);
    // A load failure surfaces on the first analyze task, with its message.
    this.backend.catch(() => undefined);
  }

  async run(task: Task): Promise<TaskResult> {
    switch (task.kind) {
      case 'prefilter': return { kind: 'prefilter', files: task.files.map((f) => this.prefilterOne(f)) };
      case 'lex': return { kind: 'prefilter', files: task.files.map((f) => this.lexOne(f)) };
      case 'refs': return { kind: 'refs', files: this.refs(task) };
      case 'fields': return { kind: 'fields', files: task.files.map((f, k) => this.storedFields(f, task.names[k] ?? [])) };
      case 'analyze': return { kind: 'analyze', result: await this.analyze(task.file, task.external, task.needed, task.callSites, task.calls, task.hint, task.fields) };
    }
  }

  private prefilterOne(file: string): PrefilterFileResult {
    const r = readSourceBytes(file);
    if (!r.ok) return { note: r.note };
    const text = r.buf.toString('latin1');
    const bits = this.fileBits(text);
    if (bits === 0) return { entry: { bits } };
    const srcCalls: number[] = [];
    const lex = lexFunctions(text, this.matcher, { srcCalls });
    // as one string: the main thread decodes it only for the files it will parse (a fifth of them
    // on a kernel tree), instead of receiving ~150,000 definitions as objects
    let fields: [string, string][] = [];
    if (srcCalls.length) {
      // and the calls of the file's own pointer-returning helpers that name a source
      const helpers = lex.defs.filter((d) => (d.bits & SRC) !== 0 && d.returnsPointer).map((d) => d.name);
      // and the member tables the functions calling a source fill with pages
      const calls = helpers.length ? [...srcCalls, ...callsOf(text, new Set(helpers))] : srcCalls;
      fields = mergePairs(sourceFieldTypes(text, calls), tableFieldTypes(text, srcCalls));
      if (fields.length) {
        const owned = this.localTags(file, text);
        fields = fields.filter(([t]) => owned.has(t));
      }
      // and the non-static file-scope variables it stores a source's result in
      fields = mergePairs(fields, sourceGlobals(text, calls));
    }
    return {
      entry: { bits, links: fileLinks(file, bits, lex, this.matcher), ...(fields.length ? { fields } : {}) },
      lexJson: JSON.stringify(lex), sha1: sha1(r.buf),
    };
  }

  /**
   * Struct tags the file's own headers define (`struct T {` in a header it includes with quotes,
   * resolved from its directory): the types its subsystem owns. What a driver stores in a member
   * of its ring holds for all its rings; what one file of mm/ stores in a `seq_file`'s private
   * member (a type of <linux/seq_file.h>) says nothing about another file's seq_file.
   */
  private localTags(file: string, text: string): Set<string> {
    const out = new Set<string>();
    for (const m of text.matchAll(LOCAL_INCLUDE)) {
      const h = path.resolve(path.dirname(file), m[1]);
      let tags = this.headerTags.get(h);
      if (!tags) {
        tags = [];
        // a regular file of a source's size only: an include naming a FIFO must not block the scan
        let st: fs.Stats | undefined;
        try { st = fs.statSync(h); } catch { st = undefined; }
        const r = st?.isFile() && st.size <= MAX_HEADER_BYTES ? readSourceBytes(h) : undefined;
        if (r?.ok) for (const d of r.buf.toString('latin1').matchAll(STRUCT_DEF)) tags.push(d[1]);
        this.headerTags.set(h, tags);
      }
      for (const t of tags) out.add(t);
    }
    return out;
  }

  /** The members `file` fills with the result of one of `names` (another file's wrapper allocators). */
  private storedFields(file: string, names: string[]): [string, string][] {
    const r = readSourceBytes(file);
    if (!r.ok || names.length === 0) return [];
    const text = r.buf.toString('latin1');
    const calls = callsOf(text, new Set(names));
    if (calls.length === 0) return [];
    const owned = this.localTags(file, text);
    return mergePairs(sourceFieldTypes(text, calls).filter(([t]) => owned.has(t)), sourceGlobals(text, calls));
  }

  /** Lexical details of a file whatever its bits (a linked file re-entering the parse set). */
  private lexOne(file: string): PrefilterFileResult {
    const r = readSourceBytes(file);
    if (!r.ok) return { note: r.note };
    const text = r.buf.toString('latin1');
    return { entry: { bits: this.fileBits(text), lex: lexFunctions(text, this.matcher) }, sha1: sha1(r.buf) };
  }

  /** SRC|SNK of a file's table names; a stack object handed to a device-facing sink is vmalloc memory with CONFIG_VMAP_STACK. */
  private fileBits(text: string): number {
    const bits = this.matcher.classify(text);
    return bits === SNK && stackCandidate(text) ? bits | SRC : bits;
  }

  private refs(task: { files: string[]; names: string[]; namesHash: string; lex?: boolean }): RefsFileResult[] {
    if (!this.refsRe || this.refsRe.hash !== task.namesHash) this.refsRe = { hash: task.namesHash, re: wordsRegex(task.names) };
    const re = this.refsRe.re;
    return task.files.map((file) => {
      if (!re) return { refs: [] };
      const r = readSourceBytes(file);
      if (!r.ok) return { note: r.note };
      const text = r.buf.toString('latin1');
      re.lastIndex = 0;
      const found = new Set<string>();
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) found.add(m[0]);
      if (found.size === 0) return { refs: [] };
      return { refs: [...found].sort(), sha1: sha1(r.buf), ...(task.lex === false ? {} : { lexJson: JSON.stringify(lexFunctions(text, this.matcher)) }) };
    });
  }

  private async analyze(file: string, external: FunctionSummary[], neededIn: string[] | undefined, callSites?: [string, number[]][], calls: string[] = [], hint?: string[], fields: FieldFact[] = []): Promise<AnalyzeFileResult> {
    // `field:T.m` in needed: files reading that member need what this file stores in it
    const neededFields = (neededIn ?? []).filter((nm) => nm.startsWith('field:')).map(fieldNameOf);
    const needed = neededIn?.filter((nm) => !nm.startsWith('field:'));
    // the members other files store vmalloc memory in: a function mentioning one reads it
    const readMembers = [...new Set(fields.map((f) => fieldNameOf(f.key)))];
    const empty = { file, findings: [], summaries: [], notes: [], parseMs: 0, analyzeMs: 0 };
    const r = readSourceBytes(file);
    if (!r.ok) return { ...empty, fileNote: r.note };
    const hash = sha1(r.buf);
    const dec = decodeSource(r.buf);
    // not UTF-8: a Latin-1 comment (older kernel files have them); every C token is ASCII, so the
    // file is analysed byte for byte as Latin-1, lines and columns unchanged, and says so (--verbose)
    const latin1 = dec.ok ? undefined : `${dec.message.replace(/^skipped: /, '')}: read as Latin-1`;
    this.warmUp();
    const backend = await (this.backend as Promise<Backend>);
    try {
      const t0 = performance.now();
      const ext = new Map<string, FunctionSummary>();
      for (const s of external) ext.set(s.name, s);
      let text = dec.ok ? dec.text : r.buf.toString('latin1');
      let blanked = 0;
      let gaps: [number, number][] | undefined;
      const done = (res: AnalysisResult, rest: Pick<AnalyzeFileResult, 'parseMs' | 'analyzeMs'> & Partial<AnalyzeFileResult>): AnalyzeFileResult => ({
        file, sha1: hash, findings: res.findings, summaries: res.summaries, notes: latin1 ? [...res.notes, latin1] : res.notes, ...(res.callSites ? { callSites: res.callSites } : {}),
        ...(res.fieldFacts ? { fieldFacts: res.fieldFacts } : {}), ...rest,
      });
      // file-scope variables: the ones this file declares are its own (exported, never imported);
      // what is declared in them is blanked by slicing, so they are read from the whole text here
      const own = fileScopeGlobals(text);
      if (fields.some((f) => f.key.startsWith(`${GLOBAL_TAG}.`))) fields = fields.filter((f) => !f.key.startsWith(`${GLOBAL_TAG}.`) || !declaresOwn(text, fieldNameOf(f.key), own));
      const opts: AnalyzeOptions = {
        ...this.init.options, externalSummaries: ext, fileGlobals: [...own], ...(callSites?.length ? { externalCallSites: new Map(callSites) } : {}), ...(needed?.length ? { neededSummaries: needed } : {}),
        ...(fields.length ? { externalFields: fields } : {}),
      };
      if (this.init.slice !== false) {
        const o = this.init.options;
        const graph = fileGraph(text, this.matcher, new Set(ext.keys()));
        let sl: SliceResult | undefined;
        // a stack object handed to a device-facing sink has its declaration for a source: the
        // functions calling those sinks are kept whole (stackCandidate, stackSinkNames)
        const stackSrc = stackCandidate(text) ? stackSinkNames() : [];
        const seeds = seedNames([...(o.extraAllocators ?? []), ...(o.extraSinks ?? []), ...ext.keys(), ...readMembers, ...stackSrc]);
        if (needed) {
          const sources = new Set([...this.sources, ...readMembers, ...stackSrc]);
          // a function mentioning a member other files read is where this file's value leaves it
          const sinks = new Set([...this.sinks, ...neededFields]);
          // a call into another scanned file can carry vmalloc memory to a helper judged at its callers
          for (const c of calls) sinks.add(c);
          for (const s of external) {
            if (givesMemory(s)) sources.add(s.name);
            if (reachesIo(s)) sinks.add(s.name);
          }
          const keep = keepFor(graph, sources, sinks, needed, seeds);
          if (keep === 'skip') {
            return { ...empty, sha1: hash, parseMs: performance.now() - t0, chars: 0, blanked: 0, skipped: true };
          }
          if (keep && this.init.demand !== false) {
            let parseMs = 0;
            let analyzeMs = 0;
            const t1 = performance.now();
            const timed = <T>(f: () => T, into: 'parse' | 'analyze'): T => {
              const a = performance.now();
              try {
                return f();
              } finally {
                if (into === 'parse') parseMs += performance.now() - a;
                else analyzeMs += performance.now() - a;
              }
            };
            const splicing = backend.name === 'wasm' && process.env.VMALIAS_SPLICE !== '0';
            const out = analyzeOnDemand({ g: graph, keep, sources, needed, sites: (callSites ?? []).map(([n]) => n), ...(hint ? { hint } : {}), ...holderGate(graph, this.sinks, external, needed) }, {
              parse: (sl) => timed(() => backend.parse(sl.text, sl.gaps).root, 'parse'),
              // skipping everything but the ranges needs tree-sitter's included ranges (wasm)
              ...(splicing ? { parseOnly: (t: string, ranges: readonly (readonly [number, number])[]) => timed(() => backend.parse(t, outside(ranges, t.length)).root, 'parse') } : {}),
              analyze: (root, sl) => timed(() => analyzeTree(root, sl.text, file, { ...opts, reportDemand: true, ...sliceOptions(sl) }), 'analyze'),
            });
            return done(out.result, {
              parseMs: parseMs + (t1 - t0), analyzeMs, chars: out.charsParsed, blanked: out.charsBlanked, passes: out.passes, parsedFunctions: out.parsed,
            });
          }
          if (keep) sl = blankExcept(graph, keep, { topLevel: true });
        }
        sl ??= sliceRelevant(text, seeds, this.matcher, graph);
        Object.assign(opts, sliceOptions(sl));
        text = sl.text;
        blanked = sl.blanked;
        gaps = sl.gaps;
      }
      const parsed = backend.parse(text, gaps);
      const t1 = performance.now();
      const res = analyzeTree(parsed.root, text, file, opts);
      return done(res, { parseMs: t1 - t0, analyzeMs: performance.now() - t1, chars: text.length, blanked });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      return { ...empty, sha1: hash, fileNote: { path: file, severity: 'warning', message: `not analysed: ${msg}` } };
    }
  }
}
