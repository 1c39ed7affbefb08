// The classifier's diagnostics payloads and publish/trace helpers. telemetry/diagnostics.ts owns
// only the channel names and the shared metrics channel, so it never imports classify (that was
// an import cycle with request-classifier.ts).
import { tracingChannel } from 'node:diagnostics_channel';
import { DIAGNOSTICS_CHANNELS, countDiagnosticsPayload, metricsChannel } from '../telemetry/diagnostics.js';
import type { DecideResult, RoutingPhase } from './decide-result.js';

/** Context object of the `switchyard:classify` tracing channel: one {@link RequestClassifier.decide} call. */
export interface ClassifyTraceContext {
  /** The request's `model` field, when it is a string. */
  readonly model: string | undefined;
  /** Set by Node when the decision was made. */
  result?: DecideResult;
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

/**
 * The `switchyard:classify` tracing channel (typed by its context, so it lives beside it).
 * @internal
 */
export const classifyTracing: ReturnType<typeof tracingChannel<unknown, ClassifyTraceContext>> =
  tracingChannel<unknown, ClassifyTraceContext>(DIAGNOSTICS_CHANNELS.classify);

/**
 * Publishes one tier decision. Call only when `metricsChannel.hasSubscribers`.
 * @internal
 */
export function publishClassifyMetric(d: DecideResult, classifierLatencyMs: number): void {
  countDiagnosticsPayload();
  const m: ClassifyMetric = { type: 'classify', phase: d.phase, tier: d.tier, score: d.score, classifierLatencyMs };
  metricsChannel.publish(m);
}

/**
 * Runs one decide() inside the `switchyard:classify` tracing channel. Call only when
 * `classifyTracing.hasSubscribers`.
 * @internal
 */
export function traceClassify(model: string | undefined, fn: () => Promise<DecideResult>): Promise<DecideResult> {
  countDiagnosticsPayload();
  return classifyTracing.tracePromise(fn, { model });
}
