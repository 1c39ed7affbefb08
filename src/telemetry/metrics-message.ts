// The union of every payload on the `switchyard:metrics` channel. It lives apart from
// diagnostics.ts, which feature modules import for the channels: each feature owns its payload
// type, and only this file (imported by nobody but the barrel) names them all, so no cycle forms.
import type { ClassifyMetric } from '../classify/classify-telemetry.js';
import type { AttemptMetric } from '../balance/attempt-telemetry.js';
import type { RouteMetric } from '../router/route-telemetry.js';

/** Messages published on {@link DIAGNOSTICS_CHANNELS}`.metrics`. */
export type MetricsMessage = RouteMetric | AttemptMetric | ClassifyMetric;
