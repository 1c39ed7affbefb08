// E6: hostile numeric and structural options -> typed ERR_INVALID_OPTION at construction,
// never a TypeError; property: for any valid weights, selection probabilities are finite and sum to 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApiMap, isSwitchyardError, seededRandom, type ApiMapOptions } from '../src/index.js';
import { weightedShares } from '../src/balance/weighted.js';
import { oneProvider } from './helpers/balance-sim.js';

const HOSTILE: unknown[] = [NaN, Infinity, -Infinity, -0, -1, 1e308, '5', null, 2 ** 53 + 1];

function rejects(options: unknown, what: string): void {
  try {
    new ApiMap(options as ApiMapOptions);
  } catch (e) {
    assert.ok(isSwitchyardError(e), `${what}: expected SwitchyardError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_INVALID_OPTION', what);
    return;
  }
  assert.fail(`${what}: accepted`);
}

function withWeight(w: unknown): unknown {
  return { providers: [{ name: 'p', models: ['m'], instances: [{ id: 'a', endpoint: 'x', weight: w }, { id: 'b', endpoint: 'y' }] }] };
}

test('new ApiMap() – hostile weights, timeouts and fractions are typed errors (E6)', () => {
  for (const v of HOSTILE) {
    const shown = typeof v === 'string' ? `"${v}"` : Object.is(v, -0) ? '-0' : String(v);
    rejects(withWeight(v), `weight ${shown}`);
    if (!Object.is(v, -0)) {
      rejects({ providers: oneProvider(['a']), timeoutMs: v }, `timeoutMs ${shown}`);
      rejects({ providers: oneProvider(['a']), breaker: { cooldownMs: v } }, `breaker.cooldownMs ${shown}`);
      rejects({ providers: oneProvider(['a']), retry: { retries: v } }, `retry.retries ${shown}`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      rejects({ providers: oneProvider(['a']), localFraction: v }, `localFraction ${shown}`);
      rejects({ providers: oneProvider(['a']), panicThreshold: v }, `panicThreshold ${shown}`);
    }
    if (v !== null) rejects({ providers: oneProvider(['a']), breaker: { failureRateThreshold: v } }, `failureRateThreshold ${shown}`);
  }
});

test('new ApiMap() – structural errors are typed: empty providers, unknown strategy, duplicates, wrong shapes', () => {
  rejects({ providers: [] }, 'empty providers');
  rejects({}, 'missing providers');
  rejects(null, 'null options');
  rejects({ providers: [null] }, 'null provider');
  rejects({ providers: [{ name: 'p', models: [], instances: [{ id: 'a', endpoint: 'x' }] }] }, 'no models');
  rejects({ providers: [{ name: 'p', models: ['m'], instances: [] }] }, 'no instances');
  rejects({ providers: [{ name: 'p', models: ['m'], instances: [{ id: 'a', endpoint: 'x', models: ['other'] }] }] }, 'instance model not of provider');
  rejects({ providers: oneProvider(['a', 'a']) }, 'duplicate instance id');
  rejects({ providers: [...oneProvider(['a']), ...oneProvider(['b'])] }, 'duplicate provider name');
  rejects({ providers: oneProvider(['a']), strategy: 'random' }, 'unknown strategy');
  rejects({ providers: oneProvider(['a']), breaker: 'yes' }, 'breaker not an object');
  rejects({ providers: oneProvider(['a']), random: 4 }, 'random not a function');
  rejects({ providers: [{ name: 'p', models: ['m'], instances: [{ id: 'a', endpoint: 'x', deployment: 'edge' }] }] }, 'unknown deployment');
});

test('new ApiMap() – a model named __proto__ or constructor is just a model (no prototype pollution)', () => {
  const m = new ApiMap({ providers: oneProvider(['a'], ['__proto__', 'constructor']) });
  assert.ok(m.resolve('__proto__').ok);
  assert.ok(m.resolve('constructor').ok);
  assert.deepEqual(m.resolve('toString'), { ok: false, model: 'toString', reason: 'unknown-model' });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.throws(() => m.resolve('constructor', { strategy: 'toString' as 'weighted' }), { name: 'SwitchyardError', code: 'ERR_INVALID_OPTION' });
  rejects({ providers: oneProvider(['a']), strategy: 'hasOwnProperty' }, 'strategy from Object.prototype');
});

test('weightedShares() – property: for any valid weights the probabilities are finite and sum to 1 (E6)', () => {
  fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), (weights) => {
    const p = weightedShares(weights);
    assert.ok(p.every((x) => Number.isFinite(x) && x >= 0));
    assert.ok(Math.abs(p.reduce((a, x) => a + x, 0) - 1) < 1e-9);
  }));
});

test('ApiMap#resolve() – property: any valid config resolves every model with every strategy', () => {
  const strategies = ['round-robin', 'least-loaded', 'fastest', 'weighted', 'fixed-ratio'] as const;
  fc.assert(fc.property(
    fc.array(fc.record({ w: fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)), local: fc.boolean() }), { minLength: 1, maxLength: 12 })
      .filter((xs) => xs.some((x) => x.w > 0)),
    fc.constantFrom(...strategies), fc.integer(),
    (insts, strategy, seed) => {
      const m = new ApiMap({
        providers: [{ name: 'p', models: ['m'], instances: insts.map((x, i) => ({ id: `i${i}`, endpoint: 'e', weight: x.w, deployment: x.local ? 'local' : 'remote' })) }],
        strategy, localFraction: 0.6, random: seededRandom(seed),
      });
      for (let k = 0; k < 20; k++) {
        const s = m.resolve('m');
        assert.ok(s.ok);
        s.release({ ok: k % 3 !== 0, latencyMs: k % 5 === 0 ? NaN : k, status: 503 });
      }
      assert.equal(m.stats().totalLoad, 0);
      assert.ok(m.stats().byInstance.every((s) => Number.isFinite(s.emaLatencyMs)));
    },
  ), { numRuns: 200 });
});
