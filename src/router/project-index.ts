import { SwitchyardError } from '../errors.js';
import { dotRowsF32, dotRowsI8, quantizeI8 } from './similarity.js';
import { instantiateSimdKernel, simdKernelModule, type SimdKernelExports } from '../internal/simd-kernel.js';

/** Score precision of the project matrix: exact f32, or int8 rows with per-row scales (4× less memory, faster at scale). */
export type IndexPrecision = 'f32' | 'int8';
/** Which score kernel to use: `'auto'` picks WebAssembly SIMD when the runtime supports it. */
export type KernelChoice = 'auto' | 'wasm' | 'js';
/** The kernel actually in use. */
export type KernelKind = 'wasm-simd' | 'js';

/** Queries scored together by one pass of the batch kernel. @internal */
export const BATCH_WIDTH = 4;
const PAGE = 65_536;
const ALIGN = 32;

interface Layout {
  qF32: number; qI8: number; out: number; scales: number; owner: number; matF32: number; matI8: number; total: number;
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/**
 * Contiguous row-major score matrix: every row is L2-normalised (except raw learned rows) and zero-padded to `stride`
 * (a multiple of 32), stored in one WebAssembly memory (or one ArrayBuffer for the JS
 * kernels). Capacity doubles; removal swaps the last row in. Scoring writes into a reusable
 * output region, so a query allocates nothing.
 * @internal
 */
export class ProjectIndex {
  readonly dim: number;
  readonly stride: number;
  readonly precision: IndexPrecision;
  readonly kernel: KernelKind;
  #rows = 0;
  #cap = 0;
  #layout!: Layout;
  #memory: WebAssembly.Memory | null = null;
  #buffer!: ArrayBuffer;
  #simd: SimdKernelExports | null = null;
  #f32!: Float32Array; // whole-buffer views, re-made after growth
  #i8!: Int8Array;
  #i32!: Int32Array;
  /** Step between consecutive rows of one query's scores after the last score()/scoreBatch(). */
  #step = 1;

  constructor(dim: number, precision: IndexPrecision, kernel: KernelChoice, initialCapacity = 64) {
    this.dim = dim;
    this.stride = align(dim, ALIGN);
    this.precision = precision;
    const module = kernel === 'js' ? null : simdKernelModule();
    if (kernel === 'wasm' && module === null) {
      throw new SwitchyardError('ERR_INVALID_OPTION', 'Expected `kernel` \'wasm\' but this runtime has no WebAssembly SIMD support');
    }
    this.kernel = module ? 'wasm-simd' : 'js';
    const layout = this.#computeLayout(Math.max(4, initialCapacity));
    if (module) {
      this.#memory = new WebAssembly.Memory({ initial: Math.ceil(layout.total / PAGE) });
      this.#simd = instantiateSimdKernel(module, this.#memory);
      this.#buffer = this.#memory.buffer;
    } else {
      this.#buffer = new ArrayBuffer(layout.total);
    }
    this.#layout = layout;
    this.#cap = Math.max(4, initialCapacity);
    this.#makeViews();
  }

  /** Number of rows in use. */
  get rows(): number {
    return this.#rows;
  }

  /** Row capacity before the next growth. */
  get capacity(): number {
    return this.#cap;
  }

  /** Bytes of matrix storage (f32 and int8 rows), for stats. */
  get matrixBytes(): number {
    return this.#cap * this.stride * (this.precision === 'int8' ? 5 : 4);
  }

  /** Whole-buffer f32 view, for writing queries at `queryOffset(j)` (the only region callers touch). Re-read after any add. */
  get f32(): Float32Array {
    return this.#f32;
  }

