// FastProjectRouter#fit() – learned rows route a noisy but separable set better than the
// unfitted rows, with one matrix row per project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter } from '../src/index.js';
import { accuracy, noisyTopics } from './helpers/learn-data.js';

test('FastProjectRouter#fit() – beats max-over-examples routing on a synthetic separable set; one row per project after', async () => {
  const { projects, queries } = noisyTopics(12, 20, 10, 7);
  const router = await FastProjectRouter.create({ projects, threshold: -1, fit: false });
  const route = (p: string): string | null => router.routeSync('auto', p).modelPath;
  const before = accuracy(route, queries);
  assert.equal(router.stats().rows, 12 * 21);
  assert.equal(router.fitState, 'unfitted');
  const report = await router.fit();
  const after = accuracy(route, queries);
  assert.equal(router.stats().rows, 12);
  assert.equal(router.fitState, 'fitted');
  assert.equal(report.projects, 12);
  assert.ok(report.epochs >= 1 && report.epochs <= 15, `epochs ${report.epochs}`);
  assert.ok(report.heldOut > 0 && report.heldOutAccuracy >= 0 && report.heldOutAccuracy <= 1);
  assert.ok(after >= before + 0.2, `fitted ${after} vs unfitted ${before}`);
  assert.ok(after >= 0.9, `fitted ${after}`);
});

test('FastProjectRouter.create({ fit: true }) – fits during create; the calibrated winning score is on the cosine scale', async () => {
  const { projects, queries } = noisyTopics(8, 12, 5, 11);
  const router = await FastProjectRouter.create({ projects, fit: true, threshold: 0.35 });
  assert.equal(router.fitState, 'fitted');
  const scores = queries.map(([, p]) => router.routeSync('auto', p).score).sort((a, b) => a - b);
  const median = scores[scores.length >> 1]!;
  assert.ok(median > 0.2 && median < 2, `median winning score ${median}`);
  // a prompt with none of the projects' words scores far below in-scope prompts and falls back
  const r = router.routeSync('auto', 'zzzz qqqq xxxx');
  assert.ok(r.candidates[0]!.score < median / 2, `out-of-scope ${r.candidates[0]!.score} vs median ${median}`);
  assert.equal(r.method, 'fallback');
});
