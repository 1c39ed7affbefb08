// ApiMap#stats(): a snapshot of per-instance, per-model and aggregate numbers.
import type { ResolvedApiMapOptions } from './api-map-options.js';
import type { BreakerState } from '../internal/breaker-state.js';
import type { Executor } from './execute.js';
import type { Pools } from './pool.js';

/** Per-instance numbers of {@link ApiMap.stats}. */
export interface InstanceStats {
  /** Instance id. */
  readonly id: string;
  /** Provider name. */
  readonly provider: string;
  /** Endpoint. */
  readonly endpoint: string;
  /** Local or remote. */
  readonly deployment: 'local' | 'remote';
  /** Weight. */
  readonly weight: number;
  /** Last health-probe verdict (true until probed). */
  readonly healthy: boolean;
  /** Breaker state now. */
  readonly breaker: BreakerState;
  /** Requests in flight. */
  readonly load: number;
  /** EMA latency, ms (0 before the first sample). */
  readonly emaLatencyMs: number;
  /** Completed requests. */
  readonly requests: number;
  /** Requests that counted as failures. */
  readonly failures: number;
  /** `1 - failures / requests` (1 before the first request). */
  readonly successRate: number;
}

/** Per-model numbers of {@link ApiMap.stats}. */
export interface ModelStats {
  /** Model name. */
  readonly model: string;
  /** Instances serving it. */
  readonly instances: number;
  /** Instances that are healthy, not cooling down, and whose breaker lets a call through. */
  readonly eligibleInstances: number;
  /** Whether the pool is in panic now (`eligibleInstances < panicThreshold × instances`). */
  readonly panic: boolean;
  /** `execute()` requests working on this pool now (its retry budget's base). */
  readonly activeRequests: number;
  /** Retries on this pool's instances in flight (`retry.budgetScope: 'pool'`). */
  readonly retriesInFlight: number;
}

/** Aggregate numbers of {@link ApiMap.stats}. */
export interface ApiMapStats {
  /** Number of providers. */
  readonly providers: number;
  /** Number of distinct models. */
  readonly models: number;
  /** Number of instances. */
  readonly instances: number;
  /** Instances that are healthy and whose breaker is not open. */
  readonly availableInstances: number;
  /** Requests in flight across instances. */
  readonly totalLoad: number;
  /** Logical `execute()` requests in flight. */
  readonly activeRequests: number;
  /** Retries in flight, bounded by the retry budget (per pool; with `budgetScope: 'map'`, retries and fallbacks map-wide). */
  readonly retriesInFlight: number;
  /** Per instance, in configuration order. */
  readonly byInstance: InstanceStats[];
  /** Per model, in configuration order. */
  readonly byModel: ModelStats[];
}

/**
 * Builds {@link ApiMap.stats}.
 * @internal
 */
export function mapStats(o: ResolvedApiMapOptions, pools: Pools, executor: Executor): ApiMapStats {
  const now = o.now();
  const byInstance = pools.instances.map((s): InstanceStats => {
    const requests = s.successes + s.failures;
    return {
      id: s.info.id, provider: s.provider.name, endpoint: s.info.endpoint, deployment: s.info.deployment, weight: s.info.weight,
      healthy: s.healthy, breaker: s.breaker.state(now), load: s.load, emaLatencyMs: s.emaLatencyMs,
      requests, failures: s.failures, successRate: requests === 0 ? 1 : 1 - s.failures / requests,
    };
  });
  return {
    providers: o.providers.length,
    models: pools.byModel.size,
    instances: byInstance.length,
    availableInstances: byInstance.filter((s) => s.healthy && s.breaker !== 'open').length,
    totalLoad: byInstance.reduce((a, s) => a + s.load, 0),
    activeRequests: executor.active,
    retriesInFlight: o.retry.budgetScope === 'map' ? executor.budget.retrying : [...pools.byModel.values()].reduce((a, p) => a + p.budget.retrying, 0),
    byInstance,
    byModel: [...pools.byModel].map(([model, pool]): ModelStats => {
      const eligibleInstances = pools.eligibleCount(pool, now);
      return {
        model, instances: pool.members.length, eligibleInstances, panic: eligibleInstances < pool.members.length * o.panicThreshold,
        activeRequests: pool.budget.active, retriesInFlight: pool.budget.retrying,
      };
    }),
  };
}
