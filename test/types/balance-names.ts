// Type tests of the names the apimap part settles (ResolveResult, HistoryEntry, health events,
// one BreakerState). Those names do not exist on the names branch, so test/tsconfig.json
// excludes this file; after merging i17-apimap, remove it from "exclude" there and it is
// checked by `npm run typecheck` like public-api.ts.
import type {
  ApiMap, ApiMapEvents, BreakerState, ClassifierBreakerState, ClassifierStats, Decision, HistoryEntry,
  InstanceHealthEvent, Resolution, ResolveResult, Selection, Unavailable,
} from '../../src/index.js';
import type { Equal, Expect } from './expect.js';

/** ApiMap: resolve() -> ResolveResult, history() -> HistoryEntry[]; old names are aliases. */
export type BalanceResultCases = [
  Expect<Equal<ReturnType<ApiMap['resolve']>, ResolveResult>>,
  Expect<Equal<ResolveResult, Selection | Unavailable>>,
  Expect<Equal<Resolution, ResolveResult>>,
  Expect<Equal<ReturnType<ApiMap['history']>, HistoryEntry[]>>,
  Expect<Equal<Decision, HistoryEntry>>,
  Expect<Equal<Extract<ResolveResult, { ok: true }>, Selection>>,
];

/** ApiMap events: health:failed / health:recovered, the old names with the same payload. */
export type BalanceEventCases = [
  Expect<Equal<ApiMapEvents['health:failed'], [event: InstanceHealthEvent]>>,
  Expect<Equal<ApiMapEvents['health:recovered'], [event: InstanceHealthEvent]>>,
  Expect<Equal<ApiMapEvents['instance:unhealthy'], ApiMapEvents['health:failed']>>,
  Expect<Equal<ApiMapEvents['instance:healthy'], ApiMapEvents['health:recovered']>>,
];

/** One breaker state type for ApiMap and the classifier's LLM judge. */
export type BreakerStateCases = [
  Expect<Equal<BreakerState, 'closed' | 'open' | 'half-open'>>,
  Expect<Equal<ClassifierBreakerState, BreakerState>>,
  Expect<Equal<ClassifierStats['breaker'], BreakerState>>,
];

/** Misuse the types must refuse. Never called; only compiled. */
export function refusedBalance(r: ResolveResult): void {
  // @ts-expect-error - only a selection (ok: true) has an instance
  void r.instance;
  if (r.ok) void r.instance;
}
