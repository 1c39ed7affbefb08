// The default path: create({ projects }) fits in the background (fit: 'auto'), adopts the
// learned rows only where they route the held-out slice better, calibrates the out-of-scope
// threshold, refits after registry changes; fit: false and registries the fit cannot judge
// route exactly as the unfitted router.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { FastProjectRouter, type ProjectSpec } from '../src/index.js';
import { HELD_OUT_112, PROJECTS_112 } from './fixtures/projects-112.js';
import { accuracy, noisyTopics } from './helpers/learn-data.js';
import { prng } from './helpers/random.js';

const candidates = (r: FastProjectRouter, prompts: readonly string[]): string => JSON.stringify(prompts.map((p) => r.routeSync('auto', p).candidates));

test('fit: "auto" (default) – adopts the learned rows on a set where they route the held-out slice better', async () => {
  const { projects, queries } = noisyTopics(8, 30, 5, 51);
  const router = await FastProjectRouter.create({ projects, threshold: -1 });
  const unfitted = await FastProjectRouter.create({ projects, threshold: -1, fit: false });
  const report = await router.whenFitted();
  assert.ok(report);
  assert.equal(report.kept, 'learned');
  assert.equal(report.keptReason, undefined);
  assert.ok(report.comparedProbes > 0);
  assert.ok(report.learnedProbeAccuracy > report.unfittedProbeAccuracy, `${report.learnedProbeAccuracy} vs ${report.unfittedProbeAccuracy}`);
  assert.equal(router.fitState, 'fitted');
  assert.deepEqual([router.stats().fit.kept, router.stats().fit.learnedProjects, router.stats().rows], ['learned', 8, 8]);
  const route = (r: FastProjectRouter) => (p: string) => r.routeSync('auto', p).modelPath;
  assert.ok(accuracy(route(router), queries) > accuracy(route(unfitted), queries));
});

