// ApiMapOptions (documented, all optional except providers) and resolveApiMapOptions().
import { isPlainObject, optBoolean, optInteger, optNumber, optOneOf, optString } from '../internal/validate.js';
import { SwitchyardError, describeValue, invalidOption } from '../errors.js';
import { optFraction, resolveCircuitBreakerOptions, type CircuitBreakerOptions, type ResolvedCircuitBreakerOptions } from './circuit-breaker.js';
import type { FailureClass } from './classify-failure.js';
import type { RandomSource } from '../internal/random.js';
import { GLOBAL_TIMERS, type Timers } from '../internal/deadline.js';
import { STRATEGY_NAMES, type StrategyName } from './strategy.js';
import type { Deployment, ProviderSpec } from './types.js';



/** Retry and fallback defaults of {@link ApiMap.execute}. */
export interface RetryOptions {
  /** Retries on other instances of the same model after the first attempt (0–10). @defaultValue 2 */
  readonly retries?: number;
  /** Base delay before a retry, ms; doubles per retry with full jitter. `0` retries at once. @defaultValue 0 */
  readonly baseDelayMs?: number;
  /** Cap of the retry delay, ms. @defaultValue 10000 */
  readonly maxDelayMs?: number;
  /** Longest `Retry-After` wait honoured, per wait and in total per request, ms; longer gives up. @defaultValue 60000 */
  readonly maxRetryAfterMs?: number;
  /** Retry budget: concurrent retries may reach this fraction of active requests. @defaultValue 0.2 */
  readonly budgetRatio?: number;
  /** Retry budget floor: this many concurrent retries are always allowed. @defaultValue 3 */
  readonly budgetMinConcurrency?: number;
  /**
   * What the retry budget counts and what it may refuse.
   * - `'pool'`: one budget per model's pool, counting the requests working on that pool and
   *   their retries on its instances (Envoy's per-cluster budget). The first attempt on a
   *   fallback model is not a retry: a refused retry is recorded as a skipped attempt
   *   (`failure: 'retry-budget'`) and the request goes on to its fallback models.
   * - `'map'`: one budget for the whole map, as in 0.1.0: every attempt after the first, fallbacks
   *   included, needs a slot, and a refusal ends the request (`details.reason: 'retry-budget'`).
   * @defaultValue 'pool'
   */
  readonly budgetScope?: RetryBudgetScope;
}

/** See {@link RetryOptions.budgetScope}. */
export type RetryBudgetScope = 'pool' | 'map';

/** Options of {@link ApiMap}. */
export interface ApiMapOptions {
  /** Providers with their models and instances (at least one). */
  readonly providers: readonly ProviderSpec[];
  /** Default balancing strategy. @defaultValue 'round-robin' */
  readonly strategy?: StrategyName;
  /** Share of traffic sent to `local` instances by `'fixed-ratio'`, in `[0, 1]`. @defaultValue 0.5 */
  readonly localFraction?: number;
  /** Circuit breaker per instance; `false` disables it. @defaultValue see {@link CircuitBreakerOptions} */
  readonly breaker?: CircuitBreakerOptions | false;
  /** Retry defaults for {@link ApiMap.execute}. */
  readonly retry?: RetryOptions;
  /** Per-attempt timeout of {@link ApiMap.execute}, ms. @defaultValue 30000 */
  readonly timeoutMs?: number;
  /**
   * Panic threshold: when the eligible fraction of a model's instances is below it, every
   * instance is eligible again (Envoy's panic mode; better to try a maybe-broken instance than
   * none). `0` disables panic mode. @defaultValue 0.5
   */
  readonly panicThreshold?: number;
  /** In panic, return `{ ok: false, reason: 'panic' }` instead of balancing across all; `execute()` then skips the pool. @defaultValue false */
  readonly failOnPanic?: boolean;
  /**
   * Order of last resorts in {@link ApiMap.execute}. `true`: a model's eligible instances, then
   * retries on its other eligible instances, then the fallback models in order; a pool's
   * ejected instances (panic) are used, and a `Retry-After` is waited for, only when no later
   * fallback model has an eligible instance. `false`: as in 0.1.0, a pool in panic balances over
   * all its instances and a `Retry-After` is waited for before moving to the fallback models.
   * {@link ApiMap.resolve} alone is not affected. @defaultValue true
   */
  readonly fallbackBeforePanic?: boolean;
  /** Most instances of a provider the breakers may hold open at once, percent (at least one). @defaultValue 100 */
  readonly maxEjectionPercent?: number;
  /** EMA smoothing factor of latency, in `(0, 1]`. @defaultValue 0.2 */
  readonly emaAlpha?: number;
  /** `'fastest'`: probability of trying another candidate instead of the fastest. @defaultValue 0.05 */
  readonly explorationRate?: number;
  /** Latency sample recorded for a failed call (at least its real latency), ms. @defaultValue 10000 */
  readonly failureLatencyMs?: number;
  /**
   * A 429 takes the instance out of rotation for this long (or its `Retry-After`, if longer),
   * when its model has other instances; single-instance models are never cooled by a 429.
   * `0` disables it. @defaultValue 5000
   */
  readonly rateLimitCooldownMs?: number;
  /** Decisions kept by {@link ApiMap.history}. @defaultValue 1000 */
  readonly historySize?: number;
  /** Overrides the built-in {@link classifyFailure}. */
  readonly classifyError?: (status: number | undefined, error: unknown) => FailureClass;
  /** Errors for which this returns true are business errors: not retried, and a success for the breaker. */
  readonly errorFilter?: (error: unknown) => boolean;
  /**
   * Monotonic clock, ms (the library's clock convention: an option called `now` is always
   * monotonic; event `at` fields, history entries and breaker cooldowns are on this clock).
   * @defaultValue performance.now
   */
  readonly now?: () => number;
  /** Random source in `[0, 1)`. @defaultValue Math.random */
  readonly random?: RandomSource;
  /**
   * Timer functions, for tests in simulated time.
   * @defaultValue globalThis.setTimeout / clearTimeout
   * @internal
   */
  readonly timers?: Timers;
}

