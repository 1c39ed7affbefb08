import type { Embedder } from '../embed/embedder.js';
import { HashEmbedder } from '../embed/hash-embedder.js';
import { SwitchyardError, invalidOption, isSwitchyardError } from '../errors.js';
import { isPlainObject, optBoolean, optInteger, optNumber, optOneOf, optString } from '../internal/validate.js';
import type { IndexPrecision, KernelChoice } from './project-index.js';
import type { ProjectSpec } from './project-spec.js';
import { DEFAULT_MAX_SYNC_STATE_BYTES, type ReplicationSettings } from '../gossip/replica.js';
import { resolveFitOptions, type FitOptions } from '../learn/fit-options.js';

/** Options of {@link FastProjectRouter.create}. All optional. */
export interface FastProjectRouterOptions {
  /** Initial projects. @defaultValue [] */
  readonly projects?: readonly ProjectSpec[];
  /** Embedder for projects and queries. @defaultValue `new HashEmbedder({ dim: 384 })` */
  readonly embedder?: Embedder;
  /** Model path used when nothing scores above the threshold. @defaultValue undefined (result has `modelPath: null`) */
  readonly defaultProject?: string;
  /**
   * Minimum score (cosine + keyword boosts) for a content route; below it the router falls
   * back. The default suits {@link HashEmbedder}; neural embedders usually want 0.3–0.5.
   * @defaultValue 0.2
   */
  readonly threshold?: number;
  /** Candidates returned per result. @defaultValue 5 */
  readonly topK?: number;
  /** Score added per matched keyword. @defaultValue 0.15 */
  readonly keywordBoost?: number;
  /** Cap on the keyword + domain boost of one project. @defaultValue 0.3 */
  readonly maxBoost?: number;
  /** Score added when the project's domain word occurs in the request. @defaultValue 0.05 */
  readonly domainBoost?: number;
  /**
   * Characters of request text routed on (last user turn first); longer input is cut
   * before any other work. @defaultValue 2000
   */
  readonly maxPromptChars?: number;
  /** Matrix precision; `'int8'` for very large registries (4× less memory). @defaultValue 'f32' */
  readonly precision?: IndexPrecision;
  /** Score kernel. @defaultValue 'auto' (WebAssembly SIMD when available, else plain JS) */
  readonly kernel?: KernelChoice;
  /** Decisions kept for {@link RouterStats.recent}. @defaultValue 100 */
  readonly recentDecisions?: number;
  /** This node's id (used in route updates and stats). @defaultValue `'node-<random>'` */
  readonly nodeId?: string;
  /**
   * File of cached project embeddings (see {@link EmbeddingCache}). Loaded once by `create()`;
   * vectors whose embedder id and exact text match are reused, only new or changed texts are
   * embedded, and the file is rewritten (atomically) after `create()` and `upsertProject()`.
   * A damaged or foreign file is never an error: its vectors are recomputed.
   * @defaultValue undefined (no cache)
   */
  readonly cachePath?: string;
  /**
   * Wall clock for route-update timestamps and the replication windows, in milliseconds since
   * the Unix epoch (inject a simulated clock in tests). @defaultValue `Date.now`
   */
  readonly wallClock?: () => number;
  /**
   * @deprecated Use {@link FastProjectRouterOptions.wallClock}. Removed in 0.3.0. (An option
   * called `now` is a monotonic clock everywhere else in switchyard.) Giving both is `ERR_INVALID_OPTION`.
   */
  readonly now?: () => number;
  /**
   * How long removals are kept as tombstones, ms; route updates older than this are
   * rejected (`'expired'`) so a collected removal cannot be undone by a late message.
   * @defaultValue 86_400_000 (24 h)
   */
  readonly tombstoneRetentionMs?: number;
  /** Route updates timestamped further ahead of {@link FastProjectRouterOptions.wallClock} are rejected (`'future'`), ms. @defaultValue 60_000 */
  readonly maxClockSkewMs?: number;
  /** Largest route update accepted, bytes (checked before `JSON.parse`). @defaultValue 65_536 */
  readonly maxMessageBytes?: number;
  /** Largest state accepted by {@link FastProjectRouter.mergeStateAsync}, bytes. @defaultValue 67_108_864 (64 MiB) */
  readonly maxStateBytes?: number;
  /**
   * Largest state accepted by the synchronous {@link FastProjectRouter.mergeState}, bytes:
   * keeps one call's stretch short (see docs/security.md for the measured rate); larger
   * states go through {@link FastProjectRouter.mergeStateAsync}. @defaultValue 262_144 (256 KiB)
   */
  readonly maxSyncStateBytes?: number;
  /**
   * Accept project `patterns` in peers' route updates and states. Off by default: a pattern
   * decides routes outright, so a peer that may send them can steer any request. When on,
   * peers' patterns are held to the same bounds as local ones (linear-time engine, size
   * caps; see docs/security.md). Updates carrying patterns are otherwise refused (`invalid`).
   * @defaultValue false
   */
  readonly acceptPeerPatterns?: boolean;
  /**
   * Learned project rows (see {@link FastProjectRouter.fit}):
   * - `'auto'`: when at least two projects carry `examples`, `create()` starts a fit in the
   *   background (a worker thread) and returns at once, routing with the unfitted rows until
   *   the learned rows are swapped in. The learned rows are adopted only if they route the
   *   held-out slice better ({@link FitOptions.adopt} `'auto'`); the out-of-scope threshold is
   *   calibrated unless `threshold` is set. Registries without examples are not fitted.
   *   {@link FastProjectRouter.whenFitted} resolves when it is done.
   * - `false`: no fit (the unfitted rows only, as before 0.2).
   * - `true` or {@link FitOptions}: `create()` fits with these options and awaits the fit.
   * @defaultValue 'auto'
   */
  readonly fit?: boolean | 'auto' | FitOptions;
  /**
   * With `fit: 'auto'`: after `upsertProject()`, `removeProject()` or a route update, refit in
   * the background once no further change came for this long, so a router that receives
   * updates does not stay stale. `false` disables it.
   * @defaultValue 10_000
   */
  readonly refitAfterMs?: number | false;
}

