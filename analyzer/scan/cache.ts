/**
 * On-disk cache of a whole-tree scan, two layers:
 *
 * - **Analysis entries** keyed by sha256(tool fingerprint, options hash, path, content sha1):
 *   the file's findings and exported summaries, plus `depSig`, the hash of the callee summaries
 *   from other files it was analysed with. An entry is used only when the file's current depSig
 *   equals the stored one, so a changed file costs itself and the files whose callees' summaries
 *   it changed — nothing else.
 * - **A stat index** per set of scanned roots: path → size, mtime, inode, content sha1 and the
 *   pre-pass result. Unchanged files (same size/mtime/inode, like git's index) are not even read
 *   on a warm run. Files modified within the same second as the index was written are re-read
 *   (the "racy git" rule), since their mtime cannot prove they did not change again.
 *
 * Everything read back is validated (magic, schema, tool fingerprint, key, shape); anything corrupt
 * or foreign is ignored and counted, never trusted. Writes go to a temporary file renamed into
 * place, so a crash or a concurrent scan never leaves a half-written entry.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SUMMARY_PARAM_LISTS, type FieldFact, type Finding, type FunctionSummary } from '../types';
import type { LexInfo, PrefilterEntry } from './prefilter';

export const CACHE_MAGIC = 'vmalias-cache';
export const CACHE_SCHEMA = 3;

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'vmalias');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'vmalias', 'cache');
  return path.join(os.homedir(), '.cache', 'vmalias');
}

export function sha1(data: string | Buffer): string {
  return crypto.createHash('sha1').update(data).digest('hex');
}

export function sha256(data: string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

let fingerprint: string | undefined;

/**
 * Tool version for cache keys: package version plus a hash of the analyzer code that produced the
 * results, so a rebuilt analyzer never reads results of an older one even at the same version.
 * In the bundle (dist/) that is the worker bundle, which contains the whole analyzer; in the tsc
 * output (tests) it is every compiled analyzer module.
 */
export function toolFingerprint(): string {
  if (fingerprint) return fingerprint;
  const h = crypto.createHash('sha1');
  let version = '0';
  for (const p of [path.join(__dirname, '..', 'package.json'), path.join(__dirname, '..', '..', 'package.json'), path.join(__dirname, '..', '..', '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vmalias' && pkg.version) { version = pkg.version; break; }
    } catch { /* try the next */ }
  }
  const bundle = path.join(__dirname, 'worker.js');
  const files: string[] = [];
  if (path.basename(__dirname) === 'scan') {
    // tsc output: out/analyzer/scan → hash the compiled modules that decide results (not the
    // report, patch or CLI modules, which other work rebuilds all the time).
    const rootDir = path.join(__dirname, '..');
    const stack = ['analyze.js', 'types.js', 'engine', 'tables', 'parse', 'scan'].map((p) => path.join(rootDir, p));
    while (stack.length) {
      const d = stack.pop() as string;
      if (d.endsWith('.js')) { files.push(d); continue; }
      let ents: fs.Dirent[] = [];
      try { ents = fs.readdirSync(d, { withFileTypes: true }); } catch { /* unreadable */ }
      for (const e of ents) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) stack.push(p);
        else if (e.name.endsWith('.js')) files.push(p);
      }
    }
    files.sort();
  } else {
    files.push(bundle, __filename);
  }
  for (const f of files) {
    try { h.update(f.slice(path.dirname(__dirname).length)); h.update(fs.readFileSync(f)); } catch { /* absent */ }
  }
  fingerprint = `${version}+${h.digest('hex').slice(0, 16)}`;
  return fingerprint;
}

export interface AnalysisEntry {
  depSig: string;
  /** The call sites from other files the file was analysed with (JSON; '[]' = none). */
  siteSig?: string;
  findings: Finding[];
  summaries: FunctionSummary[];
  notes: string[];
  /** Calls to other files' functions with vmalloc memory (AnalysisResult.callSites). */
  callSites?: [string, number[]][];
  /** What the file stores in struct members of known types (AnalysisResult.fieldFacts). */
  fieldFacts?: FieldFact[];
}

interface StoredEntry extends AnalysisEntry {
  magic: string;
  schema: number;
  tool: string;
  key: string;
}

/** Stat-index row: [size, mtimeMs, ino, sha1 | '', prefilter entry, refs | null, git blob id | '']. */
export type IndexRow = [number, number, number, string, PrefilterEntry, string[] | null, string];

