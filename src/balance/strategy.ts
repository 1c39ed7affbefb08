// Balancing strategies: names and the shared shape of a pick function.
import type { InstanceState } from './instance-state.js';
import type { RandomSource } from '../internal/random.js';

/**
 * Balancing strategy.
 * - `'round-robin'`: exact rotation over the model's instances, skipping ineligible ones (weights ignored).
 * - `'least-loaded'`: power of two choices on in-flight load; with unequal weights, weighted random on `weight / (load + 1)`.
 * - `'fastest'`: lowest EMA latency, with ε-exploration of the others so a recovered instance is measured again.
 * - `'weighted'`: weighted random on `weight`.
 * - `'fixed-ratio'`: `localFraction` of traffic to `local` instances, the rest to `remote`
 *   (weighted within a side); falls back to the other side when one has no eligible instance.
 */
export type StrategyName = 'round-robin' | 'least-loaded' | 'fastest' | 'weighted' | 'fixed-ratio';

/** All strategy names, for validation. @internal */
export const STRATEGY_NAMES: readonly StrategyName[] = ['round-robin', 'least-loaded', 'fastest', 'weighted', 'fixed-ratio'];

/** Per-model mutable state shared by strategies. @internal */
export interface PoolState {
  /** Round-robin: ordinal after the last pick. */
  rrNext: number;
}

/** Settings strategies read. @internal */
export interface StrategyContext {
  readonly random: RandomSource;
  readonly localFraction: number;
  readonly explorationRate: number;
}

/**
 * Picks one of `candidates[0..count)` (count >= 1). Must not allocate.
 * @internal
 */
export type PickFn = (candidates: readonly InstanceState[], count: number, pool: PoolState, ctx: StrategyContext) => InstanceState;
