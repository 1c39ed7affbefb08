// G6 (late / beyond the retention horizon: no resurrection) and G7 (clock poisoning).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSwitchyardError } from '../src/index.js';
import { compareVersions } from '../src/gossip/version.js';
import type { RouteUpdateMessage } from '../src/gossip/route-update.js';
import { SIM_NOW, canonical, simReplica } from './helpers/gossip-sim.js';
import { prng } from './helpers/random.js';

const DAY = 86_400_000;
const msg = (action: string, ts: number, node: string, seq: number, name = 'p'): Record<string, unknown> => ({
  type: 'route_update', action, project: action === 'remove' ? { namespace: 'x', name } : { namespace: 'x', name, description: `${node}${seq}` },
  from_node: node, timestamp: ts, seq,
});

test('RouteReplica – G6: a message older than the retention window is rejected as expired and cannot resurrect a collected tombstone', () => {
  let now = SIM_NOW;
  const r = simReplica('n', undefined, () => now, DAY);
  const oldAdd = msg('add', now - 1000, 'a', 1);
  assert.equal(r.receive(msg('remove', now - 500, 'b', 1)).reason, 'applied');
  now += DAY; // tombstone is now older than the window
  assert.equal(r.collectGarbage(), 1);
  assert.equal(r.size, 0);
  const late = r.receive(oldAdd);
  assert.equal(late.reason, 'expired');
  assert.equal(r.size, 0);
});

test('RouteReplica – G6: 1,000 runs mixing GC ticks with late deliveries: no resurrection, table bounded', () => {
  const rnd = prng(6);
  for (let run = 0; run < 1000; run++) {
    let now = SIM_NOW;
    const r = simReplica('n', undefined, () => now, DAY);
    const sent: Record<string, unknown>[] = [];
    const maxTombstone = new Map<string, RouteUpdateMessage>();
    let seq = 0;
    for (let step = 0; step < 40; step++) {
      const k = rnd();
      if (k < 0.25) now += Math.floor(rnd() * DAY * 0.6); // clock moves (GC runs lazily)
      else if (k < 0.3) r.collectGarbage(); // explicit GC tick
      else {
        // a fresh message, or a late (re)delivery of an old one
        const m = sent.length > 0 && rnd() < 0.5 ? sent[Math.floor(rnd() * sent.length)]! : msg(rnd() < 0.4 ? 'remove' : 'add', now - Math.floor(rnd() * 5000), rnd() < 0.5 ? 'a' : 'b', ++seq, `p${Math.floor(rnd() * 3)}`);
        sent.push(m);
        const out = r.receive(m);
        const c = canonical(m);
        if (out.reason === 'applied' && c.action === 'remove') maxTombstone.set(`x/${c.project.name}`, c);
      }
      for (const [path, tomb] of maxTombstone) {
        const held = r.get(path);
        if (held && held.action !== 'remove') assert.ok(compareVersions(held, tomb) > 0, `run ${run}: ${path} resurrected by an older add`);
      }
      assert.ok(r.size <= 3);
    }
  }
});

test('RouteReplica – G7: a timestamp beyond now + maxClockSkew is rejected; state and the local clock are unchanged', () => {
  const r = simReplica('n');
  const before = JSON.stringify(r.exportState());
  assert.equal(r.receive(msg('add', SIM_NOW + 60_001, 'evil', 1)).reason, 'future');
  assert.equal(JSON.stringify(r.exportState()), before);
  assert.equal(r.receive(msg('add', SIM_NOW + 60_000, 'ok', 1)).reason, 'applied');
  // the local clock was not advanced by the rejected message: a local write uses held+1, not the poisoned time
  const local = r.localWrite('update', { namespace: 'x', name: 'q', description: 'mine' });
  assert.equal(local.message.timestamp, SIM_NOW);
});

test('RouteReplica – G7: NaN, -1, 1.5, 1e308, 2**53, "123", null timestamps → typed ERR_INVALID_ROUTE_UPDATE', () => {
  const r = simReplica('n');
  for (const ts of [NaN, -1, 1.5, 1e308, 2 ** 53, '123', null, Infinity, undefined]) {
    const out = r.receive({ ...msg('add', 0, 'a', 1), timestamp: ts });
    assert.equal(out.reason, 'invalid', String(ts));
    assert.ok(isSwitchyardError(out.error) && out.error.code === 'ERR_INVALID_ROUTE_UPDATE', String(ts));
  }
  assert.equal(r.size, 0);
});
