/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  /** Samples recorded. */
  readonly count: number;
  /** Median, ms. */
  readonly p50: number;
  /** 95th percentile, ms. */
  readonly p95: number;
  /** 99th percentile, ms. */
  readonly p99: number;
  /** Largest sample, ms. */
  readonly max: number;
  /** Mean, ms. */
  readonly mean: number;
}

const SUB_BITS = 3; // 8 sub-buckets per power of two: <= 12.5% relative error
const SUB = 1 << SUB_BITS;
const BUCKETS = 40 * SUB;

/**
 * Log-linear histogram of durations in nanoseconds (1 ns .. ~18 minutes), constant memory,
 * O(1) record without allocation. Percentiles report the upper edge of the bucket,
 * clamped to the largest sample.
 */
export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sumNs = 0;
  #maxNs = 0;

  /** Records one duration in milliseconds. */
  recordMs(ms: number): void {
    const ns = ms * 1e6;
    if (!(ns >= 0)) return; // NaN / negative clock steps are ignored
    const v = ns < 1 ? 1 : ns > 2 ** 39 ? 2 ** 39 : Math.floor(ns);
    const exp = 31 - Math.clz32(v >= 2 ** 31 ? Math.floor(v / 2 ** 8) : v) + (v >= 2 ** 31 ? 8 : 0);
    const mant = exp >= SUB_BITS ? Math.floor(v / 2 ** (exp - SUB_BITS)) - SUB : v - (1 << exp);
    const idx = Math.min(BUCKETS - 1, exp * SUB + mant);
    this.#counts[idx]!++;
    this.#count++;
    this.#sumNs += ns;
    if (ns > this.#maxNs) this.#maxNs = ns;
  }

  /** Percentile summary; zeros when empty. */
  summary(): LatencySummary {
    const n = this.#count;
    if (n === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
    return {
      count: n,
      p50: this.#quantile(0.5), p95: this.#quantile(0.95), p99: this.#quantile(0.99),
      max: this.#maxNs / 1e6, mean: this.#sumNs / n / 1e6,
    };
  }

  /** Clears all samples. */
  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#sumNs = 0;
    this.#maxNs = 0;
  }

  #quantile(q: number): number {
    const target = Math.ceil(q * this.#count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= target) {
        const exp = Math.floor(i / SUB);
        const mant = i % SUB;
        const upper = exp >= SUB_BITS ? (SUB + mant + 1) * 2 ** (exp - SUB_BITS) : (1 << exp) + mant + 1;
        return Math.min(upper, this.#maxNs) / 1e6;
      }
    }
    return this.#maxNs / 1e6;
  }
}
