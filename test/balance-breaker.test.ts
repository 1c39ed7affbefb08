// R4 (consecutive-failure ejection and growing cooldown), R5 (max ejection), R6 (failure-rate
// window, `>=` boundary, time window), R7 (half-open probes, hung probe). Simulated time only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker, resolveCircuitBreakerOptions, type BreakerState, type CircuitBreakerOptions } from '../src/balance/circuit-breaker.js';
import { ApiMap, seededRandom, isSwitchyardError } from '../src/index.js';
import { FakeTime, drive, oneProvider } from './helpers/balance-sim.js';

function breaker(options: CircuitBreakerOptions, seed = 1): { b: CircuitBreaker; log: [BreakerState, number][] } {
  const log: [BreakerState, number][] = [];
  const b = new CircuitBreaker(resolveCircuitBreakerOptions(options), seededRandom(seed), (to, _from, ms) => log.push([to, ms]));
  return { b, log };
}

function call(b: CircuitBreaker, now: number, failed: boolean): void {
  assert.ok(b.canRequest(now), `breaker should let a call through at t=${now}`);
  b.onResult(b.onRequest(now), failed, now);
}

test('CircuitBreaker – 4 consecutive failures stay closed, the 5th opens; 30 s cooldown boundary (R4)', () => {
  const { b } = breaker({ cooldownJitter: 0 });
  for (let i = 0; i < 4; i++) call(b, 1000, true);
  assert.equal(b.state(1000), 'closed');
  call(b, 1000, true);
  assert.equal(b.state(1000), 'open');
  assert.equal(b.canRequest(1000 + 29_999), false);
  assert.equal(b.canRequest(1000 + 30_001), true);
  assert.equal(b.state(1000 + 30_001), 'half-open');
});

test('CircuitBreaker – a success resets the consecutive count (R4)', () => {
  const { b } = breaker({ cooldownJitter: 0 });
  for (let i = 0; i < 4; i++) call(b, 0, true);
  call(b, 0, false);
  for (let i = 0; i < 4; i++) call(b, 0, true);
  assert.equal(b.state(0), 'closed');
});

test('CircuitBreaker – re-opening doubles the cooldown: 30, 60, 120, 240, then capped at 300 s (R4)', () => {
  const { b, log } = breaker({ cooldownJitter: 0 });
  let t = 0;
  for (let i = 0; i < 5; i++) call(b, t, true);
  const expected = [30_000, 60_000, 120_000, 240_000, 300_000, 300_000];
  for (let k = 0; k < expected.length; k++) {
    const d = expected[k]!;
    assert.equal(b.canRequest(t + d - 1), false, `opening ${k + 1} still open at +${d - 1}`);
    t += d + 1;
    call(b, t, true); // failed half-open trial
  }
  assert.deepEqual(log.filter(([s]) => s === 'open').map(([, ms]) => ms), [...expected, 300_000]);
});

test('CircuitBreaker – jittered cooldown stays within d·(1 ± jitter), capped, and varies (R4)', () => {
  const { b, log } = breaker({ cooldownJitter: 0.1 }, 99);
  let t = 0;
  for (let i = 0; i < 5; i++) call(b, t, true);
  for (let k = 0; k < 40; k++) {
    t = b.openUntil()! + 1;
    call(b, t, true);
  }
  const opens = log.filter(([s]) => s === 'open').map(([, ms]) => ms);
  opens.forEach((ms, k) => {
    const d = Math.min(30_000 * 2 ** k, 300_000);
    assert.ok(ms >= d * 0.9 && ms <= Math.min(d * 1.1, 300_000), `opening ${k}: ${ms}`);
  });
  assert.ok(new Set(opens.slice(5)).size > 10, 'jitter is applied');
});

test('CircuitBreaker – count window: 9 straight failures stay closed (minCalls 10), the 10th opens (R6)', () => {
  const { b } = breaker({ consecutiveFailures: 0, windowSize: 20, minimumCalls: 10, failureRateThreshold: 0.5 });
  for (let i = 0; i < 9; i++) call(b, 0, true);
  assert.equal(b.state(0), 'closed');
  call(b, 0, true);
  assert.equal(b.state(0), 'open');
});

test('CircuitBreaker – count window: exactly 5/10 failures opens (operator >=), 4/10 stays closed (R6)', () => {
  for (const [failures, want] of [[5, 'open'], [4, 'closed']] as const) {
    const { b } = breaker({ consecutiveFailures: 0, windowSize: 20, minimumCalls: 10, failureRateThreshold: 0.5 });
    for (let i = 0; i < 10; i++) {
      if (b.state(0) !== 'closed') break;
      call(b, 0, i % 2 === 1 && i < failures * 2);
    }
    assert.equal(b.state(0), want, `${failures}/10 failures`);
  }
});

test('CircuitBreaker – count window slides: old failures fall out after windowSize calls (R6)', () => {
  const { b } = breaker({ consecutiveFailures: 0, windowSize: 20, minimumCalls: 10, failureRateThreshold: 0.5 });
  for (let i = 0; i < 4; i++) call(b, 0, true);
  for (let i = 0; i < 20; i++) call(b, 0, false); // the 4 failures slide out
  for (let i = 0; i < 9; i++) call(b, 0, true); // window: 11 S + 9 F = 45%
  assert.equal(b.state(0), 'closed');
  call(b, 0, true); // 10 S + 10 F = 50% (cumulative counting would give 14/34)
  assert.equal(b.state(0), 'open');
});

