import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter, type RouteRequest, type RouteResult } from '../src/index.js';
import { HELD_OUT_112, PROJECTS_112 } from './fixtures/projects-112.js';
import { AsyncHashEmbedder } from './helpers/async-embedder.js';

function strip(r: RouteResult): unknown {
  return { modelPath: r.modelPath, method: r.method, score: r.score, candidates: r.candidates, reasons: r.reasons };
}

test('FastProjectRouter#routeBatch() – equals routeSync per request for every kernel and precision (incl. explicit, invalid, pattern)', async () => {
  const requests: RouteRequest[] = [
    ...HELD_OUT_112.slice(0, 37).map(([p]) => ({ model: 'auto', messages: p })),
    { model: 'demo/llama-care', messages: 'python' },
    { model: 'auto', messages: 42 as never },
    { model: 'auto', messages: '' },
    { messages: [{ role: 'user' as const, content: 'order ticket JIRA-9' }] },
  ];
  const projects = [...PROJECTS_112, { name: 'tickets', patterns: ['jira-\\d+'] }];
  for (const precision of ['f32', 'int8'] as const) {
    for (const kernel of ['wasm', 'js'] as const) {
      const router = await FastProjectRouter.create({ projects, precision, kernel });
      const batch = await router.routeBatch(requests);
      assert.equal(batch.length, requests.length);
      requests.forEach((req, i) => assert.deepEqual(strip(batch[i]!), strip(router.routeSync(req.model, req.messages)), `${precision}/${kernel} #${i}`));
    }
  }
});

test('FastProjectRouter#routeBatch() – an async embedder is called once for the whole batch', async () => {
  const embedder = new AsyncHashEmbedder();
  const router = await FastProjectRouter.create({ projects: PROJECTS_112, embedder });
  const sync = await FastProjectRouter.create({ projects: PROJECTS_112 });
  const before = embedder.calls;
  const batch = await router.routeBatch(HELD_OUT_112.map(([p]) => ({ model: 'auto', messages: p })));
  assert.equal(embedder.calls, before + 1);
  HELD_OUT_112.forEach(([p], i) => assert.equal(batch[i]!.modelPath, sync.routeSync('auto', p).modelPath));
  assert.deepEqual(await router.routeBatch([]), []);
  await assert.rejects(router.routeBatch('nope' as never), { code: 'ERR_INVALID_MESSAGES' });
});
