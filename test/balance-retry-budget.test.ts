// RetryBudget (R11): slots within max(min, ratio × active) at every grant, FIFO queueing for a
// request with nowhere else to go, no stranded waiter, and abort while queued.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryBudget } from '../src/balance/retry-budget.js';
import { seededRandom } from '../src/index.js';
import { flush } from './helpers/balance-sim.js';

test('RetryBudget – random acquire/queue/release/load: every grant fits max(min, ratio × active), every waiter settles', async () => {
  const rnd = seededRandom(99);
  for (const [ratio, min] of [[0.2, 3], [0.5, 0], [0, 1], [0, 0]] as const) {
    const b = new RetryBudget(ratio, min);
    let held = 0;
    let violations = 0;
    let pending = 0;
    let refused = 0;
    // Checked right when a slot is taken (tryAcquire, or a grant inside release()).
    const check = (): void => {
      if (b.retrying > Math.max(min, ratio * b.active)) violations++;
    };
    let grants = 0;
    for (let step = 0; step < 20_000; step++) {
      const x = rnd();
      if (x < 0.3) b.active++;
      else if (x < 0.5 && b.active > 0) b.active--;
      else if (x < 0.7) {
        if (b.tryAcquire()) { held++; grants++; check(); }
      } else if (x < 0.85) {
        pending++;
        void b.acquireOrWait(undefined).then((ok) => {
          pending--;
          if (ok) held++;
          else refused++;
        });
      } else if (held > 0) {
        held--;
        const before = b.retrying;
        b.release();
        if (b.retrying >= before) { grants++; check(); }
      }
      if (step % 100 === 0) await flush();
    }
    await flush();
    while (held > 0) {
      held--;
      const before = b.retrying;
      b.release();
      if (b.retrying >= before) check();
      await flush();
    }
    await flush();
    assert.equal(violations, 0, `ratio ${ratio}, min ${min}`);
    assert.equal(pending, 0, `every waiter settled (ratio ${ratio}, min ${min})`);
    assert.equal(b.retrying, 0);
    if (ratio === 0 && min === 0) assert.ok(refused > 0 && grants === 0, 'a zero budget refuses');
    else assert.ok(grants > 100, `exercised (${grants} grants)`);
  }
});

test('RetryBudget – a queued request gets the next free slot in order; tryAcquire does not jump the queue', async () => {
  const b = new RetryBudget(0, 1);
  b.active = 10;
  assert.ok(b.tryAcquire());
  const order: number[] = [];
  const w1 = b.acquireOrWait(undefined).then((ok) => { order.push(1); return ok; });
  const w2 = b.acquireOrWait(undefined).then((ok) => { order.push(2); return ok; });
  assert.equal(b.tryAcquire(), false);
  b.release();
  assert.equal(await w1, true);
  b.release();
  assert.equal(await w2, true);
  assert.deepEqual(order, [1, 2]);
  b.release();
  assert.equal(b.retrying, 0);
});

test('RetryBudget – aborting a queued request rejects it and frees its place', async () => {
  const b = new RetryBudget(0, 1);
  b.active = 1;
  assert.ok(b.tryAcquire());
  const ctrl = new AbortController();
  const w = b.acquireOrWait(ctrl.signal);
  ctrl.abort(new Error('gone'));
  await assert.rejects(w, /gone/);
  b.release();
  assert.equal(b.retrying, 0);
  assert.ok(b.tryAcquire(), 'nobody left in the queue');
});
