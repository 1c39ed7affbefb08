// FastProjectRouter#close(): idempotent; stops the refit timer (simulated time); lets a running
// fit end and refuses queued ones without an unhandled rejection; writes an embedding cache
// that holds unsaved changes (and only then); afterwards the working methods throw ERR_CLOSED.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FastProjectRouter, isSwitchyardError, type ProjectSpec } from '../src/index.js';
import { AsyncHashEmbedder } from './helpers/async-embedder.js';
import { noisyTopics } from './helpers/learn-data.js';

const isClosed = (e: unknown): boolean => isSwitchyardError(e) && e.code === 'ERR_CLOSED';
const base: ProjectSpec[] = [
  { name: 'llama-care', description: 'llama and alpaca husbandry', examples: ['my llama limps', 'alpaca shearing', 'llama diet'] },
  { name: 'code-helper', description: 'programming help: bugs, refactors, tests', examples: ['fix my bug', 'refactor this', 'write tests'] },
];

test('FastProjectRouter#close() – idempotent; afterwards route/upsert/fit/merge throw ERR_CLOSED, stats and state stay readable', async () => {
  const router = await FastProjectRouter.create({ projects: base, fit: false });
  const peer = await FastProjectRouter.create({ nodeId: 'peer', fit: false });
  const sent: unknown[] = [];
  peer.on('update:published', (m) => sent.push(m));
  await peer.upsertProject({ name: 'late', description: 'late project' });
  router.on('route:selected', () => undefined);
  const first = router.close();
  assert.equal(router.close(), first);
  await first;
  assert.equal(router.listenerCount('route:selected'), 0);
  assert.throws(() => router.routeSync('auto', 'llama'), isClosed);
  await assert.rejects(router.route('auto', 'llama'), isClosed);
  await assert.rejects(router.routeBatch([{ messages: 'llama' }]), isClosed);
  await assert.rejects(router.upsertProject({ name: 'x', description: 'y' }), isClosed);
  assert.throws(() => router.removeProject('default/llama-care'), isClosed);
  await assert.rejects(router.fit(), isClosed);
  assert.throws(() => router.handleRouteUpdate(sent[0]), isClosed);
  assert.throws(() => router.mergeState(peer.exportState()), isClosed);
  await assert.rejects(router.mergeStateAsync(peer.exportState()), isClosed);
  assert.equal(router.stats().projects, 2);
  assert.equal(router.size, 2);
  assert.deepEqual(router.exportState().entries, []);
  await router.close();
});

test('FastProjectRouter#close() – stops the debounced refit (simulated time): nothing fits afterwards', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { projects } = noisyTopics(6, 20, 1, 56);
    const router = await FastProjectRouter.create({ projects, threshold: -1, refitAfterMs: 5_000 });
    assert.equal((await router.whenFitted())?.kept, 'learned');
    await router.upsertProject({ ...noisyTopics(7, 20, 1, 57).projects[6]!, name: 'late' });
    assert.equal(router.stats().fit.pending, true);
    await router.close();
    assert.equal(router.stats().fit.pending, false);
    mock.timers.tick(1_000_000);
    assert.equal(router.stats().fit.pending, false);
    assert.equal(router.fitState, 'stale');
  } finally {
    mock.timers.reset();
  }
});

test('FastProjectRouter#close() – a running fit ends normally, a queued one is refused with ERR_CLOSED; no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => { unhandled.push(e); };
  process.on('unhandledRejection', onUnhandled);
  try {
    const router = await FastProjectRouter.create({ projects: base, fit: false });
    const running = router.fit({ worker: false, features: 'hashed' });
    const queued = router.fit({ worker: false, features: 'hashed' });
    // close while the first fit is between two epochs
    const closing = new Promise<void>((resolve) => { router.once('fit:progress', () => { void router.close().then(resolve); }); });
    const report = await running;
    assert.equal(report.projects, 2);
    await assert.rejects(queued, isClosed);
    await closing;
    assert.equal(router.fitState, 'fitted');
    assert.equal(await router.whenFitted(), null); // the last fit started was the refused one
    // an auto-fit running at close() ends without reporting anything
    const auto = await FastProjectRouter.create({ projects: base });
    const failed: unknown[] = [];
    auto.on('fit:failed', (e) => failed.push(e));
    await auto.close();
    assert.deepEqual(failed, []);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('FastProjectRouter#close() – writes the embedding cache only when it holds unsaved changes', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-router-close-'));
  try {
    const cachePath = path.join(dir, 'emb.bin');
    const clean = await FastProjectRouter.create({ projects: base, fit: false, cachePath });
    const saved = await stat(cachePath);
    await clean.close();
    assert.equal((await stat(cachePath)).ino, saved.ino, 'nothing changed: the file is not rewritten');

    // removeProject() does not save the cache by itself: close() does
    const router = await FastProjectRouter.create({ projects: base, fit: false, cachePath });
    assert.equal(router.removeProject('default/code-helper'), true);
    await router.close();
    const restarted = await FastProjectRouter.create({ projects: base, fit: false, cachePath });
    assert.deepEqual([restarted.stats().embeddingCache!.reused, restarted.stats().embeddingCache!.computed], [4, 4], 'the removed project\'s vectors left the file');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('FastProjectRouter#close() – a route update still being embedded when the router closes changes nothing', async () => {
  const router = await FastProjectRouter.create({ embedder: new AsyncHashEmbedder(), fit: false });
  const peer = await FastProjectRouter.create({ nodeId: 'peer', embedder: new AsyncHashEmbedder(), fit: false });
  const sent: unknown[] = [];
  peer.on('update:published', (m) => sent.push(m));
  await peer.upsertProject({ name: 'late', description: 'from a peer', examples: ['needs embedding here'] });
  const r = router.handleRouteUpdate(sent[0]);
  assert.equal(r.applied, true);
  assert.ok(r.indexed, 'the example must be embedded asynchronously');
  await router.close();
  await r.indexed;
  assert.equal(router.size, 0);
  assert.equal(router.exportState().entries.length, 1, 'the table took the update; only the index stays as it was');
});
