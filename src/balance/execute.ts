// ApiMap#execute(): the one retry loop. For each model of the chain (the requested one, then
// the fallbacks): its eligible instances, retries on the others under the retry budget, then
// last resorts (waiting for a Retry-After, the pool's ejected instances in panic) only when no
// later model can serve. Each attempt races the host's call against its timeout and the caller.
import type { EventEmitter } from 'eventemitter3';
import { invalidOption } from '../errors.js';
import { delay, withDeadline } from '../internal/deadline.js';
import { isPlainObject, optInteger, optOneOf } from '../internal/validate.js';
import { MAX_TIMER_MS, optTimeout, type ResolvedApiMapOptions } from './api-map-options.js';
import { abortedError, attemptTimeoutError, requestFailedError, skipPool } from './attempt-log.js';
import { executeTracing, publishAttemptMetric, traceAttempt } from './attempt-telemetry.js';
import { metricsChannel } from '../telemetry/diagnostics.js';
import { classifyFailure, retryAfterOf, statusOf, type FailureClass } from './classify-failure.js';
import type { ApiMapEvents, AttemptRecord } from './events.js';
import { unavailable, type Lease } from './lease.js';
import { ELIGIBLE, ENVOY, PANIC, PICKERS, type Pools } from './pool.js';
import { RetryBudget } from './retry-budget.js';
import { STRATEGY_NAMES, type StrategyName } from './strategy.js';
import type { ResolveResult, Selection } from './types.js';

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

/** One model of a request's chain, as far as execute() got with it. */
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

/**
 * Runs {@link ApiMap.execute} requests over the map's pools; counts the requests in flight and
 * holds the map-wide retry budget (`retry.budgetScope: 'map'`).
 * @internal
 */
export class Executor {
  readonly #o: ResolvedApiMapOptions;
  readonly #pools: Pools;
  readonly #events: EventEmitter<ApiMapEvents>;
  /** The map-wide budget of `retry.budgetScope: 'map'`. */
  readonly budget: RetryBudget;
  /** Logical `execute()` requests in flight. */
  active = 0;

  constructor(o: ResolvedApiMapOptions, pools: Pools, events: EventEmitter<ApiMapEvents>) {
    this.#o = o;
    this.#pools = pools;
    this.#events = events;
    this.budget = new RetryBudget(o.retry.budgetRatio, o.retry.budgetMinConcurrency);
  }

  /** See {@link ApiMap.execute}. */
  async execute<T>(model: string, call: UpstreamCall<T>, executeOptions: ExecuteOptions): Promise<T> {
    if (typeof call !== 'function') invalidOption('call', 'a function', call);
    if (!isPlainObject(executeOptions)) invalidOption('options', 'an object', executeOptions);
    const options: ExecuteOptions = executeOptions;
    const o = this.#o;
    const retries = optInteger('retries', options.retries, o.retry.retries, 0, 10);
    const timeoutMs = optTimeout('timeoutMs', options.timeoutMs, o.timeoutMs);
    const strategy = optOneOf('strategy', options.strategy, STRATEGY_NAMES, o.strategy);
    const fallbacks = options.fallbackModels ?? [];
    if (!Array.isArray(fallbacks) || fallbacks.length > 5 || fallbacks.some((m) => typeof m !== 'string')) {
      invalidOption('fallbackModels', 'an array of at most 5 model names', fallbacks);
    }
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) invalidOption('signal', 'an AbortSignal', signal);
    if (signal?.aborted) throw abortedError(model, []);

