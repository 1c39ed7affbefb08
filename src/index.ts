// The only barrel. Runtime exports and type exports are listed explicitly.
// Internal helpers (config/validate, router/simd-kernel-wasm) are intentionally not exported.

export { SwitchyardError, isSwitchyardError } from './errors.js';
export type { SwitchyardErrorCode, SwitchyardErrorOptions } from './errors.js';

// router
export { FastProjectRouter } from './router/fast-project-router.js';
export type { FastProjectRouterEvents, ProjectRemovedEvent, ProjectUpsertedEvent, RouteCounts, RouteRequest, RouterStats } from './router/fast-project-router.js';
export type { FastProjectRouterOptions } from './router/router-options.js';
export type { OverlapPair, OverlapReport, OverlapReportOptions } from './router/overlap-report.js';
export type { ProjectSpec, Project } from './router/project-spec.js';
export type { RouteResult, RouteCandidate, RouteMethod } from './router/route-result.js';
export type { RouteInput, ChatMessage, ContentBlock } from './router/message-text.js';
export type { IndexPrecision, KernelChoice, KernelKind } from './router/project-index.js';
export type { LatencySummary } from './telemetry/latency-histogram.js';

// embedders
export { HashEmbedder } from './embed/hash-embedder.js';
export type { HashEmbedderOptions } from './embed/hash-embedder.js';
export type { Embedder } from './embed/embedder.js';
