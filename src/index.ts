// The only barrel. Runtime exports and type exports are listed explicitly.
// Internal helpers (src/internal/) are not exported, except the public types and values re-exported below.

export { SwitchyardError, isSwitchyardError } from './errors.js';
export type { SwitchyardErrorCode, SwitchyardErrorOptions } from './errors.js';

// router
export { FastProjectRouter } from './router/fast-project-router.js';
export type { FastProjectRouterEvents, ProjectRemovedEvent, ProjectUpsertedEvent } from './router/router-events.js';
export type { RouteCounts, RouteRequest, RouterFitStats, RouterStats } from './router/router-types.js';
export type { FastProjectRouterOptions } from './router/router-options.js';
export type { OverlapPair, OverlapReport, OverlapReportOptions } from './router/overlap-report.js';
export type { ProjectSpec, Project } from './router/project-spec.js';
export type { RouteResult, RouteCandidate, RouteMethod } from './router/route-result.js';
export type { RouteInput } from './internal/message-text.js';
export type { ChatMessage, ContentBlock } from './messages.js';
export type { IndexPrecision, KernelChoice, KernelKind } from './router/project-index.js';
export type { LatencySummary } from './telemetry/latency-histogram.js';

// embedders
export { HashEmbedder } from './embed/hash-embedder.js';
export type { HashEmbedderOptions } from './embed/hash-embedder.js';
export type { Embedder } from './embed/embedder.js';
export { CachedEmbedder } from './embed/cached-embedder.js';
export type { CachedEmbedderOptions, CachedEmbedderStats } from './embed/cached-embedder.js';
export { StaticEmbedder } from './embed/static-embedder.js';
export type { StaticEmbedderOptions } from './embed/static-embedder.js';
export type { StaticTableDtype, StaticTableMeta, StaticTableRejectReason, StaticTableTokenizer } from './embed/static-table-format.js';
// Internal (not exported): WordPieceTokenizer and the table codec (encode/decodeStaticTable); the distillation command imports them from their modules.

// balance
// Internal (not exported): CircuitBreaker state machine, failure windows, strategy pick
// functions, retry budget, option resolvers, and ApiMap's parts (Pools, Lease, Executor,
// outcome settlement, attempt log, HealthChecker, attempt telemetry helpers). Tests import
// them from their modules.
export { ApiMap } from './balance/api-map.js';
export type { InstanceStats, ModelStats, ApiMapStats } from './balance/api-map-stats.js';
export type { ExecuteOptions, UpstreamCall } from './balance/execute.js';
export type { CheckHealthOptions, HealthCheckHandle, HealthCheckOptions, HealthProbe, HealthReport } from './balance/health-checker.js';
export type { ResolveOptions } from './balance/pool.js';
export type { ApiMapOptions, RetryOptions, RetryBudgetScope } from './balance/api-map-options.js';
export type { BreakerState, BreakerWindowType, CircuitBreakerOptions } from './balance/circuit-breaker.js';
export { classifyFailure, parseRetryAfter, retryAfterOf, statusOf } from './balance/classify-failure.js';
export type { FailureClass } from './balance/classify-failure.js';
export type { Decision, HistoryEntry } from './balance/decision-history.js';
export type { ApiMapEvents, AttemptRecord, BreakerEvent, InstanceHealthEvent, SkipCause } from './balance/events.js';
export { seededRandom } from './internal/random.js';
export type { RandomSource } from './internal/random.js';
export type { StrategyName } from './balance/strategy.js';
export type {
  CallOutcome, Deployment, InstanceInfo, InstanceSpec, ProviderInfo, ProviderSpec, Resolution, ResolveResult, Selection,
  Unavailable, UnavailableReason,
} from './balance/types.js';
export { expandEnv, expandString } from './config/expand-env.js';
export type { ExpandEnvOptions } from './config/expand-env.js';
export { loadRoutingConfig } from './config/routing-config.js';
export type { LoadRoutingConfigOptions, RoutingConfig } from './config/routing-config.js';

