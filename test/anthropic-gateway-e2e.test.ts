// End to end: the official @anthropic-ai/sdk client against the example Anthropic gateway,
// which routes to fake Anthropic-compatible upstreams on 127.0.0.1 (one local, two remote).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { ApiMap, RequestClassifier, type InstanceInfo, type TierSpec } from '../src/index.js';
import { localTierClassifier } from '../examples/anthropic-gateway/local-classifier.js';
import { createGateway, fallBackOnRejection, type GatewayOptions } from '../examples/anthropic-gateway/server.js';
import { messageEvents, startFakeAnthropic, type FakeUpstream } from './helpers/fake-anthropic-upstream.js';

const TIERS: TierSpec[] = [
  { name: 'local', provider: 'local', model: 'local-coder' },
  { name: 'sonnet', provider: 'anthropic', model: 'claude-sonnet-test' },
  { name: 'opus', provider: 'anthropic', model: 'claude-opus-test' },
];
const CLIENT_KEY = 'sk-client-secret';
const KEYS: Record<string, string> = { local: 'local-key', anthropic: 'remote-key' };

let local: FakeUpstream;
let remoteA: FakeUpstream;
let remoteB: FakeUpstream;
const open: { server: http.Server; map: ApiMap }[] = [];

before(async () => {
  [local, remoteA, remoteB] = await Promise.all([startFakeAnthropic('local'), startFakeAnthropic('remote-a'), startFakeAnthropic('remote-b')]);
});
beforeEach(() => {
  for (const f of [local, remoteA, remoteB]) {
    f.requests.length = 0;
    f.behave = () => ({ kind: 'ok' });
  }
});
after(async () => {
  for (const { server, map } of open) {
    server.closeAllConnections();
    server.close();
    map.close();
  }
  await Promise.all([local.close(), remoteA.close(), remoteB.close()]);
});

