// ApiMap#execute() and the per-pool retry budget (R11, R5b): a refused retry moves on to the
// fallbacks and, when they fail too, comes back and queues for a slot; aborting while queued;
// option validation; stats().byModel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiMap, isSwitchyardError, seededRandom, type ApiMapOptions, type AttemptRecord, type ProviderSpec } from '../src/index.js';
import { FakeTime, drive, httpError } from './helpers/balance-sim.js';

const providers: ProviderSpec[] = [
  { name: 'pa', models: ['A'], instances: [{ id: 'a1', endpoint: 'a1' }, { id: 'a2', endpoint: 'a2' }, { id: 'a3', endpoint: 'a3' }] },
  { name: 'pb', models: ['B'], instances: [{ id: 'b1', endpoint: 'b1' }] },
];

test('ApiMap#execute() – a retry refused by the budget goes to the fallback first, then comes back for the next free slot', async () => {
  const time = new FakeTime();
  // One retry slot per pool: R1 holds it for 100 ms while R2 needs one too.
  const map = new ApiMap({ providers, strategy: 'round-robin', panicThreshold: 0, retry: { budgetMinConcurrency: 1, budgetRatio: 0 }, now: time.clock, timers: time });
  const log: string[] = [];
  const later = (ms: number, v: () => string | Error): Promise<string> => new Promise((resolve, reject) => time.setTimeout(() => { const x = v(); if (x instanceof Error) reject(x); else resolve(x); }, ms));
  let firstCalls = 0;
  const call = (who: string) => (sel: { instance: { id: string } }, _signal: AbortSignal, attempt: number): Promise<string> => {
    const id = sel.instance.id;
    log.push(`${time.now} ${who} ${id}`);
    if (attempt === 0 && ++firstCalls <= 2) return later(0, () => httpError(503)); // both first attempts fail
    if (id === 'b1') return later(0, () => httpError(503)); // the fallback is failing too
    return later(who === 'R1' ? 100 : 5, () => id); // R1's retry holds the only slot for 100 ms
  };
  const r1 = map.execute('A', call('R1'), { fallbackModels: ['B'] });
  const r2 = map.execute('A', call('R2'), { fallbackModels: ['B'] });
  const [o1, o2] = await drive([r1, r2], time);
  assert.ok(o1?.ok && o2?.ok, 'both served by A in the end');
  assert.equal(o1.value[0], 'a');
  assert.equal(o2.value[0], 'a');
  // R2: first attempt on A failed, retry refused (R1 holds the slot) → b1 failed → back to A after R1's retry ended.
  const r2Calls = log.filter((l) => l.includes(' R2 ')).map((l) => l.split(' ').slice(0, 1).concat(l.split(' ')[2]!).join(' '));
  assert.equal(r2Calls.length, 3, log.join('\n'));
  assert.ok(r2Calls[1]!.endsWith('b1'));
  assert.ok(Number(r2Calls[2]!.split(' ')[0]) >= 100, `R2 came back to A once the slot was free: ${r2Calls.join(', ')}`);
  const st = map.stats();
  assert.equal(st.retriesInFlight, 0);
  assert.equal(st.activeRequests, 0);
  assert.equal(time.pending, 0);
});

test('ApiMap#execute() – the refusal is in the error when the comeback fails too, and aborting while queued gives ERR_ABORTED', async () => {
  const time = new FakeTime();
  const map = new ApiMap({ providers, strategy: 'round-robin', panicThreshold: 0, retry: { budgetMinConcurrency: 1, budgetRatio: 0 }, now: time.clock, timers: time });
  const hold = map.execute('A', (_s, _signal, attempt) => (attempt === 0 ? Promise.reject(httpError(503)) : new Promise<string>((resolve) => time.setTimeout(() => resolve('x'), 1000))));
  const ctrl = new AbortController();
  let queuedCalls = 0;
  let abortedAt = -1;
  const queued = map.execute('A', () => { queuedCalls++; return Promise.reject(httpError(503)); }, { signal: ctrl.signal }).catch((e: unknown) => { abortedAt = time.now; throw e; });
  time.setTimeout(() => ctrl.abort(), 10);
  const [h, q] = await drive([hold, queued], time);
  assert.ok(h?.ok);
  assert.ok(q && !q.ok && isSwitchyardError(q.error) && q.error.code === 'ERR_ABORTED');
  assert.equal(queuedCalls, 1, 'its retry was queued, not made');
  assert.equal(abortedAt, 10, 'it waited in the queue until the caller aborted');
  assert.equal(map.stats().retriesInFlight, 0);

  // The holder takes the slot first and keeps it for 50 ms.
  const holder = map.execute('A', (_s, _signal, attempt) => (attempt === 0 ? Promise.reject(httpError(503)) : new Promise<string>((_, reject) => time.setTimeout(() => reject(httpError(502)), 50))), { retries: 1 });
  const failing = map.execute('A', () => Promise.reject(httpError(503)), { fallbackModels: ['B'], retries: 1 });
  const [, f] = await drive([holder, failing], time);
  assert.ok(f && !f.ok && isSwitchyardError(f.error) && f.error.code === 'ERR_ALL_ATTEMPTS_FAILED');
  const attempts = f.error.details?.['attempts'] as AttemptRecord[];
  const story = attempts.map((a) => `${a.instance}:${a.skipped ? 'skip ' : ''}${a.failure}`);
  // Refused on A, on to B (failed), back to A for a slot: the comeback's call is in the story too.
  assert.deepEqual(story.map((x) => x.replace(/^a\d/, 'a')), ['a:retryable', 'a:skip retry-budget', 'a:skip retry-budget', 'b1:retryable', 'a:retryable'], story.join(' '));
  assert.ok(attempts.filter((a) => !a.skipped).length <= 2 * 2, 'calls <= (1 + retries) × (1 + fallbacks)');
});

test("new ApiMap() – fallbackBeforePanic and retry.budgetScope are validated", () => {
  for (const [options, what] of [
    [{ fallbackBeforePanic: 'yes' }, 'fallbackBeforePanic'],
    [{ fallbackBeforePanic: 1 }, 'fallbackBeforePanic'],
    [{ retry: { budgetScope: 'global' } }, 'retry.budgetScope'],
    [{ retry: { budgetScope: null } }, 'retry.budgetScope'],
  ] as const) {
    assert.throws(() => new ApiMap({ providers, ...(options as unknown as Partial<ApiMapOptions>) }), (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_INVALID_OPTION' && e.message.includes(what), what);
  }
  assert.doesNotThrow(() => new ApiMap({ providers, fallbackBeforePanic: false, retry: { budgetScope: 'map' } }));
});

test('ApiMap#stats() – byModel reports eligible instances, panic, active requests and retries per model', async () => {
  const time = new FakeTime();
  const map = new ApiMap({ providers, now: time.clock, timers: time, random: seededRandom(1) });
  await map.checkHealth((i) => i.id === 'a1' || i.id === 'b1');
  const pending = map.execute('A', () => new Promise<string>((resolve) => time.setTimeout(() => resolve('ok'), 10)));
  const mid = map.stats().byModel;
  assert.deepEqual(mid, [
    { model: 'A', instances: 3, eligibleInstances: 1, panic: true, activeRequests: 1, retriesInFlight: 0 },
    { model: 'B', instances: 1, eligibleInstances: 1, panic: false, activeRequests: 0, retriesInFlight: 0 },
  ]);
  await drive([pending], time);
  assert.equal(map.stats().byModel[0]?.activeRequests, 0);
});
