// Reading a routeBatch() argument from outside: its length and each request, without letting a
// hostile array (Proxy traps, throwing getters, absurd lengths) escape as anything but a result.
import { SwitchyardError, describeValue } from '../errors.js';

/** Most requests one routeBatch() call takes. */
const MAX_BATCH_REQUESTS = 1 << 20;

/** Length of a batch from outside; a throwing Proxy or an absurd length is `ERR_INVALID_MESSAGES`. @internal */
export function batchLength(requests: unknown): number {
  let n: unknown;
  try {
    n = Array.isArray(requests) ? requests.length : undefined;
  } catch (cause) {
    throw new SwitchyardError('ERR_INVALID_MESSAGES', 'Expected `requests` to be an array; reading its length threw', { cause });
  }
  if (typeof n !== 'number') throw new SwitchyardError('ERR_INVALID_MESSAGES', `Expected \`requests\` to be an array, got ${describeValue(requests)}`);
  if (n > MAX_BATCH_REQUESTS) throw new SwitchyardError('ERR_INVALID_MESSAGES', `Expected at most ${MAX_BATCH_REQUESTS} requests per routeBatch() call, got ${n}`, { details: { limit: MAX_BATCH_REQUESTS } });
  return n;
}

/** One request of a batch; null when a getter or Proxy trap threw while reading it. @internal */
export function readRequest(requests: readonly unknown[], i: number): { model: unknown; messages: unknown } | null {
  try {
    const req: unknown = requests[i];
    if (typeof req !== 'object' || req === null) return { model: undefined, messages: req };
    return { model: (req as { model?: unknown }).model, messages: (req as { messages?: unknown }).messages };
  } catch {
    return null;
  }
}
