// Error classification: which failures are retried, which go to a fallback model, which stop.

/**
 * What to do after a failed call.
 * - `'retryable'`: 408, 429, 5xx, timeouts, connection errors: retry on another instance,
 *   then fallback models; counts against the instance's breaker.
 * - `'fallback'`: the model cannot serve this request (context length exceeded, content policy):
 *   no retry on the same model, fallback models allowed; the instance stays healthy.
 * - `'fatal'`: the request itself is wrong (400, 401, 403, 404, 422, other 4xx): no retry, no
 *   fallback; the instance stays healthy.
 */
export type FailureClass = 'retryable' | 'fallback' | 'fatal';

const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH',
  'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
  'ERR_TIMEOUT', 'timeout',
]);
const FALLBACK_CODES: ReadonlySet<string> = new Set([
  'context_length_exceeded', 'context-length', 'content_policy_violation', 'content-policy', 'content_filter',
]);

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Reads an HTTP status from `status`, `statusCode` or `response.status` of an error.
 * @param error - anything thrown by the host's call
 * @returns the status, or `undefined`
 */
export function statusOf(error: unknown): number | undefined {
  const s = field(error, 'status') ?? field(error, 'statusCode') ?? field(field(error, 'response'), 'status');
  return typeof s === 'number' && Number.isInteger(s) ? s : undefined;
}

/**
 * Classifies a failed call from its status and/or error (table in {@link FailureClass}).
 * Errors without a status or a known code are treated as retryable (network-like).
 * @param status - HTTP status, if known
 * @param error - the thrown error, if any (`code`, `type` and `kind` are inspected)
 */
export function classifyFailure(status: number | undefined, error?: unknown): FailureClass {
  for (const key of ['code', 'type', 'kind']) {
    const v = field(error, key) ?? field(field(error, 'error'), key);
    if (typeof v === 'string') {
      if (FALLBACK_CODES.has(v)) return 'fallback';
      if (RETRYABLE_CODES.has(v)) return 'retryable';
    }
  }
  const s = status ?? statusOf(error);
  if (s === undefined) return 'retryable';
  if (s === 408 || s === 429 || s >= 500) return 'retryable';
  if (s >= 400) return 'fatal';
  return 'retryable';
}

/**
 * Parses a `Retry-After` header value (seconds or an HTTP date) into milliseconds.
 * @param value - header value
 * @param nowMs - current wall-clock time in ms since the epoch (for HTTP dates)
 * @returns a finite number of ms `>= 0`, or `undefined` when the value is not valid
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) {
    const ms = Number(v) * 1000;
    return Number.isFinite(ms) ? ms : undefined;
  }
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/**
 * Reads a retry delay from an error: `retryAfterMs`, or a `retry-after` header in
 * `headers` / `response.headers` (a `Headers` instance or a plain object).
 * @param error - anything thrown by the host's call
 * @param nowMs - current wall-clock time in ms since the epoch (for HTTP dates)
 */
export function retryAfterOf(error: unknown, nowMs: number = Date.now()): number | undefined {
  const direct = field(error, 'retryAfterMs');
  if (typeof direct === 'number' && Number.isFinite(direct) && direct >= 0) return direct;
  const headers = field(error, 'headers') ?? field(field(error, 'response'), 'headers');
  if (headers === undefined || headers === null) return undefined;
  const get = field(headers, 'get');
  const raw = typeof get === 'function' ? (get as (k: string) => unknown).call(headers, 'retry-after') : field(headers, 'retry-after');
  return typeof raw === 'string' ? parseRetryAfter(raw, nowMs) : undefined;
}
