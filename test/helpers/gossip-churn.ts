// L2 worker (run in a child process with --expose-gc): 1,000,000 route updates over 10,000
// projects with add/update/remove churn and GC ticks, through RouteReplica#receive() (full
// validation of every message). The replica is exercised directly, not FastProjectRouter, so
// that the run takes seconds instead of embedding a project per update; the router adds only
// index rows, covered by its own leak checks. Prints one JSON line.
import { RouteReplica } from '../../src/gossip/replica.js';
import { prng } from './random.js';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const PROJECTS = 10_000;
const RETENTION = 5_000; // shorter than the ~10 s between updates of one path, so GC really collects
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
let now = 1_700_000_000_000;
const r = new RouteReplica({
  nodeId: 'me', wallClock: () => now, tombstoneRetentionMs: RETENTION, maxClockSkewMs: 60_000,
  maxMessageBytes: 65_536, maxStateBytes: 1 << 26,
});
const rnd = prng(2);
const seq = [0, 0, 0, 0];
let maxSize = 0;
let overBound = 0;
const heap = (): number => { gc(); gc(); return process.memoryUsage().heapUsed; };
function run(n: number): void {
  for (let i = 0; i < n; i++) {
    now += 1;
    const node = (rnd() * 4) | 0;
    const k = (rnd() * PROJECTS) | 0;
    const remove = rnd() < 0.3;
    r.receive({
      type: 'route_update', action: remove ? 'remove' : 'update', from_node: `n${node}`, timestamp: now - ((rnd() * 100) | 0), seq: ++seq[node]!,
      project: remove ? { namespace: 'churn', name: `p${k}` } : { namespace: 'churn', name: `p${k}`, description: `v${i}`, topics: ['a', 'b'] },
    });
    if ((i & 1023) === 0) {
      if (r.size > PROJECTS) overBound++;
      maxSize = Math.max(maxSize, r.size);
    }
  }
}
const warm = TOTAL / 4;
run(warm);
const h1 = heap();
run(TOTAL - warm);
const h2 = heap();
// tombstones past retention (plus one lazy-GC interval of retention/16) must have been collected
const expiredTombstones = r.exportState().entries.filter((m) => m.action === 'remove' && m.timestamp < now - RETENTION * (1 + 1 / 16)).length;
console.log(JSON.stringify({ expiredTombstones,  updates: TOTAL, h1, h2, ratio: h2 / h1, size: r.size, tombstones: r.tombstones, maxSize, overBound }));