/** A validated instance. @internal */
export interface ResolvedInstance {
  readonly id: string;
  readonly endpoint: string;
  readonly weight: number;
  readonly deployment: Deployment;
  readonly models: readonly string[];
}

/** A validated provider. @internal */
export interface ResolvedProvider {
  readonly name: string;
  readonly type: string;
  readonly models: readonly string[];
  readonly instances: readonly ResolvedInstance[];
}

/** Fully populated {@link RetryOptions}. @internal */
export interface ResolvedRetryOptions {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly budgetRatio: number;
  readonly budgetMinConcurrency: number;
  readonly budgetScope: RetryBudgetScope;
}

/** Fully populated {@link ApiMapOptions}. @internal */
export interface ResolvedApiMapOptions {
  readonly providers: readonly ResolvedProvider[];
  readonly strategy: StrategyName;
  readonly localFraction: number;
  readonly breaker: ResolvedCircuitBreakerOptions;
  readonly retry: ResolvedRetryOptions;
  readonly timeoutMs: number;
  readonly panicThreshold: number;
  readonly failOnPanic: boolean;
  readonly fallbackBeforePanic: boolean;
  readonly maxEjectionPercent: number;
  readonly emaAlpha: number;
  readonly explorationRate: number;
  readonly failureLatencyMs: number;
  readonly rateLimitCooldownMs: number;
  readonly historySize: number;
  readonly classifyError: ((status: number | undefined, error: unknown) => FailureClass) | undefined;
  readonly errorFilter: ((error: unknown) => boolean) | undefined;
  readonly now: () => number;
  readonly random: RandomSource;
  readonly timers: Timers;
}

/** Largest accepted weight: keeps sums finite and exact. @internal */
export const MAX_WEIGHT = 1_000_000;
/** Longest timer delay Node accepts. @internal */
export const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_PROVIDERS = 10_000;
const MAX_INSTANCES = 10_000;

/** @internal */
export function optTimeout(name: string, value: unknown, fallback: number): number {
  return optNumber(name, value, fallback, 1, MAX_TIMER_MS);
}

function optFunction<F>(name: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') invalidOption(name, 'a function', value);
  return value as F;
}

/**
 * Validates a weight: a finite number in `[0, 1e6]`, not `-0`.
 * @internal
 */
export function optWeight(name: string, value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !Number.isFinite(value) || Object.is(value, -0) || value < 0 || value > MAX_WEIGHT) {
    invalidOption(name, `a finite number in [0, ${MAX_WEIGHT}]`, value);
  }
  return value;
}

function stringList(name: string, value: unknown, min: number): string[] {
  if (!Array.isArray(value) || value.length < min || value.length > MAX_INSTANCES) invalidOption(name, `an array of at least ${min} strings`, value);
  return value.map((m: unknown, i) => {
    if (typeof m !== 'string' || m.length === 0) invalidOption(`${name}[${i}]`, 'a non-empty string', m);
    return m;
  });
}

/** @internal */
export function resolveRetryOptions(value: unknown): ResolvedRetryOptions {
  if (value !== undefined && !isPlainObject(value)) invalidOption('retry', 'an object', value);
  const r = (value ?? {}) as RetryOptions;
  const baseDelayMs = optNumber('retry.baseDelayMs', r.baseDelayMs, 0, 0, MAX_TIMER_MS);
  return {
    retries: optInteger('retry.retries', r.retries, 2, 0, 10),
    baseDelayMs,
    maxDelayMs: optNumber('retry.maxDelayMs', r.maxDelayMs, Math.max(10_000, baseDelayMs), baseDelayMs, MAX_TIMER_MS),
    maxRetryAfterMs: optNumber('retry.maxRetryAfterMs', r.maxRetryAfterMs, 60_000, 0, MAX_TIMER_MS),
    budgetRatio: optFraction('retry.budgetRatio', r.budgetRatio, 0.2, true),
    budgetMinConcurrency: optInteger('retry.budgetMinConcurrency', r.budgetMinConcurrency, 3, 0, 1_000_000),
    budgetScope: optOneOf('retry.budgetScope', r.budgetScope, ['pool', 'map'] as const, 'pool'),
  };
}

