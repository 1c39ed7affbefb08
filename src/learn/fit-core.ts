// The fit itself, as a function of plain data: features -> softmax training -> calibration
// -> (auto-adopt) comparison with the unfitted rows on the held-out slice -> out-of-scope
// threshold. Runs in the fit worker, or on the event loop in slices.
import { HeadFeatures } from './head-features.js';
import { SparseRowsBuilder, type SparseRows } from './sparse-features.js';
import { scoreSparse, trainRows, type EpochProgress } from './train-rows.js';
import type { FitJob, FitJobResult, KeptReason } from './fit-job.js';
import type { Slicer } from '../internal/slicer.js';

/** Multiply-adds the unfitted comparison may spend (bounds it for dense embedders). */
const COMPARE_BUDGET = 1.5e8;

/** Row `i` of the job's int8 embedder vectors, as f32, into `out`. */
function denseRow(job: FitJob, i: number, out: Float32Array): void {
  const E = job.embedderDim;
  const { data, scales } = job.dense!;
  const s = scales[i]!;
  const base = i * E;
  for (let k = 0; k < E; k++) out[k] = data[base + k]! * s;
}

/** Runs `job`. @internal */
export async function runFitJob(job: FitJob, slicer: Slicer, progress: (p: EpochProgress) => void): Promise<FitJobResult> {
  const n = job.labels.length;
  const feats = new HeadFeatures(job.features, job.options.hashDim, job.embedderDim, job.embedderId);
  const scratch = new Float32Array(feats.dim);
  const row = new Float32Array(job.embedderDim);
  const builder = new SparseRowsBuilder(feats.dim);
  for (let i = 0; i < n; i++) {
    if (feats.needsEmbedder) denseRow(job, i, row);
    feats.write(job.textBlob.slice(i === 0 ? 0 : job.textEnds[i - 1]!, job.textEnds[i]!), row, 0, scratch, 0);
    builder.push(scratch);
    if (slicer.due()) await slicer.pause();
  }
  const x = builder.build();
  const set = { x, labels: job.labels, weights: job.weights, holdable: job.holdable, train: job.train };
  const trained = await trainRows(set, job.classes, job.options, slicer, progress);
  const { rows, held } = trained;
  const classes = job.classes;

  let adopt = true;
  let keptReason: KeptReason | undefined;
  let fittedAcc = Number.NaN;
  let unfittedAcc = Number.NaN;
  let probes = 0;
  if (job.options.adopt === 'auto') {
    const probeRows = held.filter((r) => job.unfitted[r] === 1);
    if (probeRows.length === 0 || job.dense === undefined) {
      adopt = false;
      keptReason = 'no-held-out';
    } else {
      const cmp = await compareWithUnfitted(job, x, rows, probeRows, slicer);
      fittedAcc = cmp.fitted;
      unfittedAcc = cmp.unfitted;
      probes = cmp.probes;
      adopt = fittedAcc > unfittedAcc;
      if (!adopt) keptReason = 'not-better';
    }
  }

  let threshold = Number.NaN;
  if (adopt && held.length > 0 && job.options.thresholdLoss > 0) {
    const tops: number[] = [];
    for (const r of held) {
      const label = job.labels[r]!;
      if (label < 0 || x.offsets[r] === x.offsets[r + 1]) continue;
      const s = scoreSparse(x, r, rows, classes);
      if (s.best === label) tops.push(s.top);
    }
    tops.sort((a, b) => a - b);
    if (tops.length > 0) threshold = tops[Math.min(tops.length - 1, Math.floor(job.options.thresholdLoss * tops.length))]!;
  }
  return {
    rows, dim: feats.dim, epochs: trained.epochs, trainAccuracy: trained.trainAccuracy, heldOutAccuracy: trained.heldOutAccuracy,
    examples: trained.examples, heldOut: trained.heldOut, scale: trained.scale,
    fittedProbeAccuracy: fittedAcc, unfittedProbeAccuracy: unfittedAcc, probes, adopt, keptReason, threshold,
  };
}

/**
 * Accuracy on held-out probes of the learned rows and of the unfitted rows (each class's
 * main and example rows without the held-out ones, best row wins: how the router scores
 * unfitted projects). The unfitted rows are scanned sparsely; with dense vectors the probes
 * are thinned to stay within {@link COMPARE_BUDGET}.
 */
async function compareWithUnfitted(
  job: FitJob, x: SparseRows, rows: Float32Array, probeRows: Int32Array, slicer: Slicer,
): Promise<{ fitted: number; unfitted: number; probes: number }> {
  const E = job.embedderDim;
  const isHeld = new Uint8Array(job.labels.length);
  for (const r of probeRows) isHeld[r] = 1;
  const matrix = new SparseRowsBuilder(E);
  const owners: number[] = [];
  for (let i = 0; i < job.labels.length; i++) {
    if (!job.unfitted[i] || isHeld[i]) continue;
    const v = matrix.scratch;
    denseRow(job, i, v);
    let s = 0;
    for (let k = 0; k < E; k++) s += v[k]! * v[k]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < E; k++) v[k]! *= inv;
    matrix.push(v);
    owners.push(job.labels[i]!);
    if (slicer.due()) await slicer.pause();
  }
  const m = matrix.build();
  const step = Math.max(1, Math.ceil((probeRows.length * m.values.length) / COMPARE_BUDGET));
  const best = new Float32Array(job.classes);
  const q = new Float32Array(E);
  let fittedOk = 0;
  let unfittedOk = 0;
  let probes = 0;
  for (let p = 0; p < probeRows.length; p += step) {
    const r = probeRows[p]!;
    const label = job.labels[r]!;
    probes++;
    if (scoreSparse(x, r, rows, job.classes).best === label) fittedOk++;
    denseRow(job, r, q);
    best.fill(-Infinity);
    for (let j = 0; j < owners.length; j++) {
      let s = 0;
      for (let e = m.offsets[j]!; e < m.offsets[j + 1]!; e++) s += m.values[e]! * q[m.indices[e]!]!;
      const c = owners[j]!;
      if (s > best[c]!) best[c] = s;
    }
    let arg = 0;
    for (let c = 1; c < best.length; c++) if (best[c]! > best[arg]!) arg = c;
    if (arg === label) unfittedOk++;
    if (slicer.due()) await slicer.pause();
  }
  return { fitted: fittedOk / probes, unfitted: unfittedOk / probes, probes };
}
