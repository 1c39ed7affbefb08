import type { SparseRows } from './sparse-features.js';
import { seededRandom } from '../internal/random.js';
import { instantiateSimdKernel, simdKernelModule, type SimdKernelExports } from '../internal/simd-kernel.js';

const PAGE = 65_536;
const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** Hyper-parameters of {@link SoftmaxTrainer}. @internal */
export interface SoftmaxTrainerConfig {
  /** Classes (output rows). */
  readonly classes: number;
  /** Initial learning rate. */
  readonly learningRate: number;
  /** Learning rate of epoch `e` is `learningRate / (1 + decay * e)`. */
  readonly decay: number;
  /** L2 penalty per step (weight decay factor `1 - lr * l2`). */
  readonly l2: number;
  /** Seed of the per-epoch shuffle. */
  readonly seed: number;
}

/**
 * Training targets: `labels[i]` is the class of row `i` (>= 0), or `-1 - c` for a
 * negative-only row that pushes class `c` down (feedback with a rejected but no chosen route).
 * `weights[i]` scales that row's gradient.
 * @internal
 */
export interface SoftmaxTargets {
  /** One label per row (see above). */
  readonly labels: Int32Array;
  /** One weight per row. */
  readonly weights: Float32Array;
}

/**
 * Multinomial logistic regression over sparse rows, trained by plain SGD with sparse updates.
 * Weights are stored feature-major (`w[f * cols + c]`, `cols` = classes rounded up to 4) so
 * one non-zero touches one contiguous run of floats: the WebAssembly SIMD kernels
 * (`gather_rows`, `scatter_rows`) do the logits and the update four classes at a time. L2 is
 * applied lazily through a global scale, so a step costs O(nnz · classes) whatever the
 * feature count. One {@link SoftmaxTrainer.epoch} call is one shuffled pass.
 * @internal
 */
export class SoftmaxTrainer {
  readonly #x: SparseRows;
  readonly #t: SoftmaxTargets;
  readonly #c: SoftmaxTrainerConfig;
  readonly #cols: number;
  /** Feature-major weights (a view into the kernel memory). */
  readonly #w: Float32Array;
  #scale = 1;
  readonly #z: Float64Array;
  /** Kernel scratch: logits out (`#zOff`) and the gradient (`#gOff`), `cols` floats each. */
  readonly #mem: Float32Array;
  readonly #zOff: number;
  readonly #gOff: number;
  readonly #idxOff: number; // byte offsets of the rows' indices/values in kernel memory
  readonly #valOff: number;
  readonly #simd: SimdKernelExports | null;
  readonly #order: Int32Array;
  readonly #rnd: () => number;
  #epoch = 0;
  #pos = 0;

