import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProjectIndex } from '../src/router/project-index.js';
import { simdKernelModule } from '../src/internal/simd-kernel.js';
import { exactScores, randomUnitRows } from './helpers/random.js';

const DIM = 384;

function build(n: number, precision: 'f32' | 'int8', kernel: 'wasm' | 'js', rows: Float32Array): ProjectIndex {
  const index = new ProjectIndex(DIM, precision, kernel, 4); // tiny capacity: exercises growth
  for (let r = 0; r < n; r++) index.addRow(rows, r * DIM, r);
  return index;
}

function scoresOf(index: ProjectIndex, q: Float32Array): Float32Array {
  index.f32.set(q, index.queryOffset(0));
  index.score();
  const out = new Float32Array(index.rows);
  index.readScores(0, out);
  return out;
}

function argsort(s: ArrayLike<number>): number[] {
  return Array.from(s, (v, i) => [v, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, i]) => i);
}

test('ProjectIndex – this runtime has WebAssembly SIMD (the fast kernel is really exercised)', () => {
  assert.ok(simdKernelModule() !== null);
  assert.equal(new ProjectIndex(DIM, 'f32', 'auto').kernel, 'wasm-simd');
  assert.equal(new ProjectIndex(DIM, 'f32', 'js').kernel, 'js');
});

test('ProjectIndex#score() – WASM SIMD and JS kernels give the same ranking and scores (1e-5) as exact f64', () => {
  const n = 1000;
  const rows = randomUnitRows(n, DIM, 1);
  const wasm = build(n, 'f32', 'wasm', rows);
  const js = build(n, 'f32', 'js', rows);
  for (let t = 0; t < 20; t++) {
    const q = randomUnitRows(1, DIM, 100 + t);
    const a = scoresOf(wasm, q), b = scoresOf(js, q);
    const exact = exactScores(rows, n, DIM, q);
    for (let r = 0; r < n; r++) {
      assert.ok(Math.abs(a[r]! - exact[r]!) < 1e-5);
      assert.ok(Math.abs(b[r]! - exact[r]!) < 1e-5);
    }
    assert.deepEqual(argsort(a).slice(0, 10), argsort(exact).slice(0, 10));
    assert.deepEqual(argsort(b).slice(0, 10), argsort(exact).slice(0, 10));
  }
});

test('ProjectIndex#score() – int8 rows: max score error < 0.005, top-1 agrees on near-duplicate queries, WASM == JS', () => {
  const n = 2000;
  const rows = randomUnitRows(n, DIM, 2);
  const wasm = build(n, 'int8', 'wasm', rows);
  const js = build(n, 'int8', 'js', rows);
  for (let t = 0; t < 20; t++) {
    // a query near row t*7: the kind of query routing sees (one clearly best project)
    const target = t * 7;
    const noise = randomUnitRows(1, DIM, 500 + t);
    const q = new Float32Array(DIM);
    for (let k = 0; k < DIM; k++) q[k] = rows[target * DIM + k]! * 0.9 + noise[k]! * 0.45;
    const a = scoresOf(wasm, q), b = scoresOf(js, q);
    const exact = exactScores(rows, n, DIM, q);
    let qn = 0;
    for (let k = 0; k < DIM; k++) qn += q[k]! * q[k]!;
    for (let r = 0; r < n; r++) {
      assert.ok(Math.abs(a[r]! - exact[r]!) < 0.005 * Math.sqrt(qn), `row ${r}`);
      assert.ok(Math.abs(a[r]! - b[r]!) < 1e-4);
    }
    assert.equal(argsort(a)[0], target);
  }
});

