import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSwitchyardError, RequestClassifier, type ClassifyContext, type DecideResult } from '../src/index.js';
import { ambiguous, flush } from './helpers/classify.js';

test('RequestClassifier#decide() – C1: a hung classifier times out at exactly T, fires its AbortSignal, falls back', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const signals: AbortSignal[] = [];
  const classifier = new RequestClassifier({
    llm: {
      timeoutMs: 800,
      classify: (_req, ctx: ClassifyContext) => {
        signals.push(ctx.signal);
        return new Promise<never>(() => {}); // never settles
      },
    },
  });
  const box: { result?: DecideResult } = {};
  void classifier.decide(ambiguous()).then((d) => (box.result = d));
  await flush();
  t.mock.timers.tick(799);
  await flush();
  assert.equal(box.result === undefined, true, 'settled before the timeout');
  assert.equal(signals[0]!.aborted, false);
  t.mock.timers.tick(1);
  await flush();
  const result = box.result;
  assert.ok(result !== undefined, 'not settled at T');
  assert.equal(result.phase, 'fallback');
  assert.equal(result.tier, 'sonnet');
  assert.match(result.reasons.at(-1)!, /^classifier timeout \(no answer within 800 ms\) -> phase-1 best guess "sonnet"$/);
  assert.equal(signals.length, 1);
  assert.equal(signals[0]!.aborted, true);
  assert.ok(isSwitchyardError(signals[0]!.reason) && signals[0]!.reason.code === 'ERR_TIMEOUT');
  assert.equal(classifier.stats().fallbacks.timeout, 1);
});

test('RequestClassifier#decide() – C1: default timeout is 5 s', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const classifier = new RequestClassifier({ llm: { classify: () => new Promise<never>(() => {}) } });
  let done = false;
  void classifier.decide(ambiguous()).then(() => (done = true));
  t.mock.timers.tick(4_999);
  await flush();
  assert.equal(done, false);
  t.mock.timers.tick(1);
  await flush();
  assert.equal(done, true);
});

test('RequestClassifier#decide() – C1: 1,000 timeouts under fake timers each fall back, in parallel', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const classifier = new RequestClassifier({ llm: { timeoutMs: 100, breaker: { consecutiveFailures: 0 }, classify: () => new Promise<never>(() => {}) } });
  const all = Array.from({ length: 1_000 }, (_, i) => classifier.decide(ambiguous(`Write a parser number ${i}`)));
  t.mock.timers.tick(100);
  const results = await Promise.all(all);
  assert.equal(results.filter((d) => d.phase === 'fallback').length, 1_000);
  assert.equal(classifier.stats().fallbacks.timeout, 1_000);
  assert.equal(classifier.stats().cacheSize, 0, 'a timeout was cached');
});

test('RequestClassifier#decide() – C1: every timer is cleared when the classifier answers (active Timeouts back to baseline)', async () => {
  const count = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const baseline = count();
  const classifier = new RequestClassifier({ llm: { cacheSize: 0, classify: async () => '{"tier":"local","reason":"easy"}' } });
  const results = await Promise.all(Array.from({ length: 1_000 }, (_, i) => classifier.decide(ambiguous(`Write a lexer ${i}`))));
  assert.ok(results.every((d) => d.phase === 'llm_classifier' && d.tier === 'local'));
  assert.equal(count(), baseline);
});

test('RequestClassifier#decide() – classifier that throws synchronously or rejects falls back with the cause', async () => {
  const cases: Array<[() => never | Promise<never>, RegExp]> = [
    [() => { throw new Error('sync boom'); }, /classifier error \(sync boom\)/],
    [() => Promise.reject(new Error('async boom')), /classifier error \(async boom\)/],
    [() => Promise.reject(undefined as never), /classifier error \(classifier failed\)/],
  ];
  for (const [classify, reason] of cases) {
    const classifier = new RequestClassifier({ classify });
    const d = await classifier.decide(ambiguous());
    assert.equal(d.phase, 'fallback');
    assert.match(d.reasons.at(-1)!, reason);
    assert.equal(classifier.stats().fallbacks.error, 1);
  }
});
