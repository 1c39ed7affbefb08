// Replication paths: handleRouteUpdate() for a new version (index updated with the message's
// embedding), a duplicate, a stale version, a hostile message; exportState()/mergeState() of 1,000 projects.
import { FastProjectRouter, type RouteUpdateMessage } from '../src/index.js';
import { measure, type BenchSection } from './harness.js';

export default async function (): Promise<BenchSection[]> {
  let t = 1_700_000_000_000;
  const now = (): number => t;
  const a = await FastProjectRouter.create({ nodeId: 'a', wallClock: now });
  const b = await FastProjectRouter.create({ nodeId: 'b', wallClock: now });
  const sent: RouteUpdateMessage[] = [];
  a.on('update:published', (m) => sent.push(m));
  for (let i = 0; i < 1000; i++) await a.upsertProject({ namespace: 'bench', name: `p${i}`, description: `project ${i} about topic ${i % 37}`, keywords: [`kw${i}`] });
  const texts = sent.map((m) => JSON.stringify(m));
  // every update is a newer version of one of 1,000 projects
  const versions = texts.map((s, i) => (k: number) => s.replace(`"timestamp":${sent[i]!.timestamp}`, `"timestamp":${sent[i]!.timestamp + k}`));
  const results = [
    measure('handleRouteUpdate(JSON) new version, 384-dim embedding used, index row replaced', (i) => {
      t += 1;
      return b.handleRouteUpdate(versions[i % 1000]!(1 + Math.floor(i / 1000)));
    }, { timeMs: 600 }),
    measure('handleRouteUpdate(object) duplicate (applied: false)', (i) => b.handleRouteUpdate(sent[i % 1000]!)),
    measure('handleRouteUpdate(JSON) hostile __proto__ (typed invalid)', () => b.handleRouteUpdate('{"type":"route_update","__proto__":{"x":1}}')),
    measure('exportState() 1,000 projects', () => a.exportState(), { timeMs: 300 }),
    measure('mergeState(state object) 1,000 projects, all unchanged', () => b.mergeState(a.exportState()), { timeMs: 600 }),
  ];
  return [{ title: 'Gossip (replicated route table)', results, notes: ['Message size ≈ ' + Math.round(texts[0]!.length / 1024) + ' KiB (384-dim embedding as JSON numbers dominates).'] }];
}
