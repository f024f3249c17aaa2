/**
 * Main-thread side of a vmalias worker: one request id per message, a promise per request, the
 * worker started lazily on first use (activation stays cheap) and restarted if it dies. The
 * extension runs two: one for analyses and one for simulations, so a hover never queues behind the
 * analysis of a large file.
 */
import { Worker } from 'worker_threads';
import type { FieldFact, FindingFacts, FunctionSummary } from '../../analyzer/types';
import type { SimulationSummary, Variant } from '../simulation';
import type { AnalyzeRequest, AnalyzeResponse, ReplyRequest, ReplyResponse, SimulateResponse, WorkerRequest, WorkerResponse } from './protocol';

export type AnalyzeParams = Omit<AnalyzeRequest, 'kind' | 'id'>;

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void };

export class AnalysisClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;
  /** Summaries sent with setExternals, re-sent to a restarted worker. */
  private readonly externals = new Map<string, { summaries: FunctionSummary[]; fields: FieldFact[] }>();

  constructor(private readonly workerPath: string) {}

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerPath);
    // Let the extension host exit even if the worker is idle.
    w.unref();
    w.on('message', (res: WorkerResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      p.resolve(res);
    });
    const fail = (err: Error): void => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`vmalias worker exited with code ${code}`)));
    this.worker = w;
    for (const [key, { summaries, fields }] of this.externals) w.postMessage({ kind: 'externals', key, summaries, fields });
    return w;
  }

  private request(msg: WorkerRequest & { id: number }): Promise<WorkerResponse> {
    if (this.disposed) return Promise.reject(new Error('vmalias worker client is disposed'));
    return new Promise<WorkerResponse>((resolve, reject) => {
      this.pending.set(msg.id, { resolve, reject });
      try {
        this.ensureWorker().postMessage(msg);
      } catch (e) {
        this.pending.delete(msg.id);
        reject(e as Error);
      }
    });
  }

  async analyze(params: AnalyzeParams): Promise<AnalyzeResponse> {
    return (await this.request({ kind: 'analyze', id: this.nextId++, ...params })) as AnalyzeResponse;
  }

  async simulate(facts: FindingFacts, archs: string[]): Promise<SimulationSummary | undefined> {
    const r = (await this.request({ kind: 'simulate', id: this.nextId++, facts, archs })) as SimulateResponse;
    if (r.error) throw new Error(r.error);
    return r.summary;
  }

  async timeline(facts: FindingFacts, arch: string, variant: Variant): Promise<string | undefined> {
    const r = (await this.request({ kind: 'timeline', id: this.nextId++, facts, arch, variant })) as SimulateResponse;
    if (r.error) throw new Error(r.error);
    return r.html;
  }

  /** Review patches and format the reply for the list (throws with the worker's message on failure). */
  async reply(params: Omit<ReplyRequest, 'kind' | 'id'>): Promise<ReplyResponse> {
    const r = (await this.request({ kind: 'reply', id: this.nextId++, ...params })) as ReplyResponse;
    if (r.error) throw new Error(r.error);
    return r;
  }

  /** Summaries from a workspace scan, for analyses that name `key` in AnalyzeRequest.externals. */
  setExternals(key: string, summaries: FunctionSummary[], fields: FieldFact[] = []): void {
    this.externals.set(key, { summaries, fields });
    if (this.worker) this.worker.postMessage({ kind: 'externals', key, summaries, fields });
  }

  hasExternals(key: string): boolean {
    return this.externals.has(key);
  }

  /** Forget the document's cached tree. */
  close(uri: string): void {
    this.worker?.postMessage({ kind: 'close', uri });
  }

  dispose(): void {
    this.disposed = true;
    const w = this.worker;
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new Error('vmalias worker client is disposed'));
    this.pending.clear();
    void w?.terminate();
  }
}
