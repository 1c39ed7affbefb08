// ApiMap: model -> provider -> instance registry with balancing, breakers, health and execute().
import { EventEmitter } from 'eventemitter3';
import { isPlainObject, optInteger, optOneOf } from '../internal/validate.js';
import { SwitchyardError, describeValue, invalidOption } from '../errors.js';
import {
  MAX_TIMER_MS, optTimeout, resolveApiMapOptions,
  type ApiMapOptions, type ResolvedApiMapOptions,
} from './api-map-options.js';
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js';
import { classifyFailure, retryAfterOf, statusOf, type FailureClass } from './classify-failure.js';
import { DecisionHistory, type Decision } from './decision-history.js';
import type { ApiMapEvents, AttemptRecord, SkipCause } from './events.js';
import { pickFastest } from './fastest.js';
import { pickFixedRatio } from './fixed-ratio.js';
import { InstanceState, type ProviderGroup } from './instance-state.js';
import { pickLeastLoaded } from './least-loaded.js';
import { RetryBudget } from './retry-budget.js';
import { pickRoundRobin } from './round-robin.js';
import { STRATEGY_NAMES, type PickFn, type PoolState, type StrategyContext, type StrategyName } from './strategy.js';
import { executeTracing, metricsChannel, publishAttemptMetric, traceAttempt } from '../telemetry/diagnostics.js';
import type { CallOutcome, InstanceInfo, ProviderInfo, Resolution, Selection, Unavailable, UnavailableReason } from './types.js';
import { pickWeighted } from './weighted.js';

// Null prototype: a strategy name like 'toString' must not find Object.prototype members.
const PICKERS: Readonly<Record<StrategyName, PickFn>> = Object.assign(Object.create(null) as Record<StrategyName, PickFn>, {
  'round-robin': pickRoundRobin,
  'least-loaded': pickLeastLoaded,
  fastest: pickFastest,
  weighted: pickWeighted,
  'fixed-ratio': pickFixedRatio,
});

/** Options of {@link ApiMap.resolve}. */
export interface ResolveOptions {
  /** Overrides the map's default strategy for this pick. */
  readonly strategy?: StrategyName;
  /** Instance ids not to pick (e.g. those already tried). */
  readonly exclude?: ReadonlySet<string>;
}

/** The host's upstream call: use `selection.instance.endpoint`, honour `signal`, resolve or throw. */
export type UpstreamCall<T> = (selection: Selection, signal: AbortSignal, attempt: number) => Promise<T> | T;

/** Options of {@link ApiMap.execute}. */
export interface ExecuteOptions {
  /** Retries on other instances of each model (0–10). @defaultValue the map's `retry.retries` (2) */
  readonly retries?: number;
  /** Models tried in order after the requested one (at most 5). @defaultValue [] */
  readonly fallbackModels?: readonly string[];
  /** Per-attempt timeout, ms: fires the attempt's `AbortSignal`. @defaultValue the map's `timeoutMs` (30000) */
  readonly timeoutMs?: number;
  /** Caller's signal: aborting it aborts the current attempt and rejects with `ERR_ABORTED`. */
  readonly signal?: AbortSignal;
  /** Strategy for every pick of this request. @defaultValue the map's strategy */
  readonly strategy?: StrategyName;
}

/** A host-supplied health probe: resolve `true` when the instance is healthy. Throwing or timing out means unhealthy. */
export type HealthProbe = (instance: InstanceInfo, signal: AbortSignal) => boolean | Promise<boolean>;

/** Options of {@link ApiMap.checkHealth}. */
export interface CheckHealthOptions {
  /** A probe not settled after this many ms counts as failed; its signal is aborted. @defaultValue 5000 */
  readonly timeoutMs?: number;
}

/** Options of {@link ApiMap.startHealthChecks}. */
export interface HealthCheckOptions extends CheckHealthOptions {
  /** Pause between the end of one round of probes and the start of the next, ms. */
  readonly intervalMs: number;
  /** The host's probe. */
  readonly probe: HealthProbe;
}

/** Result of one round of health probes. */
export interface HealthReport {
  /** Ids of instances whose probe passed. */
  readonly healthy: string[];
  /** Ids of instances whose probe failed, threw or timed out. */
  readonly unhealthy: string[];
}

/** Handle returned by {@link ApiMap.startHealthChecks}. */
export interface HealthCheckHandle {
  /** Stops the periodic checks (clears the pending timer). */
  stop(): void;
}

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

