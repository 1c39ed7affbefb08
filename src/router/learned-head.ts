import { SwitchyardError } from '../errors.js';
import { instantiateSimdKernel, simdKernelModule, type SimdKernelExports } from '../internal/simd-kernel.js';
import type { KernelChoice, KernelKind } from './project-index.js';

const PAGE = 65_536;

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/**
 * The learned rows, stored feature-major (`w[f * cols + c]`, one column per fitted project)
 * in one WebAssembly memory, so a query touches only its non-zero features: a hashed query
 * has ~100 of 2,048, so 150 projects cost ~100 × 150 multiply-adds instead of 2,048 × 150.
 * Dense (embedder) features work the same way, every feature being non-zero. Built once per
 * fit; a removed project swaps the last column into its place.
 * @internal
 */
export class LearnedHead {
  readonly dim: number;
  readonly kernel: KernelKind;
  #cols: number;
  #count: number;
  readonly #owners: Int32Array;
  readonly #f32: Float32Array;
  readonly #q: number; // float offsets
  readonly #out: number;
  readonly #w: number;
  readonly #simd: SimdKernelExports | null;

  /** @param rows - one row of length `dim` per column; `owners[c]` the owner id of row c */
  constructor(dim: number, rows: readonly Float32Array[], owners: readonly number[], kernel: KernelChoice) {
    this.dim = dim;
    this.#count = rows.length;
    this.#cols = align(Math.max(1, rows.length), 4);
    const qBytes = align(dim * 4, 64);
    const outBytes = align(this.#cols * 4, 64);
    const total = qBytes + outBytes + dim * this.#cols * 4;
    const module = kernel === 'js' ? null : simdKernelModule();
    if (kernel === 'wasm' && module === null) {
      throw new SwitchyardError('ERR_INVALID_OPTION', 'Expected `kernel` \'wasm\' but this runtime has no WebAssembly SIMD support');
    }
    let buffer: ArrayBuffer;
    if (module) {
      const memory = new WebAssembly.Memory({ initial: Math.ceil(total / PAGE) });
      this.#simd = instantiateSimdKernel(module, memory);
      buffer = memory.buffer;
    } else {
      this.#simd = null;
      buffer = new ArrayBuffer(total);
    }
    this.kernel = module ? 'wasm-simd' : 'js';
    this.#f32 = new Float32Array(buffer);
    this.#q = 0;
    this.#out = qBytes >> 2;
    this.#w = (qBytes + outBytes) >> 2;
    this.#owners = Int32Array.from(owners);
    const f = this.#f32;
    const cols = this.#cols;
    rows.forEach((row, c) => {
      for (let k = 0; k < dim; k++) f[this.#w + k * cols + c] = row[k]!;
    });
  }

  /** Fitted projects (columns in use). */
  get rows(): number {
    return this.#count;
  }

  /** Bytes of weight storage. */
  get matrixBytes(): number {
    return this.dim * this.#cols * 4;
  }

  /** Whole-memory view: write the query at {@link LearnedHead.queryOffset}, reduce the scores with {@link LearnedHead.maxByOwner}. */
  get f32(): Float32Array {
    return this.#f32;
  }

  /** Offset (floats) of the query. */
  get queryOffset(): number {
    return this.#q;
  }

  /** Owner id of column `c`. */
  owner(c: number): number {
    return this.#owners[c]!;
  }

  /** Changes the owner id of column `c`. */
  setOwner(c: number, owner: number): void {
    this.#owners[c] = owner;
  }

  /** Scores the query against every column. */
  score(): void {
    if (this.#simd) {
      this.#simd.spmv_fm(this.#q << 2, this.dim, this.#w << 2, this.#cols, this.#out << 2);
      return;
    }
    const f = this.#f32;
    const cols = this.#cols;
    const out = this.#out;
    f.fill(0, out, out + cols);
    for (let k = 0; k < this.dim; k++) {
      const x = f[this.#q + k]!;
      if (x === 0) continue;
      const base = this.#w + k * cols;
      for (let c = 0; c < cols; c++) f[out + c]! += x * f[base + c]!;
    }
  }

  /**
   * For every column, `out[owner] = max(out[owner], score)` over the last {@link LearnedHead.score};
   * the caller fills and sizes `out`. Allocates nothing.
   */
  maxByOwner(out: Float32Array): void {
    const f = this.#f32;
    const owners = this.#owners;
    const base = this.#out;
    for (let c = 0, n = this.#count; c < n; c++) {
      const s = f[base + c]!;
      const p = owners[c]!;
      if (s > out[p]!) out[p] = s;
    }
  }

  /** Removes column `c` by moving the last one into its place; returns the moved column's former index, or -1. */
  removeColumn(c: number): number {
    const last = --this.#count;
    const f = this.#f32;
    const cols = this.#cols;
    for (let k = 0; k < this.dim; k++) {
      const base = this.#w + k * cols;
      f[base + c] = f[base + last]!;
      f[base + last] = 0;
    }
    if (c === last) return -1;
    this.#owners[c] = this.#owners[last]!;
    return last;
  }
}
