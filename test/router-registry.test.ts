import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter, isSwitchyardError, type Project } from '../src/index.js';
import { PROJECTS_112 } from './fixtures/projects-112.js';
import { prng } from './helpers/random.js';

function snapshot(router: FastProjectRouter): string {
  const probes = ['llama hay', 'python error', 'tax deduction', 'solar panels', 'guitar chords'];
  return JSON.stringify({
    projects: router.projects().map((p) => p.modelPath).sort(),
    routes: probes.map((q) => { const r = router.routeSync('auto', q); return [r.modelPath, r.score]; }),
    stats: { rows: router.stats().rows, projects: router.stats().projects },
  });
}

test('FastProjectRouter#upsertProject() – add, update (replaces rows and keywords), events', async () => {
  const router = await FastProjectRouter.create({ projects: PROJECTS_112.slice(0, 10), threshold: 0 });
  const events: string[] = [];
  router.on('project:upserted', (e) => events.push(`${e.action}:${e.project.modelPath}`));
  router.on('project:removed', (e) => events.push(`remove:${e.modelPath}`));
  await router.upsertProject({ name: 'quantum', description: 'quantum computing qubits', keywords: ['qubit'] });
  assert.equal(router.routeSync('auto', 'how many qubits').modelPath, 'default/quantum');
  const rowsBefore = router.stats().rows;
  await router.upsertProject({ name: 'quantum', description: 'sourdough bread baking', examples: ['bake bread', 'proof dough'] });
  assert.equal(router.stats().rows, rowsBefore + 2);
  assert.notEqual(router.routeSync('auto', 'how many qubits').modelPath, 'default/quantum'); // old keyword gone
  assert.equal(router.routeSync('auto', 'sourdough bread baking').modelPath, 'default/quantum');
  assert.equal(router.removeProject('default/quantum'), true);
  assert.equal(router.removeProject('default/quantum'), false);
  assert.deepEqual(events, ['add:default/quantum', 'update:default/quantum', 'remove:default/quantum']);
});

test('FastProjectRouter – random add/update/remove churn keeps routing equal to a router built from scratch', async () => {
  const rnd = prng(7);
  const router = await FastProjectRouter.create({ threshold: -1 });
  const live = new Map<string, (typeof PROJECTS_112)[number]>();
  for (let step = 0; step < 400; step++) {
    const spec = PROJECTS_112[Math.floor(rnd() * PROJECTS_112.length)]!;
    const path = `demo/${spec.name}`;
    if (rnd() < 0.35 && live.has(path)) {
      router.removeProject(path);
      live.delete(path);
    } else {
      const variant = rnd() < 0.5 ? spec : { ...spec, examples: spec.examples!.slice(0, 1) };
      await router.upsertProject(variant);
      live.set(path, variant);
    }
  }
  const fresh = await FastProjectRouter.create({ projects: [...live.values()], threshold: -1 });
  assert.equal(router.size, live.size);
  assert.equal(router.stats().rows, fresh.stats().rows);
  for (const p of PROJECTS_112) {
    for (const q of [p.description!, p.examples![0]!]) {
      const a = router.routeSync('auto', q), b = fresh.routeSync('auto', q);
      assert.equal(a.modelPath, b.modelPath, q);
      assert.deepEqual(a.candidates, b.candidates, q);
    }
  }
});

test('FastProjectRouter – invalid or conflicting projects are rejected atomically (registry unchanged)', async () => {
  const router = await FastProjectRouter.create({ projects: [...PROJECTS_112.slice(0, 20), { name: 'aliased', aliases: ['taken'] }] });
  const before = snapshot(router);
  const bad: [unknown, string][] = [
    [{ name: 'x', aliases: ['demo/llama-care'] }, 'ERR_DUPLICATE_PROJECT'],
    [{ name: 'x', aliases: ['taken'] }, 'ERR_DUPLICATE_PROJECT'],
    [{ name: 'bad name with spaces' }, 'ERR_INVALID_PROJECT'],
    [{ name: '' }, 'ERR_INVALID_PROJECT'],
    [{ name: 'x', keywords: 'llama' }, 'ERR_INVALID_PROJECT'],
    [{ name: 'x', examples: [1, 2] }, 'ERR_INVALID_PROJECT'],
    [{ name: 'x', patterns: ['(unclosed'] }, 'ERR_INVALID_PROJECT'],
    [{ name: 'x', description: 'd'.repeat(100_000) }, 'ERR_INVALID_PROJECT'],
    [{ name: 'x', aliases: ['auto'] }, 'ERR_INVALID_PROJECT'],
    [{ name: 'x', embedding: [1, 2, 3] }, 'ERR_INVALID_EMBEDDING'],
    [{ name: 'x', embedding: Array.from({ length: 384 }, (_, i) => (i === 3 ? NaN : 0.1)) }, 'ERR_INVALID_EMBEDDING'],
    [{ name: 'x', embedding: Array.from({ length: 384 }, () => 1e39) }, 'ERR_INVALID_EMBEDDING'],
    [{ name: 'x', embedding: new Array(384).fill(0) }, 'ERR_INVALID_EMBEDDING'],
    [JSON.parse('{"name":"x","__proto__":{"polluted":true}}'), 'ERR_INVALID_PROJECT'],
    [null, 'ERR_INVALID_PROJECT'],
    ['llama', 'ERR_INVALID_PROJECT'],
  ];
  for (const [spec, code] of bad) {
    await assert.rejects(router.upsertProject(spec as never), (e: unknown) => isSwitchyardError(e) && e.code === code, JSON.stringify(spec)?.slice(0, 80));
  }
  assert.equal(snapshot(router), before);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('FastProjectRouter.create() – duplicate model paths or aliases are ERR_DUPLICATE_PROJECT', async () => {
  await assert.rejects(FastProjectRouter.create({ projects: [{ name: 'a' }, { name: 'a' }] }), { code: 'ERR_DUPLICATE_PROJECT' });
  await assert.rejects(FastProjectRouter.create({ projects: [{ name: 'a', aliases: ['z'] }, { name: 'b', aliases: ['z'] }] }), { code: 'ERR_DUPLICATE_PROJECT' });
  await assert.rejects(FastProjectRouter.create({ projects: [{ name: 'a' }, { name: 'b', aliases: ['default/a'] }] }), { code: 'ERR_DUPLICATE_PROJECT' });
});

test('FastProjectRouter – a precomputed embedding is used as the main row', async () => {
  const router = await FastProjectRouter.create({ projects: [{ name: 'target', description: 'unrelated words entirely' }, { name: 'other', description: 'hay' }], threshold: 0 });
  const q = (await router.embedder.embed(['llama hay pasture']))[0]!;
  await router.upsertProject({ name: 'target', embedding: Array.from(q, (x) => x * 3) }); // scale is normalised away
  const r = router.routeSync('auto', 'llama hay pasture');
  assert.equal(r.modelPath, 'default/target');
  assert.ok(Math.abs(r.score - 1) < 1e-3);
  const stored: Project | undefined = router.getProject('default/target');
  assert.equal(stored?.hasEmbedding, true);
});
