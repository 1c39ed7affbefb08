// Least-loaded as power of two choices (Envoy LEAST_REQUEST): two uniform samples with
// replacement, the one with fewer in-flight requests wins. With unequal weights: weighted
// random on weight / (load + 1) (Envoy's active_request_bias = 1).
import type { InstanceState } from './instance-state.js';
import type { PickFn } from './strategy.js';

/** `'least-loaded'` strategy. @internal */
export const pickLeastLoaded: PickFn = (candidates, count, _pool, ctx) => {
  const w0 = candidates[0]!.info.weight;
  let equal = true;
  for (let i = 1; i < count; i++) {
    if (candidates[i]!.info.weight !== w0) {
      equal = false;
      break;
    }
  }
  if (equal) {
    const a = candidates[Math.floor(ctx.random() * count)]!;
    const b = candidates[Math.floor(ctx.random() * count)]!;
    return b.load < a.load ? b : a;
  }
  let total = 0;
  for (let i = 0; i < count; i++) total += effective(candidates[i]!);
  let target = ctx.random() * total;
  let last = candidates[0]!;
  for (let i = 0; i < count; i++) {
    const c = candidates[i]!;
    const w = effective(c);
    if (w <= 0) continue;
    last = c;
    target -= w;
    if (target < 0) return c;
  }
  return last;
};

function effective(c: InstanceState): number {
  return c.info.weight / (c.load + 1);
}
