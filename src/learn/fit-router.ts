// The router-facing part of fit(): snapshot -> FitJob -> worker (or slices) -> swap, plus the
// learned-rows file beside the embedding cache. The router supplies a FitTarget (router/router-fit.ts).
import { createHash } from 'node:crypto';
import { SwitchyardError } from '../errors.js';
import { collectFeedback } from './feedback.js';
import { decodeFitFile, encodeFitFile } from './fit-file.js';
import { fitOptionsKey, type FitFeatures, type ResolvedFitOptions } from './fit-options.js';
import { HeadFeatures } from './head-features.js';
import { startFitJob, type FitRun } from './run-fit-job.js';
import { SLICE_MS, Slicer } from '../internal/slicer.js';
import type { FitJob, FitJobResult, KeptReason } from './fit-job.js';
import { QuantizedVectors } from '../internal/quantized-vectors.js';

// The FitTarget contract is written in these types: a router takes them from this module, the
// learn folder's face, never from the files behind it.
/** @internal */
export type { HeadFeatures } from './head-features.js';
/** @internal */
export type { FitRun } from './run-fit-job.js';

/** Fit state of a router: see {@link FastProjectRouter.fitState}. */
export type FitState = 'unfitted' | 'fitted' | 'stale';

/** Payload of `fit:progress` (one per epoch). */
export interface FitProgressEvent {
  /** Epoch just finished (1-based, per phase). */
  readonly epoch: number;
  /** Most epochs of this fit. */
  readonly maxEpochs: number;
  /** `'search'`: training with early stopping; `'refit'`: retraining on all examples. */
  readonly phase: 'search' | 'refit';
  /** Held-out accuracy after this epoch (NaN in the refit phase or without a held-out slice). */
  readonly heldOutAccuracy: number;
  /** Milliseconds since the fit started. */
  readonly ms: number;
}

/** Which rows route after a fit: the learned head, or the projects' unfitted rows (see {@link FitOptions.adopt}). */
export type FitKept = 'learned' | 'unfitted';

/** Result of {@link FastProjectRouter.fit} (also the `fit:done` payload). */
export interface FitReport {
  /** Epochs of the final model (the best epoch of the early-stopping search). */
  readonly epochs: number;
  /** Accuracy on the training examples (0..1; NaN when no training ran, see {@link FitReport.ranIn} `'skipped'`). */
  readonly trainAccuracy: number;
  /** Best accuracy on the held-out slice (0..1; NaN when no project has 3 or more examples). */
  readonly heldOutAccuracy: number;
  /** Wall-clock milliseconds of the fit, including time yielded to routing. */
  readonly ms: number;
  /** Projects whose rows were replaced by a learned row (0 when the unfitted rows were kept). */
  readonly projects: number;
  /** Training examples (main texts, examples and feedback records), held-out ones included. */
  readonly examples: number;
  /** Examples held out for early stopping and calibration. */
  readonly heldOut: number;
  /** Feedback records used. */
  readonly feedbackUsed: number;
  /** Feedback records dropped (wrong shape, unknown or repeated project, no text). */
  readonly feedbackDropped: number;
  /** Calibration factor applied to the learned rows. */
  readonly scale: number;
  /** Whether the rows came from the saved file beside the embedding cache instead of training. */
  readonly fromCache: boolean;
  /** Feature source of the learned head. */
  readonly features: FitFeatures;
  /** Which rows route now. */
  readonly kept: FitKept;
  /** Why the unfitted rows were kept (`adopt: 'auto'`): no held-out slice to judge on, or the learned rows were not better on it. */
  readonly keptReason: KeptReason | undefined;
  /** `adopt: 'auto'`: held-out probes on which learned and unfitted rows were compared (0 otherwise). */
  readonly comparedProbes: number;
  /** Accuracy of the learned rows on the compared probes (NaN when not compared). */
  readonly learnedProbeAccuracy: number;
  /** Accuracy of the unfitted rows (without the held-out examples) on the same probes (NaN when not compared). */
  readonly unfittedProbeAccuracy: number;
  /** Out-of-scope threshold calibrated on the held-out slice and now in use; undefined when the router's threshold was kept. */
  readonly threshold: number | undefined;
  /**
   * Where the training ran: a worker thread, this thread in slices, or nowhere: `'cache'` (rows
   * from the saved file) and `'skipped'` (`adopt: 'auto'` with no project of 3 or more examples:
   * there is no held-out slice to judge a fit on, so the unfitted rows are kept without training,
   * `keptReason: 'no-held-out'`).
   */
  readonly ranIn: 'worker' | 'thread' | 'cache' | 'skipped';
}

