// node:diagnostics_channel hooks (lru-cache 11.3 pattern): zero cost without subscribers.
// Every payload is built only after a `hasSubscribers` check, so a router nobody observes
// allocates nothing here.
import { channel, tracingChannel } from 'node:diagnostics_channel';
import type { FailureClass } from '../balance/classify-failure.js';
import type { RoutingDecision, RoutingPhase } from '../classify/request-classifier.js';

/**
 * Names of switchyard's diagnostics channels. Subscribe with `node:diagnostics_channel`:
 *
 * - `route`: a `TracingChannel` around {@link FastProjectRouter.routeSync} and
 *   {@link FastProjectRouter.route} (context {@link RouteTraceContext}).
 * - `execute`: a `TracingChannel` around each upstream attempt of {@link ApiMap.execute}
 *   (context {@link ExecuteTraceContext}).
 * - `classify`: a `TracingChannel` around {@link RequestClassifier.decide} (context
 *   {@link ClassifyTraceContext}); the result names the phase that decided.
 * - `metrics`: a plain channel with one {@link MetricsMessage} per routing decision, per
 *   tier decision and per upstream attempt. Router, classifier and inference latency are
 *   separate message types.
 *
 * @example
 * ```ts
 * // diagnostics_channel is `node:diagnostics_channel`
 * diagnostics_channel.subscribe(DIAGNOSTICS_CHANNELS.metrics, (m) => console.log((m as MetricsMessage).type));
 * diagnostics_channel.tracingChannel(DIAGNOSTICS_CHANNELS.route).subscribe({ start() {}, end() {}, asyncStart() {}, asyncEnd() {}, error() {} });
 * ```
 */
export const DIAGNOSTICS_CHANNELS: {
  /** TracingChannel around routing decisions. */
  readonly route: 'switchyard:route';
  /** TracingChannel around upstream attempts. */
  readonly execute: 'switchyard:execute';
  /** TracingChannel around tier decisions. */
  readonly classify: 'switchyard:classify';
  /** Channel of {@link MetricsMessage}s. */
  readonly metrics: 'switchyard:metrics';
} = Object.freeze({ route: 'switchyard:route', execute: 'switchyard:execute', classify: 'switchyard:classify', metrics: 'switchyard:metrics' } as const);

/** Context object of the `switchyard:classify` tracing channel: one {@link RequestClassifier.decide} call. */
export interface ClassifyTraceContext {
  /** The request's `model` field, when it is a string. */
  readonly model: string | undefined;
  /** Set by Node when the decision was made. */
  result?: RoutingDecision;
  /** Set by Node when decide() rejected. */
  error?: unknown;
}

/** A tier decision on the `switchyard:metrics` channel. */
export interface ClassifyMetric {
  /** Discriminant. */
  readonly type: 'classify';
  /** Which phase decided. */
  readonly phase: RoutingPhase;
  /** Chosen tier name. */
  readonly tier: string;
  /** Phase-1 score. */
  readonly score: number;
  /** Time of the whole decide() call (phase 1, and phase 2 when it ran), ms. Never includes inference of the routed request. */
  readonly classifierLatencyMs: number;
}

/** Context object of the `switchyard:execute` tracing channel: one upstream attempt. */
export interface ExecuteTraceContext {
  /** Model tried by this attempt (the requested model or a fallback). */
  readonly model: string;
  /** Provider name. */
  readonly provider: string;
  /** Instance id. */
  readonly instance: string;
  /** Endpoint of the instance. */
  readonly endpoint: string;
  /** 0-based attempt number within the logical request. */
  readonly attempt: number;
  /** Set by Node when the attempt resolved: the host call's value. */
  result?: unknown;
  /** Set by Node when the attempt failed. */
  error?: unknown;
}

/** One upstream attempt on the `switchyard:metrics` channel. */
export interface AttemptMetric {
  /** Discriminant. */
  readonly type: 'attempt';
  /** Model tried. */
  readonly model: string;
  /** Provider name. */
  readonly provider: string;
  /** Instance id. */
  readonly instance: string;
  /** 0-based attempt number within the logical request. */
  readonly attempt: number;
  /** Whether the attempt succeeded. */
  readonly ok: boolean;
  /** Failure class when `ok` is false. */
  readonly failure?: FailureClass;
  /** HTTP status of a failure, if known. */
  readonly status?: number;
  /** Duration of the host's upstream call on the map's clock, ms: inference latency, never router time. */
  readonly inferenceLatencyMs: number;
}

/** @internal */
export const executeTracing: ReturnType<typeof tracingChannel<unknown, ExecuteTraceContext>> =
  tracingChannel<unknown, ExecuteTraceContext>(DIAGNOSTICS_CHANNELS.execute);
/** @internal */
export const classifyTracing: ReturnType<typeof tracingChannel<unknown, ClassifyTraceContext>> =
  tracingChannel<unknown, ClassifyTraceContext>(DIAGNOSTICS_CHANNELS.classify);
/** @internal */
export const metricsChannel: ReturnType<typeof channel> = channel(DIAGNOSTICS_CHANNELS.metrics);

let built = 0;

/**
 * Number of diagnostics payloads built since the process started. Test hook: it must not
 * move while nobody subscribes.
 * @internal
 */
export function unsafeDiagnosticsPayloadsBuilt(): number {
  return built;
}

/**
 * Counts one payload built (feature telemetry modules call it before publishing or tracing).
 * @internal
 */
export function countDiagnosticsPayload(): void {
  built++;
}

/**
 * Publishes one upstream attempt. Call only when `metricsChannel.hasSubscribers`.
 * @internal
 */
export function publishAttemptMetric(
  model: string, provider: string, instance: string, attempt: number, inferenceLatencyMs: number,
  failure?: FailureClass, status?: number,
): void {
  built++;
  const m: AttemptMetric = {
    type: 'attempt', model, provider, instance, attempt, ok: failure === undefined, inferenceLatencyMs,
    ...(failure !== undefined ? { failure } : {}), ...(status !== undefined ? { status } : {}),
  };
  metricsChannel.publish(m);
}

/**
 * Runs one upstream attempt inside the `switchyard:execute` tracing channel. Call only when
 * `executeTracing.hasSubscribers`.
 * @internal
 */
export function traceAttempt<T>(model: string, provider: string, instance: string, endpoint: string, attempt: number, fn: () => Promise<T>): Promise<T> {
  built++;
  return executeTracing.tracePromise(fn, { model, provider, instance, endpoint, attempt });
}

/**
 * Publishes one tier decision. Call only when `metricsChannel.hasSubscribers`.
 * @internal
 */
export function publishClassifyMetric(d: RoutingDecision, classifierLatencyMs: number): void {
  built++;
  const m: ClassifyMetric = { type: 'classify', phase: d.phase, tier: d.tier, score: d.score, classifierLatencyMs };
  metricsChannel.publish(m);
}

/**
 * Runs one decide() inside the `switchyard:classify` tracing channel. Call only when
 * `classifyTracing.hasSubscribers`.
 * @internal
 */
export function traceClassify(model: string | undefined, fn: () => Promise<RoutingDecision>): Promise<RoutingDecision> {
  built++;
  return classifyTracing.tracePromise(fn, { model });
}
