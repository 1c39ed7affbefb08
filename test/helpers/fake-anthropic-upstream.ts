// A fake Anthropic-compatible upstream on 127.0.0.1 (ephemeral port) for gateway e2e tests:
// answers POST /v1/messages (JSON or SSE) and /v1/messages/count_tokens as the Messages API
// does, records every request, and can be told to fail in the ways real upstreams fail.
import http from 'node:http';
import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';

/** A request the fake received. */
export interface RecordedRequest {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** What the fake does with one request. */
export type Reply =
  | { readonly kind: 'ok'; readonly text?: string; readonly toolUse?: { readonly name: string; readonly input: Record<string, unknown> } }
  | { readonly kind: 'status'; readonly status: number; readonly body: string; readonly contentType?: string; readonly headers?: Record<string, string> }
  /** Streams `events` whole events, then half of the next, then drops the connection. */
  | { readonly kind: 'cut'; readonly events: number }
  /** Answers 200 and opens the stream with `event: error` (as an overloaded API does). */
  | { readonly kind: 'stream-error'; readonly type: string; readonly message: string }
  /** Streams every event but `message_stop` (and with `partial`, the start of another one), then ends the response cleanly. */
  | { readonly kind: 'no-stop'; readonly partial?: boolean }
  /** Streams the first event, then sends nothing more until the connection closes. */
  | { readonly kind: 'stall' };

/** A running fake. */
export interface FakeUpstream {
  readonly name: string;
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Decides the reply; replace it per test. Default: `{ kind: 'ok' }`. */
  behave: (req: RecordedRequest) => Reply;
  /** Emits 'closed' when a stalled stream's connection is closed by the other side. */
  readonly events: EventEmitter;
  close(): Promise<void>;
}

/** The SSE events of a streamed answer, in Messages API order and format. */
export function messageEvents(model: string, id: string, text: string): string[] {
  const ev = (type: string, data: unknown): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  const words = text.split(/(?<= )/);
  return [
    ev('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', content: [], model, stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } }),
    ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ev('ping', { type: 'ping' }),
    ...words.map((w) => ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: w } })),
    ev('content_block_stop', { type: 'content_block_stop', index: 0 }),
    ev('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: words.length } }),
    ev('message_stop', { type: 'message_stop' }),
  ];
}

/** Writes `parts` one by one, as a server streams tokens. */
function writeSlowly(res: http.ServerResponse, parts: readonly string[], then: () => void): void {
  let i = 0;
  const next = (): void => {
    if (i === parts.length) return then();
    res.write(parts[i++]!, () => setImmediate(next));
  };
  next();
}

/** Starts a fake upstream named `name` (its answers say who served them). */
export async function startFakeAnthropic(name: string): Promise<FakeUpstream> {
  let served = 0;
  const requests: RecordedRequest[] = [];
  const fake: FakeUpstream = {
    name, url: '', requests,
    behave: () => ({ kind: 'ok' }),
    events: new EventEmitter(),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const recorded: RecordedRequest = { path: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      const requestId = `req_${name}_${++served}`;
      const reply = fake.behave(recorded);
      const model = String(body['model']);
      if (reply.kind === 'status') {
        res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json', 'request-id': requestId, ...reply.headers });
        res.end(reply.body);
        return;
      }
      if (req.url === '/v1/messages/count_tokens') {
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId });
        res.end(JSON.stringify({ input_tokens: JSON.stringify(body['messages']).length }));
        return;
      }
      const text = reply.kind === 'ok' && reply.text !== undefined ? reply.text : `answer from ${name}`;
      if (body['stream'] !== true) {
        const content = reply.kind === 'ok' && reply.toolUse
          ? [{ type: 'text', text }, { type: 'tool_use', id: 'toolu_1', name: reply.toolUse.name, input: reply.toolUse.input }]
          : [{ type: 'text', text }];
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId });
        res.end(JSON.stringify({
          id: `msg_${name}`, type: 'message', role: 'assistant', model, content,
          stop_reason: reply.kind === 'ok' && reply.toolUse ? 'tool_use' : 'end_turn', stop_sequence: null, usage: { input_tokens: 12, output_tokens: 5 },
        }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': requestId });
      const events = messageEvents(model, `msg_${name}`, text);
      if (reply.kind === 'stream-error') {
        res.end(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: reply.type, message: reply.message } })}\n\n`);
      } else if (reply.kind === 'cut') {
        const half = events[reply.events]!.slice(0, 30);
        writeSlowly(res, [...events.slice(0, reply.events), half], () => res.socket?.destroy());
      } else if (reply.kind === 'stall') {
        res.on('close', () => fake.events.emit('closed'));
        res.write(events[0]!);
      } else if (reply.kind === 'no-stop') {
        writeSlowly(res, [...events.slice(0, -1), ...(reply.partial === true ? ['event: message_stop\ndata: {"ty'] : [])], () => res.end());
      } else {
        writeSlowly(res, events, () => res.end());
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  (fake as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
