/**
 * Compact sparse copy of dense feature vectors (CSR): `indices`/`values` of row `i` are
 * `[offsets[i], offsets[i + 1])`. Hashed embeddings of short texts have ~100 non-zeros out
 * of hundreds or thousands of buckets, so training iterates only those.
 * @internal
 */
export interface SparseRows {
  /** Vector length of the dense form. */
  readonly dim: number;
  /** Row starts, length `rows + 1`. */
  readonly offsets: Int32Array;
  /** Feature (bucket) index of each stored value. */
  readonly indices: Int32Array;
  /** Stored values. */
  readonly values: Float32Array;
}

/**
 * Builds {@link SparseRows} from dense vectors; exact zeros are dropped. Each vector is
 * read as `vec[0 .. dim)`.
 * @internal
 */
export function toSparseRows(vectors: readonly Float32Array[], dim: number): SparseRows {
  let nnz = 0;
  for (const v of vectors) for (let k = 0; k < dim; k++) if (v[k] !== 0) nnz++;
  const offsets = new Int32Array(vectors.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let o = 0;
  vectors.forEach((v, i) => {
    for (let k = 0; k < dim; k++) {
      const x = v[k]!;
      if (x !== 0) { indices[o] = k; values[o++] = x; }
    }
    offsets[i + 1] = o;
  });
  return { dim, offsets, indices, values };
}

/**
 * Builds {@link SparseRows} one dense scratch vector at a time, so a large training set never
 * exists as dense vectors (15,000 rows × 2,048 floats would be 123 MB).
 * @internal
 */
export class SparseRowsBuilder {
  readonly dim: number;
  /** A dense vector of length `dim` the caller may fill before {@link SparseRowsBuilder.push}. */
  readonly scratch: Float32Array;
  #offsets: number[] = [0];
  #indices = new Int32Array(1024);
  #values = new Float32Array(1024);
  #n = 0;

  constructor(dim: number) {
    this.dim = dim;
    this.scratch = new Float32Array(dim);
  }

  /** Appends the non-zeros of `v[off .. off + dim)` as the next row. */
  push(v: Float32Array, off = 0): void {
    for (let k = 0; k < this.dim; k++) {
      const x = v[off + k]!;
      if (x === 0) continue;
      if (this.#n === this.#indices.length) this.#grow();
      this.#indices[this.#n] = k;
      this.#values[this.#n++] = x;
    }
    this.#offsets.push(this.#n);
  }

  /** The rows (compact copies). */
  build(): SparseRows {
    return { dim: this.dim, offsets: Int32Array.from(this.#offsets), indices: this.#indices.slice(0, this.#n), values: this.#values.slice(0, this.#n) };
  }

  #grow(): void {
    const i = new Int32Array(this.#indices.length * 2); i.set(this.#indices); this.#indices = i;
    const v = new Float32Array(this.#values.length * 2); v.set(this.#values); this.#values = v;
  }
}
