import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { RequestClassifier, type DecideResult } from '../src/index.js';
import { ambiguous, flush } from './helpers/classify.js';

type Mode = 'fail' | 'ok' | 'hang';

/** A classifier whose host classify() fails (then does what `behaviour.mode` says), under fake timers. */
function setup(t: TestContext): { classifier: RequestClassifier; calls: () => number; clock: { t: number }; behaviour: { mode: Mode } } {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const behaviour: { mode: Mode } = { mode: 'fail' };
  const clock = { t: 1_000_000 };
  let calls = 0;
  const classifier = new RequestClassifier({
    now: () => clock.t,
    llm: {
      breaker: { consecutiveFailures: 5, cooldownMs: 30_000 }, timeoutMs: 800, cacheSize: 0,
      classify: () => {
        calls++;
        if (behaviour.mode === 'fail') return Promise.reject(new Error('down'));
        if (behaviour.mode === 'hang') return new Promise<never>(() => {});
        return { tier: 'opus' };
      },
    },
  });
  return { classifier, calls: () => calls, clock, behaviour };
}

const lastReason = (d: DecideResult): string => d.reasons.at(-1)!;
let n = 0;
const fresh = (): ReturnType<typeof ambiguous> => ambiguous(`Write a tokenizer ${n++}`);

test('RequestClassifier#decide() – C5: 5 consecutive failures open the breaker; phase 2 is then skipped with 0 calls', async (t) => {
  const { classifier, calls, clock, behaviour: b } = setup(t);
  for (let i = 0; i < 4; i++) await classifier.decide(fresh());
  assert.equal(classifier.stats().breaker, 'closed');
  await classifier.decide(fresh());
  assert.equal(calls(), 5);
  assert.equal(classifier.stats().breaker, 'open');
  // Open: answers come without any timer running (no tick needed), 0 classifier calls.
  for (let i = 0; i < 100; i++) {
    const d = await classifier.decide(fresh());
    assert.equal(d.phase, 'fallback');
    assert.match(lastReason(d), /^classifier breaker_open/);
  }
  assert.equal(calls(), 5);
  assert.equal(classifier.stats().fallbacks.breaker_open, 100);
  clock.t += 29_999;
  await classifier.decide(fresh());
  assert.equal(calls(), 5, 'called before the cooldown ended');

  // Half-open at T: exactly one probe; concurrent callers skip.
  clock.t += 1;
  assert.equal(classifier.stats().breaker, 'half-open');
  const concurrent = await Promise.all([classifier.decide(fresh()), classifier.decide(fresh()), classifier.decide(fresh())]);
  assert.equal(calls(), 6);
  assert.equal(concurrent.filter((d) => /breaker_open/.test(lastReason(d))).length, 2);
  // The probe failed: open again with T restarted.
  assert.equal(classifier.stats().breaker, 'open');
  clock.t += 29_999;
  await classifier.decide(fresh());
  assert.equal(calls(), 6);
  clock.t += 1;
  b.mode = 'ok';
  const probe = await classifier.decide(fresh());
  assert.deepEqual([probe.phase, probe.tier, calls()], ['llm_classifier', 'opus', 7]);
  assert.equal(classifier.stats().breaker, 'closed');
  // Closed again: every request reaches the classifier, and it takes 5 new failures to reopen.
  b.mode = 'fail';
  for (let i = 0; i < 4; i++) await classifier.decide(fresh());
  assert.equal(classifier.stats().breaker, 'closed');
  assert.equal(calls(), 11);
});

test('RequestClassifier#decide() – C5: a hung half-open probe times out and reopens the breaker (never stuck)', async (t) => {
  const { classifier, calls, clock, behaviour: b } = setup(t);
  for (let i = 0; i < 5; i++) await classifier.decide(fresh());
  assert.equal(classifier.stats().breaker, 'open');
  clock.t += 30_000;
  b.mode = 'hang';
  let probe: DecideResult | undefined;
  void classifier.decide(fresh()).then((d) => (probe = d));
  await flush();
  assert.equal(calls(), 6);
  const skipped = await classifier.decide(fresh());
  assert.match(lastReason(skipped), /breaker_open/);
  t.mock.timers.tick(800);
  await flush();
  assert.ok(probe !== undefined);
  assert.match(lastReason(probe), /^classifier timeout/);
  assert.equal(classifier.stats().breaker, 'open');
  clock.t += 30_000;
  b.mode = 'ok';
  assert.equal((await classifier.decide(fresh())).phase, 'llm_classifier');
});

test('RequestClassifier#decide() – C5: llm.breaker.consecutiveFailures 0 disables the breaker; a success resets the failure count', async () => {
  let calls = 0;
  let fail = true;
  const off = new RequestClassifier({ llm: { breaker: { consecutiveFailures: 0 }, cacheSize: 0, classify: async () => { calls++; throw new Error('x'); } } });
  for (let i = 0; i < 20; i++) await off.decide(fresh());
  assert.equal(calls, 20);
  assert.equal(off.stats().breaker, 'closed');
  calls = 0;
  const reset = new RequestClassifier({ llm: { cacheSize: 0, classify: async () => { calls++; if (fail) throw new Error('x'); return { tier: 'local' }; } } });
  for (let i = 0; i < 4; i++) await reset.decide(fresh());
  fail = false;
  await reset.decide(fresh());
  fail = true;
  for (let i = 0; i < 4; i++) await reset.decide(fresh());
  assert.equal(reset.stats().breaker, 'closed');
  assert.equal(calls, 9);
});
