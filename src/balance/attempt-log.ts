// A request's story in execute(): records of attempts made and instances skipped, and the
// errors built from them when the request ends without a value.
import type { EventEmitter } from 'eventemitter3';
import { SwitchyardError, describeValue } from '../errors.js';
import type { ApiMapEvents, AttemptRecord, SkipCause } from './events.js';
import type { Pool, Pools } from './pool.js';

const MAX_SKIPS_IN_MESSAGE = 8;

/**
 * Records the instances of `model` that were not tried: each ineligible one with its own
 * cause, each eligible one with `cause` (when given). Returns how many were eligible and given `cause`.
 * @internal
 */
export function skipPool(
  events: EventEmitter<ApiMapEvents>, pools: Pools, now: number,
  attempts: AttemptRecord[], made: number, model: string, pool: Pool | undefined, tried: ReadonlySet<string> | undefined, cause?: SkipCause,
): number {
  const emit = events.listenerCount('attempt:skipped') > 0;
  const push = (provider: string, instance: string, failure: SkipCause): void => {
    const record: AttemptRecord = { model, provider, instance, attempt: made, skipped: true, failure, timedOut: false, panic: false, latencyMs: 0 };
    attempts.push(record);
    if (emit) events.emit('attempt:skipped', record);
  };
  if (pool === undefined) {
    push('', '', 'unknown-model');
    return 0;
  }
  let withCause = 0;
  for (const s of pool.members) {
    if (tried?.has(s.info.id) === true) continue;
    const own = pools.ineligibility(s, now);
    if (own === undefined && cause !== undefined) withCause++;
    const failure = own ?? cause;
    if (failure !== undefined) push(s.provider.name, s.info.id, failure);
  }
  return withCause;
}

/** `; skipped: a2@A breaker-open, ...` (bounded), or `''` when nothing was skipped. */
function describeSkips(attempts: readonly AttemptRecord[]): string {
  const parts: string[] = [];
  let more = 0;
  for (const a of attempts) {
    if (!a.skipped) continue;
    if (parts.length < MAX_SKIPS_IN_MESSAGE) parts.push(`${a.instance === '' ? a.model : `${a.instance}@${a.model}`} ${a.failure}`);
    else more++;
  }
  if (parts.length === 0) return '';
  return `; skipped: ${parts.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function lastMade(attempts: readonly AttemptRecord[]): AttemptRecord | undefined {
  for (let i = attempts.length - 1; i >= 0; i--) if (!attempts[i]!.skipped) return attempts[i];
  return undefined;
}

/** `ERR_ABORTED` for a request the caller aborted, with the attempts so far (copied). @internal */
export function abortedError(model: string, attempts: readonly AttemptRecord[]): SwitchyardError {
  return new SwitchyardError('ERR_ABORTED', `Request for model ${describeValue(model)} was aborted by the caller`, { details: { model, attempts: [...attempts] } });
}

/** `ERR_TIMEOUT`: the abort reason of an attempt that ran past its timeout. @internal */
export function attemptTimeoutError(instance: string, timeoutMs: number): SwitchyardError {
  return new SwitchyardError('ERR_TIMEOUT', `Attempt on instance \`${instance}\` timed out after ${timeoutMs} ms`, { details: { instance, timeoutMs } });
}

/**
 * The error of a request that ended without a value: `ERR_NO_HEALTHY_INSTANCE` when no upstream
 * call was made, else `ERR_ALL_ATTEMPTS_FAILED` (`reason` says why it stopped, `lastError` is its cause).
 * @internal
 */
export function requestFailedError(model: string, made: number, reason: string, lastError: unknown, unavailableReasons: readonly string[], attempts: AttemptRecord[]): SwitchyardError {
  if (made === 0) {
    const why = unavailableReasons.length > 0 ? unavailableReasons.join('; ') : 'no model to try';
    return new SwitchyardError('ERR_NO_HEALTHY_INSTANCE', `No instance available for model ${describeValue(model)}, no upstream call made (${why}${describeSkips(attempts)})`, {
      details: { model, reason: attempts.every((a) => a.failure === 'unknown-model') ? 'unknown-model' : 'no-eligible-instance', reasons: unavailableReasons, attempts },
    });
  }
  const last = lastMade(attempts)!;
  return new SwitchyardError(
    'ERR_ALL_ATTEMPTS_FAILED',
    `All ${made} attempt(s) for model ${describeValue(model)} failed (${reason}; last: ${last.timedOut ? 'timeout' : last.status ?? last.failure} from instance \`${last.instance}\`${describeSkips(attempts)})`,
    { cause: lastError, details: { model, reason, attempts } },
  );
}
