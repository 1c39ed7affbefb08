/**
 * Stable error codes. Codes never change meaning between releases; new codes may be added.
 *
 * - `ERR_INVALID_OPTION`: an options object failed validation.
 * - `ERR_INVALID_PROJECT`: a `ProjectSpec` failed validation.
 * - `ERR_DUPLICATE_PROJECT`: two projects (or a project and an alias) claim the same model path.
 * - `ERR_INVALID_EMBEDDING`: an embedding has the wrong length or a non-finite value.
 * - `ERR_INVALID_MESSAGES`: request messages are not in a supported shape.
 * - `ERR_PROMPT_TOO_LARGE`: deprecated, no longer thrown (an oversized feedback record now reports `ERR_RECORD_TOO_LARGE`); removed in 0.3.0.
 * - `ERR_EMBEDDER_UNAVAILABLE`: the embedder backend (e.g. `@huggingface/transformers`) is not installed or cannot load its model.
 * - `ERR_EMBEDDER_FAILED`: the embedder threw or returned malformed output.
 * - `ERR_SYNC_EMBEDDER_REQUIRED`: a synchronous call was made with an asynchronous embedder.
 * - `ERR_NO_HEALTHY_INSTANCE`: no provider instance can serve the request.
 * - `ERR_ALL_ATTEMPTS_FAILED`: every attempt (retries and fallbacks) failed.
 * - `ERR_TIMEOUT`: an operation exceeded its time budget.
 * - `ERR_ABORTED`: the caller aborted the operation.
 * - `ERR_CONFIG`: a configuration document is invalid.
 * - `ERR_CONFIG_CYCLE`: variable expansion in a configuration refers to itself.
 * - `ERR_INVALID_MESSAGE`: deprecated, no longer thrown (now `ERR_INVALID_ROUTE_UPDATE`); removed in 0.3.0.
 * - `ERR_INVALID_ROUTE_UPDATE`: a replicated route update or route state is malformed.
 * - `ERR_RECORD_TOO_LARGE`: a feedback record is larger than `maxRecordBytes`.
 * - `ERR_FIT_DIVERGED`: a fit produced non-finite weights (lower `learningRate`).
 * - `ERR_CACHE_IO`: the on-disk cache could not be written.
 * - `ERR_CLOSED`: the object was used after `close()`.
 * - `ERR_INVALID_FEEDBACK`: a feedback record is not a valid preference pair.
 * - `ERR_FEEDBACK_IO`: the feedback log or a DPO export could not read or write its file.
 * - `ERR_NOT_ENOUGH_EXAMPLES`: a fit has too little data to learn from (fewer than two projects).
 * - `ERR_INVALID_TABLE`: a static token table file is corrupt, truncated, of another format version or for an unsupported tokenizer (`details.reason` says which).
 */
export type SwitchyardErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_PROJECT'
  | 'ERR_DUPLICATE_PROJECT'
  | 'ERR_INVALID_EMBEDDING'
  | 'ERR_INVALID_MESSAGES'
  | 'ERR_PROMPT_TOO_LARGE'
  | 'ERR_EMBEDDER_UNAVAILABLE'
  | 'ERR_EMBEDDER_FAILED'
  | 'ERR_SYNC_EMBEDDER_REQUIRED'
  | 'ERR_NO_HEALTHY_INSTANCE'
  | 'ERR_ALL_ATTEMPTS_FAILED'
  | 'ERR_TIMEOUT'
  | 'ERR_ABORTED'
  | 'ERR_CONFIG'
  | 'ERR_CONFIG_CYCLE'
  | 'ERR_INVALID_MESSAGE'
  | 'ERR_CACHE_IO'
  | 'ERR_CLOSED'
  | 'ERR_INVALID_FEEDBACK'
  | 'ERR_FEEDBACK_IO'
  | 'ERR_NOT_ENOUGH_EXAMPLES'
  | 'ERR_INVALID_TABLE'
  | 'ERR_INVALID_ROUTE_UPDATE'
  | 'ERR_RECORD_TOO_LARGE'
  | 'ERR_FIT_DIVERGED';

/** Options accepted by {@link SwitchyardError}. */
export interface SwitchyardErrorOptions extends ErrorOptions {
  /** Structured, JSON-safe context (never secrets). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Base class of every error switchyard throws. Check `code`, not the message.
 *
 * @example
 * ```ts
 * try { router.routeSync('auto', messages); }
 * catch (e) { if (isSwitchyardError(e) && e.code === 'ERR_SYNC_EMBEDDER_REQUIRED') { ... } }
 * ```
 */
export class SwitchyardError extends Error {
  /** Always `'SwitchyardError'`, so the guard works across realms. */
  override name: string = 'SwitchyardError';
  /** Stable machine-readable code. */
  readonly code: SwitchyardErrorCode;
  /** Structured context, if any. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  /**
   * @param code - stable code
   * @param message - human-readable message
   * @param options - `cause` and `details`
   */
  constructor(code: SwitchyardErrorCode, message: string, options?: SwitchyardErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }
}

/**
 * True when `value` is a {@link SwitchyardError} (also across realms / duplicate installs).
 * @param value - anything caught
 */
export function isSwitchyardError(value: unknown): value is SwitchyardError {
  return (
    value instanceof SwitchyardError ||
    (typeof value === 'object' && value !== null &&
      (value as { name?: unknown }).name === 'SwitchyardError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}

/**
 * Describes a value for error messages: `` `-1` (number) ``. Strings are cut to 60 chars.
 * @internal
 */
export function describeValue(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') shown = JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value);
  else if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) shown = String(value);
  else if (typeof value === 'bigint') shown = `${value}n`;
  else if (Array.isArray(value)) shown = `array(${value.length})`;
  else shown = typeof value;
  return `\`${shown}\` (${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value})`;
}

/**
 * Throws `ERR_INVALID_OPTION` in the form ``Expected `name` to be <what>, got `v` (type)``.
 * @internal
 */
export function invalidOption(name: string, what: string, value: unknown): never {
  throw new SwitchyardError('ERR_INVALID_OPTION', `Expected \`${name}\` to be ${what}, got ${describeValue(value)}`, {
    details: { option: name },
  });
}
