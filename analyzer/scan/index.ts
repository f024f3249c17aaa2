/**
 * Whole-tree scan (issue #6): walk → lexical pre-pass (all files, in workers) → linking pass →
 * parse + analyse the selected files callees-first with cross-file summaries → findings streamed
 * to `onFinding` as each file's result becomes final. See docs/scale.md for the design and numbers.
 */
import * as crypto from 'crypto';
import * as path from 'path';
import type { FieldFact, Finding, FunctionSummary } from '../types';
import { walkPaths, type SourceFile } from './files';
import { GLOBAL_TAG } from '../engine/globals';
import { byFieldKey } from '../analyze';
import { addDefiners, addWrapperLinks, inScope, linkingNames, scopeOf, wrapperLinks, nameClasses, NameMatcher, scopedGroups, selectFiles, isExported, SNK, SRC, type LexInfo, type PrefilterEntry } from './prefilter';
import { ResultStore, ScanCache, defaultCacheDir, sha1, toolFingerprint, type IndexRow } from './cache';
import { createRunner, defaultJobs, type Runner } from './pool';
import { buildGraph, depSignature, SummaryTable, type DepFile } from './summaries';
import { createProgress } from './progress';
import { grepGroups, GrepRun, GrepShells, type GrepGroup, type GrepResult } from './grep';
import { cleanBlobs } from './git';
import type { AnalyzeFileResult, RunnerInit, TaskResult, WorkerAnalyzeOptions } from './tasks';
import { abortError, type ScanNote, type ScanOptions, type ScanProgress, type ScanResult, type ScanStats } from './types';

export * from './types';
export { defaultCacheDir } from './cache';
export { relevantNames } from '../tables';
import { tableResolved } from '../tables';
import { kernelVersionAbove } from '../kernel-version';
import { confineFindings as confineByKbuild, KbuildReader } from '../kbuild';

export { kernelVersionAbove };

/** Batches for the pre-pass: few enough messages, small enough to balance two workers. */
const BATCH_FILES = 128;
const BATCH_BYTES = 8 * 1024 * 1024;
/** Below this many files a scan runs in-process: starting workers costs more than it saves. */
const IN_PROCESS_BELOW = 8;
/** One hash of what the stat index trusts (path, size, mtime, inode) for every walked file. */
function treeSignature(files: SourceFile[]): string {
  const h = crypto.createHash('sha1');
  for (const f of files) h.update(`${f.path}\0${f.size}\0${f.mtimeMs}\0${f.ino}\n`);
  return h.digest('hex');
}

/** Below this many files to read, spawning grep costs more than reading them (docs/scale.md). */
const GREP_MIN = 1000;
/** Ask git for blob ids when at least this many files are not trusted by their stat data (git.ts). */
const GIT_MIN = 1000;

function emptyStats(): ScanStats {
  return {
    filesSeen: 0, bytes: 0, filesPrefiltered: 0, linkNames: 0, wrapperLinks: 0, fieldLinks: 0, linkFilesRead: 0, filesParsed: 0, analyses: 0, cacheHits: 0, prefilterCacheHits: 0, gitHits: 0,
    rounds: 0, workers: 0, wallMs: 0, walkMs: 0, prefilterMs: 0, grepMs: 0, candidatesMs: 0, linkMs: 0, analyzeMs: 0, parseCpuMs: 0, analyzeCpuMs: 0, charsParsed: 0, charsBlanked: 0, passes: 0, grepFiles: 0, filesRead: 0, filesSkipped: 0, resultCached: 0,
  };
}

function batches(idx: number[], files: SourceFile[]): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  let bytes = 0;
  for (const i of idx) {
    cur.push(i);
    bytes += files[i].size;
    if (cur.length >= BATCH_FILES || bytes >= BATCH_BYTES) { out.push(cur); cur = []; bytes = 0; }
  }
  if (cur.length) out.push(cur);
  return out;
}

function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.span.startOffset - b.span.startOffset || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);
}

/**
 * Scan files and directories. Findings are delivered to `onFinding` as soon as a file's result is
 * final — at its first analysis for a file outside call cycles that no call-site fact can reach
 * (callees-first order), else after the top-down call-site pass — and are also returned, sorted,
 * in the result. Rejects with an error named `AbortError` when
 * `opts.signal` aborts; findings already delivered stay delivered.
 */
