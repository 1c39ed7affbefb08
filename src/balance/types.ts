// Public shapes of providers, instances, outcomes and selections.

/** Where an instance runs; the `'fixed-ratio'` strategy splits traffic between the two sides. */
export type Deployment = 'local' | 'remote';

/** One endpoint that serves a provider's models. */
export interface InstanceSpec {
  /** Unique across the whole map. */
  readonly id: string;
  /** The host's address for this instance (switchyard never connects to it). */
  readonly endpoint: string;
  /** Relative weight for `'weighted'`, `'fixed-ratio'` and weighted least-loaded; `0` drains it. @defaultValue 1 */
  readonly weight?: number;
  /** Side used by the `'fixed-ratio'` strategy. @defaultValue 'remote' */
  readonly deployment?: Deployment;
  /** Subset of the provider's models this instance serves. @defaultValue all of the provider's models */
  readonly models?: readonly string[];
}

/** A provider: a kind of API (e.g. `'ollama'`, `'openai'`) with its models and instances. */
export interface ProviderSpec {
  /** Unique provider name. */
  readonly name: string;
  /** Free-form API kind, passed through to the host. @defaultValue 'generic' */
  readonly type?: string;
  /** Model names this provider serves. */
  readonly models: readonly string[];
  /** At least one instance. */
  readonly instances: readonly InstanceSpec[];
}

/** Read-only view of a provider, as given to the host. */
export interface ProviderInfo {
  /** Provider name. */
  readonly name: string;
  /** API kind. */
  readonly type: string;
}

/** Read-only view of an instance, as given to the host. */
export interface InstanceInfo {
  /** Instance id. */
  readonly id: string;
  /** Endpoint the host should call. */
  readonly endpoint: string;
  /** Effective weight. */
  readonly weight: number;
  /** Local or remote. */
  readonly deployment: Deployment;
  /** Name of the provider this instance belongs to. */
  readonly provider: string;
  /** Models this instance serves. */
  readonly models: readonly string[];
}

/** The result of one upstream call, reported through {@link Selection.release}. */
export interface CallOutcome {
  /** Whether the call succeeded. */
  readonly ok: boolean;
  /** Wall time of the call, ms. Non-finite or negative values are treated as 0. */
  readonly latencyMs: number;
  /** HTTP status, if any. Decides whether a failure counts against the instance (see {@link classifyFailure}). */
  readonly status?: number;
  /** Parsed `Retry-After`, ms: the instance is skipped for that long. */
  readonly retryAfterMs?: number;
  /** The error, if any (its `status`/`code` are used when `status` is absent). */
  readonly error?: unknown;
}

/** A chosen instance. Call {@link Selection.release} exactly once when the call is done. */
export interface Selection {
  /** Discriminant. */
  readonly ok: true;
  /** Requested model. */
  readonly model: string;
  /** Provider of the instance. */
  readonly provider: ProviderInfo;
  /** Chosen instance. */
  readonly instance: InstanceInfo;
  /** True when the pick was made in panic mode (too few healthy instances, all were eligible). */
  readonly panic: boolean;
  /** Reports the outcome: updates load, EMA latency, success rate and the breaker. Idempotent. */
  release(outcome: CallOutcome): void;
}

/** Why {@link ApiMap.resolve} found no instance. */
export type UnavailableReason = 'unknown-model' | 'no-healthy-instance' | 'panic';

/** The result of {@link ApiMap.resolve} when no instance can serve the request. */
export interface Unavailable {
  /** Discriminant. */
  readonly ok: false;
  /** Requested model. */
  readonly model: string;
  /** Why: unknown model, no eligible instance, or panic with `failOnPanic`. */
  readonly reason: UnavailableReason;
}

/** Result of {@link ApiMap.resolve}. */
export type ResolveResult = Selection | Unavailable;

/** @deprecated Use {@link ResolveResult}. Removed in 0.3.0. */
export type Resolution = ResolveResult;
