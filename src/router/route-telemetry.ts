// The router's diagnostics payloads and publish/trace helpers. The channels themselves live in
// telemetry/diagnostics.ts; payloads are built only after a `hasSubscribers` check, so a router
// nobody observes allocates nothing here.
import { tracingChannel } from 'node:diagnostics_channel';
import { DIAGNOSTICS_CHANNELS, countDiagnosticsPayload, metricsChannel } from '../telemetry/diagnostics.js';
import type { RouteMethod, RouteResult } from './route-result.js';

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

/**
 * Publishes a routing decision. Call only when `metricsChannel.hasSubscribers`.
 * @internal
 */
export function publishRouteMetric(nodeId: string, r: RouteResult): void {
  countDiagnosticsPayload();
  const m: RouteMetric = { type: 'route', nodeId, method: r.method, modelPath: r.modelPath, score: r.score, routerLatencyMs: r.latencyMs };
  metricsChannel.publish(m);
}

/**
 * Runs `fn` inside the `switchyard:route` tracing channel. Call only when `routeTracing.hasSubscribers`.
 * @internal
 */
export function traceRouteSync(model: string | undefined, nodeId: string, fn: () => RouteResult): RouteResult {
  countDiagnosticsPayload();
  return routeTracing.traceSync(fn, { model, nodeId, operation: 'routeSync' });
}

/**
 * Async counterpart of {@link traceRouteSync}.
 * @internal
 */
export function traceRoute(model: string | undefined, nodeId: string, fn: () => Promise<RouteResult>): Promise<RouteResult> {
  countDiagnosticsPayload();
  return routeTracing.tracePromise(fn, { model, nodeId, operation: 'route' });
}
