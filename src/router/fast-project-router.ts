import { EventEmitter } from 'eventemitter3';
import type { Embedder } from '../embed/embedder.js';
import { SwitchyardError, describeValue } from '../errors.js';
import { optNumber } from '../internal/validate.js';
import { LatencyHistogram, type LatencySummary } from '../telemetry/latency-histogram.js';
import { metricsChannel } from '../telemetry/diagnostics.js';
import { publishRouteMetric, routeTracing, traceRoute, traceRouteSync } from './route-telemetry.js';
import { KeywordMatcher, type KeywordRule } from './keyword-matcher.js';
import { extractRouteText, type RouteInput } from '../internal/message-text.js';
import { BATCH_WIDTH, ProjectIndex, type IndexPrecision, type KernelKind } from './project-index.js';
import { normalizeProject, type NormalizedProject, type Project, type ProjectSpec } from './project-spec.js';
import type { RouteCandidate, RouteMethod, RouteResult } from './route-result.js';
import { resolveRouterOptions, type FastProjectRouterOptions, type ResolvedRouterOptions } from './router-options.js';
import { topK } from './similarity.js';
import { computeOverlap, type OverlapReport, type OverlapReportOptions } from './overlap-report.js';
import { EmbeddingCache, type EmbeddingCacheStats } from '../embed/embedding-cache.js';
import { RouteReplica } from '../gossip/replica.js';
import { wireProjectOf, type ParsedRouteUpdate, type RouteUpdateMessage } from '../gossip/route-update.js';
import type { RouteTableState } from '../gossip/route-state.js';
import type { MergeStateResult, RouteUpdateRejectedEvent, RouteUpdateResult } from '../gossip/update-result.js';
import { resolveFitOptions, type FitOptions } from '../learn/fit-options.js';
import { FIT_SUFFIX, fitRouterRows, type FitKept, type FitProgressEvent, type FitReport, type FitState, type FitTarget } from '../learn/fit-router.js';
import type { FitFeatures } from '../learn/fit-options.js';
import { HeadFeatures } from '../learn/head-features.js';
import { QuantizedVectors } from '../learn/quantized-vectors.js';
import { LearnedHead } from './learned-head.js';
import { SLICE_MS, type FitRun } from '../learn/run-fit-job.js';
import { Slicer } from '../learn/slicer.js';

/** Payload of `project:upserted`. */
export interface ProjectUpsertedEvent {
  /** The stored project. */
  readonly project: Project;
  /** Whether the model path was new. */
  readonly action: 'add' | 'update';
}

/** Payload of `project:removed`. */
export interface ProjectRemovedEvent {
  /** Model path of the removed project. */
  readonly modelPath: string;
}

/** Decisions per method. */
export interface RouteCounts {
  /** Explicit model-path or alias routes. */
  readonly explicit: number;
  /** Pattern decisions and keyword-boosted wins. */
  readonly keyword: number;
  /** Pure embedding-similarity routes. */
  readonly semantic: number;
  /** Fallbacks. */
  readonly fallback: number;
  /** Sum over all methods. */
  readonly total: number;
}

/** Events of {@link FastProjectRouter} (eventemitter3, `noun:verb`). */
export interface FastProjectRouterEvents {
  /** Every routing decision (emitted only when someone listens). */
  'route:selected': [result: RouteResult];
  /** A project was added or replaced. */
  'project:upserted': [event: ProjectUpsertedEvent];
  /** A project was removed. */
  'project:removed': [event: ProjectRemovedEvent];
  /** Saving the embedding cache (`cachePath`) failed; routing is unaffected. */
  'cache:error': [error: SwitchyardError];
  /** A local {@link FastProjectRouter.upsertProject} / {@link FastProjectRouter.removeProject}: the route update to broadcast. */
  'update:outbound': [message: RouteUpdateMessage];
  /** A route update (or state entry) from a peer won and changed the route table. */
  'update:applied': [message: RouteUpdateMessage];
  /** A route update could not be used (invalid, outside the clock window, alias conflict, embedder failure). */
  'update:rejected': [event: RouteUpdateRejectedEvent];
  /** One epoch of {@link FastProjectRouter.fit} finished. */
  'fit:progress': [event: FitProgressEvent];
  /** {@link FastProjectRouter.fit} swapped the learned rows in (or, `adopt: 'auto'`, kept the unfitted ones). */
  'fit:done': [report: FitReport];
  /** A background fit (auto-fit or refit) failed; routing continues with the rows it had. */
  'fit:error': [error: SwitchyardError];
}

/** One request of {@link FastProjectRouter.routeBatch}. */
export interface RouteRequest {
  /** The request's model field (`'auto'`, a model path, an alias, or anything). */
  readonly model?: string;
  /** Prompt string or chat messages. */
  readonly messages: RouteInput;
}

/** Snapshot returned by {@link FastProjectRouter.stats}. */
export interface RouterStats {
  /** This node's id. */
  readonly nodeId: string;
  /** Registered projects. */
  readonly projects: number;
  /** Matrix rows (main rows plus example rows). */
  readonly rows: number;
  /** Kernel in use. */
  readonly kernel: KernelKind;
  /** Matrix precision. */
  readonly precision: IndexPrecision;
  /** Embedder id. */
  readonly embedderId: string;
  /** Bytes of matrix storage allocated. */
  readonly matrixBytes: number;
  /** Decisions per method since creation. */
  readonly routes: RouteCounts;
  /** Router latency percentiles (ms) since creation. */
  readonly latency: LatencySummary;
  /** The last decisions, oldest first. */
  readonly recent: readonly RouteResult[];
  /** Embedding-cache counters; undefined without `cachePath`. */
  readonly embeddingCache: EmbeddingCacheStats | undefined;
  /** Learned rows: state, what the last fit kept and why, the threshold in use. */
  readonly fit: RouterFitStats;
}

/** The fit part of {@link RouterStats}. */
export interface RouterFitStats {
  /** See {@link FastProjectRouter.fitState}. */
  readonly state: FitState;
  /** Projects routing by a learned row. */
  readonly learnedProjects: number;
  /** What the last fit kept (undefined before the first fit ends). */
  readonly kept: FitKept | undefined;
  /** Why the last fit kept the unfitted rows, if it did. */
  readonly keptReason: FitReport['keptReason'];
  /** Feature source of the learned rows in use (undefined when none). */
  readonly features: FitFeatures | undefined;
  /** Threshold in use (calibrated by the last fit, or the configured one). */
  readonly threshold: number;
  /** Whether a fit is running or a refit is scheduled. */
  readonly pending: boolean;
}

interface Entry {
  readonly n: NormalizedProject;
  slot: number;
  /** Rows of the unfitted matrix (none while the project routes by its learned row). */
  rows: number[];
  /** Row of the learned head, or -1. */
  headRow: number;
  /** Unfitted vectors ([main, ...examples]), int8, kept while the project routes by its learned row. */
  unfitted: QuantizedVectors | undefined;
  /** Per-call scratch: summed keyword/domain boost and the rules that produced it. */
  boost: number;
  hitStamp: number;
  readonly explicitCandidates: readonly RouteCandidate[];
}

