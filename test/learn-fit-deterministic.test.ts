// FastProjectRouter#fit() – the same seed and data give the same learned rows (same scores).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter } from '../src/index.js';
import { noisyTopics } from './helpers/learn-data.js';

async function fitted(seed: number): Promise<{ scores: string[]; report: unknown }> {
  const { projects, queries } = noisyTopics(10, 15, 3, 3);
  const router = await FastProjectRouter.create({ projects, threshold: -1, topK: 3, fit: false });
  const { ms: _ms, ...report } = await router.fit({ seed });
  return { scores: queries.map(([, p]) => JSON.stringify(router.routeSync('auto', p).candidates)), report };
}

test('FastProjectRouter#fit() – deterministic for a seed; another seed gives other rows', async () => {
  const a = await fitted(42);
  const b = await fitted(42);
  const c = await fitted(43);
  assert.deepEqual(a.report, b.report);
  assert.deepEqual(a.scores, b.scores);
  assert.notDeepEqual(a.scores, c.scores);
});
