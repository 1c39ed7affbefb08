// R13: fastest strategy (EMA latency, α = 0.2) adapts within the computed bound and explores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiMap, seededRandom, SwitchyardError } from '../src/index.js';
import { oneProvider } from './helpers/balance-sim.js';

function pickAndRelease(m: ApiMap, latency: (id: string) => number, fail = false): string {
  const s = m.resolve('m');
  assert.ok(s.ok);
  const ms = latency(s.instance.id);
  s.release(fail ? { ok: false, latencyMs: ms, error: new SwitchyardError('ERR_TIMEOUT', 'timeout') } : { ok: true, latencyMs: ms });
  return s.instance.id;
}

function warm(explorationRate: number, seed = 1): ApiMap {
  const m = new ApiMap({ providers: oneProvider(['A', 'B']), strategy: 'fastest', explorationRate, emaAlpha: 0.2, breaker: false, random: seededRandom(seed) });
  // Unmeasured instances are tried first: A then B get their first sample.
  assert.equal(pickAndRelease(m, () => 100), 'A');
  assert.equal(pickAndRelease(m, () => 300), 'B');
  return m;
}

test('ApiMap fastest – A=100, B=300; A steps to 1000 ms: preference flips to B after exactly 2 samples (R13)', () => {
  const m = warm(0);
  // bound: n = ceil(ln((1000-300)/(1000-100)) / ln(0.8)) = ceil(1.126) = 2
  const n = Math.ceil(Math.log((1000 - 300) / (1000 - 100)) / Math.log(1 - 0.2));
  assert.equal(n, 2);
  assert.equal(pickAndRelease(m, () => 1000), 'A'); // EMA 280
  assert.equal(pickAndRelease(m, () => 1000), 'A'); // EMA 424
  assert.equal(pickAndRelease(m, () => 300), 'B');
  assert.ok(Math.abs(m.stats().byInstance[0]!.emaLatencyMs - 424) < 1e-9);
});

test('ApiMap fastest – a timeout counts as a penalty sample: one timeout flips the preference (R13)', () => {
  const m = warm(0);
  assert.equal(pickAndRelease(m, () => 150, true), 'A');
  assert.equal(pickAndRelease(m, () => 300), 'B');
  assert.ok(m.stats().byInstance[0]!.emaLatencyMs >= 0.8 * 100 + 0.2 * 10_000);
});

test('ApiMap fastest – ε = 5%: a slow-rated, recovered instance is re-measured within 100 picks in >= 98.8% of 3000 trials (theory 99.4%) (R13)', () => {
  const m = warm(0.05, 12);
  // Make A look slow (EMA ~1000) while B stays at 300.
  for (let i = 0; i < 30; i++) {
    const s = m.resolve('m', { strategy: 'round-robin' });
    assert.ok(s.ok);
    s.release({ ok: true, latencyMs: s.instance.id === 'A' ? 1000 : 300 });
  }
  let within = 0;
  const TRIALS = 3000;
  for (let t = 0; t < TRIALS; t++) {
    for (let k = 1; k <= 100; k++) {
      if (pickAndRelease(m, (id) => (id === 'A' ? 1000 : 300)) === 'A') {
        within++;
        break;
      }
    }
  }
  assert.ok(within / TRIALS >= 0.988, `${within}/${TRIALS}`);
  assert.ok(within / TRIALS <= 0.999, 'exploration is not too eager');
});