/** One project as seen by a fit. @internal */
export interface FitProject {
  /** Identity of the project version; the learned row is applied only if it is still current. */
  readonly token: object;
  readonly modelPath: string;
  /** Model path and aliases. */
  readonly names: readonly string[];
  readonly mainText: string;
  readonly examples: readonly string[];
  /** A given main embedding (it replaces the main text's vector). */
  readonly embedding: Float32Array | undefined;
  /** The unfitted vectors [main, ...examples] at int8 (kept for the swap), or undefined when the project changed meanwhile. */
  quantized(): QuantizedVectors | undefined;
}

/** What {@link fitRouterRows} needs from the router. @internal */
export interface FitTarget {
  readonly embedderId: string;
  readonly dim: number;
  readonly maxPromptChars: number;
  readonly projects: readonly FitProject[];
  /** Whether the router's threshold was set by the user (then it is never calibrated). */
  readonly thresholdFixed: boolean;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Prepares (in slices) what {@link FitTarget.apply} needs for the projects of these tokens, so the swap itself is short. */
  prepare(tokens: ReadonlySet<object>): Promise<void>;
  /**
   * Swaps learned rows in (synchronously), with their feature space and calibrated threshold;
   * returns how many projects took one. An empty map reverts to the unfitted rows.
   */
  apply(learned: ReadonlyMap<object, Float32Array>, features: HeadFeatures, threshold: number | undefined, report: Omit<FitReport, 'projects' | 'ms'>): number;
  readonly attachment: { load(): Promise<Uint8Array | undefined>; save(data: Uint8Array): Promise<void> } | undefined;
  progress(e: FitProgressEvent): void;
  done(r: FitReport): void;
  /** Called with the running job (e.g. to keep the process alive while someone awaits it). */
  started(run: FitRun): void;
}

const FIT_SUFFIX = 'fit';
export { FIT_SUFFIX };

function fingerprint(t: FitTarget, feats: HeadFeatures, o: ResolvedFitOptions, feedback: readonly { text: string; chosen: number; rejected: number }[]): string {
  const h = createHash('sha256');
  h.update(`v2\0${t.embedderId}\0${t.dim}\0${feats.id}\0${fitOptionsKey(o)}\0${t.thresholdFixed}\0`);
  for (const p of t.projects) {
    h.update(`${p.modelPath}\0${p.mainText}\0${p.examples.length}\0`);
    for (const e of p.examples) h.update(`${e}\0`);
    if (p.embedding) h.update(new Uint8Array(p.embedding.buffer, p.embedding.byteOffset, p.embedding.byteLength));
  }
  for (const f of feedback) h.update(`${f.chosen}\0${f.rejected}\0${f.text}\0`);
  return h.digest('hex');
}

