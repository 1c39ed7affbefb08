// Cooperative time slicing for long work on the event loop (fits, state merges, the swap's
// preparation): a shared leaf used by learn/ and router/.

/** Work budget of one slice of background work on the event loop, ms. @internal */
export const SLICE_MS = 4;

/**
 * Cooperative time slicing for long work on the event loop: `due()` is cheap, `pause()`
 * yields (setImmediate) and starts a new slice. In a worker thread the budget is infinite
 * and nothing ever yields.
 * @internal
 */
export class Slicer {
  readonly #budgetMs: number;
  #start = performance.now();

  /** @param budgetMs - milliseconds of work per slice (Infinity: never yield) */
  constructor(budgetMs: number) {
    this.#budgetMs = budgetMs;
  }

  /** `performance.now()` value at which the current slice should end. */
  get deadline(): number {
    return this.#start + this.#budgetMs;
  }

  /** Whether the current slice has used its budget. */
  due(): boolean {
    return this.#budgetMs !== Infinity && performance.now() > this.#start + this.#budgetMs;
  }

  /** Yields to the event loop and starts a new slice. */
  async pause(): Promise<void> {
    if (this.#budgetMs === Infinity) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#start = performance.now();
  }
}
