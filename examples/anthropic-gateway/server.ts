// An Anthropic Messages gateway built only on switchyard's public API and node:http.
// RequestClassifier.decide() picks the tier (local model, mid or top remote model) from the
// request's content; ApiMap#execute() picks an instance of that tier's model, with retries on
// other instances, fallback to the next tier and breakers. This file does the HTTP: parse,
// forward with fetch, relay the answer (JSON or SSE events) unchanged.
import http from 'node:http';
import {
  classifyFailure, isSwitchyardError, type ApiMap, type AttemptRecord, type FailureClass, type ClassifiableRequest, type InstanceInfo, type RequestClassifier,
  type DecideResult, type Selection, type TierSpec,
} from '../../src/index.js';
import { SseEventBuffer, eventNames, firstEventData } from '../shared/sse-events.js';
import { UpstreamHttpError, describeAttempts, madeAttempts, passThroughHeaders, readCapped, sameUpstreamFailure } from '../shared/upstream-error.js';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /** Picks the tier. Its tiers' `model`s are the ApiMap model names. */
  readonly classifier: RequestClassifier;
  /** Instances per tier model; each instance endpoint is an Anthropic-compatible base URL (e.g. `https://api.anthropic.com`). */
  readonly apiMap: ApiMap;
  /** The key the gateway sends to an instance as `x-api-key` (from the gateway's environment), or undefined for none. */
  readonly apiKeyFor?: (instance: InstanceInfo) => string | undefined;
  /**
   * Providers that receive the client's own `x-api-key` / `authorization` header (in place of
   * `apiKeyFor`). The client's key never goes to any other provider. @defaultValue [] (never forwarded)
   */
  readonly clientKeyProviders?: readonly string[];
  /** Tier names tried, in order, after the decided tier fails. Never used for an explicit model. @defaultValue the next tier up; the top tier falls back to the one below it */
  readonly fallbackTiers?: (tier: TierSpec, tiers: readonly TierSpec[]) => readonly string[];
  /** Largest accepted request body, bytes. @defaultValue 32 MiB (the Messages API's own limit) */
  readonly maxBodyBytes?: number;
  /** Per-attempt time to the whole answer of a non-streamed request, ms. @defaultValue 600000 */
  readonly timeoutMs?: number;
  /** Per-attempt time to the first event of a streamed request, ms; later failures cannot be retried. @defaultValue 60000 */
  readonly streamStartTimeoutMs?: number;
  /** A stream that sends nothing for this long is ended with an error event, ms. @defaultValue 300000 */
  readonly streamIdleTimeoutMs?: number;
  /** `anthropic-version` sent upstream when the client sends none. @defaultValue '2023-06-01' */
  readonly anthropicVersion?: string;
}

/** An error the gateway answers itself, in Anthropic's shape. */
class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

/** Anthropic error type of an HTTP status, and back (for an `event: error` that replaces a stream). */
const TYPE_BY_STATUS: ReadonlyMap<number, string> = new Map([
  [400, 'invalid_request_error'], [401, 'authentication_error'], [402, 'billing_error'], [403, 'permission_error'],
  [404, 'not_found_error'], [413, 'request_too_large'], [429, 'rate_limit_error'], [500, 'api_error'],
  [504, 'timeout_error'], [529, 'overloaded_error'],
]);
const STATUS_BY_TYPE: ReadonlyMap<string, number> = new Map([...TYPE_BY_STATUS].map(([s, t]) => [t, s]));
const typeForStatus = (status: number): string => TYPE_BY_STATUS.get(status) ?? (status >= 500 ? 'api_error' : 'invalid_request_error');

const errorBody = (type: string, message: string): string => JSON.stringify({ type: 'error', error: { type, message } });
const errorEvent = (type: string, message: string): string => `event: error\ndata: ${errorBody(type, message)}\n\n`;

