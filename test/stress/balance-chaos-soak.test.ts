// ApiMap#execute() chaos soak (R5b, R9): 10,000 requests, 50–200 concurrent, 3 models × 3
// instances, default options, faults that change over time. Every request settles; every
// failure is typed and allowed by the property "a request fails only when, at the time it was
// tried, neither its model nor any fallback model had an instance that could serve it".
// Simulated time; reports the counts per fault kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiMap, isSwitchyardError, seededRandom, type AttemptRecord, type BreakerState, type ProviderSpec, type Selection } from '../../src/index.js';
import { FakeTime, flush, httpError } from '../helpers/balance-sim.js';

const MODELS = ['M0', 'M1', 'M2'] as const;
const providers: ProviderSpec[] = MODELS.map((m, p) => ({
  name: `p${p}`, models: [m], instances: [0, 1, 2].map((i) => ({ id: `${m}-${i}`, endpoint: `http://${m}-${i}` })),
}));
const INSTANCES = providers.flatMap((p) => p.instances.map((i) => i.id));

const FAULTS = ['ok', '5xx-burst', '429', 'hang', 'reset', 'slow'] as const;
type Fault = (typeof FAULTS)[number];
const N = 10_000;
// LLM-like latencies (0.2–1.5 s) so that 10,000 requests span minutes of simulated time: the
// faults change every epoch, breakers cool down (30 s by default) and half-open.
const EPOCH_MS = 5000;
const TIMEOUT_MS = 3000;
const RATE_LIMIT_COOLDOWN_MS = 5000; // ApiMap's default rateLimitCooldownMs
const RECOVERING = 'M0-0'; // hangs until RECOVER_AT, then healthy
const RECOVER_AT = 20_000;

