// One fit as plain data: what the router hands to the fit worker (or runs on its own thread)
// and what comes back. Everything here is structured-cloneable.
import type { FitFeatures, ResolvedFitOptions } from './fit-options.js';

/** Fit options without the feedback source (already resolved into rows). @internal */
export type JobFitOptions = Omit<ResolvedFitOptions, 'feedback'>;

/** Inputs of one fit. Row `i` is one training text (main text, example or feedback record). @internal */
export interface FitJob {
  readonly options: JobFitOptions;
  readonly classes: number;
  readonly features: FitFeatures;
  readonly embedderDim: number;
  readonly embedderId: string;
  /** Text of each row (hashed features are computed from it). */
  readonly texts: readonly string[];
  /**
   * Embedder vectors, `rows × embedderDim`: read as features in `'embedder'`/`'hybrid'` mode
   * and, for rows with `owner >= 0`, as the unfitted rows the auto-adopt decision compares with.
   * Undefined when neither is needed.
   */
  readonly dense: Float32Array | undefined;
  /** Class of each row (>= 0), or `-1 - c` for a negative-only feedback row of class `c`. */
  readonly labels: Int32Array;
  readonly weights: Float32Array;
  /** 1: may be held out (project examples). */
  readonly holdable: Uint8Array;
  /** 1: a training row (main texts are 0 when `includeMainText` is false). */
  readonly train: Uint8Array;
  /** 1: an unfitted row of its class (main texts and examples; not feedback). */
  readonly unfitted: Uint8Array;
}

/** Why auto-adopt kept the unfitted rows. */
export type KeptReason = 'no-held-out' | 'not-better';

/** Outputs of one fit. @internal */
export interface FitJobResult {
  /** `classes × dim` calibrated learned rows. */
  readonly rows: Float32Array;
  readonly dim: number;
  readonly epochs: number;
  readonly trainAccuracy: number;
  readonly heldOutAccuracy: number;
  readonly examples: number;
  readonly heldOut: number;
  readonly scale: number;
  /** Held-out accuracy of the learned rows on the compared probes (NaN when not compared). */
  readonly fittedProbeAccuracy: number;
  /** Held-out accuracy of the unfitted rows (held-out rows removed) on the same probes. */
  readonly unfittedProbeAccuracy: number;
  /** Probes compared. */
  readonly probes: number;
  /** Whether the learned rows should be used. */
  readonly adopt: boolean;
  readonly keptReason: KeptReason | undefined;
  /** Calibrated out-of-scope threshold on the learned scale (NaN when not calibrated). */
  readonly threshold: number;
}

/** A message from the fit worker. @internal */
export type FitWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly epoch: number; readonly phase: 'search' | 'refit'; readonly heldOutAccuracy: number }
  | { readonly type: 'done'; readonly result: FitJobResult }
  | { readonly type: 'error'; readonly message: string };
