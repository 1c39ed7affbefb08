// End to end: the example OpenAI-compatible server in front of two real upstream servers on
// 127.0.0.1 (ephemeral ports), one of which always fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiMap, FastProjectRouter, FeedbackLog, RequestClassifier } from '../src/index.js';
import { createServer } from '../examples/openai-compatible-server/server.js';

interface Upstream {
  readonly server: http.Server;
  readonly url: string;
  readonly bodies: Record<string, unknown>[];
}

const SSE_CHUNKS = ['Hello', ' from', ' good'];
const sseBody = (model: string): string =>
  SSE_CHUNKS.map((c, i) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content: c }, finish_reason: i === SSE_CHUNKS.length - 1 ? 'stop' : null }] })}\n\n`).join('') + 'data: [DONE]\n\n';

async function startUpstream(name: string, fail: boolean): Promise<Upstream> {
  const bodies: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      bodies.push({ path: req.url, ...body });
      if (fail) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `${name} is down` } }));
        return;
      }
      const model = String(body['model']);
      if (body['stream'] === true) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        // write the events one by one, as a real server streams tokens
        const events = sseBody(model).split(/(?<=\n\n)/);
        const next = (): void => {
          const e = events.shift();
          if (e === undefined) res.end();
          else res.write(e, () => setImmediate(next));
        };
        next();
        return;
      }
      const text = req.url === '/v1/completions' ? { text: `completion by ${name}` } : { message: { role: 'assistant', content: `answer by ${name}` } };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'r1', object: 'chat.completion', model, served_by: name, choices: [{ index: 0, ...text, finish_reason: 'stop' }] }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

let bad: Upstream;
let good: Upstream;
let front: http.Server;
let base: string;
let dir: string;
let feedbackLog: FeedbackLog;
let apiMap: ApiMap;

before(async () => {
  [bad, good] = await Promise.all([startUpstream('bad', true), startUpstream('good', false)]);
  dir = await mkdtemp(path.join(tmpdir(), 'switchyard-host-'));
  const projects = [
    { namespace: 'farm', name: 'llama-care', aliases: ['llama'], description: 'llama and alpaca husbandry', keywords: ['alpaca', 'llama'] },
    { namespace: 'dev', name: 'code-helper', description: 'programming help: bugs, stack traces, unit tests', keywords: ['python', 'typescript'] },
  ];
  const router = await FastProjectRouter.create({ projects, defaultProject: 'dev/code-helper' });
  apiMap = new ApiMap({
    providers: [{ name: 'local', models: ['farm/llama-care', 'dev/code-helper'], instances: [{ id: 'bad', endpoint: bad.url }, { id: 'good', endpoint: good.url }] }],
    strategy: 'round-robin',
    retry: { baseDelayMs: 0 },
  });
  feedbackLog = await FeedbackLog.open(path.join(dir, 'feedback.jsonl'));
  front = createServer({ router, apiMap, feedbackLog, maxBodyBytes: 4096, upstreamTimeoutMs: 5000 });
  front.listen(0, '127.0.0.1');
  await once(front, 'listening');
  base = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
});

after(async () => {
  front.closeAllConnections();
  for (const s of [front, bad.server, good.server]) s.close();
  apiMap.close();
  await feedbackLog.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (p: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });

test('POST /v1/chat/completions – routes by content, falls back from the failing upstream, returns its body', async () => {
  const res = await post('/v1/chat/completions', { model: 'auto', messages: [{ role: 'user', content: 'my alpaca is limping' }] });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-switchyard-project'), 'farm/llama-care');
  assert.equal(res.headers.get('x-switchyard-instance'), 'good');
  assert.equal(res.headers.get('x-switchyard-route-method'), 'keyword');
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body['served_by'], 'good');
  assert.equal(body['model'], 'farm/llama-care', 'upstream got the routed model');
  assert.deepEqual((body['choices'] as { message: unknown }[])[0]!.message, { role: 'assistant', content: 'answer by good' });
  assert.equal(bad.bodies.length, 1, 'the failing upstream was tried first (round robin) ...');
  assert.equal(good.bodies.length, 1, '... and the request was retried on the good one');
  assert.deepEqual(good.bodies[0], { path: '/v1/chat/completions', model: 'farm/llama-care', messages: [{ role: 'user', content: 'my alpaca is limping' }] });
});

test('POST /v1/chat/completions – a streamed (SSE) response passes through byte for byte', async () => {
  const res = await post('/v1/chat/completions', { model: 'dev/code-helper', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { accept: 'text/event-stream' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  assert.equal(res.headers.get('x-switchyard-route-method'), 'explicit');
  const reader = res.body!.getReader();
  const parts: string[] = [];
  const decoder = new TextDecoder();
  for (let i = 0; i < 100; i++) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(decoder.decode(value, { stream: true }));
  }
  assert.equal(parts.join(''), sseBody('dev/code-helper'));
  const deltas = parts.join('').split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => (JSON.parse(e.slice(6)) as { choices: { delta: { content: string } }[] }).choices[0]!.delta.content);
  assert.deepEqual(deltas, SSE_CHUNKS);
});

test('POST /v1/completions – prompt requests are forwarded to /v1/completions', async () => {
  const res = await post('/v1/completions', { model: 'llama', prompt: 'how much hay?' });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { choices: { text: string }[]; model: string };
  assert.equal(body.choices[0]!.text, 'completion by good');
  assert.equal(body.model, 'farm/llama-care', 'the alias resolved to the project');
});

test('GET /v1/models and POST /v1/routing/test – projects and a decision without execution', async () => {
  const models = (await (await fetch(`${base}/v1/models`)).json()) as { object: string; data: { id: string }[] };
  assert.equal(models.object, 'list');
  assert.deepEqual(models.data.map((m) => m.id), ['auto', 'dev/code-helper', 'farm/llama-care']);
  const upstreamCalls = good.bodies.length + bad.bodies.length;
  const res = await post('/v1/routing/test', { messages: [{ role: 'user', content: 'python stack trace in my unit tests' }] });
  assert.equal(res.status, 200);
  const { route } = (await res.json()) as { route: { modelPath: string; method: string; reasons: string[]; routerLatencyMs: number } };
  assert.equal(route.modelPath, 'dev/code-helper');
  assert.ok(route.reasons.length > 0);
  assert.equal(typeof route.routerLatencyMs, 'number');
  assert.equal(good.bodies.length + bad.bodies.length, upstreamCalls, 'no upstream call');
});

test('bad requests – malformed JSON, oversize body, unknown model, bad shapes, unknown path → 4xx JSON errors', async () => {
  const cases: [Promise<Response>, number, string][] = [
    [post('/v1/chat/completions', '{"model": "auto", "messages": ['), 400, 'invalid_json'],
    [post('/v1/chat/completions', '[1,2]'), 400, 'invalid_body'],
    [post('/v1/chat/completions', { model: 'auto', messages: [{ role: 'user', content: 'x'.repeat(10_000) }] }), 413, 'body_too_large'],
    [post('/v1/chat/completions', { model: 'gpt-17-ultra', messages: [{ role: 'user', content: 'hi' }] }), 404, 'model_not_found'],
    [post('/v1/chat/completions', { model: 'toString', messages: [{ role: 'user', content: 'hi' }] }), 404, 'model_not_found'],
    [post('/v1/chat/completions', { model: 'auto', messages: 'hi' }), 400, 'invalid_request'],
    [post('/v1/chat/completions', { model: 42, messages: [{ role: 'user', content: 'hi' }] }), 400, 'invalid_request'],
    [post('/v1/completions', { model: 'auto' }), 400, 'invalid_request'],
    [fetch(`${base}/v1/chat/completions`), 405, 'method_not_allowed'],
    [fetch(`${base}/v2/everything`), 404, 'not_found'],
  ];
  for (const [pending, status, code] of cases) {
    const res = await pending;
    assert.equal(res.status, status, code);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as { error: { code: string; message: string; type: string } };
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, 'string');
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('POST /v1/feedback – records a preference pair into the FeedbackLog; invalid pairs are 400', async () => {
  const ok = await post('/v1/feedback', { prompt: 'my alpaca is limping', chosen: 'farm/llama-care', rejected: 'dev/code-helper', meta: { user: 'u1' } });
  assert.equal(ok.status, 202);
  assert.deepEqual(await ok.json(), { queued: true });
  const badPair = await post('/v1/feedback', { prompt: 'p', chosen: 'a', rejected: 'a' });
  assert.equal(badPair.status, 400);
  assert.equal(((await badPair.json()) as { error: { code: string } }).error.code, 'invalid_feedback');
  await feedbackLog.flush();
  const lines = (await readFile(feedbackLog.path, 'utf8')).trim().split('\n');
  assert.equal(lines.length, 1);
  assert.equal((JSON.parse(lines[0]!) as { chosen: string }).chosen, 'farm/llama-care');
});

test('with a RequestClassifier – the tier picks the upstream model, the project is still reported', async (t) => {
  const router = await FastProjectRouter.create({ projects: [{ namespace: 'dev', name: 'code-helper', description: 'programming help' }], defaultProject: 'dev/code-helper' });
  const tiers = [{ name: 'local', provider: 'local', model: 'small-coder' }, { name: 'top', provider: 'remote', model: 'big-thinker' }];
  const classifier = new RequestClassifier({ tiers, defaultTier: 'top' });
  const map = new ApiMap({ providers: [{ name: 'p', models: ['small-coder', 'big-thinker'], instances: [{ id: 'good', endpoint: good.url }] }] });
  const server = createServer({ router, apiMap: map, classifier });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => { server.closeAllConnections(); server.close(); map.close(); });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ask = async (body: unknown): Promise<Response> =>
    fetch(`${url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });

  const small = await ask({ model: 'auto', messages: [{ role: 'user', content: 'Rename the variable x to count in this snippet' }] });
  assert.equal(small.status, 200);
  assert.equal(small.headers.get('x-switchyard-tier'), 'local');
  assert.equal(small.headers.get('x-switchyard-project'), 'dev/code-helper');
  assert.equal(((await small.json()) as { model: string }).model, 'small-coder');

  const pinned = await ask({ model: 'top', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(pinned.status, 200, 'a tier name is a known model');
  assert.equal(pinned.headers.get('x-switchyard-tier-phase'), 'explicit');
  assert.equal(((await pinned.json()) as { model: string }).model, 'big-thinker');

  const test = (await (await fetch(`${url}/v1/routing/test`, { method: 'POST', body: JSON.stringify({ prompt: 'Format this JSON: {"a":1}' }) })).json()) as { tier: { tier: string; phase: string } };
  assert.deepEqual([test.tier.tier, test.tier.phase], ['local', 'heuristic']);
});