test('CircuitBreaker – time window (10 s, 10 buckets): failures older than 10 s no longer count (R6)', () => {
  const opts = { consecutiveFailures: 0, windowType: 'time', windowMs: 10_000, windowBuckets: 10, minimumCalls: 10, failureRateThreshold: 0.5 } as const;
  const old = breaker(opts).b;
  for (let i = 0; i < 9; i++) call(old, 0, true);
  call(old, 10_500, false);
  assert.equal(old.state(10_500), 'closed');
  const recent = breaker(opts).b;
  for (let i = 0; i < 9; i++) call(recent, 0, true);
  call(recent, 9_000, false);
  assert.equal(recent.state(9_000), 'open');
});

test('CircuitBreaker – half-open lets exactly halfOpenMaxCalls trials through; all succeed → closed, metrics reset (R7)', () => {
  for (const P of [1, 2]) {
    const { b } = breaker({ cooldownJitter: 0, halfOpenMaxCalls: P });
    for (let i = 0; i < 5; i++) call(b, 0, true);
    const t = 30_001;
    const tokens: number[] = [];
    for (let i = 0; i < P; i++) {
      assert.ok(b.canRequest(t));
      tokens.push(b.onRequest(t));
    }
    assert.equal(b.canRequest(t), false, `trial ${P + 1} must wait`);
    for (const tok of tokens) b.onResult(tok, false, t + 5);
    assert.equal(b.state(t + 5), 'closed');
    for (let i = 0; i < 4; i++) call(b, t + 6, true);
    assert.equal(b.state(t + 6), 'closed', 'consecutive count was reset');
  }
});

test('CircuitBreaker – a failed trial re-opens with the cooldown restarted (R7)', () => {
  const { b } = breaker({ cooldownJitter: 0 });
  for (let i = 0; i < 5; i++) call(b, 0, true);
  call(b, 30_001, true);
  assert.equal(b.state(30_001), 'open');
  assert.equal(b.canRequest(30_001 + 60_000 - 1), false);
  assert.equal(b.canRequest(30_001 + 60_000 + 1), true);
});

test('CircuitBreaker – a hung trial re-opens after halfOpenTimeoutMs; its late result is ignored (R7)', () => {
  const { b } = breaker({ cooldownJitter: 0, halfOpenTimeoutMs: 5000 });
  for (let i = 0; i < 5; i++) call(b, 0, true);
  const tok = b.onRequest(30_001);
  assert.equal(b.canRequest(30_001 + 4999), false);
  assert.equal(b.state(30_001 + 5000), 'open');
  b.onResult(tok, false, 30_001 + 6000);
  assert.equal(b.state(30_001 + 6000), 'open', 'stale trial result ignored');
  assert.equal(b.canRequest(30_001 + 5000 + 60_001), true, 'never stuck');
});

test('ApiMap – an open breaker gets 0 upstream calls before its cooldown, one probe after (R4, R7)', async () => {
  const time = new FakeTime();
  const m = new ApiMap({ providers: oneProvider(['a']), panicThreshold: 0, breaker: { cooldownJitter: 0 }, now: time.clock, timers: time });
  const events: string[] = [];
  m.on('breaker:opened', (e) => events.push(`opened ${e.instance} ${e.cooldownMs}`));
  m.on('breaker:half-opened', (e) => events.push(`half-opened ${e.instance}`));
  m.on('breaker:closed', (e) => events.push(`closed ${e.instance}`));
  for (let i = 0; i < 5; i++) {
    const s = m.resolve('m');
    assert.ok(s.ok, `attempt ${i + 1} routable`);
    s.release({ ok: false, latencyMs: 1, status: 503 });
  }
  let calls = 0;
  time.advance(29_999);
  const [r] = await drive([m.execute('m', () => { calls++; return 'x'; })], time);
  assert.ok(r && !r.ok && isSwitchyardError(r.error) && r.error.code === 'ERR_NO_HEALTHY_INSTANCE');
  assert.equal(calls, 0);
  time.advance(2);
  const probe = m.resolve('m');
  assert.ok(probe.ok);
  assert.deepEqual(m.resolve('m'), { ok: false, model: 'm', reason: 'no-healthy-instance' }, 'second caller skips');
  probe.release({ ok: true, latencyMs: 3 });
  assert.ok(m.resolve('m').ok);
  assert.deepEqual(events, ['opened a 30000', 'half-opened a', 'closed a']);
});

test('ApiMap – maxEjectionPercent 10 with 10 instances, 8 failing: at most 1 ejected at once (R5)', () => {
  const time = new FakeTime();
  const ids = Array.from({ length: 10 }, (_, i) => `i${i}`);
  const m = new ApiMap({ providers: oneProvider(ids), maxEjectionPercent: 10, panicThreshold: 0, now: time.clock, timers: time, random: seededRandom(5) });
  let maxEjected = 0;
  for (let i = 0; i < 5000; i++) {
    const s = m.resolve('m');
    assert.ok(s.ok);
    const bad = Number(s.instance.id.slice(1)) < 8;
    s.release({ ok: !bad, latencyMs: 1, ...(bad ? { status: 503 } : {}) });
    if (i % 10 === 0) time.advance(1000);
    maxEjected = Math.max(maxEjected, m.stats().byInstance.filter((x) => x.breaker !== 'closed').length);
  }
  assert.equal(maxEjected, 1);
});
