// ApiMap#execute() with DEFAULT options (R5, R5b): fallback models before panic, a retry budget
// per pool that never blocks a fallback, and the 0.1.0 order still reachable by options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiMap, isSwitchyardError, seededRandom, type ApiMapOptions, type AttemptRecord, type BreakerState, type ProviderSpec, type Selection } from '../src/index.js';
import { FakeTime, drive, httpError } from './helpers/balance-sim.js';

const providers: ProviderSpec[] = [
  { name: 'pa', models: ['A'], instances: [{ id: 'a1', endpoint: 'a1' }, { id: 'a2', endpoint: 'a2' }, { id: 'a3', endpoint: 'a3' }] },
  { name: 'pb', models: ['B'], instances: [{ id: 'b1', endpoint: 'b1' }, { id: 'b2', endpoint: 'b2' }] },
];
const RETRIES = 2;
const FALLBACKS = ['B'];
const MAX_CALLS = (1 + RETRIES) * (1 + FALLBACKS.length);

interface Run {
  /** Successes per wave of 50. */
  readonly waves: number[];
  readonly ok: number;
  readonly total: number;
  readonly callsTo: Map<string, number>;
  readonly maxCallsPerRequest: number;
  /** Calls to an instance of A whose breaker was open (should be 0). */
  readonly callsToOpen: number;
  /** Calls to an instance of A after all of A's breakers had opened once, by breaker state then. */
  readonly afterAllOpened: Record<BreakerState, number>;
  readonly failures: unknown[];
  readonly map: ApiMap;
  readonly time: FakeTime;
}

/**
 * The issue's scenario: 1,500 requests in waves of 50 concurrent,
 * `execute('A', call, { retries: 2, fallbackModels: ['B'], timeoutMs: 25 })`, 1 s between waves.
 * `faultOf(instance)` says how an instance of A behaves.
 */
async function scenario(faultOf: (id: string, rnd: () => number) => 'ok' | '503' | 'hang', options: Partial<ApiMapOptions> = {}): Promise<Run> {
  const time = new FakeTime();
  const rnd = seededRandom(7);
  // Only the simulated clock, timers and a seed are injected: every policy is the default.
  const map = new ApiMap({ providers, now: time.clock, timers: time, random: seededRandom(8), ...options });
  const state = new Map<string, BreakerState>();
  const everOpened = new Set<string>();
  map.on('breaker:opened', (e) => { state.set(e.instance, 'open'); everOpened.add(e.instance); });
  map.on('breaker:half-opened', (e) => state.set(e.instance, 'half-open'));
  map.on('breaker:closed', (e) => state.set(e.instance, 'closed'));
  const callsTo = new Map<string, number>();
  const afterAllOpened: Record<BreakerState, number> = { closed: 0, open: 0, 'half-open': 0 };
  let callsToOpen = 0;
  let maxCallsPerRequest = 0;
  const waves: number[] = [];
  const failures: unknown[] = [];
  let ok = 0;
  const WAVE = 50;
  const TOTAL = 1500;
  for (let w = 0; w < TOTAL / WAVE; w++) {
    const batch: Promise<string>[] = [];
    for (let i = 0; i < WAVE; i++) {
      let calls = 0;
      batch.push(map.execute('A', (sel: Selection, signal: AbortSignal) => {
        calls++;
        maxCallsPerRequest = Math.max(maxCallsPerRequest, calls);
        const id = sel.instance.id;
        callsTo.set(id, (callsTo.get(id) ?? 0) + 1);
        if (sel.model === 'B') return Promise.resolve(id);
        const s = state.get(id) ?? 'closed';
        if (s === 'open') callsToOpen++;
        if (everOpened.has('a1') && everOpened.has('a2') && everOpened.has('a3')) afterAllOpened[s]++;
        const fault = faultOf(id, rnd);
        if (fault === '503') return Promise.reject(httpError(503));
        if (fault === 'hang') {
          void signal; // never answers; only the timeout ends it
          return new Promise<string>(() => {});
        }
        return Promise.resolve(id);
      }, { retries: RETRIES, fallbackModels: FALLBACKS, timeoutMs: 25 }));
    }
    const results = await drive(batch, time);
    let waveOk = 0;
    for (const r of results) {
      if (r.ok) waveOk++;
      else failures.push(r.error);
    }
    waves.push(waveOk);
    ok += waveOk;
    time.advance(1000);
  }
  return { waves, ok, total: TOTAL, callsTo, maxCallsPerRequest, callsToOpen, afterAllOpened, failures, map, time };
}

const issueFaults = (id: string, rnd: () => number): 'ok' | '503' | 'hang' =>
  id === 'a1' ? (rnd() < 0.5 ? '503' : 'ok') : id === 'a2' ? 'hang' : 'ok';

