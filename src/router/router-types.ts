// Public request and stats types of FastProjectRouter.
import type { EmbeddingCacheStats } from '../embed/embedding-cache.js';
import type { FitFeatures } from '../learn/fit-options.js';
import type { FitKept, FitReport, FitState } from '../learn/fit-router.js';
import type { LatencySummary } from '../telemetry/latency-histogram.js';
import type { RouteInput } from '../internal/message-text.js';
import type { IndexPrecision, KernelKind } from './project-index.js';
import type { RouteResult } from './route-result.js';

/** One request of {@link FastProjectRouter.routeBatch}. */
export interface RouteRequest {
  /** The request's model field (`'auto'`, a model path, an alias, or anything). */
  readonly model?: string;
  /** Prompt string or chat messages. */
  readonly messages: RouteInput;
}

/** Decisions per method. */
export interface RouteCounts {
  /** Explicit model-path or alias routes. */
  readonly explicit: number;
  /** Pattern decisions and keyword-boosted wins. */
  readonly keyword: number;
  /** Pure embedding-similarity routes. */
  readonly semantic: number;
  /** Fallbacks. */
  readonly fallback: number;
  /** Sum over all methods. */
  readonly total: number;
}

/** Snapshot returned by {@link FastProjectRouter.stats}. */
export interface RouterStats {
  /** This node's id. */
  readonly nodeId: string;
  /** Registered projects. */
  readonly projects: number;
  /** Matrix rows (main rows plus example rows). */
  readonly rows: number;
  /** Kernel in use. */
  readonly kernel: KernelKind;
  /** Matrix precision. */
  readonly precision: IndexPrecision;
  /** Embedder id. */
  readonly embedderId: string;
  /** Bytes of matrix storage allocated. */
  readonly matrixBytes: number;
  /** Decisions per method since creation. */
  readonly routes: RouteCounts;
  /** Router latency percentiles (ms) since creation. */
  readonly latency: LatencySummary;
  /** The last decisions, oldest first. */
  readonly recent: readonly RouteResult[];
  /** Embedding-cache counters; undefined without `cachePath`. */
  readonly embeddingCache: EmbeddingCacheStats | undefined;
  /** Learned rows: state, what the last fit kept and why, the threshold in use. */
  readonly fit: RouterFitStats;
}

/** The fit part of {@link RouterStats}. */
export interface RouterFitStats {
  /** See {@link FastProjectRouter.fitState}. */
  readonly state: FitState;
  /** Projects routing by a learned row. */
  readonly learnedProjects: number;
  /** What the last fit kept (undefined before the first fit ends). */
  readonly kept: FitKept | undefined;
  /** Why the last fit kept the unfitted rows, if it did. */
  readonly keptReason: FitReport['keptReason'];
  /** Feature source of the learned rows in use (undefined when none). */
  readonly features: FitFeatures | undefined;
  /** Threshold in use (calibrated by the last fit, or the configured one). */
  readonly threshold: number;
  /** Whether a fit is running or a refit is scheduled. */
  readonly pending: boolean;
}