/** Fully resolved options. @internal */
export interface ResolvedRouterOptions extends ReplicationSettings {
  readonly projects: readonly unknown[];
  readonly embedder: Embedder;
  readonly defaultProject: string | undefined;
  readonly threshold: number;
  readonly topK: number;
  readonly keywordBoost: number;
  readonly maxBoost: number;
  readonly domainBoost: number;
  readonly maxPromptChars: number;
  readonly precision: IndexPrecision;
  readonly kernel: KernelChoice;
  readonly recentDecisions: number;
  readonly nodeId: string;
  readonly cachePath: string | undefined;
  /** Validated fit options when `fit` is true or an object; `'auto'` for the default; undefined for false. */
  readonly fit: FitOptions | 'auto' | undefined;
  /** Whether `threshold` was given (a calibrated threshold never replaces it). */
  readonly thresholdFixed: boolean;
  /** Debounce of the background refit (auto-fit only), ms; undefined: none. */
  readonly refitAfterMs: number | undefined;
}

/** Validates options eagerly and fills defaults. @internal */
export function resolveRouterOptions(options: unknown): ResolvedRouterOptions {
  try {
    return resolveUnguarded(options);
  } catch (e) {
    if (isSwitchyardError(e)) throw e;
    throw new SwitchyardError('ERR_INVALID_OPTION', 'Options could not be read (a getter or Proxy trap threw)', { cause: e });
  }
}

/** Most initial projects (a longer, possibly sparse, list is refused before it is walked). */
const MAX_PROJECTS = 1 << 22;

