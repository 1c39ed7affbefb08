// Pure score kernels over contiguous rows (tested directly, benchmarked, used as the
// fallback when WebAssembly SIMD is unavailable). Rows are `stride` elements apart.

/**
 * `out[outOffset + r*outStep] = dot(mat[matOffset + r*stride ..], q[qOffset ..])` for r < rows, over
 * the first `dim` elements. Four rows per pass share each query load (measured fastest plain-JS form).
 * @internal
 */
export function dotRowsF32(
  mat: Float32Array, matOffset: number, q: Float32Array, qOffset: number,
  out: Float32Array, outOffset: number, rows: number, stride: number, dim: number, outStep = 1,
): void {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const b0 = matOffset + r * stride, b1 = b0 + stride, b2 = b1 + stride, b3 = b2 + stride;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < dim; k++) {
      const x = q[qOffset + k]!;
      s0 += mat[b0 + k]! * x;
      s1 += mat[b1 + k]! * x;
      s2 += mat[b2 + k]! * x;
      s3 += mat[b3 + k]! * x;
    }
    const o = outOffset + r * outStep;
    out[o] = s0; out[o + outStep] = s1; out[o + 2 * outStep] = s2; out[o + 3 * outStep] = s3;
  }
  for (; r < rows; r++) {
    const b = matOffset + r * stride;
    let s = 0;
    for (let k = 0; k < dim; k++) s += mat[b + k]! * q[qOffset + k]!;
    out[outOffset + r * outStep] = s;
  }
}

/**
 * int8 rows with per-row scales: `out[r] = scales[r] * qScale * sum(mat[r][k] * q[k])`.
 * @internal
 */
export function dotRowsI8(
  mat: Int8Array, matOffset: number, scales: Float32Array, scalesOffset: number,
  q: Int8Array, qOffset: number, qScale: number,
  out: Float32Array, outOffset: number, rows: number, stride: number, dim: number,
): void {
  for (let r = 0; r < rows; r++) {
    const b = matOffset + r * stride;
    let s = 0;
    for (let k = 0; k < dim; k++) s += mat[b + k]! * q[qOffset + k]!;
    out[outOffset + r] = s * scales[scalesOffset + r]! * qScale;
  }
}

/**
 * Symmetric int8 quantisation of `src[srcOffset .. +dim)` into `dst`; returns the scale
 * (`value ≈ int8 * scale`). A zero vector gets scale 0.
 * @internal
 */
export function quantizeI8(src: Float32Array, srcOffset: number, dst: Int8Array, dstOffset: number, dim: number): number {
  let max = 0;
  for (let k = 0; k < dim; k++) {
    const a = Math.abs(src[srcOffset + k]!);
    if (a > max) max = a;
  }
  if (max === 0) {
    dst.fill(0, dstOffset, dstOffset + dim);
    return 0;
  }
  const inv = 127 / max;
  for (let k = 0; k < dim; k++) dst[dstOffset + k] = Math.round(src[srcOffset + k]! * inv);
  return max / 127;
}

/**
 * Top-k selection by insertion into caller-owned buffers (k is small; no allocation).
 * Writes indices/scores in descending score order (ties: lower index first) and returns
 * how many were written (`min(k, n)`). `-Infinity` entries are skipped.
 * @internal
 */
export function topK(
  scores: Float32Array, offset: number, n: number, k: number,
  outIndex: Int32Array, outScore: Float32Array,
): number {
  let count = 0;
  let floor = -Infinity;
  for (let i = 0; i < n; i++) {
    const s = scores[offset + i]!;
    if (!(s > floor) && count === k) continue;
    if (s === -Infinity || s !== s) continue;
    let j = count < k ? count++ : k - 1;
    while (j > 0 && outScore[j - 1]! < s) {
      outScore[j] = outScore[j - 1]!;
      outIndex[j] = outIndex[j - 1]!;
      j--;
    }
    outScore[j] = s;
    outIndex[j] = i;
    if (count === k) floor = outScore[k - 1]!;
  }
  return count;
}

/**
 * L2-normalises `v[offset .. offset + dim)` in place; returns the original norm.
 * @internal
 */
export function normalizeInPlace(v: Float32Array, offset: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += v[offset + k]! * v[offset + k]!;
  const norm = Math.sqrt(s);
  if (norm > 0) {
    const inv = 1 / norm;
    for (let k = 0; k < dim; k++) v[offset + k]! *= inv;
  }
  return norm;
}
