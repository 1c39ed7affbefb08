// Per-instance circuit breaker: a pure state machine driven by the caller's clock.
// It never starts a timer: open -> half-open and the half-open trial timeout are
// evaluated lazily whenever the breaker is consulted, so a hung trial cannot wedge it.
import { optBoolean, optInteger, optNumber, optOneOf, isPlainObject } from '../internal/validate.js';
import { invalidOption } from '../errors.js';
import { CountWindow, TimeWindow, type FailureWindow, type WindowCounts } from './failure-window.js';
import type { RandomSource } from '../internal/random.js';

import type { BreakerState } from '../internal/breaker-state.js';

export type { BreakerState } from '../internal/breaker-state.js';

/** How the failure-rate rule counts calls: the last N calls, or the last T milliseconds. */
export type BreakerWindowType = 'count' | 'time';

/** Circuit breaker options (per instance). All fields are optional. */
export interface CircuitBreakerOptions {
  /** Set `false` to never open (failures are still counted in stats). @defaultValue true */
  readonly enabled?: boolean;
  /** Open after this many consecutive failures; `0` disables the rule. @defaultValue 5 */
  readonly consecutiveFailures?: number;
  /**
   * Open when `failures / calls >= failureRateThreshold` over the window (operator `>=`, as in
   * resilience4j), once the window holds at least {@link CircuitBreakerOptions.minimumCalls} calls.
   * A fraction in `(0, 1]`. @defaultValue 0.5
   */
  readonly failureRateThreshold?: number;
  /** Calls the window must hold before the failure-rate rule applies. @defaultValue 10 */
  readonly minimumCalls?: number;
  /** Window kind for the failure-rate rule. @defaultValue 'count' */
  readonly windowType?: BreakerWindowType;
  /** Calls in a `'count'` window. @defaultValue 20 */
  readonly windowSize?: number;
  /** Length of a `'time'` window, ms. @defaultValue 10000 */
  readonly windowMs?: number;
  /** Buckets of a `'time'` window. @defaultValue 10 */
  readonly windowBuckets?: number;
  /** Open duration after the first opening, ms. Doubles on each re-opening. @defaultValue 30000 */
  readonly cooldownMs?: number;
  /** Cap of the open duration, ms. @defaultValue 300000 */
  readonly maxCooldownMs?: number;
  /** Random jitter of the open duration as a fraction: `d × (1 ± jitter)`, then capped. @defaultValue 0.1 */
  readonly cooldownJitter?: number;
  /** Trial calls let through in `half-open`; all must succeed to close. @defaultValue 1 */
  readonly halfOpenMaxCalls?: number;
  /** A trial call not reported within this many ms counts as failed (breaker re-opens). @defaultValue 30000 */
  readonly halfOpenTimeoutMs?: number;
}

/** Fully populated {@link CircuitBreakerOptions}. */
export interface ResolvedCircuitBreakerOptions {
  /** See {@link CircuitBreakerOptions.enabled}. */
  readonly enabled: boolean;
  /** See {@link CircuitBreakerOptions.consecutiveFailures}. */
  readonly consecutiveFailures: number;
  /** See {@link CircuitBreakerOptions.failureRateThreshold}. */
  readonly failureRateThreshold: number;
  /** See {@link CircuitBreakerOptions.minimumCalls}. */
  readonly minimumCalls: number;
  /** See {@link CircuitBreakerOptions.windowType}. */
  readonly windowType: BreakerWindowType;
  /** See {@link CircuitBreakerOptions.windowSize}. */
  readonly windowSize: number;
  /** See {@link CircuitBreakerOptions.windowMs}. */
  readonly windowMs: number;
  /** See {@link CircuitBreakerOptions.windowBuckets}. */
  readonly windowBuckets: number;
  /** See {@link CircuitBreakerOptions.cooldownMs}. */
  readonly cooldownMs: number;
  /** See {@link CircuitBreakerOptions.maxCooldownMs}. */
  readonly maxCooldownMs: number;
  /** See {@link CircuitBreakerOptions.cooldownJitter}. */
  readonly cooldownJitter: number;
  /** See {@link CircuitBreakerOptions.halfOpenMaxCalls}. */
  readonly halfOpenMaxCalls: number;
  /** See {@link CircuitBreakerOptions.halfOpenTimeoutMs}. */
  readonly halfOpenTimeoutMs: number;
}

