// Sliding windows of call outcomes used by the circuit breaker's failure-rate rule.
// Both are allocated once per instance; recording an outcome allocates nothing.

/** Counts over the current window. @internal */
export interface WindowCounts {
  calls: number;
  failures: number;
}

/** A window of outcomes: either the last N calls or the last T milliseconds. @internal */
export interface FailureWindow {
  record(failed: boolean, now: number): void;
  /** Fills `out` with the counts of the window at `now`. */
  read(now: number, out: WindowCounts): void;
  reset(): void;
}

/** The last `size` calls (resilience4j COUNT_BASED). @internal */
export class CountWindow implements FailureWindow {
  readonly #ring: Uint8Array;
  #next = 0;
  #filled = 0;
  #failures = 0;

  constructor(size: number) {
    this.#ring = new Uint8Array(size);
  }

  record(failed: boolean, _now: number): void {
    const size = this.#ring.length;
    if (this.#filled === size) this.#failures -= this.#ring[this.#next]!;
    else this.#filled++;
    const bit = failed ? 1 : 0;
    this.#ring[this.#next] = bit;
    this.#failures += bit;
    this.#next = (this.#next + 1) % size;
  }

  read(_now: number, out: WindowCounts): void {
    out.calls = this.#filled;
    out.failures = this.#failures;
  }

  reset(): void {
    this.#ring.fill(0);
    this.#next = 0;
    this.#filled = 0;
    this.#failures = 0;
  }
}

/** The last `windowMs` milliseconds in `buckets` buckets (resilience4j TIME_BASED). @internal */
export class TimeWindow implements FailureWindow {
  readonly #bucketMs: number;
  readonly #calls: Float64Array;
  readonly #failures: Float64Array;
  readonly #epochs: Float64Array;

  constructor(windowMs: number, buckets: number) {
    this.#bucketMs = windowMs / buckets;
    this.#calls = new Float64Array(buckets);
    this.#failures = new Float64Array(buckets);
    this.#epochs = new Float64Array(buckets).fill(-Infinity);
  }

  record(failed: boolean, now: number): void {
    const epoch = Math.floor(now / this.#bucketMs);
    const slot = epoch % this.#calls.length;
    if (this.#epochs[slot] !== epoch) {
      this.#epochs[slot] = epoch;
      this.#calls[slot] = 0;
      this.#failures[slot] = 0;
    }
    this.#calls[slot]!++;
    if (failed) this.#failures[slot]!++;
  }

  read(now: number, out: WindowCounts): void {
    const current = Math.floor(now / this.#bucketMs);
    const n = this.#calls.length;
    let calls = 0;
    let failures = 0;
    for (let i = 0; i < n; i++) {
      const e = this.#epochs[i]!;
      if (e > current - n && e <= current) {
        calls += this.#calls[i]!;
        failures += this.#failures[i]!;
      }
    }
    out.calls = calls;
    out.failures = failures;
  }

  reset(): void {
    this.#epochs.fill(-Infinity);
  }
}