interface ExplicitTarget {
  readonly entry: Entry;
  readonly reasons: readonly string[];
}

const EMPTY: readonly RouteCandidate[] = Object.freeze([]);

/** Validates the initial projects; a throwing Proxy around the list is `ERR_INVALID_OPTION`. */
function normalizeProjects(projects: readonly unknown[], dim: number): NormalizedProject[] {
  const out: NormalizedProject[] = [];
  let n: number;
  try {
    n = projects.length;
  } catch (cause) {
    throw new SwitchyardError('ERR_INVALID_OPTION', 'Expected `projects` to be an array of ProjectSpec; reading its length threw', { cause, details: { option: 'projects' } });
  }
  for (let i = 0; i < n; i++) {
    let spec: unknown;
    try {
      spec = projects[i];
    } catch (cause) {
      throw new SwitchyardError('ERR_INVALID_PROJECT', `Project ${i} could not be read (a getter or Proxy trap threw)`, { cause, details: { index: i } });
    }
    out.push(normalizeProject(spec, dim));
  }
  return out;
}

/** Updates indexed between two event-loop turns of {@link FastProjectRouter.mergeStateAsync}. */
const RECONCILE_CHUNK = 32;

/** Most requests one {@link FastProjectRouter.routeBatch} call takes. */
const MAX_BATCH_REQUESTS = 1 << 20;

/** Length of a batch from outside; a throwing Proxy or an absurd length is `ERR_INVALID_MESSAGES`. */
function batchLength(requests: unknown): number {
  let n: unknown;
  try {
    n = Array.isArray(requests) ? requests.length : undefined;
  } catch (cause) {
    throw new SwitchyardError('ERR_INVALID_MESSAGES', 'Expected `requests` to be an array; reading its length threw', { cause });
  }
  if (typeof n !== 'number') throw new SwitchyardError('ERR_INVALID_MESSAGES', `Expected \`requests\` to be an array, got ${describeValue(requests)}`);
  if (n > MAX_BATCH_REQUESTS) throw new SwitchyardError('ERR_INVALID_MESSAGES', `Expected at most ${MAX_BATCH_REQUESTS} requests per routeBatch() call, got ${n}`, { details: { limit: MAX_BATCH_REQUESTS } });
  return n;
}

