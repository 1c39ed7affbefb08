// Settling a lease: what one call's outcome does to its instance (load, latency EMA, success
// counters, Retry-After / 429 cooldown, breaker), and the breaker events that follow.
import type { EventEmitter } from 'eventemitter3';
import type { ResolvedApiMapOptions } from './api-map-options.js';
import { classifyFailure, statusOf } from './classify-failure.js';
import type { ApiMapEvents } from './events.js';
import type { InstanceState, ProviderGroup } from './instance-state.js';
import type { BreakerState } from '../internal/breaker-state.js';
import type { CallOutcome } from './types.js';

/**
 * Gives back the lease's slot on `state` and, unless `outcome` is `undefined` (the caller
 * aborted), records the outcome. A failure counts against the instance only when it is
 * retryable and not a business error (`errorFilter`).
 * @internal
 */
export function settleOutcome(o: ResolvedApiMapOptions, state: InstanceState, token: number, outcome: CallOutcome | undefined): void {
  state.load--;
  if (outcome === undefined) return;
  const now = o.now();
  const raw = outcome.latencyMs;
  const latency = typeof raw === 'number' && raw >= 0 && raw < Infinity ? raw : 0;
  const group = state.group;
  const allowOpen = group.ejected < Math.max(1, Math.floor((o.maxEjectionPercent / 100) * group.size));
  if (outcome.ok) {
    state.successes++;
    state.observeLatency(latency, o.emaAlpha);
    state.breaker.onResult(token, false, now, allowOpen);
    return;
  }
  const error = outcome.error;
  const filtered = error !== undefined && o.errorFilter?.(error) === true;
  const status = outcome.status ?? statusOf(error);
  const failed = !filtered && (o.classifyError ?? classifyFailure)(status, error) === 'retryable';
  if (failed) {
    state.failures++;
    state.observeLatency(Math.max(latency, o.failureLatencyMs), o.emaAlpha);
  } else {
    state.successes++;
    state.observeLatency(latency, o.emaAlpha);
  }
  const retryAfter = outcome.retryAfterMs;
  let cooldown = typeof retryAfter === 'number' && retryAfter > 0 && retryAfter < Infinity ? retryAfter : 0;
  // A 429 takes the instance out at once when the model has other instances to use (LiteLLM).
  if (status === 429 && !filtered && state.shared) cooldown = Math.max(cooldown, o.rateLimitCooldownMs);
  if (cooldown > 0) state.cooldownUntil = Math.max(state.cooldownUntil, now + cooldown);
  state.breaker.onResult(token, failed, now, allowOpen);
}

/**
 * Keeps the provider's ejection count (for `maxEjectionPercent`) and emits `breaker:opened`,
 * `breaker:half-opened` or `breaker:closed` (payload built only when someone listens).
 * @internal
 */
export function onBreakerTransition(
  events: EventEmitter<ApiMapEvents>, o: ResolvedApiMapOptions, state: InstanceState, group: ProviderGroup,
  to: BreakerState, from: BreakerState, cooldownMs: number,
): void {
  if (to === 'open' && from === 'closed') group.ejected++;
  else if (to === 'closed') group.ejected--;
  const event = to === 'open' ? 'breaker:opened' : to === 'half-open' ? 'breaker:half-opened' : 'breaker:closed';
  if (events.listenerCount(event) > 0) {
    events.emit(event, { instance: state.info.id, provider: state.provider.name, from, cooldownMs, at: o.now() });
  }
}
