import type { Project } from './project-spec.js';

/** How a route was decided. */
export type RouteMethod = 'explicit' | 'keyword' | 'semantic' | 'fallback';

/** A scored candidate project. */
export interface RouteCandidate {
  /** Model path of the candidate. */
  readonly modelPath: string;
  /** Cosine similarity plus keyword/domain boosts. */
  readonly score: number;
}

/** The outcome of routing one request. */
export interface RouteResult {
  /** Chosen model path; `null` only for a fallback when no `defaultProject` is configured. */
  readonly modelPath: string | null;
  /** The chosen project, or `null` with `modelPath`. */
  readonly project: Project | null;
  /**
   * `explicit`: the model string named a project or alias; `keyword`: a pattern decided, or
   * a keyword/domain boost was part of the winning score; `semantic`: embedding similarity
   * alone; `fallback`: nothing cleared the threshold (or the input was unusable).
   */
  readonly method: RouteMethod;
  /** Score of the chosen project (1 for explicit and pattern routes; best candidate's score for fallbacks). */
  readonly score: number;
  /** Top-k candidates, best first (empty for explicit and pattern routes). */
  readonly candidates: readonly RouteCandidate[];
  /** Human-readable reasons, e.g. `"keyword 'llama' +0.15"`. */
  readonly reasons: readonly string[];
  /** Time spent in the router for this request, milliseconds. */
  readonly latencyMs: number;
}