/** Reads the body up to `limit` bytes. Past the limit it keeps draining (up to 2× the limit) so the client gets the 413. */
async function readJson(req: http.IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
    else if (size > limit * 2) break;
  }
  if (size > limit) throw new GatewayError(413, 'request_too_large', `Request body exceeds ${limit} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new GatewayError(400, 'invalid_request_error', 'Request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new GatewayError(400, 'invalid_request_error', 'Request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** What an attempt hands back once the upstream has answered (a whole body, or a stream after its first events). */
type Answer =
  | { readonly kind: 'body'; readonly sel: Selection; readonly status: number; readonly headers: Headers; readonly body: Buffer }
  | { readonly kind: 'stream'; readonly sel: Selection; readonly status: number; readonly headers: Headers; readonly first: Buffer; readonly events: SseEventBuffer; readonly reader: ReadableStreamDefaultReader<Uint8Array> };

/** Default fallback: the next tier up; the top tier falls back to the one below. */
function nextTier(tier: TierSpec, tiers: readonly TierSpec[]): readonly string[] {
  const i = tiers.findIndex((t) => t.name === tier.name);
  if (i < 0 || tiers.length < 2) return [];
  return [i + 1 < tiers.length ? tiers[i + 1]!.name : tiers[i - 1]!.name];
}

/**
 * Creates the gateway (not listening yet).
 *
 * Routes: `POST /v1/messages` (streamed or not), `POST /v1/messages/count_tokens`,
 * `GET /v1/models`, `GET /v1/models/:id`, and `POST /v1/routing/test` (the decision, no upstream call).
 */
export function createGateway(options: GatewayOptions): http.Server {
  const { classifier, apiMap } = options;
  const apiKeyFor = options.apiKeyFor ?? (() => undefined);
  const clientKeyProviders = new Set(options.clientKeyProviders ?? []);
  const fallbackTiers = options.fallbackTiers ?? nextTier;
  const maxBodyBytes = options.maxBodyBytes ?? 32 << 20;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const streamStartTimeoutMs = options.streamStartTimeoutMs ?? 60_000;
  const streamIdleTimeoutMs = options.streamIdleTimeoutMs ?? 300_000;
  const anthropicVersion = options.anthropicVersion ?? '2023-06-01';
  const tiers = classifier.tiers;
  const tierByName = new Map(tiers.map((t) => [t.name, t]));
  const tierByModel = new Map<string, TierSpec>();
  for (const t of tiers) if (!tierByModel.has(t.model)) tierByModel.set(t.model, t);

  /** The classifier's view of the body: only Messages API fields (a `provider` field is not one). */
  function classifiable(body: Record<string, unknown>): ClassifiableRequest {
    const model = body['model'];
    if (model !== undefined && typeof model !== 'string') throw new GatewayError(400, 'invalid_request_error', '`model` must be a string');
    const messages = body['messages'];
    if (!Array.isArray(messages) || messages.length === 0) throw new GatewayError(400, 'invalid_request_error', '`messages` must be a non-empty array');
    return {
      messages: messages as ClassifiableRequest['messages'],
      ...(model !== undefined ? { model } : {}),
      ...(body['system'] !== undefined ? { system: body['system'] as ClassifiableRequest['system'] & {} } : {}),
      ...(Array.isArray(body['tools']) ? { tools: body['tools'] as unknown[] } : {}),
    };
  }

  /** Upstream request headers: built from scratch, so nothing of the client leaks but what is listed. */
  function upstreamHeaders(req: http.IncomingMessage, instance: InstanceInfo, stream: boolean): Record<string, string> {
    const h: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      'anthropic-version': typeof req.headers['anthropic-version'] === 'string' ? req.headers['anthropic-version'] : anthropicVersion,
    };
    const beta = req.headers['anthropic-beta'];
    if (typeof beta === 'string') h['anthropic-beta'] = beta;
    const clientKey = req.headers['x-api-key'];
    const clientAuth = req.headers['authorization'];
    if (clientKeyProviders.has(instance.provider) && (typeof clientKey === 'string' || typeof clientAuth === 'string')) {
      if (typeof clientKey === 'string') h['x-api-key'] = clientKey;
      if (typeof clientAuth === 'string') h['authorization'] = clientAuth;
      return h;
    }
    const key = apiKeyFor(instance);
    if (key !== undefined && key !== '') h['x-api-key'] = key;
    return h;
  }

  async function forward(req: http.IncomingMessage, res: http.ServerResponse, path: '/v1/messages' | '/v1/messages/count_tokens'): Promise<void> {
    const body = await readJson(req, maxBodyBytes);
    const decision = await classifier.decide(classifiable(body));
    const tier = tierByName.get(decision.tier)!;
    const explicitOther = decision.model !== tier.model; // an explicit model that is not a tier's: passed through as is
    const fallbacks = decision.phase === 'explicit' ? [] : fallbackTiers(tier, tiers).flatMap((n) => tierByName.get(n)?.model ?? []).filter((m) => m !== tier.model);
    const stream = path === '/v1/messages' && body['stream'] === true;
    const cancel = new AbortController(); // client gone, or the stream went idle
    res.on('close', () => { if (!res.writableFinished) cancel.abort(new Error('client closed the connection')); });
    const errors = new Map<number, unknown>();

    let answer: Answer;
    try {
      answer = await apiMap.execute(tier.model, async (sel, signal, attempt) => {
        try {
          const model = sel.model === tier.model && explicitOther ? decision.model : sel.model;
          const response = await fetch(sel.instance.endpoint.replace(/\/+$/, '') + path, {
            method: 'POST', headers: upstreamHeaders(req, sel.instance, stream), body: JSON.stringify({ ...body, model }),
            signal: AbortSignal.any([signal, cancel.signal]),
          });
          if (!response.ok) {
            throw new UpstreamHttpError(sel.instance, response.status, response.status, response.headers, await readCapped(response.body, 64 << 10));
          }
          if (!stream || !(response.headers.get('content-type') ?? '').includes('text/event-stream') || response.body === null) {
            return { kind: 'body', sel, status: response.status, headers: response.headers, body: await readCapped(response.body, 256 << 20) };
          }
          // Read up to the first whole event inside the attempt: a stream that fails before it
          // (or opens with `event: error`, as an overloaded API does) is retried like any failure.
          const reader = response.body.getReader();
          const events = new SseEventBuffer();
          let first: Buffer = Buffer.alloc(0);
          while (first.length === 0) {
            const { done, value } = await reader.read();
            if (done) throw Object.assign(new Error(`upstream ${sel.instance.id} ended the stream before its first event`), { code: 'ECONNRESET' });
            first = events.push(value);
          }
          if (eventNames(first)[0] === 'error') {
            await reader.cancel().catch(() => {});
            let type: unknown;
            try { type = (JSON.parse(firstEventData(first)) as { error?: { type?: unknown } }).error?.type; } catch { /* unknown shape: a server error */ }
            const status = (typeof type === 'string' ? STATUS_BY_TYPE.get(type) : undefined) ?? 500;
            throw new UpstreamHttpError(sel.instance, status, response.status, response.headers, first);
          }
          return { kind: 'stream', sel, status: response.status, headers: response.headers, first, events, reader };
        } catch (e) {
          errors.set(attempt, e);
          throw e;
        }
      }, { timeoutMs: stream ? streamStartTimeoutMs : timeoutMs, signal: cancel.signal, fallbackModels: fallbacks });
    } catch (e) {
      if (isSwitchyardError(e) && e.code === 'ERR_ALL_ATTEMPTS_FAILED') {
        const attempts = (e.details?.['attempts'] ?? []) as AttemptRecord[];
        const same = sameUpstreamFailure(attempts, errors);
        if (same !== undefined) {
          // every attempt failed the same way: the client gets the upstream's own answer,
          // wrapped in Anthropic's error shape only when it is not already in it
          const lastTier = tierByModel.get(madeAttempts(attempts).at(-1)?.model ?? tier.model) ?? tier;
          const headers = { ...passThroughHeaders(same.headers), ...routingHeaders(decision, lastTier, same.instance) };
          if (isAnthropicError(same)) {
            res.writeHead(same.httpStatus, { ...headers, 'content-type': same.contentType });
            res.end(same.body);
          } else {
            const data = errorBody(typeForStatus(same.httpStatus), `upstream ${same.instance} answered ${same.httpStatus}: ${same.summary().message}`);
            res.writeHead(same.httpStatus, { ...headers, 'content-type': 'application/json' });
            res.end(data);
          }
          return;
        }
        const made = madeAttempts(attempts);
        const timedOut = made.length > 0 && made.every((a) => a.timedOut);
        throw new GatewayError(timedOut ? 504 : 502, timedOut ? 'timeout_error' : 'api_error', `All ${made.length} upstream attempt(s) failed: ${describeAttempts(attempts, errors)}`);
      }
      throw e;
    }

    const served = tierByModel.get(answer.sel.model) ?? tier;
    const headers = {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
      ...passThroughHeaders(answer.headers),
      ...routingHeaders(decision, served, answer.sel.instance.id),
      ...(served !== tier ? { 'x-switchyard-fallback-from': tier.name } : {}),
    };
    if (answer.kind === 'body') {
      res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
      res.end(answer.body);
      return;
    }
    res.writeHead(answer.status, { ...headers, 'cache-control': 'no-cache' });
    await relayStream(res, answer, cancel);
  }

  /** Relays a stream whole event by whole event; a failure ends it with `event: error`, never a dropped socket. */
  async function relayStream(res: http.ServerResponse, answer: Answer & { kind: 'stream' }, cancel: AbortController): Promise<void> {
    const { reader, events } = answer;
    let finished = eventNames(answer.first).some((n) => n === 'message_stop' || n === 'error');
    const idle = setTimeout(() => cancel.abort(new Error(`no data from upstream for ${streamIdleTimeoutMs} ms`)), streamIdleTimeoutMs);
    try {
      await write(res, answer.first);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        idle.refresh();
        const whole = events.push(value);
        if (whole.length === 0) continue;
        if (!finished) finished = eventNames(whole).some((n) => n === 'message_stop' || n === 'error');
        await write(res, whole);
      }
      // an unfinished trailing event would merge with the error event into one unparsable event
      if (!finished) res.write(errorEvent('api_error', `upstream ${answer.sel.instance.id} ended the stream before message_stop`));
      else if (events.rest().length > 0) await write(res, events.rest());
    } catch (e) {
      if (res.destroyed) return; // the client left: nothing to tell
      // the unfinished event is dropped: the client gets whole events, then the error
      const why = cancel.signal.aborted && cancel.signal.reason instanceof Error ? cancel.signal.reason.message : `the stream from upstream ${answer.sel.instance.id} broke: ${e instanceof Error ? e.message : String(e)}`;
      res.write(errorEvent('api_error', why));
    } finally {
      clearTimeout(idle);
      reader.cancel().catch(() => {});
    }
    res.end();
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'POST /v1/messages') return forward(req, res, '/v1/messages');
    if (route === 'POST /v1/messages/count_tokens') return forward(req, res, '/v1/messages/count_tokens');
    if (route === 'GET /v1/models') {
      const data = modelList();
      return sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
    }
    if (req.method === 'GET' && url.pathname.startsWith('/v1/models/')) {
      let id: string;
      try {
        id = decodeURIComponent(url.pathname.slice('/v1/models/'.length));
      } catch {
        throw new GatewayError(400, 'invalid_request_error', 'Malformed model id in the path');
      }
      const model = modelList().find((m) => m.id === id);
      if (model === undefined) throw new GatewayError(404, 'not_found_error', `model: ${id.slice(0, 100)}`);
      return sendJson(res, 200, model);
    }
    if (route === 'POST /v1/routing/test') {
      const decision = await classifier.decide(classifiable(await readJson(req, maxBodyBytes)));
      return sendJson(res, 200, decision);
    }
    const known = ['/v1/messages', '/v1/messages/count_tokens', '/v1/models', '/v1/routing/test'];
    if (known.includes(url.pathname)) throw new GatewayError(405, 'invalid_request_error', `${req.method} is not allowed on ${url.pathname}`);
    throw new GatewayError(404, 'not_found_error', `No route for ${req.method} ${url.pathname.slice(0, 100)}`);
  }

  /** `auto`, then every tier's model (a tier's name is accepted as a model too). */
  function modelList(): { type: 'model'; id: string; display_name: string; created_at: string }[] {
    const created = '1970-01-01T00:00:00Z';
    const seen = new Set<string>();
    const list = [{ type: 'model' as const, id: 'auto', display_name: 'switchyard: route by content', created_at: created }];
    for (const t of tiers) {
      if (seen.has(t.model)) continue;
      seen.add(t.model);
      list.push({ type: 'model', id: t.model, display_name: `${t.name} tier (${t.provider})`, created_at: created });
    }
    return list;
  }

  return http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof GatewayError ? e
        : isSwitchyardError(e) && e.code === 'ERR_NO_HEALTHY_INSTANCE' ? new GatewayError(503, 'overloaded_error', e.message)
          : isSwitchyardError(e) && e.code === 'ERR_INVALID_MESSAGES' ? new GatewayError(400, 'invalid_request_error', e.message)
            : isSwitchyardError(e) && e.code === 'ERR_ABORTED' ? null
              : new GatewayError(500, 'api_error', 'Internal gateway error');
      if (err === null || res.destroyed) return;
      if (res.headersSent) {
        // a failure after the headers of a stream: end it the protocol's way
        if (!res.writableEnded) res.end(errorEvent(err.type, err.message));
        return;
      }
      sendJson(res, err.status, JSON.parse(errorBody(err.type, err.message)), err.status === 413 ? { connection: 'close' } : {});
    });
  });
}

/** Whether an upstream error body already has Anthropic's shape (JSON, or an SSE `error` event). */
function isAnthropicError(e: UpstreamHttpError): boolean {
  if (e.contentType.includes('text/event-stream')) return true;
  try {
    const v = JSON.parse(e.body.toString('utf8')) as { type?: unknown; error?: { type?: unknown; message?: unknown } };
    return v.type === 'error' && typeof v.error?.type === 'string' && typeof v.error.message === 'string';
  } catch {
    return false;
  }
}

/**
 * An ApiMap `classifyError` for a gateway with a local tier: a 400, 404, 413 or 422 from an
 * instance of `providers` means that server cannot serve this request (a local server that
 * lacks an endpoint, a beta feature or the context length the client used), so the request
 * moves on to the fallback tier instead of failing, and the instance is not blamed. Anything
 * else is classified by switchyard's {@link classifyFailure}.
 */
export function fallBackOnRejection(providers: readonly string[]): (status: number | undefined, error: unknown) => FailureClass {
  const set = new Set(providers);
  return (status, error) => (error instanceof UpstreamHttpError && set.has(error.provider) && status !== undefined && REJECTIONS.has(status)
    ? 'fallback' : classifyFailure(status, error));
}
const REJECTIONS: ReadonlySet<number> = new Set([400, 404, 413, 422]);

function routingHeaders(decision: DecideResult, served: TierSpec, instance: string): Record<string, string> {
  return { 'x-switchyard-tier': served.name, 'x-switchyard-phase': decision.phase, 'x-switchyard-instance': instance };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)), ...headers });
  res.end(data);
}

/** Writes, waiting for 'drain' under back-pressure (or for the client to leave). */
async function write(res: http.ServerResponse, chunk: Buffer): Promise<void> {
  if (res.write(chunk) || res.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
