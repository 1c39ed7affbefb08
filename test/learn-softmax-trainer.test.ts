// SoftmaxTrainer – sparse SGD separates a separable sparse set; negative-only rows push a
// class down; sparse rows drop exact zeros.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SoftmaxTrainer } from '../src/learn/softmax-trainer.js';
import { toSparseRows } from '../src/learn/sparse-features.js';
import { prng } from './helpers/random.js';

function data(n: number, classes: number, dim: number, seed: number): { vectors: Float32Array[]; labels: Int32Array } {
  const rnd = prng(seed);
  const vectors: Float32Array[] = [];
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    const v = new Float32Array(dim);
    v[c] = 1; // the class feature
    for (let k = 0; k < 3; k++) v[classes + Math.floor(rnd() * (dim - classes))] = rnd(); // noise
    vectors.push(v);
    labels[i] = c;
  }
  return { vectors, labels };
}

test('toSparseRows() – keeps exactly the non-zero entries, row by row', () => {
  const x = toSparseRows([Float32Array.of(0, 2, 0, -1), Float32Array.of(0, 0, 0, 0), Float32Array.of(3, 0, 0, 0)], 4);
  assert.deepEqual([...x.offsets], [0, 2, 2, 3]);
  assert.deepEqual([...x.indices], [1, 3, 0]);
  assert.deepEqual([...x.values], [2, -1, 3]);
});

test('SoftmaxTrainer – learns a separable sparse set; classRows() are one row per class', () => {
  const { vectors, labels } = data(120, 6, 40, 1);
  const x = toSparseRows(vectors, 40);
  const rows = Int32Array.from(labels.keys());
  const t = new SoftmaxTrainer(x, { labels, weights: new Float32Array(120).fill(1) }, rows, { classes: 6, learningRate: 1, decay: 0.2, l2: 1e-6, seed: 1 });
  const before = t.accuracy(rows);
  for (let e = 0; e < 5; e++) t.epoch();
  assert.equal(t.epochs, 5);
  assert.equal(t.accuracy(rows), 1);
  assert.ok(before < 1);
  const w = t.classRows();
  assert.equal(w.length, 6 * 40);
  for (let c = 0; c < 6; c++) assert.ok(w[c * 40 + c]! > 0, `class ${c} weight on its feature`);
});

test('SoftmaxTrainer – a negative-only row lowers the probability of its class', () => {
  const x = toSparseRows([Float32Array.of(1, 0), Float32Array.of(0, 1), Float32Array.of(1, 0)], 2);
  const labels = Int32Array.of(0, 1, -1 - 0); // row 2: "not class 0"
  const probs = new Float64Array(2);
  const run = (rows: number[]): number => {
    const t = new SoftmaxTrainer(x, { labels, weights: Float32Array.of(1, 1, 3) }, Int32Array.from(rows), { classes: 2, learningRate: 0.5, decay: 0, l2: 0, seed: 1 });
    for (let e = 0; e < 3; e++) t.epoch();
    t.predict(0, probs);
    return probs[0]!;
  };
  assert.ok(run([0, 1, 2]) < run([0, 1]));
});