function resolveUnguarded(options: unknown): ResolvedRouterOptions {
  if (options === undefined) options = {};
  if (!isPlainObject(options)) invalidOption('options', 'a plain object', options);
  const o = options as Record<string, unknown>;
  const projects = o['projects'] ?? [];
  if (!Array.isArray(projects) || projects.length > MAX_PROJECTS) invalidOption('projects', `an array of at most ${MAX_PROJECTS} ProjectSpec`, projects);
  const embedder = (o['embedder'] ?? new HashEmbedder({ dim: 384 })) as Embedder;
  if (typeof embedder !== 'object' || embedder === null || typeof embedder.embed !== 'function' ||
    typeof embedder.id !== 'string' || !Number.isSafeInteger(embedder.dim) || embedder.dim < 1 || embedder.dim > 16_384) {
    throw new SwitchyardError('ERR_INVALID_OPTION', 'Expected `embedder` to implement Embedder (id: string, dim: integer in [1, 16384], embed())');
  }
  const defaultProject = o['defaultProject'];
  if (defaultProject !== undefined && typeof defaultProject !== 'string') invalidOption('defaultProject', 'a model path string', defaultProject);
  if (o['wallClock'] !== undefined && o['now'] !== undefined) {
    throw new SwitchyardError('ERR_INVALID_OPTION', 'Expected one of `wallClock` and its deprecated alias `now`, got both');
  }
  const clockName = o['now'] !== undefined ? 'now' : 'wallClock';
  const wallClock = o[clockName] ?? Date.now;
  if (typeof wallClock !== 'function') invalidOption(clockName, 'a function returning milliseconds since the Unix epoch', wallClock);
  return {
    projects,
    embedder,
    defaultProject,
    threshold: optNumber('threshold', o['threshold'], 0.2, -1, 10),
    topK: optInteger('topK', o['topK'], 5, 1, 100),
    keywordBoost: optNumber('keywordBoost', o['keywordBoost'], 0.15, 0, 10),
    maxBoost: optNumber('maxBoost', o['maxBoost'], 0.3, 0, 10),
    domainBoost: optNumber('domainBoost', o['domainBoost'], 0.05, 0, 10),
    maxPromptChars: optInteger('maxPromptChars', o['maxPromptChars'], 2000, 1, 1 << 20),
    precision: optOneOf('precision', o['precision'], ['f32', 'int8'] as const, 'f32'),
    kernel: optOneOf('kernel', o['kernel'], ['auto', 'wasm', 'js'] as const, 'auto'),
    recentDecisions: optInteger('recentDecisions', o['recentDecisions'], 100, 0, 100_000),
    nodeId: optString('nodeId', o['nodeId'], `node-${Math.random().toString(36).slice(2, 10)}`),
    cachePath: o['cachePath'] === undefined ? undefined : optString('cachePath', o['cachePath'], ''),
    wallClock: wallClock as () => number,
    tombstoneRetentionMs: optInteger('tombstoneRetentionMs', o['tombstoneRetentionMs'], 86_400_000, 1, 2 ** 40),
    maxClockSkewMs: optInteger('maxClockSkewMs', o['maxClockSkewMs'], 60_000, 0, 2 ** 40),
    maxMessageBytes: optInteger('maxMessageBytes', o['maxMessageBytes'], 65_536, 256, 1 << 30),
    maxStateBytes: optInteger('maxStateBytes', o['maxStateBytes'], 64 * 1024 * 1024, 256, 2 ** 40),
    maxSyncStateBytes: optInteger('maxSyncStateBytes', o['maxSyncStateBytes'], DEFAULT_MAX_SYNC_STATE_BYTES, 256, 2 ** 40),
    acceptPeerPatterns: optBoolean('acceptPeerPatterns', o['acceptPeerPatterns'], false),
    fit: resolveFitOption(o['fit']),
    thresholdFixed: o['threshold'] !== undefined,
    refitAfterMs: o['refitAfterMs'] === false ? undefined : optInteger('refitAfterMs', o['refitAfterMs'], 10_000, 0, 2 ** 31 - 1),
  };
}

function resolveFitOption(fit: unknown): FitOptions | 'auto' | undefined {
  if (fit === undefined || fit === 'auto') return 'auto';
  if (fit === false) return undefined;
  resolveFitOptions(fit); // validate eagerly; fit() resolves again
  return fit === true ? {} : (fit as FitOptions);
}
