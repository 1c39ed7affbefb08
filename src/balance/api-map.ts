// ApiMap: model -> provider -> instance registry with balancing, breakers, health and execute().
// A thin facade: the pools and picking live in pool.ts, the retry loop in execute.ts, outcome
// settlement in outcome.ts, health checks in health-checker.ts and stats in api-map-stats.ts.
import { EventEmitter } from 'eventemitter3';
import { resolveApiMapOptions, type ApiMapOptions, type ResolvedApiMapOptions } from './api-map-options.js';
import { mapStats, type ApiMapStats } from './api-map-stats.js';
import type { HistoryEntry } from './decision-history.js';
import type { ApiMapEvents } from './events.js';
import { Executor, type ExecuteOptions, type UpstreamCall } from './execute.js';
import { HealthChecker, type CheckHealthOptions, type HealthCheckHandle, type HealthCheckOptions, type HealthProbe, type HealthReport } from './health-checker.js';
import { onBreakerTransition, settleOutcome } from './outcome.js';
import { Pools, type ResolveOptions } from './pool.js';
import type { ResolveResult } from './types.js';

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
  readonly #pools: Pools;
  readonly #executor: Executor;
  readonly #health: HealthChecker;

  /**
   * @param options - providers and policies; validated eagerly
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION` for any invalid option (NaN/negative/non-number
   *   weights, all-zero weights for a model, unknown strategy, empty providers, duplicate ids, ...)
   */
  constructor(options: ApiMapOptions) {
    super();
    const o = resolveApiMapOptions(options);
    this.#o = o;
    this.#pools = new Pools(
      o,
      (state, token, outcome) => settleOutcome(o, state, token, outcome),
      (state, group, to, from, cooldownMs) => onBreakerTransition(this, o, state, group, to, from, cooldownMs),
    );
    this.#executor = new Executor(o, this.#pools, this);
    this.#health = new HealthChecker(o, this.#pools.instances, this);
  }

  /** Model names served by at least one instance. */
  get models(): string[] {
    return [...this.#pools.byModel.keys()];
  }

  /**
   * Chooses an instance for `model`. Call `release()` on the returned selection exactly once
   * when the upstream call is done. Expected outcomes are results, not exceptions.
   * @param model - model name
   * @param options - strategy override and instance ids to exclude
   * @returns a {@link Selection}, or an {@link Unavailable} saying why none is available
   */
  resolve(model: string, options?: ResolveOptions): ResolveResult {
    return this.#pools.resolve(model, options);
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
  execute<T>(model: string, call: UpstreamCall<T>, executeOptions: ExecuteOptions = {}): Promise<T> {
    return this.#executor.execute(model, call, executeOptions);
  }

  /**
   * Probes every instance once with the host's probe (concurrently) and updates health:
   * failed instances leave rotation (`health:failed`), passing ones come back (`health:recovered`).
   * @param probe - the host's probe
   * @param options - probe timeout
   * @returns which instances passed and which failed
   */
  checkHealth(probe: HealthProbe, options: CheckHealthOptions = {}): Promise<HealthReport> {
    return this.#health.check(probe, options);
  }

  /**
   * Starts periodic health checks (the next round starts `intervalMs` after the previous one
   * ended). The timer is unref'd, so it never keeps the process alive. Starting again replaces
   * the previous schedule.
   * @param healthOptions - interval, probe and probe timeout
   * @returns a handle whose `stop()` ends the checks
   */
  startHealthChecks(healthOptions: HealthCheckOptions): HealthCheckHandle {
    return this.#health.start(healthOptions);
  }

  /** Stops periodic health checks, if any. */
  stopHealthChecks(): void {
    this.#health.stop();
  }

  /** Stops health checks and removes all listeners. In-flight `execute()` calls still settle. */
  close(): void {
    this.stopHealthChecks();
    this.removeAllListeners();
  }

  /** A snapshot of per-instance and aggregate numbers. */
  stats(): ApiMapStats {
    return mapStats(this.#o, this.#pools, this.#executor);
  }

  /** The last routing decisions (up to `historySize`, default 1,000), oldest first. */
  history(): HistoryEntry[] {
    return this.#pools.history();
  }
}
