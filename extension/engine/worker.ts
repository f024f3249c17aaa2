/**
 * The analysis worker (bundled as dist/extension-worker.js). Parsing and analysing a large file
 * takes hundreds of milliseconds, which must never happen on the extension host's thread; here it
 * blocks nobody. Requests are handled strictly in arrival order, so the tree cached for version N is
 * always in place before the request that edits N into N+1.
 */
import { parentPort } from 'worker_threads';
import { loadWasmLanguage } from '../../analyzer/parse/backends';
import { analyzeTree } from '../../analyzer/analyze';
import { findingId, reviewGitRange, reviewSet, scanPatchText, type PatchReviewOptions } from '../../analyzer/patch/review';
import { parsePatchInputs } from '../../analyzer/patch/parse';
import { formatReply } from '../../analyzer/patch/format';
import { DocumentAnalyzer } from './documentAnalyzer';
import { fieldFactsFor, untouchedFacts } from '../../analyzer/scan/summaries';
import { findCallers, findMemberReaders, headerIncluders, scopeInputs } from '../../analyzer/scan/callers';
import type { AnalyzeRequest, ReplyRequest, ReplyResponse, WorkerRequest, WorkerResponse } from './protocol';
import type { FieldFact, FunctionSummary } from '../../analyzer/types';
import { summarizeFacts, timelineHtml } from '../simulatorBackend';
import { confineFindings } from '../../analyzer/kbuild';

let engine: Promise<DocumentAnalyzer> | undefined;
/** Summaries and struct-member facts from workspace scans, by key (ExternalsRequest). */
const externals = new Map<string, { summaries: Map<string, FunctionSummary>; fields: FieldFact[] }>();

function getEngine(): Promise<DocumentAnalyzer> {
  engine ??= loadWasmLanguage().then(({ ts, language }) => new DocumentAnalyzer(ts, language, analyzeTree));
  return engine;
}

async function handle(msg: WorkerRequest): Promise<WorkerResponse | undefined> {
  if (msg.kind === 'close') {
    if (engine) (await engine).close(msg.uri);
    return undefined;
  }
  if (msg.kind === 'externals') {
    externals.set(msg.key, { summaries: new Map(msg.summaries.map((sm) => [sm.name, sm])), fields: msg.fields ?? [] });
    return undefined;
  }
  if (msg.kind === 'simulate' || msg.kind === 'timeline') {
    try {
      return msg.kind === 'simulate'
        ? { kind: 'simulation', id: msg.id, summary: summarizeFacts(msg.facts, msg.archs) }
        : { kind: 'simulation', id: msg.id, html: timelineHtml(msg.facts, msg.arch, msg.variant) };
    } catch (e) {
      return { kind: 'simulation', id: msg.id, error: (e as Error).message };
    }
  }
  if (msg.kind === 'reply') {
    try {
      return await reply(msg);
    } catch (e) {
      return { kind: 'reply', id: msg.id, error: (e as Error).message };
    }
  }
  try {
    if (msg.patch) return await reviewPatch(msg);
    const ext = msg.externals !== undefined ? externals.get(msg.externals) : undefined;
    const fields = ext ? fieldFactsFor(msg.file, ext.fields) : [];
    const res = (await getEngine()).analyze(ext
      ? { ...msg, options: { ...msg.options, externalSummaries: ext.summaries, ...(fields.length ? { externalFields: fields } : {}) } }
      : msg);
    // a file Kconfig builds only for aliasing-free architectures (analyzer/kbuild.ts); its build
    // files are read afresh, as an edit to them would otherwise not show
    return res.result?.findings.length ? { ...res, result: { ...res.result, findings: confineFindings(res.result.findings) } } : res;
  } catch (e) {
    return {
      kind: 'result', id: msg.id, uri: msg.uri, version: msg.version,
      error: `vmalias engine failed to start: ${(e as Error).message}`,
      timings: { parseMs: 0, buildMs: 0, analyzeMs: 0, incremental: false },
    };
  }
}

/**
 * The rest of the workspace folder for a patch review (PatchReviewOptions.baseContext): what its
 * last whole-tree scan (Analyze Workspace) says the files the series leaves alone export, and their
 * callers of a function the series changes. The same for a patch document's diagnostics and for
 * its reply, so a finding's reply can always be built.
 */
function contextOf(base: string | undefined, key: string | undefined): { baseContext?: PatchReviewOptions['baseContext'] } {
  const ext = key !== undefined ? externals.get(key) : undefined;
  if (base === undefined || !ext) return {};
  return {
    baseContext: async (paths: string[]) => {
      // a touched header of an include directory: the subsystems including it are searched too
      const inc = await headerIncluders(base, paths);
      const inputs = scopeInputs(base, paths, inc.files).inputs;
      return {
        ...untouchedFacts(base, paths, ext.summaries.values(), ext.fields),
        notes: inc.notes,
        // the untouched callers of a function whose summary the series changes, read from disk
        callers: (names: string[]) => findCallers(base, inputs, paths, names),
        readers: (members: string[]) => findMemberReaders(base, inputs, paths, members),
      };
    },
  };
}

async function reviewPatch(msg: AnalyzeRequest): Promise<WorkerResponse> {
  const t0 = performance.now();
  const timings = { parseMs: 0, buildMs: 0, analyzeMs: 0, incremental: false };
  const base = { kind: 'result' as const, id: msg.id, uri: msg.uri, version: msg.version, timings };
  if (msg.text.length > (msg.maxLength ?? Infinity)) return { ...base, error: `not analysed: ${msg.text.length} characters is over the limit` };
  const review = await scanPatchText(msg.text, msg.file, { ...msg.options, base: msg.patch?.base, ...contextOf(msg.patch?.base, msg.externals) });
  timings.analyzeMs = performance.now() - t0;
  return {
    ...base,
    result: {
      file: msg.file,
      findings: review.findings.map((p) => p.finding),
      summaries: [],
      notes: review.notes,
      stats: { parseMs: 0, analyzeMs: timings.analyzeMs, functions: 0, errorNodes: 0 },
    },
    patchPositions: review.findings.map((p) => ({ line: p.patch.line, column: p.patch.column })),
    patchIds: review.findings.map(findingId),
    patchTargets: review.findings.map((p) => ({ path: p.target.path, line: p.target.line })),
  };
}

async function reply(msg: ReplyRequest): Promise<ReplyResponse> {
  const src = msg.source;
  const review = src.kind === 'git'
    ? await reviewGitRange(src.repoDir, src.range, msg.options)
    : await reviewSet(parsePatchInputs(src.inputs), { ...msg.options, base: msg.base, ...contextOf(msg.base, msg.externals) });
  const id = msg.onlyId;
  const only = id === undefined ? undefined : (pf: Parameters<typeof findingId>[0]): boolean => findingId(pf) === id;
  const text = formatReply(review, { only });
  return { kind: 'reply', id: msg.id, text, findings: only ? review.findings.filter(only).length : review.findings.length, notes: review.notes };
}

if (parentPort) {
  const port = parentPort;
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (msg: WorkerRequest) => {
    queue = queue.then(async () => {
      const res = await handle(msg);
      if (res) port.postMessage(res);
    });
  });
}