  /** Offset (in floats) of query slot `j` (0..3) inside {@link ProjectIndex.f32}. */
  queryOffset(j: number): number {
    return (this.#layout.qF32 >> 2) + j * this.stride;
  }

  /** Owner id of row `r` (set by the caller on add). */
  owner(r: number): number {
    return this.#i32[(this.#layout.owner >> 2) + r]!;
  }

  /** Changes the owner id of row `r`. */
  setOwner(r: number, owner: number): void {
    this.#i32[(this.#layout.owner >> 2) + r] = owner;
  }

  /**
   * Appends a row (copied, normalised unless `normalize` is false, padded). The vector must
   * be finite: the caller validates. Raw rows (learned weights) are stored as given.
   * Returns the row index.
   */
  addRow(vec: Float32Array, vecOffset: number, owner: number, normalize = true): number {
    if (this.#rows === this.#cap) this.#grow(this.#cap * 2);
    const r = this.#rows++;
    this.#writeRow(r, vec, vecOffset, normalize);
    this.setOwner(r, owner);
    return r;
  }

  /** Grows the capacity to at least `rows` in one step (instead of doubling repeatedly while rows are added). */
  reserve(rows: number): void {
    if (rows > this.#cap) this.#grow(rows);
  }

  /** Overwrites row `r`. */
  setRow(r: number, vec: Float32Array, vecOffset: number): void {
    this.#writeRow(r, vec, vecOffset, true);
  }

  /** Drops every row (capacity and memory are kept), e.g. before a rebuild. */
  clear(): void {
    this.#rows = 0;
  }

  /** Copies row `r` (as stored, length `dim`) into `out`. */
  readRow(r: number, out: Float32Array): void {
    const base = (this.#layout.matF32 >> 2) + r * this.stride;
    out.set(this.#f32.subarray(base, base + this.dim));
  }

  /**
   * Removes row `r` by moving the last row into its place. Returns the former index of the
   * moved row (so the caller can fix its bookkeeping), or -1 when `r` was the last row.
   */
  removeRow(r: number): number {
    const last = --this.#rows;
    if (r === last) return -1;
    const L = this.#layout;
    const s = this.stride;
    const fBase = L.matF32 >> 2;
    this.#f32.copyWithin(fBase + r * s, fBase + last * s, fBase + (last + 1) * s);
    if (this.precision === 'int8') {
      this.#i8.copyWithin(L.matI8 + r * s, L.matI8 + last * s, L.matI8 + (last + 1) * s);
      this.#f32[(L.scales >> 2) + r] = this.#f32[(L.scales >> 2) + last]!;
    }
    this.#i32[(L.owner >> 2) + r] = this.#i32[(L.owner >> 2) + last]!;
    return last;
  }

  /**
   * Scores query slot 0 against every row into the output region
   * (read them with {@link ProjectIndex.maxByOwner} or {@link ProjectIndex.readScores}).
   */
  score(): void {
    const L = this.#layout;
    const rows = this.#rows;
    this.#step = 1;
    if (rows === 0) return;
    if (this.precision === 'int8') {
      const qScale = quantizeI8(this.#f32, L.qF32 >> 2, this.#i8, L.qI8, this.stride);
      if (this.#simd) this.#simd.dot_i8(L.matI8, L.scales, L.qI8, qScale, L.out, rows, this.stride);
      else dotRowsI8(this.#i8, L.matI8, this.#f32, L.scales >> 2, this.#i8, L.qI8, qScale, this.#f32, L.out >> 2, rows, this.stride, this.dim);
    } else if (this.#simd) {
      this.#simd.dot_f32(L.matF32, L.qF32, L.out, rows, this.stride);
    } else {
      dotRowsF32(this.#f32, L.matF32 >> 2, this.#f32, L.qF32 >> 2, this.#f32, L.out >> 2, rows, this.stride, this.dim);
    }
  }

  /**
   * Scores query slots 0..n-1 (n <= 4) in one pass over the matrix where the kernel allows.
   * Read the scores with {@link ProjectIndex.maxByOwner} or {@link ProjectIndex.readScores}.
   * Returns the step between consecutive rows of one query's scores in the output region
   * (4 when the queries were interleaved, else 1).
   */
  scoreBatch(n: number): number {
    const L = this.#layout;
    const rows = this.#rows;
    this.#step = 1;
    if (rows === 0) return 1;
    if (this.precision === 'f32') {
      this.#step = BATCH_WIDTH;
      if (this.#simd) this.#simd.dot_f32_x4(L.matF32, L.qF32, L.out, rows, this.stride);
      else for (let j = 0; j < n; j++) {
        dotRowsF32(this.#f32, L.matF32 >> 2, this.#f32, (L.qF32 >> 2) + j * this.stride, this.#f32, (L.out >> 2) + j, rows, this.stride, this.dim, BATCH_WIDTH);
      }
      return BATCH_WIDTH;
    }
    // int8: one query at a time into separate output blocks
    const qScaleOff = L.qI8;
    for (let j = 0; j < n; j++) {
      const qScale = quantizeI8(this.#f32, (L.qF32 >> 2) + j * this.stride, this.#i8, qScaleOff, this.stride);
      const outByte = L.out + j * this.#cap * 4;
      if (this.#simd) this.#simd.dot_i8(L.matI8, L.scales, qScaleOff, qScale, outByte, rows, this.stride);
      else dotRowsI8(this.#i8, L.matI8, this.#f32, L.scales >> 2, this.#i8, qScaleOff, qScale, this.#f32, outByte >> 2, rows, this.stride, this.dim);
    }
    return 1;
  }

  /**
   * The hot path's reduction: for every row, `out[owner] = max(out[owner], score)` over query
   * slot `j`'s scores from the last {@link ProjectIndex.score} (j = 0) or
   * {@link ProjectIndex.scoreBatch}. The caller fills `out` first (e.g. with -Infinity) and
   * sizes it to the owner ids. Allocates nothing.
   */
  maxByOwner(j: number, out: Float32Array): void {
    const rows = this.#rows;
    if (rows === 0) return;
    const f = this.#f32;
    const owners = this.#i32;
    const ownerOff = this.#layout.owner >> 2;
    const step = this.#step;
    const offset = (this.#layout.out >> 2) + (step === 1 ? j * this.#cap : j);
    for (let r = 0; r < rows; r++) {
      const s = f[offset + r * step]!;
      const p = owners[ownerOff + r]!;
      if (s > out[p]!) out[p] = s;
    }
  }

  /** Copies query slot `j`'s scores from the last scoring call (one per row) into `out`; returns the row count. Test seam (the route path uses {@link ProjectIndex.maxByOwner}). */
  readScores(j: number, out: Float32Array): number {
    const rows = this.#rows;
    const step = this.#step;
    const offset = (this.#layout.out >> 2) + (step === 1 ? j * this.#cap : j);
    for (let r = 0; r < rows; r++) out[r] = this.#f32[offset + r * step]!;
    return rows;
  }

  #writeRow(r: number, vec: Float32Array, vecOffset: number, normalize: boolean): void {
    const L = this.#layout;
    const base = (L.matF32 >> 2) + r * this.stride;
    const f = this.#f32;
    let s = 0;
    for (let k = 0; k < this.dim; k++) s += vec[vecOffset + k]! * vec[vecOffset + k]!;
    const inv = !normalize ? 1 : s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < this.dim; k++) f[base + k] = vec[vecOffset + k]! * inv;
    f.fill(0, base + this.dim, base + this.stride);
    if (this.precision === 'int8') {
      f[(L.scales >> 2) + r] = quantizeI8(f, base, this.#i8, L.matI8 + r * this.stride, this.stride);
    }
  }

  #computeLayout(cap: number): Layout {
    const s = this.stride;
    let o = 0;
    const qF32 = o; o = align(o + BATCH_WIDTH * s * 4, ALIGN);
    const qI8 = o; o = align(o + s, ALIGN);
    const out = o; o = align(o + BATCH_WIDTH * cap * 4, ALIGN);
    const scales = o; o = align(o + cap * 4, ALIGN);
    const owner = o; o = align(o + cap * 4, ALIGN);
    const matF32 = o; o = align(o + cap * s * 4, ALIGN);
    const matI8 = o; o = this.precision === 'int8' ? align(o + cap * s, ALIGN) : o;
    return { qF32, qI8, out, scales, owner, matF32, matI8, total: o };
  }

  #grow(cap: number): void {
    const old = this.#layout;
    const next = this.#computeLayout(cap);
    const rows = this.#rows;
    const s = this.stride;
    // regions whose contents survive growth, moved last-first (new offsets are >= old ones)
    const moves: [from: number, to: number, bytes: number][] = [
      [old.scales, next.scales, rows * 4],
      [old.owner, next.owner, rows * 4],
      [old.matF32, next.matF32, rows * s * 4],
    ];
    if (this.precision === 'int8') moves.push([old.matI8, next.matI8, rows * s]);
    if (this.#memory) {
      const have = this.#memory.buffer.byteLength;
      if (next.total > have) this.#memory.grow(Math.ceil((next.total - have) / PAGE));
      this.#buffer = this.#memory.buffer;
      const bytes = new Uint8Array(this.#buffer);
      for (let i = moves.length - 1; i >= 0; i--) {
        const [from, to, n] = moves[i]!;
        bytes.copyWithin(to, from, from + n);
      }
    } else {
      const src = new Uint8Array(this.#buffer);
      this.#buffer = new ArrayBuffer(next.total);
      const dst = new Uint8Array(this.#buffer);
      for (const [from, to, n] of moves) dst.set(src.subarray(from, from + n), to);
    }
    // zero the query region's padding again (growth may have moved data over it) and the new row tails
    new Uint8Array(this.#buffer, next.qF32, next.out - next.qF32).fill(0);
    this.#layout = next;
    this.#cap = cap;
    this.#makeViews();
  }

  #makeViews(): void {
    this.#f32 = new Float32Array(this.#buffer);
    this.#i8 = new Int8Array(this.#buffer);
    this.#i32 = new Int32Array(this.#buffer);
  }
}
