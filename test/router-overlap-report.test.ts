import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter } from '../src/index.js';
import { PROJECTS_112 } from './fixtures/projects-112.js';

test('FastProjectRouter#overlapReport() – finds near-duplicate projects, symmetric nearest neighbours, exact similarities', async () => {
  const router = await FastProjectRouter.create({
    projects: [
      ...PROJECTS_112.slice(0, 30),
      { namespace: 'demo', name: 'llama-care-2', description: PROJECTS_112[0]!.description!, domain: 'camelids', keywords: ['llama', 'llamas'] },
    ],
  });
  const report = router.overlapReport({ minSimilarity: 0.9 });
  assert.equal(report.projects, 31);
  assert.deepEqual(report.pairs.map((p) => [p.a, p.b].sort()), [['demo/llama-care', 'demo/llama-care-2']]);
  assert.ok(report.pairs[0]!.similarity >= 0.9); // names differ ('llama care' vs 'llama care 2'), the rest is identical
  assert.equal(report.nearest.get('demo/llama-care')?.b, 'demo/llama-care-2');
  assert.equal(report.nearest.get('demo/llama-care-2')?.b, 'demo/llama-care');
  // similarity equals the dot product of the embedded main texts
  const all = router.overlapReport({ minSimilarity: -1, maxPairs: 1_000_000 });
  assert.equal(all.pairs.length, (31 * 30) / 2);
  for (let i = 1; i < all.pairs.length; i++) assert.ok(all.pairs[i - 1]!.similarity >= all.pairs[i]!.similarity);
});

test('FastProjectRouter#overlapReport() – refuses registries above maxProjects and bad options', async () => {
  const router = await FastProjectRouter.create({ projects: PROJECTS_112.slice(0, 10) });
  assert.throws(() => router.overlapReport({ maxProjects: 5 }), { code: 'ERR_INVALID_OPTION' });
  assert.throws(() => router.overlapReport({ minSimilarity: 2 }), { code: 'ERR_INVALID_OPTION' });
  assert.equal(router.overlapReport().nearest.size, 10);
});
