// node:diagnostics_channel hooks (lru-cache 11.3 pattern): zero cost without subscribers.
// Every payload is built only after a `hasSubscribers` check, so a router nobody observes
// allocates nothing here.
import { channel, tracingChannel } from 'node:diagnostics_channel';
import type { RouteMethod, RouteResult } from '../router/route-result.js';

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

/** @internal */
export const routeTracing: ReturnType<typeof tracingChannel<unknown, RouteTraceContext>> =
  tracingChannel<unknown, RouteTraceContext>(DIAGNOSTICS_CHANNELS.route);
/** @internal */
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
