import { EventEmitter } from 'eventemitter3';
import path from 'node:path';
import { invalidOption } from '../errors.js';
import { isPlainObject, optBoolean, optInteger, optString } from '../internal/validate.js';
import { FLAG_NORMALIZED, cacheKey, decodeCache, encodeCache, type CacheRejectReason } from './cache-format.js';
import { NODE_FS, errCode, readRegular, removeStrayTmp, writeAtomic, type AtomicWrite, type EmbeddingCacheFs } from './cache-file-io.js';

export type { CacheRejectReason } from './cache-format.js';

/** Options of {@link EmbeddingCache}. */
export interface EmbeddingCacheOptions {
  /** Cache file path. Its folder is created on first save. */
  readonly path: string;
  /** Id of the embedder whose vectors are cached ({@link Embedder.id}); a file of another id is ignored. */
  readonly embedderId: string;
  /** Vector length; a file of another dim is ignored. */
  readonly dim: number;
  /** Whether cached vectors are L2-normalised (part of the file fingerprint). @defaultValue true */
  readonly normalized?: boolean;
  /** Extra attempts when `rename` fails with EPERM, EBUSY or EACCES (Windows virus scanners). @defaultValue 3 */
  readonly renameRetries?: number;
  /** Test seam: the file-system calls. @defaultValue `node:fs/promises` @internal */
  readonly fs?: EmbeddingCacheFs;
  /** Test seam: awaited after the temp file is created and before it is written (crash tests kill the process here). @defaultValue undefined @internal */
  readonly onTmpCreated?: (tmpPath: string) => void | Promise<void>;
}

/** Payload of `cache:rejected`. */
export interface CacheRejectedEvent {
  /** The cache file. */
  readonly path: string;
  /** Why: a whole-file miss (`header`, `version`, `embedder`, `dim`, `flags`, `io`) or dropped records (`truncated`, `trailing-bytes`, `checksum`, `non-finite`). */
  readonly reason: CacheRejectReason | 'io';
  /** Records dropped (0 for a whole-file miss, where nothing was read). */
  readonly dropped: number;
}

/** Result of {@link EmbeddingCache.load}. */
export interface CacheLoadReport {
  /** Vectors loaded. */
  readonly entries: number;
  /** Records dropped as damaged. */
  readonly dropped: number;
  /** Why the file or some records were not used; undefined for a clean (or absent) file. */
  readonly reason: CacheRejectReason | 'io' | undefined;
  /** Stray temp files of dead processes removed. */
  readonly removedTmpFiles: number;
}

/** Payload of `cache:saved`. */
export interface CacheSavedEvent {
  /** The cache file. */
  readonly path: string;
  /** Vectors written. */
  readonly entries: number;
  /** File size in bytes. */
  readonly bytes: number;
}

/** Events of {@link EmbeddingCache}. */
export interface EmbeddingCacheEvents {
  /** (Part of) the file on disk was unusable; affected vectors will be recomputed. */
  'cache:rejected': [event: CacheRejectedEvent];
  /** A save completed. */
  'cache:saved': [event: CacheSavedEvent];
}

/**
 * Persistent embedding cache: one binary file of vectors keyed by a hash of the exact text,
 * for one embedder id and dim. Loading never throws (damaged records are dropped, with a
 * `cache:rejected` event); saving is atomic (temp file, fsync, rename, fsync of the folder),
 * and concurrent saves are serialised. {@link FastProjectRouter.create} uses one when given
 * `cachePath`.
 *
 * @example
 * ```ts
 * const cache = new EmbeddingCache({ path: '.cache/emb.bin', embedderId: embedder.id, dim: embedder.dim });
 * cache.on('cache:rejected', (e) => console.warn(e.reason, e.dropped));
 * await cache.load();
 * const v = cache.get(text) ?? (await embedder.embed([text]))[0];
 * cache.set(text, v);
 * await cache.save();
 * ```
 */
export class EmbeddingCache extends EventEmitter<EmbeddingCacheEvents> {
  /** The cache file. */
  readonly path: string;
  /** Embedder id the vectors belong to. */
  readonly embedderId: string;
  /** Vector length. */
  readonly dim: number;
  readonly #flags: number;
  readonly #io: AtomicWrite;
  readonly #entries = new Map<string, Float32Array>();
  #saving: Promise<void> = Promise.resolve();

  /**
   * @param options - see {@link EmbeddingCacheOptions}
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION` for invalid options.
   */
  constructor(options: EmbeddingCacheOptions) {
    super();
    if (!isPlainObject(options as unknown)) invalidOption('options', 'a plain object', options);
    const p = optString('path', options.path, '');
    if (p === '') invalidOption('path', 'a non-empty file path', options.path);
    this.path = path.resolve(p);
    this.embedderId = optString('embedderId', options.embedderId, '');
    this.dim = optInteger('dim', options.dim, 0, 1, 65_535);
    this.#flags = optBoolean('normalized', options.normalized, true) ? FLAG_NORMALIZED : 0;
    const renameRetries = optInteger('renameRetries', options.renameRetries, 3, 0, 100);
    if (options.onTmpCreated !== undefined && typeof options.onTmpCreated !== 'function') invalidOption('onTmpCreated', 'a function', options.onTmpCreated);
    this.#io = { fs: options.fs ?? NODE_FS, cachePath: this.path, renameRetries, onTmpCreated: options.onTmpCreated };
  }