/** Runs one fit against `t`. @internal */
export async function fitRouterRows(t: FitTarget, o: ResolvedFitOptions): Promise<FitReport> {
  const t0 = performance.now();
  const classes = t.projects.length;
  if (classes < 2) {
    throw new SwitchyardError('ERR_NOT_ENOUGH_EXAMPLES', `fit() needs at least 2 projects to tell apart, got ${classes}`, { details: { projects: classes } });
  }
  const feats = new HeadFeatures(o.features, o.hashDim, t.dim, t.embedderId);
  const byName = new Map<string, number>();
  t.projects.forEach((p, i) => { for (const n of p.names) byName.set(n, i); });
  const fb = await collectFeedback(o.feedback, (name) => byName.get(name) ?? -1, t.maxPromptChars);
  const finish = async (r: Omit<FitReport, 'projects' | 'ms'>, rows: Float32Array | undefined): Promise<FitReport> => {
    const learned = new Map<object, Float32Array>();
    if (rows && r.kept === 'learned') t.projects.forEach((p, c) => learned.set(p.token, rows.subarray(c * feats.dim, (c + 1) * feats.dim)));
    await t.prepare(new Set(learned.keys()));
    const projects = t.apply(learned, feats, r.threshold, r);
    const report: FitReport = { ...r, projects, ms: performance.now() - t0 };
    t.done(report);
    return report;
  };
  if (o.adopt === 'auto' && !t.projects.some((p) => p.examples.length >= 3)) {
    // the outcome is known before any training ('no-held-out'): spare the worker and the CPU
    const examples = t.projects.reduce((n, p) => n + 1 + p.examples.length, 0) + fb.records.length;
    return finish({
      epochs: 0, trainAccuracy: Number.NaN, heldOutAccuracy: Number.NaN, examples, heldOut: 0,
      feedbackUsed: fb.records.length, feedbackDropped: fb.dropped, scale: 1, fromCache: false, features: o.features,
      kept: 'unfitted', keptReason: 'no-held-out', comparedProbes: 0, learnedProbeAccuracy: Number.NaN,
      unfittedProbeAccuracy: Number.NaN, threshold: undefined, ranIn: 'skipped',
    }, undefined);
  }
  const print = t.attachment ? fingerprint(t, feats, o, fb.records) : '';
  if (t.attachment) {
    const bytes = await t.attachment.load();
    const saved = bytes && decodeFitFile(bytes, print, feats.dim);
    const r = saved?.meta['report'] as Partial<FitReport> | undefined;
    if (saved && r && saved.paths.length === classes && saved.paths.every((p, i) => p === t.projects[i]!.modelPath)) {
      return finish({ ...restore(r, o.features), feedbackUsed: fb.records.length, feedbackDropped: fb.dropped, fromCache: true, ranIn: 'cache' }, saved.rows);
    }
  }
  const job = await buildJob(t, o, fb.records);
  const run = startFitJob(job, o.worker, (p) => {
    t.progress({ epoch: p.epoch, maxEpochs: o.epochs, phase: p.phase, heldOutAccuracy: p.heldOutAccuracy, ms: performance.now() - t0 });
  });
  t.started(run);
  let result: FitJobResult;
  try {
    result = await run.result;
  } catch (e) {
    throw new SwitchyardError('ERR_INVALID_OPTION', `fit failed: ${(e as Error).message}`, { cause: e });
  }
  for (let i = 0; i < result.rows.length; i++) {
    if (!Number.isFinite(result.rows[i]!)) throw new SwitchyardError('ERR_FIT_DIVERGED', 'fit diverged (non-finite weights): lower `learningRate`');
  }
  const calibrated = !t.thresholdFixed && result.adopt && Number.isFinite(result.threshold) ? result.threshold : undefined;
  const report: Omit<FitReport, 'projects' | 'ms'> = {
    epochs: result.epochs, trainAccuracy: result.trainAccuracy, heldOutAccuracy: result.heldOutAccuracy,
    examples: result.examples, heldOut: result.heldOut, feedbackUsed: fb.records.length, feedbackDropped: fb.dropped,
    scale: result.scale, fromCache: false, features: o.features, kept: result.adopt ? 'learned' : 'unfitted',
    keptReason: result.keptReason, comparedProbes: result.probes, learnedProbeAccuracy: result.fittedProbeAccuracy,
    unfittedProbeAccuracy: result.unfittedProbeAccuracy, threshold: calibrated, ranIn: run.where(),
  };
  if (t.attachment) {
    const bytes = encodeFitFile({ fingerprint: print, dim: feats.dim, paths: t.projects.map((p) => p.modelPath), rows: result.rows, meta: { report: jsonSafe(report) } });
    await t.attachment.save(bytes);
  }
  return finish(report, result.rows);
}

