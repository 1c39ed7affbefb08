// Retry budget (Envoy RetryBudget): concurrent retries <= max(minConcurrency, ratio × active requests).
// A request with nowhere else to go may queue for a slot (FIFO) instead of being refused.

interface Waiter {
  readonly grant: (ok: boolean) => void;
}

/** @internal */
export class RetryBudget {
  readonly #ratio: number;
  readonly #min: number;
  readonly #queue: Waiter[] = [];
  /** Requests in flight that this budget covers (on its pool, or map-wide). */
  active = 0;
  /** Retries in flight (and fallbacks, with the map-wide budget). */
  retrying = 0;

  constructor(ratio: number, minConcurrency: number) {
    this.#ratio = ratio;
    this.#min = minConcurrency;
  }

  /** Whether one more retry fits. `+ 1`: the retry being admitted must itself fit (20% of 99 active admits 19, not 20). */
  #fits(): boolean {
    return this.retrying + 1 <= Math.max(this.#min, this.#ratio * this.active);
  }

  /** Takes a retry slot if the budget allows and nobody is queued; the caller must {@link RetryBudget.release} it. */
  tryAcquire(): boolean {
    if (this.#queue.length > 0 || !this.#fits()) return false;
    this.retrying++;
    return true;
  }

  /**
   * Takes a slot now, or queues for the next one a finishing retry frees. Resolves `false` at
   * once when no retry is in flight (none will free a slot); rejects with the signal's reason
   * when `signal` aborts while queued.
   */
  acquireOrWait(signal: AbortSignal | undefined): Promise<boolean> {
    if (this.tryAcquire()) return Promise.resolve(true);
    if (this.retrying === 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: (ok) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(ok);
        },
      };
      this.#queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(): void {
    this.retrying--;
    while (this.#queue.length > 0) {
      if (this.#fits()) {
        this.retrying++;
        this.#queue.shift()!.grant(true);
      } else if (this.retrying === 0) {
        // Nothing in flight will free a slot: refuse the queue rather than strand it.
        for (const w of this.#queue.splice(0)) w.grant(false);
      } else {
        break;
      }
    }
  }
}
