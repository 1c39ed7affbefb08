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

/** Payload of `health:recovered` / `health:failed`. */
export interface InstanceHealthEvent {
  /** Instance id. */
  readonly instance: string;
  /** Provider name. */
  readonly provider: string;
  /** Time on the map's clock, ms. */
  readonly at: number;
}

/**
 * Why {@link ApiMap.execute} did not make an attempt on an instance of a model in the request's chain.
 * - `'retry-budget'`: the pool's retry budget refused a retry; the instance was eligible.
 * - `'breaker-open'`: the instance's breaker is open (or half-open with its trial calls in flight).
 * - `'cooling-down'`: the instance is skipped after a `Retry-After` or a 429.
 * - `'unhealthy'`: the host's health probe failed for it.
 * - `'panic'`: the pool is in panic and `failOnPanic` is set, so none of its instances is used.
 * - `'unknown-model'`: no instance serves the model (`instance` and `provider` are `''`).
 */
export type SkipCause = 'retry-budget' | 'breaker-open' | 'cooling-down' | 'unhealthy' | 'panic' | 'unknown-model';

/**
 * One entry of a request's story: an upstream attempt that failed (`skipped: false`), or an
 * instance of a model in the chain that was not tried and why (`skipped: true`). Emitted as
 * `attempt:failed` / `attempt:skipped` and listed, in order, in the final error's `details.attempts`.
 */
export interface AttemptRecord {
  /** Model tried. */
  readonly model: string;
  /** Provider name (`''` for an unknown model). */
  readonly provider: string;
  /** Instance id (`''` for an unknown model). */
  readonly instance: string;
  /** 0-based number of the upstream attempt within the logical request; for a skip, the number the next attempt gets. */
  readonly attempt: number;
  /** Whether no call was made (see {@link SkipCause}). */
  readonly skipped: boolean;
  /** How the failure was classified, or why the instance was skipped. */
  readonly failure: FailureClass | SkipCause;
  /** Whether the attempt hit the per-attempt timeout. */
  readonly timedOut: boolean;
  /** Whether the instance was picked in panic mode (all of the pool's instances eligible again). */
  readonly panic: boolean;
  /** HTTP status, if known. */
  readonly status?: number;
  /** Retry-After of the failure, ms, if any. */
  readonly retryAfterMs?: number;
  /** Attempt duration, ms (0 for a skip). */
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
  /** The host's health probe failed for an instance that was healthy: it leaves rotation. */
  'health:failed': [event: InstanceHealthEvent];
  /** The host's health probe passed for an instance that was unhealthy: it is back in rotation. */
  'health:recovered': [event: InstanceHealthEvent];
  /** @deprecated Use `health:failed`; this old name fires right after it, with the same payload. Removed in 0.3.0. */
  'instance:unhealthy': [event: InstanceHealthEvent];
  /** @deprecated Use `health:recovered`; this old name fires right after it, with the same payload. Removed in 0.3.0. */
  'instance:healthy': [event: InstanceHealthEvent];
  /** An attempt of {@link ApiMap.execute} failed. */
  'attempt:failed': [event: AttemptRecord];
  /** {@link ApiMap.execute} passed over an instance (retry budget, breaker, cooldown, health, panic). */
  'attempt:skipped': [event: AttemptRecord];
}
