import { SoftmaxTrainer } from './softmax-trainer.js';
import { seededRandom } from '../internal/random.js';
import type { SparseRows } from './sparse-features.js';
import type { JobFitOptions } from './fit-job.js';
import type { Slicer } from '../internal/slicer.js';

/** Progress of one epoch. @internal */
export interface EpochProgress {
  readonly epoch: number;
  readonly heldOutAccuracy: number;
  readonly phase: 'search' | 'refit';
}

/** Training rows with their targets. @internal */
export interface TrainingSet {
  readonly x: SparseRows;
  /** Class (>= 0), or `-1 - c` for a negative-only row of class `c`. */
  readonly labels: Int32Array;
  readonly weights: Float32Array;
  /** 1: may be held out (project examples; not main texts or feedback). */
  readonly holdable: Uint8Array;
  /** 1: used at all. */
  readonly train: Uint8Array;
}

/** Learned rows and training numbers. @internal */
export interface TrainedRows {
  /** `classes * dim` floats, one calibrated row per class. */
  readonly rows: Float32Array;
  readonly epochs: number;
  readonly trainAccuracy: number;
  readonly heldOutAccuracy: number;
  readonly examples: number;
  readonly heldOut: number;
  readonly scale: number;
  /** Held-out row indices (sorted). */
  readonly held: Int32Array;
}

/** Stratified held-out split: per class, `floor(n * fraction)` (>= 1) of its holdable rows when it has >= 3. */
function split(s: TrainingSet, fraction: number, seed: number): { train: Int32Array; held: Int32Array } {
  const byClass = new Map<number, number[]>();
  const train: number[] = [];
  for (let i = 0; i < s.labels.length; i++) {
    if (!s.train[i]) continue;
    const label = s.labels[i]!;
    if (!s.holdable[i] || label < 0 || fraction === 0) { train.push(i); continue; }
    const list = byClass.get(label) ?? [];
    list.push(i);
    byClass.set(label, list);
  }
  const rnd = seededRandom(seed ^ 0x5eed);
  const held: number[] = [];
  for (const list of byClass.values()) {
    const k = list.length >= 3 ? Math.max(1, Math.floor(list.length * fraction)) : 0;
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      const t = list[i]!; list[i] = list[j]!; list[j] = t;
    }
    held.push(...list.slice(0, k));
    train.push(...list.slice(k));
  }
  return { train: Int32Array.from(train.sort((a, b) => a - b)), held: Int32Array.from(held.sort((a, b) => a - b)) };
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  xs.sort((a, b) => a - b);
  return xs[xs.length >> 1]!;
}

/**
 * Trains one softmax row per class, with early stopping on a held-out slice, an optional
 * refit on everything, and calibration (rows scaled so the median winning score of the
 * calibration rows is `calibrationTarget`). Works in slices of `slicer`'s budget, reporting
 * each epoch through `progress`.
 * @internal
 */
export async function trainRows(
  s: TrainingSet, classes: number, o: JobFitOptions, slicer: Slicer, progress: (p: EpochProgress) => void,
): Promise<TrainedRows> {
  const { x } = s;
  const targets = { labels: s.labels, weights: s.weights };
  const { train, held } = split(s, o.heldOutFraction, o.seed);
  const config = { classes, learningRate: o.learningRate, decay: o.decay, l2: o.l2, seed: o.seed };
  const run = async (t: SoftmaxTrainer): Promise<void> => {
    while (!t.step(slicer.deadline)) await slicer.pause();
  };
  let trainer = new SoftmaxTrainer(x, targets, train, config);
  let best: Float32Array | undefined;
  let bestAcc = -1;
  let bestEpoch = 0;
  for (let e = 1; e <= o.epochs; e++) {
    await run(trainer);
    if (held.length === 0) { progress({ epoch: e, heldOutAccuracy: Number.NaN, phase: 'search' }); continue; }
    const acc = trainer.accuracy(held);
    if (acc >= bestAcc) {
      bestAcc = acc;
      bestEpoch = e;
      if (!o.refit) best = trainer.classRows(best);
    }
    progress({ epoch: e, heldOutAccuracy: acc, phase: 'search' });
    if (slicer.due()) await slicer.pause();
    if (e - bestEpoch >= o.patience) break;
  }
  const epochs = held.length === 0 ? o.epochs : bestEpoch;
  const heldAcc = held.length === 0 ? Number.NaN : bestAcc;
  // calibration rows are scored with the model chosen before any refit (held-out is unseen there)
  const calRows = held.length > 0 ? held : train;
  const calWeights = best ?? trainer.classRows();
  if (held.length > 0 && o.refit) {
    const all = Int32Array.from(train.length + held.length > 0 ? [...train, ...held].sort((a, b) => a - b) : []);
    trainer = new SoftmaxTrainer(x, targets, all, config);
    for (let e = 1; e <= epochs; e++) {
      await run(trainer);
      progress({ epoch: e, heldOutAccuracy: Number.NaN, phase: 'refit' });
    }
  }
  const rows = held.length > 0 && !o.refit ? best! : trainer.classRows();
  const scale = calibrationScale(x, calRows, targets.labels, calWeights, classes, o.calibrationTarget);
  for (let i = 0; i < rows.length; i++) rows[i]! *= scale;
  // accuracy over every training row is a full pass: in slices
  let ok = 0;
  let counted = 0;
  for (let at = 0; at < train.length; at += 256) {
    const part = train.subarray(at, at + 256);
    const a = trainer.accuracy(part);
    const n = countLabelled(s, part);
    if (n > 0) { ok += a * n; counted += n; }
    if (slicer.due()) await slicer.pause();
  }
  return {
    rows, epochs, trainAccuracy: counted ? ok / counted : Number.NaN, heldOutAccuracy: heldAcc,
    examples: train.length + held.length, heldOut: held.length, scale, held,
  };
}

/** Rows of `rows` that {@link SoftmaxTrainer.accuracy} counts (a class label and at least one feature). */
function countLabelled(s: TrainingSet, rows: Int32Array): number {
  let n = 0;
  for (const r of rows) if (s.labels[r]! >= 0 && s.x.offsets[r] !== s.x.offsets[r + 1]) n++;
  return n;
}

/** Best class and its raw score of sparse row `r` under row-major weights `w`. @internal */
export function scoreSparse(x: SparseRows, r: number, w: Float32Array, classes: number): { best: number; top: number } {
  const dim = x.dim;
  const a = x.offsets[r]!;
  const b = x.offsets[r + 1]!;
  let top = -Infinity;
  let best = -1;
  for (let c = 0; c < classes; c++) {
    let s = 0;
    for (let e = a; e < b; e++) s += x.values[e]! * w[c * dim + x.indices[e]!]!;
    if (s > top) { top = s; best = c; }
  }
  return { best, top };
}

/** Factor mapping the median winning raw score of `rows` to `target` (1 when undefined). */
function calibrationScale(x: SparseRows, rows: Int32Array, labels: Int32Array, w: Float32Array, classes: number, target: number): number {
  const tops: number[] = [];
  for (const r of rows) {
    if (labels[r]! < 0 || x.offsets[r] === x.offsets[r + 1]) continue;
    tops.push(scoreSparse(x, r, w, classes).top);
  }
  const m = median(tops);
  return Number.isFinite(m) && m > 1e-6 ? target / m : 1;
}
