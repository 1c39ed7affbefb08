import { EventEmitter } from 'eventemitter3';
import { constants as fsConstants } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { SwitchyardError, invalidOption } from '../errors.js';
import { isPlainObject, optBoolean, optInteger, optString } from '../internal/validate.js';
import { FLAG_NORMALIZED, cacheKey, decodeCache, encodeCache, type CacheRejectReason } from './cache-format.js';

export type { CacheRejectReason } from './cache-format.js';

/** An open file or directory, as far as {@link EmbeddingCache} uses it. */
export interface EmbeddingCacheFileHandle {
  /** Writes the whole buffer. */
  writeFile(data: Uint8Array): Promise<void>;
  /** fsync. */
  sync(): Promise<void>;
  /** Closes the handle. */
  close(): Promise<void>;
}

/** What {@link EmbeddingCacheFs.stat} reports (a subset of `fs.Stats`). */
export interface EmbeddingCacheFileStat {
  /** Whether the path is a regular file (not a FIFO, socket, device or folder). */
  isFile(): boolean;
  /** Size in bytes. */
  readonly size: number;
}

/**
 * The file-system calls {@link EmbeddingCache} makes (a subset of `node:fs/promises`).
 * Replace it to inject faults or record the call order in tests.
 */
export interface EmbeddingCacheFs {
  /** `fs.promises.readFile`. */
  readFile(file: string): Promise<Uint8Array>;
  /** `fs.promises.stat`; when present, a path that is not a regular file is never read. */
  stat?(file: string): Promise<EmbeddingCacheFileStat>;
  /** `fs.promises.open` (flags `'wx'` for the temp file, `'r'` for the directory). */
  open(file: string, flags: string): Promise<EmbeddingCacheFileHandle>;
  /** `fs.promises.rename`. */
  rename(from: string, to: string): Promise<void>;
  /** `fs.promises.unlink`. */
  unlink(file: string): Promise<void>;
  /** `fs.promises.readdir`. */
  readdir(dir: string): Promise<string[]>;
  /** `fs.promises.mkdir`. */
  mkdir(dir: string, options: { recursive: true }): Promise<unknown>;
}

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

const RETRYABLE_RENAME = new Set(['EPERM', 'EBUSY', 'EACCES']);
let tmpCounter = 0;

function errCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Largest cache (or attachment) file read; a bigger one is treated as unreadable and recomputed. @internal */
export const MAX_CACHE_FILE_BYTES = 1 << 30;

