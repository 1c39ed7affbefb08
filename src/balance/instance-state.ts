// Mutable per-instance record kept by ApiMap (load, EMA latency, counters, health, breaker).
import type { CircuitBreaker } from './circuit-breaker.js';
import type { InstanceInfo, ProviderInfo } from './types.js';

/** Ejection bookkeeping shared by a provider's instances. @internal */
export interface ProviderGroup {
  readonly size: number;
  /** Instances whose breaker is open or half-open. */
  ejected: number;
}

/** @internal */
export class InstanceState {
  readonly info: InstanceInfo;
  readonly provider: ProviderInfo;
  /** Position in the map's global instance order (pools keep this order). */
  readonly ordinal: number;
  readonly group: ProviderGroup;
  breaker!: CircuitBreaker;
  load = 0;
  emaLatencyMs = 0;
  samples = 0;
  successes = 0;
  failures = 0;
  healthy = true;
  /** Whether some model of this instance has other instances too. */
  shared = false;
  /** Skipped until this time (Retry-After, 429). */
  cooldownUntil = -Infinity;

  constructor(info: InstanceInfo, provider: ProviderInfo, ordinal: number, group: ProviderGroup) {
    this.group = group;
    this.info = info;
    this.provider = provider;
    this.ordinal = ordinal;
  }

  /** Folds one latency sample into the EMA (the first sample sets it). */
  observeLatency(ms: number, alpha: number): void {
    this.emaLatencyMs = this.samples === 0 ? ms : this.emaLatencyMs + alpha * (ms - this.emaLatencyMs);
    this.samples++;
  }
}
