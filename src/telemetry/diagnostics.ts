// node:diagnostics_channel hooks (lru-cache 11.3 pattern): zero cost without subscribers.
// Every payload is built only after a `hasSubscribers` check, so a router nobody observes
// allocates nothing here.
import { channel, tracingChannel } from 'node:diagnostics_channel';
import type { RouteMethod, RouteResult } from '../router/route-result.js';
import type { FailureClass } from '../balance/classify-failure.js';

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

/**
 * Context object of the `switchyard:route` tracing channel. The same object is passed to
 * `start`, `end` (sync routes) or `asyncStart`/`asyncEnd` (async routes) and `error`;
 * Node sets `result` or `error` on it.
 */
export interface RouteTraceContext {
  /** The request's model field as given. */
  readonly model: string | undefined;
  /** Id of the router's node. */
  readonly nodeId: string;
  /** `'routeSync'` or `'route'`. */
  readonly operation: 'routeSync' | 'route';
  /** Set by Node when the route returned. */
  result?: RouteResult;
  /** Set by Node when the route threw. */
  error?: unknown;
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

/** A routing decision on the `switchyard:metrics` channel. */
export interface RouteMetric {
  /** Discriminant. */
  readonly type: 'route';
  /** Id of the router's node. */
  readonly nodeId: string;
  /** How the route was decided. */
  readonly method: RouteMethod;
  /** Chosen model path (`null` for a fallback without default project). */
  readonly modelPath: string | null;
  /** Score of the chosen project. */
  readonly score: number;
  /** Time spent inside the router (embedding plus scoring), ms. Never includes inference. */
  readonly routerLatencyMs: number;
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
export const routeTracing: ReturnType<typeof tracingChannel<unknown, RouteTraceContext>> =
  tracingChannel<unknown, RouteTraceContext>(DIAGNOSTICS_CHANNELS.route);
/** @internal */
export const executeTracing: ReturnType<typeof tracingChannel<unknown, ExecuteTraceContext>> =
  tracingChannel<unknown, ExecuteTraceContext>(DIAGNOSTICS_CHANNELS.execute);
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
 * Publishes a routing decision. Call only when `metricsChannel.hasSubscribers`.
 * @internal
 */
export function publishRouteMetric(nodeId: string, r: RouteResult): void {
  built++;
  const m: RouteMetric = { type: 'route', nodeId, method: r.method, modelPath: r.modelPath, score: r.score, routerLatencyMs: r.latencyMs };
  metricsChannel.publish(m);
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
 * Runs `fn` inside the `switchyard:route` tracing channel. Call only when `routeTracing.hasSubscribers`.
 * @internal
 */
export function traceRouteSync(model: string | undefined, nodeId: string, fn: () => RouteResult): RouteResult {
  built++;
  return routeTracing.traceSync(fn, { model, nodeId, operation: 'routeSync' });
}

/**
 * Async counterpart of {@link traceRouteSync}.
 * @internal
 */
export function traceRoute(model: string | undefined, nodeId: string, fn: () => Promise<RouteResult>): Promise<RouteResult> {
  built++;
  return routeTracing.tracePromise(fn, { model, nodeId, operation: 'route' });
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
