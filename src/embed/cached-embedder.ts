import { LRUCache } from 'lru-cache';
import type { Embedder } from './embedder.js';
import { SwitchyardError, describeValue, invalidOption } from '../errors.js';
import { isPlainObject, optInteger } from '../internal/validate.js';

/** Options of {@link CachedEmbedder}. All optional. */
export interface CachedEmbedderOptions {
  /** Texts whose vectors are kept (least recently used evicted first). @defaultValue 1024 */
  readonly maxEntries?: number;
  /** Longer texts are embedded every time and never stored, so the cache's memory stays bounded. @defaultValue 4096 */
  readonly maxTextLength?: number;
}

/** Counters of {@link CachedEmbedder}. */
export interface CachedEmbedderStats {
  /** Texts answered from the cache (including ones joined to an embedding already in flight). */
  readonly hits: number;
  /** Texts passed to the wrapped embedder. */
  readonly misses: number;
  /** Texts stored now. */
  readonly size: number;
}

/**
 * An LRU cache of vectors in front of a slow embedder (e.g. `TransformersEmbedder`): a text
 * seen before skips the model. Chat traffic repeats prompts (retries, regenerations, the same
 * question from many users), and with MiniLM the embedding is ~all of a route's time, so a hit
 * routes in microseconds instead of milliseconds. Concurrent calls for the same text share one
 * model call. Returned vectors are copies (callers may write to them).
 *
 * The `id` and `dim` are the wrapped embedder's: the vectors are identical, so an
 * `EmbeddingCache` file or peer vectors of the wrapped embedder stay valid. A synchronous
 * embedder (`embedInto`, e.g. `HashEmbedder`) gains nothing and is passed through.
 *
 * @example
 * ```ts
 * const embedder = new CachedEmbedder({ id: 'slow', dim: 2, embed: async (t) => t.map(() => Float32Array.of(1, 0)) });
 * const router = await FastProjectRouter.create({ embedder, projects: [{ name: 'a', description: 'alpha' }] });
 * await router.route('auto', 'hello');
 * await router.route('auto', 'hello'); // answered from the cache
 * console.log(embedder.stats().hits); // 1
 * ```
 */
export class CachedEmbedder implements Embedder {
  /** The wrapped embedder's id (same vectors, same space). */
  readonly id: string;
  /** The wrapped embedder's vector length. */
  readonly dim: number;
  /** Present when the wrapped embedder is synchronous; forwards to it uncached. */
  readonly embedInto?: (text: string, out: Float32Array, offset: number) => void;
  readonly #inner: Embedder;
  readonly #lru: LRUCache<string, Float32Array>;
  readonly #inflight = new Map<string, Promise<Float32Array>>();
  readonly #maxText: number;
  #hits = 0;
  #misses = 0;

  /**
   * @param inner - the embedder to cache (any {@link Embedder})
   * @param options - see {@link CachedEmbedderOptions}
   * @throws `SwitchyardError` `ERR_INVALID_OPTION` when `inner` is not an embedder or an option is invalid.
   */
  constructor(inner: Embedder, options: CachedEmbedderOptions = {}) {
    if (typeof inner !== 'object' || inner === null || typeof inner.embed !== 'function' || typeof inner.id !== 'string' ||
      !Number.isSafeInteger(inner.dim) || inner.dim < 1) {
      invalidOption('inner', 'an embedder ({ id, dim, embed })', inner);
    }
    if (!isPlainObject(options as unknown)) invalidOption('options', 'a plain object', options);
    this.#inner = inner;
    this.id = inner.id;
    this.dim = inner.dim;
    this.#lru = new LRUCache({ max: optInteger('maxEntries', options.maxEntries, 1024, 1, 10_000_000) });
    this.#maxText = optInteger('maxTextLength', options.maxTextLength, 4096, 0, 100_000_000);
    if (typeof inner.embedInto === 'function') this.embedInto = inner.embedInto.bind(inner);
  }

  /** Hit and miss counters and the current size. */
  stats(): CachedEmbedderStats {
    return { hits: this.#hits, misses: this.#misses, size: this.#lru.size };
  }

  /** Drops every stored vector (counters stay). */
  clear(): void {
    this.#lru.clear();
  }

  /**
   * One vector per text: cached ones copied, the rest from one call of the wrapped embedder.
   * @param texts - texts to embed
   * @throws whatever the wrapped embedder throws; `SwitchyardError` `ERR_EMBEDDER_FAILED` when it
   *   returns the wrong number of vectors.
   */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (!Array.isArray(texts)) throw new SwitchyardError('ERR_EMBEDDER_FAILED', `Expected \`texts\` to be an array, got ${describeValue(texts)}`);
    const out = new Array<Float32Array | Promise<Float32Array>>(texts.length);
    let allHits = true;
    const missTexts: string[] = [];
    const missAt: number[][] = [];
    const firstMiss = new Map<string, number>();
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i]!;
      const cacheable = typeof t === 'string' && t.length <= this.#maxText;
      const hit = cacheable ? this.#lru.get(t) : undefined;
      if (hit !== undefined) { this.#hits++; out[i] = new Float32Array(hit); continue; }
      const pending = cacheable ? this.#inflight.get(t) : undefined;
      allHits = false;
      if (pending !== undefined) { this.#hits++; out[i] = pending.then((v) => new Float32Array(v)); continue; }
      const seen = cacheable ? firstMiss.get(t) : undefined;
      if (seen !== undefined) { this.#hits++; missAt[seen]!.push(i); continue; }
      this.#misses++;
      if (cacheable) firstMiss.set(t, missTexts.length);
      missAt.push([i]);
      missTexts.push(t);
    }
    if (allHits) return out as Float32Array[]; // the hit path: no promise per text
    if (missTexts.length > 0) {
      const call = this.#inner.embed(missTexts).then((vs) => {
        if (!Array.isArray(vs) || vs.length !== missTexts.length) {
          throw new SwitchyardError('ERR_EMBEDDER_FAILED', `Embedder '${this.id}' returned ${describeValue(vs)} for ${missTexts.length} texts`);
        }
        return vs;
      });
      const settled = call.then(() => undefined, () => undefined);
      for (let m = 0; m < missTexts.length; m++) {
        const t = missTexts[m]!;
        const one = call.then((vs) => {
          const v = vs[m]!;
          if (firstMiss.has(t) && v instanceof Float32Array && v.length === this.dim) this.#lru.set(t, new Float32Array(v));
          return v;
        });
        one.catch(() => undefined); // observed through `call` below; avoids an unhandled rejection per text
        if (firstMiss.has(t)) {
          this.#inflight.set(t, one);
          void settled.then(() => { if (this.#inflight.get(t) === one) this.#inflight.delete(t); });
        }
        const at = missAt[m]!;
        out[at[0]!] = one;
        for (let k = 1; k < at.length; k++) out[at[k]!] = one.then((v) => new Float32Array(v));
      }
      await call;
    }
    return Promise.all(out);
  }
}
