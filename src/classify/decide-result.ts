// The result of RequestClassifier#decide(), apart from the classifier so that its telemetry
// (classify-telemetry.ts) can name it without importing the classifier back.

/** How a {@link DecideResult} was reached. */
export type RoutingPhase = 'explicit' | 'heuristic' | 'llm_classifier' | 'fallback';

/** Where a request goes, and why: the result of {@link RequestClassifier.decide}. */
export interface DecideResult {
  /** Provider of the chosen tier (or the explicit provider). */
  readonly provider: string;
  /** Model of the chosen tier (or the explicit model). */
  readonly model: string;
  /** Name of the chosen tier. */
  readonly tier: string;
  /** Phase-1 complexity score in [0, 1]; `0` when no content rule ran (explicit, disabled). */
  readonly score: number;
  /** Phase-1 reasons, then the phase-2 / override outcome. */
  readonly reasons: readonly string[];
  /** How the decision was reached. */
  readonly phase: RoutingPhase;
}

/** @deprecated Use {@link DecideResult}. Removed in 0.3.0. */
export type RoutingDecision = DecideResult;
