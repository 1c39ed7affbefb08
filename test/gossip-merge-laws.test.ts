// G3: mergeState is commutative, associative and idempotent (fast-check, 1,000 runs each).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RouteTableState } from '../src/gossip/route-state.js';
import { randomMessages, simReplica } from './helpers/gossip-sim.js';
import { prng } from './helpers/random.js';

/** A state: the table of a node that received a random subset of random messages. */
const stateArb = fc.tuple(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 12 })).map(([seed, n]) => {
  const r = simReplica('s');
  for (const m of randomMessages(prng(seed), n, 6)) r.receive(m);
  return r.exportState();
});

function merged(...states: RouteTableState[]): string {
  const r = simReplica('m');
  for (const s of states) assert.equal(r.mergeState(s).error, undefined);
  return JSON.stringify(r.exportState().entries);
}
function asState(entries: string): RouteTableState {
  return { type: 'route_state', from_node: 'x', entries: JSON.parse(entries) as RouteTableState['entries'] };
}

test('RouteReplica#mergeState() – G3: commutative (1,000 runs)', () => {
  fc.assert(fc.property(stateArb, stateArb, (a, b) => merged(a, b) === merged(b, a)), { numRuns: 1000, seed: 42 });
});

test('RouteReplica#mergeState() – G3: associative (1,000 runs)', () => {
  fc.assert(fc.property(stateArb, stateArb, stateArb, (a, b, c) =>
    merged(asState(merged(a, b)), c) === merged(a, asState(merged(b, c)))), { numRuns: 1000, seed: 43 });
});

test('RouteReplica#mergeState() – G3: idempotent (1,000 runs)', () => {
  fc.assert(fc.property(stateArb, (a) => merged(a, a) === merged(a) && merged(a) === JSON.stringify(a.entries)), { numRuns: 1000, seed: 44 });
});
