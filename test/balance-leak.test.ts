// L1: 1,000,000 resolve()+release() with random failures and latencies over 10 instances do
// not grow the heap (gc() + heap sample every 100k; about 1.5 s here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ApiMap, seededRandom } from '../src/index.js';
import { FakeTime, oneProvider } from './helpers/balance-sim.js';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('ApiMap – 1M resolve()+release() with failures: heap max/mid < 1.1, load 0, no timers (L1)', () => {
  const time = new FakeTime();
  const rnd = seededRandom(8);
  const ids = Array.from({ length: 10 }, (_, i) => `i${i}`);
  const m = new ApiMap({ providers: oneProvider(ids), strategy: 'least-loaded', now: time.clock, timers: time, random: seededRandom(1) });
  const N = 1_000_000;
  const samples: number[] = [];
  for (let i = 1; i <= N; i++) {
    const s = m.resolve('m');
    if (s.ok) {
      const fail = rnd() < 0.1;
      s.release(fail ? { ok: false, latencyMs: rnd() * 500, status: 503 } : { ok: true, latencyMs: rnd() * 200 });
    }
    if (i % 100 === 0) time.now += 50;
    if (i % 100_000 === 0) {
      gc();
      samples.push(v8.getHeapStatistics().used_heap_size);
    }
  }
  const mid = samples[Math.floor(samples.length / 2)]!;
  const ratio = Math.max(...samples) / mid;
  assert.ok(ratio < 1.1, `heap ratio ${ratio.toFixed(3)} (${samples.map((s) => (s / 1e6).toFixed(1)).join(', ')} MB)`);
  assert.equal(m.stats().totalLoad, 0);
  assert.equal(m.history().length, 1000);
  assert.equal(time.pending, 0);
});