  constructor(x: SparseRows, targets: SoftmaxTargets, rows: Int32Array, config: SoftmaxTrainerConfig, kernel: 'auto' | 'js' = 'auto') {
    this.#x = x;
    this.#t = targets;
    this.#c = config;
    const cols = Math.ceil(config.classes / 4) * 4;
    this.#cols = cols;
    const nnz = x.values.length;
    const wBytes = align16(x.dim * cols * 4);
    const zBytes = align16(cols * 4);
    const idxBytes = align16(nnz * 4);
    const total = wBytes + 2 * zBytes + 2 * idxBytes;
    const module = kernel === 'js' ? null : simdKernelModule();
    let buffer: ArrayBuffer;
    if (module) {
      const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(total / PAGE)) });
      this.#simd = instantiateSimdKernel(module, memory);
      buffer = memory.buffer;
    } else {
      this.#simd = null;
      buffer = new ArrayBuffer(total);
    }
    this.#mem = new Float32Array(buffer);
    this.#w = new Float32Array(buffer, 0, x.dim * cols);
    this.#zOff = wBytes >> 2;
    this.#gOff = (wBytes + zBytes) >> 2;
    this.#idxOff = wBytes + 2 * zBytes;
    this.#valOff = this.#idxOff + idxBytes;
    new Int32Array(buffer, this.#idxOff, nnz).set(x.indices);
    new Float32Array(buffer, this.#valOff, nnz).set(x.values);
    this.#z = new Float64Array(config.classes);
    this.#order = Int32Array.from(rows);
    this.#rnd = seededRandom(config.seed);
  }

  /** Epochs run so far. */
  get epochs(): number {
    return this.#epoch;
  }

  /** One shuffled SGD pass over the training rows. */
  epoch(): void {
    while (!this.step(Infinity)) { /* until the pass ends */ }
  }

  /**
   * Runs the current pass (starting a new shuffled one when none is open) until it ends or
   * `deadline` (a `performance.now()` value) passes; returns whether the pass ended. Lets a
   * caller on the event loop train in slices of a few milliseconds.
   */
  step(deadline: number): boolean {
    const order = this.#order;
    if (this.#pos === 0) {
      const rnd = this.#rnd;
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        const t = order[i]!; order[i] = order[j]!; order[j] = t;
      }
    }
    const { classes: C, learningRate, decay, l2 } = this.#c;
    const lr = learningRate / (1 + decay * this.#epoch);
    const shrink = 1 - lr * l2;
    const { offsets } = this.#x;
    const { labels, weights } = this.#t;
    const z = this.#z;
    const mem = this.#mem;
    const gOff = this.#gOff;
    const start = this.#pos;
    for (let n = start; n < order.length; n++) {
      if (n > start && (n & 63) === 0 && performance.now() > deadline) { this.#pos = n; return false; }
      const row = order[n]!;
      const a = offsets[row]!;
      const b = offsets[row + 1]!;
      if (a === b) continue;
      this.#logits(a, b);
      const label = labels[row]!;
      // gradient of the loss w.r.t. the logits, written into z
      if (label >= 0) {
        z[label]! -= 1;
      } else {
        const r = -1 - label;
        const pr = z[r]!;
        const k = pr / Math.max(1e-12, 1 - pr);
        for (let c = 0; c < C; c++) z[c] = -k * z[c]!;
        z[r] = pr;
      }
      this.#scale *= shrink;
      const step = (lr * weights[row]!) / this.#scale;
      for (let c = 0; c < C; c++) mem[gOff + c] = z[c]! * step;
      this.#scatter(a, b);
      if (this.#scale < 1e-3) this.#rescale();
    }
    this.#pos = 0;
    this.#epoch++;
    return true;
  }

  /** Class probabilities of row `row` into `out` (length `classes`); returns the arg max. */
  predict(row: number, out?: Float64Array): number {
    const a = this.#x.offsets[row]!;
    const b = this.#x.offsets[row + 1]!;
    this.#logits(a, b);
    const z = this.#z;
    let best = 0;
    for (let c = 1; c < z.length; c++) if (z[c]! > z[best]!) best = c;
    if (out) out.set(z);
    return best;
  }

  /** Fraction of `rows` (with a class label >= 0) predicted correctly; NaN when none. */
  accuracy(rows: Int32Array): number {
    let ok = 0;
    let n = 0;
    const labels = this.#t.labels;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const l = labels[r]!;
      if (l < 0 || this.#x.offsets[r] === this.#x.offsets[r + 1]) continue;
      n++;
      if (this.predict(r) === l) ok++;
    }
    return n ? ok / n : Number.NaN;
  }

  /** The weights as one row per class (`out[c * dim + f]`), scale applied; into `out` when given. */
  classRows(out?: Float32Array): Float32Array {
    const { dim } = this.#x;
    const C = this.#c.classes;
    out ??= new Float32Array(C * dim);
    const w = this.#w;
    const s = this.#scale;
    const cols = this.#cols;
    for (let f = 0; f < dim; f++) for (let c = 0; c < C; c++) out[c * dim + f] = w[f * cols + c]! * s;
    return out;
  }

  /** Softmax probabilities of entries [a, b) into z. */
  #logits(a: number, b: number): void {
    const C = this.#c.classes;
    const z = this.#z;
    const mem = this.#mem;
    const zOff = this.#zOff;
    if (this.#simd) {
      this.#simd.gather_rows(this.#idxOff + a * 4, this.#valOff + a * 4, b - a, 0, this.#cols, zOff << 2);
    } else {
      const { indices, values } = this.#x;
      const cols = this.#cols;
      const w = this.#w;
      mem.fill(0, zOff, zOff + cols);
      for (let e = a; e < b; e++) {
        const base = indices[e]! * cols;
        const v = values[e]!;
        for (let c = 0; c < C; c++) mem[zOff + c]! += v * w[base + c]!;
      }
    }
    const s = this.#scale;
    let max = -Infinity;
    for (let c = 0; c < C; c++) { const v = mem[zOff + c]! * s; z[c] = v; if (v > max) max = v; }
    let sum = 0;
    for (let c = 0; c < C; c++) { const e = Math.exp(z[c]! - max); z[c] = e; sum += e; }
    for (let c = 0; c < C; c++) z[c]! /= sum;
  }

  /** w[row features] -= value * g (g at #gOff). */
  #scatter(a: number, b: number): void {
    if (this.#simd) {
      this.#simd.scatter_rows(this.#idxOff + a * 4, this.#valOff + a * 4, b - a, 0, this.#cols, this.#gOff << 2);
      return;
    }
    const { indices, values } = this.#x;
    const cols = this.#cols;
    const C = this.#c.classes;
    const w = this.#w;
    const mem = this.#mem;
    const gOff = this.#gOff;
    for (let e = a; e < b; e++) {
      const base = indices[e]! * cols;
      const v = values[e]!;
      for (let c = 0; c < C; c++) w[base + c]! -= v * mem[gOff + c]!;
    }
  }

  #rescale(): void {
    const w = this.#w;
    const s = this.#scale;
    for (let i = 0; i < w.length; i++) w[i]! *= s;
    this.#scale = 1;
  }
}
