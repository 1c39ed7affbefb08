// Typed events of ApiMap (`noun:verb`). Payloads are plain objects.
import type { BreakerState } from './circuit-breaker.js';
import type { FailureClass } from './classify-failure.js';

/** Payload of the `breaker:*` events. */
export interface BreakerEvent {
  /** Instance id. */
  readonly instance: string;
  /** Provider name. */
  readonly provider: string;
  /** State before the transition. */
  readonly from: BreakerState;
  /** Open duration when opening, else 0, ms. */
  readonly cooldownMs: number;
  /** Time on the map's clock, ms. */
  readonly at: number;
}

/** Payload of `instance:healthy` / `instance:unhealthy`. */
export interface InstanceHealthEvent {
  /** Instance id. */
  readonly instance: string;
  /** Provider name. */
  readonly provider: string;
  /** Time on the map's clock, ms. */
  readonly at: number;
}

/** One failed upstream attempt of {@link ApiMap.execute}; also listed in the final error's `details.attempts`. */
export interface AttemptRecord {
  /** Model tried. */
  readonly model: string;
  /** Provider name. */
  readonly provider: string;
  /** Instance id. */
  readonly instance: string;
  /** 0-based attempt number within the logical request. */
  readonly attempt: number;
  /** How the failure was classified. */
  readonly failure: FailureClass;
  /** Whether the attempt hit the per-attempt timeout. */
  readonly timedOut: boolean;
  /** HTTP status, if known. */
  readonly status?: number;
  /** Retry-After of the failure, ms, if any. */
  readonly retryAfterMs?: number;
  /** Attempt duration, ms. */
  readonly latencyMs: number;
}

/** Event map of {@link ApiMap}. */
export interface ApiMapEvents {
  /** A breaker opened: the instance leaves rotation for `cooldownMs`. */
  'breaker:opened': [event: BreakerEvent];
  /** A breaker's cooldown ended: trial calls are let through. */
  'breaker:half-opened': [event: BreakerEvent];
  /** Trials succeeded: the instance is back in rotation. */
  'breaker:closed': [event: BreakerEvent];
  /** The host's health probe failed for an instance that was healthy. */
  'instance:unhealthy': [event: InstanceHealthEvent];
  /** The host's health probe passed for an instance that was unhealthy. */
  'instance:healthy': [event: InstanceHealthEvent];
  /** An attempt of {@link ApiMap.execute} failed. */
  'attempt:failed': [event: AttemptRecord];
}
