// Real multi-process replication: a private redis-server, three node processes
// (examples/gossip-redis/node.ts), changes on different nodes, one node killed and restarted
// (it catches up through exportState/mergeState). Needs `redis-server` on PATH: fails in CI
// (CI=true) when missing, skips with a message locally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { NodeProcess, converged, freePort, hasRedisServer, startRedis } from '../../examples/gossip-redis/cluster.js';

const PROMPTS = ['my llama is limping and will not eat hay', 'production outage, the pager went off', 'python stack trace in my unit tests', 'where do I file my tax return', 'patient medical records retention'];
const available = hasRedisServer();
if (!available && process.env['CI'] !== 'true') console.log('# gossip-redis-e2e skipped: redis-server is not on PATH (apt-get install redis-server)');

test('examples/gossip-redis – 3 processes over real Redis pub/sub converge; a killed and restarted node catches up via exportState/mergeState', { skip: !available && process.env['CI'] !== 'true', timeout: 300_000 }, async () => {
  assert.ok(available, 'redis-server must be installed in CI (.ci/run installs it)');
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let redis: ChildProcess | undefined;
  const nodes: NodeProcess[] = [];
  try {
    redis = await startRedis(port);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => NodeProcess.start(id, url)));
    nodes.push(a!, b!, c!);
    // changes on different nodes
    assert.equal((await a!.send({ cmd: 'upsert', project: { namespace: 'farm', name: 'llama-care', description: 'llama and alpaca husbandry: feeding, hoof care', keywords: ['llama', 'alpaca'] } }))['ok'], 'farm/llama-care');
    await b!.send({ cmd: 'upsert', project: { namespace: 'farm', name: 'fishing', description: 'bass fishing lures and tackle', keywords: ['fishing', 'lure'] } });
    await c!.send({ cmd: 'upsert', project: { namespace: 'dev', name: 'code-helper', description: 'programming help: python and typescript bugs, stack traces, unit tests', keywords: ['python', 'typescript', 'stack trace'] } });
    let list = await converged(nodes);
    assert.ok(list.some((p) => p.startsWith('farm/llama-care:')) && list.some((p) => p.startsWith('farm/fishing:')), list.join('\n'));
    assert.ok(list.includes('dev/code-helper: programming help: python and typescript bugs, stack traces, unit tests'));
    assert.equal((await b!.send({ cmd: 'remove', path: 'fin/tax' }))['ok'], true);
    await a!.send({ cmd: 'upsert', project: { namespace: 'farm', name: 'llama-care', description: 'llama, alpaca and camelid care: limping, feeding, hay', keywords: ['llama', 'alpaca', 'hay'] } });
    list = await converged(nodes);
    assert.ok(!list.some((p) => p.startsWith('fin/tax:')));
    assert.ok(list.includes('farm/llama-care: llama, alpaca and camelid care: limping, feeding, hay'));

    // c crashes; changes it misses (pub/sub does not queue them for it)
    await c!.kill();
    await a!.send({ cmd: 'upsert', project: { namespace: 'med', name: 'records', description: 'patient medical records and retention rules', keywords: ['medical', 'patient'] } });
    await b!.send({ cmd: 'remove', path: 'farm/fishing' });
    const ab = await converged([a!, b!]);
    // restart c: it starts from its base config, says hello, and merges a's and b's states
    const c2 = await NodeProcess.start('c', url);
    nodes[2] = c2;
    await c2.waitFor((e) => e['event'] === 'merged' && e['from'] === 'a');
    await c2.waitFor((e) => e['event'] === 'merged' && e['from'] === 'b');
    list = await converged(nodes);
    assert.deepEqual(list, ab);
    assert.ok(list.some((p) => p.startsWith('med/records:')) && !list.some((p) => p.startsWith('farm/fishing:')) && !list.some((p) => p.startsWith('fin/tax:')), list.join('\n'));

    // all three route the same prompts to the same projects
    const routes = await Promise.all(nodes.map(async (n) => (await n.send({ cmd: 'route', prompts: PROMPTS }))['routes'] as (string | null)[]));
    assert.deepEqual(routes[1], routes[0]);
    assert.deepEqual(routes[2], routes[0]);
    assert.deepEqual(routes[0]!.slice(0, 3), ['farm/llama-care', 'ops/incidents', 'dev/code-helper']);
    assert.equal(routes[0]![4], 'med/records');
  } finally {
    await Promise.all(nodes.map((n) => n.kill()));
    if (redis && redis.exitCode === null) {
      const exited = new Promise((r) => redis!.once('exit', r));
      redis.kill('SIGTERM');
      await exited;
    }
  }
});
