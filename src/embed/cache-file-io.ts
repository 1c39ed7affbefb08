// The embedding cache's file I/O: safe reads (regular files of a bounded size only), atomic
// writes (temp file, fsync, rename, fsync of the folder) and clean-up of dead processes' temp
// files. Separate from embedding-cache.ts, which owns the vectors and the cache's API.
import { constants as fsConstants } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { SwitchyardError } from '../errors.js';

/**
 * An open file or directory, as far as {@link EmbeddingCache} uses it.
 * @internal
 */
export interface EmbeddingCacheFileHandle {
  /** Writes the whole buffer. */
  writeFile(data: Uint8Array): Promise<void>;
  /** fsync. */
  sync(): Promise<void>;
  /** Closes the handle. */
  close(): Promise<void>;
}

/**
 * What {@link EmbeddingCacheFs.stat} reports (a subset of `fs.Stats`).
 * @internal
 */
export interface EmbeddingCacheFileStat {
  /** Whether the path is a regular file (not a FIFO, socket, device or folder). */
  isFile(): boolean;
  /** Size in bytes. */
  readonly size: number;
}

/**
 * The file-system calls {@link EmbeddingCache} makes (a subset of `node:fs/promises`).
 * A test seam: tests replace it to inject faults or record the call order.
 * @internal
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

/** The real file system. @internal */
export const NODE_FS: EmbeddingCacheFs = nodeFs as unknown as EmbeddingCacheFs;

/** Largest cache (or attachment) file read; a bigger one is treated as unreadable and recomputed. @internal */
export const MAX_CACHE_FILE_BYTES = 1 << 30;

const RETRYABLE_RENAME = new Set(['EPERM', 'EBUSY', 'EACCES']);
let tmpCounter = 0;

/** The `code` of a Node.js error, if it has one. @internal */
export function errCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

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
 * Reads `file` only if it is a regular file of at most {@link MAX_CACHE_FILE_BYTES}: a FIFO,
 * socket or device at the cache path would block `readFile` forever (or never end). With
 * the real file system the check and the read use one descriptor opened with `O_NONBLOCK`
 * (opening a FIFO that way never waits for a writer), so the file cannot be swapped between
 * them. An injected `fs` is checked with its `stat` when it has one.
 * @internal
 */
export async function readRegular(fs: EmbeddingCacheFs, file: string): Promise<Uint8Array> {
  if (fs !== NODE_FS) {
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

/** How {@link writeAtomic} names and writes its temp file. @internal */
export interface AtomicWrite {
  /** The file system. */
  readonly fs: EmbeddingCacheFs;
  /** The cache file: temp files are named after it (so {@link removeStrayTmp} finds them). */
  readonly cachePath: string;
  /** Extra attempts when `rename` fails with EPERM, EBUSY or EACCES. */
  readonly renameRetries: number;
  /** Awaited after the temp file is created and before it is written (crash tests). */
  readonly onTmpCreated: ((tmpPath: string) => void | Promise<void>) | undefined;
}

/**
 * Writes `data` to `target` atomically: a uniquely named temp file, fsync, rename over the old
 * file, fsync of the folder. On failure the old file is untouched and the temp file removed.
 * @throws {@link SwitchyardError} `ERR_CACHE_IO` naming `what`, the stage and the fs error (as `cause`).
 * @internal
 */
export async function writeAtomic(w: AtomicWrite, target: string, data: Uint8Array, what: string): Promise<void> {
  const fs = w.fs;
  const dir = path.dirname(target);
  const tmp = `${w.cachePath}.${process.pid}.${threadId}.${tmpCounter++}.tmp`;
  let stage = 'mkdir';
  let created = false;
  try {
    await fs.mkdir(dir, { recursive: true });
    stage = 'open';
    const fh = await fs.open(tmp, 'wx');
    created = true;
    try {
      await w.onTmpCreated?.(tmp);
      stage = 'write';
      await fh.writeFile(data);
      stage = 'fsync';
      await fh.sync();
    } finally {
      await fh.close();
    }
    stage = 'rename';
    // never replace a FIFO, device or folder someone put at the path (e.g. /dev/null as root)
    const existing = await statTarget(fs, target);
    if (existing !== undefined && !existing.isFile()) throw Object.assign(new Error('the path exists and is not a regular file'), { code: 'ENOTREG' });
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.rename(tmp, target);
        break;
      } catch (e) {
        if (attempt >= w.renameRetries || !RETRYABLE_RENAME.has(errCode(e) ?? '')) throw e;
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

async function statTarget(fs: EmbeddingCacheFs, target: string): Promise<{ isFile(): boolean } | undefined> {
  const stat = fs === NODE_FS ? nodeFs.stat : fs.stat?.bind(fs);
  if (!stat) return undefined;
  try {
    return await stat(target);
  } catch {
    return undefined; // absent (or unreadable: the rename reports it)
  }
}

/**
 * Removes the temp files of `cachePath` left by dead processes; returns how many.
 * @internal
 */
export async function removeStrayTmp(fs: EmbeddingCacheFs, cachePath: string): Promise<number> {
  const dir = path.dirname(cachePath);
  const base = path.basename(cachePath);
  let names: string[];
  try {
    names = await fs.readdir(dir);
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
      await fs.unlink(path.join(dir, name));
      removed++;
    } catch { /* gone already */ }
  }
  return removed;
}
