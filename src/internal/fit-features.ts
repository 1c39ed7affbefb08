// A leaf type: embedders declare the features they fit best with, the learner and the router read it.

/**
 * Feature source of the learned head:
 * - `'hashed'`: its own hashed space (`HashEmbedder({ dim: hashDim, stopwords: 'none' })`),
 *   independent of the router's embedder. A query is hashed, not embedded, once every project
 *   is fitted.
 * - `'embedder'`: the router's embedder vectors (the same space as the unfitted rows).
 * - `'hybrid'`: the embedder vector and the hashed features concatenated, each L2-normalised
 *   and scaled by √½ so neither dominates; works with any embedder, synchronous or not.
 */
export type FitFeatures = 'hashed' | 'embedder' | 'hybrid';
