import type { FitFeatures } from '../internal/fit-features.js';

/**
 * Turns texts into fixed-length vectors. Vectors should be L2-normalised; the router
 * normalises them again before storing, so dot product equals cosine similarity.
 *
 * An embedder that also implements {@link Embedder.embedInto} is *synchronous*: the router
 * then routes without awaiting anything ({@link FastProjectRouter.routeSync}).
 */
export interface Embedder {
  /**
   * Identifies the embedding space: model, version and every parameter that changes the
   * output. Vectors from embedders with different ids are never mixed (cache, route updates).
   */
  readonly id: string;
  /** Vector length. */
  readonly dim: number;
  /** Embeds a batch of texts. Must return one vector of length {@link Embedder.dim} per text. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /**
   * Optional synchronous, allocation-free form: writes the vector for `text` into
   * `out[offset .. offset + dim)`. Present on {@link HashEmbedder}.
   */
  embedInto?(text: string, out: Float32Array, offset: number): void;
  /**
   * Optional: the learned-head features a fit uses when its options name none
   * ({@link FitOptions.features}). {@link StaticEmbedder} says `'hybrid'` (its meaning plus
   * hashed spelling beats either alone); absent means `'hashed'`.
   */
  readonly fitFeatures?: FitFeatures;
}
