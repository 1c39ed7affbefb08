// Embedding projects: one checked, batched embed call, with the embedding cache (`cachePath`)
// loaded once, consulted per text and rewritten after registry changes.
import type { Embedder } from '../embed/embedder.js';
import { EmbeddingCache, type EmbeddingCacheStats } from '../embed/embedding-cache.js';
import { SwitchyardError, describeValue } from '../errors.js';
import type { NormalizedProject } from './project-spec.js';

type MutableCacheStats = { -readonly [K in keyof EmbeddingCacheStats]: EmbeddingCacheStats[K] };

/** Embeds texts and projects for the router; owns the embedding cache. @internal */
export class ProjectEmbeddings {
  readonly #embedder: Embedder;
  readonly #cache: EmbeddingCache | undefined;
  readonly #failed: (e: SwitchyardError) => void;
  #stats: MutableCacheStats | undefined;
  #dirty = false;

  /**
   * @param cachePath - file of the embedding cache, or undefined for none
   * @param failed - told of every failed save (saves never throw)
   */
  constructor(embedder: Embedder, cachePath: string | undefined, failed: (e: SwitchyardError) => void) {
    this.#embedder = embedder;
    this.#failed = failed;
    if (cachePath !== undefined) this.#cache = new EmbeddingCache({ path: cachePath, embedderId: embedder.id, dim: embedder.dim });
  }

  /** The cache, when `cachePath` is set. */
  get cache(): EmbeddingCache | undefined {
    return this.#cache;
  }

  /** Whether the cache holds vectors or projects its file does not (yet). */
  get dirty(): boolean {
    return this.#dirty;
  }

  /** Cache counters (a copy); undefined without a cache. */
  stats(): EmbeddingCacheStats | undefined {
    return this.#stats ? { ...this.#stats } : undefined;
  }

  /** Reads the cache file (once, before the first project is embedded). */
  async load(): Promise<void> {
    const cache = this.#cache;
    if (!cache) return;
    const r = await cache.load();
    this.#stats = { path: cache.path, loaded: r.entries, dropped: r.dropped, loadReason: r.reason, reused: 0, computed: 0, lastSaveError: undefined };
  }

  /** Embeds `texts` in one call; a throw or a malformed answer is `ERR_EMBEDDER_FAILED`. */
  async embedChecked(texts: readonly string[]): Promise<Float32Array[]> {
    const id = this.#embedder.id;
    let out: unknown;
    try {
      out = await this.#embedder.embed(texts);
    } catch (e) {
      throw new SwitchyardError('ERR_EMBEDDER_FAILED', `Embedder '${id}' failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
    const dim = this.#embedder.dim;
    if (!Array.isArray(out) || out.length !== texts.length) {
      throw new SwitchyardError('ERR_EMBEDDER_FAILED', `Embedder '${id}' returned ${describeValue(out)} for ${texts.length} texts`);
    }
    for (const v of out as unknown[]) {
      if (!(v instanceof Float32Array) || v.length !== dim) {
        throw new SwitchyardError('ERR_EMBEDDER_FAILED', `Embedder '${id}' returned a vector that is not a Float32Array of length ${dim}`);
      }
      for (let i = 0; i < dim; i++) {
        if (!Number.isFinite(v[i]!)) throw new SwitchyardError('ERR_EMBEDDER_FAILED', `Embedder '${id}' returned a non-finite value`);
      }
    }
    return out as Float32Array[];
  }

  /** One vector per row for each project: [main, ...examples]. Cached vectors are reused; only the rest is embedded (one call). */
  async embedProjects(list: readonly NormalizedProject[]): Promise<Float32Array[][]> {
    const texts: string[] = [];
    for (const n of list) {
      if (!n.embedding) texts.push(n.mainText);
      texts.push(...n.project.examples);
    }
    const cache = this.#cache;
    const vecs: (Float32Array | undefined)[] = cache ? texts.map((t) => cache.get(t)) : [];
    const missing = cache ? texts.filter((_, i) => vecs[i] === undefined) : texts;
    const fresh = missing.length ? await this.embedChecked(missing) : [];
    if (cache) {
      let m = 0;
      for (let i = 0; i < texts.length; i++) if (vecs[i] === undefined) { vecs[i] = fresh[m]!; cache.set(texts[i]!, fresh[m++]!); }
      this.#stats!.reused += texts.length - missing.length;
      this.#stats!.computed += missing.length;
      if (missing.length > 0) this.#dirty = true;
    } else vecs.push(...fresh);
    let k = 0;
    return list.map((n) => {
      const rows: Float32Array[] = [n.embedding ?? vecs[k++]!];
      for (let i = 0; i < n.project.examples.length; i++) rows.push(vecs[k++]!);
      return rows;
    });
  }

  /** Notes that the registry changed, so the file no longer matches it. */
  markDirty(): void {
    if (this.#cache) this.#dirty = true;
  }

  /** Rewrites the cache file with the vectors of these projects; a failure is reported, never thrown. */
  async save(projects: readonly { readonly n: NormalizedProject }[]): Promise<void> {
    const cache = this.#cache;
    if (!cache) return;
    cache.retain(projects.flatMap(({ n }) => (n.embedding ? n.project.examples : [n.mainText, ...n.project.examples])));
    this.#dirty = false;
    try {
      await cache.save();
      this.#stats!.lastSaveError = undefined;
    } catch (e) {
      this.#dirty = true;
      this.#stats!.lastSaveError = (e as Error).message;
      this.#failed(e as SwitchyardError);
    }
  }
}