function resolveProviders(value: unknown): ResolvedProvider[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_PROVIDERS) {
    invalidOption('providers', 'a non-empty array of providers', value);
  }
  const providerNames = new Set<string>();
  const instanceIds = new Set<string>();
  const providers = value.map((p: unknown, pi): ResolvedProvider => {
    const at = `providers[${pi}]`;
    if (!isPlainObject(p)) invalidOption(at, 'an object', p);
    const name = optString(`${at}.name`, p['name'], '');
    if (name === '') invalidOption(`${at}.name`, 'a non-empty string', p['name']);
    if (providerNames.has(name)) invalidOption(`${at}.name`, 'a unique provider name', name);
    providerNames.add(name);
    const models = stringList(`${at}.models`, p['models'], 1);
    const rawInstances = p['instances'];
    if (!Array.isArray(rawInstances) || rawInstances.length === 0 || rawInstances.length > MAX_INSTANCES) {
      invalidOption(`${at}.instances`, 'a non-empty array of instances', rawInstances);
    }
    const instances = rawInstances.map((inst: unknown, ii): ResolvedInstance => {
      const iat = `${at}.instances[${ii}]`;
      if (!isPlainObject(inst)) invalidOption(iat, 'an object', inst);
      const id = optString(`${iat}.id`, inst['id'], '');
      if (id === '') invalidOption(`${iat}.id`, 'a non-empty string', inst['id']);
      if (instanceIds.has(id)) invalidOption(`${iat}.id`, 'an instance id unique across providers', id);
      instanceIds.add(id);
      const endpoint = optString(`${iat}.endpoint`, inst['endpoint'], '');
      const own = inst['models'] === undefined ? models : stringList(`${iat}.models`, inst['models'], 1);
      for (const m of own) if (!models.includes(m)) invalidOption(`${iat}.models`, `models of provider \`${name}\``, m);
      return {
        id, endpoint,
        weight: optWeight(`${iat}.weight`, inst['weight']),
        deployment: optOneOf(`${iat}.deployment`, inst['deployment'], ['local', 'remote'] as const, 'remote'),
        models: own,
      };
    });
    return { name, type: optString(`${at}.type`, p['type'], 'generic'), models, instances };
  });
  // All-zero weights in a model's pool would make weighted selection undefined.
  const poolWeight = new Map<string, number>();
  for (const p of providers) for (const i of p.instances) for (const m of i.models) poolWeight.set(m, (poolWeight.get(m) ?? 0) + i.weight);
  for (const [model, total] of poolWeight) {
    if (total <= 0) {
      throw new SwitchyardError('ERR_INVALID_OPTION', `Expected the instances of model ${describeValue(model)} to have a positive total weight, got 0`, {
        details: { option: 'providers', model },
      });
    }
  }
  return providers;
}

/**
 * Validates {@link ApiMapOptions} eagerly and fills in defaults.
 * @throws {@link SwitchyardError} `ERR_INVALID_OPTION`
 * @internal
 */
export function resolveApiMapOptions(options: ApiMapOptions): ResolvedApiMapOptions {
  if (!isPlainObject(options)) invalidOption('options', 'an object', options);
  const timers = options.timers ?? GLOBAL_TIMERS;
  if (typeof timers !== 'object' || timers === null || typeof timers.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function') {
    invalidOption('timers', 'an object with setTimeout and clearTimeout', timers);
  }
  return {
    providers: resolveProviders(options.providers),
    strategy: optOneOf('strategy', options.strategy, STRATEGY_NAMES, 'round-robin'),
    localFraction: optNumber('localFraction', options.localFraction, 0.5, 0, 1),
    breaker: resolveCircuitBreakerOptions(options.breaker),
    retry: resolveRetryOptions(options.retry),
    timeoutMs: optTimeout('timeoutMs', options.timeoutMs, 30_000),
    panicThreshold: optNumber('panicThreshold', options.panicThreshold, 0.5, 0, 1),
    failOnPanic: optBoolean('failOnPanic', options.failOnPanic, false),
    fallbackBeforePanic: optBoolean('fallbackBeforePanic', options.fallbackBeforePanic, true),
    maxEjectionPercent: optNumber('maxEjectionPercent', options.maxEjectionPercent, 100, 0, 100),
    emaAlpha: optFraction('emaAlpha', options.emaAlpha, 0.2, false),
    explorationRate: optFraction('explorationRate', options.explorationRate, 0.05, true),
    failureLatencyMs: optNumber('failureLatencyMs', options.failureLatencyMs, 10_000, 0, MAX_TIMER_MS),
    rateLimitCooldownMs: optNumber('rateLimitCooldownMs', options.rateLimitCooldownMs, 5000, 0, MAX_TIMER_MS),
    historySize: optInteger('historySize', options.historySize, 1000, 0, 1_000_000),
    classifyError: optFunction('classifyError', options.classifyError),
    errorFilter: optFunction('errorFilter', options.errorFilter),
    now: optFunction<() => number>('now', options.now) ?? (() => performance.now()),
    random: optFunction<RandomSource>('random', options.random) ?? Math.random,
    timers,
  };
}
