// exportDpoDataset: feedback JSONL -> DPO training JSONL, streaming with bounded memory.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { hash } from 'node:crypto';
import { optBoolean, optInteger } from '../internal/validate.js';
import { SwitchyardError, describeValue, invalidOption } from '../errors.js';
import { checkFeedback, type FeedbackRecord } from './feedback-record.js';
import { HashSet64 } from './hash-set-64.js';

/** Options of {@link exportDpoDataset}. */
export interface DpoExportOptions {
  /**
   * Drop records whose `(prompt, chosen, rejected)` was already written. Keys are 64-bit
   * hashes (SHA-1 prefix) in a compact table of about 16 bytes per unique record, so 10
   * million unique records need about 160 MB; the chance of any false duplicate among 10
   * million records is about 3·10⁻⁶. Set `false` for constant memory.
   * @defaultValue true
   */
  readonly dedupe?: boolean;
  /** Longer lines are skipped (counted invalid) without being buffered whole, bytes. @defaultValue 1048576 */
  readonly maxLineBytes?: number;
  /** Copy each record's `meta` into the training file. @defaultValue false */
  readonly includeMeta?: boolean;
  /** Keep only records for which this returns true (counted in `filtered` otherwise). */
  readonly filter?: (record: FeedbackRecord) => boolean;
  /** Aborts the export (rejects with `ERR_ABORTED`; the output file is not created). */
  readonly signal?: AbortSignal;
}

/** A skipped input line. */
export interface InvalidLine {
  /** 1-based line number. */
  readonly line: number;
  /** Why it was skipped. */
  readonly reason: string;
}

/** Result of {@link exportDpoDataset}. */
export interface DpoExportReport {
  /** Non-blank input lines. */
  readonly lines: number;
  /** Records written to the training file. */
  readonly written: number;
  /** Lines dropped as malformed JSON, invalid records or over `maxLineBytes`. */
  readonly invalid: number;
  /** Records dropped as duplicates. */
  readonly duplicates: number;
  /** Records dropped by `filter`. */
  readonly filtered: number;
  /** The first 10 invalid lines with reasons. */
  readonly invalidSamples: readonly InvalidLine[];
}

const SAMPLES = 10;

/** Resolves on `event` or `'error'`, whichever comes first, and removes both listeners. */
function settle(stream: WriteStream, event: 'drain' | 'finish'): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off(event, done);
      stream.off('error', done);
      resolve();
    };
    stream.on(event, done);
    stream.on('error', done);
  });
}
const OUT_CHUNK = 1 << 16;

/**
 * Turns a {@link FeedbackLog} file into a DPO training file: one `{"prompt", "chosen",
 * "rejected"}` object per line (the shape TRL's `DPOTrainer` and most DPO tooling read).
 * Validates each line, drops invalid ones and duplicates with counts, and streams both files:
 * memory stays bounded by `maxLineBytes`, the write buffer and (with `dedupe`) 16 bytes per
 * unique record, whatever the input size. The output is written to a temporary file and
 * renamed into place, so a failed or aborted export never leaves a partial training file.
 *
 * @param inputJsonl - feedback log path
 * @param outputJsonl - training file path (replaced)
 * @param options - see {@link DpoExportOptions}
 * @returns counts of what was kept and dropped
 * @throws {@link SwitchyardError} `ERR_FEEDBACK_IO` (read or write failed), `ERR_ABORTED`, `ERR_INVALID_OPTION`.
 *
 * @example
 * ```ts
 * const report = await exportDpoDataset('feedback.jsonl', 'dpo-train.jsonl');
 * console.log(`${report.written} pairs, ${report.invalid} invalid, ${report.duplicates} duplicates`);
 * ```
 */
