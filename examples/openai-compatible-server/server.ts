// An OpenAI-compatible front door built only on switchyard's public API and node:http.
// switchyard decides where each request goes (FastProjectRouter -> project, ApiMap -> instance,
// with retries, fallback and breakers); this file does the HTTP: parse, forward with fetch,
// pass the upstream response (streamed or not) through.
import http from 'node:http';
import {
  isSwitchyardError, type ApiMap, type AttemptRecord, type ClassifiableRequest, type FastProjectRouter, type FeedbackLog, type RequestClassifier,
  type RouteInput, type RouteResult, type DecideResult, type Selection,
} from '../../src/index.js';
import { SseEventBuffer } from '../shared/sse-events.js';
import { UpstreamHttpError, describeAttempts, madeAttempts, passThroughHeaders, readCapped, sameUpstreamFailure } from '../shared/upstream-error.js';

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** Routes each request to a project (model path). */
  readonly router: FastProjectRouter;
  /**
   * Serves the upstream models; instance endpoints are OpenAI-compatible base URLs. Its model
   * names are the projects' model paths, or the tiers' models when a `classifier` is set.
   */
  readonly apiMap: ApiMap;
  /**
   * Optional tier classifier. When set, the project router still picks the project (reported
   * in `x-switchyard-project`), and the classifier's tier picks the upstream model: the
   * request is executed on ApiMap model `decision.model` and sent upstream with that model.
   */
  readonly classifier?: RequestClassifier;
  /** When set, `POST /v1/feedback` records preference pairs into it. */
  readonly feedbackLog?: FeedbackLog;
  /** Largest accepted request body, bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Per-attempt upstream timeout, ms (time to response headers). Default 60 s. */
  readonly upstreamTimeoutMs?: number;
  /** Model name sent upstream for a routed project. Default: the project's model path. */
  readonly upstreamModel?: (modelPath: string) => string;
}

/** Server-level counters for `GET /v1/routing/stats`. */
interface Counters {
  requests: number;
  routed: number;
  upstreamOk: number;
  errors: Map<number, number>;
}

class HttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string;
  constructor(status: number, code: string, message: string, type = 'invalid_request_error') {
    super(message);
    this.status = status;
    this.code = code;
    this.type = type;
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The upstream's answer: a whole body, or `body: null` for an event stream still to relay. */
interface Answer {
  readonly sel: Selection;
  readonly response: Response;
  readonly body: Buffer | null;
}

/** Whether an upstream error body already has OpenAI's shape `{ error: { message, ... } }`. */
function isOpenAiError(e: UpstreamHttpError): boolean {
  try {
    const v = JSON.parse(e.body.toString('utf8')) as { error?: { message?: unknown } };
    return typeof v.error?.message === 'string';
  } catch {
    return false;
  }
}

/** An error in a stream, as the OpenAI API sends one: a `data:` line with an `error` object. */
const errorChunk = (message: string): string => `data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code: 'stream_interrupted' } })}\n\n`;

/**
 * Relays an event stream whole event by whole event. A stream that breaks ends with an error
 * chunk (the half-sent event is dropped), never with a dropped socket.
 */
async function relayEvents(res: http.ServerResponse, body: ReadableStream<Uint8Array>, instance: string): Promise<void> {
  const reader = body.getReader();
  const events = new SseEventBuffer();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const whole = events.push(value);
      if (whole.length > 0 && !res.write(whole) && !res.destroyed) {
        await new Promise<void>((resolve) => {
          const go = (): void => { res.off('drain', go); res.off('close', go); resolve(); };
          res.on('drain', go);
          res.on('close', go);
        });
      }
    }
    if (events.rest().length > 0) res.write(events.rest());
  } catch (e) {
    if (res.destroyed) return; // the client left
    res.write(errorChunk(`the stream from upstream ${instance} broke: ${e instanceof Error ? e.message : String(e)}`));
  } finally {
    reader.cancel().catch(() => {});
  }
  res.end();
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': String(Buffer.byteLength(data)), ...headers });
  res.end(data);
}

/** Reads the body up to `limit` bytes. Past the limit it keeps draining (up to 8× the limit) so the client gets the 413. */
async function readJson(req: http.IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
    else if (size > limit * 8) break; // give up draining: the socket is closed after the response
  }
  if (size > limit) throw new HttpError(413, 'body_too_large', `Request body exceeds ${limit} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid_json', 'Request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'invalid_body', 'Request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** The routable input of a request: chat `messages` or a completion `prompt`. */
function routeInput(body: Record<string, unknown>, kind: 'chat' | 'completion' | 'either'): RouteInput {
  const messages = body['messages'];
  const prompt = body['prompt'];
  if (kind !== 'completion' && Array.isArray(messages) && messages.length > 0) return messages as RouteInput;
  if (kind !== 'chat' && typeof prompt === 'string' && prompt !== '') return prompt;
  throw new HttpError(400, 'invalid_request', kind === 'chat' ? '`messages` must be a non-empty array' : kind === 'completion' ? '`prompt` must be a non-empty string' : 'Expected `messages` or `prompt`');
}

function requestedModel(router: FastProjectRouter, classifier: RequestClassifier | undefined, body: Record<string, unknown>): string {
  const model = body['model'] ?? 'auto';
  if (typeof model !== 'string') throw new HttpError(400, 'invalid_request', '`model` must be a string');
  const isTier = classifier?.tiers.some((t) => t.name === model || t.model === model) === true;
  if (model !== 'auto' && !isTier && router.getProject(model) === undefined) {
    throw new HttpError(404, 'model_not_found', `The model \`${model.slice(0, 100)}\` does not exist; use "auto" or one of GET /v1/models`);
  }
  return model;
}

