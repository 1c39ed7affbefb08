// R12 (LiteLLM-style cooldowns), as far as they map onto ApiMap: 429 cooldown on multi-instance
// models only, `rateLimitCooldownMs: 0` honoured, and the success-rate rule expressed as a
// 60 s time-window breaker (min 5 calls, 5 s cooldown doubling to a 60 s cap, reset on success).
// Not implemented: LiteLLM's ">= 1000 requests at 100% failure" exception for single instances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiMap, type ApiMapOptions } from '../src/index.js';
import { FakeTime, oneProvider } from './helpers/balance-sim.js';

function setup(ids: string[], extra: Partial<ApiMapOptions> = {}): { m: ApiMap; time: FakeTime } {
  const time = new FakeTime();
  return { m: new ApiMap({ providers: oneProvider(ids), panicThreshold: 0, now: time.clock, timers: time, ...extra }), time };
}

function hit(m: ApiMap, id: string, outcome: { ok: boolean; status?: number }): void {
  const others = new Set(m.stats().byInstance.map((s) => s.id).filter((x) => x !== id));
  const s = m.resolve('m', { exclude: others });
  assert.ok(s.ok && s.instance.id === id, `${id} routable`);
  s.release({ latencyMs: 1, ...outcome });
}

function routable(m: ApiMap, id: string): boolean {
  const others = new Set(m.stats().byInstance.map((s) => s.id).filter((x) => x !== id));
  const s = m.resolve('m', { exclude: others });
  if (!s.ok) return false;
  s.release({ ok: true, latencyMs: 1 });
  return true;
}

test('ApiMap – a 429 on a multi-instance model cools the instance for rateLimitCooldownMs (R12)', () => {
  const { m, time } = setup(['a', 'b']);
  hit(m, 'a', { ok: false, status: 429 });
  time.advance(4999);
  assert.equal(routable(m, 'a'), false);
  time.advance(2);
  assert.equal(routable(m, 'a'), true);
});

test('ApiMap – a single-instance model is never cooled by a 429; rateLimitCooldownMs 0 is honoured (R12)', () => {
  const single = setup(['only']);
  hit(single.m, 'only', { ok: false, status: 429 });
  assert.equal(routable(single.m, 'only'), true);
  const zero = setup(['a', 'b'], { rateLimitCooldownMs: 0 });
  hit(zero.m, 'a', { ok: false, status: 429 });
  assert.equal(routable(zero.m, 'a'), true);
});

test('ApiMap – success-rate cooldown: 1/1 failure no cooldown; >= 5 calls at >= 50% failures → 5 s, doubling, capped at 60 s (R12)', () => {
  const { m, time } = setup(['a', 'b'], {
    breaker: { consecutiveFailures: 0, windowType: 'time', windowMs: 60_000, windowBuckets: 60, minimumCalls: 5, failureRateThreshold: 0.5, cooldownMs: 5000, maxCooldownMs: 60_000, cooldownJitter: 0 },
  });
  const seen: number[] = [];
  m.on('breaker:opened', (e) => seen.push(e.cooldownMs));
  hit(m, 'a', { ok: false, status: 500 });
  assert.equal(routable(m, 'a'), true, '1 failure of 1 request: no cooldown');
  hit(m, 'a', { ok: false, status: 500 });
  hit(m, 'a', { ok: false, status: 500 });
  assert.equal(m.stats().byInstance[0]!.breaker, 'closed', '3 failures of 4 calls: below minimumCalls');
  hit(m, 'a', { ok: false, status: 500 }); // 4 failures of 5 calls
  assert.equal(routable(m, 'a'), false, 'cooled down');
  const expected = [5000, 10_000, 20_000, 40_000, 60_000, 60_000];
  for (let k = 1; k < expected.length; k++) {
    time.advance(expected[k - 1]! - 1);
    assert.equal(routable(m, 'a'), false);
    time.advance(2);
    hit(m, 'a', { ok: false, status: 500 }); // failed trial: open again, longer
  }
  time.advance(60_001);
  hit(m, 'a', { ok: true });
  assert.equal(routable(m, 'a'), true, 'a successful trial closes it');
  assert.deepEqual(seen, expected);
});
