// Type tests of the public API's key types. Checked by `npm run typecheck` (test/tsconfig.json
// includes this folder), never run: each `Expect<...>` fails the compile when the types drift,
// and each `// @ts-expect-error` fails it when the line it marks starts to compile.
import type {
  ApiMap, ApiMapOptions, CircuitBreakerOptions, DecideResult, FastProjectRouter, FeedbackLogEvents, FeedbackLogOptions,
  LlmJudgeBreakerOptions, LlmJudgeOptions, MetricsMessage, RequestClassifier, RequestClassifierOptions, RetryOptions,
  RouteMethod, RouteResult, RoutingDecision, RoutingPhase, SignalOptions, SignalPhrases, SignalScanOptions,
  SignalThresholds, SwitchyardError, SwitchyardErrorCode, ClassifyMetric,
} from '../../src/index.js';
import type { TransformersEmbedderEvents, TransformersLoadedEvent, TransformersReadyEvent } from '../../src/embed/transformers-embedder.js';
import type { Equal, Expect, Extends } from './expect.js';

/** Routing: route() / routeSync() and RouteResult. */
export type RouteCases = [
  Expect<Equal<ReturnType<FastProjectRouter['route']>, Promise<RouteResult>>>,
  Expect<Equal<ReturnType<FastProjectRouter['routeSync']>, RouteResult>>,
  Expect<Equal<RouteResult['modelPath'], string | null>>,
  Expect<Equal<RouteResult['method'], RouteMethod>>,
  Expect<Equal<RouteMethod, 'explicit' | 'keyword' | 'semantic' | 'fallback'>>,
  Expect<Equal<RouteResult['score'], number>>,
  Expect<Equal<RouteResult['latencyMs'], number>>,
  Expect<Equal<RouteResult['reasons'], readonly string[]>>,
];

/** Classifier: decide() and DecideResult; RoutingDecision is the deprecated alias. */
export type DecideCases = [
  Expect<Equal<ReturnType<RequestClassifier['decide']>, Promise<DecideResult>>>,
  Expect<Equal<RoutingDecision, DecideResult>>,
  Expect<Equal<DecideResult['phase'], RoutingPhase>>,
  Expect<Equal<RoutingPhase, 'explicit' | 'heuristic' | 'llm_classifier' | 'fallback'>>,
  Expect<Equal<keyof DecideResult, 'provider' | 'model' | 'tier' | 'score' | 'reasons' | 'phase'>>,
];

/** Classifier options, nested by concern. */
export type ClassifierOptionCases = [
  Expect<Equal<RequestClassifierOptions['llm'], LlmJudgeOptions | undefined>>,
  Expect<Equal<LlmJudgeOptions['breaker'], LlmJudgeBreakerOptions | undefined>>,
  Expect<Equal<LlmJudgeOptions['timeoutMs'], number | undefined>>,
  Expect<Equal<RequestClassifierOptions['thresholds'], SignalThresholds | undefined>>,
  Expect<Equal<RequestClassifierOptions['phrases'], SignalPhrases | undefined>>,
  Expect<Equal<RequestClassifierOptions['scan'], SignalScanOptions | undefined>>,
  Expect<Equal<RequestClassifierOptions['now'], (() => number) | undefined>>,
  // computeRoutingSignals() takes the same phase-1 groups
  Expect<Extends<SignalOptions, Pick<RequestClassifierOptions, 'tiers' | 'thresholds' | 'phrases' | 'scan'>>>,
  // the deprecated flat names keep their 0.1 types
  Expect<Equal<RequestClassifierOptions['classifierTimeoutMs'], number | undefined>>,
  Expect<Equal<RequestClassifierOptions['classify'], LlmJudgeOptions['classify']>>,
  Expect<Equal<RequestClassifierOptions['scanChars'], SignalScanOptions['chars']>>,
];

/** ApiMap options nest `breaker` and `retry`. */
export type ApiMapOptionCases = [
  Expect<Equal<ApiMapOptions['breaker'], CircuitBreakerOptions | false | undefined>>,
  Expect<Equal<ApiMapOptions['retry'], RetryOptions | undefined>>,
  Expect<Equal<ApiMapOptions['now'], (() => number) | undefined>>,
  Expect<Equal<ReturnType<ApiMap['execute']>, Promise<unknown>>>,
];

/** Error codes: the new codes are in the union, and the deprecated ones stay until 0.3.0. */
export type ErrorCodeCases = [
  Expect<Extends<'ERR_INVALID_ROUTE_UPDATE' | 'ERR_FIT_DIVERGED' | 'ERR_RECORD_TOO_LARGE', SwitchyardErrorCode>>,
  Expect<Extends<'ERR_INVALID_MESSAGE' | 'ERR_PROMPT_TOO_LARGE' | 'ERR_INVALID_OPTION', SwitchyardErrorCode>>,
  Expect<Equal<SwitchyardError['code'], SwitchyardErrorCode>>,
  Expect<Equal<Extends<'ERR_NOT_A_CODE', SwitchyardErrorCode>, false>>,
];

/** Event maps: renamed events keep their payload under both names. */
export type EventCases = [
  Expect<Equal<FeedbackLogEvents['batch:failed'], [error: SwitchyardError]>>,
  Expect<Equal<FeedbackLogEvents['write:failed'], FeedbackLogEvents['batch:failed']>>,
  Expect<Equal<TransformersEmbedderEvents['embedder:loaded'], [event: TransformersLoadedEvent]>>,
  Expect<Equal<TransformersEmbedderEvents['embedder:ready'], TransformersEmbedderEvents['embedder:loaded']>>,
  Expect<Equal<TransformersReadyEvent, TransformersLoadedEvent>>,
  Expect<Equal<Extract<MetricsMessage, { type: 'classify' }>, ClassifyMetric>>,
  Expect<Equal<MetricsMessage['type'], 'route' | 'attempt' | 'classify'>>,
];

/** Clocks: `wallClock` is the epoch source; `now` on FeedbackLog is its deprecated alias. */
export type ClockCases = [
  Expect<Equal<FeedbackLogOptions['wallClock'], (() => number) | undefined>>,
  Expect<Equal<FeedbackLogOptions['now'], FeedbackLogOptions['wallClock']>>,
];

/** Misuse the types must refuse. Never called; only compiled. */
export function refused(classifier: RequestClassifier, d: DecideResult, r: RouteResult): void {
  // @ts-expect-error - a nested option has the nested type
  void ({ llm: { timeoutMs: '5s' } } satisfies RequestClassifierOptions);
  // @ts-expect-error - unknown keys in a group are refused (excess property check)
  void ({ thresholds: { maxTurns: 3 } } satisfies RequestClassifierOptions);
  // @ts-expect-error - the breaker of the LLM judge is an object, as ApiMap's is
  void ({ llm: { breaker: 5 } } satisfies RequestClassifierOptions);
  // @ts-expect-error - a DecideResult is not a RouteResult
  void d.modelPath;
  // @ts-expect-error - results are read-only
  r.score = 1;
  // @ts-expect-error - decide() needs a request
  void classifier.decide();
  // @ts-expect-error - not an error code
  void ('ERR_NOPE' satisfies SwitchyardErrorCode);
  // @ts-expect-error - an event the feedback log does not have
  void ((_e: FeedbackLogEvents['write:done']) => undefined);
}
