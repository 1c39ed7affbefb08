// The one timeout/abort race (src/internal/deadline.ts), in simulated time on injected timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delay, withDeadline } from '../src/internal/deadline.js';
import { FakeTime, flush } from './helpers/balance-sim.js';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
function watch<T>(p: Promise<T>): { readonly result: Outcome | undefined } {
  const box: { result: Outcome | undefined } = { result: undefined };
  p.then((value) => (box.result = { ok: true, value }), (error: unknown) => (box.result = { ok: false, error }));
  return box;
}
const hang = (): Promise<never> => new Promise<never>(() => {});

test('withDeadline() – a task past its timeout rejects with onTimeout()\'s reason at exactly T, and its signal aborts with it', async () => {
  const time = new FakeTime();
  let signal: AbortSignal | undefined;
  const reason = new Error('too slow');
  const box = watch(withDeadline((arg: string, s: AbortSignal, n: number) => { signal = s; assert.equal(arg, 'x'); assert.equal(n, 7); return hang(); }, 'x', 7, 500, undefined, time, () => reason));
  time.advance(499);
  await flush();
  assert.equal(box.result, undefined);
  assert.equal(signal!.aborted, false);
  time.advance(1);
  await flush();
  assert.deepEqual(box.result, { ok: false, error: reason });
  assert.equal(signal!.reason, reason);
  assert.equal(time.pending, 0);
});

test('withDeadline() – the outer signal\'s abort rejects with its reason (or abortReason of it), aborts the task, clears the timer and the listener', async () => {
  const time = new FakeTime();
  const outer = new AbortController();
  let signal: AbortSignal | undefined;
  const box = watch(withDeadline((_a: null, s: AbortSignal) => { signal = s; return hang(); }, null, 0, 1000, outer.signal, time, () => 'timeout'));
  const cause = new Error('caller gave up');
  outer.abort(cause);
  await flush();
  assert.deepEqual(box.result, { ok: false, error: cause });
  assert.equal(signal!.reason, cause);
  assert.equal(time.pending, 0, 'timer cleared');

  const outer2 = new AbortController();
  const mapped = watch(withDeadline(hang, null, 0, Infinity, outer2.signal, time, () => 'unused', (r) => ({ wrapped: r })));
  assert.equal(time.pending, 0, 'Infinity arms no timer');
  outer2.abort('why');
  await flush();
  assert.deepEqual(mapped.result, { ok: false, error: { wrapped: 'why' } });
});

test('withDeadline() – settles with the task (value, rejection, synchronous throw) and clears the timer; an aborted outer signal rejects without running it', async () => {
  const time = new FakeTime();
  assert.equal(await withDeadline((v: number) => v * 2, 21, 0, 1000, undefined, time, () => 'timeout'), 42);
  await assert.rejects(withDeadline(() => Promise.reject(new Error('no')), null, 0, 1000, undefined, time, () => 'timeout'), /no/);
  await assert.rejects(withDeadline(() => { throw new Error('sync'); }, null, 0, 1000, undefined, time, () => 'timeout'), /sync/);
  assert.equal(time.pending, 0);
  let ran = false;
  await assert.rejects(withDeadline(() => { ran = true; return 1; }, null, 0, 1000, AbortSignal.abort('early'), time, () => 'timeout'), (e) => e === 'early');
  assert.equal(ran, false);
  // a late settlement after the timeout changes nothing
  let resolveLate!: (v: string) => void;
  const late = watch(withDeadline(() => new Promise<string>((r) => { resolveLate = r; }), null, 0, 10, undefined, time, () => 'timeout'));
  time.advance(10);
  resolveLate('late');
  await flush();
  assert.deepEqual(late.result, { ok: false, error: 'timeout' });
});

test('delay() – resolves after ms on the injected timers; an abort rejects with abortReason and clears the timer', async () => {
  const time = new FakeTime();
  const done = watch(delay(100, undefined, time, () => 'unused'));
  time.advance(99);
  await flush();
  assert.equal(done.result, undefined);
  time.advance(1);
  await flush();
  assert.deepEqual(done.result, { ok: true, value: undefined });

  const ctrl = new AbortController();
  const aborted = watch(delay(100, ctrl.signal, time, (r) => `aborted: ${String(r)}`));
  ctrl.abort('stop');
  await flush();
  assert.deepEqual(aborted.result, { ok: false, error: 'aborted: stop' });
  assert.equal(time.pending, 0);
  await delay(0, AbortSignal.abort(), time, () => 'unused'); // nothing to wait for: resolves
});