/**
 * Validates breaker options and fills in defaults.
 * @param options - user options; `false` means disabled
 * @param prefix - option path used in error messages
 * @throws {@link SwitchyardError} `ERR_INVALID_OPTION`
 */
export function resolveCircuitBreakerOptions(options: CircuitBreakerOptions | false | undefined, prefix = 'breaker'): ResolvedCircuitBreakerOptions {
  if (options === false) options = { enabled: false };
  if (options !== undefined && !isPlainObject(options)) invalidOption(prefix, 'an object or false', options);
  const o = (options ?? {}) as CircuitBreakerOptions;
  const windowSize = optInteger(`${prefix}.windowSize`, o.windowSize, 20, 1, 100_000);
  const cooldownMs = optNumber(`${prefix}.cooldownMs`, o.cooldownMs, 30_000, 0, 2 ** 31 - 1);
  const maxCooldownMs = optNumber(`${prefix}.maxCooldownMs`, o.maxCooldownMs, Math.max(300_000, cooldownMs), cooldownMs, 2 ** 31 - 1);
  return {
    enabled: optBoolean(`${prefix}.enabled`, o.enabled, true),
    consecutiveFailures: optInteger(`${prefix}.consecutiveFailures`, o.consecutiveFailures, 5, 0, 1_000_000),
    failureRateThreshold: optFraction(`${prefix}.failureRateThreshold`, o.failureRateThreshold, 0.5, false),
    minimumCalls: optInteger(`${prefix}.minimumCalls`, o.minimumCalls, Math.min(10, windowSize), 1, 1_000_000),
    windowType: optOneOf(`${prefix}.windowType`, o.windowType, ['count', 'time'] as const, 'count'),
    windowSize,
    windowMs: optNumber(`${prefix}.windowMs`, o.windowMs, 10_000, 1, 2 ** 31 - 1),
    windowBuckets: optInteger(`${prefix}.windowBuckets`, o.windowBuckets, 10, 1, 1000),
    cooldownMs,
    maxCooldownMs,
    cooldownJitter: optFraction(`${prefix}.cooldownJitter`, o.cooldownJitter, 0.1, true),
    halfOpenMaxCalls: optInteger(`${prefix}.halfOpenMaxCalls`, o.halfOpenMaxCalls, 1, 1, 1000),
    halfOpenTimeoutMs: optNumber(`${prefix}.halfOpenTimeoutMs`, o.halfOpenTimeoutMs, 30_000, 1, 2 ** 31 - 1),
  };
}

/**
 * A fraction in `[0, 1]` (or `(0, 1]` when `allowZero` is false). Rejects `-0` too.
 * @internal
 */
export function optFraction(name: string, value: unknown, fallback: number, allowZero: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || Object.is(value, -0) || value > 1 || (allowZero ? value < 0 : value <= 0)) {
    invalidOption(name, `a finite number in ${allowZero ? '[0' : '(0'}, 1]`, value);
  }
  return value;
}

/** Called on every state change with the new state and, when opening, the open duration. @internal */
export type BreakerTransitionListener = (to: BreakerState, from: BreakerState, cooldownMs: number) => void;

/**
 * The closed / open / half-open state machine of one instance. Pure: it reads time only
 * from the `now` arguments and randomness only from the injected source.
 *
 * Protocol: check {@link CircuitBreaker.canRequest}, then call {@link CircuitBreaker.onRequest}
 * when the call is actually made (it returns a token), then report the result with
 * {@link CircuitBreaker.onResult} and that token. Results carrying a token from an earlier
 * state (e.g. a call that started before the breaker opened) are ignored.
 * @internal
 */
export class CircuitBreaker {
  readonly #o: ResolvedCircuitBreakerOptions;
  readonly #random: RandomSource;
  readonly #window: FailureWindow;
  readonly #counts: WindowCounts = { calls: 0, failures: 0 };
  readonly #trials: Float64Array;
  readonly #onTransition: BreakerTransitionListener | undefined;
  #state: BreakerState = 'closed';
  #epoch = 0;
  #consecutive = 0;
  #openUntil = 0;
  #openings = 0;
  #closedAt = -Infinity;
  #trialsStarted = 0;
  #trialsInFlight = 0;
  #trialSuccesses = 0;

