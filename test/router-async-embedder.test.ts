import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter, HashEmbedder, isSwitchyardError, type Embedder } from '../src/index.js';
import { HELD_OUT_112, PROJECTS_112 } from './fixtures/projects-112.js';
import { AsyncHashEmbedder } from './helpers/async-embedder.js';

test('FastProjectRouter#route() – an async embedder gives the same routes as the sync one', async () => {
  const a = await FastProjectRouter.create({ projects: PROJECTS_112, embedder: new AsyncHashEmbedder() });
  const s = await FastProjectRouter.create({ projects: PROJECTS_112, embedder: new HashEmbedder() });
  for (const [p] of HELD_OUT_112.slice(0, 30)) {
    const [x, y] = await Promise.all([a.route('auto', p), s.route('auto', p)]);
    assert.equal(x.modelPath, y.modelPath);
    assert.deepEqual(x.candidates, y.candidates);
  }
});

test('FastProjectRouter#route() – concurrent async routes do not mix up their queries', async () => {
  const router = await FastProjectRouter.create({ projects: PROJECTS_112, embedder: new AsyncHashEmbedder() });
  const sync = await FastProjectRouter.create({ projects: PROJECTS_112 });
  const results = await Promise.all(HELD_OUT_112.map(([p]) => router.route('auto', p)));
  HELD_OUT_112.forEach(([p], i) => assert.equal(results[i]!.modelPath, sync.routeSync('auto', p).modelPath));
});

test('FastProjectRouter#routeSync() – with an async embedder throws ERR_SYNC_EMBEDDER_REQUIRED (misuse)', async () => {
  const router = await FastProjectRouter.create({ projects: PROJECTS_112.slice(0, 3), embedder: new AsyncHashEmbedder() });
  assert.throws(() => router.routeSync('auto', 'llama'), (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_SYNC_EMBEDDER_REQUIRED');
});

test('FastProjectRouter – a failing or malformed embedder surfaces as ERR_EMBEDDER_FAILED, registry unchanged', async () => {
  let mode: 'ok' | 'throw' | 'short' | 'nan' | 'count' = 'ok';
  const inner = new HashEmbedder({ dim: 16 });
  const flaky: Embedder = {
    id: 'flaky', dim: 16,
    async embed(texts) {
      const out = await inner.embed(texts);
      if (mode === 'throw') throw new Error('model crashed');
      if (mode === 'short') return out.map((v) => v.subarray(0, 8));
      if (mode === 'nan') return out.map((v) => { const c = v.slice(); c[0] = NaN; return c; });
      if (mode === 'count') return out.slice(1);
      return out;
    },
  };
  const router = await FastProjectRouter.create({ projects: [{ name: 'a', description: 'llama' }], embedder: flaky, threshold: 0 });
  for (const m of ['throw', 'short', 'nan', 'count'] as const) {
    mode = m;
    await assert.rejects(router.route('auto', 'llama'), (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_EMBEDDER_FAILED', m);
    await assert.rejects(router.upsertProject({ name: 'b', description: 'fish' }), (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_EMBEDDER_FAILED', m);
  }
  mode = 'ok';
  assert.equal(router.size, 1);
  assert.equal((await router.route('auto', 'llama')).modelPath, 'default/a');
});
