// End to end: the official `openai` client against the example OpenAI-compatible server, in
// front of two fake OpenAI-compatible upstreams on 127.0.0.1 that can be told to fail.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { ApiMap, FastProjectRouter } from '../src/index.js';
import { createServer } from '../examples/openai-compatible-server/server.js';

type Reply =
  | { readonly kind: 'ok' }
  | { readonly kind: 'status'; readonly status: number; readonly body: string }
  | { readonly kind: 'cut'; readonly chunks: number };

interface Fake {
  readonly name: string;
  url: string;
  readonly server: http.Server;
  readonly bodies: Record<string, unknown>[];
  behave: () => Reply;
}

const WORDS = ['Hay', ' twice', ' a', ' day', '.'];
const chunk = (model: string, i: number): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta: { content: WORDS[i] }, finish_reason: i === WORDS.length - 1 ? 'stop' : null }] })}\n\n`;

async function startFake(name: string): Promise<Fake> {
  let served = 0;
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
      fake.bodies.push(body);
      const requestId = `req_${name}_${++served}`;
      const reply = fake.behave();
      const model = String(body['model']);
      if (reply.kind === 'status') {
        res.writeHead(reply.status, { 'content-type': 'application/json', 'x-request-id': requestId });
        res.end(reply.body);
        return;
      }
      if (body['stream'] !== true) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId });
        res.end(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 0, model, choices: [{ index: 0, message: { role: 'assistant', content: `answer from ${name}` }, finish_reason: 'stop' }] }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': requestId });
      const all = [...WORDS.map((_, i) => chunk(model, i)), 'data: [DONE]\n\n'];
      const parts2 = reply.kind === 'cut' ? [...all.slice(0, reply.chunks), all[reply.chunks]!.slice(0, 25)] : all;
      let i = 0;
      const next = (): void => {
        if (i === parts2.length) {
          if (reply.kind === 'cut') res.socket?.destroy();
          else res.end();
          return;
        }
        res.write(parts2[i++]!, () => setImmediate(next));
      };
      next();
    });
  });
  const fake: Fake = { name, url: '', server, bodies: [], behave: () => ({ kind: 'ok' }) };
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

let a: Fake;
let b: Fake;
const open: { server: http.Server; map: ApiMap }[] = [];

before(async () => {
  [a, b] = await Promise.all([startFake('a'), startFake('b')]);
});
beforeEach(() => {
  for (const f of [a, b]) {
    f.bodies.length = 0;
    f.behave = () => ({ kind: 'ok' });
  }
});
after(() => {
  for (const { server, map } of open) {
    server.closeAllConnections();
    server.close();
    map.close();
  }
  for (const f of [a, b]) {
    f.server.closeAllConnections();
    f.server.close();
  }
});

/** A fresh server (fresh breakers) and an SDK client pointed at it; the SDK never retries. */
async function serve(): Promise<{ client: OpenAI; base: string }> {
  const router = await FastProjectRouter.create({
    projects: [{ namespace: 'farm', name: 'llama-care', description: 'llama and alpaca husbandry', keywords: ['alpaca', 'llama'] }],
    defaultProject: 'farm/llama-care',
  });
  const map = new ApiMap({ providers: [{ name: 'local', models: ['farm/llama-care'], instances: [{ id: 'a', endpoint: a.url }, { id: 'b', endpoint: b.url }] }] });
  const server = createServer({ router, apiMap: map, upstreamTimeoutMs: 5_000 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  open.push({ server, map });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { client: new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-test', maxRetries: 0, timeout: 10_000 }), base };
}

const ask = [{ role: 'user' as const, content: 'how much hay does my alpaca need?' }];

test('chat.completions.create() – answer, routing headers and the upstream x-request-id reach the client', async () => {
  const { client } = await serve();
  const { data, response, request_id } = await client.chat.completions.create({ model: 'auto', messages: ask }).withResponse();
  assert.equal(data.choices[0]!.message.content, `answer from ${response.headers.get('x-switchyard-instance')}`);
  assert.equal(response.headers.get('x-switchyard-project'), 'farm/llama-care');
  assert.match(request_id ?? '', /^req_[ab]_\d+$/);
});

test('chat.completions.create({ stream: true }) – chunks pass through and the SDK assembles them', async () => {
  const { client } = await serve();
  const stream = await client.chat.completions.create({ model: 'auto', messages: ask, stream: true });
  const text: string[] = [];
  for await (const c of stream) text.push(c.choices[0]?.delta.content ?? '');
  assert.deepEqual(text, WORDS);
});

test('errors – the same upstream error on every attempt comes back unchanged (status, body, x-request-id)', async () => {
  const { client } = await serve();
  const limited = { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
  a.behave = b.behave = () => ({ kind: 'status', status: 429, body: JSON.stringify(limited) });
  const err = await client.chat.completions.create({ model: 'auto', messages: ask }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof OpenAI.RateLimitError, `got ${String(err)}`);
  assert.equal(err.status, 429);
  assert.deepEqual(err.error, limited.error);
  assert.match(err.requestID ?? '', /^req_[ab]_\d+$/);
  assert.equal(a.bodies.length + b.bodies.length, 2, 'both instances were tried');

  a.behave = b.behave = () => ({ kind: 'status', status: 400, body: JSON.stringify({ error: { message: 'bad temperature', type: 'invalid_request_error', param: 'temperature', code: null } }) });
  const bad = await client.chat.completions.create({ model: 'auto', messages: ask }).then(() => null, (e: unknown) => e);
  assert.ok(bad instanceof OpenAI.BadRequestError, `got ${String(bad)}`);
  assert.equal(bad.param, 'temperature');
  assert.equal(a.bodies.length + b.bodies.length, 3, 'a 400 is not retried');
});

test('errors – different failures are wrapped in a 502 that names each attempt', async () => {
  const { client } = await serve();
  a.behave = () => ({ kind: 'status', status: 500, body: 'oops' });
  b.behave = () => ({ kind: 'status', status: 503, body: JSON.stringify({ error: { message: 'loading model', type: 'server_error' } }) });
  const err = await client.chat.completions.create({ model: 'auto', messages: ask }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof OpenAI.InternalServerError, `got ${String(err)}`);
  assert.equal(err.status, 502);
  assert.equal(err.code, 'upstream_failed');
  assert.match(err.message, /a \(farm\/llama-care\): 500 "oops"/);
  assert.match(err.message, /b \(farm\/llama-care\): 503 server_error "loading model"/);
});

test('errors – a stream cut mid-way ends with an error chunk the SDK raises as an APIError, never a socket error', async () => {
  const { client } = await serve();
  a.behave = b.behave = () => ({ kind: 'cut', chunks: 2 });
  const stream = await client.chat.completions.create({ model: 'auto', messages: ask, stream: true });
  const text: string[] = [];
  const err = await (async () => {
    for await (const c of stream) text.push(c.choices[0]?.delta.content ?? '');
  })().then(() => null, (e: unknown) => e);
  assert.ok(err instanceof OpenAI.APIError, `got ${String(err)}`);
  assert.match(err.message, /stream from upstream [ab] broke/);
  assert.deepEqual(text, WORDS.slice(0, 2), 'the whole chunks before the cut, not the half one');
});

test('models.list() – auto plus the projects', async () => {
  const { client } = await serve();
  const ids: string[] = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, ['auto', 'farm/llama-care']);
});

test('main.ts – feedback goes to the OS temp dir, never into the working directory', async (t) => {
  const cwd = await mkdtemp(path.join(tmpdir(), 'switchyard-cwd-'));
  const tmp = await mkdtemp(path.join(tmpdir(), 'switchyard-tmp-'));
  t.after(() => Promise.all([rm(cwd, { recursive: true, force: true }), rm(tmp, { recursive: true, force: true })]));
  const main = fileURLToPath(new URL('../examples/openai-compatible-server/main.ts', import.meta.url));
  // run from an empty directory, as a user would from anywhere: tsx is resolved from here
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', UPSTREAMS: a.url, TMPDIR: tmp };
  delete env['FEEDBACK_LOG'];
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), main], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`main.ts exited with ${code}: ${out}`)));
  });
  const res = await fetch(`${url}/v1/feedback`, { method: 'POST', body: JSON.stringify({ prompt: 'alpaca hay', chosen: 'farm/llama-care', rejected: 'dev/code-helper' }) });
  assert.equal(res.status, 202);
  child.kill('SIGTERM');
  await once(child, 'exit');
  assert.ok(!existsSync(path.join(cwd, 'feedback.jsonl')), 'nothing written into the working directory');
  const log = await readFile(path.join(tmp, 'switchyard-feedback.jsonl'), 'utf8');
  assert.equal((JSON.parse(log.trim()) as { chosen: string }).chosen, 'farm/llama-care');
});