/**
 * On disk the index is column-wise: on a kernel tree 94% of the rows are "size, mtime, inode, no
 * match", and one JSON object per row made a warm run spend more time parsing and collecting
 * garbage than statting the tree. Only rows with something to say get an entry in the sparse
 * columns.
 */
interface StoredIndex {
  magic: string;
  schema: number;
  tool: string;
  key: string;
  /** Hash of the linking names the `refs` column was computed for. */
  linkHash: string;
  /** The wrappers of wrappers (`name@scopes`) whose callers `refs` also holds (absent = none). */
  derived?: string[];
  /** Hash of the struct tags and members (with their scopes) the entries' `fieldHits` answer. */
  fieldHash?: string;
  writtenMs: number;
  paths: string[];
  size: number[];
  mtime: number[];
  ino: number[];
  /** Sparse, by row number: content sha1, pre-pass entry (absent = `{ bits: 0 }`), refs (absent = []). */
  sha: Record<string, string>;
  entry: Record<string, PrefilterEntry>;
  refs: Record<string, string[] | null>;
  /** Git blob id per row ('' unknown); absent when no row had one. */
  blob?: string[];
}

const NO_MATCH: PrefilterEntry = Object.freeze({ bits: 0 }) as PrefilterEntry;
const NO_REFS: string[] = Object.freeze([]) as unknown as string[];

/** A loaded stat index: row lookup by absolute path, columns read on demand. */
export class StatIndex {
  private readonly at = new Map<string, number>();
  private lexCol: Record<string, LexInfo> | undefined;
  constructor(readonly linkHash: string, readonly writtenMs: number, private readonly v: StoredIndex, private readonly loadLex: () => Record<string, LexInfo>) {
    v.paths.forEach((p, j) => this.at.set(p, j));
  }
  /** Row number of a path, or -1. */
  find(absPath: string): number {
    return this.at.get(absPath) ?? -1;
  }
  size(j: number): number { return this.v.size[j]; }
  mtime(j: number): number { return this.v.mtime[j]; }
  ino(j: number): number { return this.v.ino[j]; }
  sha(j: number): string { return this.v.sha[j] ?? ''; }
  entry(j: number): PrefilterEntry {
    const e = this.v.entry[j];
    if (!e) return NO_MATCH;
    if (!e.hasLex) return e;
    // Lexical details of parsed files are a second file, read only when a run needs them (a warm
    // run with nothing changed does not); missing or damaged, the scan lexes those files again.
    this.lexCol ??= this.loadLex();
    const lex = this.lexCol[j];
    const { hasLex: _drop, ...rest } = e;
    return lex ? { ...rest, lex } : rest;
  }
  refs(j: number): string[] | null { const r = this.v.refs[j]; return r === undefined ? NO_REFS : r; }
  /** The wrappers of wrappers the stored refs were searched for (`name@scopes`). */
  get derived(): readonly string[] { return this.v.derived ?? NO_REFS; }
  /** What the stored `fieldHits` were searched for ('' = nothing). */
  get fieldHash(): string { return this.v.fieldHash ?? ''; }
  blob(j: number): string { return this.v.blob?.[j] ?? ''; }
  get length(): number { return this.v.paths.length; }
}

function validEntry(e: unknown): boolean {
  return isObj(e) && typeof e.bits === 'number' &&
    (e.wraps === undefined || (Array.isArray(e.wraps) && e.wraps.every((w) => Array.isArray(w) && w.length === 2 && typeof w[0] === 'string' && strings(w[1])))) &&
    (e.fields === undefined || (Array.isArray(e.fields) && e.fields.every((w) => strings(w) && w.length === 2))) &&
    (e.fieldHits === undefined || strings(e.fieldHits));
}

