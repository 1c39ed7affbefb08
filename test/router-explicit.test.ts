import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter } from '../src/index.js';
import { AsyncHashEmbedder } from './helpers/async-embedder.js';

const projects = [
  { namespace: 'zoo', name: 'llama-care', aliases: ['llama', 'gpt-llama'], description: 'llama husbandry' },
  { name: 'coder', description: 'programming help' },
];

test('FastProjectRouter#routeSync() – exact model path and aliases route explicitly without embedding', async () => {
  const router = await FastProjectRouter.create({ projects });
  for (const [model, path, reason] of [
    ['zoo/llama-care', 'zoo/llama-care', "explicit model 'zoo/llama-care'"],
    ['llama', 'zoo/llama-care', "explicit alias 'llama' of 'zoo/llama-care'"],
    ['gpt-llama', 'zoo/llama-care', "explicit alias 'gpt-llama' of 'zoo/llama-care'"],
    ['default/coder', 'default/coder', "explicit model 'default/coder'"],
  ] as const) {
    const r = router.routeSync(model, 'please write python code'); // content says otherwise: explicit wins
    assert.equal(r.method, 'explicit');
    assert.equal(r.modelPath, path);
    assert.equal(r.project?.modelPath, path);
    assert.equal(r.score, 1);
    assert.deepEqual(r.reasons, [reason]);
  }
});

test('FastProjectRouter#route() – explicit routing never calls an async embedder', async () => {
  const embedder = new AsyncHashEmbedder();
  const router = await FastProjectRouter.create({ projects, embedder });
  const callsAfterCreate = embedder.calls;
  const r = await router.route('llama', [{ role: 'user', content: 'hello' }]);
  assert.equal(r.modelPath, 'zoo/llama-care');
  assert.equal(embedder.calls, callsAfterCreate);
  // and routeSync works for explicit models even with an async embedder
  assert.equal(router.routeSync('default/coder', 'x').method, 'explicit');
});

test('FastProjectRouter – unknown models and "auto" route by content, never throw; names are case-sensitive', async () => {
  const router = await FastProjectRouter.create({ projects, threshold: 0 });
  for (const model of ['auto', 'AUTO', 'Llama', 'zoo/llama-care ', 'gpt-4o', '', undefined, '__proto__', 'constructor', 'toString']) {
    const r = router.routeSync(model, 'my llama needs husbandry advice');
    assert.notEqual(r.method, 'explicit', String(model));
    assert.equal(r.modelPath, 'zoo/llama-care');
  }
});
