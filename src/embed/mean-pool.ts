/**
 * Mean pooling over the attention mask, then L2 normalisation: the sentence-transformers
 * recipe for MiniLM. `hidden` is `[batch, seq, dim]` row-major; `mask` is `[batch, seq]`
 * (bigint or number). A row with an all-zero mask yields the zero vector.
 * @internal
 */
export function meanPoolNormalize(
  hidden: ArrayLike<number>, mask: ArrayLike<number | bigint>, batch: number, seq: number, dim: number,
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dim);
    let count = 0;
    for (let s = 0; s < seq; s++) {
      const m = mask[b * seq + s];
      if (m === undefined || Number(m) === 0) continue;
      count++;
      const base = (b * seq + s) * dim;
      for (let d = 0; d < dim; d++) v[d]! += hidden[base + d]!;
    }
    let sumsq = 0;
    for (let d = 0; d < dim; d++) sumsq += v[d]! * v[d]!;
    if (count > 0 && sumsq > 0) {
      const inv = 1 / Math.sqrt(sumsq); // the 1/count of the mean cancels in the normalisation
      for (let d = 0; d < dim; d++) v[d]! *= inv;
    }
    out.push(v);
  }
  return out;
}