function strings(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

export interface CacheStats {
  hits: number;
  misses: number;
  rejected: number;
  writes: number;
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A stored object of this cache: our magic and schema, written by this tool under this key. */
function ours(v: unknown, tool: string, key: string): v is Record<string, unknown> {
  return isObj(v) && v.magic === CACHE_MAGIC && v.schema === CACHE_SCHEMA && v.tool === tool && v.key === key;
}

function validFinding(f: unknown): boolean {
  if (!isObj(f)) return false;
  const span = f.span;
  return typeof f.rule === 'string' && typeof f.file === 'string' && typeof f.message === 'string' &&
    isObj(span) && isObj(span.start) && typeof (span.start as Record<string, unknown>).line === 'number' &&
    Array.isArray(f.trace) && Array.isArray(f.fixes) && isObj(f.facts);
}

/** A struct member as facts and summaries name it: `T.m`, `T.m[]` for an array of buffers. */
const MEMBER_KEY = /^[A-Za-z_]\w*\.[A-Za-z_]\w*(?:\[\])?$/;

/** A field fact as the interpreter reads it (analyze.ts importFields). */
function validFieldFact(f: unknown): boolean {
  if (!isObj(f)) return false;
  return typeof f.key === 'string' && MEMBER_KEY.test(f.key) && (f.t === 'buf' || f.t === 'pages' || f.t === 'table') &&
    (f.home === undefined || (f.t === 'table' && typeof f.home === 'string' && MEMBER_KEY.test(f.home))) &&
    ['vmalloc', 'maybe', 'vmap'].includes(f.kind as string) && (f.mixed === undefined || f.mixed === true) && typeof f.display === 'string' && typeof f.zeroed === 'boolean' &&
    (f.size === undefined || typeof f.size === 'string') && (f.sizeBytes === undefined || typeof f.sizeBytes === 'number') &&
    Array.isArray(f.origin) && f.origin.every((x) => isObj(x) && typeof x.kind === 'string' && typeof x.message === 'string' && typeof x.file === 'string' &&
      isObj(x.span) && isObj(x.span.start) && isObj(x.span.end) && typeof x.span.startOffset === 'number' && typeof x.span.endOffset === 'number');
}

const PARAM_INDEXES = ['directionParam', 'returnSizeParam', 'returnsPageOfParam', 'returnsAliasOfParam'] as const;

/** A summary as the interpreter applies it: every field it reads has the type it expects. */
export function validSummary(s: unknown): boolean {
  if (!isObj(s) || typeof s.name !== 'string' || typeof s.file !== 'string') return false;
  const index = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
  for (const k of SUMMARY_PARAM_LISTS) if (s[k] !== undefined && !(Array.isArray(s[k]) && (s[k] as unknown[]).every(index))) return false;
  for (const k of PARAM_INDEXES) if (s[k] !== undefined && !index(s[k])) return false;
  const kind = (x: unknown) => ['vmalloc', 'maybe-vmalloc', 'vmap'].includes(x as string);
  if (s.returnsVmalloc !== undefined && !kind(s.returnsVmalloc)) return false;
  if (s.submitDirection !== undefined && !['read', 'write', 'both'].includes(s.submitDirection as string)) return false;
  if (s.returnsZeroed !== undefined && typeof s.returnsZeroed !== 'boolean') return false;
  if (s.directionWhenTrue !== undefined && !(s.directionWhenTrue === 'read' || s.directionWhenTrue === 'write')) return false;
  // inserted into the caller's code by a fix: an expression, never a statement or a string
  const sizeExpr = (x: unknown) => x === undefined || (typeof x === 'string' && x.length <= 200 && /^[\w\s$*+\-()<>.,]+$/.test(x));
  if (!sizeExpr(s.returnSize)) return false;
  const members = (x: unknown) => x === undefined || (Array.isArray(x) && x.every((m) => typeof m === 'string' && MEMBER_KEY.test(m)));
  if (![s.flushesMembers, s.invalidatesMembers, s.readIntoMembers, s.readsMembers, s.writesMembers].every(members)) return false;
  const outs = s.outVmallocParams;
  if (outs !== undefined && !(Array.isArray(outs) && outs.every((o) => isObj(o) && index(o.param) && kind(o.kind) && sizeExpr(o.size)))) return false;
  const adds = s.addsPagesParams;
  if (adds !== undefined && !(Array.isArray(adds) && adds.every((a) => isObj(a) && index(a.buf) && index(a.to) && (a.kind === 'bio' || a.kind === 'sg')))) return false;
  const lens = s.submitsLength;
  if (lens !== undefined && !(Array.isArray(lens) && lens.every((x) => isObj(x) && index(x.param) && index(x.len)))) return false;
  const when = s.flushesWhen;
  if (when !== undefined && !(Array.isArray(when) && when.every((w) => isObj(w) && index(w.param) && typeof w.value === 'boolean' &&
    (w.params === undefined || (Array.isArray(w.params) && w.params.every(index))) && members(w.members)))) return false;
  const holds = s.returnsPagesOfParams;
  return holds === undefined || (Array.isArray(holds) && holds.every((a) => isObj(a) && index(a.buf) && (a.kind === 'bio' || a.kind === 'sg') &&
    (a.dir === undefined || a.dir === 'read' || a.dir === 'write')));
}

export class ScanCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, rejected: 0, writes: 0 };
  private readonly objects: string;
  private readonly indexDir: string;

  constructor(readonly dir: string, readonly tool: string, readonly optionsHash: string) {
    this.objects = path.join(dir, `v${CACHE_SCHEMA}`, 'objects');
    this.indexDir = path.join(dir, `v${CACHE_SCHEMA}`, 'index');
  }

  entryKey(file: string, contentSha1: string): string {
    return sha256(`${this.tool}\0${this.optionsHash}\0${path.resolve(file)}\0${contentSha1}`);
  }

  private entryPath(key: string): string {
    return path.join(this.objects, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): AnalysisEntry | undefined {
    let raw: string;
    try {
      raw = fs.readFileSync(this.entryPath(key), 'utf8');
    } catch {
      this.stats.misses++;
      return undefined;
    }
    let v: unknown;
    try { v = JSON.parse(raw); } catch { v = undefined; }
    if (!ours(v, this.tool, key) ||
        typeof v.depSig !== 'string' || !Array.isArray(v.findings) || !Array.isArray(v.summaries) || !Array.isArray(v.notes) ||
        !v.findings.every(validFinding) || !v.summaries.every(validSummary) || !v.notes.every((n) => typeof n === 'string') ||
        (v.siteSig !== undefined && typeof v.siteSig !== 'string') ||
        (v.fieldFacts !== undefined && !(Array.isArray(v.fieldFacts) && v.fieldFacts.every(validFieldFact))) ||
        (v.callSites !== undefined && !(Array.isArray(v.callSites) && v.callSites.every((c) => Array.isArray(c) && c.length === 2 && typeof c[0] === 'string' && Array.isArray(c[1]) && c[1].every((x: unknown) => typeof x === 'number'))))) {
      this.stats.rejected++;
      return undefined;
    }
    const s = v as unknown as StoredEntry;
    return {
      depSig: s.depSig, findings: s.findings, summaries: s.summaries, notes: s.notes,
      ...(s.siteSig !== undefined ? { siteSig: s.siteSig } : {}), ...(s.callSites ? { callSites: s.callSites } : {}),
      ...(s.fieldFacts ? { fieldFacts: s.fieldFacts } : {}),
    };
  }

  put(key: string, entry: AnalysisEntry): void {
    const stored: StoredEntry = { magic: CACHE_MAGIC, schema: CACHE_SCHEMA, tool: this.tool, key, ...entry };
    if (writeAtomic(this.entryPath(key), JSON.stringify(stored))) this.stats.writes++;
  }

  indexKey(roots: string[], classesHash: string): string {
    return sha256(`${this.tool}\0${classesHash}\0${roots.map((r) => path.resolve(r)).sort().join('\0')}`);
  }

  /** Whether a stat index for `key` exists (without reading it). */
  hasIndex(key: string): boolean {
    return fs.existsSync(path.join(this.indexDir, `${key}.json`));
  }

  loadIndex(key: string): StatIndex | undefined {
    let v: unknown;
    try {
      v = JSON.parse(fs.readFileSync(path.join(this.indexDir, `${key}.json`), 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.stats.rejected++;
      return undefined;
    }
    const num = (a: unknown, n: number): boolean => Array.isArray(a) && a.length === n && a.every((x) => typeof x === 'number');
    if (!ours(v, this.tool, key) ||
        typeof v.linkHash !== 'string' || typeof v.writtenMs !== 'number' || !Array.isArray(v.paths) || !v.paths.every((p) => typeof p === 'string') ||
        !num(v.size, v.paths.length) || !num(v.mtime, v.paths.length) || !num(v.ino, v.paths.length) ||
        !isObj(v.sha) || !Object.values(v.sha).every((x) => typeof x === 'string') ||
        !isObj(v.entry) || !Object.values(v.entry).every(validEntry) ||
        !isObj(v.refs) || !Object.values(v.refs).every((r) => r === null || (Array.isArray(r) && r.every((x) => typeof x === 'string'))) ||
        (v.derived !== undefined && !strings(v.derived)) || (v.fieldHash !== undefined && typeof v.fieldHash !== 'string') ||
        (v.blob !== undefined && !(Array.isArray(v.blob) && v.blob.length === v.paths.length && v.blob.every((x) => typeof x === 'string')))) {
      this.stats.rejected++;
      return undefined;
    }
    const lexFile = path.join(this.indexDir, `${key}.lex.json`);
    const writtenMs = v.writtenMs;
    const loadLex = (): Record<string, LexInfo> => {
      try {
        const l: unknown = JSON.parse(fs.readFileSync(lexFile, 'utf8'));
        if (isObj(l) && l.magic === CACHE_MAGIC && l.key === key && l.writtenMs === writtenMs && isObj(l.lex) &&
            Object.values(l.lex).every((x) => isObj(x) && Array.isArray(x.defs))) return l.lex as Record<string, LexInfo>;
      } catch { /* missing or unreadable: re-lexed */ }
      this.stats.rejected++;
      return {};
    };
    return new StatIndex(v.linkHash, v.writtenMs, v as unknown as StoredIndex, loadLex);
  }

  /** `walkStartMs`: rows whose mtime is not at least a second older than this are not trusted later. */
  saveIndex(key: string, linkHash: string, files: Map<string, IndexRow>, walkStartMs: number, derived: string[] = [], fieldHash = ''): void {
    const out: StoredIndex = {
      magic: CACHE_MAGIC, schema: CACHE_SCHEMA, tool: this.tool, key, linkHash, writtenMs: walkStartMs, ...(derived.length ? { derived } : {}),
      ...(fieldHash ? { fieldHash } : {}),
      paths: [], size: [], mtime: [], ino: [], sha: {}, entry: {}, refs: {},
    };
    const lexCol: Record<string, LexInfo> = {};
    const blobs: string[] = [];
    for (const [p, [size, mtime, ino, sha, entry, refs, blob]] of files) {
      const j = out.paths.length;
      out.paths.push(p);
      blobs.push(blob);
      out.size.push(size);
      out.mtime.push(mtime);
      out.ino.push(ino);
      if (sha) out.sha[j] = sha;
      if (entry.lex) {
        const { lex, ...rest } = entry;
        lexCol[j] = lex;
        out.entry[j] = { ...rest, hasLex: true };
      } else if (entry.bits !== 0 || Object.keys(entry).length > 1) out.entry[j] = entry;
      if (refs === null || refs.length) out.refs[j] = refs;
    }
    if (blobs.some(Boolean)) out.blob = blobs;
    writeAtomic(path.join(this.indexDir, `${key}.lex.json`), JSON.stringify({ magic: CACHE_MAGIC, key, writtenMs: walkStartMs, lex: lexCol }));
    writeAtomic(path.join(this.indexDir, `${key}.json`), JSON.stringify(out));
  }
}

/**
 * A whole scan's result, for the run after it when nothing changed: valid only for the stat
 * index it was computed with (`stamp` = the index's writtenMs) and the same options.
 */
export interface StoredResult {
  /** Wall-clock start of the walk of the scan that produced it (files modified within a second of it are not trusted). */
  stamp: number;
  /** treeSignature() of that walk. */
  treeSig: string;
  findings: Finding[];
  /** Notes from after the walk (the walk's own are made again each run). */
  notes: { path: string; severity: 'error' | 'warning' | 'info'; message: string }[];
  summaries: FunctionSummary[];
  /** What the analysed files store in struct members (ScanResult.fieldFacts). */
  fieldFacts?: FieldFact[];
  /** Counters of the run that produced it. */
  filesPrefiltered: number;
  linkNames: number;
}

export class ResultStore {
  constructor(private readonly dir: string, private readonly tool: string) {}

  private file(key: string): string {
    return path.join(this.dir, `v${CACHE_SCHEMA}`, 'results', `${key}.json`);
  }

  load(key: string, treeSig: string): StoredResult | undefined {
    let v: unknown;
    try {
      v = JSON.parse(fs.readFileSync(this.file(key), 'utf8'));
    } catch {
      return undefined;
    }
    if (!ours(v, this.tool, key) || v.treeSig !== treeSig || typeof v.stamp !== 'number' ||
        !Array.isArray(v.findings) || !v.findings.every(validFinding) || !Array.isArray(v.summaries) || !v.summaries.every(validSummary) ||
        !Array.isArray(v.notes) || !v.notes.every((n) => isObj(n) && typeof n.path === 'string' && typeof n.message === 'string' && ['error', 'warning', 'info'].includes(n.severity as string)) ||
        typeof v.filesPrefiltered !== 'number' || typeof v.linkNames !== 'number' ||
        (v.fieldFacts !== undefined && !(Array.isArray(v.fieldFacts) && v.fieldFacts.every(validFieldFact)))) {
      return undefined;
    }
    return v as unknown as StoredResult;
  }

  save(key: string, r: StoredResult): void {
    writeAtomic(this.file(key), JSON.stringify({ magic: CACHE_MAGIC, schema: CACHE_SCHEMA, tool: this.tool, key, ...r }));
  }
}

/** Write to a temporary file in the same directory, then rename over the target (atomic on POSIX). */
export function writeAtomic(file: string, data: string): boolean {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try { fs.unlinkSync(tmp); } catch { /* never created */ }
    return false;
  }
}
