/**
 * Scan worker thread (bundled to dist/worker.js). Loads the parser backend once, then runs tasks
 * from the pool one at a time and posts each result back as soon as it is done, so findings stream
 * to the caller while other files are still being analysed.
 */
import { parentPort, workerData } from 'worker_threads';
import { TaskRunner, type RunnerInit, type Task } from './tasks';

interface Request { id: number; task: Task }

if (parentPort) {
  const port = parentPort;
  const runner = new TaskRunner(workerData as RunnerInit);
  runner.warmUp();
  // Tasks are CPU-bound and synchronous after the backend is loaded; chaining keeps them in order.
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (req: Request) => {
    chain = chain.then(async () => {
      try {
        port.postMessage({ id: req.id, ok: true, result: await runner.run(req.task) });
      } catch (e) {
        port.postMessage({ id: req.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      }
    });
  });
}
