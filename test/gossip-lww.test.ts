// G4 (duplicates = once, rebroadcast signal), G5 (reorder with tombstones), G8 (equal marker, different payload).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentHash } from '../src/gossip/version.js';
import { SIM_NOW, canonical, randomMessages, simReplica } from './helpers/gossip-sim.js';
import { prng } from './helpers/random.js';

const T = SIM_NOW - 10_000;
const add = (ts: number, node: string, extra: Record<string, unknown> = {}, seq = 1): Record<string, unknown> =>
  ({ type: 'route_update', action: 'add', project: { namespace: 'x', name: 'p', description: 'd', ...extra }, from_node: node, timestamp: ts, seq });
const remove = (ts: number, node: string, seq = 1): Record<string, unknown> =>
  ({ type: 'route_update', action: 'remove', project: { namespace: 'x', name: 'p' }, from_node: node, timestamp: ts, seq });
const live = (r: ReturnType<typeof simReplica>): boolean => r.get('x/p') !== undefined && r.get('x/p')!.action !== 'remove';

test('RouteReplica#receive() – G4: 10,000 random messages applied twice equal applied once; duplicates and older report not applied', () => {
  const msgs = randomMessages(prng(7), 10_000, 200);
  const once = simReplica('a');
  const twice = simReplica('b');
  let appliedFirst = 0;
  for (const m of msgs) {
    const first = twice.receive(m);
    if (first.reason === 'applied') appliedFirst++;
    const again = twice.receive(JSON.stringify(m));
    assert.equal(again.reason === 'applied', false, 'a duplicate must not ask for re-broadcast');
    assert.ok(again.reason === 'duplicate' || again.reason === 'stale');
    once.receive(m);
  }
  assert.deepEqual(twice.exportState().entries, once.exportState().entries);
  assert.ok(appliedFirst > 500, `${appliedFirst} applied`);
  // replaying everything again changes nothing and applies nothing
  for (const m of msgs) assert.notEqual(once.receive(m).reason, 'applied');
});

test('RouteReplica – G5: remove(ts=10) before add(ts=5) → absent', () => {
  const r = simReplica('n');
  assert.equal(r.receive(remove(T + 10, 'a')).reason, 'applied');
  assert.equal(r.receive(add(T + 5, 'a')).reason, 'stale');
  assert.equal(live(r), false);
  assert.equal(r.tombstones, 1);
});

test('RouteReplica – G5: add(ts=10, node=b) vs remove(ts=10, node=a) → the same winner in both orders', () => {
  const r1 = simReplica('1');
  const r2 = simReplica('2');
  r1.receive(add(T + 10, 'b')); r1.receive(remove(T + 10, 'a'));
  r2.receive(remove(T + 10, 'a')); r2.receive(add(T + 10, 'b'));
  assert.equal(live(r1), true);
  assert.deepEqual(r1.exportState().entries, r2.exportState().entries);
});

test('RouteReplica – G5: re-add after remove with a higher timestamp → present; replay of the older add → stays removed', () => {
  const r = simReplica('n');
  const first = add(T + 1, 'a');
  r.receive(first);
  r.receive(remove(T + 2, 'a', 2));
  assert.equal(r.receive(first).reason, 'stale');
  assert.equal(live(r), false);
  assert.equal(r.receive(add(T + 3, 'b')).reason, 'applied');
  assert.equal(live(r), true);
  assert.equal(r.tombstones, 0);
});

test('RouteReplica – G8: equal marker with different payload → the larger content hash wins on every node, in any order (1,000 runs)', () => {
  const rnd = prng(8);
  for (let run = 0; run < 1000; run++) {
    const ts = T + Math.floor(rnd() * 100);
    const variants = [0, 1, 2].map((k) => {
      const v = k === 2 && rnd() < 0.5 ? remove(ts, 'a', 5) : add(ts, 'a', { description: `v${run}-${k}`, ...(rnd() < 0.5 ? { embedding: [rnd() + 0.1, rnd(), rnd(), rnd()] } : {}) }, 5);
      if ((v['project'] as Record<string, unknown>)['embedding']) v['embedder'] = 'sim';
      return v;
    });
    const best = variants.map(canonical).reduce((x, y) => (contentHash(x) > contentHash(y) ? x : y));
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0]]) {
      const r = simReplica('n');
      for (const i of order) r.receive(rnd() < 0.5 ? variants[i]! : JSON.stringify(variants[i]));
      assert.deepEqual(r.get('x/p'), best);
    }
  }
});
