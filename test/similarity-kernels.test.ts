import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dotRowsF32, dotRowsI8, quantizeI8, topK, normalizeInPlace } from '../src/router/similarity.js';
import { exactScores, randomUnitRows } from './helpers/random.js';

test('dotRowsF32() – matches exact dot products for every row count (4-row blocks and tail)', () => {
  const dim = 40, stride = 64;
  for (const n of [0, 1, 3, 4, 5, 9, 17]) {
    const packed = randomUnitRows(n, dim, n + 1);
    const mat = new Float32Array(n * stride);
    for (let r = 0; r < n; r++) mat.set(packed.subarray(r * dim, (r + 1) * dim), r * stride);
    const q = randomUnitRows(1, dim, 99);
    const out = new Float32Array(n);
    dotRowsF32(mat, 0, q, 0, out, 0, n, stride, dim);
    const want = exactScores(packed, n, dim, q);
    for (let r = 0; r < n; r++) assert.ok(Math.abs(out[r]! - want[r]!) < 1e-5, `row ${r} of ${n}`);
  }
});

test('dotRowsF32() – writes with an output step (batch layout)', () => {
  const dim = 8, n = 6;
  const mat = randomUnitRows(n, dim, 5);
  const q = randomUnitRows(1, dim, 6);
  const out = new Float32Array(n * 4).fill(7);
  dotRowsF32(mat, 0, q, 0, out, 2, n, dim, dim, 4);
  const want = exactScores(mat, n, dim, q);
  for (let r = 0; r < n; r++) {
    assert.ok(Math.abs(out[2 + r * 4]! - want[r]!) < 1e-5);
    assert.equal(out[r * 4], 7); // untouched lanes
  }
});

test('quantizeI8() + dotRowsI8() – score error below 0.01 for unit vectors; zero vector gets scale 0', () => {
  const dim = 384, n = 50;
  const rows = randomUnitRows(n, dim, 11);
  const q = randomUnitRows(1, dim, 12);
  const mat = new Int8Array(n * dim);
  const scales = new Float32Array(n);
  for (let r = 0; r < n; r++) scales[r] = quantizeI8(rows, r * dim, mat, r * dim, dim);
  const qi = new Int8Array(dim);
  const qs = quantizeI8(q, 0, qi, 0, dim);
  const out = new Float32Array(n);
  dotRowsI8(mat, 0, scales, 0, qi, 0, qs, out, 0, n, dim, dim);
  const want = exactScores(rows, n, dim, q);
  for (let r = 0; r < n; r++) assert.ok(Math.abs(out[r]! - want[r]!) < 0.01);
  const z = new Int8Array(4).fill(3);
  assert.equal(quantizeI8(new Float32Array(4), 0, z, 0, 4), 0);
  assert.deepEqual([...z], [0, 0, 0, 0]);
});

test('topK() – equals a full sort (descending, ties by lower index), skips -Infinity and NaN', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }).map((x) => x / 4), fc.constant(-Infinity), fc.constant(NaN)), { maxLength: 60 }),
      fc.integer({ min: 1, max: 8 }),
      (values, k) => {
        const scores = Float32Array.from(values);
        const idx = new Int32Array(k);
        const sc = new Float32Array(k);
        const count = topK(scores, 0, scores.length, k, idx, sc);
        const want = values
          .map((v, i) => [v, i] as const)
          .filter(([v]) => v !== -Infinity && !Number.isNaN(v))
          .sort((a, b) => b[0] - a[0] || a[1] - b[1])
          .slice(0, k);
        assert.equal(count, want.length);
        for (let j = 0; j < count; j++) {
          assert.equal(idx[j], want[j]![1]);
          assert.equal(sc[j], Math.fround(want[j]![0]));
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('normalizeInPlace() – unit length, returns the norm, leaves zero vectors alone', () => {
  const v = Float32Array.from([3, 4]);
  assert.equal(normalizeInPlace(v, 0, 2), 5);
  assert.ok(Math.abs(v[0]! - 0.6) < 1e-7 && Math.abs(v[1]! - 0.8) < 1e-7);
  const z = new Float32Array(3);
  assert.equal(normalizeInPlace(z, 0, 3), 0);
  assert.deepEqual([...z], [0, 0, 0]);
});
