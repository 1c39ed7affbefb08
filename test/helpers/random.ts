import { seededRandom } from '../../src/index.js';

/** Deterministic PRNG for reproducible test data: the library's own mulberry32. */
export const prng: (seed: number) => () => number = seededRandom;

/** `n` random unit vectors of length `dim`, packed row-major. */
export function randomUnitRows(n: number, dim: number, seed: number): Float32Array {
  const rnd = prng(seed);
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let k = 0; k < dim; k++) {
      // Box-Muller gaussian
      const g = Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
      out[r * dim + k] = g;
      s += g * g;
    }
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < dim; k++) out[r * dim + k]! *= inv;
  }
  return out;
}

/** Exact f64 dot products of every row with q. */
export function exactScores(rows: Float32Array, n: number, dim: number, q: Float32Array): Float64Array {
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += rows[r * dim + k]! * q[k]!;
    out[r] = s;
  }
  return out;
}
