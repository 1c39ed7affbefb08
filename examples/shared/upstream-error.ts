// An upstream's failed answer, kept whole so a gateway can replay it to the client when every
// attempt failed the same way, instead of replacing it with a generic 502.
import type { AttemptRecord } from '../../src/index.js';

/** Headers worth passing from an upstream to the client (request ids and the retry hint). */
export const PASS_THROUGH_HEADERS: readonly string[] = ['request-id', 'x-request-id', 'retry-after'];

/** The pass-through headers present in `headers`. */
export function passThroughHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASS_THROUGH_HEADERS) {
    const v = headers.get(name);
    if (v !== null) out[name] = v;
  }
  return out;
}

/**
 * A non-2xx answer (or an error event in place of a stream's first event). `status` is what
 * ApiMap classifies (retry, fallback or stop) and `headers` carries `retry-after` to it;
 * `httpStatus`, `contentType` and `body` are replayed to the client as they came.
 */
export class UpstreamHttpError extends Error {
  /** Status ApiMap classifies. */
  readonly status: number;
  /** Status the upstream answered with. */
  readonly httpStatus: number;
  /** The upstream's response headers. */
  readonly headers: Headers;
  /** Content type of `body`. */
  readonly contentType: string;
  /** The upstream's body, truncated to the read limit. */
  readonly body: Buffer;
  /** Instance that answered. */
  readonly instance: string;
  /** Provider of that instance. */
  readonly provider: string;

  constructor(from: { readonly id: string; readonly provider: string }, status: number, httpStatus: number, headers: Headers, body: Buffer) {
    super(`upstream ${from.id} answered ${status}`);
    this.name = 'UpstreamHttpError';
    this.instance = from.id;
    this.provider = from.provider;
    this.status = status;
    this.httpStatus = httpStatus;
    this.headers = headers;
    this.contentType = headers.get('content-type') ?? 'application/octet-stream';
    this.body = body;
  }

  /** `error.type` and `error.message` of a JSON error body (Anthropic and OpenAI shapes), or the raw text. */
  summary(): { type: string | undefined; message: string } {
    const text = this.body.toString('utf8');
    try {
      const parsed = JSON.parse(text.startsWith('event:') || text.startsWith('data:') ? dataOf(text) : text) as { error?: { type?: unknown; message?: unknown } };
      const e = parsed.error;
      if (typeof e === 'object' && e !== null) {
        return { type: typeof e.type === 'string' ? e.type : undefined, message: typeof e.message === 'string' ? e.message : JSON.stringify(e) };
      }
    } catch { /* not JSON: the text is the message */ }
    return { type: undefined, message: text.slice(0, 500) };
  }
}

function dataOf(sse: string): string {
  return sse.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(l[5] === ' ' ? 6 : 5)).join('\n');
}

/**
 * Reads a body up to `limit` bytes; the rest is dropped (and the stream cancelled).
 * @returns the bytes read
 */
export async function readCapped(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer> {
  if (body === null) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = limit - size;
      chunks.push(value.byteLength > room ? value.subarray(0, room) : value);
      size += Math.min(value.byteLength, room);
      if (size >= limit) {
        await reader.cancel().catch(() => {});
        break;
      }
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks);
}

/** Whether a record is an instance ApiMap skipped rather than tried (records may carry `skipped`). */
const isSkip = (a: AttemptRecord): boolean => (a as { skipped?: unknown }).skipped === true;

/** The attempts actually made (skipped instances left out). */
export function madeAttempts(attempts: readonly AttemptRecord[]): AttemptRecord[] {
  return attempts.filter((a) => !isSkip(a));
}

/**
 * The answer to replay when every attempt failed with the same upstream error: the same
 * status and the same error type and message (bodies may differ in request ids). Otherwise
 * `undefined`, and the gateway wraps the attempts into its own error.
 * @param attempts - `details.attempts` of ApiMap's `ERR_ALL_ATTEMPTS_FAILED`
 * @param errors - the upstream errors seen, by attempt number
 */
export function sameUpstreamFailure(attempts: readonly AttemptRecord[], errors: ReadonlyMap<number, unknown>): UpstreamHttpError | undefined {
  let first: { httpStatus: number; type: string | undefined; message: string } | undefined;
  let last: UpstreamHttpError | undefined;
  for (const a of madeAttempts(attempts)) {
    const e = errors.get(a.attempt);
    if (!(e instanceof UpstreamHttpError) || a.timedOut) return undefined;
    const s = { httpStatus: e.httpStatus, ...e.summary() };
    if (first === undefined) first = s;
    else if (s.httpStatus !== first.httpStatus || s.type !== first.type || s.message !== first.message) return undefined;
    last = e;
  }
  return last;
}

/** A short description of a network-level failure (fetch wraps the socket error in `cause`). */
function networkMessage(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (e instanceof Error) return e.message.slice(0, 200);
  return 'failed';
}

/** One line per attempt, for a wrapped error message: `instance: 500 api_error "boom"`, `instance: timeout`. */
export function describeAttempts(attempts: readonly AttemptRecord[], errors: ReadonlyMap<number, unknown>): string {
  return attempts.map((a) => {
    if (isSkip(a)) return `${a.instance || '(none)'} (${a.model}): not tried (${String(a.failure)})`;
    const e = errors.get(a.attempt);
    if (a.timedOut) return `${a.instance} (${a.model}): timed out`;
    if (!(e instanceof UpstreamHttpError)) return `${a.instance} (${a.model}): ${networkMessage(e)}`;
    const { type, message } = e.summary();
    return `${a.instance} (${a.model}): ${e.httpStatus}${type === undefined ? '' : ` ${type}`} ${JSON.stringify(message.slice(0, 200))}`;
  }).join('; ');
}