test('ApiMap#execute() – chaos soak: 10,000 requests, 50–200 concurrent, time-varying faults; every failure typed and allowed', async (t) => {
  const time = new FakeTime();
  const rnd = seededRandom(20261127);
  const map = new ApiMap({ providers, now: time.clock, timers: time, random: seededRandom(5) });

  // Fault schedule: each instance draws a mode per epoch of simulated time.
  const schedule = new Map<string, Fault[]>();
  const modeOf = (id: string, now: number): Fault => {
    if (id === RECOVERING) return now < RECOVER_AT ? 'hang' : 'ok';
    const epoch = Math.floor(now / EPOCH_MS);
    let modes = schedule.get(id);
    if (modes === undefined) schedule.set(id, (modes = []));
    while (modes.length <= epoch) {
      const x = rnd();
      modes.push(x < 0.55 ? 'ok' : x < 0.67 ? '5xx-burst' : x < 0.75 ? '429' : x < 0.83 ? 'hang' : x < 0.9 ? 'reset' : 'slow');
    }
    return modes[epoch]!;
  };

  // The test's own model of the world, to check every skip the map reports at the moment it does.
  const breaker = new Map<string, BreakerState>();
  map.on('breaker:opened', (e) => breaker.set(e.instance, 'open'));
  map.on('breaker:half-opened', (e) => breaker.set(e.instance, 'half-open'));
  map.on('breaker:closed', (e) => breaker.set(e.instance, 'closed'));
  const coolUntil = new Map<string, number>();
  const skipCauses = new Map<string, number>();
  const badSkips: string[] = [];
  map.on('attempt:skipped', (a) => {
    skipCauses.set(a.failure, (skipCauses.get(a.failure) ?? 0) + 1);
    const s = breaker.get(a.instance) ?? 'closed';
    const ok = a.failure === 'breaker-open' ? s !== 'closed'
      : a.failure === 'cooling-down' ? time.now < (coolUntil.get(a.instance) ?? -Infinity)
      : a.failure === 'retry-budget';
    if (!ok) badSkips.push(`${a.instance} ${a.failure} at ${time.now} (breaker ${s})`);
  });

  interface Outcome { ok: boolean; faults: Set<Fault>; error?: unknown; chain: string[]; retries: number; calls: number }
  const outcomes: Outcome[] = [];
  const hungSignals: AbortSignal[] = [];
  const servedAfterRecovery = { n: 0 };
  let inflight = 0;
  let launched = 0;
  let settled = 0;
  let maxInflight = 0;
  let target = 50;
  let nextRetarget = 0;

  const upstream = (o: Outcome) => (sel: Selection, signal: AbortSignal): Promise<string> => {
    o.calls++;
    const id = sel.instance.id;
    const now = time.now;
    const mode = modeOf(id, now);
    o.faults.add(mode);
    if (id === RECOVERING && now >= RECOVER_AT) servedAfterRecovery.n++;
    const answerAfter = (ms: number, fail?: () => Error): Promise<string> => new Promise<string>((resolve, reject) => {
      const h = time.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        if (fail === undefined) resolve(id);
        else {
          const e = fail() as Error & { status?: number; retryAfterMs?: number };
          if (e.status === 429) {
            const ra = e.retryAfterMs ?? 0;
            coolUntil.set(id, Math.max(coolUntil.get(id) ?? -Infinity, time.now + Math.max(ra, RATE_LIMIT_COOLDOWN_MS)));
          }
          reject(e);
        }
      }, ms);
      const onAbort = (): void => { time.clearTimeout(h); reject(signal.reason); };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const base = 200 + Math.floor(rnd() * 1300);
    switch (mode) {
      case 'ok': return answerAfter(base);
      case '5xx-burst': return rnd() < 0.9 ? answerAfter(base, () => httpError([500, 502, 503, 504][Math.floor(rnd() * 4)]!)) : answerAfter(base);
      case '429': return rnd() < 0.7 ? answerAfter(base, () => httpError(429, { retryAfterMs: 200 + Math.floor(rnd() * 2800) })) : answerAfter(base);
      case 'hang':
        hungSignals.push(signal);
        return new Promise<string>(() => {}); // ignores its signal: only the timeout ends it
      case 'reset': return rnd() < 0.6 ? answerAfter(base, () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })) : answerAfter(base);
      case 'slow': return answerAfter(1500 + Math.floor(rnd() * 3500)); // past the 3 s timeout about 40% of the time
    }
  };

  const launch = (): void => {
    const primary = Math.floor(rnd() * 3);
    const nFallbacks = Math.floor(rnd() * 3); // 0, 1 or 2 fallback models
    const chain = [0, 1, 2].map((k) => MODELS[(primary + k) % 3]!).slice(0, 1 + nFallbacks);
    const o: Outcome = { ok: false, faults: new Set(), chain, retries: 2, calls: 0 };
    outcomes.push(o);
    inflight++;
    launched++;
    maxInflight = Math.max(maxInflight, inflight);
    map.execute(chain[0]!, upstream(o), { fallbackModels: chain.slice(1), timeoutMs: TIMEOUT_MS }).then(
      () => { o.ok = true; },
      (e: unknown) => { o.error = e; },
    ).finally(() => { inflight--; settled++; });
  };

  const deadline = performance.now() + 120_000; // a hang fails the test, it never stalls CI
  while (settled < N) {
    if (time.now >= nextRetarget) {
      target = 50 + Math.floor(rnd() * 151);
      nextRetarget = time.now + 1000;
    }
    while (inflight < target && launched < N) launch();
    await flush();
    if (settled >= N) break;
    if (!time.runNext()) {
      await flush();
      assert.ok(inflight === 0 || time.pending > 0, `stuck: ${inflight} in flight, no timer pending`);
    }
    assert.ok(performance.now() < deadline, 'soak took over 120 s of real time');
  }

  // Every request settled, nothing left behind.
  assert.equal(outcomes.length, N);
  assert.equal(settled, N);
  assert.ok(maxInflight >= 150 && maxInflight <= 200, `concurrency reached ${maxInflight}`);
  assert.equal(time.pending, 0, 'no timers left');
  assert.ok(hungSignals.length > 0 && hungSignals.every((s) => s.aborted), 'every hung call was aborted by its timeout');
  const st = map.stats();
  assert.equal(st.activeRequests, 0);
  assert.equal(st.retriesInFlight, 0);
  assert.equal(st.totalLoad, 0);
  assert.deepEqual(badSkips, [], 'every skip the map reported matched the world at that moment');

  // The property, for every failure.
  const failuresBy = new Map<string, number>();
  let budgetLimited = 0;
  for (const o of outcomes) {
    assert.ok(o.calls <= (1 + o.retries) * o.chain.length, `calls ${o.calls} for a chain of ${o.chain.length}`);
    if (o.ok) continue;
    assert.ok(isSwitchyardError(o.error), `typed error, got ${String(o.error)}`);
    const e = o.error;
    assert.ok(e.code === 'ERR_ALL_ATTEMPTS_FAILED' || e.code === 'ERR_NO_HEALTHY_INSTANCE', e.code);
    const reason = String(e.details?.['reason']);
    failuresBy.set(`${e.code} ${reason}`, (failuresBy.get(`${e.code} ${reason}`) ?? 0) + 1);
    const attempts = e.details?.['attempts'] as AttemptRecord[];
    for (const model of o.chain) {
      const own = attempts.filter((a) => a.model === model);
      const made = own.filter((a) => !a.skipped).length;
      // Each model of the chain was reached, and each of its instances was tried, or was not
      // eligible when its turn came (a cause the world model above confirmed), or the model
      // used all its 1 + retries attempts.
      const accounted = new Set(own.map((a) => a.instance));
      const untried = providers[MODELS.indexOf(model as (typeof MODELS)[number])]!.instances.filter((i) => !accounted.has(i.id));
      assert.ok(made === 1 + o.retries || untried.length === 0, `${model}: ${made} attempts, ${untried.map((i) => i.id).join(',')} unaccounted`);
      // A failed attempt must be a retryable failure: nothing in this soak is fatal.
      assert.ok(own.every((a) => a.skipped || a.failure === 'retryable'));
      if (own.some((a) => a.failure === 'retry-budget')) {
        budgetLimited++;
        if (process.env['SOAK_DEBUG']) console.log(o.chain.join('>'), attempts.map((a) => `${a.instance}:${a.skipped ? 'skip ' : ''}${a.timedOut ? 'timeout' : a.status ?? a.failure}`).join(' '));
      }
    }
  }
  assert.equal(budgetLimited, 0, 'no request failed while its retry budget held back an eligible instance');

  const ok = outcomes.filter((o) => o.ok).length;
  const rows = FAULTS.map((f) => {
    const hit = outcomes.filter((o) => o.faults.has(f));
    const good = hit.filter((o) => o.ok).length;
    return `${f}: ${good}/${hit.length} succeeded`;
  });
  const byChain = [1, 2, 3].map((len) => {
    const c = outcomes.filter((o) => o.chain.length === len);
    return `${len - 1} fallback(s) ${c.filter((o) => o.ok).length}/${c.length}`;
  });
  t.diagnostic(`succeeded ${ok}/${N} (${(100 * ok / N).toFixed(2)}%): ${byChain.join(', ')}; max concurrency ${maxInflight}; simulated ${(time.now / 1000).toFixed(1)} s`);
  t.diagnostic(`requests that met each fault kind: ${rows.join('; ')}`);
  t.diagnostic(`failures: ${[...failuresBy].map(([k, v]) => `${k} ${v}`).join('; ') || 'none'}`);
  t.diagnostic(`skipped instances by cause: ${[...skipCauses].map(([k, v]) => `${k} ${v}`).join('; ')}`);
  // The recovering instance came back.
  assert.equal(st.byInstance.find((s) => s.id === RECOVERING)?.breaker, 'closed');
  assert.ok(servedAfterRecovery.n > 100, `the recovered instance served ${servedAfterRecovery.n}`);

  assert.ok(ok / N >= 0.9, `success ${ok / N}`);
  void INSTANCES;
});