export async function scanPaths(paths: string[], opts: ScanOptions = {}, onFinding?: (f: Finding) => void): Promise<ScanResult> {
  const t0 = performance.now();
  const stats = emptyStats();
  const notes: ScanNote[] = [];
  const signal = opts.signal;
  const check = (): void => { if (signal?.aborted) throw abortError(); };
  const progress = createProgress(opts.progressStream ?? process.stderr, opts.quiet);
  let findingsSoFar = 0;
  const report = (phase: ScanProgress['phase'], done: number, total: number): void => {
    const p = { phase, done, total, findings: findingsSoFar };
    progress.update(p);
    opts.onProgress?.(p);
  };
  // one reader of kbuild files per tree, for the findings of files built only for aliasing-free architectures
  const kbuild = new Map<string, KbuildReader | undefined>();
  const confineFindings = (fs: readonly Finding[]): Finding[] => (opts.kbuild === false ? [...fs] : confineByKbuild(fs, kbuild));
  let runner: Runner | undefined;
  let early: GrepRun | undefined;
  let shellPool: GrepShells | undefined;
  // Made at the first grep, before the workers start: see GrepShells.
  const shells = (jobs: number): GrepShells => (shellPool ??= new GrepShells(jobs, opts.signal));
  try {
    check();
    const kernel = opts.kernel ?? (paths.length ? kernelVersionAbove(paths[0]) : undefined);
    const analyzeOptions: WorkerAnalyzeOptions = {
      ...(kernel ? { kernel } : {}),
      ...(opts.extraAllocators ? { extraAllocators: opts.extraAllocators } : {}),
      ...(opts.extraSinks ? { extraSinks: opts.extraSinks } : {}),
      ...(opts.rules ? { rules: opts.rules } : {}),
      ...(opts.confidence ? { confidence: opts.confidence } : {}),
    };
    const classes = nameClasses(opts.extraAllocators, opts.extraSinks);
    const matcher = new NameMatcher(classes);
    const classesHash = sha1(JSON.stringify(classes));
    const optionsHash = sha1(JSON.stringify({ ...analyzeOptions, rules: opts.rules ? [...opts.rules].sort() : null, slice: opts.slice !== false, demand: opts.demand !== false }));
    const cache = opts.noCache ? undefined : new ScanCache(opts.cacheDir ?? defaultCacheDir(), toolFingerprint(), optionsHash);
    const indexKey = cache?.indexKey(paths, classesHash);
    const grepJobs = Math.max(1, opts.jobs ?? defaultJobs());
    // grep first: files it does not list name nothing relevant and need not be read at all.
    const useGrep = (count: number): boolean => opts.grep === true || (opts.grep !== false && count >= GREP_MIN);
    // A tree with no stat index (the first scan of these roots, or --no-cache) must have every
    // file looked at: grep starts on the files as the walk lists them, on the core the walk
    // leaves idle, once there are enough of them for grep to be worth it (batches are held
    // back until then).
    const names1 = matcher.names();
    if (opts.grep !== false && !(cache && indexKey && cache.hasIndex(indexKey))) {
      early = new GrepRun({ jobs: grepJobs, signal, command: opts.grepCommand, shells: shells(grepJobs) });
      early.setJobs(0);
    }
    const onFile = early && ((f: SourceFile): void => {
      const run = early as GrepRun;
      run.push(names1, f.path);
      // one process fewer while the walk holds a core
      if ((opts.grep === true && run.count === 1) || run.count === GREP_MIN) run.setJobs(Math.max(1, grepJobs - 1));
    });
    report('walk', 0, 0);
    const files = await walkPaths(paths, { exclude: opts.exclude, maxFileBytes: opts.maxFileBytes, signal, ...(onFile ? { onFile } : {}) }, notes);
    check();
    if (early && !useGrep(files.length)) {
      early.cancel();
      early = undefined;
    }
    early?.setJobs(grepJobs);
    stats.walkMs = performance.now() - t0;
    const walkNotes = notes.length;
    stats.filesSeen = files.length;
    for (const f of files) stats.bytes += f.size;
    const walkStart = Date.now() - (performance.now() - t0);
    // Nothing changed since the last scan with these options (the same files with the same size,
    // mtime and inode — the stat index's trust rule — none modified within a second of that scan):
    // its whole result is still right, and not even the stat index needs loading.
    const results = cache && indexKey ? new ResultStore(cache.dir, cache.tool) : undefined;
    const resultKey = indexKey ? sha1(JSON.stringify([indexKey, optionsHash, opts.prefilter !== false, opts.maxFanout ?? 64, opts.maxRounds ?? 4, opts.linkDepth ?? 3, opts.exportLinks === true])) : '';
    const treeSig = results ? treeSignature(files) : '';
    if (results) {
      const stored = results.load(resultKey, treeSig);
      if (stored && files.every((f) => f.mtimeMs < stored.stamp - 1000)) {
        notes.push(...stored.notes);
        const confined = confineFindings(stored.findings);
        for (const f of confined) onFinding?.(f);
        stats.filesPrefiltered = stored.filesPrefiltered;
        stats.linkNames = stored.linkNames;
        stats.cacheHits = stored.filesPrefiltered;
        stats.prefilterCacheHits = files.length;
        stats.resultCached = 1;
        stats.wallMs = performance.now() - t0;
        report('done', files.length, files.length);
        const summaries = new Map<string, FunctionSummary>();
        for (const sm of stored.summaries) summaries.set(sm.name, sm);
        return { findings: confined, notes, stats, summaries, fieldFacts: stored.fieldFacts ?? [] };
      }
    }
    const index = cache && indexKey ? cache.loadIndex(indexKey) : undefined;

    const init: RunnerInit = { parser: opts.parser ?? 'wasm', classes, options: analyzeOptions, slice: opts.slice !== false, demand: opts.demand !== false };
    const jobs = Math.max(1, opts.jobs ?? (files.length < IN_PROCESS_BELOW ? 1 : defaultJobs()));
    const getRunner = (): Runner => {
      if (!runner) {
        runner = createRunner(init, jobs, signal, opts.tuneJit === true);
        stats.workers = runner.size;
      }
      return runner;
    };
    const run = async (task: Parameters<Runner['run']>[0]): Promise<TaskResult> => getRunner().run(task);

    // ---- Phase 1: lexical pre-pass ------------------------------------------------------------
    const t1 = performance.now();
    const n = files.length;
    const entries: (PrefilterEntry | undefined)[] = new Array(n);
    const shas: (string | undefined)[] = new Array(n);
    const refs: (string[] | undefined)[] = new Array(n);
    // Lexical details as the workers sent them (JSON), decoded for the files that are parsed.
    const lexJson: (string | undefined)[] = new Array(n);
    const trusted: boolean[] = new Array(n).fill(false);
    const indexRow = new Int32Array(n).fill(-1);
    const absPaths = files.map((f) => (path.isAbsolute(f.path) ? f.path : path.resolve(f.path)));
    let todo: number[] = [];
    for (let i = 0; i < n; i++) {
      const j = index ? index.find(absPaths[i]) : -1;
      const f = files[i];
      if (index && j >= 0 && index.size(j) === f.size && index.mtime(j) === f.mtimeMs && index.ino(j) === f.ino && f.mtimeMs < index.writtenMs - 1000) {
        indexRow[i] = j;
        trusted[i] = true;
        stats.prefilterCacheHits++;
      } else {
        todo.push(i);
      }
    }
    // Many files not trusted by their stat data (a fresh checkout, or the first scan): ask git
    // which of them are unchanged, by blob id (git.ts); their stored results stand.
    const blobs: (string | undefined)[] = new Array(n);
    if (opts.git !== false && (opts.git === true || todo.length >= GIT_MIN)) {
      const blobOf = cleanBlobs(paths, { command: opts.gitCommand });
      if (blobOf) {
        for (let i = 0; i < n; i++) blobs[i] = blobOf(absPaths[i], files[i]);
        if (index) {
          const still: number[] = [];
          for (const i of todo) {
            const j = index.find(absPaths[i]);
            const b = blobs[i];
            if (j >= 0 && b !== undefined && index.blob(j) === b && index.size(j) === files[i].size) {
              indexRow[i] = j;
              trusted[i] = true;
              stats.prefilterCacheHits++;
              stats.gitHits++;
            } else {
              still.push(i);
            }
          }
          todo = still;
        }
      }
    }
    // rows trusted through git carry new mtimes and inodes: rewrite the index for the next run
    let indexDirty = todo.length > 0 || stats.gitHits > 0;
    // Not reused whole: the stored pre-pass results of the unchanged files.
    if (index) {
      for (let i = 0; i < n; i++) {
        if (!trusted[i]) continue;
        entries[i] = index.entry(indexRow[i]);
        shas[i] = index.sha(indexRow[i]) || undefined;
      }
    }
    let done1 = n - todo.length;
    report('prefilter', done1, n);
    let grepBroken = false;
    const grepped = (r: GrepResult | undefined, count: number): GrepResult | undefined => {
      if (!r) {
        grepBroken = true;
        notes.push({ path: paths.join(' '), severity: 'info', message: 'grep is not usable here; the pre-pass reads every file itself' });
        return undefined;
      }
      stats.grepFiles += count;
      return r;
    };
    const viaGrep = async (groups: GrepGroup[], count: number, words: boolean) => {
      if (grepBroken || !useGrep(count)) return undefined;
      return grepped(await grepGroups(groups, { jobs: grepJobs, signal, command: opts.grepCommand, words, shells: shells(grepJobs) }), count);
    };
    let toRead = todo;
    const tg = performance.now();
    // Started during the walk on every walked file; todo is all of them, or fewer when an index
    // appeared since (another scan wrote it): hits outside todo are not looked at.
    const g1 = early
      ? grepped(await early.end(), early.count)
      : await viaGrep([{ files: todo.map((i) => files[i].path), names: names1 }], todo.length, false);
    stats.grepMs = performance.now() - tg;
    check();
    const tc = performance.now();
    if (g1) {
      const failed = new Set(g1.failed);
      toRead = todo.filter((i) => g1.hits.has(files[i].path) || failed.has(files[i].path));
      const read = new Set(toRead);
      for (const i of todo) if (!read.has(i)) entries[i] = { bits: 0 };
      done1 += todo.length - toRead.length;
      report('prefilter', done1, n);
    }
    stats.filesRead += toRead.length;
    await Promise.all(batches(toRead, files).map(async (b) => {
      const r = await run({ kind: 'prefilter', files: b.map((i) => files[i].path) });
      if (r.kind !== 'prefilter') return;
      r.files.forEach((res, k) => {
        const i = b[k];
        if (res.note) notes.push(res.note);
        entries[i] = res.entry;
        if (res.lexJson) lexJson[i] = res.lexJson;
        shas[i] = res.sha1;
      });
      done1 += b.length;
      report('prefilter', done1, n);
    }));
    check();

    stats.candidatesMs = performance.now() - tc;
    const tl = performance.now();
    // ---- Linking pass: who calls the wrappers and helpers of half-matching files --------------
    const underDir = new Map<string, number>();
    for (const f of files) {
      if (!f.path.endsWith('.c')) continue;
      underDir.set('', (underDir.get('') ?? 0) + 1);
      for (let k = f.rel.indexOf('/'); k !== -1; k = f.rel.indexOf('/', k + 1)) {
        const d = f.rel.slice(0, k + 1);
        underDir.set(d, (underDir.get(d) ?? 0) + 1);
      }
    }
    const linkInput = { paths: files.map((f) => f.path), rels: files.map((f) => f.rel), entries, scopeFiles: (sc: string) => underDir.get(sc) ?? 0 };
    const links = linkingNames(linkInput, matcher);
    // a definition of a name the interpreter takes from the tables (mm/slub.c's kfree(), which
    // converts its argument) links nothing: its summary is never read
    const resolved = tableResolved(kernel, opts.extraAllocators, opts.extraSinks);
    for (const nm of [...links.keys()]) if (resolved.has(nm)) links.delete(nm);
    const linkList = [...links.keys()].sort();
    const linkHash = sha1(JSON.stringify([...links].map(([k, l]) => [k, l.scopes.sort()]).sort()));
    const allScopes = [...new Set([...links.values()].flatMap((l) => l.scopes))];
    const refsTodo: number[] = [];
    // files whose refs are the stored ones (they include the wrappers of wrappers found then)
    const storedRefs = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (!entries[i]) continue;
      // Callers are looked for in .c files: headers call wrappers rarely, and the largest headers
      // (generated register maps, tens of MB) would dominate the second read.
      if (!files[i].path.endsWith('.c')) { refs[i] = []; continue; }
      const j = indexRow[i];
      const stored = index && j >= 0 ? index.refs(j) : null;
      if (trusted[i] && index?.linkHash === linkHash && stored !== null) {
        refs[i] = stored;
        storedRefs[i] = 1;
        // Linked files' lexical info was stored with their row.
        entries[i] = index?.entry(j);
      } else if (linkList.length === 0 || !inScope(files[i].rel, allScopes)) {
        // Only files inside some link's subsystem scope can reference it usefully.
        refs[i] = [];
      } else {
        refsTodo.push(i);
      }
    }
    if (refsTodo.length) indexDirty = true;
    // Two stages: wrapper allocators (source-side links) are looked for in every file in scope;
    // sink-side helpers only in files that have a source side (their own, or a wrapper allocator
    // they call) — a file without one can never be selected, and 1,400 sink-side helpers over
    // 20,000 files was most of the pre-pass on a kernel tree.
    const srcLinks = linkList.filter((nm) => ((links.get(nm)?.bits ?? 0) & SRC) !== 0);
    const snkLinks = linkList.filter((nm) => ((links.get(nm)?.bits ?? 0) & SNK) !== 0);
    const found = new Map<number, Set<string>>();
    let filesRead = 0;
    const rels = files.map((f) => f.rel);
    const sizes = files.map((f) => f.size);
    // Lexical details of files the pre-pass did not keep them for (read again in the workers).
    const lexAgain = async (idx: number[]): Promise<void> => {
      await Promise.all(batches(idx, files).map(async (b) => {
        const r = await run({ kind: 'lex', files: b.map((i) => files[i].path) });
        if (r.kind !== 'prefilter') return;
        r.files.forEach((res, k) => {
          const e = entries[b[k]];
          if (res.entry?.lex && e) entries[b[k]] = { ...e, lex: res.entry.lex };
          if (res.sha1 && !shas[b[k]]) shas[b[k]] = res.sha1;
        });
      }));
    };
    // `scoped` gives each name's scopes (the links, or the struct names of field facts); hits go to `into`
    const findRefs = async (idx: number[], names: string[], tag: string, scoped: ReadonlyMap<string, { scopes: string[] }> = links, into = found, lex = true): Promise<void> => {
      if (idx.length === 0 || names.length === 0) return;
      // Each file is searched only for the names whose scopes contain it.
      const bytes = idx.reduce((k, i) => k + files[i].size, 0);
      const { groups, allowed } = scopedGroups(rels, sizes, idx, names, scoped, Math.max(4 << 20, bytes / 16));
      const add = (i: number, hit: Iterable<string>): void => {
        const own = allowed.get(i);
        let set = into.get(i);
        for (const nm of hit) {
          if (!own?.has(nm)) continue;
          if (!set) into.set(i, (set = new Set()));
          set.add(nm);
        }
      };
      // With grep, the names each file mentions come from grep itself (-o): nothing is read here.
      let read = groups;
      const g = await viaGrep(groups.map((gr) => ({ files: gr.idx.map((i) => files[i].path), names: gr.names })), groups.reduce((k, gr) => k + gr.idx.length, 0), true);
      check();
      if (g) {
        const failed = new Set(g.failed);
        read = groups.map((gr) => ({ idx: gr.idx.filter((i) => failed.has(files[i].path)), names: gr.names })).filter((gr) => gr.idx.length);
        for (const gr of groups) {
          for (const i of gr.idx) {
            const hit = g.hits.get(files[i].path);
            if (hit && !failed.has(files[i].path)) add(i, hit);
          }
        }
      }
      const work = read.flatMap((gr, k) => batches(gr.idx, files).map((b) => ({ b, names: gr.names, hash: `${linkHash}:${tag}:${k}` })));
      filesRead += read.reduce((k, gr) => k + gr.idx.length, 0);
      await Promise.all(work.map(async ({ b, names: nms, hash }) => {
        const r = await run({ kind: 'refs', files: b.map((i) => files[i].path), names: nms, namesHash: hash, ...(lex ? {} : { lex: false }) });
        if (r.kind !== 'refs') return;
        r.files.forEach((res, k) => {
          const i = b[k];
          if (res.refs?.length) add(i, res.refs);
          if (res.sha1 && !shas[i]) shas[i] = res.sha1;
          const e = entries[i];
          if (res.lexJson && e && !e.lex) lexJson[i] = res.lexJson;
        });
      }));
      check();
    };
    // Wrappers of wrappers, to `linkDepth` levels: a file that calls a source-side link of another
    // file may export a function returning its result (`bar_buf_alloc()` around `bar_area_alloc()`
    // around vmalloc()); that function links its own callers in turn. Each level lexes the files
    // that call the previous level's names and searches the new names' scopes for their callers.
    // Trusted files keep their stored references and `wraps`; they are searched only for names
    // the stat index did not know (storedDerived).
    const linkDepth = Math.max(1, opts.linkDepth ?? 3);
    const storedDerived = new Set(index?.derived ?? []);
    const derivedKey = (nm: string): string => `${nm}@${links.get(nm)?.scopes.join(',')}`;
    const srcRefsOf = (i: number): Set<string> => {
      const out = new Set<string>();
      for (const nm of [...(refs[i] ?? []), ...(found.get(i) ?? [])]) {
        const l = links.get(nm);
        if (!l || (l.bits & SRC) === 0 || !inScope(rels[i], l.scopes) || (l.definers.length === 1 && l.definers[0] === i)) continue;
        out.add(nm);
      }
      return out;
    };
    const withRefs = (): number[] => {
      const out = new Set(found.keys());
      for (let i = 0; i < n; i++) if (storedRefs[i] && refs[i]?.length) out.add(i);
      return [...out].sort((a, b) => a - b);
    };
    const wrappersOfWrappers = async (first: string[]): Promise<string[]> => {
      const all: string[] = [];
      let frontier = new Set(first);
      const gained = new Set<number>();
      for (let level = 2; level <= linkDepth && frontier.size; level++) {
        // (only files with references can call one: the stored ones, and those found this run)
        const callers: number[] = [];
        for (const i of withRefs()) {
          if (!entries[i] || !files[i].path.endsWith('.c')) continue;
          for (const nm of srcRefsOf(i)) if (frontier.has(nm)) { callers.push(i); break; }
        }
        // lexical details: kept from the candidates' read, else read again
        const need = callers.filter((i) => !(storedRefs[i] && !gained.has(i) && entries[i]?.wraps) && !entries[i]?.lex && lexJson[i] === undefined);
        await lexAgain(need);
        check();
        for (const i of callers) {
          const e = entries[i] as PrefilterEntry;
          if (storedRefs[i] && !gained.has(i) && e.wraps) continue;
          const j = lexJson[i];
          const lex = e.lex ?? (j !== undefined ? (JSON.parse(j) as LexInfo) : undefined);
          // the decoded details stay: the file is often parsed too (it calls a wrapper)
          entries[i] = { ...e, ...(lex ? { lex } : {}), wraps: lex ? wrapperLinks(files[i].path, lex, srcRefsOf(i), matcher) : [] };
          indexDirty = true;
        }
        // stored wrappers count through the names that link this run (one may be gone since)
        // (a wrapper named like a table row — kernel/dma/mapping.c's dma_alloc_attrs() around
        // the remapping allocators — is taken from the tables, never from its definition)
        const added = addWrapperLinks(linkInput, links, callers, (i) => {
          const mine = srcRefsOf(i);
          return (entries[i]?.wraps ?? []).filter(([nm]) => !resolved.has(nm))
            .map(([nm, via]): [string, string[]] => [nm, via.filter((v) => mine.has(v))]).filter(([, via]) => via.length);
        });
        if (added.length === 0) break;
        all.push(...added);
        frontier = new Set(added);
        // where the new names' callers may be: every .c file in their scopes; files whose stored
        // references already answered for a name the index knew are not searched again
        const scopes = [...new Set(added.flatMap((nm) => links.get(nm)?.scopes ?? []))];
        const known = added.filter((nm) => storedDerived.has(derivedKey(nm)));
        const fresh = added.filter((nm) => !storedDerived.has(derivedKey(nm)));
        const inNew: number[] = [];
        const untrustedIn: number[] = [];
        for (let i = 0; i < n; i++) {
          if (!entries[i] || !files[i].path.endsWith('.c') || !inScope(rels[i], scopes)) continue;
          inNew.push(i);
          if (!storedRefs[i]) untrustedIn.push(i);
        }
        const before = new Map([...found].map(([i, set]) => [i, set.size]));
        await findRefs(untrustedIn, known, `w${level}k`);
        await findRefs(inNew, fresh, `w${level}f`);
        for (const [i, set] of found) if (storedRefs[i] && set.size !== (before.get(i) ?? 0)) { gained.add(i); indexDirty = true; }
      }
      return all;
    };
    await findRefs(refsTodo, srcLinks, 'src');
    for (const i of refsTodo) refs[i] = [];
    stats.wrapperLinks = (await wrappersOfWrappers(srcLinks)).length;
    // Members filled with another file's wrapper allocator (`ring->desc = foo_alloc(n)`): the files
    // calling a source-side link are read for such stores (the pre-pass saw only table names).
    {
      const want = new Map<number, string[]>();
      for (const i of found.keys()) {
        const names = [...srcRefsOf(i)];
        if (names.length && files[i].path.endsWith('.c')) want.set(i, names.sort());
      }
      const idx = [...want.keys()].sort((a, b) => a - b);
      await Promise.all(batches(idx, files).map(async (b) => {
        const r = await run({ kind: 'fields', files: b.map((i) => files[i].path), names: b.map((i) => want.get(i) ?? []) });
        if (r.kind !== 'fields') return;
        r.files.forEach((fl, k) => {
          const i = b[k];
          const e = entries[i];
          if (!e || fl.length === 0) return;
          const merged = new Map((e.fields ?? []).map((f) => [`${f[0]}.${f[1]}`, f]));
          for (const f of fl) merged.set(`${f[0]}.${f[1]}`, f);
          entries[i] = { ...e, fields: [...merged.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([, f]) => f) };
          indexDirty = true;
        });
      }));
      check();
    }
    // (found holds source-side names only so far; a wrapper of wrappers can give a source side to
    // a file outside the first links' scopes, or to an unchanged file)
    const withSource = [...new Set([...refsTodo.filter((i) => ((entries[i]?.bits ?? 0) & SRC) !== 0), ...found.keys()])].sort((a, b) => a - b);
    await findRefs(withSource, snkLinks, 'snk');
    for (const [i, set] of found) {
      for (const nm of refs[i] ?? []) set.add(nm);
      refs[i] = [...set].sort();
    }
    stats.linkNames = links.size;
    // Struct members across files: a file storing a source's result in `ctx->log` (`ctx` a
    // `struct qq_ctx *`) and another file of its subsystem naming both `qq_ctx` and `log` and a
    // sink: the reader is analysed after the storer, with what the storer's analysis says the
    // member holds (`field:T.m` dependencies below, AnalyzeOptions.externalFields).
    const fieldKeysOf = new Map<number, Set<string>>();
    let fieldHash = '';
    const fieldDefiners = new Map<string, number[]>();
    const linkFields = async (): Promise<number> => {
      const keyScopes = new Map<string, string[]>();
      for (let i = 0; i < n; i++) {
        for (const [t, m] of entries[i]?.fields ?? []) {
          const key = `${t}.${m}`;
          fieldDefiners.set(key, [...(fieldDefiners.get(key) ?? []), i]);
          const sc = scopeOf(linkInput, rels[i]);
          const cur = keyScopes.get(key) ?? [];
          if (!cur.includes(sc)) keyScopes.set(key, [...cur, sc]);
        }
      }
      // (`fields` holds only types the storer's own headers define: tasks.ts localTags)
      const owned = [...fieldDefiners.keys()];
      if (owned.length === 0) return 0;
      // Readers: .c files of the storer's scope naming a sink and both the type and the member.
      const scoped = new Map<string, { scopes: string[] }>();
      for (const key of owned) {
        // a file-scope variable's readers name it, and declare it extern (often in a header)
        for (const nm of key.startsWith(`${GLOBAL_TAG}.`) ? key.split('.').slice(1) : key.split('.')) {
          const cur = scoped.get(nm) ?? { scopes: [] };
          for (const sc of keyScopes.get(key) ?? []) if (!cur.scopes.includes(sc)) cur.scopes.push(sc);
          scoped.set(nm, cur);
        }
      }
      const allScopes = [...new Set([...scoped.values()].flatMap((x) => x.scopes))];
      const idx: number[] = [];
      for (let i = 0; i < n; i++) if (((entries[i]?.bits ?? 0) & SNK) !== 0 && files[i].path.endsWith('.c') && inScope(rels[i], allScopes)) idx.push(i);
      // what an unchanged file named is kept in the stat index, valid while the names searched are
      const hits = new Map<number, Set<string>>();
      fieldHash = sha1(JSON.stringify([...scoped].map(([nm, v]) => [nm, [...v.scopes].sort()]).sort()));
      const todoIdx: number[] = [];
      for (const i of idx) {
        const kept = trusted[i] && index?.fieldHash === fieldHash ? entries[i]?.fieldHits : undefined;
        if (!kept) todoIdx.push(i);
        else if (kept.length) hits.set(i, new Set(kept));
      }
      await findRefs(todoIdx, [...scoped.keys()].sort(), 'fields', scoped, hits, false);
      for (const i of todoIdx) entries[i] = { ...(entries[i] as PrefilterEntry), fieldHits: [...(hits.get(i) ?? [])].sort() };
      if (todoIdx.length) indexDirty = true;
      let linked = 0;
      const tooMany: string[] = [];
      for (const key of owned) {
        const [t, m] = key.split('.');
        const defs = fieldDefiners.get(key) ?? [];
        const rs: number[] = [];
        for (const [i, h] of hits) if ((t === GLOBAL_TAG || h.has(t)) && h.has(m) && !defs.includes(i) && inScope(rels[i], keyScopes.get(key) ?? [])) rs.push(i);
        if (rs.length === 0) continue;
        if (rs.length > (opts.maxFanout ?? 64)) { tooMany.push(key); continue; }
        linked++;
        for (const i of rs) fieldKeysOf.set(i, (fieldKeysOf.get(i) ?? new Set()).add(key));
      }
      if (tooMany.length) notes.push({ path: paths.join(' '), severity: 'info', message: `${tooMany.length} struct member(s) read by more than ${opts.maxFanout ?? 64} files not followed: ${tooMany.slice(0, 8).join(', ')}${tooMany.length > 8 ? ', …' : ''}` });
      return linked;
    };
    stats.fieldLinks = await linkFields();
    stats.linkFilesRead = filesRead;
    check();
    const sel = selectFiles(linkInput, links, refs, opts.maxFanout ?? 64);
    if (fieldKeysOf.size) {
      const more = new Set(sel.parse);
      // a storer filling the member from another file's wrapper needs that file's summary too
      const withLinks = (d: number): void => {
        if (more.has(d)) return;
        more.add(d);
        addDefiners(links, srcRefsOf(d), more);
      };
      for (const [i, keys] of fieldKeysOf) {
        more.add(i);
        for (const key of keys) for (const d of fieldDefiners.get(key) ?? []) withLinks(d);
      }
      sel.parse = [...more].sort((a, b) => a - b);
    }
    if (opts.exportLinks) {
      // callers outside the scan (a patch under review) may use any linking name
      const more = new Set(sel.parse);
      for (const ln of links.values()) for (const d of ln.definers) more.add(d);
      sel.parse = [...more].sort((a, b) => a - b);
    }
    const parseIdx = opts.prefilter === false ? files.map((_, i) => i).filter((i) => entries[i]) : sel.parse;
    // What the workers sent this run is decoded for the parsed files only.
    for (const i of parseIdx) {
      const e = entries[i];
      const j = lexJson[i];
      if (e && !e.lex && j !== undefined) entries[i] = { ...e, lex: JSON.parse(j) as LexInfo };
    }
    lexJson.length = 0;
    // The stat index keeps lexical details only for parsed files; a file that joined the parse
    // set since is lexed again (for the dependency graph).
    const relex = parseIdx.filter((i) => !entries[i]?.lex);
    await lexAgain(relex);
    if (relex.length) indexDirty = true;
    stats.filesPrefiltered = sel.parse.length;
    stats.linkMs = performance.now() - tl;
    stats.prefilterMs = performance.now() - t1;
    if (sel.dropped.length) {
      notes.push({ path: paths.join(' '), severity: 'info', message: `${sel.dropped.length} linking name(s) referenced by more than ${opts.maxFanout ?? 64} files not followed: ${sel.dropped.slice(0, 8).join(', ')}${sel.dropped.length > 8 ? ', …' : ''}` });
    }

    if (opts.selectOnly) {
      stats.wallMs = performance.now() - t0;
      return {
        findings: [], notes, stats, summaries: new Map(), fieldFacts: [],
        selected: parseIdx.map((i) => ({ path: files[i].path, bits: entries[i]?.bits ?? 0, links: sel.used.get(i) ?? [] })),
      };
    }

    // ---- Phase 2: analysis, callees first, summaries exchanged by name ------------------------
    const t2 = performance.now();
    // Calls that can carry a summary: linking names, and exported functions of parsed files whose
    // bodies name a table function. Other calls cannot change a finding, so they add no edge (and
    // no cycle) to the dependency graph.
    const interesting = new Set<string>(links.keys());
    for (const i of parseIdx) for (const d of entries[i]?.lex?.defs ?? []) if (d.bits && isExported(files[i].path, d) && !resolved.has(d.name)) interesting.add(d.name);
    const depFiles: DepFile[] = parseIdx.map((i) => {
      const lex = entries[i]?.lex;
      const calls = new Set<string>(refs[i] ?? []);
      for (const d of lex?.defs ?? []) for (const c of d.calls) if (interesting.has(c)) calls.add(c);
      // a member read across files is a dependency like a call: `field:T.m`
      for (const key of fieldKeysOf.get(i) ?? []) calls.add(`field:${key}`);
      const stored = (entries[i]?.fields ?? []).map(([t, m]) => `field:${t}.${m}`);
      return {
        path: files[i].path,
        exports: lex ? [...lex.defs.filter((d) => isExported(files[i].path, d)).map((d) => d.name), ...stored] : undefined,
        defines: lex ? lex.defs.map((d) => d.name) : [],
        calls: [...calls],
      };
    });
    const graph = buildGraph(depFiles);
    const table = new SummaryTable(depFiles);
    const finalFindings: Finding[] = [];
    // what each was delivered as (kbuild): the whole result stored keeps the findings as analysed
    const confined = new Map<Finding, Finding>();
    const maxRounds = Math.max(1, opts.maxRounds ?? 4);
    let doneFiles = 0;
    const parsedOnce = new Set<number>();
    // What other selected files need of each file: the exported functions they call (their
    // summaries must be exact). A file nobody calls into is a leaf: only its own findings matter,
    // so the worker may skip it when none of its sources can reach one of its sinks. Cache entries
    // are keyed with this (a file that gains a caller is analysed again).
    const exportSets = depFiles.map((f) => new Set(f.exports ?? []));
    const neededNames: Set<string>[] = parseIdx.map(() => new Set<string>());
    graph.deps.forEach((ds, j) => {
      for (const d of ds) for (const c of depFiles[j].calls) if (exportSets[d].has(c)) neededNames[d].add(c);
    });
    if (opts.exportLinks) {
      const slot = new Map(parseIdx.map((i, k) => [i, k]));
      for (const [name, ln] of links) for (const d of ln.definers) { const k = slot.get(d); if (k !== undefined && exportSets[k].has(name)) neededNames[k].add(name); }
    }
    const needed = neededNames.map((x) => [...x].sort());
    // Functions of other selected files that name a source-side function themselves (a helper
    // that proves its argument is vmalloc memory with is_vmalloc_addr()/vmalloc_to_page() is one):
    // passing vmalloc memory to one can change how it is judged (its call sites go back to its
    // file), so for the worker's flow check a call to one counts as a sink.
    const srcExports = parseIdx.map((i) => new Set((entries[i]?.lex?.defs ?? []).filter((d) => (d.bits & SRC) !== 0 && isExported(files[i].path, d) && !resolved.has(d.name)).map((d) => d.name)));
    const callsOut = depFiles.map((f, k) => f.calls.filter((c) => graph.deps[k].some((d) => srcExports[d].has(c))));
    // What each analysed file stores in members of known types, and what a reader gets of it: the
    // facts of its dependencies that define the members it reads (`field:T.m` calls).
    const fieldsOf = new Map<number, FieldFact[]>();
    const fieldsFor = (k: number): FieldFact[] => {
      const want = new Set(depFiles[k].calls.filter((c) => c.startsWith('field:')).map((c) => c.slice('field:'.length)));
      if (want.size === 0) return [];
      const out = new Map<string, FieldFact>();
      for (const d of graph.deps[k]) {
        for (const f of fieldsOf.get(d) ?? []) {
          if (!want.has(f.key.replace(/\[\]$/, ''))) continue;
          // a member's own value and a table kept in it are two facts
          const slot = `${f.t === 'table' ? 'sgt:' : ''}${f.key}`;
          const cur = out.get(slot);
          // two files storing into the same member: it is vmalloc memory only if both say so
          out.set(slot, cur && (cur.kind !== f.kind || cur.t !== f.t || cur.home !== f.home) ? { ...cur, kind: 'maybe' } : cur ?? f);
        }
      }
      return [...out.values()].sort(byFieldKey);
    };
    const sigOf = (k: number, ext: ReturnType<SummaryTable['externalFor']>): string => {
      const fields = fieldsFor(k);
      return `${depSignature(ext)}|${needed[k].join(',')}${fields.length ? `|${sha1(JSON.stringify(fields))}` : ''}`;
    };
    report('analyze', 0, parseIdx.length);

    type Sites = [string, number[]][];
    // what a file's last demand-driven analysis ended up parsing: a re-analysis starts there
    const demandHint = new Map<number, string[]>();
    const analyzeOne = async (k: number, external: ReturnType<SummaryTable['externalFor']>, sites: Sites = []): Promise<AnalyzeFileResult> => {
      const i = parseIdx[k];
      let res: AnalyzeFileResult;
      try {
        const hint = demandHint.get(k);
        const fields = fieldsFor(k);
        const r = await run({
          kind: 'analyze', file: files[i].path, external, needed: opts.prefilter === false ? undefined : needed[k], calls: callsOut[k],
          ...(fields.length ? { fields } : {}),
          ...(sites.length ? { callSites: sites } : {}), ...(hint ? { hint } : {}),
        });
        if (r.kind !== 'analyze') throw new Error('unexpected task result');
        res = r.result;
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        res = { file: files[i].path, findings: [], summaries: [], notes: [], parseMs: 0, analyzeMs: 0,
          fileNote: { path: files[i].path, severity: 'warning', message: `not analysed: ${(e as Error).message}` } };
      }
      stats.analyses++;
      if (res.skipped) stats.filesSkipped++;
      else parsedOnce.add(k);
      opts.onFile?.({ path: files[i].path, bytes: files[i].size, parseMs: res.parseMs, analyzeMs: res.analyzeMs, cached: false });
      stats.parseCpuMs += res.parseMs;
      stats.analyzeCpuMs += res.analyzeMs;
      stats.charsParsed += res.chars ?? 0;
      stats.charsBlanked += res.blanked ?? 0;
      stats.passes += res.passes ?? (res.skipped ? 0 : 1);
      if (res.parsedFunctions) demandHint.set(k, res.parsedFunctions);
      if (cache && res.sha1 && !res.fileNote) {
        cache.put(cache.entryKey(files[i].path, res.sha1), {
          depSig: sigOf(k, external), siteSig: JSON.stringify(sites), findings: res.findings, summaries: res.summaries, notes: res.notes,
          ...(res.callSites ? { callSites: res.callSites } : {}), ...(res.fieldFacts ? { fieldFacts: res.fieldFacts } : {}),
        });
      }
      return res;
    };

    // Each file's latest result, and the inputs it was computed with. Findings are delivered only
    // once nothing changes any more: callers in other files can still change how a helper is judged
    // (call-site facts flow from callers to callees, after summaries flowed the other way).
    interface Latest { findings: Finding[]; notes: string[]; fileNote?: ScanNote; callSites?: Sites; fieldFacts?: FieldFact[] }
    const latest = new Map<number, Latest>();
    const usedSig: string[] = [];
    const usedSites: string[] = [];
    // Only a file exporting a function that names a source-side function can receive call sites,
    // and only it and the files that depend on it (transitively) can change after the bottom-up
    // pass; every other file's findings are final at once and streamed.
    const mayChange = parseIdx.map((_, k) => srcExports[k].size > 0);
    for (const members of graph.sccs) {
      const any = members.some((k) => mayChange[k] || graph.deps[k].some((d) => mayChange[d]));
      for (const k of members) mayChange[k] = any;
    }
    const delivered = new Set<number>();
    const record = (k: number, res: Latest, sig: string, siteSig: string): void => {
      if (!latest.has(k)) {
        doneFiles++;
        findingsSoFar += res.findings.length;
        report('analyze', doneFiles, parseIdx.length);
      }
      latest.set(k, res);
      fieldsOf.set(k, res.fieldFacts ?? []);
      usedSig[k] = sig;
      usedSites[k] = siteSig;
      if (!mayChange[k] && !delivered.has(k) && graph.sccs[graph.sccOf[k]].length === 1) {
        delivered.add(k);
        finalize(k, res);
      }
    };
    const finalize = (k: number, res: Latest): void => {
      if (res.fileNote) notes.push(res.fileNote);
      for (const m of res.notes) notes.push({ path: files[parseIdx[k]].path, severity: 'info', message: m });
      for (const f of res.findings) {
        finalFindings.push(f);
        const c = confineFindings([f])[0];
        confined.set(f, c);
        onFinding?.(c);
      }
    };

    const fromCache = (k: number, depSig: string, siteSig?: string): (Latest & { summaries: ReturnType<SummaryTable['externalFor']>; siteSig: string }) | undefined => {
      const i = parseIdx[k];
      const sha = shas[i];
      if (!cache || !sha) return undefined;
      const e = cache.get(cache.entryKey(files[i].path, sha));
      if (!e || e.depSig !== depSig) return undefined;
      const ss = e.siteSig ?? '[]';
      if (siteSig !== undefined && ss !== siteSig) return undefined;
      return { ...e, siteSig: ss };
    };
    const cacheHit = (k: number): void => {
      stats.cacheHits++;
      opts.onFile?.({ path: files[parseIdx[k]].path, bytes: files[parseIdx[k]].size, parseMs: 0, analyzeMs: 0, cached: true });
    };

    const processScc = async (members: number[]): Promise<void> => {
      check();
      if (members.length === 1) {
        const k = members[0];
        const ext = table.externalFor(k);
        const sig = sigOf(k, ext);
        const hit = fromCache(k, sig);
        if (hit) {
          cacheHit(k);
          table.set(k, hit.summaries);
          record(k, hit, sig, hit.siteSig);
          return;
        }
        const res = await analyzeOne(k, ext);
        table.set(k, res.summaries);
        record(k, res, sig, '[]');
        stats.rounds = Math.max(stats.rounds, 1);
        return;
      }
      // A cycle: try the cache as a whole (consistent only if every member's stored depSig matches
      // the summaries the other members' cached entries give), else iterate to a fixed point.
      const cached = members.map((k) => {
        const i = parseIdx[k];
        return cache && shas[i] ? cache.get(cache.entryKey(files[i].path, shas[i] as string)) : undefined;
      });
      if (cached.every((e) => e)) {
        members.forEach((k, j) => {
          table.set(k, cached[j]?.summaries ?? []);
          fieldsOf.set(k, cached[j]?.fieldFacts ?? []);
        });
        if (members.every((k, j) => sigOf(k, table.externalFor(k)) === cached[j]?.depSig)) {
          members.forEach((k, j) => {
            const e = cached[j] as NonNullable<(typeof cached)[number]>;
            cacheHit(k);
            record(k, e, e.depSig, e.siteSig ?? '[]');
          });
          return;
        }
      }
      const sigs = new Map<number, string>();
      let toRun = members;
      let round = 0;
      while (toRun.length && round < maxRounds) {
        round++;
        const batch = toRun.map((k) => ({ k, ext: table.externalFor(k) }));
        const out = await Promise.all(batch.map(async ({ k, ext }) => ({ k, sig: sigOf(k, ext), res: await analyzeOne(k, ext) })));
        for (const { k, sig, res } of out) { record(k, res, sig, '[]'); sigs.set(k, sig); table.set(k, res.summaries); }
        toRun = members.filter((k) => sigOf(k, table.externalFor(k)) !== sigs.get(k));
      }
      stats.rounds = Math.max(stats.rounds, round);
      if (toRun.length) {
        notes.push({ path: files[parseIdx[toRun[0]]].path, severity: 'info', message: `cross-file summaries did not settle within ${maxRounds} rounds for ${members.length} mutually calling files` });
      }
    };

    // Schedule SCCs as their dependencies complete; independent SCCs run concurrently in the pool.
    const waiting = graph.sccs.map(() => 0);
    const dependents: number[][] = graph.sccs.map(() => []);
    graph.sccs.forEach((members, s) => {
      const depSccs = new Set<number>();
      for (const k of members) for (const d of graph.deps[k]) if (graph.sccOf[d] !== s) depSccs.add(graph.sccOf[d]);
      waiting[s] = depSccs.size;
      for (const d of depSccs) dependents[d].push(s);
    });
    await new Promise<void>((resolve, reject) => {
      let remaining = graph.sccs.length;
      let failed = false;
      if (remaining === 0) { resolve(); return; }
      const start = (s: number): void => {
        processScc(graph.sccs[s]).then(() => {
          if (failed) return;
          remaining--;
          for (const t of dependents[s]) if (--waiting[t] === 0) start(t);
          if (remaining === 0) resolve();
        }, (e: unknown) => { if (!failed) { failed = true; reject(e); } });
      };
      graph.sccs.forEach((_, s) => { if (waiting[s] === 0) start(s); });
    });
    check();

    // Call sites, top down: a helper called from other files with vmalloc memory is analysed again
    // with those call sites (so one that proves its argument is vmalloc memory is judged at its
    // callers, as when its own file calls it), and then whoever reads its changed summary.
    const sitesFor = (): Sites[] => {
      const m = parseIdx.map(() => new Map<string, Set<number>>());
      for (const [j, r] of latest) {
        for (const [name, idxs] of r.callSites ?? []) {
          for (const d of graph.deps[j]) {
            if (!srcExports[d].has(name)) continue;
            const cur = m[d].get(name) ?? new Set<number>();
            for (const x of idxs) cur.add(x);
            m[d].set(name, cur);
          }
        }
      }
      return m.map((x) => [...x].map(([name, set]) => [name, [...set].sort((a, b) => a - b)] as [string, number[]]).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    };
    for (let wave = 0; wave < maxRounds; wave++) {
      const sites = sitesFor();
      const todo: { k: number; ext: ReturnType<SummaryTable['externalFor']>; sig: string; ss: string }[] = [];
      for (let k = 0; k < parseIdx.length; k++) {
        if (!latest.has(k)) continue;
        const ext = table.externalFor(k);
        const sig = sigOf(k, ext);
        const ss = JSON.stringify(sites[k]);
        if (sig !== usedSig[k] || ss !== usedSites[k]) todo.push({ k, ext, sig, ss });
      }
      if (todo.length === 0) break;
      check();
      await Promise.all(todo.map(async ({ k, ext, sig, ss }) => {
        const hit = fromCache(k, sig, ss);
        if (hit) {
          cacheHit(k);
          table.set(k, hit.summaries);
          record(k, hit, sig, ss);
          return;
        }
        const res = await analyzeOne(k, ext, sites[k]);
        table.set(k, res.summaries);
        record(k, res, sig, ss);
      }));
    }
    for (let k = 0; k < parseIdx.length; k++) {
      const r = latest.get(k);
      if (r && !delivered.has(k)) finalize(k, r);
    }
    stats.filesParsed = parsedOnce.size;
    stats.analyzeMs = performance.now() - t2;

    if (cache && indexKey && (indexDirty || !index)) {
      const rows = new Map<string, IndexRow>();
      const parsed = new Set(parseIdx);
      for (let i = 0; i < n; i++) {
        const e = entries[i];
        if (!e) continue;
        // Lexical details (tens of MB on a kernel tree) only for parsed files: a warm run loads this.
        const stored: PrefilterEntry = parsed.has(i) ? e : { bits: e.bits, ...(e.links?.length ? { links: e.links } : {}), ...(e.wraps ? { wraps: e.wraps } : {}), ...(e.fields ? { fields: e.fields } : {}),
          ...(e.fieldHits ? { fieldHits: e.fieldHits } : {}) };
        // the blob id git gave this run, else the stored one of a row whose stat data still holds;
        // none for a file modified around this scan (the row's entry may be of a later content
        // than the blob git saw, which a later exact revert would make look current)
        const settled = files[i].mtimeMs < walkStart - 1000;
        const blob = !settled ? '' : blobs[i] ?? (trusted[i] && index && indexRow[i] >= 0 ? index.blob(indexRow[i]) : '');
        rows.set(absPaths[i], [files[i].size, files[i].mtimeMs, files[i].ino, shas[i] ?? '', stored, refs[i] ?? null, blob]);
      }
      const derived = [...links.keys()].filter((nm) => links.get(nm)?.via).map(derivedKey).sort();
      cache.saveIndex(indexKey, linkHash, rows, walkStart, derived, fieldHash);
    }
    finalFindings.sort(compareFindings);
    const summaries = table.all();
    const fieldFacts = [...fieldsOf.values()].flat().sort(byFieldKey);
    if (results) {
      results.save(resultKey, {
        stamp: walkStart, treeSig, findings: finalFindings, notes: notes.slice(walkNotes), summaries: [...summaries.values()], fieldFacts,
        filesPrefiltered: stats.filesPrefiltered, linkNames: stats.linkNames,
      });
    }
    stats.wallMs = performance.now() - t0;
    return { findings: finalFindings.map((f) => confined.get(f) ?? f), notes, stats, summaries, fieldFacts };
  } finally {
    progress.done();
    (early as GrepRun | undefined)?.cancel();
    (shellPool as GrepShells | undefined)?.close();
    if (runner) await (runner as Runner).close();
  }
}
