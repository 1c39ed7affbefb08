// node:diagnostics_channel hooks (lru-cache 11.3 pattern): zero cost without subscribers.
// Every payload is built only after a `hasSubscribers` check, so a router nobody observes
// allocates nothing here.
import { channel } from 'node:diagnostics_channel';

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
