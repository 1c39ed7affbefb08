// Names renamed before 1.0 keep working until 0.3.0: the old router events still fire beside the
// new ones (cache:error, update:outbound, fit:error), and the `now` option still sets the wall clock.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FastProjectRouter, isSwitchyardError, type ProjectSpec } from '../src/index.js';

const withExamples = (name: string, words: string): ProjectSpec => ({ name, description: `${name}: ${words}`, examples: words.split(' ').map((w) => `${w} ${name}`) });

test('FastProjectRouter – deprecated events update:outbound and cache:error fire with the same payload as update:published and cache:failed', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-deprecated-'));
  try {
    await writeFile(path.join(dir, 'file'), 'x');
    const router = await FastProjectRouter.create({ fit: false, cachePath: path.join(dir, 'file', 'emb.bin') }); // saves fail: ENOTDIR
    const seen: [string, unknown][] = [];
    for (const name of ['update:published', 'update:outbound', 'cache:failed', 'cache:error'] as const) router.on(name, (x: unknown) => seen.push([name, x]));
    await router.upsertProject({ name: 'x', description: 'y' });
    assert.deepEqual(seen.map(([n]) => n), ['update:published', 'update:outbound', 'cache:failed', 'cache:error']);
    assert.equal(seen[0]![1], seen[1]![1]);
    assert.equal(seen[2]![1], seen[3]![1]);
    assert.ok(isSwitchyardError(seen[2]![1]) && seen[2]![1].code === 'ERR_CACHE_IO');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('FastProjectRouter – deprecated event fit:error fires beside fit:failed when a background refit fails', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const router = await FastProjectRouter.create({ projects: [withExamples('a', 'alpha apple amber'), withExamples('b', 'beta bread brick'), withExamples('c', 'gamma cider coal')], refitAfterMs: 1_000 });
    await router.whenFitted();
    const seen: [string, unknown][] = [];
    router.on('fit:failed', (e) => seen.push(['fit:failed', e]));
    router.on('fit:error', (e) => seen.push(['fit:error', e]));
    const blocking = router.fit({ worker: false, features: 'hashed' }); // holds the fit queue
    await router.upsertProject(withExamples('d', 'delta dune dust'));
    mock.timers.tick(1_000); // the refit is queued behind the running fit ...
    for (const p of ['default/b', 'default/c', 'default/d']) router.removeProject(p); // ... and finds one project when it starts
    await blocking;
    assert.equal(await router.whenFitted(), null);
    assert.deepEqual(seen.map(([n]) => n), ['fit:failed', 'fit:error']);
    assert.equal(seen[0]![1], seen[1]![1]);
    assert.ok(isSwitchyardError(seen[0]![1]) && seen[0]![1].code === 'ERR_NOT_ENOUGH_EXAMPLES');
  } finally {
    mock.timers.reset();
  }
});

test('FastProjectRouter.create() – deprecated option `now` still sets the wall clock; `now` with `wallClock` is ERR_INVALID_OPTION', async () => {
  const T = 1_700_000_000_000;
  const viaAlias = await FastProjectRouter.create({ fit: false, now: () => T });
  const viaNew = await FastProjectRouter.create({ fit: false, wallClock: () => T });
  const stamps: number[] = [];
  for (const r of [viaAlias, viaNew]) {
    r.on('update:published', (m) => stamps.push(m.timestamp));
    await r.upsertProject({ name: 'x', description: 'y' });
  }
  assert.deepEqual(stamps, [T, T]);
  await assert.rejects(FastProjectRouter.create({ now: () => T, wallClock: () => T }), (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_INVALID_OPTION' && /wallClock/.test(e.message));
  await assert.rejects(FastProjectRouter.create({ now: 3 as never }), (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_INVALID_OPTION' && /`now`/.test(e.message));
});
