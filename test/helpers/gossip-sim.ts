// Simulated gossip: raw route updates from 5 nodes, delivered with drops, duplicates,
// reordering and late delivery, then one full-mesh anti-entropy round. Simulated time only.
import { RouteReplica } from '../../src/gossip/replica.js';
import { LwwTable } from '../../src/gossip/lww-table.js';
import { canonicalRouteUpdate, type RouteUpdateMessage } from '../../src/gossip/route-update.js';
import { compareVersions, type VersionOrder } from '../../src/gossip/version.js';
import { prng } from './random.js';

/** Simulated wall clock of every node. */
export const SIM_NOW = 1_700_000_000_000;
export const NODES = ['n0', 'n1', 'n2', 'n3', 'n4'] as const;
const LIMITS = { maxMessageBytes: 65_536, embedder: { id: 'sim', dim: 4 } } as const;
const WORDS = ['llamas', 'fishing', 'tax law', 'python', 'weather', 'chess', 'knitting', 'radio'];

/** A replica on the simulated clock. */
export function simReplica(nodeId: string, order?: VersionOrder, now: () => number = () => SIM_NOW, retentionMs = 86_400_000): RouteReplica {
  return new RouteReplica({
    nodeId, wallClock: now, tombstoneRetentionMs: retentionMs, maxClockSkewMs: 60_000, maxMessageBytes: 65_536,
    maxStateBytes: 1 << 26, embedder: { id: 'sim', dim: 4 }, ...(order ? { order } : {}),
  });
}

/** Canonical form of a raw message (as every node stores it). */
export function canonical(raw: unknown): RouteUpdateMessage {
  return canonicalRouteUpdate(raw, LIMITS).message;
}

/** `count` raw messages over `paths` projects, with frequent timestamp ties (40 distinct ms). */
export function randomMessages(rnd: () => number, count: number, paths = 20): Record<string, unknown>[] {
  const seq = new Map<string, number>();
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const prev = out.length > 0 ? out[Math.floor(rnd() * out.length)]! : undefined;
    if (prev && rnd() < 0.03) {
      // same marker (ts, from_node, seq), different payload
      out.push({ ...prev, action: 'update', project: { ...(prev['project'] as object), description: `conflict ${i}` } });
      continue;
    }
    const from = NODES[Math.floor(rnd() * NODES.length)]!;
    seq.set(from, (seq.get(from) ?? 0) + 1);
    const name = `p${Math.floor(rnd() * paths)}`;
    const action = rnd() < 0.25 ? 'remove' : rnd() < 0.5 ? 'add' : 'update';
    const project: Record<string, unknown> = { namespace: 'sim', name };
    if (action !== 'remove') {
      project['description'] = WORDS[Math.floor(rnd() * WORDS.length)]!;
      if (rnd() < 0.3) project['embedding'] = [rnd() + 0.1, rnd(), rnd(), rnd()];
    }
    out.push({
      type: 'route_update', action, project, from_node: from, timestamp: SIM_NOW - 1000 + Math.floor(rnd() * 40),
      seq: seq.get(from)!, ...(project['embedding'] ? { embedder: 'sim' } : {}),
    });
  }
  return out;
}

/** Oracle: fold of all messages sorted by the correct version order. */
export function oracle(messages: readonly unknown[]): RouteUpdateMessage[] {
  const sorted = messages.map(canonical).sort(compareVersions);
  const table = new LwwTable();
  for (const m of sorted) table.offer(m);
  return table.sorted();
}

/** Outcome of one schedule. */
export interface ScheduleOutcome {
  readonly converged: boolean;
  readonly matchesOracle: boolean;
  readonly deliveries: number;
  readonly unexpected: number;
}

/** Runs one randomized schedule (seeded) with the given version order. */
export function runSchedule(seed: number, order?: VersionOrder, messageCount = 200): ScheduleOutcome {
  const rnd = prng(seed);
  const messages = randomMessages(rnd, messageCount);
  const replicas = NODES.map((n) => simReplica(n, order));
  const queue: { at: number; key: number; node: number; msg: unknown }[] = [];
  messages.forEach((msg, i) => {
    const origin = NODES.indexOf(msg['from_node'] as (typeof NODES)[number]);
    queue.push({ at: i, key: -1, node: origin, msg });
    for (let node = 0; node < NODES.length; node++) {
      if (node === origin || rnd() < 0.2) continue; // 20% dropped
      const copies = rnd() < 0.2 ? 2 : 1; // 20% duplicated
      for (let c = 0; c < copies; c++) {
        const late = rnd() < 0.05 ? 1000 : 0; // late delivery after everything else
        queue.push({ at: i + Math.floor(rnd() * 50) + late, key: rnd(), node, msg: rnd() < 0.5 ? JSON.stringify(msg) : msg });
      }
    }
  });
  queue.sort((a, b) => a.at - b.at || a.key - b.key);
  let unexpected = 0;
  for (const d of queue) {
    const r = replicas[d.node]!.receive(d.msg);
    if (r.reason !== 'applied' && r.reason !== 'duplicate' && r.reason !== 'stale') unexpected++;
  }
  // one anti-entropy round: every node merges every node's state (taken before the round)
  const states = replicas.map((r) => JSON.stringify(r.exportState()));
  for (const r of replicas) for (const s of states) r.mergeState(s);
  const tables = replicas.map((r) => JSON.stringify(r.exportState().entries));
  const expected = JSON.stringify(oracle(messages));
  return {
    converged: tables.every((t) => t === tables[0]),
    matchesOracle: tables.every((t) => t === expected),
    deliveries: queue.length,
    unexpected,
  };
}