    const pools = this.#pools;
    const events = this.#events;
    const mapBudget = o.retry.budgetScope === 'map';
    const fallbackFirst = o.fallbackBeforePanic;
    const pickFn = PICKERS[strategy];
    this.active++;
    if (mapBudget) this.budget.active++;
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
        const pool = pools.byModel.get(m);
        reason = 'exhausted'; // why the last model in the chain gave up
        if (pool === undefined) {
          unavailableReasons.push(`${m}: unknown-model`);
          skipPool(events, pools, o.now(), attempts, made, m, undefined, undefined);
          continue;
        }
        const budget = mapBudget ? this.budget : pool.budget;
        pool.budget.active++;
        try {
          for (; leg.k <= retries; leg.k++) {
            const k = leg.k;
            // A move to a fallback model is not a retry of this pool (unless the budget is map-wide, as in 0.1.0).
            const isRetry = mapBudget ? made > 0 : k > 0;
            if (isRetry && !budget.tryAcquire()) {
              if (mapBudget) {
                reason = 'retry-budget';
                skipPool(events, pools, o.now(), attempts, made, m, pool, leg.tried, 'retry-budget');
                break models;
              }
              if (!leg.deferred && pools.laterAvailable(models, mi, o.now())) {
                // Only a refusal that left an eligible instance untried is worth coming back to.
                if (skipPool(events, pools, o.now(), attempts, made, m, pool, leg.tried, 'retry-budget') > 0) {
                  leg.deferred = true;
                  (deferred ??= []).push(leg);
                }
                continue models;
              }
              // Nowhere else to go: queue for a slot rather than give up on this pool.
              if (!(await this.#budgetWait(budget, signal, model, attempts))) {
                if (leg.deferred || skipPool(events, pools, o.now(), attempts, made, m, pool, leg.tried, 'retry-budget') > 0) reason = 'retry-budget';
                continue models;
              }
            }
            try {
              if (isRetry && o.retry.baseDelayMs > 0) {
                const cap = Math.min(o.retry.maxDelayMs, o.retry.baseDelayMs * 2 ** Math.min(k, 30));
                await this.#sleep(o.random() * cap, signal, model, attempts);
              }
              let sel: ResolveResult;
              if (!fallbackFirst) sel = pools.pick(m, pool, pickFn, strategy, leg.tried, ENVOY);
              else if (o.failOnPanic && pools.inPanic(pool, o.now())) sel = unavailable(m, 'panic');
              else sel = pools.pick(m, pool, pickFn, strategy, leg.tried, ELIGIBLE);
              // Last resorts (waiting for a Retry-After, then panic) only when no later model can serve now.
              const lastResort = !sel.ok && sel.reason !== 'panic' && (!fallbackFirst || !pools.laterAvailable(models, mi, o.now()));
              const retryAfter = leg.retryAfter;
              if (lastResort && retryAfter !== undefined) {
                // Nothing else to try on this model: wait as told, then retry the same instance(s).
                if (retryAfter > o.retry.maxRetryAfterMs || waited + retryAfter > o.retry.maxRetryAfterMs) {
                  reason = 'retry-after-too-long';
                  skipPool(events, pools, o.now(), attempts, made, m, pool, leg.tried);
                  continue models;
                }
                waited += retryAfter;
                await this.#sleep(retryAfter, signal, model, attempts);
                sel = pools.pick(m, pool, pickFn, strategy, undefined, fallbackFirst ? ELIGIBLE : ENVOY);
              }
              if (lastResort && fallbackFirst && !sel.ok && pools.inPanic(pool, o.now())) {
                sel = pools.pick(m, pool, pickFn, strategy, leg.tried, PANIC);
              }
              if (!sel.ok) {
                unavailableReasons.push(`${m}: ${sel.reason}`);
                skipPool(events, pools, o.now(), attempts, made, m, pool, leg.tried, sel.reason === 'panic' ? 'panic' : undefined);
                continue models;
              }
              const started = o.now();
              let timedOut = false;
              const n = made++;
              const picked: Selection = sel;
              const onTimeout = (): unknown => {
                timedOut = true;
                return attemptTimeoutError(picked.instance.id, timeoutMs);
              };
              try {
                const value = await (executeTracing.hasSubscribers
                  ? traceAttempt(m, sel.provider.name, sel.instance.id, sel.instance.endpoint, n, () => withDeadline(call, picked, n, timeoutMs, signal, o.timers, onTimeout))
                  : withDeadline(call, sel, n, timeoutMs, signal, o.timers, onTimeout));
                const latencyMs = o.now() - started;
                sel.release({ ok: true, latencyMs });
                if (metricsChannel.hasSubscribers) publishAttemptMetric(m, sel.provider.name, sel.instance.id, n, latencyMs);
                return value;
              } catch (error) {
                const latencyMs = o.now() - started;
                (leg.tried ??= new Set<string>()).add(sel.instance.id);
                if (signal?.aborted) {
                  (sel as Lease).cancel();
                  throw abortedError(model, attempts);
                }
                lastError = error;
                const status = statusOf(error);
                const retryAfterMs = retryAfterOf(error);
                sel.release({ ok: false, latencyMs, error, ...(status !== undefined ? { status } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
                const filtered = o.errorFilter?.(error) === true;
                const failure: FailureClass = filtered ? 'fatal' : timedOut ? 'retryable' : (o.classifyError ?? classifyFailure)(status, error);
                const record: AttemptRecord = {
                  model: m, provider: sel.provider.name, instance: sel.instance.id, attempt: n, skipped: false, failure, timedOut, panic: sel.panic, latencyMs,
                  ...(status !== undefined ? { status } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
                };
                attempts.push(record);
                if (events.listenerCount('attempt:failed') > 0) events.emit('attempt:failed', record);
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
          skipPool(events, pools, o.now(), attempts, made, m, pool, leg.tried);
        } finally {
          pool.budget.active--;
        }
      }
    } finally {
      this.active--;
      if (mapBudget) this.budget.active--;
    }
    throw requestFailedError(model, made, reason, lastError, unavailableReasons, attempts);
  }

  #budgetWait(budget: RetryBudget, signal: AbortSignal | undefined, model: string, attempts: AttemptRecord[]): Promise<boolean> {
    return budget.acquireOrWait(signal).catch(() => {
      throw abortedError(model, attempts);
    });
  }

  #sleep(ms: number, signal: AbortSignal | undefined, model: string, attempts: AttemptRecord[]): Promise<void> {
    return delay(Math.min(ms, MAX_TIMER_MS), signal, this.#o.timers, () => abortedError(model, attempts));
  }
}
