// The union of every feature's payload on the metrics channel. It lives at the top level, not in
// telemetry/, because it names each feature's type and telemetry must not import features.
import type { ClassifyMetric } from './classify/classify-telemetry.js';
import type { AttemptMetric, RouteMetric } from './telemetry/diagnostics.js';

/** Messages published on {@link DIAGNOSTICS_CHANNELS}`.metrics`. */
export type MetricsMessage = RouteMetric | AttemptMetric | ClassifyMetric;