  constructor(options: ResolvedCircuitBreakerOptions, random: RandomSource, onTransition?: BreakerTransitionListener) {
    this.#o = options;
    this.#random = random;
    this.#onTransition = onTransition;
    this.#window = options.windowType === 'count' ? new CountWindow(options.windowSize) : new TimeWindow(options.windowMs, options.windowBuckets);
    this.#trials = new Float64Array(options.halfOpenMaxCalls);
  }

  /** Current state at `now` (applies due open -> half-open and trial-timeout transitions). */
  state(now: number): BreakerState {
    if (this.#state === 'open') {
      if (now >= this.#openUntil) this.#transition('half-open', now);
    } else if (this.#state === 'half-open' && this.#trialsInFlight > 0) {
      const limit = now - this.#o.halfOpenTimeoutMs;
      for (let i = 0; i < this.#trialsStarted; i++) {
        if (this.#trials[i]! >= 0 && this.#trials[i]! <= limit) {
          this.#open(now);
          break;
        }
      }
    }
    return this.#state;
  }

  /** When the breaker is open: the time it becomes half-open; otherwise `undefined`. */
  openUntil(): number | undefined {
    return this.#state === 'open' ? this.#openUntil : undefined;
  }

  /** Whether a call may be made now (closed, or half-open with a free trial slot). */
  canRequest(now: number): boolean {
    const s = this.state(now);
    return s === 'closed' || (s === 'half-open' && this.#trialsStarted < this.#o.halfOpenMaxCalls);
  }

  /** Registers a call that is about to be made; returns the token to pass to {@link CircuitBreaker.onResult}. */
  onRequest(now: number): number {
    if (this.state(now) === 'half-open' && this.#trialsStarted < this.#o.halfOpenMaxCalls) {
      const slot = this.#trialsStarted++;
      this.#trials[slot] = now;
      this.#trialsInFlight++;
      return this.#epoch * 1024 + slot;
    }
    return this.#epoch * 1024 + 1023;
  }

  /**
   * Reports the result of a call made with `token`.
   * @param failed - whether the call counts as a failure for this breaker
   * @param allowOpen - whether a closed breaker may open now (max-ejection limit)
   */
  onResult(token: number, failed: boolean, now: number, allowOpen = true): void {
    this.state(now);
    if (Math.floor(token / 1024) !== this.#epoch) return; // started in an earlier state
    if (this.#state === 'half-open') {
      const slot = token % 1024;
      if (slot >= this.#trialsStarted || this.#trials[slot]! < 0) return;
      this.#trials[slot] = -1;
      this.#trialsInFlight--;
      if (failed) this.#open(now);
      else if (++this.#trialSuccesses >= this.#o.halfOpenMaxCalls) this.#transition('closed', now);
      return;
    }
    if (this.#state !== 'closed') return;
    this.#window.record(failed, now);
    this.#consecutive = failed ? this.#consecutive + 1 : 0;
    if (!this.#o.enabled || !allowOpen) return;
    const c = this.#o.consecutiveFailures;
    if (failed && c > 0 && this.#consecutive >= c) {
      this.#open(now);
      return;
    }
    this.#window.read(now, this.#counts);
    if (this.#counts.calls >= this.#o.minimumCalls && this.#counts.failures >= this.#o.failureRateThreshold * this.#counts.calls) {
      this.#open(now);
    }
  }

  /** Number of times the breaker opened since it last stayed closed for `maxCooldownMs`. */
  get openings(): number {
    return this.#openings;
  }

  #open(now: number): void {
    if (this.#state === 'closed' && now - this.#closedAt >= this.#o.maxCooldownMs) this.#openings = 0;
    this.#openings++;
    const base = Math.min(this.#o.cooldownMs * 2 ** Math.min(this.#openings - 1, 40), this.#o.maxCooldownMs);
    const j = this.#o.cooldownJitter;
    const cooldown = Math.min(j === 0 ? base : base * (1 + j * (2 * this.#random() - 1)), this.#o.maxCooldownMs);
    this.#openUntil = now + cooldown;
    this.#transition('open', now, cooldown);
  }

  #transition(to: BreakerState, now: number, cooldownMs = 0): void {
    const from = this.#state;
    this.#state = to;
    this.#epoch++;
    this.#trialsStarted = 0;
    this.#trialsInFlight = 0;
    this.#trialSuccesses = 0;
    if (to === 'closed') {
      this.#closedAt = now;
      this.#consecutive = 0;
      this.#window.reset();
    }
    this.#onTransition?.(to, from, cooldownMs);
  }
}