test('ApiMap#execute() – default options, A = {503 half the time, hanging, healthy}, B healthy: 100% after the first wave, >= 99% overall (R5b)', async () => {
  const r = await scenario(issueFaults);
  assert.ok(r.waves.slice(1).every((n) => n === 50), `waves after the first: ${r.waves.slice(1).join(',')}`);
  assert.ok(r.ok / r.total >= 0.99, `overall ${r.ok}/${r.total}`);
  assert.ok(r.maxCallsPerRequest <= MAX_CALLS, `calls per request ${r.maxCallsPerRequest}`);
  assert.equal(r.callsToOpen, 0, 'no call to an instance whose breaker is open');
  // The healthy instance of A keeps serving A: the fallback is used, not instead of A but after it.
  assert.ok((r.callsTo.get('a3') ?? 0) > r.total / 3, `a3 served ${r.callsTo.get('a3')}`);
  assert.ok(r.failures.every((e) => isSwitchyardError(e)));
  assert.equal(r.time.pending, 0);
  const st = r.map.stats();
  assert.equal(st.activeRequests, 0);
  assert.equal(st.retriesInFlight, 0);
});

test('ApiMap#execute() – default options, every instance of A failing: after the breakers open 100% through B, A gets only half-open trials (R5b)', async () => {
  for (const fault of ['503', 'hang'] as const) {
    const r = await scenario(() => fault);
    const firstAllOpen = r.waves.findIndex((_, i) => i > 0); // waves are 1 s apart; the breakers open in the first wave
    assert.ok(r.waves.every((n) => n === 50), `${fault}: every wave served in full (${r.waves.join(',')})`);
    assert.ok(firstAllOpen >= 0);
    assert.equal(r.afterAllOpened.open, 0, `${fault}: no call to an open breaker`);
    assert.equal(r.afterAllOpened.closed, 0, `${fault}: after all opened, A only sees half-open trials`);
    // 30 waves over ~30 s: each breaker half-opens about once (cooldown 30 s ± 10%), one trial each.
    assert.ok(r.afterAllOpened['half-open'] <= 3, `${fault}: ${r.afterAllOpened['half-open']} trials`);
    assert.ok(r.maxCallsPerRequest <= MAX_CALLS);
    assert.ok((r.callsTo.get('b1') ?? 0) + (r.callsTo.get('b2') ?? 0) >= r.total - 10);
  }
});

test('ApiMap#execute() – fallbackBeforePanic: false with budgetScope: "map" restores 0.1.0: panic keeps sending to the ejected instances and B is starved', async (t) => {
  const rate = (r: Run): number => r.waves.slice(1).reduce((a, n) => a + n, 0) / (r.total - 50);
  const legacy = await scenario(issueFaults, { fallbackBeforePanic: false, retry: { budgetScope: 'map' } });
  const panicOnly = await scenario(issueFaults, { fallbackBeforePanic: false });
  const budgetOnly = await scenario(issueFaults, { retry: { budgetScope: 'map' } });
  t.diagnostic(`after the first wave: 0.1.0 ${(rate(legacy) * 100).toFixed(1)}%, panic first ${(rate(panicOnly) * 100).toFixed(1)}%, map-wide budget ${(rate(budgetOnly) * 100).toFixed(1)}%`);
  assert.ok(rate(legacy) < 0.9, '0.1.0 order loses requests after the first wave');
  assert.ok(legacy.map.history().some((d) => d.panic) && panicOnly.map.history().some((d) => d.panic), 'panic picks before B');
  assert.ok(legacy.failures.every((e) => isSwitchyardError(e) && e.code === 'ERR_ALL_ATTEMPTS_FAILED'));
  assert.ok(budgetOnly.failures.some((e) => isSwitchyardError(e) && e.details?.['reason'] === 'retry-budget'), 'the map-wide budget ends requests before B');
  const current = await scenario(issueFaults);
  assert.ok(current.map.history().every((d) => !d.panic), 'the default never needed panic: B could serve');
});

test('ApiMap#execute() – panic is the last resort: used when no fallback model has an eligible instance, and resolve() still reports it', async () => {
  const time = new FakeTime();
  const map = new ApiMap({ providers, now: time.clock, timers: time, random: seededRandom(3) });
  // Take a2 and a3 out by health, b1 and b2 as well: A is in panic (1 of 3 eligible), B has nothing.
  await map.checkHealth((i) => i.id === 'a1');
  const r = map.resolve('A');
  assert.ok(r.ok && r.panic, 'resolve() alone balances in panic, as in Envoy');
  r.release({ ok: true, latencyMs: 1 });
  const seen: { id: string; panic: boolean }[] = [];
  const [res] = await drive([map.execute('A', (sel) => {
    seen.push({ id: sel.instance.id, panic: sel.panic });
    if (sel.instance.id === 'a1') throw httpError(503);
    return sel.instance.id;
  }, { fallbackModels: ['B'] })], time);
  assert.ok(res?.ok, 'served by an ejected instance of A as the last resort');
  assert.deepEqual(seen[0], { id: 'a1', panic: false }, 'the eligible instance first, not in panic');
  assert.equal(seen[1]?.panic, true, 'then panic, because B had no eligible instance');

  // Same, but B healthy again: A's ejected instances are skipped, B serves.
  await map.checkHealth((i) => i.id !== 'a2' && i.id !== 'a3');
  seen.length = 0;
  const [res2] = await drive([map.execute('A', (sel) => {
    seen.push({ id: sel.instance.id, panic: sel.panic });
    if (sel.instance.id === 'a1') throw httpError(503);
    return sel.instance.id;
  }, { fallbackModels: ['B'] })], time);
  assert.ok(res2?.ok);
  assert.deepEqual(seen.map((s) => s.id[0]), ['a', 'b']);
  assert.ok(seen.every((s) => !s.panic));
});

