// FastProjectRouter#fit({ feedback }) – chosen routes become positive examples, rejected ones
// (without a chosen route) negative ones; records come from an array or an async iterable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter, type FitFeedbackRecord } from '../src/index.js';

const projects = [
  { name: 'garden', description: 'gardening: plants, soil, pruning', examples: ['when to prune roses', 'best soil for tomatoes', 'repotting a fern'] },
  { name: 'kitchen', description: 'cooking: recipes, baking, knives', examples: ['how to bake bread', 'sharpen a chef knife', 'a quick pasta recipe'] },
  { name: 'travel', description: 'travel: flights, hotels, visas', examples: ['cheap flights to rome', 'do I need a visa', 'book a hotel'] },
];
const prompt = 'herb pots on the balcony';

test('FastProjectRouter#fit({ feedback }) – a chosen project learned from feedback wins the prompt', async () => {
  const router = await FastProjectRouter.create({ projects, threshold: -1, fit: false });
  await router.fit({ seed: 3 });
  const before = router.routeSync('auto', prompt).candidates;
  const target = before[before.length > 1 ? 1 : 0]!.modelPath === 'default/kitchen' ? 'default/kitchen' : 'default/travel';
  const feedback: FitFeedbackRecord[] = Array.from({ length: 5 }, () => ({ prompt, chosen: target }));
  async function* stream(): AsyncGenerator<FitFeedbackRecord> { yield* feedback; }
  const report = await router.fit({ seed: 3, feedback: stream() });
  assert.equal(report.feedbackUsed, 5);
  assert.equal(router.routeSync('auto', prompt).modelPath, target);
});

test('FastProjectRouter#fit({ feedback }) – a rejected project loses score on the prompt', async () => {
  const router = await FastProjectRouter.create({ projects, threshold: -1, topK: 3, fit: false });
  await router.fit({ seed: 3 });
  const scoreOf = (p: string): number => router.routeSync('auto', prompt).candidates.find((c) => c.modelPath === p)!.score;
  const winner = router.routeSync('auto', prompt).modelPath!;
  const before = scoreOf(winner);
  await router.fit({ seed: 3, feedback: Array.from({ length: 5 }, () => ({ prompt, rejected: winner })) });
  assert.ok(scoreOf(winner) < before, `${scoreOf(winner)} !< ${before}`);
});
