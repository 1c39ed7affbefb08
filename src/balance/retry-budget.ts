// Retry budget (Envoy RetryBudget): concurrent retries <= max(minConcurrency, ratio × active requests).

/** @internal */
export class RetryBudget {
  readonly #ratio: number;
  readonly #min: number;
  /** Logical requests in flight. */
  active = 0;
  /** Retry or fallback attempts in flight. */
  retrying = 0;

  constructor(ratio: number, minConcurrency: number) {
    this.#ratio = ratio;
    this.#min = minConcurrency;
  }

  /** Takes a retry slot if the budget allows; the caller must {@link RetryBudget.release} it. */
  tryAcquire(): boolean {
    if (this.retrying >= Math.max(this.#min, this.#ratio * this.active)) return false;
    this.retrying++;
    return true;
  }

  release(): void {
    this.retrying--;
  }
}