export async function exportDpoDataset(inputJsonl: string, outputJsonl: string, options: DpoExportOptions = {}): Promise<DpoExportReport> {
  if (typeof inputJsonl !== 'string' || inputJsonl === '') invalidOption('inputJsonl', 'a non-empty string', inputJsonl);
  if (typeof outputJsonl !== 'string' || outputJsonl === '') invalidOption('outputJsonl', 'a non-empty string', outputJsonl);
  if (typeof options !== 'object' || options === null) invalidOption('options', 'an object', options);
  const dedupe = optBoolean('dedupe', options.dedupe, true);
  const includeMeta = optBoolean('includeMeta', options.includeMeta, false);
  const maxLineBytes = optInteger('maxLineBytes', options.maxLineBytes, 1 << 20, 16, 1 << 30);
  const filter = options.filter;
  if (filter !== undefined && typeof filter !== 'function') invalidOption('filter', 'a function', filter);
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) invalidOption('signal', 'an AbortSignal', signal);

  const seen = dedupe ? new HashSet64() : null;
  const samples: InvalidLine[] = [];
  let lineNo = 0;
  let lines = 0;
  let written = 0;
  let invalid = 0;
  let duplicates = 0;
  let filtered = 0;
  let outBuf = '';

  const tmp = `${outputJsonl}.${process.pid}.${Date.now().toString(36)}.tmp`;
  const out = createWriteStream(tmp, { flags: 'wx' });
  let outError: unknown;
  out.on('error', (e) => (outError ??= e));
  const ioError = (what: string, path: string, cause: unknown): SwitchyardError =>
    new SwitchyardError('ERR_FEEDBACK_IO', `Cannot ${what} ${describeValue(path)}: ${(cause as Error).message}`, { cause, details: { path } });

  const bad = (reason: string): void => {
    invalid++;
    if (samples.length < SAMPLES) samples.push({ line: lineNo, reason });
  };
  const writeOut = async (force: boolean): Promise<void> => {
    if (outBuf.length === 0 || (!force && outBuf.length < OUT_CHUNK)) return;
    const ok = out.write(outBuf);
    outBuf = '';
    if (!ok && outError === undefined) await settle(out, 'drain');
    if (outError !== undefined) throw ioError('write', tmp, outError);
  };
  const handle = (text: string): void => {
    const trimmed = text.trim();
    if (trimmed === '') return;
    lines++;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      bad('malformed JSON');
      return;
    }
    const checked = checkFeedback(value);
    if (!checked.ok) {
      bad(checked.reason);
      return;
    }
    const r = checked.record;
    if (filter !== undefined && filter(r) !== true) {
      filtered++;
      return;
    }
    const body = JSON.stringify([r.prompt, r.chosen, r.rejected]);
    if (seen) {
      const h = hash('sha1', body, 'buffer');
      if (!seen.add(h.readUInt32LE(0), h.readUInt32LE(4))) {
        duplicates++;
        return;
      }
    }
    written++;
    outBuf += JSON.stringify(includeMeta && r.meta !== undefined
      ? { prompt: r.prompt, chosen: r.chosen, rejected: r.rejected, meta: r.meta }
      : { prompt: r.prompt, chosen: r.chosen, rejected: r.rejected }) + '\n';
  };

  try {
    // Own line splitter instead of readline: readline buffers a line of any length, this one
    // stops buffering at maxLineBytes.
    const input = createReadStream(inputJsonl, { highWaterMark: 1 << 16, ...(signal ? { signal } : {}) });
    let carry: Buffer[] = [];
    let carryLen = 0;
    let skipping = false;
    try {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        let start = 0;
        for (;;) {
          const nl = chunk.indexOf(10, start);
          if (nl < 0) {
            const rest = chunk.length - start;
            if (!skipping && carryLen + rest > maxLineBytes) {
              skipping = true;
              carry = [];
              carryLen = 0;
            } else if (!skipping && rest > 0) {
              carry.push(Buffer.from(chunk.subarray(start)));
              carryLen += rest;
            }
            break;
          }
          lineNo++;
          if (skipping || carryLen + (nl - start) > maxLineBytes) {
            skipping = false;
            lines++;
            bad(`line longer than maxLineBytes (${maxLineBytes})`);
          } else {
            const piece = chunk.subarray(start, nl);
            handle((carryLen > 0 ? Buffer.concat([...carry, piece]) : piece).toString('utf8'));
          }
          carry = [];
          carryLen = 0;
          start = nl + 1;
        }
        await writeOut(false);
      }
    } catch (cause) {
      if (signal?.aborted) throw new SwitchyardError('ERR_ABORTED', 'exportDpoDataset() was aborted', { cause });
      if (cause instanceof SwitchyardError) throw cause;
      throw ioError('read', inputJsonl, cause);
    }
    if (skipping || carryLen > 0) {
      lineNo++;
      if (skipping) {
        lines++;
        bad(`line longer than maxLineBytes (${maxLineBytes})`);
      } else {
        handle(Buffer.concat(carry).toString('utf8'));
      }
    }
    await writeOut(true);
    out.end();
    if (outError === undefined) await settle(out, 'finish');
    if (outError !== undefined) throw ioError('write', tmp, outError);
    try {
      await rename(tmp, outputJsonl);
    } catch (cause) {
      throw ioError('rename to', outputJsonl, cause);
    }
  } catch (error) {
    out.destroy();
    await rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
  return { lines, written, invalid, duplicates, filtered, invalidSamples: samples };
}
