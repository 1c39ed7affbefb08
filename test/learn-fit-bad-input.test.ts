// FastProjectRouter#fit() – bad options throw ERR_INVALID_OPTION before anything changes; bad
// feedback records are counted, never thrown; awkward examples are handled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter, isSwitchyardError } from '../src/index.js';
import { noisyTopics } from './helpers/learn-data.js';

const invalid = (e: unknown): boolean => isSwitchyardError(e) && e.code === 'ERR_INVALID_OPTION';

test('FastProjectRouter#fit() – NaN, negative, wrong-type options reject with ERR_INVALID_OPTION; the matrix is untouched', async () => {
  const { projects } = noisyTopics(4, 5, 1, 1);
  const router = await FastProjectRouter.create({ projects });
  const rows = router.stats().rows;
  for (const bad of [{ epochs: Number.NaN }, { learningRate: -1 }, { l2: Infinity }, { heldOutFraction: 0.9 }, { seed: 1.5 },
    { refit: 'yes' }, { feedback: 42 }, { feedback: 'x' }, 'fast', null, [1]]) {
    assert.throws(() => void router.fit(bad as never), invalid, JSON.stringify(bad));
  }
  await assert.rejects(FastProjectRouter.create({ projects, fit: { epochs: 0 } }), invalid);
  assert.equal(router.stats().rows, rows);
  assert.equal(router.fitState, 'unfitted');
});

test('FastProjectRouter#fit({ feedback }) – malformed records, unknown or repeated projects and empty prompts are dropped and counted', async () => {
  const { projects } = noisyTopics(4, 5, 1, 1);
  const router = await FastProjectRouter.create({ projects });
  const feedback = [
    null, 7, 'text', {}, { prompt: 'x' },
    { prompt: 'hello there', chosen: 'syn/nope' },
    { prompt: 'hello there', chosen: 'syn/topic-1', rejected: 'syn/topic-1' },
    { prompt: '', chosen: 'syn/topic-1' },
    { prompt: 42, chosen: 'syn/topic-1' },
    { prompt: 'hello there', chosen: 5 },
    { prompt: 'good one', chosen: 'syn/topic-1', rejected: 'syn/topic-2' },
    { prompt: [{ role: 'user', content: 'fine too' }], rejected: 'syn/topic-0' },
  ];
  const report = await router.fit({ feedback: feedback as never });
  assert.equal(report.feedbackUsed, 2);
  assert.equal(report.feedbackDropped, feedback.length - 2);
  assert.equal(router.fitState, 'fitted');
});

test('FastProjectRouter#fit() – a failing async iterable ends the feedback without failing the fit', async () => {
  const { projects } = noisyTopics(3, 5, 1, 1);
  const router = await FastProjectRouter.create({ projects });
  async function* broken(): AsyncGenerator<unknown> {
    yield { prompt: 'alpha beta', chosen: 'syn/topic-0' };
    throw new Error('disk gone');
  }
  const report = await router.fit({ feedback: broken() as never });
  assert.equal(report.feedbackUsed, 1);
  assert.equal(report.feedbackDropped, 1);
});

test('FastProjectRouter#fit() – duplicates across projects, long and punctuation-only examples, one project', async () => {
  const huge = 'lorem ipsum '.repeat(85); // near the 1,024-char example limit
  const router = await FastProjectRouter.create({
    projects: [
      { name: 'a', description: 'apples and pears', examples: ['same text in both', huge, '?!?!', 'crisp apples'] },
      { name: 'b', description: 'boats and sails', examples: ['same text in both', 'sailing boats', '...'] },
    ],
    threshold: -1,
  });
  const report = await router.fit({ epochs: 5 });
  assert.equal(report.projects, 2);
  assert.ok(Number.isFinite(report.trainAccuracy));
  assert.equal(router.routeSync('auto', 'sailing boats').modelPath, 'default/b');
  assert.equal(router.routeSync('auto', 'crisp apples').modelPath, 'default/a');

  // too little data is a typed error with the reason, never a report with NaN accuracy
  const single = await FastProjectRouter.create({ projects: [{ name: 'only', description: 'the one project', examples: ['one example'] }] });
  await assert.rejects(single.fit(), (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_NOT_ENOUGH_EXAMPLES' && e.details?.['projects'] === 1);
  assert.equal(single.fitState, 'unfitted');
  assert.equal(await single.whenFitted(), null); // the default auto-fit does not start for one project
  assert.equal(single.routeSync('auto', 'one example').modelPath, 'default/only');
});
