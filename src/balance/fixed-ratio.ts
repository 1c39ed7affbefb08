// Fixed-ratio local/remote split (the routing.yaml `routing_strategy: fixed` of the seed):
// `localFraction` of picks go to local instances, the rest to remote ones, weighted within a
// side; when one side has no eligible instance, the other side takes everything.
import { pickWeightedWhere } from './weighted.js';
import type { PickFn } from './strategy.js';

/** `'fixed-ratio'` strategy. @internal */
export const pickFixedRatio: PickFn = (candidates, count, _pool, ctx) => {
  const local = ctx.random() < ctx.localFraction;
  const r = ctx.random();
  return (
    pickWeightedWhere(candidates, count, r, local ? 'local' : 'remote') ??
    pickWeightedWhere(candidates, count, r, local ? 'remote' : 'local')!
  );
};
