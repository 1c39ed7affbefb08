// The instance registry of ApiMap: one pool of instances per model, and picking an instance
// from a pool (eligibility, panic, the strategy, the lease). resolve() is the hot path.
import { invalidOption } from '../errors.js';
import type { ResolvedApiMapOptions } from './api-map-options.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { DecisionHistory, type HistoryEntry } from './decision-history.js';
import type { SkipCause } from './events.js';
import { pickFastest } from './fastest.js';
import { pickFixedRatio } from './fixed-ratio.js';
import { InstanceState, type ProviderGroup } from './instance-state.js';
import { Lease, unavailable, type Settle } from './lease.js';
import { pickLeastLoaded } from './least-loaded.js';
import { RetryBudget } from './retry-budget.js';
import { pickRoundRobin } from './round-robin.js';
import { STRATEGY_NAMES, type PickFn, type PoolState, type StrategyContext, type StrategyName } from './strategy.js';
import type { BreakerState } from '../internal/breaker-state.js';
import type { InstanceInfo, ProviderInfo, ResolveResult } from './types.js';
import { pickWeighted } from './weighted.js';

/** Options of {@link ApiMap.resolve}. */
export interface ResolveOptions {
  /** Overrides the map's default strategy for this pick. */
  readonly strategy?: StrategyName;
  /** Instance ids not to pick (e.g. those already tried). */
  readonly exclude?: ReadonlySet<string>;
}

/**
 * Pick function by strategy name. Null prototype: a strategy name like 'toString' must not
 * find Object.prototype members.
 * @internal
 */
export const PICKERS: Readonly<Record<StrategyName, PickFn>> = Object.assign(Object.create(null) as Record<StrategyName, PickFn>, {
  'round-robin': pickRoundRobin,
  'least-loaded': pickLeastLoaded,
  fastest: pickFastest,
  weighted: pickWeighted,
  'fixed-ratio': pickFixedRatio,
});

// How Pools#pick treats a pool below its panic threshold.
/** Balance over every instance (resolve(), and execute() with fallbackBeforePanic: false). @internal */
export const ENVOY = 0;
/** Eligible instances only, never panic. @internal */
export const ELIGIBLE = 1;
/** Every instance not excluded: the last resort. @internal */
export const PANIC = 2;

/** The instances serving one model. @internal */
export interface Pool {
  readonly members: InstanceState[];
  readonly state: PoolState;
  /** Envoy-style budget of retries on this pool's instances (`budgetScope: 'pool'`). */
  readonly budget: RetryBudget;
}

/** Called on every breaker transition of an instance. @internal */
export type TransitionListener = (state: InstanceState, group: ProviderGroup, to: BreakerState, from: BreakerState, cooldownMs: number) => void;

/**
 * Every instance in configuration order and the pool of each model, with the picking rules.
 * @internal
 */
export class Pools {
  /** Every instance, in configuration order. */
  readonly instances: InstanceState[] = [];
  /** Pool per model, in configuration order. */
  readonly byModel = new Map<string, Pool>();
  readonly #o: ResolvedApiMapOptions;
  readonly #scratch: InstanceState[];
  readonly #ctx: StrategyContext;
  readonly #history: DecisionHistory;
  readonly #settle: Settle;

  constructor(o: ResolvedApiMapOptions, settle: Settle, onTransition: TransitionListener) {
    this.#o = o;
    this.#settle = settle;
    for (const p of o.providers) {
      const provider: ProviderInfo = Object.freeze({ name: p.name, type: p.type });
      const group: ProviderGroup = { size: p.instances.length, ejected: 0 };
      for (const i of p.instances) {
        const info: InstanceInfo = Object.freeze({ id: i.id, endpoint: i.endpoint, weight: i.weight, deployment: i.deployment, provider: p.name, models: Object.freeze([...i.models]) });
        const state = new InstanceState(info, provider, this.instances.length, group);
        state.breaker = new CircuitBreaker(o.breaker, o.random, (to, from, cooldownMs) => onTransition(state, group, to, from, cooldownMs));
        this.instances.push(state);
        for (const m of i.models) {
          let pool = this.byModel.get(m);
          if (pool === undefined) this.byModel.set(m, (pool = { members: [], state: { rrNext: 0 }, budget: new RetryBudget(o.retry.budgetRatio, o.retry.budgetMinConcurrency) }));
          pool.members.push(state);
        }
      }
    }
    let widest = 0;
    for (const pool of this.byModel.values()) {
      widest = Math.max(widest, pool.members.length);
      if (pool.members.length > 1) for (const s of pool.members) s.shared = true;
    }
    this.#scratch = new Array<InstanceState>(widest).fill(this.instances[0]!);
    this.#ctx = { random: o.random, localFraction: o.localFraction, explorationRate: o.explorationRate };
    this.#history = new DecisionHistory(o.historySize);
  }

