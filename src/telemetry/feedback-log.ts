// FeedbackLog: preference records appended to a JSONL file in batches, off the routing path.
import { emitRenamed } from '../internal/renamed-event.js';
import { open, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { EventEmitter } from 'eventemitter3';
import { optInteger } from '../internal/validate.js';
import { optRenamed } from '../internal/renamed-options.js';
import { SwitchyardError, describeValue, invalidOption } from '../errors.js';
import { checkFeedback, type FeedbackRecord } from './feedback-record.js';

/** Options of {@link FeedbackLog.open}. */
export interface FeedbackLogOptions {
  /**
   * Records accepted but not yet written. When full, {@link FeedbackLog.record} drops the
   * record and returns `false` (counted in `stats().dropped`): the log never blocks or grows
   * without bound when the disk is slower than the traffic.
   * @defaultValue 10000
   */
  readonly maxQueue?: number;
  /** Records per append (a batch is also cut at {@link FEEDBACK_BATCH_BYTES}). @defaultValue 1000 */
  readonly maxBatch?: number;
  /** Largest serialized record, bytes; larger ones throw `ERR_RECORD_TOO_LARGE`. @defaultValue 1048576 */
  readonly maxRecordBytes?: number;
  /** Wall clock for the `ts` field, ms since the Unix epoch (see docs/telemetry.md, "Clocks"). @defaultValue `Date.now` */
  readonly wallClock?: () => number;
  /** @deprecated Use {@link FeedbackLogOptions.wallClock} (an option named `now` is a monotonic clock). Removed in 0.3.0. */
  readonly now?: () => number;
}

/** Counters of {@link FeedbackLog.stats}. */
export interface FeedbackLogStats {
  /** Records accepted by `record()`. */
  readonly recorded: number;
  /** Records appended to the file. */
  readonly written: number;
  /** Records refused because the queue was full or the log had failed. */
  readonly dropped: number;
  /** Accepted records whose append failed. */
  readonly lost: number;
  /** Records accepted and not yet written (including the batch being written). */
  readonly queued: number;
  /** Bytes appended by this instance. */
  readonly bytes: number;
}

/** Events of {@link FeedbackLog}. */
export interface FeedbackLogEvents {
  /** A batch could not be appended; the log stops accepting records and `flush()`/`close()` reject. */
  'batch:failed': [error: SwitchyardError];
  /** @deprecated Use `batch:failed`; this old name fires right after it, with the same payload. Removed in 0.3.0. */
  'write:failed': [error: SwitchyardError];
  /** A batch reached the file (emitted only when someone listens). */
  'batch:written': [batch: FeedbackBatchWritten];
}

/** Payload of `batch:written`. */
export interface FeedbackBatchWritten {
  /** Records in this batch. */
  readonly records: number;
  /** Bytes appended. */
  readonly bytes: number;
}

/** Largest batch written at once, bytes (a single larger record is written alone). */
export const FEEDBACK_BATCH_BYTES = 1_048_576;

/** A lock older than this is taken over (its holder hangs or its clock is off). */
const LOCK_STALE_MS = 30_000;

/** Whether the lock file's holder is gone (a dead pid) or has held it too long (by its mtime). */
async function lockIsStale(lockPath: string): Promise<boolean> {
  let text: string;
  let ageMs: number;
  try {
    ageMs = Date.now() - (await stat(lockPath)).mtimeMs;
    text = await readFile(lockPath, 'utf8');
  } catch {
    return false; // gone already (the next attempt creates it) or unreadable (wait)
  }
  if (ageMs > LOCK_STALE_MS) return true;
  const pid = Number(text.split(' ')[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false; // being written, or ours
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as { code?: unknown }).code !== 'EPERM';
  }
}

/**
 * An append-only JSONL log of preference records (`{prompt, chosen, rejected, meta, ts}`)
 * for the DPO flywheel: {@link exportDpoDataset} turns it into a training file.
 *
 * `record()` validates and serializes synchronously, then returns; appends happen later in
 * batches, so recording never waits for the disk. Each batch (at most
 * {@link FEEDBACK_BATCH_BYTES}, or one larger record) is one `write()` on an `O_APPEND`
 * descriptor, made while holding an advisory lock file `<path>.lock`: several logs on one file,
 * in one process or in several (a Node cluster), interleave whole batches and never tear a
 * line, even when the kernel writes short and the rest needs a second `write()`. A lock left by
 * a dead process (or held longer than 30 s) is taken over.
 * `close()` writes everything accepted before it, so a clean shutdown loses nothing. A crash
 * can lose the records not yet appended and leave a partial last line, which
 * {@link exportDpoDataset} counts as invalid.
 *
 * @example
 * ```ts
 * const log = await FeedbackLog.open('feedback.jsonl');
 * log.record({ prompt: 'fix my test', chosen: 'dev/code-helper', rejected: 'farm/llama-care', meta: { user: 'u1' } });
 * await log.close();
 * ```
 */
export class FeedbackLog extends EventEmitter<FeedbackLogEvents> {
  readonly #fh: FileHandle;
  readonly #path: string;
  /** Lock file of a regular log file; undefined for devices and FIFOs (nothing to share). */
  readonly #lockPath: string | undefined;
  readonly #maxQueue: number;
  readonly #maxBatch: number;
  readonly #maxRecordBytes: number;
  readonly #wallClock: () => number;
  #pending: string[] = [];
  #inflight = 0;
  #writing: Promise<void> | null = null;
  #scheduled = false;
  #closing: Promise<void> | null = null;
  #failure: SwitchyardError | null = null;
  #recorded = 0;
  #written = 0;
  #dropped = 0;
  #lost = 0;
  #bytes = 0;

  private constructor(fh: FileHandle, path: string, lockPath: string | undefined, maxQueue: number, maxBatch: number, maxRecordBytes: number, wallClock: () => number) {
    super();
    this.#fh = fh;
    this.#path = path;
    this.#lockPath = lockPath;
    this.#maxQueue = maxQueue;
    this.#maxBatch = maxBatch;
    this.#maxRecordBytes = maxRecordBytes;
    this.#wallClock = wallClock;
  }

  /**
   * Opens (creates or appends to) the log file.
   * @param path - JSONL file path
   * @param options - see {@link FeedbackLogOptions}
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION`, `ERR_FEEDBACK_IO` when the file cannot be opened.
   */
  static async open(path: string, options: FeedbackLogOptions = {}): Promise<FeedbackLog> {
    if (typeof path !== 'string' || path === '') invalidOption('path', 'a non-empty string', path);
    if (typeof options !== 'object' || options === null) invalidOption('options', 'an object', options);
    const maxQueue = optInteger('maxQueue', options.maxQueue, 10_000, 1, 10_000_000);
    const maxBatch = optInteger('maxBatch', options.maxBatch, 1000, 1, 1_000_000);
    const maxRecordBytes = optInteger('maxRecordBytes', options.maxRecordBytes, 1 << 20, 16, 1 << 30);
    const wallClock = optRenamed(options as Record<string, unknown>, 'wallClock', 'now') ?? Date.now;
    if (typeof wallClock !== 'function') invalidOption('wallClock', 'a function', wallClock);
    let fh: FileHandle;
    let regular: boolean;
    try {
      fh = await open(path, 'a');
      regular = (await fh.stat()).isFile();
    } catch (cause) {
      throw new SwitchyardError('ERR_FEEDBACK_IO', `Cannot open feedback log ${describeValue(path)}: ${(cause as Error).message}`, { cause, details: { path } });
    }
    return new FeedbackLog(fh, path, regular ? `${path}.lock` : undefined, maxQueue, maxBatch, maxRecordBytes, wallClock as () => number);
  }

  /** Path of the log file. */
  get path(): string {
    return this.#path;
  }

  /**
   * Queues one record. Never waits for the disk.
   * @param record - the preference pair
   * @returns `true` when queued; `false` when dropped because the queue is full or an earlier append failed
   * @throws {@link SwitchyardError} `ERR_INVALID_FEEDBACK` (not a valid pair, or `meta` not JSON-serializable),
   *   `ERR_RECORD_TOO_LARGE` (over `maxRecordBytes`), `ERR_CLOSED` (after `close()`).
   */
  record(record: FeedbackRecord): boolean {
    if (this.#closing) throw new SwitchyardError('ERR_CLOSED', 'FeedbackLog#record() called after close()');
    const checked = checkFeedback(record);
    if (!checked.ok) throw new SwitchyardError('ERR_INVALID_FEEDBACK', `Invalid feedback record: ${checked.reason}`, { details: { reason: checked.reason } });
    let line: string;
    try {
      line = JSON.stringify({ ...checked.record, ts: this.#wallClock() }) + '\n';
    } catch (cause) {
      throw new SwitchyardError('ERR_INVALID_FEEDBACK', `Invalid feedback record: not JSON-serializable (${(cause as Error).message})`, { cause });
    }
    if (line.length > this.#maxRecordBytes || Buffer.byteLength(line) > this.#maxRecordBytes) {
      throw new SwitchyardError('ERR_RECORD_TOO_LARGE', `Feedback record is larger than maxRecordBytes (${this.#maxRecordBytes})`, { details: { maxRecordBytes: this.#maxRecordBytes } });
    }
    if (this.#failure !== null || this.#pending.length + this.#inflight >= this.#maxQueue) {
      this.#dropped++;
      return false;
    }
    this.#recorded++;
    this.#pending.push(line);
    if (!this.#scheduled && this.#writing === null) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#drain();
      });
    }
    return true;
  }

  /**
   * Resolves when every record accepted before the call has been appended.
   * @throws {@link SwitchyardError} `ERR_FEEDBACK_IO` when an append failed.
   */
  async flush(): Promise<void> {
    while (this.#writing !== null || this.#pending.length > 0) {
      if (this.#writing === null) this.#drain();
      await this.#writing;
    }
    if (this.#failure) throw this.#failure;
  }

  /**
   * Appends everything queued, then closes the file. Idempotent; `record()` throws `ERR_CLOSED` afterwards.
   * @throws {@link SwitchyardError} `ERR_FEEDBACK_IO` when an append or the close failed.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.flush();
      } finally {
        await this.#fh.close().catch(() => undefined);
        this.removeAllListeners();
      }
    })();
    return this.#closing;
  }

  /** Counters since open. */
  stats(): FeedbackLogStats {
    return {
      recorded: this.#recorded, written: this.#written, dropped: this.#dropped, lost: this.#lost,
      queued: this.#pending.length + this.#inflight, bytes: this.#bytes,
    };
  }

  /** Records in the next batch: at most maxBatch, and at most FEEDBACK_BATCH_BYTES (but at least one). */
  #batchSize(): number {
    const pending = this.#pending;
    const max = Math.min(pending.length, this.#maxBatch);
    let bytes = 0;
    for (let i = 0; i < max; i++) {
      bytes += pending[i]!.length; // UTF-16 length: a lower bound of the UTF-8 bytes, good enough to cut batches
      if (bytes > FEEDBACK_BATCH_BYTES) return Math.max(1, i);
    }
    return max;
  }

  /** One write() for the batch; further writes only for the rest of a short write (the lock keeps the batch whole). */
  async #writeAll(data: Buffer): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await this.#fh.write(data, off, data.length - off);
      if (bytesWritten <= 0) throw new Error('write() wrote nothing');
      off += bytesWritten;
    }
  }

  /** Runs `job` while holding the advisory lock file (created with O_EXCL), if the log has one. */
  async #locked(job: () => Promise<void>): Promise<void> {
    const lockPath = this.#lockPath;
    if (lockPath === undefined) return job();
    for (let attempt = 0; ; attempt++) {
      try {
        const lh = await open(lockPath, 'wx');
        await lh.writeFile(`${process.pid} ${Date.now()}`).finally(() => lh.close());
        break;
      } catch (e) {
        if ((e as { code?: unknown }).code !== 'EEXIST') throw e;
        if (await lockIsStale(lockPath)) {
          await unlink(lockPath).catch(() => undefined);
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(20, 1 + attempt)));
      }
    }
    try {
      await job();
    } finally {
      await unlink(lockPath).catch(() => undefined);
    }
  }

  /** Starts the write loop unless it runs. */
  #drain(): void {
    if (this.#writing !== null || this.#pending.length === 0 || this.#failure !== null) return;
    this.#writing = this.#loop().finally(() => {
      this.#writing = null;
      this.#drain(); // records that arrived while the last append was settling
    });
  }

  async #loop(): Promise<void> {
    while (this.#pending.length > 0 && this.#failure === null) {
      const n = this.#batchSize();
      const batch = n === this.#pending.length ? this.#pending : this.#pending.slice(0, n);
      this.#pending = batch === this.#pending ? [] : this.#pending.slice(n);
      this.#inflight = batch.length;
      const data = Buffer.from(batch.join(''));
      try {
        await this.#locked(() => this.#writeAll(data));
        this.#written += batch.length;
        this.#bytes += data.length;
        if (this.listenerCount('batch:written') > 0) this.emit('batch:written', { records: batch.length, bytes: data.length });
      } catch (cause) {
        this.#lost += batch.length + this.#pending.length;
        this.#pending = [];
        this.#failure = new SwitchyardError('ERR_FEEDBACK_IO', `Cannot append to feedback log ${describeValue(this.#path)}: ${(cause as Error).message}`, {
          cause, details: { path: this.#path },
        });
        emitRenamed(this, 'batch:failed', 'write:failed', this.#failure);
      } finally {
        this.#inflight = 0;
      }
    }
  }
}
