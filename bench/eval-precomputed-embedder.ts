// The eval routes tens of thousands of texts through a model embedder in several
// configurations; embedding each text once (in batches, saved to disk between runs) keeps
// `npm run eval -- … --model` to minutes. The vectors equal the wrapped embedder's, so the
// accuracy columns are the model's; only the route latency column then excludes the model.
import { EmbeddingCache, type Embedder } from '../src/index.js';

/** An embedder answering from an on-disk vector file, embedding (and storing) only unseen texts. */
export class PrecomputedEmbedder implements Embedder {
  readonly id: string;
  readonly dim: number;
  readonly #inner: Embedder;
  readonly #store: EmbeddingCache;

  private constructor(inner: Embedder, store: EmbeddingCache) {
    this.#inner = inner;
    this.#store = store;
    this.id = inner.id;
    this.dim = inner.dim;
  }

  /** Loads `file` (vectors of `inner.id` only), then embeds the texts it lacks in chunks, saving as it goes. */
  static async open(inner: Embedder, file: string, texts: readonly string[], log: (msg: string) => void): Promise<PrecomputedEmbedder> {
    const store = new EmbeddingCache({ path: file, embedderId: inner.id, dim: inner.dim });
    const loaded = await store.load();
    const missing = [...new Set(texts)].filter((t) => store.get(t) === undefined);
    log(`${loaded.entries} vectors from ${file}; embedding ${missing.length} more with ${inner.id}`);
    const chunk = 1024;
    const t0 = performance.now();
    for (let i = 0; i < missing.length; i += chunk) {
      const part = missing.slice(i, i + chunk);
      const vecs = await inner.embed(part);
      part.forEach((t, j) => store.set(t, vecs[j]!));
      await store.save();
      const done = Math.min(i + chunk, missing.length);
      log(`  ${done}/${missing.length} (${((performance.now() - t0) / done).toFixed(1)} ms/text)`);
    }
    return new PrecomputedEmbedder(inner, store);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out = texts.map((t) => this.#store.get(t));
    const miss = texts.filter((_, i) => out[i] === undefined);
    if (miss.length) {
      const vecs = await this.#inner.embed(miss);
      let m = 0;
      for (let i = 0; i < out.length; i++) if (out[i] === undefined) { out[i] = vecs[m]!; this.#store.set(texts[i]!, vecs[m++]!); }
    }
    return out.map((v) => Float32Array.from(v!));
  }
}
