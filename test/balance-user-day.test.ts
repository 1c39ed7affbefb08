// ApiMap, the day a user lives through (R5b): default options, a coding-assistant gateway with
// a local model on three GPUs and two cloud fallbacks, health checks running, and faults that
// overlap — a crash, a hang the probe cannot see, rate limits with Retry-After, an overloaded
// GPU, a prompt too long for the local model, a user who cancels — then recovery. Simulated time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiMap, isSwitchyardError, seededRandom, type Selection } from '../src/index.js';
import { FakeTime, drive, httpError } from './helpers/balance-sim.js';

const LOCAL = 'qwen-coder';
const CLOUD = 'gpt-mini';
const LAST = 'haiku';

test('ApiMap – a day of overlapping faults with default options: nothing lost while some model can serve, and traffic comes home after recovery', async (t) => {
  const time = new FakeTime();
  const rnd = seededRandom(314);
  const map = new ApiMap({
    providers: [
      { name: 'ollama', models: [LOCAL], instances: [{ id: 'gpu-1', endpoint: 'http://gpu-1' }, { id: 'gpu-2', endpoint: 'http://gpu-2' }, { id: 'gpu-3', endpoint: 'http://gpu-3' }] },
      { name: 'openai', models: [CLOUD], instances: [{ id: 'oa-east', endpoint: 'https://east' }, { id: 'oa-west', endpoint: 'https://west' }] },
      { name: 'anthropic', models: [LAST], instances: [{ id: 'anthropic', endpoint: 'https://anthropic' }] },
    ],
    now: time.clock, timers: time, random: seededRandom(2718),
    ...(process.env['USER_DAY_LEGACY'] ? { fallbackBeforePanic: false, retry: { budgetScope: 'map' as const } } : {}),
  });
  const events: string[] = [];
  map.on('breaker:opened', (e) => events.push(`${Math.round(e.at / 1000)}s opened ${e.instance}`));
  map.on('breaker:closed', (e) => events.push(`${Math.round(e.at / 1000)}s closed ${e.instance}`));
  map.on('health:failed', (e) => events.push(`${Math.round(e.at / 1000)}s unhealthy ${e.instance}`));
  map.on('health:recovered', (e) => events.push(`${Math.round(e.at / 1000)}s healthy ${e.instance}`));

  // The world: what each instance does at a given second.
  const s = (): number => time.now / 1000;
  const crashed = (id: string): boolean => id === 'gpu-2' && s() >= 60 && s() < 200; // refuses connections, the probe sees it
  const hung = (id: string): boolean => id === 'gpu-3' && s() >= 60 && s() < 150; // accepts, never answers; the probe passes
  const overloaded = (id: string): boolean => id === 'gpu-1' && s() >= 120 && s() < 180; // 503 for 30% of calls
  const rateLimited = (id: string): boolean => id === 'oa-east' && s() >= 120 && s() < 180; // 429, Retry-After 20 s
  const health = map.startHealthChecks({ intervalMs: 10_000, probe: (inst) => !crashed(inst.id) });

  const callsTo = new Map<string, number>();
  let callsToUnhealthyGpu2 = 0;
  let gpu2MarkedUnhealthy = false;
  map.on('health:failed', (e) => { if (e.instance === 'gpu-2') gpu2MarkedUnhealthy = true; });
  map.on('health:recovered', (e) => { if (e.instance === 'gpu-2') gpu2MarkedUnhealthy = false; });

  const call = (long: boolean) => (sel: Selection, signal: AbortSignal): Promise<string> => {
    const id = sel.instance.id;
    callsTo.set(id, (callsTo.get(id) ?? 0) + 1);
    if (id === 'gpu-2' && gpu2MarkedUnhealthy) callsToUnhealthyGpu2++;
    const answer = (ms: number, fail?: Error): Promise<string> => new Promise((resolve, reject) => {
      const h = time.setTimeout(() => { signal.removeEventListener('abort', onAbort); if (fail) reject(fail); else resolve(`${sel.model}@${id}`); }, ms);
      const onAbort = (): void => { time.clearTimeout(h); reject(signal.reason); };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    if (sel.model === LOCAL && long) return answer(5, Object.assign(httpError(400), { code: 'context_length_exceeded' }));
    if (crashed(id)) return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    if (hung(id)) return new Promise<string>(() => {});
    if (overloaded(id) && rnd() < 0.3) return answer(50, httpError(503));
    if (rateLimited(id) && rnd() < 0.5) return answer(20, httpError(429, { headers: { 'retry-after': '20' } }));
    return answer(200 + Math.floor(rnd() * 600));
  };

  interface Req { readonly at: number; readonly long: boolean; readonly cancel: boolean; result?: { ok: boolean; value?: string; error?: unknown } }
  const done: Req[] = [];
  const WAVE = 10;
  for (let second = 0; second < 300; second++) {
    if (time.now < second * 1000) time.advance(second * 1000 - time.now);
    const reqs: Req[] = [];
    const promises: Promise<string>[] = [];
    for (let i = 0; i < WAVE; i++) {
      const req: Req = { at: second, long: second % 7 === 0 && i === 0, cancel: second % 11 === 0 && i === 1 };
      const ctrl = new AbortController();
      if (req.cancel) time.setTimeout(() => ctrl.abort(), 100); // the user closes the tab
      reqs.push(req);
      promises.push(map.execute(LOCAL, call(req.long), { fallbackModels: [CLOUD, LAST], timeoutMs: 2000, signal: ctrl.signal }));
    }
    const results = await drive(promises, time);
    results.forEach((r, i) => { reqs[i]!.result = r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error }; });
    done.push(...reqs);
  }
  health.stop();

  const byModel = (from: number, to: number): string => {
    const n = new Map<string, number>();
    for (const r of done) if (r.at >= from && r.at < to && r.result!.ok) { const m = r.result!.value!.split('@')[0]!; n.set(m, (n.get(m) ?? 0) + 1); }
    return [...n].map(([k, v]) => `${k} ${v}`).join(', ');
  };
  t.diagnostic(`served 0–60 s: ${byModel(0, 60)}; 60–120 s: ${byModel(60, 120)}; 120–180 s: ${byModel(120, 180)}; 180–300 s: ${byModel(180, 300)}`);
  t.diagnostic(events.join('; '));
  const phase = (from: number, to: number): Req[] => done.filter((r) => r.at >= from && r.at < to && !r.cancel);
  const failed = done.filter((r) => !r.cancel && !r.result!.ok);
  assert.deepEqual(failed.map((r) => `${r.at}s: ${String((r.result!.error as Error).message)}`), [], 'no request lost: some model could always serve');

  // Cancelled requests end with ERR_ABORTED and are not held against any instance.
  const cancelled = done.filter((r) => r.cancel);
  assert.ok(cancelled.length >= 25);
  for (const r of cancelled) {
    if (r.result!.ok) continue; // answered within 100 ms is impossible here, but a value is not a loss
    assert.ok(isSwitchyardError(r.result!.error) && r.result!.error.code === 'ERR_ABORTED');
  }
  assert.ok(cancelled.every((r) => !r.result!.ok));

  // Long prompts go straight to the cloud model: the local model cannot serve them, no retry there.
  for (const r of done.filter((x) => x.long && !x.cancel)) assert.match(r.result!.value!, new RegExp(`^${CLOUD}@|^${LAST}@`));

  // Phase 1 (0–60 s): all local.
  assert.ok(phase(0, 60).filter((r) => !r.long).every((r) => r.result!.value!.startsWith(LOCAL)), 'healthy: the local model serves everything');
  // Phase 2 (60–120 s): gpu-2 crashed (probe sees it), gpu-3 hangs (only timeouts show it).
  assert.equal(callsToUnhealthyGpu2, 0, 'no call to an instance the probe marked unhealthy');
  assert.ok(events.some((e) => e.endsWith('unhealthy gpu-2')) && events.some((e) => e.endsWith('opened gpu-3')), events.join('\n'));
  assert.ok(phase(80, 120).filter((r) => !r.long).every((r) => r.result!.value!.startsWith(LOCAL)), 'gpu-1 alone serves the local model; no panic onto the broken ones');
  // Phase 3 (120–180 s): gpu-1 overloaded, oa-east rate limited: failures move on, nothing lost.
  const p3 = phase(120, 180);
  assert.ok(p3.some((r) => r.result!.value!.startsWith(CLOUD)), 'overload spills to the cloud model');
  // Phase 4 (200–300 s): everything recovered; the last minute is local again.
  assert.ok(events.some((e) => e.endsWith('healthy gpu-2')) && events.some((e) => e.endsWith('closed gpu-3')), events.join('\n'));
  const last = phase(240, 300).filter((r) => !r.long);
  assert.ok(last.every((r) => r.result!.value!.startsWith(LOCAL)), 'traffic came home');
  const servedBy = new Set(last.map((r) => r.result!.value!.split('@')[1]));
  assert.deepEqual([...servedBy].sort(), ['gpu-1', 'gpu-2', 'gpu-3'], 'all three GPUs back in rotation');

  const st = map.stats();
  assert.equal(st.activeRequests, 0);
  assert.equal(st.retriesInFlight, 0);
  assert.equal(st.totalLoad, 0);
  assert.equal(time.pending, 0, 'no timer left (health checks stopped)');
});
