// The only barrel. Runtime exports and type exports are listed explicitly.
// Internal helpers (config/validate, router/simd-kernel-wasm) are intentionally not exported.

export { SwitchyardError, isSwitchyardError } from './errors.js';
export type { SwitchyardErrorCode, SwitchyardErrorOptions } from './errors.js';

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
export type { RoutingBand, RoutingSignals, SignalOptions } from './classify/signals.js';
export type { TierSpec } from './classify/tiers.js';
export type { ClassifiableRequest, ChatMessage, ContentBlock } from './classify/request-shape.js';
export type { RoutingDecision, RoutingPhase, RoutingMode, RequestClassifierOptions, DecideOptions } from './classify/request-classifier.js';
export type {
  LlmClassifierOptions,
  ClassifyFn,
  ClassifyContext,
  TierClassification,
  ClassifierFailure,
  ClassifierStats,
} from './classify/llm-classifier.js';
export type { ClassifierBreakerState } from './classify/classifier-breaker.js';
// Internal to classify (not exported): LlmClassifier, ClassifierBreaker, messageKey, request-shape helpers.