/** One model of a request's chain, as far as {@link ApiMap.execute} got with it. */
interface Leg {
  readonly m: string;
  /** Position in the chain. */
  readonly mi: number;
  /** Instances tried and failed (created at the first failure: a first-try success allocates none). */
  tried: Set<string> | undefined;
  /** Attempts started on this model. */
  k: number;
  retryAfter: number | undefined;
  /** Set when the retry budget sent the request on to a fallback first. */
  deferred: boolean;
}

interface Pool {
  readonly members: InstanceState[];
  readonly state: PoolState;
  /** Envoy-style budget of retries on this pool's instances (`budgetScope: 'pool'`). */
  readonly budget: RetryBudget;
}

// How #pick treats a pool below its panic threshold.
const ENVOY = 0; // balance over every instance (resolve(), and execute() with fallbackBeforePanic: false)
const ELIGIBLE = 1; // eligible instances only, never panic
const PANIC = 2; // every instance not excluded: the last resort

type Settle = (state: InstanceState, token: number, outcome: CallOutcome | undefined) => void;

class Lease implements Selection {
  readonly ok = true as const;
  readonly model: string;
  readonly provider: ProviderInfo;
  readonly instance: InstanceInfo;
  readonly panic: boolean;
  readonly #state: InstanceState;
  readonly #token: number;
  readonly #settle: Settle;
  #done = false;

  constructor(model: string, state: InstanceState, token: number, panic: boolean, settle: Settle) {
    this.model = model;
    this.provider = state.provider;
    this.instance = state.info;
    this.panic = panic;
    this.#state = state;
    this.#token = token;
    this.#settle = settle;
  }

  release(outcome: CallOutcome): void {
    if (this.#done) return;
    this.#done = true;
    this.#settle(this.#state, this.#token, outcome);
  }

  /** Gives the slot back without an outcome (caller aborted). */
  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    this.#settle(this.#state, this.#token, undefined);
  }
}

function unavailable(model: string, reason: UnavailableReason): Unavailable {
  return { ok: false, model, reason };
}

function lastMade(attempts: readonly AttemptRecord[]): AttemptRecord | undefined {
  for (let i = attempts.length - 1; i >= 0; i--) if (!attempts[i]!.skipped) return attempts[i];
  return undefined;
}

const MAX_SKIPS_IN_MESSAGE = 8;

