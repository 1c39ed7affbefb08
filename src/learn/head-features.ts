// The learned head's feature space: its own hashed space, the router embedder's vectors, or
// both concatenated (hybrid). Used on the routing thread (queries) and in the fit worker
// (training rows), so it depends on nothing but the hash embedder.
import { HashEmbedder } from '../embed/hash-embedder.js';
import type { FitFeatures } from './fit-options.js';

/**
 * Writes head features of one text. `dense` (the embedder vector, length `embedderDim`) is
 * read in `'embedder'` and `'hybrid'` mode; the output is L2-normalised (hybrid: each half
 * normalised and scaled by √½, so both weigh the same).
 * @internal
 */
export class HeadFeatures {
  readonly kind: FitFeatures;
  readonly embedderDim: number;
  readonly hashDim: number;
  /** Length of a feature vector. */
  readonly dim: number;
  /** Whether a query must be embedded with the router's embedder. */
  readonly needsEmbedder: boolean;
  /** Identifies the space (fingerprints, saved rows). */
  readonly id: string;
  readonly #hasher: HashEmbedder | undefined;

  constructor(kind: FitFeatures, hashDim: number, embedderDim: number, embedderId: string) {
    this.kind = kind;
    this.embedderDim = embedderDim;
    this.hashDim = kind === 'embedder' ? 0 : hashDim;
    this.needsEmbedder = kind !== 'hashed';
    this.dim = (this.needsEmbedder ? embedderDim : 0) + this.hashDim;
    this.#hasher = kind === 'embedder' ? undefined : new HashEmbedder({ dim: hashDim, stopwords: 'none' });
    this.id = `${kind}/${this.#hasher?.id ?? ''}/${this.needsEmbedder ? embedderId : ''}`;
  }

  /** Features of `text` (and of `dense[denseOff ..]` when {@link HeadFeatures.needsEmbedder}) into `out[off .. off + dim)`. */
  write(text: string, dense: Float32Array | undefined, denseOff: number, out: Float32Array, off: number): void {
    let at = off;
    const half = this.kind === 'hybrid' ? Math.SQRT1_2 : 1;
    if (this.needsEmbedder) {
      const e = this.embedderDim;
      let s = 0;
      for (let k = 0; k < e; k++) { const x = dense![denseOff + k]!; s += x * x; }
      const inv = s > 0 ? half / Math.sqrt(s) : 0;
      for (let k = 0; k < e; k++) out[at + k] = dense![denseOff + k]! * inv;
      at += e;
    }
    if (this.#hasher) {
      this.#hasher.embedInto(text, out, at);
      if (half !== 1) for (let k = at; k < at + this.hashDim; k++) out[k]! *= half;
    }
  }
}
