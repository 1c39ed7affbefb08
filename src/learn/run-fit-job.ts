// Starts a FitJob in a worker thread (falling back to slices on this thread when a worker
// cannot start). The worker file is fit-worker.ts next to this file under a TypeScript loader
// (tests run through tsx; workers inherit its execArgv) and fit-worker.js in the built package.
import { Worker } from 'node:worker_threads';
import { runFitJob } from './fit-core.js';
import { SLICE_MS, Slicer } from '../internal/slicer.js';
import type { FitJob, FitJobResult, FitWorkerMessage } from './fit-job.js';
import type { EpochProgress } from './train-rows.js';

/** A running fit. @internal */
export interface FitRun {
  readonly result: Promise<FitJobResult>;
  /** Where it runs (after a failed worker start: `'thread'`). */
  readonly where: () => 'worker' | 'thread';
  /** Keep the process alive until the fit ends (someone awaits it). */
  ref(): void;
}

/** URL of the worker entry beside this module (`.ts` under a TypeScript loader, else `.js`). @internal */
export function fitWorkerUrl(): URL {
  const self = import.meta.url;
  return new URL(/\.[cm]?ts$/.test(self) ? './fit-worker.ts' : './fit-worker.js', self);
}

/**
 * Starts the fit worker. From a TypeScript source tree (tests and benchmarks run through tsx),
 * Node 20 does not apply the parent's `--import tsx` hooks to a worker's entry module, so the
 * worker registers tsx itself before importing the `.ts` entry; without tsx this throws and the
 * fit runs on this thread.
 */
function spawnFitWorker(): Worker {
  const url = fitWorkerUrl();
  // small young generation: the fit's data live in ArrayBuffers, not on the worker's heap
  const resourceLimits = { maxYoungGenerationSizeMb: 8 };
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { resourceLimits });
  const api = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true, resourceLimits });
}

/**
 * Runs `job`; in a worker when `useWorker` (unref'd until {@link FitRun.ref}), else on this
 * thread in slices of {@link SLICE_MS}. The job's buffers are transferred to the worker.
 * @internal
 */
export function startFitJob(job: FitJob, useWorker: boolean, progress: (p: EpochProgress) => void): FitRun {
  let where: 'worker' | 'thread' = useWorker ? 'worker' : 'thread';
  const inThread = (): Promise<FitJobResult> => { where = 'thread'; return runFitJob(job, new Slicer(SLICE_MS), progress); };
  if (!useWorker) return { result: inThread(), where: () => where, ref: () => undefined };
  let worker: Worker;
  try {
    worker = spawnFitWorker();
  } catch {
    return { result: inThread(), where: () => where, ref: () => undefined };
  }
  worker.unref();
  let started = false;
  const result = new Promise<FitJobResult>((resolve, reject) => {
    let settled = false;
    const end = (): void => { settled = true; void worker.terminate(); };
    worker.on('message', (m: FitWorkerMessage) => {
      if (m.type === 'ready') {
        // transfer only once the worker runs: a worker that fails to start leaves the job intact for the fallback
        started = true;
        worker.postMessage(job, job.dense ? [job.dense.data.buffer as ArrayBuffer] : []);
      } else if (m.type === 'progress') progress(m);
      else if (m.type === 'done') { end(); resolve(m.result); }
      else { end(); reject(new Error(m.message)); }
    });
    worker.on('error', (e) => {
      if (settled) return;
      end();
      // a worker that never ran (missing file, no loader for .ts) falls back to this thread
      if (!started) inThread().then(resolve, reject);
      else reject(e);
    });
    worker.on('exit', (code) => {
      if (!settled) { settled = true; if (!started) inThread().then(resolve, reject); else reject(new Error(`fit worker exited with code ${code}`)); }
    });
  });
  return { result, where: () => where, ref: () => { worker.ref(); } };
}
