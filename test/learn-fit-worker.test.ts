// The fit runs in a worker thread both from the TypeScript sources (tests run through tsx:
// the worker registers tsx itself) and from the built package (dist/learn/fit-worker.js);
// `worker: false` trains on the event loop in slices. All three give the same rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { FastProjectRouter } from '../src/index.js';
import { noisyTopics } from './helpers/learn-data.js';

const dist = new URL('../dist/index.js', import.meta.url);
const { projects, queries } = noisyTopics(6, 20, 3, 61);
const scores = (r: { routeSync(m: string, p: string): { candidates: readonly unknown[] } }): string => JSON.stringify(queries.map(([, p]) => r.routeSync('auto', p).candidates));

test('fit() – in a worker from the .ts sources, on the event loop with worker: false; same rows either way', async () => {
  const a = await FastProjectRouter.create({ projects, threshold: -1, fit: false });
  const ra = await a.fit();
  assert.equal(ra.ranIn, 'worker');
  const b = await FastProjectRouter.create({ projects, threshold: -1, fit: false });
  const rb = await b.fit({ worker: false });
  assert.equal(rb.ranIn, 'thread');
  assert.equal(scores(a), scores(b));
});

test('fit() – in a worker from the built package (dist/learn/fit-worker.js)', { skip: !existsSync(dist) && 'dist/ not built (npm test builds it first)' }, async () => {
  const mod = (await import(dist.href)) as typeof import('../src/index.js');
  assert.ok(existsSync(new URL('../dist/learn/fit-worker.js', import.meta.url)));
  const router = await mod.FastProjectRouter.create({ projects, threshold: -1 });
  const report = await router.whenFitted();
  assert.equal(report?.ranIn, 'worker');
  assert.equal(report?.kept, 'learned');
  const src = await FastProjectRouter.create({ projects, threshold: -1, fit: { adopt: 'auto' } });
  assert.equal(scores(router), scores(src));
});
