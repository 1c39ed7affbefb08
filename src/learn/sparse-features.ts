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
