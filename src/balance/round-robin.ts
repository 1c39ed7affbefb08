// Exact round-robin over the pool order; ineligible instances are skipped, positions stay stable.
import type { PickFn } from './strategy.js';

/** `'round-robin'` strategy: the first candidate at or after the cursor, cyclically. @internal */
export const pickRoundRobin: PickFn = (candidates, count, pool) => {
  let chosen = candidates[0]!;
  for (let i = 0; i < count; i++) {
    const c = candidates[i]!;
    if (c.ordinal >= pool.rrNext) {
      chosen = c;
      break;
    }
  }
  pool.rrNext = chosen.ordinal + 1;
  return chosen;
};
