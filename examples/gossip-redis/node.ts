// One switchyard node: a FastProjectRouter whose route table is replicated through a Redis
// pub/sub channel. Redis is the host's transport (this example's choice); switchyard only
// produces and consumes messages.
//
//   REDIS_URL=redis://127.0.0.1:6379 node --import tsx examples/gossip-redis/node.ts <node-id>
//
// Commands arrive as JSON lines on stdin, answers go to stdout as JSON lines:
//   {"id":1,"cmd":"upsert","project":{...}}   {"id":2,"cmd":"remove","path":"ns/name"}
//   {"id":3,"cmd":"route","prompts":["..."]}   {"id":4,"cmd":"projects"}
import { createInterface } from 'node:readline';
import { createClient } from 'redis';
import { FastProjectRouter, type ProjectSpec } from '../../src/index.js';
import { BASE_PROJECTS } from './projects.js';

const nodeId = process.argv[2] ?? `node-${process.pid}`;
const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const ROUTES = 'switchyard:routes'; // route_update messages
const SYNC = 'switchyard:sync'; // anti-entropy: hello → state replies

const out = (x: unknown): void => { process.stdout.write(JSON.stringify(x) + '\n'); };
const router = await FastProjectRouter.create({ nodeId, projects: BASE_PROJECTS });
const pub = createClient({ url });
const sub = pub.duplicate();
pub.on('error', (e: Error) => process.stderr.write(`[${nodeId}] redis: ${e.message}\n`));
sub.on('error', (e: Error) => process.stderr.write(`[${nodeId}] redis: ${e.message}\n`));
await Promise.all([pub.connect(), sub.connect()]);

// Local changes → broadcast. Every subscriber (us included) receives them; our own echo is a
// duplicate and reports applied: false. With pub/sub there is no need to re-broadcast
// applied updates; a gossip mesh would forward exactly those with `applied: true`.
router.on('update:published', (m) => { void pub.publish(ROUTES, JSON.stringify(m)); });
router.on('update:rejected', (e) => process.stderr.write(`[${nodeId}] rejected ${e.reason} ${e.modelPath ?? ''} ${e.error?.message ?? ''}\n`));
await sub.subscribe(ROUTES, (raw) => { router.handleRouteUpdate(raw); });
await sub.subscribe(SYNC, (raw) => {
  const msg = JSON.parse(raw) as { kind: string; from: string; to?: string; state?: string };
  if (msg.kind === 'hello' && msg.from !== nodeId) {
    // a (re)started peer: send it our whole table
    void pub.publish(SYNC, JSON.stringify({ kind: 'state', from: nodeId, to: msg.from, state: JSON.stringify(router.exportState()) }));
  } else if (msg.kind === 'state' && msg.to === nodeId && msg.state !== undefined) {
    const r = router.mergeState(msg.state); // validated like any route update; never throws
    out({ event: 'merged', from: msg.from, applied: r.applied, unchanged: r.unchanged, rejected: r.rejected });
  }
});
await pub.publish(SYNC, JSON.stringify({ kind: 'hello', from: nodeId }));
out({ event: 'ready', node: nodeId });

type Command =
  | { id: number; cmd: 'upsert'; project: ProjectSpec }
  | { id: number; cmd: 'remove'; path: string }
  | { id: number; cmd: 'route'; prompts: string[] }
  | { id: number; cmd: 'projects' };

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  void (async () => {
    const c = JSON.parse(line) as Command;
    try {
      if (c.cmd === 'upsert') out({ id: c.id, ok: (await router.upsertProject(c.project)).modelPath });
      else if (c.cmd === 'remove') out({ id: c.id, ok: router.removeProject(c.path) });
      else if (c.cmd === 'route') out({ id: c.id, routes: c.prompts.map((p) => router.routeSync('auto', p).modelPath) });
      else out({ id: c.id, projects: router.projects().map((p) => `${p.modelPath}: ${p.description}`).sort() });
    } catch (e) {
      out({ id: c.id, error: (e as Error).message });
    }
  })();
});
lines.on('close', () => { void Promise.all([sub.quit(), pub.quit()]).then(() => process.exit(0)); });