/** The job's arrays; the embedder vectors are copied in slices so the event loop keeps turning. */
async function buildJob(t: FitTarget, o: ResolvedFitOptions, feedback: readonly { text: string; chosen: number; rejected: number }[]): Promise<FitJob> {
  const texts: string[] = [];
  const labels: number[] = [];
  const weights: number[] = [];
  const holdable: number[] = [];
  const train: number[] = [];
  const unfitted: number[] = [];
  t.projects.forEach((p, c) => {
    [p.mainText, ...p.examples].forEach((text, i) => {
      texts.push(text); labels.push(c); weights.push(1); holdable.push(i > 0 ? 1 : 0);
      train.push(i === 0 && !o.includeMainText ? 0 : 1); unfitted.push(1);
    });
  });
  const projectRows = texts.length;
  if (o.feedbackWeight > 0) {
    for (const r of feedback) {
      texts.push(r.text); labels.push(r.chosen >= 0 ? r.chosen : -1 - r.rejected); weights.push(o.feedbackWeight);
      holdable.push(0); train.push(1); unfitted.push(0);
    }
  }
  const feats = new HeadFeatures(o.features, o.hashDim, t.dim, t.embedderId);
  const needDense = feats.needsEmbedder || o.adopt === 'auto';
  let dense: { data: Int8Array; scales: Float32Array } | undefined;
  if (needDense) {
    const E = t.dim;
    const data = new Int8Array(texts.length * E);
    const scales = new Float32Array(texts.length);
    const slicer = new Slicer(SLICE_MS);
    let row = 0;
    for (const p of t.projects) {
      // a project replaced meanwhile gives no vectors; its rows stay zero (its learned row is dropped anyway)
      const q = p.quantized();
      if (q) { data.set(q.data, row * E); scales.set(q.scales, row); }
      row += 1 + p.examples.length;
      if (slicer.due()) await slicer.pause();
    }
    if (feats.needsEmbedder && texts.length > projectRows) {
      const q = new QuantizedVectors(await t.embed(texts.slice(projectRows)), E);
      data.set(q.data, projectRows * E);
      scales.set(q.scales, projectRows);
    }
    dense = { data, scales };
  }
  const { feedback: _feedback, ...options } = o;
  return {
    options, classes: t.projects.length, features: o.features, embedderDim: t.dim, embedderId: t.embedderId,
    textBlob: texts.join(''), textEnds: Int32Array.from(texts, ((end) => (t) => (end += t.length))(0)), dense,
    labels: Int32Array.from(labels), weights: Float32Array.from(weights), holdable: Uint8Array.from(holdable),
    train: Uint8Array.from(train), unfitted: Uint8Array.from(unfitted),
  };
}

/** A report as JSON stores it (NaN becomes null). */
function jsonSafe(r: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number.NaN;
}

/** A saved report, validated field by field. */
function restore(r: Partial<FitReport>, features: FitFeatures): Omit<FitReport, 'projects' | 'ms' | 'feedbackUsed' | 'feedbackDropped' | 'fromCache' | 'ranIn'> {
  const kept: FitKept = r.kept === 'unfitted' ? 'unfitted' : 'learned';
  const reason = r.keptReason === 'no-held-out' || r.keptReason === 'not-better' ? r.keptReason : undefined;
  return {
    epochs: num(r.epochs), trainAccuracy: num(r.trainAccuracy), heldOutAccuracy: num(r.heldOutAccuracy),
    examples: num(r.examples), heldOut: num(r.heldOut), scale: num(r.scale), features, kept, keptReason: reason,
    comparedProbes: typeof r.comparedProbes === 'number' ? r.comparedProbes : 0,
    learnedProbeAccuracy: num(r.learnedProbeAccuracy), unfittedProbeAccuracy: num(r.unfittedProbeAccuracy),
    threshold: typeof r.threshold === 'number' && Number.isFinite(r.threshold) ? r.threshold : undefined,
  };
}