test('fit: "auto" – keeps the unfitted rows where fitting cannot be shown to help: one example per project, or no gain on the held-out slice', async () => {
  // one example per project: no held-out slice to judge on
  const { projects, queries } = noisyTopics(8, 1, 3, 52);
  const router = await FastProjectRouter.create({ projects });
  const plain = await FastProjectRouter.create({ projects, fit: false });
  const report = await router.whenFitted();
  assert.deepEqual([report?.kept, report?.keptReason, report?.projects], ['unfitted', 'no-held-out', 0]);
  // nothing to judge a fit on: decided without training (no worker, no CPU)
  assert.deepEqual([report?.ranIn, report?.epochs], ['skipped', 0]);
  assert.equal(router.fitState, 'unfitted');
  assert.deepEqual(router.stats().fit, { ...router.stats().fit, kept: 'unfitted', keptReason: 'no-held-out', learnedProjects: 0, features: undefined, threshold: 0.2 });
  const prompts = queries.map(([, p]) => p);
  assert.equal(candidates(router, prompts), candidates(plain, prompts));
  // examples that repeat: the unfitted rows already route every held-out example right, so the learned rows cannot be better
  const rnd = prng(53);
  const word = (): string => Array.from({ length: 7 }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join('');
  const repeated: ProjectSpec[] = Array.from({ length: 6 }, (_, i) => {
    const a = `${word()} ${word()} ${word()}`;
    const b = `${word()} ${word()} ${word()}`;
    return { namespace: 'rep', name: `p${i}`, description: word(), examples: [a, b, a, b, a, b, a, b] };
  });
  const rep = await FastProjectRouter.create({ projects: repeated });
  const r2 = await rep.whenFitted();
  assert.deepEqual([r2?.kept, r2?.keptReason], ['unfitted', 'not-better']);
  assert.equal(r2?.unfittedProbeAccuracy, 1);
});

test('fit: "auto" – routing during the background fit always sees a complete matrix', async () => {
  const { projects, queries } = noisyTopics(12, 40, 2, 54);
  const router = await FastProjectRouter.create({ projects, threshold: -1 });
  const unfittedRows = router.stats().rows;
  assert.equal(unfittedRows, 12 * 41);
  let done = false;
  const fitted = router.whenFitted().finally(() => { done = true; });
  let routed = 0;
  const seen = new Set<number>();
  while (!done) {
    for (const [, p] of queries.slice(0, 6)) {
      const r = router.routeSync('auto', p);
      assert.equal(r.candidates.length, 5);
      assert.equal(new Set(r.candidates.map((c) => c.modelPath)).size, 5);
      assert.ok(r.candidates.every((c) => router.getProject(c.modelPath) !== undefined));
      routed++;
    }
    const rows = router.stats().rows;
    seen.add(rows);
    assert.ok(rows === unfittedRows || rows === 12, `rows ${rows}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const report = await fitted;
  assert.equal(report?.kept, 'learned');
  assert.ok(routed > 6, `routed ${routed} times during the fit`);
  assert.ok(seen.has(unfittedRows), 'create() returned before the fit finished');
  assert.equal(router.stats().rows, 12);
});

test('fit: false – routes exactly as 0.1.0 did (results recorded from main at ccaf630 in test/fixtures/unfitted-routes-0.1.0.json)', async () => {
  const golden = JSON.parse(await readFile(new URL('./fixtures/unfitted-routes-0.1.0.json', import.meta.url), 'utf8')) as Record<string, unknown[]>;
  const syn = noisyTopics(12, 25, 4, 77);
  const sets = [
    ['projects-112', PROJECTS_112, HELD_OUT_112.map(([p]) => p), undefined],
    ['noisy-12x25', syn.projects, syn.queries.map(([, p]) => p), 'syn/topic-0'],
  ] as const;
  for (const [name, projects, prompts, defaultProject] of sets) {
    const router = await FastProjectRouter.create({ projects, fit: false, ...(defaultProject ? { defaultProject } : {}) });
    assert.equal(await router.whenFitted(), null);
    const got = prompts.map((p) => { const x = router.routeSync('auto', p); return { modelPath: x.modelPath, method: x.method, score: x.score, candidates: x.candidates, reasons: x.reasons }; });
    assert.deepEqual(got, golden[name], name);
  }
});

test('the 112-project registry: without examples nothing is fitted; with its two examples per project the auto-fit keeps the unfitted rows — routes identical to fit: false', async () => {
  const prompts = HELD_OUT_112.map(([p]) => p);
  const bare = PROJECTS_112.map(({ examples: _examples, ...p }) => p);
  for (const projects of [bare, PROJECTS_112]) {
    const router = await FastProjectRouter.create({ projects });
    const plain = await FastProjectRouter.create({ projects, fit: false });
    const report = await router.whenFitted();
    if (projects === bare) assert.equal(report, null);
    else assert.deepEqual([report?.kept, report?.keptReason, report?.ranIn], ['unfitted', 'no-held-out', 'skipped']);
    assert.equal(candidates(router, prompts), candidates(plain, prompts));
    assert.deepEqual(prompts.map((p) => router.routeSync('auto', p).reasons), prompts.map((p) => plain.routeSync('auto', p).reasons));
  }
  // a set where fitting hurts: forced learned rows route fewer held-out prompts right than the kept unfitted rows
  const right = (r: FastProjectRouter): number => HELD_OUT_112.filter(([p, want]) => r.routeSync('auto', p).modelPath === want).length;
  const kept = await FastProjectRouter.create({ projects: PROJECTS_112 });
  await kept.whenFitted();
  const forced = await FastProjectRouter.create({ projects: PROJECTS_112, fit: { adopt: 'always' } });
  assert.ok(right(forced) < right(kept), `forced ${right(forced)} vs kept ${right(kept)}`);
});

test('refitAfterMs – an upsert makes the router stale; the debounced background refit (simulated time) makes it fitted again', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { projects } = noisyTopics(6, 20, 1, 56);
    const router = await FastProjectRouter.create({ projects, threshold: -1, refitAfterMs: 5_000 });
    assert.equal((await router.whenFitted())?.kept, 'learned');
    const extra = noisyTopics(7, 20, 1, 57).projects[6]!;
    await router.upsertProject({ ...extra, name: 'late' });
    assert.equal(router.fitState, 'stale');
    assert.equal(router.stats().fit.pending, true);
    await router.upsertProject({ ...extra, name: 'later' }); // debounced: one refit for both
    mock.timers.tick(4_999);
    assert.equal(router.fitState, 'stale');
    mock.timers.tick(1);
    const report = await router.whenFitted();
    assert.equal(report?.kept, 'learned');
    assert.equal(report?.projects, 8);
    assert.equal(router.fitState, 'fitted');
    assert.equal(router.stats().fit.pending, false);
    // refitAfterMs: false never refits
    const off = await FastProjectRouter.create({ projects, threshold: -1, refitAfterMs: false });
    await off.whenFitted();
    await off.upsertProject({ ...extra, name: 'late' });
    mock.timers.tick(1_000_000);
    assert.equal(off.fitState, 'stale');
    assert.equal(off.stats().fit.pending, false);
  } finally {
    mock.timers.reset();
  }
});

test('calibrated threshold – out-of-scope probes go to the default project; in-scope queries still route; an explicit threshold is never replaced', async () => {
  const { projects, queries } = noisyTopics(10, 40, 6, 58);
  const all: ProjectSpec[] = [...projects, { namespace: 'syn', name: 'fallback', description: 'anything else' }];
  const router = await FastProjectRouter.create({ projects: all, defaultProject: 'syn/fallback' });
  const report = await router.whenFitted();
  assert.equal(report?.kept, 'learned');
  assert.ok(report?.threshold !== undefined && report.threshold > 0.2, `threshold ${report?.threshold}`);
  assert.equal(router.stats().fit.threshold, report.threshold);
  const rnd = prng(59);
  const word = (): string => Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join('');
  const probes = Array.from({ length: 40 }, () => `${word()} ${word()} ${word()}`);
  const caught = probes.filter((p) => { const r = router.routeSync('auto', p); return r.modelPath === 'syn/fallback' && r.method === 'fallback'; }).length;
  assert.ok(caught >= 36, `out-of-scope probes caught ${caught}/40`);
  const inScope = accuracy((p) => router.routeSync('auto', p).modelPath, queries);
  assert.ok(inScope >= 0.8, `in-scope accuracy ${inScope}`);
  const fixed = await FastProjectRouter.create({ projects: all, defaultProject: 'syn/fallback', threshold: 0.05 });
  const r2 = await fixed.whenFitted();
  assert.equal(r2?.threshold, undefined);
  assert.equal(fixed.stats().fit.threshold, 0.05);
});