/** `; skipped: a2@A breaker-open, ...` (bounded), or `''` when nothing was skipped. */
function describeSkips(attempts: readonly AttemptRecord[]): string {
  const parts: string[] = [];
  let more = 0;
  for (const a of attempts) {
    if (!a.skipped) continue;
    if (parts.length < MAX_SKIPS_IN_MESSAGE) parts.push(`${a.instance === '' ? a.model : `${a.instance}@${a.model}`} ${a.failure}`);
    else more++;
  }
  if (parts.length === 0) return '';
  return `; skipped: ${parts.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/**
 * The central registry: model -> providers -> instances. Chooses an instance per request
 * ({@link ApiMap.resolve}), tracks load, latency, success rate, health and a circuit breaker
 * per instance, and runs the host's call with timeouts, retries and fallbacks
 * ({@link ApiMap.execute}). It never opens a socket: the host makes every call.
 *
 * Panic mode: when fewer than `panicThreshold` (default 50%) of a model's instances are
 * eligible (healthy, not cooling down after Retry-After, breaker not open), {@link ApiMap.resolve}
 * balances over all of them again, as in Envoy; set `failOnPanic` to get `{ ok: false, reason: 'panic' }`
 * instead, or `panicThreshold: 0` to disable. {@link ApiMap.execute} goes in this order: the
 * model's eligible instances, retries on its other eligible instances, the fallback models in
 * order, and a pool's ejected instances (panic) only when no later fallback model has an
 * eligible instance.
 *
 * @example
 * ```ts
 * const map = new ApiMap({ providers: [{ name: 'ollama', models: ['qwen'], instances: [
 *   { id: 'a', endpoint: 'http://a:11434' }, { id: 'b', endpoint: 'http://b:11434' }] }] });
 * const text = await map.execute('qwen', (sel, signal) => callOllama(sel.instance.endpoint, signal));
 * ```
 */
export class ApiMap extends EventEmitter<ApiMapEvents> {
  readonly #o: ResolvedApiMapOptions;
  readonly #instances: InstanceState[] = [];
  readonly #pools = new Map<string, Pool>();
  readonly #scratch: InstanceState[];
  readonly #ctx: StrategyContext;
  readonly #history: DecisionHistory;
  /** The map-wide budget of `retry.budgetScope: 'map'`. */
  readonly #budget: RetryBudget;
  /** Logical `execute()` requests in flight. */
  #active = 0;
  readonly #settle: Settle;
  #healthTimer: unknown = undefined;
  #healthRun = 0;

  /**
   * @param options - providers and policies; validated eagerly
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION` for any invalid option (NaN/negative/non-number
   *   weights, all-zero weights for a model, unknown strategy, empty providers, duplicate ids, ...)
   */
  constructor(options: ApiMapOptions) {
    super();
    const o = resolveApiMapOptions(options);
    this.#o = o;
    for (const p of o.providers) {
      const provider: ProviderInfo = Object.freeze({ name: p.name, type: p.type });
      const group: ProviderGroup = { size: p.instances.length, ejected: 0 };
      for (const i of p.instances) {
        const info: InstanceInfo = Object.freeze({ id: i.id, endpoint: i.endpoint, weight: i.weight, deployment: i.deployment, provider: p.name, models: Object.freeze([...i.models]) });
        const state = new InstanceState(info, provider, this.#instances.length, group);
        state.breaker = new CircuitBreaker(o.breaker, o.random, (to, from, cooldownMs) => this.#onTransition(state, group, to, from, cooldownMs));
        this.#instances.push(state);
        for (const m of i.models) {
          let pool = this.#pools.get(m);
          if (pool === undefined) this.#pools.set(m, (pool = { members: [], state: { rrNext: 0 }, budget: new RetryBudget(o.retry.budgetRatio, o.retry.budgetMinConcurrency) }));
          pool.members.push(state);
        }
      }
    }
    let widest = 0;
    for (const pool of this.#pools.values()) {
      widest = Math.max(widest, pool.members.length);
      if (pool.members.length > 1) for (const s of pool.members) s.shared = true;
    }
    this.#scratch = new Array<InstanceState>(widest).fill(this.#instances[0]!);
    this.#ctx = { random: o.random, localFraction: o.localFraction, explorationRate: o.explorationRate };
    this.#history = new DecisionHistory(o.historySize);
    this.#budget = new RetryBudget(o.retry.budgetRatio, o.retry.budgetMinConcurrency);
    this.#settle = (state, token, outcome) => this.#onSettle(state, token, outcome);
  }

  /** Model names served by at least one instance. */
  get models(): string[] {
    return [...this.#pools.keys()];
  }

  /**
   * Chooses an instance for `model`. Call `release()` on the returned selection exactly once
   * when the upstream call is done. Expected outcomes are results, not exceptions.
   * @param model - model name
   * @param options - strategy override and instance ids to exclude
   * @returns a {@link Selection}, or an {@link Unavailable} saying why none is available
   */
  resolve(model: string, options?: ResolveOptions): Resolution {
    const pool = this.#pools.get(model);
    if (pool === undefined) return unavailable(model, 'unknown-model');
    const strategy = options?.strategy ?? this.#o.strategy;
    const pick = PICKERS[strategy];
    if (typeof pick !== 'function') invalidOption('strategy', `one of ${STRATEGY_NAMES.join(', ')}`, strategy);
    // Kept apart from #pick (the same loop with execute()'s modes): this is the hot path.
    const exclude = options?.exclude;
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
    if (eligible < members.length * this.#o.panicThreshold) {
      if (this.#o.failOnPanic) return unavailable(model, 'panic');
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

  #pick(model: string, pool: Pool, pick: PickFn, strategy: StrategyName, exclude: ReadonlySet<string> | undefined, mode: number): Resolution {
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
  #ineligibility(s: InstanceState, now: number): SkipCause | undefined {
    if (!s.healthy) return 'unhealthy';
    if (now < s.cooldownUntil) return 'cooling-down';
    return s.breaker.canRequest(now) ? undefined : 'breaker-open';
  }

  #eligibleCount(pool: Pool, now: number): number {
    let eligible = 0;
    for (const s of pool.members) if (this.#ineligibility(s, now) === undefined) eligible++;
    return eligible;
  }

  #inPanic(pool: Pool, now: number): boolean {
    return this.#eligibleCount(pool, now) < pool.members.length * this.#o.panicThreshold;
  }

  /** Whether a model after `models[index]` has an eligible instance (and may be used) now. */
  #laterAvailable(models: readonly string[], index: number, now: number): boolean {
    for (let j = index + 1; j < models.length; j++) {
      const pool = this.#pools.get(models[j]!);
      if (pool === undefined) continue;
      const eligible = this.#eligibleCount(pool, now);
      if (eligible > 0 && !(this.#o.failOnPanic && eligible < pool.members.length * this.#o.panicThreshold)) return true;
    }
    return false;
  }

  /**
   * Records the instances of `model` that were not tried: each ineligible one with its own
   * cause, each eligible one with `cause` (when given). Returns how many were eligible and given `cause`.
   */
  #skipPool(attempts: AttemptRecord[], made: number, model: string, pool: Pool | undefined, tried: ReadonlySet<string> | undefined, cause?: SkipCause): number {
    const now = this.#o.now();
    const emit = this.listenerCount('attempt:skipped') > 0;
    const push = (provider: string, instance: string, failure: SkipCause): void => {
      const record: AttemptRecord = { model, provider, instance, attempt: made, skipped: true, failure, timedOut: false, panic: false, latencyMs: 0 };
      attempts.push(record);
      if (emit) this.emit('attempt:skipped', record);
    };
    if (pool === undefined) {
      push('', '', 'unknown-model');
      return 0;
    }
    let withCause = 0;
    for (const s of pool.members) {
      if (tried?.has(s.info.id) === true) continue;
      const own = this.#ineligibility(s, now);
      if (own === undefined && cause !== undefined) withCause++;
      const failure = own ?? cause;
      if (failure !== undefined) push(s.provider.name, s.info.id, failure);
    }
    return withCause;
  }

  /**
   * Runs the host's call against an instance of `model`, with a per-attempt timeout (which
   * fires the attempt's `AbortSignal`), in this order:
   * 1. an eligible instance of `model` (healthy, not cooling down, breaker lets it through);
   * 2. for retryable failures, retries on its other eligible instances, each needing a slot of
   *    the pool's retry budget (a refusal is recorded as a skipped attempt);
   * 3. the fallback models in order, each from step 1 (a move to a fallback is not a retry);
   * 4. last resorts, only when no later fallback model has an eligible instance: waiting for a
   *    `Retry-After`, then the pool's ejected instances if it is in panic (`failOnPanic` skips it).
   *
   * Upstream calls per logical request are at most `(1 + retries) × (1 + fallbackModels.length)`.
   * This is the only retry loop: set the provider SDK's own retries to 0.
   *
   * @param model - requested model
   * @param call - the host's upstream call
   * @param executeOptions - retries, fallbacks, timeout, caller signal, strategy
   * @returns the call's value
   * @throws {@link SwitchyardError} `ERR_NO_HEALTHY_INSTANCE` (no upstream call was made: no model of the
   *   chain had an instance to try; `details.attempts` says why for each instance),
   *   `ERR_ALL_ATTEMPTS_FAILED` (`details.attempts` lists every attempt made and every instance skipped,
   *   in order, see {@link AttemptRecord}; `details.reason` says why it stopped; `cause` is the last error),
   *   `ERR_ABORTED` (caller's signal), `ERR_INVALID_OPTION`
   */
  async execute<T>(model: string, call: UpstreamCall<T>, executeOptions: ExecuteOptions = {}): Promise<T> {
    if (typeof call !== 'function') invalidOption('call', 'a function', call);
    if (!isPlainObject(executeOptions)) invalidOption('options', 'an object', executeOptions);
    const options: ExecuteOptions = executeOptions;
    const retries = optInteger('retries', options.retries, this.#o.retry.retries, 0, 10);
    const timeoutMs = optTimeout('timeoutMs', options.timeoutMs, this.#o.timeoutMs);
    const strategy = optOneOf('strategy', options.strategy, STRATEGY_NAMES, this.#o.strategy);
    const fallbacks = options.fallbackModels ?? [];
    if (!Array.isArray(fallbacks) || fallbacks.length > 5 || fallbacks.some((m) => typeof m !== 'string')) {
      invalidOption('fallbackModels', 'an array of at most 5 model names', fallbacks);
    }
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) invalidOption('signal', 'an AbortSignal', signal);
    if (signal?.aborted) throw this.#aborted(model, []);

    const mapBudget = this.#o.retry.budgetScope === 'map';
    const fallbackFirst = this.#o.fallbackBeforePanic;
    const pickFn = PICKERS[strategy];
    this.#active++;
    if (mapBudget) this.#budget.active++;
    const attempts: AttemptRecord[] = [];
    const unavailableReasons: string[] = [];
    let made = 0;
    let lastError: unknown;
    let reason = 'exhausted';
    let waited = 0;
    try {
      const models = fallbacks.length === 0 ? [model] : [model, ...fallbacks];
      // Legs whose retries the budget refused while a later model could serve: resumed, in
      // order, after the chain (queueing for a budget slot), so no eligible instance is lost.
      let deferred: Leg[] | undefined;
      models: for (let li = 0; ; li++) {
        let leg: Leg;
        if (li < models.length) leg = { m: models[li]!, mi: li, tried: undefined, k: 0, retryAfter: undefined, deferred: false };
        else if (deferred !== undefined && li - models.length < deferred.length) leg = deferred[li - models.length]!;
        else break;
        const m = leg.m;
        const mi = leg.mi;
        const pool = this.#pools.get(m);
        reason = 'exhausted'; // why the last model in the chain gave up
        if (pool === undefined) {
          unavailableReasons.push(`${m}: unknown-model`);
          this.#skipPool(attempts, made, m, undefined, undefined);
          continue;
        }
        const budget = mapBudget ? this.#budget : pool.budget;
        pool.budget.active++;
        try {
          for (; leg.k <= retries; leg.k++) {
            const k = leg.k;
            // A move to a fallback model is not a retry of this pool (unless the budget is map-wide, as in 0.1.0).
            const isRetry = mapBudget ? made > 0 : k > 0;
            if (isRetry && !budget.tryAcquire()) {
              if (mapBudget) {
                reason = 'retry-budget';
                this.#skipPool(attempts, made, m, pool, leg.tried, 'retry-budget');
                break models;
              }
              if (!leg.deferred && this.#laterAvailable(models, mi, this.#o.now())) {
                // Only a refusal that left an eligible instance untried is worth coming back to.
                if (this.#skipPool(attempts, made, m, pool, leg.tried, 'retry-budget') > 0) {
                  leg.deferred = true;
                  (deferred ??= []).push(leg);
                }
                continue models;
              }
              // Nowhere else to go: queue for a slot rather than give up on this pool.
              if (!(await this.#budgetWait(budget, signal, model, attempts))) {
                if (leg.deferred || this.#skipPool(attempts, made, m, pool, leg.tried, 'retry-budget') > 0) reason = 'retry-budget';
                continue models;
              }
            }
            try {
              if (isRetry && this.#o.retry.baseDelayMs > 0) {
                const cap = Math.min(this.#o.retry.maxDelayMs, this.#o.retry.baseDelayMs * 2 ** Math.min(k, 30));
                await this.#sleep(this.#o.random() * cap, signal, model, attempts);
              }
              let sel: Resolution;
              if (!fallbackFirst) sel = this.#pick(m, pool, pickFn, strategy, leg.tried, ENVOY);
              else if (this.#o.failOnPanic && this.#inPanic(pool, this.#o.now())) sel = unavailable(m, 'panic');
              else sel = this.#pick(m, pool, pickFn, strategy, leg.tried, ELIGIBLE);
              // Last resorts (waiting for a Retry-After, then panic) only when no later model can serve now.
              const lastResort = !sel.ok && sel.reason !== 'panic' && (!fallbackFirst || !this.#laterAvailable(models, mi, this.#o.now()));
              const retryAfter = leg.retryAfter;
              if (lastResort && retryAfter !== undefined) {
                // Nothing else to try on this model: wait as told, then retry the same instance(s).
                if (retryAfter > this.#o.retry.maxRetryAfterMs || waited + retryAfter > this.#o.retry.maxRetryAfterMs) {
                  reason = 'retry-after-too-long';
                  this.#skipPool(attempts, made, m, pool, leg.tried);
                  continue models;
                }
                waited += retryAfter;
                await this.#sleep(retryAfter, signal, model, attempts);
                sel = this.#pick(m, pool, pickFn, strategy, undefined, fallbackFirst ? ELIGIBLE : ENVOY);
              }
              if (lastResort && fallbackFirst && !sel.ok && this.#inPanic(pool, this.#o.now())) {
                sel = this.#pick(m, pool, pickFn, strategy, leg.tried, PANIC);
              }
              if (!sel.ok) {
                unavailableReasons.push(`${m}: ${sel.reason}`);
                this.#skipPool(attempts, made, m, pool, leg.tried, sel.reason === 'panic' ? 'panic' : undefined);
                continue models;
              }
              const started = this.#o.now();
              let timedOut = false;
              const n = made++;
              try {
                const run = (): Promise<T> => this.#attempt(sel, call, n, timeoutMs, signal, () => (timedOut = true));
                const value = await (executeTracing.hasSubscribers ? traceAttempt(m, sel.provider.name, sel.instance.id, sel.instance.endpoint, n, run) : run());
                const latencyMs = this.#o.now() - started;
                sel.release({ ok: true, latencyMs });
                if (metricsChannel.hasSubscribers) publishAttemptMetric(m, sel.provider.name, sel.instance.id, n, latencyMs);
                return value;
              } catch (error) {
                const latencyMs = this.#o.now() - started;
                (leg.tried ??= new Set<string>()).add(sel.instance.id);
                if (signal?.aborted) {
                  (sel as Lease).cancel();
                  throw this.#aborted(model, attempts);
                }
                lastError = error;
                const status = statusOf(error);
                const retryAfterMs = retryAfterOf(error);
                sel.release({ ok: false, latencyMs, error, ...(status !== undefined ? { status } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
                const filtered = this.#o.errorFilter?.(error) === true;
                const failure: FailureClass = filtered ? 'fatal' : timedOut ? 'retryable' : (this.#o.classifyError ?? classifyFailure)(status, error);
                const record: AttemptRecord = {
                  model: m, provider: sel.provider.name, instance: sel.instance.id, attempt: n, skipped: false, failure, timedOut, panic: sel.panic, latencyMs,
                  ...(status !== undefined ? { status } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
                };
                attempts.push(record);
                if (this.listenerCount('attempt:failed') > 0) this.emit('attempt:failed', record);
                if (metricsChannel.hasSubscribers) publishAttemptMetric(m, record.provider, record.instance, record.attempt, latencyMs, failure, status);
                if (failure === 'fatal') {
                  reason = filtered ? 'filtered' : 'fatal';
                  break models;
                }
                if (failure === 'fallback') continue models;
                leg.retryAfter = retryAfterMs;
              }
            } finally {
              if (isRetry) budget.release();
            }
          }
          this.#skipPool(attempts, made, m, pool, leg.tried);
        } finally {
          pool.budget.active--;
        }
      }
    } finally {
      this.#active--;
      if (mapBudget) this.#budget.active--;
    }
    if (made === 0) {
      const why = unavailableReasons.length > 0 ? unavailableReasons.join('; ') : 'no model to try';
      throw new SwitchyardError('ERR_NO_HEALTHY_INSTANCE', `No instance available for model ${describeValue(model)}, no upstream call made (${why}${describeSkips(attempts)})`, {
        details: { model, reason: attempts.every((a) => a.failure === 'unknown-model') ? 'unknown-model' : 'no-eligible-instance', reasons: unavailableReasons, attempts },
      });
    }
    const last = lastMade(attempts)!;
    throw new SwitchyardError(
      'ERR_ALL_ATTEMPTS_FAILED',
      `All ${made} attempt(s) for model ${describeValue(model)} failed (${reason}; last: ${last.timedOut ? 'timeout' : last.status ?? last.failure} from instance \`${last.instance}\`${describeSkips(attempts)})`,
      { cause: lastError, details: { model, reason, attempts } },
    );
  }

  /** Runs one attempt: races the call against the attempt's abort (timeout or caller). */
  #attempt<T>(sel: Selection, call: UpstreamCall<T>, attempt: number, timeoutMs: number, outer: AbortSignal | undefined, onTimeout: () => void): Promise<T> {
    const ctrl = new AbortController();
    const timers = this.#o.timers;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        cleanup();
        reject(ctrl.signal.reason);
      };
      const onOuter = (): void => ctrl.abort(outer?.reason);
      const timer = timers.setTimeout(() => {
        onTimeout();
        ctrl.abort(new SwitchyardError('ERR_TIMEOUT', `Attempt on instance \`${sel.instance.id}\` timed out after ${timeoutMs} ms`, { details: { instance: sel.instance.id, timeoutMs } }));
      }, timeoutMs);
      const cleanup = (): void => {
        timers.clearTimeout(timer);
        ctrl.signal.removeEventListener('abort', onAbort);
        outer?.removeEventListener('abort', onOuter);
      };
      ctrl.signal.addEventListener('abort', onAbort, { once: true });
      outer?.addEventListener('abort', onOuter, { once: true });
      let p: Promise<T>;
      try {
        p = Promise.resolve(call(sel, ctrl.signal, attempt));
      } catch (error) {
        p = Promise.reject(error);
      }
      p.then(
        (v) => { cleanup(); resolve(v); },
        (e: unknown) => { cleanup(); reject(e); },
      );
    });
  }

  #budgetWait(budget: RetryBudget, signal: AbortSignal | undefined, model: string, attempts: AttemptRecord[]): Promise<boolean> {
    return budget.acquireOrWait(signal).catch(() => {
      throw this.#aborted(model, attempts);
    });
  }

  #sleep(ms: number, signal: AbortSignal | undefined, model: string, attempts: AttemptRecord[]): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    const timers = this.#o.timers;
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        timers.clearTimeout(timer);
        reject(this.#aborted(model, attempts));
      };
      const timer = timers.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.min(ms, MAX_TIMER_MS));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #aborted(model: string, attempts: AttemptRecord[]): SwitchyardError {
    return new SwitchyardError('ERR_ABORTED', `Request for model ${describeValue(model)} was aborted by the caller`, { details: { model, attempts: [...attempts] } });
  }

  #onSettle(state: InstanceState, token: number, outcome: CallOutcome | undefined): void {
    state.load--;
    if (outcome === undefined) return;
    const now = this.#o.now();
    const raw = outcome.latencyMs;
    const latency = typeof raw === 'number' && raw >= 0 && raw < Infinity ? raw : 0;
    const group = state.group;
    const allowOpen = group.ejected < Math.max(1, Math.floor((this.#o.maxEjectionPercent / 100) * group.size));
    if (outcome.ok) {
      state.successes++;
      state.observeLatency(latency, this.#o.emaAlpha);
      state.breaker.onResult(token, false, now, allowOpen);
      return;
    }
    const error = outcome.error;
    const filtered = error !== undefined && this.#o.errorFilter?.(error) === true;
    const status = outcome.status ?? statusOf(error);
    const failed = !filtered && (this.#o.classifyError ?? classifyFailure)(status, error) === 'retryable';
    if (failed) {
      state.failures++;
      state.observeLatency(Math.max(latency, this.#o.failureLatencyMs), this.#o.emaAlpha);
    } else {
      state.successes++;
      state.observeLatency(latency, this.#o.emaAlpha);
    }
    const retryAfter = outcome.retryAfterMs;
    let cooldown = typeof retryAfter === 'number' && retryAfter > 0 && retryAfter < Infinity ? retryAfter : 0;
    // A 429 takes the instance out at once when the model has other instances to use (LiteLLM).
    if (status === 429 && !filtered && state.shared) cooldown = Math.max(cooldown, this.#o.rateLimitCooldownMs);
    if (cooldown > 0) state.cooldownUntil = Math.max(state.cooldownUntil, now + cooldown);
    state.breaker.onResult(token, failed, now, allowOpen);
  }

  #onTransition(state: InstanceState, group: ProviderGroup, to: BreakerState, from: BreakerState, cooldownMs: number): void {
    if (to === 'open' && from === 'closed') group.ejected++;
    else if (to === 'closed') group.ejected--;
    const event = to === 'open' ? 'breaker:opened' : to === 'half-open' ? 'breaker:half-opened' : 'breaker:closed';
    if (this.listenerCount(event) > 0) {
      this.emit(event, { instance: state.info.id, provider: state.provider.name, from, cooldownMs, at: this.#o.now() });
    }
  }

  /**
   * Probes every instance once with the host's probe (concurrently) and updates health:
   * failed instances leave rotation, passing ones come back.
   * @param probe - the host's probe
   * @param options - probe timeout
   * @returns which instances passed and which failed
   */
  async checkHealth(probe: HealthProbe, options: CheckHealthOptions = {}): Promise<HealthReport> {
    if (typeof probe !== 'function') invalidOption('probe', 'a function', probe);
    const timeoutMs = optTimeout('timeoutMs', options.timeoutMs, 5000);
    const results = await Promise.all(this.#instances.map((s) => this.#probeOne(s, probe, timeoutMs)));
    const report: HealthReport = { healthy: [], unhealthy: [] };
    const now = this.#o.now();
    this.#instances.forEach((s, i) => {
      const ok = results[i] === true;
      (ok ? report.healthy : report.unhealthy).push(s.info.id);
      if (ok === s.healthy) return;
      s.healthy = ok;
      const event = ok ? 'instance:healthy' : 'instance:unhealthy';
      if (this.listenerCount(event) > 0) this.emit(event, { instance: s.info.id, provider: s.provider.name, at: now });
    });
    return report;
  }

  #probeOne(state: InstanceState, probe: HealthProbe, timeoutMs: number): Promise<boolean> {
    const ctrl = new AbortController();
    const timers = this.#o.timers;
    return new Promise<boolean>((resolve) => {
      const timer = timers.setTimeout(() => {
        ctrl.abort(new SwitchyardError('ERR_TIMEOUT', `Health probe of \`${state.info.id}\` timed out`));
        resolve(false);
      }, timeoutMs);
      const done = (ok: boolean): void => {
        timers.clearTimeout(timer);
        resolve(ok);
      };
      try {
        Promise.resolve(probe(state.info, ctrl.signal)).then((v) => done(v === true), () => done(false));
      } catch {
        done(false);
      }
    });
  }

  /**
   * Starts periodic health checks (the next round starts `intervalMs` after the previous one
   * ended). The timer is unref'd, so it never keeps the process alive. Starting again replaces
   * the previous schedule.
   * @param healthOptions - interval, probe and probe timeout
   * @returns a handle whose `stop()` ends the checks
   */
  startHealthChecks(healthOptions: HealthCheckOptions): HealthCheckHandle {
    if (!isPlainObject(healthOptions)) invalidOption('options', 'an object', healthOptions);
    const options: HealthCheckOptions = healthOptions;
    const intervalMs = optTimeout('intervalMs', options.intervalMs, NaN);
    if (typeof options.probe !== 'function') invalidOption('probe', 'a function', options.probe);
    const checkOptions: CheckHealthOptions = options.timeoutMs === undefined ? {} : { timeoutMs: optTimeout('timeoutMs', options.timeoutMs, 5000) };
    this.stopHealthChecks();
    const run = ++this.#healthRun;
    const schedule = (): void => {
      const handle = this.#o.timers.setTimeout(() => {
        this.#healthTimer = undefined;
        this.checkHealth(options.probe, checkOptions).then(
          () => { if (run === this.#healthRun) schedule(); },
          () => { if (run === this.#healthRun) schedule(); },
        );
      }, intervalMs);
      (handle as { unref?: () => void } | null)?.unref?.();
      this.#healthTimer = handle;
    };
    schedule();
    return { stop: () => { if (run === this.#healthRun) this.stopHealthChecks(); } };
  }

  /** Stops periodic health checks, if any. */
  stopHealthChecks(): void {
    this.#healthRun++;
    if (this.#healthTimer !== undefined) this.#o.timers.clearTimeout(this.#healthTimer);
    this.#healthTimer = undefined;
  }

  /** Stops health checks and removes all listeners. In-flight `execute()` calls still settle. */
  close(): void {
    this.stopHealthChecks();
    this.removeAllListeners();
  }

  /** A snapshot of per-instance and aggregate numbers. */
  stats(): ApiMapStats {
    const now = this.#o.now();
    const byInstance = this.#instances.map((s): InstanceStats => {
      const requests = s.successes + s.failures;
      return {
        id: s.info.id, provider: s.provider.name, endpoint: s.info.endpoint, deployment: s.info.deployment, weight: s.info.weight,
        healthy: s.healthy, breaker: s.breaker.state(now), load: s.load, emaLatencyMs: s.emaLatencyMs,
        requests, failures: s.failures, successRate: requests === 0 ? 1 : 1 - s.failures / requests,
      };
    });
    return {
      providers: this.#o.providers.length,
      models: this.#pools.size,
      instances: byInstance.length,
      availableInstances: byInstance.filter((s) => s.healthy && s.breaker !== 'open').length,
      totalLoad: byInstance.reduce((a, s) => a + s.load, 0),
      activeRequests: this.#active,
      retriesInFlight: this.#o.retry.budgetScope === 'map' ? this.#budget.retrying : [...this.#pools.values()].reduce((a, p) => a + p.budget.retrying, 0),
      byInstance,
      byModel: [...this.#pools].map(([model, pool]): ModelStats => {
        const eligibleInstances = this.#eligibleCount(pool, now);
        return {
          model, instances: pool.members.length, eligibleInstances, panic: eligibleInstances < pool.members.length * this.#o.panicThreshold,
          activeRequests: pool.budget.active, retriesInFlight: pool.budget.retrying,
        };
      }),
    };
  }

  /** The last routing decisions (up to `historySize`, default 1,000), oldest first. */
  history(): Decision[] {
    return this.#history.toArray();
  }
}
