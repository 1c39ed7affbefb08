import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RequestClassifier, type DecideResult } from '../../src/index.js';
import { ambiguous } from '../helpers/classify.js';

test('RequestClassifier#decide() – C4: 100 concurrent identical requests make exactly 1 classifier call (any interleaving)', async () => {
  await fc.assert(fc.asyncProperty(fc.scheduler(), async (s) => {
    let calls = 0;
    const classifier = new RequestClassifier({ llm: { timeoutMs: 600_000, classify: () => { calls++; return s.schedule(Promise.resolve({ tier: 'opus', reason: 'r' }), 'classifier answers'); } } });
    const decide = (): Promise<DecideResult> => s.schedule(Promise.resolve(), 'request arrives').then(() => classifier.decide(ambiguous()));
    const all = Array.from({ length: 100 }, () => decide());
    const results = await s.waitFor(Promise.all(all));
    assert.equal(calls, 1);
    assert.ok(results.every((d) => d.phase === 'llm_classifier' && d.tier === 'opus'));
    const st = classifier.stats();
    assert.equal(st.coalesced + st.cacheHits, 99);
  }), { numRuns: 200 });
});

test('RequestClassifier#decide() – C4: a failure is shared by the coalesced callers but never cached (any interleaving)', async () => {
  await fc.assert(fc.asyncProperty(fc.scheduler(), async (s) => {
    let calls = 0;
    const classifier = new RequestClassifier({ llm: { timeoutMs: 600_000, breaker: { consecutiveFailures: 0 }, classify: () => { calls++; return s.schedule(Promise.resolve(), 'classifier fails').then(() => { throw new Error('down'); }); } } });
    const decide = (): Promise<DecideResult> => s.schedule(Promise.resolve(), 'request arrives').then(() => classifier.decide(ambiguous()));
    const all = Array.from({ length: 100 }, () => decide());
    const results: DecideResult[] = await s.waitFor(Promise.all(all));
    assert.ok(results.every((d) => d.phase === 'fallback'));
    const st = classifier.stats();
    assert.equal(st.cacheHits, 0);
    assert.equal(calls + st.coalesced, 100);
    assert.ok(calls >= 1);
  }), { numRuns: 200 });
});

test('RequestClassifier#decide() – C4: after a failed coalesced call the next request re-invokes the classifier', async () => {
  let calls = 0;
  let fail = true;
  const classifier = new RequestClassifier({ llm: { classify: async () => { calls++; if (fail) throw new Error('down'); return { tier: 'local' }; } } });
  const first = await Promise.all(Array.from({ length: 100 }, () => classifier.decide(ambiguous())));
  assert.equal(calls, 1);
  assert.ok(first.every((d) => d.phase === 'fallback'));
  assert.equal(classifier.stats().coalesced, 99);
  fail = false;
  const next = await classifier.decide(ambiguous());
  assert.equal(calls, 2);
  assert.deepEqual([next.phase, next.tier], ['llm_classifier', 'local']);
  assert.equal((await Promise.all([classifier.decide(ambiguous()), classifier.decide(ambiguous('Write another thing'))]))[0]!.reasons.at(-1), 'classifier (cache): "local"');
  assert.equal(calls, 3);
});
