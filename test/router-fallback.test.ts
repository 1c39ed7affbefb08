import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter } from '../src/index.js';
import { PROJECTS_112 } from './fixtures/projects-112.js';

test('FastProjectRouter – below the threshold routes to defaultProject with the best score and a reason', async () => {
  const router = await FastProjectRouter.create({ projects: PROJECTS_112, defaultProject: 'demo/python-help', threshold: 0.9 });
  const r = router.routeSync('auto', 'my llama is limping on the pasture');
  assert.equal(r.method, 'fallback');
  assert.equal(r.modelPath, 'demo/python-help');
  assert.equal(r.candidates[0]!.modelPath, 'demo/llama-care');
  assert.equal(r.score, r.candidates[0]!.score);
  assert.ok(r.reasons.some((x) => x.includes('below threshold 0.9')), r.reasons.join(' | '));
  assert.ok(r.reasons.includes("fallback to default project 'demo/python-help'"));
});

test('FastProjectRouter – without defaultProject a fallback has modelPath null; stopword-only and empty prompts fall back', async () => {
  const router = await FastProjectRouter.create({ projects: PROJECTS_112 });
  for (const prompt of ['what is the', '', '   ', '?!', [{ role: 'user', content: '' }]] as const) {
    const r = router.routeSync('auto', prompt as never);
    assert.equal(r.method, 'fallback', JSON.stringify(prompt));
    assert.equal(r.modelPath, null);
    assert.equal(r.project, null);
    assert.ok(r.reasons.includes('fallback: no default project configured'));
  }
});

test('FastProjectRouter – an empty registry falls back; defaultProject must name a project', async () => {
  const empty = await FastProjectRouter.create();
  const r = empty.routeSync('auto', 'anything at all');
  assert.equal(r.method, 'fallback');
  assert.ok(r.reasons.includes('no projects registered'));
  await assert.rejects(FastProjectRouter.create({ projects: PROJECTS_112, defaultProject: 'demo/nope' }), { code: 'ERR_INVALID_OPTION' });
});

test('FastProjectRouter – removing the default project makes fallbacks return null, with a reason', async () => {
  const router = await FastProjectRouter.create({ projects: PROJECTS_112, defaultProject: 'demo/python-help', threshold: 5 });
  assert.equal(router.routeSync('auto', 'llama').modelPath, 'demo/python-help');
  router.removeProject('demo/python-help');
  const r = router.routeSync('auto', 'llama');
  assert.equal(r.modelPath, null);
  assert.equal(r.method, 'fallback');
});

test('FastProjectRouter – a regex pattern decides outright (method keyword, no embedding needed)', async () => {
  const router = await FastProjectRouter.create({
    projects: [
      { name: 'tickets', patterns: ['\\bJIRA-\\d+\\b'], description: 'issue tracker' },
      { name: 'llama', description: 'llama husbandry llama llama' },
    ],
  });
  const r = router.routeSync('auto', 'my llama llama husbandry question about jira-123');
  assert.equal(r.modelPath, 'default/tickets');
  assert.equal(r.method, 'keyword');
  assert.equal(r.score, 1);
  assert.ok(r.reasons[0]!.startsWith('pattern /\\bJIRA-\\d+\\b/iu matched'), r.reasons[0]);
});