  /** Vectors held in memory. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Reads the file (an absent file is an empty cache) and removes temp files left by dead
   * processes. Never throws: unreadable, foreign or damaged content is skipped with a
   * `cache:rejected` event, and those vectors are recomputed by the caller.
   */
  async load(): Promise<CacheLoadReport> {
    const removedTmpFiles = await removeStrayTmp(this.#io.fs, this.path);
    let bytes: Uint8Array;
    try {
      bytes = await readRegular(this.#io.fs, this.path);
    } catch (e) {
      if (errCode(e) === 'ENOENT') return { entries: 0, dropped: 0, reason: undefined, removedTmpFiles };
      this.#reject('io', 0);
      return { entries: 0, dropped: 0, reason: 'io', removedTmpFiles };
    }
    const decoded = decodeCache(bytes, this.embedderId, this.dim, this.#flags);
    for (const [k, v] of decoded.entries) this.#entries.set(k, v);
    if (decoded.reason !== undefined) this.#reject(decoded.reason, decoded.dropped);
    return { entries: decoded.entries.size, dropped: decoded.dropped, reason: decoded.reason, removedTmpFiles };
  }

  /** The cached vector of exactly `text`, if any (shared: do not modify). */
  get(text: string): Float32Array | undefined {
    return this.#entries.get(cacheKey(text));
  }

  /** Stores the vector of `text` (copied). Vectors of the wrong length or with non-finite values are ignored. */
  set(text: string, vector: Float32Array): void {
    if (!(vector instanceof Float32Array) || vector.length !== this.dim) return;
    for (let i = 0; i < vector.length; i++) if (!Number.isFinite(vector[i]!)) return;
    this.#entries.set(cacheKey(text), Float32Array.from(vector));
  }

  /** Drops every vector whose text is not in `texts` (e.g. projects since removed or edited). */
  retain(texts: Iterable<string>): void {
    const keep = new Set<string>();
    for (const t of texts) keep.add(cacheKey(t));
    for (const k of this.#entries.keys()) if (!keep.has(k)) this.#entries.delete(k);
  }

  /**
   * Writes the cache atomically: a uniquely named temp file beside it, fsync, rename over the
   * old file, fsync of the folder. Saves are serialised (each writes the state at its turn).
   * On failure the old file is untouched and the temp file removed.
   * @throws {@link SwitchyardError} `ERR_CACHE_IO` (the fs error is the `cause`).
   */
  save(): Promise<void> {
    return this.#serialise(async () => {
      const data = encodeCache(this.embedderId, this.dim, this.#flags, this.#entries);
      await writeAtomic(this.#io, this.path, data, 'embedding cache');
      if (this.listenerCount('cache:saved') > 0) this.emit('cache:saved', { path: this.path, entries: this.#entries.size, bytes: data.length });
    });
  }

  /**
   * Writes `data` to the sibling file `<path>.<suffix>` with the same atomic, serialised
   * write as {@link EmbeddingCache.save} (e.g. the router's learned rows, suffix `'fit'`).
   * @param suffix - file-name suffix: letters, digits and `-` only
   * @param data - file content
   * @throws {@link SwitchyardError} `ERR_CACHE_IO`; `ERR_INVALID_OPTION` for a bad suffix.
   */
  saveAttachment(suffix: string, data: Uint8Array): Promise<void> {
    const file = this.#attachmentPath(suffix);
    return this.#serialise(() => writeAtomic(this.#io, file, data, 'cache attachment'));
  }

  /**
   * Reads the sibling file `<path>.<suffix>`; undefined when absent or unreadable (never throws
   * for I/O: the caller recomputes).
   * @param suffix - file-name suffix: letters, digits and `-` only
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION` for a bad suffix.
   */
  async loadAttachment(suffix: string): Promise<Uint8Array | undefined> {
    const file = this.#attachmentPath(suffix);
    try {
      return await readRegular(this.#io.fs, file);
    } catch {
      return undefined;
    }
  }

  #attachmentPath(suffix: string): string {
    if (typeof suffix !== 'string' || !/^[A-Za-z0-9-]{1,32}$/.test(suffix)) invalidOption('suffix', 'letters, digits and - (1 to 32)', suffix);
    return `${this.path}.${suffix}`;
  }

  #serialise(job: () => Promise<void>): Promise<void> {
    const run = this.#saving.then(job);
    this.#saving = run.catch(() => undefined);
    return run;
  }

  #reject(reason: CacheRejectReason | 'io', dropped: number): void {
    if (this.listenerCount('cache:rejected') > 0) this.emit('cache:rejected', { path: this.path, reason, dropped });
  }
}

/** Embedding-cache counters in {@link RouterStats.embeddingCache}. */
export interface EmbeddingCacheStats {
  /** The cache file. */
  readonly path: string;
  /** Vectors read from the file at `create()`. */
  readonly loaded: number;
  /** Damaged records dropped at load. */
  readonly dropped: number;
  /** Why (part of) the file was not used at load, if it was not. */
  readonly loadReason: CacheRejectReason | 'io' | undefined;
  /** Project texts whose vector came from the cache (not embedded). */
  readonly reused: number;
  /** Project texts embedded because the cache had no vector for them. */
  readonly computed: number;
  /** Message of the last failed save (`ERR_CACHE_IO`), if the last save failed. */
  readonly lastSaveError: string | undefined;
}
