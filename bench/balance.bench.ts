// ApiMap hot paths: resolve()+release() per strategy with 10 instances, breaker transitions,
// and execute() overhead with an immediately resolving call.
import { ApiMap, seededRandom, type StrategyName } from '../src/index.js';
import { CircuitBreaker, resolveCircuitBreakerOptions } from '../src/balance/circuit-breaker.js';
import { measure, measureAsync, type BenchSection, type CaseResult } from './harness.js';

const providers = [{
  name: 'p', models: ['m'],
  instances: Array.from({ length: 10 }, (_, i) => ({ id: `i${i}`, endpoint: `http://i${i}`, weight: 1 + (i % 3), deployment: i < 4 ? 'local' as const : 'remote' as const })),
}];

export default async function (): Promise<BenchSection[]> {
  const strategies: StrategyName[] = ['round-robin', 'least-loaded', 'fastest', 'weighted', 'fixed-ratio'];
  const resolveResults: CaseResult[] = [];
  for (const strategy of strategies) {
    const map = new ApiMap({ providers, strategy, localFraction: 0.6, random: seededRandom(1) });
    let t = 0;
    resolveResults.push(measure(`resolve()+release() ${strategy}, 10 instances`, (i) => {
      const s = map.resolve('m');
      if (s.ok) s.release({ ok: true, latencyMs: 10 + (i & 7) });
      return (t += 1);
    }, { targetNs: 1000, target: '<= 1 µs' }));
  }
  {
    const map = new ApiMap({ providers, random: seededRandom(1) });
    const exclude = new Set(['i0', 'i1']);
    resolveResults.push(measure('resolve({ exclude: 2 ids })+release() round-robin', () => {
      const s = map.resolve('m', { exclude });
      if (s.ok) s.release({ ok: true, latencyMs: 10 });
      return s;
    }));
    const failing = new ApiMap({ providers, breaker: false, random: seededRandom(1) });
    resolveResults.push(measure('resolve()+release(503) failure path', () => {
      const s = failing.resolve('m');
      if (s.ok) s.release({ ok: false, latencyMs: 10, status: 503 });
      return s;
    }));
  }

  const o = resolveCircuitBreakerOptions({ cooldownJitter: 0, cooldownMs: 10, maxCooldownMs: 10 });
  const b = new CircuitBreaker(o, seededRandom(1));
  let now = 0;
  const breakerResults = [
    measure('breaker canRequest+onResult (closed, success)', () => {
      b.onResult(b.onRequest(now), false, now);
      return b.canRequest(now);
    }),
    measure('breaker full cycle closed→open→half-open→closed (5 fails + probe)', () => {
      for (let k = 0; k < 5; k++) b.onResult(b.onRequest(now), true, now);
      now += 11;
      b.onResult(b.onRequest(now), false, now);
      return b.state(now);
    }, { note: 'one case = 5 failed calls, one lazy open→half-open check, one successful trial' }),
  ];

  const execMap = new ApiMap({ providers, strategy: 'least-loaded', random: seededRandom(2) });
  const call = (): Promise<number> => Promise.resolve(1);
  const baseline = await measureAsync('baseline: await call() directly', () => call(), { batch: 64 });
  const exec = await measureAsync('execute() with an immediately resolving call', () => execMap.execute('m', call), { batch: 64 });
  return [
    { title: 'ApiMap resolve()+release()', results: resolveResults, notes: ['10 instances, one model; the Selection object is the only per-call allocation (no per-instance scratch arrays).'] },
    { title: 'Circuit breaker', results: breakerResults },
    {
      title: 'ApiMap execute() overhead',
      results: [baseline, exec],
      notes: [`execute() overhead over a bare await: ${((exec.medianNs - baseline.medianNs) / 1000).toFixed(2)} µs (AbortController + timeout timer + resolve/release per attempt).`],
    },
  ];
}
