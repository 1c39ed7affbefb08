import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RequestClassifier, type ClassifiableRequest } from '../src/index.js';
import { ambiguous, ask } from './helpers/classify.js';

const heavy = (extra: Partial<ClassifiableRequest>): ClassifiableRequest =>
  ({ messages: [{ role: 'user', content: 'architecture migration '.repeat(3_000) }], tools: [{}], ...extra });

test('RequestClassifier#decide() – explicit tier names, models and providers are honoured over any content', async () => {
  let calls = 0;
  const classifier = new RequestClassifier({ llm: { classify: () => { calls++; return { tier: 'opus' }; } } });
  const cases: Array<[Partial<ClassifiableRequest>, string, string, string]> = [
    [{ model: 'local' }, 'local', 'local', 'qwen2.5-coder:14b-instruct'],
    [{ model: 'claude-opus-4-1' }, 'opus', 'anthropic', 'claude-opus-4-1'],
    [{ provider: 'local' }, 'local', 'local', 'qwen2.5-coder:14b-instruct'],
    [{ provider: 'anthropic' }, 'sonnet', 'anthropic', 'claude-sonnet-4-5'],
    [{ model: 'gpt-4o', provider: 'openai' }, 'sonnet', 'openai', 'gpt-4o'],
    [{ model: 'my-finetune' }, 'sonnet', 'anthropic', 'my-finetune'],
    [{ provider: 'azure' }, 'sonnet', 'azure', 'claude-sonnet-4-5'],
    [{ model: 'sonnet', provider: 'bedrock' }, 'sonnet', 'bedrock', 'claude-sonnet-4-5'],
  ];
  for (const [extra, tier, provider, model] of cases) {
    const d = await classifier.decide(heavy(extra));
    assert.deepEqual({ tier: d.tier, provider: d.provider, model: d.model, phase: d.phase }, { tier, provider, model, phase: 'explicit' }, JSON.stringify(extra));
    assert.match(d.reasons.at(-1)!, /^explicit /);
  }
  assert.equal(calls, 0);
});

test('RequestClassifier#decide() – any non-auto explicit model string is honoured verbatim or mapped to its tier', async () => {
  const classifier = new RequestClassifier({ enabled: false });
  await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1 }).filter((m) => !['auto', 'default', ''].includes(m.trim().toLowerCase())), async (model) => {
    const d = await classifier.decide(ask('Explain', { model }));
    assert.equal(d.phase, 'explicit');
    const tier = classifier.tiers.find((t) => t.name === model || t.model === model);
    assert.equal(d.model, tier === undefined ? model : tier.model);
  }), { numRuns: 300 });
});

test('RequestClassifier#decide() – "auto", "" and non-string model/provider route by content (with a note)', async () => {
  const classifier = new RequestClassifier();
  for (const model of ['auto', 'AUTO ', 'default', '']) {
    assert.equal((await classifier.decide(ask('Explain closures', { model }))).phase, 'heuristic');
  }
  const d = await classifier.decide({ ...ask('Explain closures'), model: 42, provider: { x: 1 } } as unknown as ClassifiableRequest);
  assert.equal(d.phase, 'heuristic');
  assert.deepEqual(d.reasons.slice(0, 2), ['ignored a non-string `model`', 'ignored a non-string `provider`']);
  const custom = new RequestClassifier({ autoModels: ['router'] });
  assert.equal((await custom.decide(ask('Explain closures', { model: 'router' }))).phase, 'heuristic');
  assert.equal((await custom.decide(ask('Explain closures', { model: 'auto' }))).phase, 'explicit');
});

test('RequestClassifier#decide() – routing disabled -> default tier; keyword mode -> top tier on a deep keyword', async () => {
  const off = new RequestClassifier({ enabled: false, defaultTier: 'opus' });
  const d = await off.decide(ask('Explain closures'));
  assert.deepEqual([d.tier, d.phase, d.reasons.at(-1)], ['opus', 'fallback', 'routing disabled -> default tier "opus"']);
  assert.equal((await off.decide(ask('x', { model: 'local' }))).tier, 'local');

  const kw = new RequestClassifier({ mode: 'keyword', llm: { classify: () => { throw new Error('never called'); } } });
  const hard = await kw.decide(ask('Review the architecture'));
  assert.deepEqual([hard.tier, hard.phase], ['opus', 'heuristic']);
  assert.equal(hard.reasons.at(-1), 'keyword mode: deep-reasoning keyword(s) "architecture" -> top tier "opus"');
  const easy = await kw.decide(ask('Explain closures', { tools: [{}] }));
  assert.deepEqual([easy.tier, easy.phase], ['sonnet', 'heuristic']);
  // Keyword mode never picks the local tier, even for trivially local requests.
  assert.equal((await kw.decide(ask('Explain closures'))).tier, 'sonnet');
});

test('RequestClassifier#decide() – local_first without a classifier: LOCAL/REMOTE heuristic, AMBIGUOUS best guess', async () => {
  const c = new RequestClassifier();
  const local = await c.decide(ask('Explain closures'));
  assert.deepEqual([local.tier, local.provider, local.phase], ['local', 'local', 'heuristic']);
  const remote = await c.decide(ask('Audit the architecture and migration plan'));
  assert.deepEqual([remote.tier, remote.phase, remote.score], ['opus', 'heuristic', 0.5]);
  const amb = await c.decide(ambiguous());
  assert.deepEqual([amb.tier, amb.phase], ['sonnet', 'fallback']);
  assert.equal(amb.reasons.at(-1), 'ambiguous, no classifier configured -> phase-1 best guess "sonnet"');
  assert.deepEqual(c.signals(ambiguous()).band, 'AMBIGUOUS');
  assert.equal(c.stats().classifierCalls, 0);
});

test('RequestClassifier#decide() – rejects non-object requests with ERR_INVALID_MESSAGES', async () => {
  const c = new RequestClassifier();
  for (const bad of [null, 'hi', 3, [], { messages: 'x' }]) {
    await assert.rejects(c.decide(bad as unknown as ClassifiableRequest), { name: 'SwitchyardError', code: 'ERR_INVALID_MESSAGES' });
  }
  // An explicit override only needs an object.
  assert.equal((await c.decide({ model: 'opus' } as unknown as ClassifiableRequest)).tier, 'opus');
});

test('RequestClassifier#decide() – options.signal: rejects with ERR_ABORTED; the shared classifier call keeps serving others', async () => {
  let release: (v: { tier: string }) => void = () => {};
  let calls = 0;
  const classifier = new RequestClassifier({ llm: { classify: () => { calls++; return new Promise((r) => (release = r)); } } });
  const pre = new AbortController();
  pre.abort(new Error('gone'));
  await assert.rejects(classifier.decide(ambiguous(), { signal: pre.signal }), { code: 'ERR_ABORTED' });
  assert.equal(calls, 0);
  const ac = new AbortController();
  const aborted = classifier.decide(ambiguous(), { signal: ac.signal });
  const other = classifier.decide(ambiguous());
  ac.abort();
  await assert.rejects(aborted, (e: unknown) => e instanceof Error && 'code' in e && e.code === 'ERR_ABORTED');
  release({ tier: 'opus' });
  assert.deepEqual([(await other).tier, calls], ['opus', 1]);
  await assert.rejects(classifier.decide(ambiguous(), { signal: 'x' as never }), { code: 'ERR_INVALID_OPTION' });
  // Decisions that need no phase 2 are unaffected by a live signal.
  assert.equal((await classifier.decide(ask('Explain closures'), { signal: new AbortController().signal })).tier, 'local');
});