function describeRoute(r: RouteResult): Record<string, unknown> {
  return { modelPath: r.modelPath, method: r.method, score: r.score, candidates: r.candidates, reasons: r.reasons, routerLatencyMs: r.latencyMs };
}

/**
 * Creates the HTTP server (not listening yet).
 *
 * Routes: `POST /v1/chat/completions`, `POST /v1/completions`, `GET /v1/models`,
 * `POST /v1/routing/test`, `GET /v1/routing/stats`, and `POST /v1/feedback` with a `feedbackLog`.
 */
export function createServer(options: ServerOptions): http.Server {
  const { router, apiMap, feedbackLog, classifier } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1 << 20;
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 60_000;
  const upstreamModel = options.upstreamModel ?? ((p: string) => p);
  const counters: Counters = { requests: 0, routed: 0, upstreamOk: 0, errors: new Map() };

  async function forward(req: http.IncomingMessage, res: http.ServerResponse, kind: 'chat' | 'completion'): Promise<void> {
    const body = await readJson(req, maxBodyBytes);
    const model = requestedModel(router, classifier, body);
    const input = routeInput(body, kind);
    const { route, tier } = await decide(model, input, body);
    if (route.modelPath === null) throw new HttpError(503, 'no_route', 'No project matched and no default project is configured', 'server_error');
    counters.routed++;
    const path = kind === 'chat' ? '/v1/chat/completions' : '/v1/completions';
    const target = tier ? tier.model : route.modelPath;
    const payload = JSON.stringify({ ...body, model: tier ? tier.model : upstreamModel(route.modelPath) });
    // Abort the upstream call (and its body) when the client goes away.
    const clientGone = new AbortController();
    res.on('close', () => { if (!res.writableFinished) clientGone.abort(); });
    const errors = new Map<number, unknown>();
    let upstream: Answer;
    try {
      upstream = await apiMap.execute(target, async (sel, signal, attempt): Promise<Answer> => {
        try {
          const response = await fetch(new URL(path, sel.instance.endpoint), {
            method: 'POST', headers: { 'content-type': 'application/json', accept: String(req.headers.accept ?? '*/*') }, body: payload,
            signal: AbortSignal.any([signal, clientGone.signal]),
          });
          if (!response.ok) {
            throw new UpstreamHttpError(sel.instance, response.status, response.status, response.headers, await readCapped(response.body, 64 << 10));
          }
          const isSse = (response.headers.get('content-type') ?? '').includes('text/event-stream');
          // A whole (non-streamed) body is read inside the attempt, so a cut one is retried.
          if (!isSse || response.body === null) return { sel, response, body: await readCapped(response.body, 256 << 20) };
          return { sel, response, body: null };
        } catch (e) {
          errors.set(attempt, e);
          throw e;
        }
      }, { timeoutMs: upstreamTimeoutMs, signal: clientGone.signal });
    } catch (e) {
      if (!isSwitchyardError(e) || e.code !== 'ERR_ALL_ATTEMPTS_FAILED') throw e;
      const attempts = (e.details?.['attempts'] ?? []) as AttemptRecord[];
      const same = sameUpstreamFailure(attempts, errors);
      if (same === undefined) {
        const made = madeAttempts(attempts);
        const timedOut = made.length > 0 && made.every((a) => a.timedOut);
        throw new HttpError(timedOut ? 504 : 502, timedOut ? 'upstream_timeout' : 'upstream_failed', `All ${made.length} upstream attempt(s) failed: ${describeAttempts(attempts, errors)}`, 'server_error');
      }
      // every attempt failed the same way: the client gets the upstream's answer (wrapped in
      // OpenAI's error shape only when it is not already in it)
      counters.errors.set(same.httpStatus, (counters.errors.get(same.httpStatus) ?? 0) + 1);
      const headers = { ...passThroughHeaders(same.headers), 'x-switchyard-instance': same.instance };
      if (isOpenAiError(same)) {
        res.writeHead(same.httpStatus, { ...headers, 'content-type': same.contentType });
        res.end(same.body);
      } else {
        sendJson(res, same.httpStatus, { error: { message: `upstream ${same.instance} answered ${same.httpStatus}: ${same.summary().message}`, type: same.httpStatus >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: 'upstream_error' } }, headers);
      }
      return;
    }
    counters.upstreamOk++;
    const { response, sel } = upstream;
    res.writeHead(response.status, {
      'content-type': response.headers.get('content-type') ?? 'application/json',
      'cache-control': 'no-cache',
      ...passThroughHeaders(response.headers),
      'x-switchyard-project': route.modelPath,
      'x-switchyard-route-method': route.method,
      'x-switchyard-instance': sel.instance.id,
      ...(tier ? { 'x-switchyard-tier': tier.tier, 'x-switchyard-tier-phase': tier.phase } : {}),
      'x-switchyard-router-ms': route.latencyMs.toFixed(3),
    });
    if (upstream.body !== null) {
      res.end(upstream.body);
      return;
    }
    await relayEvents(res, response.body!, sel.instance.id);
  }

  /** Project routing, plus the tier decision when a classifier is configured (both in parallel). */
  async function decide(model: string, input: RouteInput, body: Record<string, unknown>): Promise<{ route: RouteResult; tier: DecideResult | undefined }> {
    const isProject = model !== 'auto' && router.getProject(model) !== undefined;
    const messages: ClassifiableRequest['messages'] = typeof input === 'string' ? [{ role: 'user', content: input }] : (input as ClassifiableRequest['messages']);
    const request: ClassifiableRequest = {
      messages, ...(isProject ? {} : { model }),
      ...(Array.isArray(body['tools']) ? { tools: body['tools'] as unknown[] } : {}),
    };
    const [route, tier] = await Promise.all([router.route(isProject ? model : 'auto', input), classifier?.decide(request)]);
    return { route, tier };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'POST /v1/chat/completions':
        return forward(req, res, 'chat');
      case 'POST /v1/completions':
        return forward(req, res, 'completion');
      case 'GET /v1/models':
        return sendJson(res, 200, {
          object: 'list',
          data: [{ id: 'auto', object: 'model', created: 0, owned_by: 'switchyard' },
            ...router.projects().map((p) => ({ id: p.modelPath, object: 'model', created: 0, owned_by: 'switchyard', description: p.description }))
              .sort((a, b) => a.id.localeCompare(b.id))],
        });
      case 'POST /v1/routing/test': {
        const body = await readJson(req, maxBodyBytes);
        const { route: r, tier } = await decide(requestedModel(router, classifier, body), routeInput(body, 'either'), body);
        return sendJson(res, 200, { route: describeRoute(r), ...(tier ? { tier } : {}) });
      }
      case 'GET /v1/routing/stats': {
        const { recent: _recent, ...routerStats } = router.stats();
        return sendJson(res, 200, {
          server: { requests: counters.requests, routed: counters.routed, upstreamOk: counters.upstreamOk, errors: Object.fromEntries(counters.errors) },
          router: routerStats,
          upstream: apiMap.stats(),
          ...(classifier ? { classifier: classifier.stats() } : {}),
        });
      }
      case 'POST /v1/feedback': {
        if (!feedbackLog) break;
        const body = await readJson(req, maxBodyBytes);
        try {
          const queued = feedbackLog.record(body as never);
          return sendJson(res, queued ? 202 : 503, { queued });
        } catch (e) {
          if (isSwitchyardError(e)) throw new HttpError(400, 'invalid_feedback', e.message);
          throw e;
        }
      }
    }
    const known = ['/v1/chat/completions', '/v1/completions', '/v1/models', '/v1/routing/test', '/v1/routing/stats', '/v1/feedback'];
    if (known.includes(url.pathname)) throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname}`);
    throw new HttpError(404, 'not_found', `No route for ${req.method} ${url.pathname.slice(0, 100)}`);
  }

  function toHttpError(e: unknown): HttpError {
    if (e instanceof HttpError) return e;
    if (isSwitchyardError(e)) {
      if (e.code === 'ERR_ALL_ATTEMPTS_FAILED') return new HttpError(502, 'upstream_failed', e.message, 'server_error');
      if (e.code === 'ERR_NO_HEALTHY_INSTANCE') return new HttpError(503, 'no_healthy_instance', e.message, 'server_error');
      if (e.code === 'ERR_ABORTED') return new HttpError(499, 'client_closed', e.message);
      if (e.code === 'ERR_INVALID_MESSAGES' || e.code === 'ERR_PROMPT_TOO_LARGE') return new HttpError(400, 'invalid_request', e.message);
    }
    return new HttpError(500, 'internal_error', 'Internal server error', 'server_error');
  }

  return http.createServer((req, res) => {
    counters.requests++;
    handle(req, res).catch((e: unknown) => {
      const err = toHttpError(e);
      counters.errors.set(err.status, (counters.errors.get(err.status) ?? 0) + 1);
      if (res.headersSent) {
        // a failure after the headers: an event stream ends the OpenAI way, a plain body can only be cut
        if (String(res.getHeader('content-type') ?? '').includes('text/event-stream') && !res.writableEnded && !res.destroyed) res.end(errorChunk(err.message));
        else res.destroy();
        return;
      }
      if (res.destroyed) return;
      sendJson(res, err.status, { error: { message: err.message, type: err.type, param: null, code: err.code } },
        err.status === 413 ? { connection: 'close' } : {});
    });
  });
}