  /** See {@link ApiMap.resolve}. */
  resolve(model: string, options: ResolveOptions | undefined): ResolveResult {
    const pool = this.byModel.get(model);
    if (pool === undefined) return unavailable(model, 'unknown-model');
    const strategy = options?.strategy ?? this.#o.strategy;
    const pick = PICKERS[strategy];
    if (typeof pick !== 'function') invalidOption('strategy', `one of ${STRATEGY_NAMES.join(', ')}`, strategy);
    return this.pick(model, pool, pick, strategy, options?.exclude, ENVOY);
  }

  /** Picks an instance of `pool` for resolve() (always {@link ENVOY}) and execute(), in `mode` ({@link ENVOY}, {@link ELIGIBLE} or {@link PANIC}). */
  pick(model: string, pool: Pool, pick: PickFn, strategy: StrategyName, exclude: ReadonlySet<string> | undefined, mode: number): ResolveResult {
    const now = this.#o.now();
    const members = pool.members;
    const buf = this.#scratch;
    let eligible = 0;
    let n = 0;
    for (let i = 0; i < members.length; i++) {
      const s = members[i]!;
      if (s.healthy && now >= s.cooldownUntil && s.breaker.canRequest(now)) {
        eligible++;
        if (exclude === undefined || !exclude.has(s.info.id)) buf[n++] = s;
      }
    }
    let panic = false;
    if (mode === PANIC || (mode === ENVOY && eligible < members.length * this.#o.panicThreshold)) {
      if (mode === ENVOY && this.#o.failOnPanic) return unavailable(model, 'panic');
      panic = true;
      n = 0;
      for (let i = 0; i < members.length; i++) {
        const s = members[i]!;
        if (exclude === undefined || !exclude.has(s.info.id)) buf[n++] = s;
      }
    }
    if (n === 0) return unavailable(model, 'no-healthy-instance');
    const chosen = pick(buf, n, pool.state, this.#ctx);
    chosen.load++;
    const token = chosen.breaker.onRequest(now);
    this.#history.push(now, model, chosen.provider.name, chosen.info.id, strategy, panic);
    return new Lease(model, chosen, token, panic, this.#settle);
  }

  /** Why an instance is not eligible now, or `undefined` when it is. */
  ineligibility(s: InstanceState, now: number): SkipCause | undefined {
    if (!s.healthy) return 'unhealthy';
    if (now < s.cooldownUntil) return 'cooling-down';
    return s.breaker.canRequest(now) ? undefined : 'breaker-open';
  }

  /** Instances of `pool` that are eligible now. */
  eligibleCount(pool: Pool, now: number): number {
    let eligible = 0;
    for (const s of pool.members) if (this.ineligibility(s, now) === undefined) eligible++;
    return eligible;
  }

  /** Whether `pool` is below its panic threshold now. */
  inPanic(pool: Pool, now: number): boolean {
    return this.eligibleCount(pool, now) < pool.members.length * this.#o.panicThreshold;
  }

  /** Whether a model after `models[index]` has an eligible instance (and may be used) now. */
  laterAvailable(models: readonly string[], index: number, now: number): boolean {
    for (let j = index + 1; j < models.length; j++) {
      const pool = this.byModel.get(models[j]!);
      if (pool === undefined) continue;
      const eligible = this.eligibleCount(pool, now);
      if (eligible > 0 && !(this.#o.failOnPanic && eligible < pool.members.length * this.#o.panicThreshold)) return true;
    }
    return false;
  }

  /** See {@link ApiMap.history}. */
  history(): HistoryEntry[] {
    return this.#history.toArray();
  }
}
