// Health checks (host probe decides, unref'd stoppable timer, probe timeout), stats(), history().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiMap, seededRandom, type InstanceHealthEvent } from '../src/index.js';
import type { Timers } from '../src/internal/deadline.js';
import { FakeTime, drive, flush, oneProvider } from './helpers/balance-sim.js';

test('ApiMap#checkHealth() – unhealthy instances leave rotation and come back when the probe passes', async () => {
  const m = new ApiMap({ providers: oneProvider(['a', 'b', 'c']), random: seededRandom(1) });
  const events: string[] = [];
  m.on('health:failed', (e: InstanceHealthEvent) => events.push(`down ${e.instance}`));
  m.on('health:recovered', (e: InstanceHealthEvent) => events.push(`up ${e.instance}`));
  const report = await m.checkHealth((i) => (i.id === 'b' ? Promise.reject(new Error('refused')) : true));
  assert.deepEqual(report, { healthy: ['a', 'c'], unhealthy: ['b'] });
  for (let i = 0; i < 30; i++) {
    const s = m.resolve('m');
    assert.ok(s.ok && s.instance.id !== 'b');
    s.release({ ok: true, latencyMs: 1 });
  }
  await m.checkHealth(() => true);
  const seen = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const s = m.resolve('m');
    assert.ok(s.ok);
    seen.add(s.instance.id);
    s.release({ ok: true, latencyMs: 1 });
  }
  assert.deepEqual([...seen].sort(), ['a', 'b', 'c']);
  assert.deepEqual(events, ['down b', 'up b']);
});

test('ApiMap#checkHealth() – the deprecated instance:unhealthy / instance:healthy still fire, after health:failed / health:recovered', async () => {
  const m = new ApiMap({ providers: oneProvider(['a', 'b']), random: seededRandom(1) });
  const events: string[] = [];
  m.on('health:failed', (e) => events.push(`health:failed ${e.instance}`));
  m.on('instance:unhealthy', (e) => events.push(`instance:unhealthy ${e.instance}`));
  m.on('health:recovered', (e) => events.push(`health:recovered ${e.instance}`));
  m.on('instance:healthy', (e) => events.push(`instance:healthy ${e.instance}`));
  await m.checkHealth((i) => i.id !== 'b');
  await m.checkHealth(() => true);
  assert.deepEqual(events, ['health:failed b', 'instance:unhealthy b', 'health:recovered b', 'instance:healthy b']);
});

test('ApiMap#checkHealth() – a probe that never settles is aborted after timeoutMs and counts as unhealthy', async () => {
  const time = new FakeTime();
  const m = new ApiMap({ providers: oneProvider(['a', 'b']), now: time.clock, timers: time });
  const signals: AbortSignal[] = [];
  const [r] = await drive([m.checkHealth((i, signal) => { signals.push(signal); return i.id === 'a' ? true : new Promise<boolean>(() => {}); }, { timeoutMs: 2000 })], time);
  assert.deepEqual(r, { ok: true, value: { healthy: ['a'], unhealthy: ['b'] } });
  assert.equal(time.now, 2000);
  assert.equal(signals[1]?.aborted, true);
  assert.equal(time.pending, 0);
});

test('ApiMap#startHealthChecks() – runs every intervalMs, stop() clears the timer', async () => {
  const time = new FakeTime();
  const m = new ApiMap({ providers: oneProvider(['a']), now: time.clock, timers: time });
  let rounds = 0;
  const handle = m.startHealthChecks({ intervalMs: 30_000, probe: () => { rounds++; return true; } });
  for (let i = 0; i < 3; i++) {
    time.advance(30_000);
    await flush();
  }
  assert.equal(rounds, 3);
  assert.equal(time.pending, 1);
  handle.stop();
  assert.equal(time.pending, 0);
  time.advance(100_000);
  await flush();
  assert.equal(rounds, 3);
  assert.throws(() => m.startHealthChecks({ intervalMs: -1, probe: () => true }), { code: 'ERR_INVALID_OPTION' });
});

test('ApiMap#startHealthChecks() – the real timer is unref\'d', () => {
  const handles: NodeJS.Timeout[] = [];
  const timers: Timers = {
    setTimeout: (fn, ms) => { const h = setTimeout(fn, ms); handles.push(h); return h; },
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };
  const m = new ApiMap({ providers: oneProvider(['a']), timers });
  m.startHealthChecks({ intervalMs: 60_000, probe: () => true });
  assert.equal(handles.length, 1);
  assert.equal(handles[0]!.hasRef(), false);
  m.close();
});

test('ApiMap#stats() and #history() – load, success rate, last 1,000 decisions', () => {
  const m = new ApiMap({ providers: oneProvider(['a', 'b']), breaker: false });
  const held = m.resolve('m');
  assert.ok(held.ok);
  for (let i = 0; i < 1500; i++) {
    const s = m.resolve('m');
    assert.ok(s.ok);
    s.release(i % 4 === 0 ? { ok: false, latencyMs: 5, status: 503 } : { ok: true, latencyMs: 5 });
    s.release({ ok: true, latencyMs: 5 }); // idempotent
  }
  const st = m.stats();
  assert.equal(st.totalLoad, 1);
  assert.equal(st.byInstance.reduce((a, s) => a + s.requests, 0), 1500);
  assert.equal(st.byInstance.reduce((a, s) => a + s.failures, 0), 375);
  held.release({ ok: true, latencyMs: 1 });
  assert.equal(m.stats().totalLoad, 0);
  const h = m.history();
  assert.equal(h.length, 1000);
  assert.equal(h[999]!.model, 'm');
  assert.ok(h.every((d) => d.strategy === 'round-robin' && (d.instance === 'a' || d.instance === 'b')));
  assert.equal(h[998]!.instance === h[999]!.instance, false, 'round-robin alternates');
});
