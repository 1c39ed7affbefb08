// R3: concurrent execute() calls under fast-check's scheduler (random interleavings of
// upstream completions): every in-flight counter returns to 0 and every promise settles.
// Scaled down from RELIABILITY R3's 1,000 concurrent × 200 runs (26 s, fc.scheduler's cost
// grows with the number of scheduled tasks) to 1,000 concurrent × 10 runs plus
// 50 concurrent × 200 runs, to keep `npm test` fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApiMap, isSwitchyardError, seededRandom } from '../../src/index.js';
import { FakeTime, httpError, oneProvider } from '../helpers/balance-sim.js';

for (const [concurrent, runs] of [[1000, 10], [50, 200]] as const) {
test(`ApiMap#execute() – ${concurrent} concurrent requests under fc.scheduler() (${runs} runs): counters return to 0 (R3)`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.integer(), fc.constantFrom('round-robin', 'least-loaded', 'weighted'), async (s, seed, strategy) => {
      const time = new FakeTime();
      const rnd = seededRandom(seed);
      const m = new ApiMap({ providers: oneProvider(['a', 'b', 'c', 'd', 'e']), strategy, now: time.clock, timers: time, random: seededRandom(seed + 1) });
      let settled = 0;
      const all = Array.from({ length: concurrent }, () =>
        m.execute('m', () => (rnd() < 0.3 ? s.schedule(Promise.reject(httpError(503))) : s.schedule(Promise.resolve('ok'))), { fallbackModels: [] })
          .then(() => { settled++; }, (e: unknown) => { assert.ok(isSwitchyardError(e)); settled++; }),
      );
      await s.waitFor(Promise.all(all));
      assert.equal(settled, concurrent);
      const st = m.stats();
      assert.equal(st.totalLoad, 0);
      assert.equal(st.activeRequests, 0);
      assert.equal(st.retriesInFlight, 0);
      assert.equal(time.pending, 0);
    }),
    { numRuns: runs },
  );
});
}
