// The router-facing part of fit(): snapshot -> training data -> trainRows -> swap, plus the
// learned-rows file beside the embedding cache. FastProjectRouter supplies a FitTarget.
import { createHash } from 'node:crypto';
import { SwitchyardError } from '../errors.js';
import { collectFeedback } from './feedback.js';
import { decodeFitFile, encodeFitFile } from './fit-file.js';
import { fitOptionsKey, type ResolvedFitOptions } from './fit-options.js';
import { trainRows, type TrainingVector } from './train-rows.js';

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

/** Result of {@link FastProjectRouter.fit} (also the `fit:done` payload). */
export interface FitReport {
  /** Epochs of the final model (the best epoch of the early-stopping search); 0 when nothing was trained. */
  readonly epochs: number;
  /** Accuracy on the training examples (0..1; NaN when nothing was trained). */
  readonly trainAccuracy: number;
  /** Best accuracy on the held-out slice (0..1; NaN without one). */
  readonly heldOutAccuracy: number;
  /** Wall-clock milliseconds of the fit, including time yielded to routing. */
  readonly ms: number;
  /** Projects whose rows were replaced by a learned row. */
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
}

/** One project as seen by a fit. @internal */
export interface FitProject {
  /** Identity of the project version; the learned row is applied only if it is still current. */
  readonly token: object;
  readonly modelPath: string;
  /** Model path and aliases. */
  readonly names: readonly string[];
  /** [main, ...examples]; all normalised, length dim. */
  readonly vectors: readonly Float32Array[];
}

/** What {@link fitRouterRows} needs from the router. @internal */
export interface FitTarget {
  readonly embedderId: string;
  readonly dim: number;
  readonly maxPromptChars: number;
  readonly projects: readonly FitProject[];
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Swaps learned rows in (synchronously); returns how many projects took one. */
  apply(learned: ReadonlyMap<object, Float32Array>): number;
  readonly attachment: { load(): Promise<Uint8Array | undefined>; save(data: Uint8Array): Promise<void> } | undefined;
  progress(e: FitProgressEvent): void;
  done(r: FitReport): void;
}

const FIT_SUFFIX = 'fit';
export { FIT_SUFFIX };

function fingerprint(t: FitTarget, o: ResolvedFitOptions, feedback: readonly { text: string; chosen: number; rejected: number }[]): string {
  const h = createHash('sha256');
  h.update(`${t.embedderId}\0${t.dim}\0${fitOptionsKey(o)}\0`);
  for (const p of t.projects) {
    h.update(`${p.modelPath}\0${p.vectors.length}\0`);
    for (const v of p.vectors) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  for (const f of feedback) h.update(`${f.chosen}\0${f.rejected}\0${f.text}\0`);
  return h.digest('hex');
}

/** Runs one fit against `t`. @internal */
export async function fitRouterRows(t: FitTarget, o: ResolvedFitOptions): Promise<FitReport> {
  const t0 = performance.now();
  const classes = t.projects.length;
  const byName = new Map<string, number>();
  t.projects.forEach((p, i) => { for (const n of p.names) byName.set(n, i); });
  const fb = await collectFeedback(o.feedback, (name) => byName.get(name) ?? -1, t.maxPromptChars);
  const empty = (projects: number): FitReport => ({
    epochs: 0, trainAccuracy: Number.NaN, heldOutAccuracy: Number.NaN, ms: performance.now() - t0, projects,
    examples: 0, heldOut: 0, feedbackUsed: 0, feedbackDropped: fb.dropped + fb.records.length, scale: 1, fromCache: false,
  });
  if (classes < 2) return finish(t, empty(0)); // one project needs no discrimination
  const print = t.attachment ? fingerprint(t, o, fb.records) : '';
  if (t.attachment) {
    const bytes = await t.attachment.load();
    const saved = bytes && decodeFitFile(bytes, print, t.dim);
    if (saved && saved.paths.length === classes && saved.paths.every((p, i) => p === t.projects[i]!.modelPath)) {
      const r = saved.meta['report'] as Partial<FitReport> | undefined;
      const learned = learnedMap(t, saved.rows);
      const report: FitReport = {
        ...empty(t.apply(learned)), ...numbers(r), feedbackUsed: fb.records.length, feedbackDropped: fb.dropped,
        ms: performance.now() - t0, fromCache: true,
      };
      return finish(t, report);
    }
  }
  const data: TrainingVector[] = [];
  t.projects.forEach((p, c) => {
    p.vectors.forEach((vector, i) => {
      if (i === 0 && !o.includeMainText) return;
      data.push({ vector, label: c, weight: 1, holdable: i > 0 });
    });
  });
  if (fb.records.length > 0 && o.feedbackWeight > 0) {
    const vecs = await t.embed(fb.records.map((r) => r.text));
    fb.records.forEach((r, i) => {
      data.push({ vector: vecs[i]!, label: r.chosen >= 0 ? r.chosen : -1 - r.rejected, weight: o.feedbackWeight, holdable: false });
    });
  }
  const trained = await trainRows(data, classes, t.dim, o, async (p) => {
    t.progress({ epoch: p.epoch, maxEpochs: o.epochs, phase: p.phase, heldOutAccuracy: p.heldOutAccuracy, ms: performance.now() - t0 });
    await new Promise<void>((resolve) => setImmediate(resolve));
  });
  for (let i = 0; i < trained.rows.length; i++) {
    if (!Number.isFinite(trained.rows[i]!)) throw new SwitchyardError('ERR_INVALID_OPTION', 'fit diverged (non-finite weights): lower `learningRate`');
  }
  const projects = t.apply(learnedMap(t, trained.rows));
  const report: FitReport = {
    epochs: trained.epochs, trainAccuracy: trained.trainAccuracy, heldOutAccuracy: trained.heldOutAccuracy,
    ms: performance.now() - t0, projects, examples: trained.examples, heldOut: trained.heldOut,
    feedbackUsed: fb.records.length, feedbackDropped: fb.dropped, scale: trained.scale, fromCache: false,
  };
  if (t.attachment) {
    const bytes = encodeFitFile({ fingerprint: print, dim: t.dim, paths: t.projects.map((p) => p.modelPath), rows: trained.rows, meta: { report } });
    await t.attachment.save(bytes);
  }
  return finish(t, report);
}

function finish(t: FitTarget, r: FitReport): FitReport {
  t.done(r);
  return r;
}

function numbers(r: Partial<FitReport> | undefined): Partial<FitReport> {
  const out: Record<string, number> = {};
  for (const k of ['epochs', 'trainAccuracy', 'heldOutAccuracy', 'examples', 'heldOut', 'scale'] as const) {
    const v = r?.[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

function learnedMap(t: FitTarget, rows: Float32Array): Map<object, Float32Array> {
  const m = new Map<object, Float32Array>();
  t.projects.forEach((p, c) => m.set(p.token, rows.subarray(c * t.dim, (c + 1) * t.dim)));
  return m;
}