/** Throws an `ENOTREG` / `EFBIG` coded error unless `st` describes a regular file of a readable size. */
function checkRegular(st: { isFile(): boolean; size: number }, file: string): void {
  if (!st.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'ENOTREG' });
  if (st.size > MAX_CACHE_FILE_BYTES) throw Object.assign(new Error(`${file} is larger than ${MAX_CACHE_FILE_BYTES} bytes`), { code: 'EFBIG' });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errCode(e) === 'EPERM';
  }
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
  readonly #retries: number;
  readonly #fs: EmbeddingCacheFs;
  readonly #onTmp: ((tmpPath: string) => void | Promise<void>) | undefined;
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
    this.#retries = optInteger('renameRetries', options.renameRetries, 3, 0, 100);
    this.#fs = options.fs ?? (nodeFs as unknown as EmbeddingCacheFs);
    if (options.onTmpCreated !== undefined && typeof options.onTmpCreated !== 'function') invalidOption('onTmpCreated', 'a function', options.onTmpCreated);
    this.#onTmp = options.onTmpCreated;
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
    const removedTmpFiles = await this.#removeStrayTmp();
    let bytes: Uint8Array;
    try {
      bytes = await this.#readRegular(this.path);
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
      await this.#writeAtomic(this.path, data, 'embedding cache');
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
    return this.#serialise(() => this.#writeAtomic(file, data, 'cache attachment'));
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
      return await this.#readRegular(file);
    } catch {
      return undefined;
    }
  }

  /**
   * Reads `file` only if it is a regular file of at most {@link MAX_CACHE_FILE_BYTES}: a FIFO,
   * socket or device at the cache path would block `readFile` forever (or never end). With
   * the real file system the check and the read use one descriptor opened with `O_NONBLOCK`
   * (opening a FIFO that way never waits for a writer), so the file cannot be swapped between
   * them. An injected `fs` is checked with its `stat` when it has one.
   */
  async #readRegular(file: string): Promise<Uint8Array> {
    const fs = this.#fs;
    if (fs !== (nodeFs as unknown as EmbeddingCacheFs)) {
      if (fs.stat) checkRegular(await fs.stat(file), file);
      return fs.readFile(file);
    }
    const fh = await nodeFs.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    try {
      checkRegular(await fh.stat(), file);
      return await fh.readFile();
    } finally {
      await fh.close().catch(() => undefined);
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

  async #writeAtomic(target: string, data: Uint8Array, what: string): Promise<void> {
    const fs = this.#fs;
    const dir = path.dirname(target);
    const tmp = `${this.path}.${process.pid}.${threadId}.${tmpCounter++}.tmp`;
    let stage = 'mkdir';
    let created = false;
    try {
      await fs.mkdir(dir, { recursive: true });
      stage = 'open';
      const fh = await fs.open(tmp, 'wx');
      created = true;
      try {
        await this.#onTmp?.(tmp);
        stage = 'write';
        await fh.writeFile(data);
        stage = 'fsync';
        await fh.sync();
      } finally {
        await fh.close();
      }
      stage = 'rename';
      // never replace a FIFO, device or folder someone put at the path (e.g. /dev/null as root)
      const existing = await this.#statTarget(target);
      if (existing !== undefined && !existing.isFile()) throw Object.assign(new Error('the path exists and is not a regular file'), { code: 'ENOTREG' });
      for (let attempt = 0; ; attempt++) {
        try {
          await fs.rename(tmp, target);
          break;
        } catch (e) {
          if (attempt >= this.#retries || !RETRYABLE_RENAME.has(errCode(e) ?? '')) throw e;
          await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
        }
      }
      created = false;
    } catch (e) {
      if (created) await fs.unlink(tmp).catch(() => undefined); // keep the original error
      throw new SwitchyardError('ERR_CACHE_IO', `Cannot save ${what} '${target}' (${stage}): ${(e as Error)?.message ?? String(e)}`, {
        cause: e, details: { path: target, stage, code: errCode(e) },
      });
    }
    if (process.platform !== 'win32') {
      // Make the rename durable. Failure here leaves a complete file (old or new): not an error.
      const dh = await fs.open(dir, 'r').catch(() => undefined);
      if (dh) await dh.sync().catch(() => undefined).finally(() => dh.close().catch(() => undefined));
    }
  }

  async #statTarget(target: string): Promise<{ isFile(): boolean } | undefined> {
    const fs = this.#fs;
    const stat = fs === (nodeFs as unknown as EmbeddingCacheFs) ? nodeFs.stat : fs.stat?.bind(fs);
    if (!stat) return undefined;
    try {
      return await stat(target);
    } catch {
      return undefined; // absent (or unreadable: the rename reports it)
    }
  }

  async #removeStrayTmp(): Promise<number> {
    const dir = path.dirname(this.path);
    const base = path.basename(this.path);
    let names: string[];
    try {
      names = await this.#fs.readdir(dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      if (!name.startsWith(base + '.') || !name.endsWith('.tmp')) continue;
      const pid = Number(name.slice(base.length + 1).split('.')[0]);
      // skip our own in-flight saves and those of live processes
      if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || pidAlive(pid)) continue;
      try {
        await this.#fs.unlink(path.join(dir, name));
        removed++;
      } catch { /* gone already */ }
    }
    return removed;
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
