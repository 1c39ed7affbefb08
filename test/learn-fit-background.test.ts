// FastProjectRouter#fit() in the background – routing between epochs always sees a complete
// matrix; projects upserted during or after a fit route with unfitted rows (fitState 'stale').
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter, type FitProgressEvent } from '../src/index.js';
import { noisyTopics } from './helpers/learn-data.js';

test('FastProjectRouter#fit() – concurrent routing during a background fit sees either all unfitted or all learned rows', async () => {
  const { projects, queries } = noisyTopics(10, 20, 2, 5);
  const router = await FastProjectRouter.create({ projects, threshold: -1, fit: false });
  const unfittedRows = router.stats().rows;
  const progress: FitProgressEvent[] = [];
  router.on('fit:progress', (e) => progress.push(e));
  let done = false;
  const fit = router.fit({ epochs: 8, patience: 8 }).finally(() => { done = true; });
  let routed = 0;
  while (!done) {
    for (const [, p] of queries.slice(0, 5)) {
      const r = router.routeSync('auto', p);
      assert.notEqual(r.modelPath, null);
      assert.ok(r.candidates.length > 0);
      routed++;
    }
    const rows = router.stats().rows;
    assert.ok(rows === unfittedRows || rows === 10, `rows ${rows}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const report = await fit;
  assert.ok(routed > 5, `routed only ${routed} times during the fit`);
  assert.ok(progress.length >= report.epochs && progress.every((e) => e.maxEpochs === 8));
  assert.equal(router.stats().rows, 10);
});

test('FastProjectRouter#upsertProject() – a fitted router goes stale: the new project routes with its unfitted rows until the next fit', async () => {
  const { projects } = noisyTopics(6, 10, 1, 9);
  const router = await FastProjectRouter.create({ projects, threshold: -1, fit: true });
  assert.equal(router.fitState, 'fitted');
  await router.upsertProject({ namespace: 'syn', name: 'late', description: 'harbour cranes', examples: ['container harbour cranes', 'crane operator shifts'] });
  assert.equal(router.fitState, 'stale');
  assert.equal(router.stats().rows, 6 + 3);
  assert.equal(router.routeSync('auto', 'harbour cranes for containers').modelPath, 'syn/late');
  // upsert during a fit: the fit does not overwrite the new version
  const running = router.fit();
  await router.upsertProject({ namespace: 'syn', name: 'later', description: 'violin lessons', examples: ['violin bowing lessons'] });
  const report = await running;
  assert.equal(report.projects, 7);
  assert.equal(router.fitState, 'stale');
  assert.equal(router.stats().rows, 7 + 2);
  assert.equal(router.routeSync('auto', 'violin bowing lessons').modelPath, 'syn/later');
  assert.equal(router.removeProject('syn/later'), true);
  assert.equal(router.fitState, 'fitted');
  await router.fit();
  assert.equal(router.stats().rows, 7);
});