/** One request of a batch; null when a getter or Proxy trap threw while reading it. */
function readRequest(requests: readonly unknown[], i: number): { model: unknown; messages: unknown } | null {
  try {
    const req: unknown = requests[i];
    if (typeof req !== 'object' || req === null) return { model: undefined, messages: req };
    return { model: (req as { model?: unknown }).model, messages: (req as { messages?: unknown }).messages };
  } catch {
    return null;
  }
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/**
 * In-process semantic router: picks the project (model) for a request by explicit model
 * name, regex/keyword rules, or embedding similarity over one contiguous score matrix.
 *
 * @example
 * ```ts
 * const router = await FastProjectRouter.create({
 *   projects: [
 *     { name: 'llama-care', description: 'llama and alpaca husbandry', keywords: ['llama'] },
 *     { name: 'code-helper', description: 'programming help: bugs, refactors, tests' },
 *   ],
 *   defaultProject: 'default/code-helper',
 * });
 * const r = router.routeSync('auto', [{ role: 'user', content: 'my llama is limping' }]);
 * r.modelPath; // 'default/llama-care'
 * ```
 */
export class FastProjectRouter extends EventEmitter<FastProjectRouterEvents> {
  readonly #o: ResolvedRouterOptions;
  readonly #embedder: Embedder;
  readonly #sync: boolean;
  #index: ProjectIndex;
  /** Learned rows (one per fitted project) in the head's own feature space. */
  #head: LearnedHead | undefined;
  #headFeatures: HeadFeatures | undefined;
  #threshold: number;
  readonly #matcher = new KeywordMatcher<Entry>();
  readonly #byPath = new Map<string, Entry>();
  readonly #explicit = new Map<string, ExplicitTarget>();
  #entries: Entry[] = [];
  #projScores = new Float32Array(64);
  readonly #topIdx: Int32Array;
  readonly #topScore: Float32Array;
  #stamp = 0;
  readonly #hist = new LatencyHistogram();
  readonly #counts: Record<RouteMethod, number> = { explicit: 0, keyword: 0, semantic: 0, fallback: 0 };
  readonly #recent: (RouteResult | undefined)[];
  #recentPos = 0;
  #recentLen = 0;
  readonly #cache: EmbeddingCache | undefined;
  #cacheStats: { -readonly [K in keyof EmbeddingCacheStats]: EmbeddingCacheStats[K] } | undefined;
  readonly #replica: RouteReplica;
  #fitting: Promise<unknown> = Promise.resolve();
  #everFitted = false;
  /** The last fit started (explicit, auto or refit); whenFitted() awaits it. */
  #latestFit: Promise<FitReport | null> = Promise.resolve(null);
  #running: FitRun | undefined;
  #fitsPending = 0;
  #refitTimer: ReturnType<typeof setTimeout> | undefined;
  #lastReport: FitReport | undefined;

  private constructor(o: ResolvedRouterOptions) {
    super();
    this.#o = o;
    this.#embedder = o.embedder;
    this.#sync = typeof o.embedder.embedInto === 'function';
    this.#index = new ProjectIndex(o.embedder.dim, o.precision, o.kernel, Math.max(64, o.projects.length * 2));
    this.#threshold = o.threshold;
    this.#topIdx = new Int32Array(o.topK);
    this.#topScore = new Float32Array(o.topK);
    this.#recent = new Array<RouteResult | undefined>(o.recentDecisions);
    if (o.cachePath !== undefined) this.#cache = new EmbeddingCache({ path: o.cachePath, embedderId: o.embedder.id, dim: o.embedder.dim });
    this.#replica = new RouteReplica(o); // reads the replication settings and the embedder's id and dim
  }

  /**
   * Validates options and projects, embeds every project (one batched call) and builds the
   * score matrix.
   * @param options - see {@link FastProjectRouterOptions}
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION`, `ERR_INVALID_PROJECT`,
   *   `ERR_DUPLICATE_PROJECT`, `ERR_INVALID_EMBEDDING`, `ERR_EMBEDDER_FAILED`.
   */
  static async create(options: FastProjectRouterOptions = {}): Promise<FastProjectRouter> {
    const o = resolveRouterOptions(options);
    const router = new FastProjectRouter(o);
    const normalized = normalizeProjects(o.projects, o.embedder.dim);
    const seen = new Set<string>();
    for (const n of normalized) {
      for (const key of [n.project.modelPath, ...n.project.aliases]) {
        if (seen.has(key)) throw new SwitchyardError('ERR_DUPLICATE_PROJECT', `Model path or alias '${key}' is claimed twice`, { details: { modelPath: key } });
        seen.add(key);
      }
    }
    if (o.defaultProject !== undefined && !seen.has(o.defaultProject)) {
      throw new SwitchyardError('ERR_INVALID_OPTION', `Expected \`defaultProject\` to name a project, got ${describeValue(o.defaultProject)}`);
    }
    const cache = router.#cache;
    if (cache) {
      const r = await cache.load();
      router.#cacheStats = { path: cache.path, loaded: r.entries, dropped: r.dropped, loadReason: r.reason, reused: 0, computed: 0, lastSaveError: undefined };
    }
    const vectors = await router.#embedProjects(normalized);
    router.#index.reserve(vectors.reduce((n, v) => n + v.length, 0));
    normalized.forEach((n, i) => router.#insert(n, vectors[i]!));
    await router.#saveCache();
    if (o.fit === 'auto') router.#startAutoFit();
    else if (o.fit !== undefined) await router.fit(o.fit);
    return router;
  }

  /** The embedder in use. */
  get embedder(): Embedder {
    return this.#embedder;
  }

  /** Number of registered projects. */
  get size(): number {
    return this.#entries.length;
  }

  /** A registered project by model path or alias. */
  getProject(model: string): Project | undefined {
    return this.#explicit.get(model)?.entry.n.project;
  }

  /** All registered projects (order unspecified). */
  projects(): Project[] {
    return this.#entries.map((e) => e.n.project);
  }

  /**
   * Routes synchronously. Requires an embedder with `embedInto` (e.g. {@link HashEmbedder}).
   * Never throws for request content: unusable input routes to the fallback with a reason.
   * @param model - the request's model field: a model path or alias routes explicitly; `'auto'` or anything else routes by content
   * @param messages - prompt string or chat messages (OpenAI or Anthropic shape)
   * @throws {@link SwitchyardError} `ERR_SYNC_EMBEDDER_REQUIRED` with an asynchronous embedder.
   */
  routeSync(model: string | undefined, messages: RouteInput): RouteResult {
    if (routeTracing.hasSubscribers) return traceRouteSync(model, this.#o.nodeId, () => this.#routeSync(model, messages));
    return this.#routeSync(model, messages);
  }

  #routeSync(model: string | undefined, messages: RouteInput): RouteResult {
    const t0 = performance.now();
    const explicit = this.#routeExplicit(model, t0);
    if (explicit) return explicit;
    if (!this.#sync) {
      throw new SwitchyardError('ERR_SYNC_EMBEDDER_REQUIRED', `routeSync() needs a synchronous embedder; '${this.#embedder.id}' is asynchronous: use route()`);
    }
    const reasons: string[] = [];
    const text = this.#prepare(messages, t0, reasons);
    if (typeof text !== 'string') return text;
    const index = this.#index;
    const head = this.#head;
    if (index.rows > 0 || (head && this.#headFeatures!.needsEmbedder)) {
      this.#embedder.embedInto!(text, index.f32, index.queryOffset(0));
      index.score();
    }
    if (head) this.#scoreHead(head, text, index.f32, index.queryOffset(0));
    return this.#finish(text, index.outOffset, 1, t0, reasons);
  }

  /** Writes the head features of `text` (with the embedder vector at dense[off..] when needed) and scores the head. */
  #scoreHead(head: LearnedHead, text: string, dense: Float32Array | undefined, off: number): void {
    this.#headFeatures!.write(text, dense, off, head.f32, head.queryOffset);
    head.score();
  }

  /**
   * Routes with any embedder (awaits asynchronous ones).
   * @param model - see {@link FastProjectRouter.routeSync}
   * @param messages - prompt string or chat messages
   * @throws {@link SwitchyardError} `ERR_EMBEDDER_FAILED` when the embedder throws or returns a malformed vector.
   */
  route(model: string | undefined, messages: RouteInput): Promise<RouteResult> {
    if (routeTracing.hasSubscribers) return traceRoute(model, this.#o.nodeId, () => this.#route(model, messages));
    return this.#route(model, messages);
  }

  async #route(model: string | undefined, messages: RouteInput): Promise<RouteResult> {
    if (this.#sync) return this.#routeSync(model, messages);
    const t0 = performance.now();
    const explicit = this.#routeExplicit(model, t0);
    if (explicit) return explicit;
    const reasons: string[] = [];
    const text = this.#prepare(messages, t0, reasons);
    if (typeof text !== 'string') return text;
    const needed = this.#index.rows > 0 || (this.#head !== undefined && this.#headFeatures!.needsEmbedder);
    const vec = needed ? (await this.#embedChecked([text]))[0]! : undefined;
    // read after the await: a fit may have swapped the matrices meanwhile
    const index = this.#index;
    const head = this.#head;
    if (vec && index.rows > 0) {
      index.f32.set(vec, index.queryOffset(0));
      index.score();
    }
    if (head) {
      if (this.#headFeatures!.needsEmbedder && !vec) return this.#route(model, messages);
      this.#scoreHead(head, text, vec, 0);
    }
    return this.#finish(text, index.outOffset, 1, t0, reasons);
  }

  /**
   * Routes many requests: one batched embed, then the matrix is scored four queries per pass.
   * Results are in request order.
   * @param requests - requests to route
   */
  async routeBatch(requests: readonly RouteRequest[]): Promise<RouteResult[]> {
    const count = batchLength(requests);
    const t0 = performance.now();
    const results = new Array<RouteResult>(count);
    const pending: { i: number; text: string; reasons: string[] }[] = [];
    for (let i = 0; i < count; i++) {
      const req = readRequest(requests, i);
      if (req === null) {
        results[i] = this.#fallback('invalid messages (ERR_INVALID_MESSAGES): the request could not be read (a getter or Proxy trap threw)', [], EMPTY, -Infinity, t0);
        continue;
      }
      const { model, messages } = req;
      const explicit = this.#routeExplicit(typeof model === 'string' ? model : undefined, t0);
      if (explicit) { results[i] = explicit; continue; }
      const reasons: string[] = [];
      const text = this.#prepare(messages as RouteInput, t0, reasons);
      if (typeof text !== 'string') { results[i] = text; continue; }
      pending.push({ i, text, reasons });
    }
    if (pending.length === 0) return results;
    // every project fitted in the head's own hashed space: the embedder is not needed at all
    const needed = this.#index.rows > 0 || (this.#head !== undefined && this.#headFeatures!.needsEmbedder);
    const vectors = this.#sync || !needed ? null : await this.#embedChecked(pending.map((p) => p.text));
    const index = this.#index;
    const head = this.#head;
    for (let start = 0; start < pending.length; start += BATCH_WIDTH) {
      const n = Math.min(BATCH_WIDTH, pending.length - start);
      for (let j = 0; j < BATCH_WIDTH; j++) {
        const off = index.queryOffset(j);
        if (j >= n || !needed) index.f32.fill(0, off, off + index.dim);
        else if (vectors) index.f32.set(vectors[start + j]!, off);
        else this.#embedder.embedInto!(pending[start + j]!.text, index.f32, off);
      }
      const step = index.scoreBatch(n);
      for (let j = 0; j < n; j++) {
        const p = pending[start + j]!;
        if (head) {
          if (vectors) this.#scoreHead(head, p.text, vectors[start + j]!, 0);
          else this.#scoreHead(head, p.text, index.f32, index.queryOffset(j));
        }
        const offset = index.outOffset + (step === 1 ? j * index.capacity : j);
        results[p.i] = this.#finish(p.text, offset, step, t0, p.reasons);
      }
    }
    return results;
  }

  /**
   * Adds a project or replaces the one with the same model path. Atomic: on any error
   * the registry is unchanged. Emits `update:outbound` with the route update to broadcast.
   * @param spec - the project
   * @returns the stored project
   * @throws {@link SwitchyardError} `ERR_INVALID_PROJECT`, `ERR_DUPLICATE_PROJECT` (an alias taken by another project), `ERR_INVALID_EMBEDDING`, `ERR_EMBEDDER_FAILED`.
   */
  async upsertProject(spec: ProjectSpec): Promise<Project> {
    const n = normalizeProject(spec, this.#embedder.dim);
    this.#checkClaims(n);
    const vectors = await this.#embedProjects([n]);
    this.#checkClaims(n); // the registry may have changed while embedding
    const previous = this.#byPath.get(n.project.modelPath);
    let update: ParsedRouteUpdate;
    try {
      update = this.#replica.localWrite(previous ? 'update' : 'add', wireProjectOf(n, vectors[0]![0]), this.#embedder.id);
    } catch (e) {
      throw new SwitchyardError('ERR_INVALID_PROJECT', `Project '${n.project.modelPath}' cannot be replicated: ${(e as Error).message}`, { cause: e });
    }
    this.#replace(n, vectors[0]!);
    this.#outbound(update.message);
    await this.#saveCache();
    return n.project;
  }

  /**
   * Removes a project by model path. Emits `update:outbound` with the route update (a
   * tombstone) to broadcast.
   * @param modelPath - `namespace/name`
   * @returns whether a project was removed
   */
  removeProject(modelPath: string): boolean {
    const entry = typeof modelPath === 'string' ? this.#byPath.get(modelPath) : undefined;
    const held = entry ? undefined : typeof modelPath === 'string' ? this.#replica.get(modelPath) : undefined;
    const target = entry?.n.project ?? (held?.action === 'remove' ? undefined : held?.project);
    if (!target) return false;
    const update = this.#replica.localWrite('remove', { namespace: target.namespace, name: target.name });
    if (entry) this.#remove(entry);
    this.#outbound(update.message);
    return true;
  }

  /**
   * Applies a route update from a peer (the host's transport delivers it: a JSON string,
   * bytes, or a parsed object). Never throws on bad input. The route table is decided
   * synchronously: re-broadcast the message only when `applied` is true. The routing index
   * is updated synchronously too when the message carries a usable embedding (same embedder
   * id and dimension) and the project has no examples, or when the embedder is synchronous;
   * otherwise the result carries `indexed`, a promise that resolves once it is.
   * @param message - the received route update
   * @example
   * ```ts
   * sub.on('message', (raw) => {
   *   const r = router.handleRouteUpdate(raw);
   *   if (r.applied) gossip.forward(raw);
   * });
   * ```
   */
  handleRouteUpdate(message: unknown): RouteUpdateResult {
    const r = this.#replica.parse(message);
    if (r.error) return this.#rejected({ reason: 'invalid', error: r.error });
    const p = r.parsed;
    const meta = { modelPath: p.modelPath, fromNode: p.message.from_node };
    const conflict = p.normalized && this.#claimConflict(p.normalized);
    if (conflict) return this.#rejected({ reason: 'conflict', error: conflict, ...meta });
    const reason = this.#replica.admit(p);
    if (reason === 'expired' || reason === 'future') return this.#rejected({ reason, ...meta });
    if (reason !== 'applied') return { applied: false, reason };
    const indexed = this.#reconcile([p]);
    return indexed ? { applied: true, reason, indexed } : { applied: true, reason };
  }

  /**
   * The whole replicated route table (live entries and tombstones), JSON-serialisable, for
   * anti-entropy: send it to a peer or a restarted node, which calls
   * {@link FastProjectRouter.mergeState}. Projects given to {@link FastProjectRouter.create}
   * are configuration, not replicated state: only changes made through upsertProject,
   * removeProject and peers' updates are in it.
   */
  exportState(): RouteTableState {
    return this.#replica.exportState();
  }

  /**
   * Merges a peer's {@link RouteTableState} (object, JSON string or bytes): every entry is
   * validated and applied as a route update would be, except that live entries of any age are
   * accepted. Commutative, associative and idempotent. Never throws on bad input. Runs in one
   * synchronous stretch, so states above `maxSyncStateBytes` (default 256 KiB) are refused with
   * `error`: merge those with {@link FastProjectRouter.mergeStateAsync}.
   * @param state - a state from {@link FastProjectRouter.exportState}
   */
  mergeState(state: unknown): MergeStateResult {
    const r = this.#replica.mergeState(state);
    if (r.error) this.#emitRejected({ reason: 'invalid', error: r.error });
    // entries merged before a late error are in the table: the index follows them too
    const indexed = this.#reconcile(r.applied);
    const counts = { applied: r.applied.length, unchanged: r.unchanged, rejected: r.rejected, ...(r.error ? { error: r.error } : {}) };
    return indexed ? { ...counts, indexed } : counts;
  }

  /**
   * {@link FastProjectRouter.mergeState} for states of any size up to `maxStateBytes`: the
   * state is read, checked and indexed in slices, giving the event loop a turn at least every
   * few milliseconds (`sliceMs`), so routing keeps its latency while a large (or hostile)
   * state is merged. Cost is linear in the state's bytes (rate in docs/security.md). Resolves
   * once the table and the routing index reflect the state; never rejects on bad input.
   * @param state - a state from {@link FastProjectRouter.exportState} (object, JSON string or bytes)
   * @param options - `sliceMs`: longest synchronous stretch aimed for, ms (default 4)
   */
  async mergeStateAsync(state: unknown, options: { readonly sliceMs?: number } = {}): Promise<MergeStateResult> {
    const sliceMs = optNumber('sliceMs', (options as { sliceMs?: unknown } | undefined)?.sliceMs, 4, 0.1, 1000);
    const slicer = new Slicer(sliceMs);
    const pause = async (): Promise<void> => { if (slicer.due()) await slicer.pause(); };
    const steps = this.#replica.mergeSteps(state, this.#o.maxStateBytes);
    let step = steps.next();
    while (!step.done) {
      await pause();
      step = steps.next();
    }
    const r = step.value;
    if (r.error) this.#emitRejected({ reason: 'invalid', error: r.error });
    const waits: Promise<void>[] = [];
    for (let i = 0; i < r.applied.length; i += RECONCILE_CHUNK) {
      await pause();
      // a newer update may have won while this merge yielded: index only what the table still holds
      const chunk = r.applied.slice(i, i + RECONCILE_CHUNK).filter((p) => this.#replica.get(p.modelPath) === p.message);
      const pending = this.#reconcile(chunk);
      if (pending) waits.push(pending);
    }
    await Promise.all(waits);
    return { applied: r.applied.length, unchanged: r.unchanged, rejected: r.rejected, ...(r.error ? { error: r.error } : {}) };
  }

  /**
   * Trains one row per project (a softmax head over the embedder's features) from the
   * projects' examples and main texts, plus optional feedback, and swaps the learned rows into
   * the score matrix in one synchronous step: routing keeps working during the fit (it yields
   * between epochs) and always sees a complete matrix. Afterwards each fitted project costs one
   * row. Projects upserted later route with their unfitted rows until the next fit
   * ({@link FastProjectRouter.fitState} is `'stale'`). Calls are serialised. With `cachePath`,
   * the rows are saved beside the embedding cache and reused while projects, embedder and
   * options are unchanged.
   * @param options - see {@link FitOptions}
   * @returns what was trained, see {@link FitReport}
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION` for bad options; `ERR_EMBEDDER_FAILED` when embedding feedback fails.
   * @example
   * ```ts
   * const report = await router.fit({ epochs: 15 });
   * report.heldOutAccuracy; // e.g. 0.93
   * ```
   */
  fit(options?: FitOptions): Promise<FitReport> {
    const o = resolveFitOptions(options, this.#defaultFeatures());
    return this.#enqueueFit(o, true);
  }

  #enqueueFit(o: ReturnType<typeof resolveFitOptions>, awaited: boolean): Promise<FitReport> {
    this.#fitsPending++;
    const run = this.#fitting.then(() => fitRouterRows(this.#fitTarget(awaited), o));
    const settle = run.finally(() => { this.#fitsPending--; });
    this.#fitting = settle.catch(() => undefined);
    this.#latestFit = settle.catch(() => null);
    return settle;
  }

  /**
   * Resolves once the current fit (the background auto-fit of `create()`, a scheduled refit
   * that has started, or a `fit()` call) has finished: with its report, or `null` when
   * nothing was fitted (no examples, `fit: false`, or the fit failed). Keeps the process alive
   * until then. Routing never waits for a fit; batch jobs and tests use this.
   */
  whenFitted(): Promise<FitReport | null> {
    this.#running?.ref();
    return this.#latestFit;
  }

  /** `'unfitted'` (never fitted), `'fitted'` (every project routes by its learned row) or `'stale'` (some projects changed since the last fit). */
  get fitState(): FitState {
    if (!this.#everFitted) return 'unfitted';
    return this.#entries.every((e) => e.headRow >= 0) ? 'fitted' : 'stale';
  }

  /** The head's features when the fit options name none: the embedder's own choice, else hybrid for a model (asynchronous) embedder and hashed for a synchronous one. */
  #defaultFeatures(): FitFeatures {
    const declared = this.embedder.fitFeatures;
    if (declared === 'hashed' || declared === 'embedder' || declared === 'hybrid') return declared;
    return this.#sync ? 'hashed' : 'hybrid';
  }

  /** Starts the default background fit when at least two projects carry examples. */
  #startAutoFit(): void {
    if (this.#entries.length < 2 || !this.#entries.some((e) => e.n.project.examples.length > 0)) return;
    const run = this.#enqueueFit(resolveFitOptions({ adopt: 'auto' }, this.#defaultFeatures()), false);
    run.catch((e: unknown) => {
      const err = e instanceof SwitchyardError ? e : new SwitchyardError('ERR_INVALID_OPTION', String((e as Error)?.message ?? e), { cause: e });
      if (this.listenerCount('fit:error') > 0) this.emit('fit:error', err);
    });
  }

  /** After a registry change: refit in the background once changes have stopped for `refitAfterMs` (auto-fit only). */
  #scheduleRefit(): void {
    const ms = this.#o.refitAfterMs;
    if (this.#o.fit !== 'auto' || ms === undefined) return;
    if (this.#refitTimer !== undefined) clearTimeout(this.#refitTimer);
    this.#refitTimer = setTimeout(() => { this.#refitTimer = undefined; this.#startAutoFit(); }, ms);
    this.#refitTimer.unref?.();
  }

  /**
   * Finds projects whose main rows (description, topics, keywords) are so similar that
   * requests may flip between them: a design-time check of the registry (O(n² · dim), uses
   * ml-matrix; never on the routing path).
   * @param options - see {@link OverlapReportOptions}
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION` for bad options or more than `maxProjects` projects.
   */
  overlapReport(options: OverlapReportOptions = {}): OverlapReport {
    const rows = this.#entries.map((e) => this.#vectorsOf(e)[0]!);
    return computeOverlap(this.#entries.map((e) => e.n.project.modelPath), rows, options);
  }

  /** Counters, latency percentiles and the last decisions. */
  stats(): RouterStats {
    const recent: RouteResult[] = [];
    const cap = this.#recent.length;
    for (let k = 0; k < this.#recentLen; k++) {
      const r = this.#recent[(this.#recentPos - this.#recentLen + k + cap) % cap];
      if (r) recent.push(r);
    }
    const c = this.#counts;
    return {
      nodeId: this.#o.nodeId,
      projects: this.#entries.length,
      rows: this.#index.rows + (this.#head?.rows ?? 0),
      kernel: this.#index.kernel,
      precision: this.#index.precision,
      embedderId: this.#embedder.id,
      matrixBytes: this.#index.matrixBytes + (this.#head?.matrixBytes ?? 0),
      routes: { ...c, total: c.explicit + c.keyword + c.semantic + c.fallback },
      latency: this.#hist.summary(),
      recent,
      embeddingCache: this.#cacheStats ? { ...this.#cacheStats } : undefined,
      fit: {
        state: this.fitState,
        learnedProjects: this.#head?.rows ?? 0,
        kept: this.#lastReport?.kept,
        keptReason: this.#lastReport?.keptReason,
        features: this.#head ? this.#headFeatures!.kind : undefined,
        threshold: this.#threshold,
        pending: this.#fitsPending > 0 || this.#refitTimer !== undefined,
      },
    };
  }

  // ---- routing internals -------------------------------------------------------------

  #routeExplicit(model: string | undefined, t0: number): RouteResult | null {
    if (typeof model !== 'string') return null;
    const target = this.#explicit.get(model);
    if (target === undefined) return null;
    const project = target.entry.n.project;
    return this.#record({
      modelPath: project.modelPath, project, method: 'explicit', score: 1,
      candidates: target.entry.explicitCandidates, reasons: target.reasons, latencyMs: performance.now() - t0,
    });
  }

  /** Text to embed, or a finished result (invalid input, pattern decision). */
  #prepare(messages: RouteInput, t0: number, reasons: string[]): string | RouteResult {
    const extracted = extractRouteText(messages, this.#o.maxPromptChars);
    if (extracted.invalid !== undefined) return this.#fallback(`invalid messages (ERR_INVALID_MESSAGES): ${extracted.invalid}`, reasons, EMPTY, -Infinity, t0);
    if (extracted.truncated) reasons.push(`prompt cut to ${this.#o.maxPromptChars} chars for routing`);
    if (extracted.text.length === 0) return this.#fallback('no text to route on', reasons, EMPTY, -Infinity, t0);
    if (this.#matcher.hasPatterns) {
      const hit = this.#matcher.matchPattern(extracted.text);
      if (hit) {
        const project = hit.owner.n.project;
        reasons.push(`pattern ${hit.re.display} matched`);
        return this.#record({
          modelPath: project.modelPath, project, method: 'keyword', score: 1,
          candidates: hit.owner.explicitCandidates, reasons, latencyMs: performance.now() - t0,
        });
      }
    }
    return extracted.text;
  }

  /** Scores are at f32[offset + r*step] for every row. */
  #finish(text: string, offset: number, step: number, t0: number, reasons: string[]): RouteResult {
    const entries = this.#entries;
    const nProj = entries.length;
    if (nProj === 0) return this.#fallback('no projects registered', reasons, EMPTY, -Infinity, t0);
    const index = this.#index;
    const f = index.f32;
    const owners = index.owners;
    const ownerOff = index.ownerOffset;
    const ps = this.#projScores;
    ps.fill(-Infinity, 0, nProj);
    const rows = index.rows;
    for (let r = 0; r < rows; r++) {
      const s = f[offset + r * step]!;
      const p = owners[ownerOff + r]!;
      if (s > ps[p]!) ps[p] = s;
    }
    const head = this.#head;
    if (head) {
      const hf = head.f32;
      const ho = head.owners;
      const hOut = head.outOffset;
      for (let r = 0, n = head.rows; r < n; r++) {
        const s = hf[hOut + r]!;
        const p = ho[r]!;
        if (s > ps[p]!) ps[p] = s;
      }
    }
    // keyword / domain boosts (sparse)
    const stamp = ++this.#stamp;
    const hits = this.#matcher.match(text) > 0 ? this.#matcher.hits : null;
    if (hits) {
      const maxBoost = this.#o.maxBoost;
      for (const rule of hits) {
        const e = rule.owner;
        if (e.hitStamp !== stamp) { e.hitStamp = stamp; e.boost = 0; }
        const add = Math.min(rule.boost, maxBoost - e.boost);
        if (add <= 0) continue;
        e.boost += add;
        ps[e.slot]! += add;
      }
    }
    const k = topK(ps, 0, nProj, this.#o.topK, this.#topIdx, this.#topScore);
    const candidates: RouteCandidate[] = [];
    for (let i = 0; i < k; i++) candidates.push({ modelPath: entries[this.#topIdx[i]!]!.n.project.modelPath, score: round(this.#topScore[i]!) });
    const best = k > 0 ? entries[this.#topIdx[0]!]! : undefined;
    const bestScore = k > 0 ? this.#topScore[0]! : -Infinity;
    const bestBoost = best && best.hitStamp === stamp ? best.boost : 0;
    if (hits) this.#explainHits(hits, best, reasons);
    const threshold = this.#threshold;
    if (!best || !(bestScore >= threshold)) {
      const why = best
        ? `best score ${round(bestScore)} ('${best.n.project.modelPath}') below threshold ${round(threshold)}`
        : 'no candidate scored';
      return this.#fallback(why, reasons, candidates, bestScore, t0);
    }
    const project = best.n.project;
    const semantic = bestScore - bestBoost;
    reasons.push(`semantic ${round(semantic)} for '${project.modelPath}'${bestBoost > 0 ? ` + boost ${round(bestBoost)}` : ''} >= threshold ${round(threshold)}`);
    return this.#record({
      modelPath: project.modelPath, project, method: bestBoost > 0 ? 'keyword' : 'semantic',
      score: round(bestScore), candidates, reasons, latencyMs: performance.now() - t0,
    });
  }

  #explainHits(hits: readonly KeywordRule<Entry>[], best: Entry | undefined, reasons: string[]): void {
    // Reasons name the winner's rules first, then others (bounded).
    let listed = 0;
    for (let pass = 0; pass < 2; pass++) {
      const winners = pass === 0;
      for (const rule of hits) {
        if ((rule.owner === best) !== winners || listed >= 8) continue;
        reasons.push(`${rule.kind} '${rule.label}' +${rule.boost}${winners ? '' : ` (for '${rule.owner.n.project.modelPath}')`}`);
        listed++;
      }
    }
  }

  #fallback(why: string, reasons: string[], candidates: readonly RouteCandidate[], bestScore: number, t0: number): RouteResult {
    const target = this.#o.defaultProject === undefined ? undefined : this.#byPath.get(this.#o.defaultProject);
    reasons.push(why);
    reasons.push(target ? `fallback to default project '${target.n.project.modelPath}'` : 'fallback: no default project configured');
    return this.#record({
      modelPath: target ? target.n.project.modelPath : null,
      project: target ? target.n.project : null,
      method: 'fallback',
      score: Number.isFinite(bestScore) ? round(bestScore) : 0,
      candidates, reasons, latencyMs: performance.now() - t0,
    });
  }

  #record(result: RouteResult): RouteResult {
    this.#counts[result.method]++;
    this.#hist.recordMs(result.latencyMs);
    const cap = this.#recent.length;
    if (cap > 0) {
      this.#recent[this.#recentPos] = result;
      this.#recentPos = (this.#recentPos + 1) % cap;
      if (this.#recentLen < cap) this.#recentLen++;
    }
    if (this.listenerCount('route:selected') > 0) this.emit('route:selected', result);
    if (metricsChannel.hasSubscribers) publishRouteMetric(this.#o.nodeId, result);
    return result;
  }

  // ---- registry internals ------------------------------------------------------------

  async #embedChecked(texts: readonly string[]): Promise<Float32Array[]> {
    let out: unknown;
    try {
      out = await this.#embedder.embed(texts);
    } catch (e) {
      throw new SwitchyardError('ERR_EMBEDDER_FAILED', `Embedder '${this.#embedder.id}' failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
    const dim = this.#embedder.dim;
    if (!Array.isArray(out) || out.length !== texts.length) {
      throw new SwitchyardError('ERR_EMBEDDER_FAILED', `Embedder '${this.#embedder.id}' returned ${describeValue(out)} for ${texts.length} texts`);
    }
    for (const v of out as unknown[]) {
      if (!(v instanceof Float32Array) || v.length !== dim) {
        throw new SwitchyardError('ERR_EMBEDDER_FAILED', `Embedder '${this.#embedder.id}' returned a vector that is not a Float32Array of length ${dim}`);
      }
      for (let i = 0; i < dim; i++) {
        if (!Number.isFinite(v[i]!)) throw new SwitchyardError('ERR_EMBEDDER_FAILED', `Embedder '${this.#embedder.id}' returned a non-finite value`);
      }
    }
    return out as Float32Array[];
  }

  /** One vector per row for each project: [main, ...examples]. Cached vectors are reused; only the rest is embedded (one call). */
  async #embedProjects(list: readonly NormalizedProject[]): Promise<Float32Array[][]> {
    const texts: string[] = [];
    for (const n of list) {
      if (!n.embedding) texts.push(n.mainText);
      texts.push(...n.project.examples);
    }
    const cache = this.#cache;
    const vecs: (Float32Array | undefined)[] = cache ? texts.map((t) => cache.get(t)) : [];
    const missing = cache ? texts.filter((_, i) => vecs[i] === undefined) : texts;
    const fresh = missing.length ? await this.#embedChecked(missing) : [];
    if (cache) {
      let m = 0;
      for (let i = 0; i < texts.length; i++) if (vecs[i] === undefined) { vecs[i] = fresh[m]!; cache.set(texts[i]!, fresh[m++]!); }
      this.#cacheStats!.reused += texts.length - missing.length;
      this.#cacheStats!.computed += missing.length;
    } else vecs.push(...fresh);
    let k = 0;
    return list.map((n) => {
      const rows: Float32Array[] = [n.embedding ?? vecs[k++]!];
      for (let i = 0; i < n.project.examples.length; i++) rows.push(vecs[k++]!);
      return rows;
    });
  }

  /** Rewrites the cache file with the vectors of the current projects; a failure is reported, never thrown. */
  async #saveCache(): Promise<void> {
    const cache = this.#cache;
    if (!cache) return;
    cache.retain(this.#entries.flatMap((e) => (e.n.embedding ? e.n.project.examples : [e.n.mainText, ...e.n.project.examples])));
    try {
      await cache.save();
      this.#cacheStats!.lastSaveError = undefined;
    } catch (e) {
      this.#cacheStats!.lastSaveError = (e as Error).message;
      if (this.listenerCount('cache:error') > 0) this.emit('cache:error', e as SwitchyardError);
    }
  }

  /** The project's unfitted vectors ([main, ...examples]), fresh copies (exact while they are in the unfitted matrix). */
  #vectorsOf(e: Entry): Float32Array[] {
    if (e.headRow >= 0 && e.unfitted) return e.unfitted.vectors();
    return e.rows.map((r) => {
      const v = new Float32Array(this.#index.dim);
      this.#index.readRow(r, v);
      return v;
    });
  }

  #fitTarget(awaited: boolean): FitTarget {
    const cache = this.#cache;
    return {
      embedderId: this.#embedder.id,
      dim: this.#index.dim,
      maxPromptChars: this.#o.maxPromptChars,
      thresholdFixed: this.#o.thresholdFixed,
      projects: this.#entries.map((e) => ({
        token: e.n, modelPath: e.n.project.modelPath, names: [e.n.project.modelPath, ...e.n.project.aliases],
        mainText: e.n.mainText, examples: e.n.project.examples, embedding: e.n.embedding,
        quantized: () => {
          if (e.n !== this.#byPath.get(e.n.project.modelPath)?.n) return undefined;
          // quantised once per project version and kept: the swap reuses it as the stored unfitted copy
          e.unfitted ??= new QuantizedVectors(this.#vectorsOf(e), this.#index.dim);
          return e.unfitted;
        },
      })),
      embed: (texts) => this.#embedChecked(texts),
      prepare: async (tokens) => {
        // int8 copies of the unfitted vectors, made in slices before the synchronous swap
        const slicer = new Slicer(SLICE_MS);
        for (const e of this.#entries) {
          if (!tokens.has(e.n) || e.unfitted) continue;
          e.unfitted = new QuantizedVectors(this.#vectorsOf(e), this.#index.dim);
          if (slicer.due()) await slicer.pause();
        }
      },
      apply: (learned, features, threshold, report) => this.#applyLearned(learned, features, threshold, report),
      attachment: cache && {
        load: () => cache.loadAttachment(FIT_SUFFIX),
        save: async (data) => {
          try {
            await cache.saveAttachment(FIT_SUFFIX, data);
          } catch (e) {
            if (this.listenerCount('cache:error') > 0) this.emit('cache:error', e as SwitchyardError);
          }
        },
      },
      progress: (e) => { if (this.listenerCount('fit:progress') > 0) this.emit('fit:progress', e); },
      done: (r) => { if (this.listenerCount('fit:done') > 0) this.emit('fit:done', r); },
      started: (run) => {
        this.#running = run;
        if (awaited) run.ref();
        void run.result.finally(() => { if (this.#running === run) this.#running = undefined; }).catch(() => undefined);
      },
    };
  }

  /**
   * Rebuilds both matrices and swaps them in one synchronous step: projects with a learned row
   * (keyed by their current NormalizedProject) get that row in the head, the others their
   * unfitted rows in a fresh unfitted matrix sized to them (WebAssembly memory never shrinks,
   * so the old one is dropped, not cleared). Routing always sees a complete pair.
   */
  #applyLearned(learned: ReadonlyMap<object, Float32Array>, features: HeadFeatures, threshold: number | undefined, report: Pick<FitReport, 'kept' | 'keptReason'> & Partial<FitReport>): number {
    const dim = this.#index.dim;
    if (learned.size === 0 && !this.#head) {
      // nothing learned before or now: the unfitted matrix stays exactly as it is
      this.#threshold = this.#o.threshold;
      this.#lastReport = { ...report, projects: 0 } as FitReport;
      return 0;
    }
    const plan = this.#entries.map((e) => ({ e, w: learned.get(e.n) }));
    const unfittedRows = plan.reduce((n, { e, w }) => n + (w ? 0 : e.unfitted ? e.unfitted.count : e.rows.length), 0);
    const old = this.#index;
    const index = new ProjectIndex(dim, this.#o.precision, this.#o.kernel, Math.max(64, unfittedRows));
    const headRows: Float32Array[] = [];
    const headOwners: number[] = [];
    const scratch = new Float32Array(dim);
    let applied = 0;
    for (const { e, w } of plan) {
      if (w) {
        if (!e.unfitted) e.unfitted = new QuantizedVectors(this.#vectorsOf(e), dim);
        e.rows = [];
        e.headRow = headRows.length;
        headRows.push(w);
        headOwners.push(e.slot);
        applied++;
      } else {
        const rows: number[] = [];
        if (e.headRow >= 0) for (const v of e.unfitted!.vectors()) rows.push(index.addRow(v, 0, e.slot));
        else for (const r of e.rows) { old.readRow(r, scratch); rows.push(index.addRow(scratch, 0, e.slot, false)); }
        e.rows = rows;
        e.unfitted = undefined;
        e.headRow = -1;
      }
    }
    const head = headRows.length > 0 ? new LearnedHead(features.dim, headRows, headOwners, this.#o.kernel) : undefined;
    this.#index = index;
    this.#head = head;
    this.#headFeatures = head ? features : undefined;
    this.#threshold = applied > 0 && threshold !== undefined ? threshold : this.#o.threshold;
    this.#lastReport = { ...report, projects: applied } as FitReport;
    if (applied > 0) this.#everFitted = true;
    return applied;
  }

  #checkClaims(n: NormalizedProject): void {
    const conflict = this.#claimConflict(n);
    if (conflict) throw conflict;
  }

  #claimConflict(n: NormalizedProject): SwitchyardError | undefined {
    const path = n.project.modelPath;
    for (const key of [path, ...n.project.aliases]) {
      const holder = this.#explicit.get(key);
      if (holder && holder.entry.n.project.modelPath !== path) {
        return new SwitchyardError('ERR_DUPLICATE_PROJECT', `Model path or alias '${key}' already belongs to '${holder.entry.n.project.modelPath}'`, { details: { modelPath: key } });
      }
    }
    return undefined;
  }

  // ---- replication internals ---------------------------------------------------------

  #replace(n: NormalizedProject, vectors: readonly Float32Array[]): void {
    const previous = this.#byPath.get(n.project.modelPath);
    if (previous) this.#delete(previous);
    this.#insert(n, vectors);
    this.#scheduleRefit();
    if (this.listenerCount('project:upserted') > 0) this.emit('project:upserted', { project: n.project, action: previous ? 'update' : 'add' });
  }

  #remove(entry: Entry): void {
    this.#delete(entry);
    this.#scheduleRefit();
    if (this.listenerCount('project:removed') > 0) this.emit('project:removed', { modelPath: entry.n.project.modelPath });
  }

  #outbound(message: RouteUpdateMessage): void {
    if (this.listenerCount('update:outbound') > 0) this.emit('update:outbound', message);
  }

  #rejected(event: RouteUpdateRejectedEvent & { reason: RouteUpdateResult['reason'] }): RouteUpdateResult {
    this.#emitRejected(event);
    return event.error ? { applied: false, reason: event.reason, error: event.error } : { applied: false, reason: event.reason };
  }

  #emitRejected(event: RouteUpdateRejectedEvent): void {
    if (this.listenerCount('update:rejected') > 0) this.emit('update:rejected', event);
  }

  /**
   * Makes the index follow the table for updates that won. Synchronous when every vector is
   * at hand (usable embedding in the message, or a synchronous embedder); otherwise embeds in
   * one batch and applies each update only if it is still the table's value for its path.
   */
  #reconcile(updates: readonly ParsedRouteUpdate[]): Promise<void> | undefined {
    const pending: { p: ParsedRouteUpdate; n: NormalizedProject; main: Float32Array | undefined }[] = [];
    for (const p of updates) {
      const m = p.message;
      if (this.listenerCount('update:applied') > 0) this.emit('update:applied', m);
      if (m.action === 'remove') {
        const entry = this.#byPath.get(p.modelPath);
        if (entry) this.#remove(entry);
        continue;
      }
      const emb = m.project.embedding;
      const main = m.embedder === this.#embedder.id && emb?.length === this.#embedder.dim ? Float32Array.from(emb) : undefined;
      const base = p.normalized!;
      const n: NormalizedProject = main ? { ...base, embedding: main, project: Object.freeze({ ...base.project, hasEmbedding: true }) } : base;
      const texts = main ? n.project.examples : [n.mainText, ...n.project.examples];
      if (texts.length > 0 && !this.#sync) {
        pending.push({ p, n, main });
        continue;
      }
      const rows = texts.map((t) => {
        const v = new Float32Array(this.#embedder.dim);
        this.#embedder.embedInto!(t, v, 0);
        return v;
      });
      this.#indexWinner(p, n, main ? [main, ...rows] : rows);
    }
    return pending.length ? this.#reconcileAsync(pending) : undefined;
  }

  async #reconcileAsync(pending: readonly { p: ParsedRouteUpdate; n: NormalizedProject; main: Float32Array | undefined }[]): Promise<void> {
    let vectors: Float32Array[][];
    try {
      vectors = await this.#embedProjects(pending.map((x) => x.n));
    } catch (e) {
      for (const { p } of pending) {
        this.#emitRejected({ reason: 'embedder-failed', modelPath: p.modelPath, fromNode: p.message.from_node, error: e as SwitchyardError });
      }
      return;
    }
    pending.forEach((x, i) => {
      if (this.#replica.get(x.p.modelPath) === x.p.message) this.#indexWinner(x.p, x.n, vectors[i]!);
    });
  }

  #indexWinner(p: ParsedRouteUpdate, n: NormalizedProject, vectors: readonly Float32Array[]): void {
    const conflict = this.#claimConflict(n);
    if (conflict) this.#emitRejected({ reason: 'conflict', modelPath: p.modelPath, fromNode: p.message.from_node, error: conflict });
    else this.#replace(n, vectors);
  }

  #insert(n: NormalizedProject, vectors: readonly Float32Array[]): void {
    const slot = this.#entries.length;
    const p = n.project;
    const entry: Entry = {
      n, slot, rows: [], headRow: -1, unfitted: undefined, boost: 0, hitStamp: -1,
      explicitCandidates: Object.freeze([Object.freeze({ modelPath: p.modelPath, score: 1 })]),
    };
    if (slot >= this.#projScores.length) this.#projScores = new Float32Array(this.#projScores.length * 2);
    // rows with no features (e.g. an example of only punctuation) still get a row: score 0
    for (const v of vectors) entry.rows.push(this.#index.addRow(v, 0, slot));
    this.#entries.push(entry);
    this.#byPath.set(p.modelPath, entry);
    this.#explicit.set(p.modelPath, { entry, reasons: Object.freeze([`explicit model '${p.modelPath}'`]) });
    for (const a of p.aliases) this.#explicit.set(a, { entry, reasons: Object.freeze([`explicit alias '${a}' of '${p.modelPath}'`]) });
    this.#matcher.add(entry, p.keywords, p.domain, n.compiledPatterns, this.#o.keywordBoost, this.#o.domainBoost);
  }

  #delete(entry: Entry): void {
    const index = this.#index;
    const head = this.#head;
    if (head && entry.headRow >= 0) {
      const moved = head.removeColumn(entry.headRow);
      if (moved >= 0) this.#entries[head.owner(entry.headRow)]!.headRow = entry.headRow;
      entry.headRow = -1;
    }
    // remove rows, highest index first so swap-removes never move a row of this entry
    const rows = entry.rows.slice().sort((a, b) => b - a);
    for (const r of rows) {
      const moved = index.removeRow(r);
      if (moved < 0) continue;
      const owner = this.#entries[index.owner(r)]!;
      const at = owner.rows.indexOf(moved);
      if (at >= 0) owner.rows[at] = r;
    }
    // swap-remove the entry's slot
    const last = this.#entries.pop()!;
    if (last !== entry) {
      last.slot = entry.slot;
      this.#entries[entry.slot] = last;
      for (const r of last.rows) index.setOwner(r, last.slot);
      if (head && last.headRow >= 0) head.setOwner(last.headRow, last.slot);
    }
    const p = entry.n.project;
    this.#byPath.delete(p.modelPath);
    this.#explicit.delete(p.modelPath);
    for (const a of p.aliases) this.#explicit.delete(a);
    this.#matcher.remove(entry);
  }
}