test('ProjectIndex#scoreBatch() – four queries in one pass equal four single passes', () => {
  const n = 333;
  const rows = randomUnitRows(n, DIM, 3);
  for (const [precision, kernel] of [['f32', 'wasm'], ['f32', 'js'], ['int8', 'wasm'], ['int8', 'js']] as const) {
    const index = build(n, precision, kernel, rows);
    const qs = [0, 1, 2, 3].map((j) => randomUnitRows(1, DIM, 40 + j));
    const single = qs.map((q) => scoresOf(index, q));
    qs.forEach((q, j) => index.f32.set(q, index.queryOffset(j)));
    index.scoreBatch(4);
    const batched = new Float32Array(n);
    for (let j = 0; j < 4; j++) {
      assert.equal(index.readScores(j, batched), n);
      for (let r = 0; r < n; r++) assert.ok(Math.abs(batched[r]! - single[j]![r]!) < 1e-6, `${precision}/${kernel} q${j} r${r}`);
    }
  }
});

test('ProjectIndex#removeRow() – swap-remove keeps every other row and its owner intact across growth', () => {
  const n = 100;
  const rows = randomUnitRows(n, DIM, 4);
  for (const [precision, kernel] of [['f32', 'wasm'], ['int8', 'js']] as const) {
    const index = build(n, precision, kernel, rows);
    const alive = new Set(Array.from({ length: n }, (_, i) => i));
    // remove pseudo-random rows, tracking where each owner's row lives
    const where = new Map<number, number>(Array.from({ length: n }, (_, i) => [i, i]));
    for (const owner of [5, 99, 0, 50, 51, 98, 3]) {
      const r = where.get(owner)!;
      const moved = index.removeRow(r);
      alive.delete(owner);
      where.delete(owner);
      if (moved >= 0) where.set(index.owner(r), r);
    }
    assert.equal(index.rows, n - 7);
    const got = new Float32Array(DIM);
    for (const owner of alive) {
      const r = where.get(owner)!;
      assert.equal(index.owner(r), owner);
      index.readRow(r, got);
      for (let k = 0; k < DIM; k++) assert.ok(Math.abs(got[k]! - rows[owner * DIM + k]!) < 1e-6);
    }
    // growth after removals keeps contents
    const extra = randomUnitRows(300, DIM, 9);
    for (let i = 0; i < 300; i++) index.addRow(extra, i * DIM, 1000 + i);
    const r = where.get(42)!;
    index.readRow(r, got);
    assert.ok(Math.abs(got[7]! - rows[42 * DIM + 7]!) < 1e-6);
    assert.equal(index.owner(r), 42);
  }
});

test('ProjectIndex#maxByOwner() – per-owner maxima of single and batched scores equal a plain loop over readScores()', () => {
  const n = 210;
  const owners = 37;
  const rows = randomUnitRows(n, DIM, 11);
  for (const [precision, kernel] of [['f32', 'wasm'], ['f32', 'js'], ['int8', 'wasm'], ['int8', 'js']] as const) {
    const index = new ProjectIndex(DIM, precision, kernel, 4);
    for (let r = 0; r < n; r++) index.addRow(rows, r * DIM, (r * 7) % owners);
    const expected = (j: number): Float32Array => {
      const scores = new Float32Array(n);
      index.readScores(j, scores);
      const out = new Float32Array(owners).fill(-Infinity);
      for (let r = 0; r < n; r++) out[index.owner(r)] = Math.max(out[index.owner(r)]!, scores[r]!);
      return out;
    };
    const qs = [0, 1, 2, 3].map((j) => randomUnitRows(1, DIM, 60 + j));
    index.f32.set(qs[0]!, index.queryOffset(0));
    index.score();
    const single = new Float32Array(owners).fill(-Infinity);
    index.maxByOwner(0, single);
    assert.deepEqual(single, expected(0), `${precision}/${kernel} single`);
    qs.forEach((q, j) => index.f32.set(q, index.queryOffset(j)));
    index.scoreBatch(4);
    for (let j = 0; j < 4; j++) {
      const got = new Float32Array(owners).fill(-Infinity);
      index.maxByOwner(j, got);
      assert.deepEqual(got, expected(j), `${precision}/${kernel} batch q${j}`);
    }
  }
});
