// Three switchyard nodes replicating their route table over Redis pub/sub.
//   node --import tsx examples/gossip-redis/demo.ts
// Starts its own redis-server on a free 127.0.0.1 port (needs redis-server on PATH), or uses
// REDIS_URL when set. Not run by `npm run examples` (it needs Redis); test/stress/gossip-redis-e2e.test.ts drives the same cluster.ts.
import type { ChildProcess } from 'node:child_process';
import { NodeProcess, converged, freePort, hasRedisServer, startRedis } from './cluster.js';

let redis: ChildProcess | undefined;
let url = process.env['REDIS_URL'];
if (url === undefined) {
  if (!hasRedisServer()) {
    console.log('redis-server not found: install it (apt-get install redis-server) or set REDIS_URL');
    process.exit(0);
  }
  const port = await freePort();
  redis = await startRedis(port);
  url = `redis://127.0.0.1:${port}`;
}
const nodes = await Promise.all(['a', 'b', 'c'].map((id) => NodeProcess.start(id, url)));
const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
try {
  await a.send({ cmd: 'upsert', project: { namespace: 'farm', name: 'llama-care', description: 'llama and alpaca husbandry', keywords: ['llama'] } });
  await b.send({ cmd: 'remove', path: 'fin/tax' });
  console.log('after a adds farm/llama-care and b removes fin/tax:\n ', (await converged(nodes)).join('\n  '));
  await c.kill();
  await a.send({ cmd: 'upsert', project: { namespace: 'med', name: 'records', description: 'patient medical records', keywords: ['medical'] } });
  const c2 = await NodeProcess.start('c', url);
  nodes[2] = c2;
  await c2.waitFor((e) => e['event'] === 'merged');
  console.log('c was down while med/records was added; after restart + mergeState:\n ', (await converged(nodes)).join('\n  '));
  const prompts = ['my llama is limping', 'production outage', 'patient medical records'];
  for (const n of nodes) console.log(n.id, (await n.send({ cmd: 'route', prompts }))['routes']);
} finally {
  await Promise.all(nodes.map((n) => n.kill()));
  redis?.kill('SIGTERM');
}
