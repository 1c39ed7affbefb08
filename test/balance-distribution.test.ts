// R1 (weighted split), R2 (P2C least-loaded), R3 (round-robin exactness), fixed-ratio split,
// R5 (panic mode spread). Seeded PRNG: deterministic, and 100k picks give σ ≈ 0.16 pp, so
// the ±1 pp tolerance has real power (a uniform split would miss by 10+ pp).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiMap, seededRandom, type ApiMapOptions, type StrategyName } from '../src/index.js';
import { FakeTime, oneProvider } from './helpers/balance-sim.js';

const N = 100_000;

function shares(map: ApiMap, model: string, n: number, strategy?: StrategyName): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const sel = map.resolve(model, strategy === undefined ? undefined : { strategy });
    assert.ok(sel.ok);
    counts.set(sel.instance.id, (counts.get(sel.instance.id) ?? 0) + 1);
    sel.release({ ok: true, latencyMs: 1 });
  }
  return new Map([...counts].map(([k, v]) => [k, (100 * v) / n]));
}

function assertShares(actual: Map<string, number>, expected: Record<string, number>, tolPp = 1): void {
  for (const [id, want] of Object.entries(expected)) {
    const got = actual.get(id) ?? 0;
    assert.ok(Math.abs(got - want) <= tolPp, `${id}: ${got.toFixed(2)}% vs ${want}% (±${tolPp} pp)`);
  }
}

function map(options: Omit<ApiMapOptions, 'random'>, seed = 7): ApiMap {
  return new ApiMap({ breaker: false, ...options, random: seededRandom(seed) });
}

test('ApiMap#resolve() weighted – {5,3,2} over 100k picks within ±1 pp (R1)', () => {
  const m = map({ providers: oneProvider(['a', 'b', 'c'], ['m'], [5, 3, 2]), strategy: 'weighted' });
  assertShares(shares(m, 'm', N), { a: 50, b: 30, c: 20 });
});

test('ApiMap#resolve() weighted – a weight-0 instance is never picked', () => {
  const m = map({ providers: oneProvider(['a', 'b'], ['m'], [0, 1]), strategy: 'weighted' });
  assertShares(shares(m, 'm', 10_000), { a: 0, b: 100 }, 0);
});

test('new ApiMap() – all-zero weights for a model are a typed error (R1)', () => {
  assert.throws(() => new ApiMap({ providers: oneProvider(['a', 'b'], ['m'], [0, 0]) }), { name: 'SwitchyardError', code: 'ERR_INVALID_OPTION' });
});

function pin(m: ApiMap, id: string, others: string[], n: number): void {
  for (let i = 0; i < n; i++) {
    const sel = m.resolve('m', { strategy: 'round-robin', exclude: new Set(others) });
    assert.ok(sel.ok && sel.instance.id === id);
  }
}

test('ApiMap#resolve() least-loaded – P2C shares {44.45, 44.45, 11.1} with one instance at 10 in flight (R2)', () => {
  const m = map({ providers: oneProvider(['a', 'b', 'c']), strategy: 'least-loaded' });
  pin(m, 'c', ['a', 'b'], 10);
  assertShares(shares(m, 'm', N), { a: 44.45, b: 44.45, c: 11.1 });
});

test('ApiMap#resolve() least-loaded – two instances, one busy: {75, 25} (R2)', () => {
  const m = map({ providers: oneProvider(['a', 'b']), strategy: 'least-loaded' });
  pin(m, 'b', ['a'], 1);
  assertShares(shares(m, 'm', N), { a: 75, b: 25 });
});

test('ApiMap#resolve() least-loaded – weights 2:1 with the heavy one busy=1 → {50, 50} (R2)', () => {
  const m = map({ providers: oneProvider(['a', 'b'], ['m'], [2, 1]), strategy: 'least-loaded' });
  pin(m, 'a', ['b'], 1);
  assertShares(shares(m, 'm', N), { a: 50, b: 50 });
});

test('ApiMap#resolve() round-robin – 5 instances × 1000 rounds: each exactly 1000 (R3)', () => {
  const m = map({ providers: oneProvider(['a', 'b', 'c', 'd', 'e']) });
  const counts = shares(m, 'm', 5000);
  for (const id of ['a', 'b', 'c', 'd', 'e']) assert.equal(counts.get(id), 20);
});

test('ApiMap#resolve() round-robin – an ejected instance is skipped and positions stay stable (R3)', async () => {
  const m = map({ providers: oneProvider(['a', 'b', 'c', 'd', 'e']) });
  const next = (): string => {
    const s = m.resolve('m');
    assert.ok(s.ok);
    s.release({ ok: true, latencyMs: 1 });
    return s.instance.id;
  };
  assert.deepEqual([next(), next()], ['a', 'b']);
  await m.checkHealth((inst) => inst.id !== 'c');
  assert.deepEqual([next(), next(), next(), next()], ['d', 'e', 'a', 'b']);
  await m.checkHealth(() => true);
  assert.deepEqual([next(), next(), next(), next()], ['c', 'd', 'e', 'a']);
});

test('ApiMap#resolve() fixed-ratio – 60/40 local/remote within ±1 pp, other side when one is empty', async () => {
  const providers = [
    { name: 'local', models: ['m'], instances: [{ id: 'l1', endpoint: 'l1', deployment: 'local' as const }, { id: 'l2', endpoint: 'l2', deployment: 'local' as const }] },
    { name: 'remote', models: ['m'], instances: [{ id: 'r1', endpoint: 'r1', deployment: 'remote' as const }] },
  ];
  const m = map({ providers, strategy: 'fixed-ratio', localFraction: 0.6, panicThreshold: 0 });
  assertShares(shares(m, 'm', N), { l1: 30, l2: 30, r1: 40 });
  await m.checkHealth((inst) => inst.deployment === 'remote');
  assertShares(shares(m, 'm', 1000), { r1: 100 }, 0);
});

test('ApiMap#resolve() panic – below 50% eligible, 100k picks spread over all 10 instances ±1 pp (R5)', () => {
  const time = new FakeTime();
  const ids = Array.from({ length: 10 }, (_, i) => `i${i}`);
  const m = new ApiMap({ providers: oneProvider(ids), strategy: 'weighted', random: seededRandom(3), now: time.clock, timers: time });
  for (const id of ids.slice(0, 8)) {
    for (let k = 0; k < 5; k++) {
      const s = m.resolve('m', { strategy: 'round-robin', exclude: new Set(ids.filter((x) => x !== id)) });
      assert.ok(s.ok && s.instance.id === id);
      s.release({ ok: false, latencyMs: 1, status: 503 });
    }
  }
  assert.equal(m.stats().byInstance.filter((s) => s.breaker === 'open').length, 8);
  let panicked = 0;
  const counts = new Map<string, number>();
  for (let i = 0; i < N; i++) {
    const s = m.resolve('m');
    assert.ok(s.ok);
    if (s.panic) panicked++;
    counts.set(s.instance.id, (counts.get(s.instance.id) ?? 0) + 1);
    s.release({ ok: true, latencyMs: 1 });
  }
  assert.equal(panicked, N);
  assertShares(new Map([...counts].map(([k, v]) => [k, (100 * v) / N])), Object.fromEntries(ids.map((id) => [id, 10])));
});