// embedding cache
export { EmbeddingCache } from './embed/embedding-cache.js';
export type {
  CacheLoadReport, CacheRejectReason, CacheRejectedEvent, CacheSavedEvent, EmbeddingCacheEvents, EmbeddingCacheOptions, EmbeddingCacheStats,
} from './embed/embedding-cache.js';
// Internal (not exported): the cache's file I/O and its fs test seam (embed/cache-file-io.ts).
// classify
export {
  computeRoutingSignals,
  DEFAULT_DEEP_REASONING_KEYWORDS,
  DEFAULT_SIMPLE_TASK_PATTERNS,
  DEFAULT_AGENTIC_MARKERS,
  DEFAULT_MULTI_FILE_PATTERNS,
  DEFAULT_EDIT_VERBS,
  DEFAULT_FILE_EXTENSIONS,
} from './classify/signals.js';
export { DEFAULT_TIERS } from './classify/tiers.js';
export { RequestClassifier } from './classify/request-classifier.js';
export type { RoutingBand, RoutingSignals } from './classify/signals.js';
export type { SignalOptions, SignalPhrases, SignalScanOptions, SignalThresholds } from './classify/classifier-options.js';
export type { TierSpec } from './classify/tiers.js';
export type { ClassifiableRequest } from './classify/request-shape.js';
export type { DecideResult, RoutingDecision, RoutingPhase } from './classify/decide-result.js';
export type { RoutingMode, RequestClassifierOptions, DecideOptions } from './classify/request-classifier.js';
export type { ClassifyMetric, ClassifyTraceContext } from './classify/classify-telemetry.js';
export type {
  LlmClassifierOptions,
  LlmJudgeBreakerOptions,
  LlmJudgeOptions,
  ClassifyFn,
  ClassifyContext,
  TierClassification,
  ClassifierFailure,
  ClassifierStats,
} from './classify/llm-classifier.js';
export type { ClassifierBreakerState } from './classify/classifier-breaker.js';
// Internal to classify (not exported): LlmClassifier, ClassifierBreaker, messageKey, request-shape helpers,
// the flat-alias tables and the classify channel helpers (classify-telemetry.ts).

// telemetry
// Internal (not exported): the channel objects, publish/trace helpers and the payload counter.
export { DIAGNOSTICS_CHANNELS } from './telemetry/diagnostics.js';
export type { RouteMetric, RouteTraceContext } from './router/route-telemetry.js';
export type { AttemptMetric, ExecuteTraceContext } from './balance/attempt-telemetry.js';
export type { MetricsMessage } from './telemetry/metrics-message.js';
export { FEEDBACK_BATCH_BYTES, FeedbackLog } from './telemetry/feedback-log.js';
export type { FeedbackBatchWritten, FeedbackLogEvents, FeedbackLogOptions, FeedbackLogStats } from './telemetry/feedback-log.js';
export type { FeedbackMessage, FeedbackRecord, FeedbackText } from './telemetry/feedback-record.js';
export { exportDpoDataset } from './telemetry/dpo-export.js';
export type { DpoExportOptions, DpoExportReport, InvalidLine } from './telemetry/dpo-export.js';
// gossip
// Internal (not exported): the LWW table, version order, replica policy and input reader
// (src/gossip/*); tests import them from their modules.
export type { RouteUpdateAction, RouteUpdateMessage, WireProject } from './gossip/route-update.js';
export type { RouteTableState } from './gossip/route-state.js';
export type { RouteUpdateReason } from './gossip/replica.js';
export type { MergeStateResult, RouteUpdateRejectedEvent, RouteUpdateResult } from './gossip/update-result.js';
// learn
// Internal (not exported): SoftmaxTrainer, sparse rows, the fit-file format; tests import them from their modules.
export type { FitFeatures, FitOptions } from './learn/fit-options.js';
export type { FitKept, FitProgressEvent, FitReport, FitState } from './learn/fit-router.js';
export type { KeptReason } from './learn/fit-job.js';
export type { FitFeedbackRecord, FeedbackSource } from './learn/feedback.js';
