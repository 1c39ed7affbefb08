import { HashEmbedder, type Embedder } from '../../src/index.js';

/**
 * A real asynchronous embedder (no `embedInto`): the hash embedder behind a promise
 * boundary, the way a model-backed embedder presents itself to the router.
 */
export class AsyncHashEmbedder implements Embedder {
  readonly #inner = new HashEmbedder();
  readonly id: string = `async:${this.#inner.id}`;
  readonly dim: number = this.#inner.dim;
  calls = 0;
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls++;
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.#inner.embed(texts);
  }
}
