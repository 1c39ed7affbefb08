// Health checks of ApiMap: one round of the host's probes (concurrent, each behind a timeout),
// and the periodic schedule of rounds. A failed probe takes the instance out of rotation.
import type { EventEmitter } from 'eventemitter3';
import { SwitchyardError, invalidOption } from '../errors.js';
import { withDeadline } from '../internal/deadline.js';
import { emitRenamed } from '../internal/renamed-event.js';
import { isPlainObject } from '../internal/validate.js';
import { optTimeout, type ResolvedApiMapOptions } from './api-map-options.js';
import type { ApiMapEvents } from './events.js';
import type { InstanceState } from './instance-state.js';
import type { InstanceInfo } from './types.js';

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

const isTrue = (v: boolean): boolean => v === true;
const isFalse = (): boolean => false;

/**
 * Probes a map's instances and keeps their `healthy` flag; emits `health:failed` /
 * `health:recovered` (and their deprecated names) on changes.
 * @internal
 */
export class HealthChecker {
  readonly #o: ResolvedApiMapOptions;
  readonly #instances: readonly InstanceState[];
  readonly #events: EventEmitter<ApiMapEvents>;
  #timer: unknown = undefined;
  #run = 0;

  constructor(o: ResolvedApiMapOptions, instances: readonly InstanceState[], events: EventEmitter<ApiMapEvents>) {
    this.#o = o;
    this.#instances = instances;
    this.#events = events;
  }

  /** See {@link ApiMap.checkHealth}. */
  async check(probe: HealthProbe, options: CheckHealthOptions): Promise<HealthReport> {
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
      const payload = { instance: s.info.id, provider: s.provider.name, at: now };
      if (ok) emitRenamed(this.#events, 'health:recovered', 'instance:healthy', payload);
      else emitRenamed(this.#events, 'health:failed', 'instance:unhealthy', payload);
    });
    return report;
  }

  /** One probe: `true` only when it resolves `true` in time (a timeout aborts its signal with `ERR_TIMEOUT`). */
  #probeOne(state: InstanceState, probe: HealthProbe, timeoutMs: number): Promise<boolean> {
    const onTimeout = (): SwitchyardError => new SwitchyardError('ERR_TIMEOUT', `Health probe of \`${state.info.id}\` timed out`);
    const run = (info: InstanceInfo, signal: AbortSignal): boolean | Promise<boolean> => probe(info, signal);
    return withDeadline(run, state.info, 0, timeoutMs, undefined, this.#o.timers, onTimeout).then(isTrue, isFalse);
  }

  /** See {@link ApiMap.startHealthChecks}. */
  start(healthOptions: HealthCheckOptions): HealthCheckHandle {
    if (!isPlainObject(healthOptions)) invalidOption('options', 'an object', healthOptions);
    const options: HealthCheckOptions = healthOptions;
    const intervalMs = optTimeout('intervalMs', options.intervalMs, NaN);
    if (typeof options.probe !== 'function') invalidOption('probe', 'a function', options.probe);
    const checkOptions: CheckHealthOptions = options.timeoutMs === undefined ? {} : { timeoutMs: optTimeout('timeoutMs', options.timeoutMs, 5000) };
    this.stop();
    const run = ++this.#run;
    const schedule = (): void => {
      const handle = this.#o.timers.setTimeout(() => {
        this.#timer = undefined;
        this.check(options.probe, checkOptions).then(
          () => { if (run === this.#run) schedule(); },
          () => { if (run === this.#run) schedule(); },
        );
      }, intervalMs);
      (handle as { unref?: () => void } | null)?.unref?.();
      this.#timer = handle;
    };
    schedule();
    return { stop: () => { if (run === this.#run) this.stop(); } };
  }

  /** See {@link ApiMap.stopHealthChecks}. */
  stop(): void {
    this.#run++;
    if (this.#timer !== undefined) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
