// Fastest: lowest EMA latency. Unmeasured instances go first. With probability
// `explorationRate` one of the other candidates is picked uniformly, so an instance that
// was slow (or failed: failures count as a penalty sample) is measured again.
import type { PickFn } from './strategy.js';

/** `'fastest'` strategy. @internal */
export const pickFastest: PickFn = (candidates, count, _pool, ctx) => {
  let best = 0;
  for (let i = 0; i < count; i++) {
    const c = candidates[i]!;
    const b = candidates[best]!;
    if (c.samples === 0 && b.samples !== 0) {
      best = i;
      break;
    }
    if (c.emaLatencyMs < b.emaLatencyMs) best = i;
  }
  if (count > 1 && ctx.explorationRate > 0 && ctx.random() < ctx.explorationRate) {
    const k = Math.floor(ctx.random() * (count - 1));
    return candidates[k >= best ? k + 1 : k]!;
  }
  return candidates[best]!;
};
