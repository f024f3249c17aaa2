/**
 * A worker_threads pool sized to the cores. Each worker holds one parser backend; tasks are queued
 * and handed out with at most two in flight per worker (one running, one ready) so a worker never
 * idles while the main thread handles a result, and the queue — not the workers — holds the backlog.
 * A crashed worker fails only its own tasks and is replaced. Abort terminates every worker at once.
 *
 * When no worker script is found next to this module (or jobs is 1) the same TaskRunner runs
 * in-process: the results are identical, only slower on large trees.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import { Worker } from 'worker_threads';
import { TaskRunner, type RunnerInit, type Task, type TaskResult } from './tasks';
import { abortError } from './types';

export interface Runner {
  readonly size: number;
  run(task: Task): Promise<TaskResult>;
  close(): Promise<void>;
}

interface Pending {
  id: number;
  task: Task;
  resolve: (r: TaskResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  inflight: Map<number, Pending>;
}

export function defaultJobs(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export function workerScript(): string | undefined {
  const p = path.join(__dirname, 'worker.js');
  return fs.existsSync(p) ? p : undefined;
}

class InProcessRunner implements Runner {
  readonly size = 1;
  private readonly runner: TaskRunner;
  constructor(init: RunnerInit, private readonly signal?: AbortSignal) {
    this.runner = new TaskRunner(init);
  }
  async run(task: Task): Promise<TaskResult> {
    if (this.signal?.aborted) throw abortError();
    // Yield to the event loop between files so an abort or a progress tick can get through.
    await new Promise<void>((r) => setImmediate(r));
    if (this.signal?.aborted) throw abortError();
    return this.runner.run(task);
  }
  async close(): Promise<void> { /* nothing held */ }
}

const PER_WORKER = 2;

export class WorkerPool implements Runner {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private readonly onAbort = (): void => this.abort();

  constructor(private readonly script: string, private readonly init: RunnerInit, size: number, private readonly signal?: AbortSignal) {
    this.size = size;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private spawn(): Slot {
    const worker = new Worker(this.script, { workerData: this.init });
    const slot: Slot = { worker, inflight: new Map() };
    worker.on('message', (msg: { id: number; ok: boolean; result?: TaskResult; error?: string }) => {
      const p = slot.inflight.get(msg.id);
      if (!p) return;
      slot.inflight.delete(msg.id);
      if (msg.ok && msg.result) p.resolve(msg.result);
      else p.reject(new Error(msg.error ?? 'worker task failed'));
      this.pump();
    });
    const fail = (err: Error): void => {
      const lost = [...slot.inflight.values()];
      slot.inflight.clear();
      for (const p of lost) p.reject(err);
      if (this.closed) return;
      const i = this.slots.indexOf(slot);
      if (i !== -1) this.slots[i] = this.spawn();
      this.pump();
    };
    worker.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', (code) => { if (!this.closed) fail(new Error(`scan worker exited with code ${code}`)); });
    // Idle workers must not keep the process alive.
    worker.unref();
    return slot;
  }

  run(task: Task): Promise<TaskResult> {
    if (this.closed || this.signal?.aborted) return Promise.reject(abortError());
    return new Promise<TaskResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (let round = 0; round < PER_WORKER && this.queue.length > 0; round++) {
      for (const slot of this.slots) {
        if (this.queue.length === 0) return;
        if (slot.inflight.size > round) continue;
        const p = this.queue.shift() as Pending;
        slot.inflight.set(p.id, p);
        slot.worker.ref();
        slot.worker.postMessage({ id: p.id, task: p.task });
      }
    }
    for (const slot of this.slots) if (slot.inflight.size === 0) slot.worker.unref();
  }

  private abort(): void {
    const err = abortError();
    for (const p of this.queue.splice(0)) p.reject(err);
    for (const s of this.slots) {
      for (const p of s.inflight.values()) p.reject(err);
      s.inflight.clear();
    }
    void this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    await Promise.all(this.slots.map((s) => s.worker.terminate().catch(() => 0)));
  }
}

/**
 * V8's tier-up budget for a process that owns its workers (docs/scale.md, "JIT"). The analyzer's
 * large, polymorphic interpreter functions get optimized by TurboFan before their type feedback
 * has settled, deoptimize when the next file brings new shapes, and are compiled again: in one
 * thread over the 575 files a 6.18 scan parses, background compilation took 3–6 s of CPU, and
 * every worker pays it anew on a machine whose cores the workers already fill. Waiting 15× longer
 * (1,000,000 instead of 67,584) before optimizing cut a whole 6.18 scan's CPU by ~20% (28.1–28.5 →
 * 22.5–23.1 s over three interleaved pairs).
 */
export const WORKER_INTERRUPT_BUDGET = 1_000_000;

/**
 * A pool of `jobs` workers, or the in-process runner when jobs ≤ 1 or no worker script exists.
 * `tuneJit`: set the process-wide V8 tier-up budget before the workers start (only for a process
 * the scan owns — the CLI, the bench — never inside an editor's extension host).
 */
export function createRunner(init: RunnerInit, jobs: number, signal?: AbortSignal, tuneJit = false): Runner {
  const script = workerScript();
  if (jobs <= 1 || !script) return new InProcessRunner(init, signal);
  if (tuneJit) v8.setFlagsFromString(`--interrupt-budget=${WORKER_INTERRUPT_BUDGET}`);
  return new WorkerPool(script, init, jobs, signal);
}