/** A fresh gateway (fresh breakers) and an SDK client pointed at it; the SDK never retries. */
async function gateway(extra: Partial<GatewayOptions> & { phase2?: boolean } = {}): Promise<{ client: Anthropic; base: string }> {
  const map = new ApiMap({
    providers: [
      { name: 'local', models: ['local-coder'], instances: [{ id: 'local-0', endpoint: local.url, deployment: 'local' }] },
      { name: 'anthropic', models: ['claude-sonnet-test', 'claude-opus-test'], instances: [{ id: 'remote-a', endpoint: remoteA.url }, { id: 'remote-b', endpoint: remoteB.url }] },
    ],
    classifyError: fallBackOnRejection(['local']), // as main.ts configures it
  });
  const { phase2, ...options } = extra;
  const apiKeyFor = (i: InstanceInfo): string | undefined => KEYS[i.provider];
  const classify = phase2 === true ? { llm: { classify: localTierClassifier({ apiMap: map, model: 'local-coder', apiKeyFor }) } } : {};
  const server = createGateway({
    classifier: new RequestClassifier({ tiers: TIERS, ...classify }), apiMap: map, apiKeyFor, streamStartTimeoutMs: 5_000, timeoutMs: 5_000, ...options,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  open.push({ server, map });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { client: new Anthropic({ baseURL: base, apiKey: CLIENT_KEY, authToken: null, maxRetries: 0, timeout: 10_000 }), base };
}

const user = (content: string): Anthropic.MessageParam[] => [{ role: 'user', content }];
const allRequests = (): number => local.requests.length + remoteA.requests.length + remoteB.requests.length;

test('messages.create() – a simple request goes to the local tier; headers, request-id and body pass through', async () => {
  const { client } = await gateway();
  const { data, response, request_id } = await client.messages.create({ model: 'auto', max_tokens: 64, messages: user('Explain what this regex does: ^a+$') }).withResponse();
  assert.equal(response.headers.get('x-switchyard-tier'), 'local');
  assert.equal(response.headers.get('x-switchyard-phase'), 'heuristic');
  assert.equal(response.headers.get('x-switchyard-instance'), 'local-0');
  assert.equal(request_id, 'req_local_1', 'the upstream request-id reaches the client');
  assert.deepEqual(data.content, [{ type: 'text', text: 'answer from local' }]);
  assert.equal(data.model, 'local-coder', 'the tier model was sent upstream');
  assert.equal(local.requests.length, 1);
  const sent = local.requests[0]!;
  assert.equal(sent.body['model'], 'local-coder');
  assert.deepEqual(sent.body['messages'], user('Explain what this regex does: ^a+$'));
  assert.equal(sent.headers['x-api-key'], 'local-key', 'the instance key from the environment');
  assert.equal(sent.headers['authorization'], undefined);
  assert.match(String(sent.headers['anthropic-version']), /^\d{4}-\d{2}-\d{2}$/, 'the client\'s anthropic-version is passed on');
  assert.ok(!JSON.stringify(sent.headers).includes(CLIENT_KEY), 'the client key (the SDK sends it as a bearer token) is not forwarded');
});

test('messages.stream() – SSE events pass through byte for byte and the SDK assembles the message', async () => {
  const { client, base } = await gateway();
  local.behave = () => ({ kind: 'ok', text: 'streamed words from the local model' });
  const stream = client.messages.stream({ model: 'auto', max_tokens: 64, messages: user('Format this JSON: {"a":1}') });
  const deltas: string[] = [];
  stream.on('text', (t) => deltas.push(t));
  const message = await stream.finalMessage();
  assert.deepEqual(message.content, [{ type: 'text', text: 'streamed words from the local model' }]);
  assert.deepEqual(deltas, ['streamed ', 'words ', 'from ', 'the ', 'local ', 'model']);

  // the raw bytes, read with fetch: identical to what the upstream wrote
  const res = await fetch(`${base}/v1/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': CLIENT_KEY },
    body: JSON.stringify({ model: 'auto', max_tokens: 64, stream: true, messages: user('Format this JSON: {"a":1}') }),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  assert.equal(res.headers.get('x-switchyard-tier'), 'local');
  assert.match(res.headers.get('request-id') ?? '', /^req_local_\d+$/);
  assert.equal(local.requests.at(-1)!.headers['anthropic-version'], '2023-06-01', 'the default version when the client sends none');
  assert.equal(await res.text(), messageEvents('local-coder', 'msg_local', 'streamed words from the local model').join(''));
});

test('tool use – an agent request with tools and tool results is forced to the top tier, with the remote key only', async () => {
  const { client } = await gateway();
  remoteA.behave = remoteB.behave = () => ({ kind: 'ok', text: 'Reading the file.', toolUse: { name: 'read_file', input: { path: 'src/db/schema.ts' } } });
  const { data, response } = await client.messages.create({
    model: 'auto', max_tokens: 1024,
    system: 'You are Claude Code, a coding agent. You have access to the following tools.',
    tools: [{ name: 'read_file', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }],
    messages: [
      { role: 'user', content: 'Look at the storage layer.' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_0', name: 'read_file', input: { path: 'src/db/index.ts' } }] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'toolu_0', content: 'export const db = open();' },
        { type: 'text', text: 'Now refactor the architecture of the storage layer and plan the migration.' },
      ] },
    ],
  }).withResponse();
  assert.equal(response.headers.get('x-switchyard-tier'), 'opus');
  assert.equal(response.headers.get('x-switchyard-phase'), 'heuristic');
  assert.equal(data.stop_reason, 'tool_use');
  assert.deepEqual(data.content[1], { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'src/db/schema.ts' } });
  const sent = [...remoteA.requests, ...remoteB.requests];
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.body['model'], 'claude-opus-test');
  assert.equal((sent[0]!.body['tools'] as unknown[]).length, 1, 'the body is forwarded whole');
  assert.equal(sent[0]!.headers['x-api-key'], 'remote-key', 'the gateway key, not the client key');
  assert.equal(local.requests.length, 0);
});

test('explicit model – a tier name, a tier model and an unconfigured model are honoured as given', async () => {
  const { client } = await gateway();
  const byName = await client.messages.create({ model: 'opus', max_tokens: 8, messages: user('hi') }).withResponse();
  assert.equal(byName.response.headers.get('x-switchyard-tier'), 'opus');
  assert.equal(byName.response.headers.get('x-switchyard-phase'), 'explicit');
  assert.equal(byName.data.model, 'claude-opus-test');

  const other = await client.messages.create({ model: 'claude-haiku-someday', max_tokens: 8, messages: user('Explain closures') }).withResponse();
  assert.equal(other.response.headers.get('x-switchyard-phase'), 'explicit');
  assert.equal(other.response.headers.get('x-switchyard-tier'), 'sonnet', 'an unknown model runs on the default tier\'s instances');
  assert.equal(other.data.model, 'claude-haiku-someday', 'sent upstream unchanged');
  assert.equal(local.requests.length, 0, 'a simple request with an explicit model is not routed to local');
});

test('fallback – a failing local tier falls back to the next tier up; an error event at stream start is retried', async () => {
  const { client } = await gateway();
  local.behave = () => ({ kind: 'status', status: 500, body: JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'local model crashed' } }) });
  const { data, response } = await client.messages.create({ model: 'auto', max_tokens: 8, messages: user('Explain what a closure is') }).withResponse();
  assert.equal(response.headers.get('x-switchyard-tier'), 'sonnet');
  assert.equal(response.headers.get('x-switchyard-fallback-from'), 'local');
  assert.equal(data.model, 'claude-sonnet-test');
  assert.equal(local.requests.length, 1);

  local.behave = () => ({ kind: 'stream-error', type: 'overloaded_error', message: 'Overloaded' });
  const message = await client.messages.stream({ model: 'auto', max_tokens: 8, messages: user('Explain what a closure is') }).finalMessage();
  assert.equal(message.content.length, 1);
  assert.match((message.content[0] as { text: string }).text, /^answer from remote-[ab]$/);
  assert.equal(message.model, 'claude-sonnet-test');

  // every instance opening with the same error event: the client gets that event, as sent
  remoteA.behave = remoteB.behave = () => ({ kind: 'stream-error', type: 'overloaded_error', message: 'Overloaded' });
  const err = await client.messages.stream({ model: 'claude-sonnet-test', max_tokens: 8, messages: user('hi') }).finalMessage().then(() => null, (e: unknown) => e);
  assert.ok(err instanceof Anthropic.APIError, `got ${String(err)}`);
  assert.deepEqual(err.error, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
});

test('fallBackOnRejection – a request the local server rejects (400, 404) goes to the next tier; a remote 400 does not', async () => {
  const { client } = await gateway();
  local.behave = (r) => (r.path === '/v1/messages/count_tokens'
    ? { kind: 'status', status: 404, body: '404 page not found', contentType: 'text/plain' }
    : { kind: 'status', status: 400, body: JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'cache_control: Extra inputs are not permitted' } }) });
  const { data, response } = await client.messages.create({ model: 'auto', max_tokens: 8, messages: user('Explain what this regex does: ^a+$') }).withResponse();
  assert.equal(response.headers.get('x-switchyard-tier'), 'sonnet');
  assert.equal(response.headers.get('x-switchyard-fallback-from'), 'local');
  assert.equal(data.model, 'claude-sonnet-test');
  const count = await client.messages.countTokens({ model: 'auto', messages: user('Explain what this regex does: ^a+$') });
  assert.equal(typeof count.input_tokens, 'number', 'counted by the remote tier');
  assert.equal(local.requests.length, 2);
  assert.equal(remoteA.requests.length + remoteB.requests.length, 2);
});

test('errors – an upstream 400 comes back unchanged (status, body, request-id), after one attempt', async () => {
  const { client } = await gateway();
  const upstreamBody = { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: must be greater than 0' } };
  remoteA.behave = remoteB.behave = () => ({ kind: 'status', status: 400, body: JSON.stringify(upstreamBody) });
  const err = await client.messages.create({ model: 'claude-sonnet-test', max_tokens: 8, messages: user('hi') }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof Anthropic.BadRequestError, `got ${String(err)}`);
  assert.equal(err.status, 400);
  assert.deepEqual(err.error, upstreamBody);
  assert.match(err.requestID ?? '', /^req_remote-[ab]_\d+$/);
  assert.equal(remoteA.requests.length + remoteB.requests.length, 1, 'a 400 is not retried');
});

test('errors – every attempt failing with the same 529 keeps it; mixed failures are wrapped in a 502 naming each attempt', async () => {
  const { client } = await gateway();
  const overloaded = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
  remoteA.behave = remoteB.behave = () => ({ kind: 'status', status: 529, body: JSON.stringify(overloaded) });
  const same = await client.messages.create({ model: 'claude-sonnet-test', max_tokens: 8, messages: user('hi') }).then(() => null, (e: unknown) => e);
  assert.ok(same instanceof Anthropic.APIError);
  assert.equal(same.status, 529);
  assert.deepEqual(same.error, overloaded);
  assert.equal(remoteA.requests.length + remoteB.requests.length, 2, 'both instances were tried (no fallback for an explicit model)');

  const { client: fresh } = await gateway();
  remoteA.behave = () => ({ kind: 'status', status: 503, body: 'upstream connect error', contentType: 'text/plain' });
  remoteB.behave = () => ({ kind: 'status', status: 529, body: JSON.stringify(overloaded) });
  const mixed = await fresh.messages.create({ model: 'claude-sonnet-test', max_tokens: 8, messages: user('hi') }).then(() => null, (e: unknown) => e);
  assert.ok(mixed instanceof Anthropic.APIError);
  assert.equal(mixed.status, 502);
  const body = mixed.error as { type: string; error: { type: string; message: string } };
  assert.equal(body.type, 'error');
  assert.equal(body.error.type, 'api_error');
  assert.match(body.error.message, /remote-a \(claude-sonnet-test\): 503 "upstream connect error"/);
  assert.match(body.error.message, /remote-b \(claude-sonnet-test\): 529 overloaded_error "Overloaded"/);
});

test('errors – a stream cut mid-way ends with an `event: error` the SDK raises as an APIError, never a socket error', async () => {
  const { client, base } = await gateway();
  local.behave = () => ({ kind: 'cut', events: 5 });
  const stream = await client.messages.create({ model: 'auto', max_tokens: 64, stream: true, messages: user('Explain what this regex does: ^a+$') });
  const seen: string[] = [];
  const err = await (async () => {
    for await (const event of stream) seen.push(event.type);
  })().then(() => null, (e: unknown) => e);
  assert.ok(err instanceof Anthropic.APIError, `got ${String(err)}`);
  assert.equal((err.error as { error: { type: string } }).error.type, 'api_error');
  assert.deepEqual(seen, ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta'], 'whole events before the cut (ping is skipped by the SDK)');

  // raw: whole events, then the error event; the half event is dropped
  const res = await fetch(`${base}/v1/messages`, { method: 'POST', body: JSON.stringify({ model: 'auto', max_tokens: 64, stream: true, messages: user('Explain what this regex does: ^a+$') }) });
  const text = await res.text();
  const events = messageEvents('local-coder', 'msg_local', 'answer from local');
  assert.ok(text.startsWith(events.slice(0, 5).join('')));
  assert.match(text.slice(events.slice(0, 5).join('').length), /^event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"[^"]+"\}\}\n\n$/);

  // an upstream that ends cleanly without message_stop is an error too
  for (const partial of [false, true]) {
    local.behave = () => ({ kind: 'no-stop', partial });
    const truncated = await client.messages.stream({ model: 'auto', max_tokens: 64, messages: user('Explain what this regex does: ^a+$') }).finalMessage().then(() => null, (e: unknown) => e);
    assert.ok(truncated instanceof Anthropic.APIError, `partial ${partial}: got ${String(truncated)}`);
    assert.match(truncated.message, /before message_stop/);
  }
});

test('client abort – a client that leaves mid-stream closes the upstream connection too', async () => {
  const { client } = await gateway();
  local.behave = () => ({ kind: 'stall' });
  const closed = once(local.events, 'closed', { signal: AbortSignal.timeout(5_000) }); // a hang guard, not a timing claim
  const stream = await client.messages.create({ model: 'auto', max_tokens: 64, stream: true, messages: user('Explain what this regex does: ^a+$') });
  for await (const event of stream) {
    assert.equal(event.type, 'message_start');
    break; // the SDK aborts its request
  }
  await closed; // the gateway aborted its upstream fetch
});

test('errors – a stream that goes quiet past streamIdleTimeoutMs ends with `event: error` and closes the upstream', async () => {
  const { client } = await gateway({ streamIdleTimeoutMs: 100 });
  local.behave = () => ({ kind: 'stall' });
  const closed = once(local.events, 'closed', { signal: AbortSignal.timeout(5_000) }); // a hang guard
  const err = await client.messages.stream({ model: 'auto', max_tokens: 64, messages: user('Explain what this regex does: ^a+$') }).finalMessage().then(() => null, (e: unknown) => e);
  assert.ok(err instanceof Anthropic.APIError, `got ${String(err)}`);
  assert.match(err.message, /no data from upstream for 100 ms/);
  await closed;
});

test('errors – the gateway\'s own errors are in Anthropic\'s shape (400, 404, 405, 413)', async () => {
  const { base } = await gateway({ maxBodyBytes: 4096 });
  const post = (path: string, body: string): Promise<Response> => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const cases: [Promise<Response>, number, string][] = [
    [post('/v1/messages', '{"model":"auto","messages":['), 400, 'invalid_request_error'],
    [post('/v1/messages', JSON.stringify({ model: 'auto', messages: [] })), 400, 'invalid_request_error'],
    [post('/v1/messages', JSON.stringify({ model: 7, messages: user('hi') })), 400, 'invalid_request_error'],
    [post('/v1/messages', JSON.stringify({ model: 'auto', messages: user('x'.repeat(10_000)) })), 413, 'request_too_large'],
    [fetch(`${base}/v1/messages`), 405, 'invalid_request_error'],
    [fetch(`${base}/v2/everything`), 404, 'not_found_error'],
    [fetch(`${base}/v1/models/gpt-17`), 404, 'not_found_error'],
    [fetch(`${base}/v1/models/%E0%A4%A`), 400, 'invalid_request_error'],
  ];
  for (const [pending, status, type] of cases) {
    const res = await pending;
    assert.equal(res.status, status, type);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, type);
    assert.equal(typeof body.error.message, 'string');
  }
  assert.equal(allRequests(), 0, 'no bad request reached an upstream');
});

test('models.list(), models.retrieve() and messages.countTokens()', async () => {
  const { client } = await gateway();
  const ids: string[] = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, ['auto', 'local-coder', 'claude-sonnet-test', 'claude-opus-test']);
  assert.equal((await client.models.retrieve('claude-opus-test')).display_name, 'opus tier (anthropic)');
  const messages = user('Explain what this regex does: ^a+$');
  const count = await client.messages.countTokens({ model: 'auto', messages });
  assert.equal(count.input_tokens, JSON.stringify(messages).length, 'answered by the upstream');
  assert.equal(local.requests[0]!.path, '/v1/messages/count_tokens');
});

test('API keys – the client key goes only to providers listed in clientKeyProviders, never to the local one', async () => {
  const { client } = await gateway({ clientKeyProviders: ['anthropic'] });
  await client.messages.create({ model: 'auto', max_tokens: 8, messages: user('Explain closures in one line') });
  await client.messages.create({ model: 'sonnet', max_tokens: 8, messages: user('hi') });
  assert.equal(local.requests.length, 1);
  assert.equal(local.requests[0]!.headers['x-api-key'], 'local-key');
  const remote = [...remoteA.requests, ...remoteB.requests];
  assert.equal(remote.length, 1);
  // the SDK sends its apiKey as `authorization: Bearer`; the gateway passes the header on as it came
  assert.equal(remote[0]!.headers['authorization'], `Bearer ${CLIENT_KEY}`);
  assert.equal(remote[0]!.headers['x-api-key'], undefined, 'the gateway key is not added beside it');
  assert.ok(!JSON.stringify(local.requests[0]!.headers).includes(CLIENT_KEY), 'never to the local provider');
});

test('phase 2 – an ambiguous request is classified by the local model, then served by the tier it names', async () => {
  const { client } = await gateway({ phase2: true });
  local.behave = (r) => (String(r.body['system']).startsWith('You route requests')
    ? { kind: 'ok', text: '{"tier": "opus", "reason": "needs careful reasoning"}' }
    : { kind: 'ok' });
  const { response } = await client.messages.create({ model: 'auto', max_tokens: 8, messages: user('How do I read a file line by line in Node?') }).withResponse();
  assert.equal(response.headers.get('x-switchyard-phase'), 'llm_classifier');
  assert.equal(response.headers.get('x-switchyard-tier'), 'opus');
  assert.equal(local.requests.length, 1, 'the classification call');
  assert.match(JSON.stringify(local.requests[0]!.body['messages']), /read a file line by line/);
  assert.equal(local.requests[0]!.headers['x-api-key'], 'local-key');
  assert.equal([...remoteA.requests, ...remoteB.requests][0]!.body['model'], 'claude-opus-test');
});
