import { SoftmaxTrainer } from './softmax-trainer.js';
import { seededRandom } from '../balance/random.js';
import { toSparseRows } from './sparse-features.js';
import type { ResolvedFitOptions } from './fit-options.js';

/** One training vector with its target. @internal */
export interface TrainingVector {
  readonly vector: Float32Array;
  /** Class (>= 0), or `-1 - c` for a negative-only example of class `c`. */
  readonly label: number;
  readonly weight: number;
  /** May be held out for early stopping (project examples; not main texts or feedback). */
  readonly holdable: boolean;
}

/** Progress of one epoch. @internal */
export interface EpochProgress {
  readonly epoch: number;
  readonly heldOutAccuracy: number;
  readonly phase: 'search' | 'refit';
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
}

/** Stratified held-out split: per class, `floor(n * fraction)` (>= 1) of its holdable rows when it has >= 3. */
function split(data: readonly TrainingVector[], fraction: number, seed: number): { train: Int32Array; held: Int32Array } {
  const byClass = new Map<number, number[]>();
  const train: number[] = [];
  data.forEach((d, i) => {
    if (!d.holdable || d.label < 0 || fraction === 0) { train.push(i); return; }
    const list = byClass.get(d.label) ?? [];
    list.push(i);
    byClass.set(d.label, list);
  });
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
 * Trains one softmax row per class over `data`, with early stopping on a held-out slice,
 * an optional refit on everything, and calibration (rows scaled so the median winning score
 * of the calibration rows is `calibrationTarget`). Yields to the event loop after every epoch
 * through `pause`, which may also throw to abort.
 * @internal
 */
export async function trainRows(
  data: readonly TrainingVector[], classes: number, dim: number, o: ResolvedFitOptions,
  pause: (p: EpochProgress) => Promise<void>,
): Promise<TrainedRows> {
  const x = toSparseRows(data.map((d) => d.vector), dim);
  const targets = { labels: Int32Array.from(data, (d) => d.label), weights: Float32Array.from(data, (d) => d.weight) };
  const { train, held } = split(data, o.heldOutFraction, o.seed);
  const config = { classes, learningRate: o.learningRate, decay: o.decay, l2: o.l2, seed: o.seed };
  let trainer = new SoftmaxTrainer(x, targets, train, config);
  let best: Float32Array | undefined;
  let bestAcc = -1;
  let bestEpoch = 0;
  let heldAcc = Number.NaN;
  for (let e = 1; e <= o.epochs; e++) {
    trainer.epoch();
    if (held.length === 0) { await pause({ epoch: e, heldOutAccuracy: Number.NaN, phase: 'search' }); continue; }
    const acc = trainer.accuracy(held);
    if (acc >= bestAcc) {
      bestAcc = acc;
      bestEpoch = e;
      if (!o.refit) best = trainer.classRows();
    }
    await pause({ epoch: e, heldOutAccuracy: acc, phase: 'search' });
    if (e - bestEpoch >= o.patience) break;
  }
  const epochs = held.length === 0 ? o.epochs : bestEpoch;
  heldAcc = held.length === 0 ? Number.NaN : bestAcc;
  // calibration rows are scored with the model chosen before any refit (held-out is unseen there)
  const calRows = held.length > 0 ? held : train;
  const calTrainer = trainer;
  const calWeights = best ?? calTrainer.classRows();
  if (held.length > 0 && o.refit) {
    const all = Int32Array.from(data.keys());
    trainer = new SoftmaxTrainer(x, targets, all, config);
    for (let e = 1; e <= epochs; e++) {
      trainer.epoch();
      await pause({ epoch: e, heldOutAccuracy: Number.NaN, phase: 'refit' });
    }
  }
  const rows = held.length > 0 && !o.refit ? best! : trainer.classRows();
  const scale = calibrationScale(x, calRows, targets.labels, calWeights, classes, o.calibrationTarget);
  for (let i = 0; i < rows.length; i++) rows[i]! *= scale;
  return {
    rows, epochs, trainAccuracy: trainer.accuracy(train), heldOutAccuracy: heldAcc,
    examples: data.length, heldOut: held.length, scale,
  };
}

/** Factor mapping the median winning raw score of `rows` to `target` (1 when undefined). */
function calibrationScale(
  x: ReturnType<typeof toSparseRows>, rows: Int32Array, labels: Int32Array, w: Float32Array, classes: number, target: number,
): number {
  const dim = x.dim;
  const tops: number[] = [];
  for (const r of rows) {
    if (labels[r]! < 0) continue;
    const a = x.offsets[r]!;
    const b = x.offsets[r + 1]!;
    if (a === b) continue;
    let top = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let e = a; e < b; e++) s += x.values[e]! * w[c * dim + x.indices[e]!]!;
      if (s > top) top = s;
    }
    tops.push(top);
  }
  const m = median(tops);
  return Number.isFinite(m) && m > 1e-6 ? target / m : 1;
}
