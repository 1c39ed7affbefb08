// Retry budget (Envoy RetryBudget): concurrent retries <= max(minConcurrency, ratio × active requests).

/** @internal */
export class RetryBudget {
  readonly #ratio: number;
  readonly #min: number;
  /** Requests in flight that this budget covers (on its pool, or map-wide). */
  active = 0;
  /** Retries in flight (and fallbacks, with the map-wide budget). */
  retrying = 0;

  constructor(ratio: number, minConcurrency: number) {
    this.#ratio = ratio;
    this.#min = minConcurrency;
  }

  /** Takes a retry slot if the budget allows; the caller must {@link RetryBudget.release} it. */
  tryAcquire(): boolean {
    // `+ 1`: the retry being admitted must itself fit (20% of 99 active admits 19, not 20).
    if (this.retrying + 1 > Math.max(this.#min, this.#ratio * this.active)) return false;
    this.retrying++;
    return true;
  }

  release(): void {
    this.retrying--;
  }
}