test('ApiMap#execute() – failOnPanic: a pool in panic is skipped with cause "panic", the fallback serves; alone it is ERR_NO_HEALTHY_INSTANCE with 0 calls', async () => {
  const time = new FakeTime();
  const map = new ApiMap({ providers, failOnPanic: true, now: time.clock, timers: time });
  await map.checkHealth((i) => i.id !== 'a2' && i.id !== 'a3');
  assert.deepEqual(map.resolve('A'), { ok: false, model: 'A', reason: 'panic' });
  const models: string[] = [];
  const [r] = await drive([map.execute('A', (sel) => { models.push(sel.model); return 1; }, { fallbackModels: ['B'] })], time);
  assert.ok(r?.ok);
  assert.deepEqual(models, ['B']);
  let calls = 0;
  const [alone] = await drive([map.execute('A', () => ++calls)], time);
  assert.ok(alone && !alone.ok && isSwitchyardError(alone.error) && alone.error.code === 'ERR_NO_HEALTHY_INSTANCE');
  assert.equal(calls, 0);
  const skipped = alone.error.details?.['attempts'] as AttemptRecord[];
  assert.deepEqual(skipped.map((a) => `${a.instance}:${a.failure}`), ['a1:panic', 'a2:unhealthy', 'a3:unhealthy']);
  assert.match(alone.error.message, /no upstream call made.*a1@A panic/);
});

test('ApiMap#execute() – the error lists every attempt made and every instance skipped, in order, with model and cause', async () => {
  const time = new FakeTime();
  const map = new ApiMap({
    providers: [...providers, { name: 'pc', models: ['C'], instances: [{ id: 'c1', endpoint: 'c1' }] }],
    panicThreshold: 0, retry: { budgetMinConcurrency: 0, budgetRatio: 0 }, strategy: 'round-robin', now: time.clock, timers: time,
  });
  await map.checkHealth((i) => i.id !== 'b2');
  const skippedEvents: AttemptRecord[] = [];
  map.on('attempt:skipped', (a) => skippedEvents.push(a));
  const [r] = await drive([map.execute('A', (sel) => { throw httpError(sel.model === 'C' ? 502 : 503); }, { fallbackModels: ['nope', 'B', 'C'] })], time);
  assert.ok(r && !r.ok && isSwitchyardError(r.error) && r.error.code === 'ERR_ALL_ATTEMPTS_FAILED');
  const attempts = r.error.details?.['attempts'] as AttemptRecord[];
  assert.deepEqual(attempts.map((a) => `${a.model}/${a.instance}:${a.skipped ? 'skip ' : ''}${a.failure}`), [
    'A/a1:retryable',
    'A/a2:skip retry-budget', 'A/a3:skip retry-budget', // budget 0: no retry on A, but B and C still tried
    'nope/:skip unknown-model',
    'B/b1:retryable',
    'B/b2:skip unhealthy',
    'C/c1:retryable',
  ]);
  assert.deepEqual(attempts.filter((a) => !a.skipped).map((a) => a.attempt), [0, 1, 2]);
  assert.deepEqual(skippedEvents, attempts.filter((a) => a.skipped));
  // A was put aside for its fallbacks; back to it at the end, a budget of 0 still refuses.
  assert.equal(r.error.details?.['reason'], 'retry-budget');
  assert.match(r.error.message, /All 3 attempt\(s\).*last: 502 from instance `c1`; skipped: a2@A retry-budget, a3@A retry-budget, nope unknown-model, b2@B unhealthy/);
});

test("ApiMap#execute() – a Retry-After is waited for only when no fallback can serve; fallbackBeforePanic: false waits first (0.1.0)", async () => {
  const single: ProviderSpec[] = [
    { name: 'pa', models: ['A'], instances: [{ id: 'a1', endpoint: 'a1' }] },
    { name: 'pb', models: ['B'], instances: [{ id: 'b1', endpoint: 'b1' }] },
  ];
  for (const fallbackBeforePanic of [true, false]) {
    const time = new FakeTime();
    const map = new ApiMap({ providers: single, fallbackBeforePanic, now: time.clock, timers: time });
    const served: string[] = [];
    let n = 0;
    const [r] = await drive([map.execute('A', (sel) => {
      if (sel.model === 'A' && ++n === 1) throw httpError(429, { retryAfterMs: 2000 });
      served.push(sel.instance.id);
      return time.now;
    }, { fallbackModels: ['B'] })], time);
    assert.ok(r?.ok);
    assert.deepEqual(served, fallbackBeforePanic ? ['b1'] : ['a1'], `fallbackBeforePanic: ${fallbackBeforePanic}`);
    assert.equal(r.value, fallbackBeforePanic ? 0 : 2000);
  }
});
