// Weighted random selection over candidates (allocation-free).
import type { InstanceState } from './instance-state.js';
import type { PickFn } from './strategy.js';

/**
 * Weighted random pick among candidates accepted by `side` (all when `side` is undefined).
 * All-zero weights fall back to a uniform pick, so the result is never NaN-driven.
 * Returns `undefined` only when no candidate is accepted by `side`.
 * @internal
 */
export function pickWeightedWhere(
  candidates: readonly InstanceState[], count: number, r: number, side?: 'local' | 'remote',
): InstanceState | undefined {
  let total = 0;
  let n = 0;
  for (let i = 0; i < count; i++) {
    const c = candidates[i]!;
    if (side !== undefined && c.info.deployment !== side) continue;
    total += c.info.weight;
    n++;
  }
  if (n === 0) return undefined;
  if (total > 0) {
    let target = r * total;
    let last: InstanceState | undefined;
    for (let i = 0; i < count; i++) {
      const c = candidates[i]!;
      if (side !== undefined && c.info.deployment !== side) continue;
      if (c.info.weight <= 0) continue;
      last = c;
      target -= c.info.weight;
      if (target < 0) return c;
    }
    return last;
  }
  let k = Math.floor(r * n);
  for (let i = 0; i < count; i++) {
    const c = candidates[i]!;
    if (side !== undefined && c.info.deployment !== side) continue;
    if (k-- === 0) return c;
  }
  return undefined;
}

/** `'weighted'` strategy. @internal */
export const pickWeighted: PickFn = (candidates, count, _pool, ctx) => pickWeightedWhere(candidates, count, ctx.random())!;

/**
 * Selection probabilities of the `'weighted'` strategy for the given weights (pure; used by
 * property tests and by `stats()` readers). Always finite and summing to 1 for non-empty input.
 * @internal
 */
export function weightedShares(weights: readonly number[]): number[] {
  const total = weights.reduce((a, w) => a + w, 0);
  return weights.map((w) => (total > 0 ? w / total : 1 / weights.length));
}
