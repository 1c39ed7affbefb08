// ApiMap's diagnostics payloads and publish/trace helpers. The channels themselves live in
// telemetry/diagnostics.ts; payloads are built only after a `hasSubscribers` check, so a map
// nobody observes allocates nothing here.
import { tracingChannel } from 'node:diagnostics_channel';
import { DIAGNOSTICS_CHANNELS, countDiagnosticsPayload, metricsChannel } from '../telemetry/diagnostics.js';
import type { FailureClass } from './classify-failure.js';

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

/**
 * Publishes one upstream attempt. Call only when `metricsChannel.hasSubscribers`.
 * @internal
 */
export function publishAttemptMetric(
  model: string, provider: string, instance: string, attempt: number, inferenceLatencyMs: number,
  failure?: FailureClass, status?: number,
): void {
  countDiagnosticsPayload();
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
  countDiagnosticsPayload();
  return executeTracing.tracePromise(fn, { model, provider, instance, endpoint, attempt });
}
