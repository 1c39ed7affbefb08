/**
 * A project's unfitted vectors kept at int8 (one scale per vector) while its learned row
 * routes: they are needed again only for a refit or when a refit keeps the unfitted rows,
 * so they are stored at a quarter of the f32 size (CLINC150, 15,150 × 384: 5.8 MB, not 23 MB).
 * @internal
 */
export class QuantizedVectors {
  readonly dim: number;
  readonly count: number;
  readonly #q: Int8Array;
  readonly #scales: Float32Array;

  constructor(vectors: readonly Float32Array[], dim: number) {
    this.dim = dim;
    this.count = vectors.length;
    this.#q = new Int8Array(vectors.length * dim);
    this.#scales = new Float32Array(vectors.length);
    vectors.forEach((v, i) => {
      let m = 0;
      for (let k = 0; k < dim; k++) { const a = Math.abs(v[k]!); if (a > m) m = a; }
      const s = m > 0 ? m / 127 : 1;
      this.#scales[i] = s;
      const base = i * dim;
      for (let k = 0; k < dim; k++) this.#q[base + k] = Math.round(v[k]! / s);
    });
  }

  /** The int8 values, `count × dim`. */
  get data(): Int8Array {
    return this.#q;
  }

  /** One scale per vector (value = int8 × scale). */
  get scales(): Float32Array {
    return this.#scales;
  }

  /** Fresh f32 copies. */
  vectors(): Float32Array[] {
    const out: Float32Array[] = [];
    for (let i = 0; i < this.count; i++) {
      const v = new Float32Array(this.dim);
      const s = this.#scales[i]!;
      const base = i * this.dim;
      for (let k = 0; k < this.dim; k++) v[k] = this.#q[base + k]! * s;
      out.push(v);
    }
    return out;
  }
}