test('all upstreams failing → 502 with the attempts; GET /v1/routing/stats reports router, upstream and server counters', async () => {
  // Stop the good upstream: its connection is refused, the bad one answers 500.
  good.server.closeAllConnections();
  good.server.close();
  const res = await post('/v1/chat/completions', { model: 'auto', messages: [{ role: 'user', content: 'typescript bug' }] });
  assert.equal(res.status, 502);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'upstream_failed');

  const stats = (await (await fetch(`${base}/v1/routing/stats`)).json()) as {
    server: { requests: number; routed: number; upstreamOk: number; errors: Record<string, number> };
    router: { routes: { total: number; explicit: number }; latency: { count: number } };
    upstream: { byInstance: { id: string; requests: number; failures: number; successRate: number }[] };
  };
  assert.equal(stats.server.upstreamOk, 3);
  assert.equal(stats.server.routed, 4);
  assert.equal(stats.server.errors['502'], 1);
  assert.equal(stats.server.errors['413'], 1);
  assert.equal(stats.router.routes.total, 5, '3 forwarded + 1 routing test + 1 failing');
  assert.equal(stats.router.routes.explicit, 2);
  const byId = Object.fromEntries(stats.upstream.byInstance.map((i) => [i.id, i]));
  assert.equal(byId['good']!.failures, 1, 'the closed upstream failed once');
  assert.ok(byId['bad']!.failures >= 2, `bad failed ${byId['bad']!.failures} times`);
  assert.equal(byId['bad']!.successRate, 0);
});
