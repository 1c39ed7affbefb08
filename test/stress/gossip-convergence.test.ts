// G1 (randomized schedules converge) and G2 (negative controls prove the harness has power).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentHash, type VersionOrder } from '../../src/gossip/version.js';
import { runSchedule } from '../helpers/gossip-sim.js';

const SCHEDULES = Number(process.env['GOSSIP_SCHEDULES'] ?? 1000);

test(`RouteReplica – G1: ${SCHEDULES} randomized schedules (5 nodes, 200 msgs, 20% drop, 20% dup, reorder 50, late) converge to the oracle`, () => {
  let deliveries = 0;
  for (let seed = 1; seed <= SCHEDULES; seed++) {
    const r = runSchedule(seed);
    assert.equal(r.unexpected, 0, `seed ${seed}: a message was refused`);
    assert.ok(r.converged, `seed ${seed}: tables differ after anti-entropy`);
    assert.ok(r.matchesOracle, `seed ${seed}: tables differ from the oracle fold`);
    deliveries += r.deliveries;
  }
  assert.ok(deliveries > SCHEDULES * 800, `harness delivered ${deliveries} messages`);
});

const hashCmp = (a: Parameters<VersionOrder>[0], b: Parameters<VersionOrder>[0]): number => {
  const ha = contentHash(a);
  const hb = contentHash(b);
  return ha === hb ? 0 : ha < hb ? -1 : 1;
};
/** Mutant: no node-id tie-break (timestamp, seq, hash). */
const noNodeTiebreak: VersionOrder = (a, b) => a.timestamp - b.timestamp || a.seq - b.seq || hashCmp(a, b);
/** Mutant: no seq/hash tie-break (timestamp, node); equal → keep what is held. */
const noSeqHashTiebreak: VersionOrder = (a, b) => a.timestamp - b.timestamp || (a.from_node < b.from_node ? -1 : a.from_node > b.from_node ? 1 : 0);

for (const [name, order] of [['without the node-id tie-break', noNodeTiebreak], ['without the seq/hash tie-break', noSeqHashTiebreak]] as const) {
  test(`RouteReplica – G2: the G1 harness fails ${name} (negative control)`, () => {
    const runs = 200;
    let failed = 0;
    for (let seed = 1; seed <= runs; seed++) {
      const r = runSchedule(seed, order);
      if (!r.converged || !r.matchesOracle) failed++;
    }
    assert.ok(failed >= runs * 0.3, `only ${failed}/${runs} schedules failed`);
  });
}
