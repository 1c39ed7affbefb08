// Routing counters: decisions per method, the latency histogram and the ring of recent results.
import { LatencyHistogram, type LatencySummary } from '../telemetry/latency-histogram.js';
import type { RouteMethod, RouteResult } from './route-result.js';
import type { RouteCounts } from './router-types.js';

/** What {@link RouteStats.snapshot} returns (the routing part of `RouterStats`). @internal */
export interface RouteStatsSnapshot {
  readonly routes: RouteCounts;
  readonly latency: LatencySummary;
  readonly recent: readonly RouteResult[];
}

/**
 * Counts every decision; keeps the last `recentDecisions` results in a fixed ring, so recording
 * allocates nothing.
 * @internal
 */
export class RouteStats {
  readonly #hist = new LatencyHistogram();
  readonly #counts: Record<RouteMethod, number> = { explicit: 0, keyword: 0, semantic: 0, fallback: 0 };
  readonly #recent: (RouteResult | undefined)[];
  #recentPos = 0;
  #recentLen = 0;

  /** @param recentDecisions - ring size (0 keeps none) */
  constructor(recentDecisions: number) {
    this.#recent = new Array<RouteResult | undefined>(recentDecisions);
  }

  /** Counts one decision. */
  record(result: RouteResult): void {
    this.#counts[result.method]++;
    this.#hist.recordMs(result.latencyMs);
    const cap = this.#recent.length;
    if (cap > 0) {
      this.#recent[this.#recentPos] = result;
      this.#recentPos = (this.#recentPos + 1) % cap;
      if (this.#recentLen < cap) this.#recentLen++;
    }
  }

  /** Counters, latency percentiles and the recent results, oldest first. */
  snapshot(): RouteStatsSnapshot {
    const recent: RouteResult[] = [];
    const cap = this.#recent.length;
    for (let k = 0; k < this.#recentLen; k++) {
      const r = this.#recent[(this.#recentPos - this.#recentLen + k + cap) % cap];
      if (r) recent.push(r);
    }
    const c = this.#counts;
    return { routes: { ...c, total: c.explicit + c.keyword + c.semantic + c.fallback }, latency: this.#hist.summary(), recent };
  }
}
