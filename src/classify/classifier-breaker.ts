import type { BreakerState } from '../internal/breaker-state.js';

/** @deprecated Use {@link BreakerState}. Removed in 0.3.0. */
export type ClassifierBreakerState = BreakerState;

/**
 * Consecutive-failure breaker for the phase-2 classifier. After `threshold` consecutive
 * failures it opens for `cooldownMs`; then exactly one probe is let through (half-open): success
 * closes it, failure reopens it with the cooldown restarted. A probe is always settled by the
 * caller (the classifier call has a timeout), so half-open can never get stuck.
 * @internal
 */
export class ClassifierBreaker {
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probing = false;

  constructor(threshold: number, cooldownMs: number, now: () => number) {
    this.#threshold = threshold;
    this.#cooldownMs = cooldownMs;
    this.#now = now;
  }

  /** Current state (an open breaker past its cooldown reports `'half-open'`). */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#cooldownMs) return 'half-open';
    return this.#state;
  }

  /** True when a call may go ahead; in half-open, only the first caller (the probe). */
  tryAcquire(): boolean {
    if (this.#threshold === 0) return true;
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (this.#now() - this.#openedAt < this.#cooldownMs) return false;
      this.#state = 'half-open';
      this.#probing = false;
    }
    if (this.#probing) return false;
    this.#probing = true;
    return true;
  }

  /** Records a successful call. */
  success(): void {
    this.#state = 'closed';
    this.#failures = 0;
    this.#probing = false;
  }

  /** Records a failed call. */
  failure(): void {
    if (this.#threshold === 0) return;
    this.#failures++;
    if (this.#state === 'half-open' || this.#failures >= this.#threshold) {
      this.#state = 'open';
      this.#openedAt = this.#now();
      this.#probing = false;
    }
  }
}
