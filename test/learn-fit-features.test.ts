// FitOptions.features – the learned head reads its own hashed space, the embedder's vectors,
// or both concatenated ('hybrid'); hybrid works with asynchronous embedders (route() embeds
// the query and hashes it, one pass over the head).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { FastProjectRouter, type Embedder } from '../src/index.js';
import { TransformersEmbedder } from '../src/embed/transformers-embedder.js';
import { AsyncHashEmbedder } from './helpers/async-embedder.js';
import { accuracy, noisyTopics } from './helpers/learn-data.js';
import { makeTinyMiniLm } from './helpers/tiny-minilm.js';

async function routeAccuracy(router: FastProjectRouter, queries: readonly [string, string][]): Promise<number> {
  let ok = 0;
  for (const [want, prompt] of queries) if ((await router.route('auto', prompt)).modelPath === want) ok++;
  return ok / queries.length;
}

for (const features of ['hashed', 'embedder', 'hybrid'] as const) {
  test(`FastProjectRouter#fit({ features: '${features}' }) – an async embedder: one learned row per project, beats the unfitted rows`, async () => {
    const { projects, queries } = noisyTopics(8, 20, 6, 31);
    const embedder = new AsyncHashEmbedder();
    const router = await FastProjectRouter.create({ projects, embedder, threshold: -1, fit: false });
    const unfitted = await routeAccuracy(router, queries);
    const calls = embedder.calls;
    const report = await router.fit({ features });
    assert.equal(report.features, features);
    assert.equal(report.kept, 'learned');
    assert.equal(router.stats().rows, 8);
    assert.equal(router.stats().fit.features, features);
    const fitted = await routeAccuracy(router, queries);
    assert.ok(fitted > unfitted, `fitted ${fitted} vs unfitted ${unfitted}`);
    // 'hashed' needs no embedder call once every project is fitted; the others embed each query
    const perQuery = (embedder.calls - calls) / queries.length;
    if (features === 'hashed') assert.equal(embedder.calls, calls);
    else assert.ok(perQuery >= 1, `embedder calls per query ${perQuery}`);
    // routeBatch scores the head the same way as route()
    const batch = await router.routeBatch(queries.map(([, p]) => ({ model: 'auto', messages: p })));
    const single = await Promise.all(queries.map(([, p]) => router.route('auto', p)));
    assert.deepEqual(batch.map((r) => r.candidates), single.map((r) => r.candidates));
  });
}

test('FastProjectRouter#fit({ features: "hybrid" }) – with a (tiny, generated) MiniLM through TransformersEmbedder', async (t) => {
  const { root, modelDir } = await makeTinyMiniLm();
  let embedder: Embedder;
  try {
    embedder = new TransformersEmbedder({ modelPath: modelDir });
    await embedder.embed(['probe']);
  } catch (e) {
    await rm(root, { recursive: true, force: true });
    t.skip(`no ONNX runtime here: ${(e as Error).message}`);
    return;
  }
  try {
    const { projects, queries } = noisyTopics(6, 15, 5, 41);
    const router = await FastProjectRouter.create({ projects, embedder, threshold: -1, fit: false });
    const report = await router.fit({ features: 'hybrid' });
    assert.equal(report.kept, 'learned');
    assert.equal(router.stats().rows, 6);
    const acc = await routeAccuracy(router, queries);
    assert.ok(acc >= 0.8, `hybrid accuracy ${acc}`);
    assert.throws(() => router.routeSync('auto', 'x'), /synchronous embedder/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('FastProjectRouter#fit() – a synchronous router keeps routeSync() with every feature source', async () => {
  const { projects, queries } = noisyTopics(6, 15, 5, 43);
  for (const features of ['hashed', 'embedder', 'hybrid'] as const) {
    const router = await FastProjectRouter.create({ projects, threshold: -1, fit: { features } });
    assert.equal(router.fitState, 'fitted');
    assert.ok(accuracy((p) => router.routeSync('auto', p).modelPath, queries) >= 0.8, features);
  }
});
