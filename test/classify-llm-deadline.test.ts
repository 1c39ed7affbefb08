// LlmClassifier's call timeout runs on injectable timers (the @internal constructor seam), so it
// can be tested in simulated time without mocking the globals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSwitchyardError, type ClassifyContext } from '../src/index.js';
import { LlmClassifier, resolveLlmClassifierOptions } from '../src/classify/llm-classifier.js';
import { computeSignalsResolved, resolveSignalOptions } from '../src/classify/signals.js';
import { ambiguous, flush } from './helpers/classify.js';
import { FakeTime } from './helpers/balance-sim.js';

function setup(classify: (ctx: ClassifyContext) => unknown): { llm: LlmClassifier; time: FakeTime; signals: ReturnType<typeof computeSignalsResolved> } {
  const o = resolveSignalOptions(undefined);
  // The flat option names (deprecated aliases of `llm.*` once the classifier options are nested).
  const resolved = resolveLlmClassifierOptions({ classifierTimeoutMs: 800, classify: (_req: unknown, ctx: ClassifyContext) => classify(ctx) });
  assert.ok(resolved !== null);
  const time = new FakeTime();
  return { llm: new LlmClassifier(resolved, o.tiers, time), time, signals: computeSignalsResolved(ambiguous(), o) };
}

test('LlmClassifier#classify() – injected timers: a hung call times out at exactly T in simulated time and aborts its signal', async () => {
  const seen: AbortSignal[] = [];
  const { llm, time, signals } = setup((ctx) => { seen.push(ctx.signal); return new Promise<never>(() => {}); });
  let outcome: Awaited<ReturnType<LlmClassifier['classify']>> | undefined;
  void llm.classify(ambiguous(), signals).then((r) => (outcome = r));
  await flush();
  assert.equal(time.pending, 1, 'the timeout is armed on the injected timers');
  time.advance(799);
  await flush();
  assert.equal(outcome, undefined, 'settled before the timeout');
  assert.equal(seen[0]!.aborted, false);
  time.advance(1);
  await flush();
  assert.deepEqual(outcome, { ok: false, failure: 'timeout', detail: 'no answer within 800 ms' });
  assert.ok(isSwitchyardError(seen[0]!.reason) && seen[0]!.reason.code === 'ERR_TIMEOUT');
  assert.equal(time.pending, 0);
});

test('LlmClassifier#classify() – injected timers: an answer clears its timer; a late answer after the timeout is ignored', async () => {
  let answer: ((v: string) => void) | undefined;
  const { llm, time, signals } = setup(() => new Promise<string>((resolve) => { answer = resolve; }));
  const first = llm.classify(ambiguous(), signals);
  await flush();
  answer!('{"tier":"local","reason":"easy"}');
  const r1 = await first;
  assert.equal(r1.ok, true);
  assert.equal(time.pending, 0, 'timer cleared on answer');

  const second = llm.classify(ambiguous('Write a function that parses RFC dates'), signals);
  await flush();
  time.advance(800);
  answer!('{"tier":"local"}');
  const r2 = await second;
  assert.equal(r2.ok, false);
  assert.equal(!r2.ok && r2.failure, 'timeout');
  assert.equal(llm.stats().fallbacks.timeout, 1);
});
