// Worker-thread entry of a fit: receives one FitJob, posts progress and the result, exits.
import { parentPort } from 'node:worker_threads';
import { runFitJob } from './fit-core.js';
import { Slicer } from '../internal/slicer.js';
import type { FitJob, FitWorkerMessage } from './fit-job.js';

const port = parentPort;
if (port) {
  port.once('message', (job: FitJob) => {
    const send = (m: FitWorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
    runFitJob(job, new Slicer(Infinity), (p) => send({ type: 'progress', ...p })).then(
      (result) => send({ type: 'done', result }, [result.rows.buffer as ArrayBuffer]),
      (e: unknown) => send({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
  });
  port.postMessage({ type: 'ready' } satisfies FitWorkerMessage);
}
