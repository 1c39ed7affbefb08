import { EventEmitter } from 'eventemitter3';
import type { Embedder } from '../embed/embedder.js';
import { SwitchyardError } from '../errors.js';
import type { RouteInput } from '../internal/message-text.js';
import { emitRenamed } from '../internal/renamed-event.js';
import type { RouteTableState } from '../gossip/route-state.js';
import type { MergeStateResult, RouteUpdateResult } from '../gossip/update-result.js';
import type { FitOptions } from '../learn/fit-options.js';
import type { FitReport, FitState } from '../learn/fit-router.js';
import { computeOverlap, type OverlapReport, type OverlapReportOptions } from './overlap-report.js';
import { ProjectEmbeddings } from './project-embeddings.js';
import { normalizeProject, type Project, type ProjectSpec } from './project-spec.js';
import { ProjectRegistry, normalizeInitialProjects } from './registry.js';
import { Replication, registryTarget } from './replication.js';
import type { RouteResult } from './route-result.js';
import { RoutePath } from './route-path.js';
import { emitProjectChange, type FastProjectRouterEvents } from './router-events.js';
import { RouterFit } from './router-fit.js';
import { resolveRouterOptions, type FastProjectRouterOptions, type ResolvedRouterOptions } from './router-options.js';
import type { RouteRequest, RouterStats } from './router-types.js';

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
  readonly #reg: ProjectRegistry;
  readonly #emb: ProjectEmbeddings;
  readonly #path: RoutePath;
  readonly #fit: RouterFit;
  readonly #replication: Replication;
  #closing: Promise<void> | undefined;
  #closed = false; // set by close(); a boolean keeps the route methods' check one load

  private constructor(o: ResolvedRouterOptions) {
    super();
    this.#o = o;
    const embedder = (this.#embedder = o.embedder);
    this.#reg = new ProjectRegistry({ ...o, dim: embedder.dim }, o.projects.length * 2, (project, action) => this.#changed(project, action));
    this.#emb = new ProjectEmbeddings(embedder, o.cachePath, (e) => emitRenamed(this, 'cache:failed', 'cache:error', e));
    this.#path = new RoutePath(o, this.#reg, embedder, (texts) => this.#emb.embedChecked(texts), this);
    this.#fit = new RouterFit(o, this.#reg, this.#emb, embedder, this);
    this.#replication = new Replication(o, registryTarget(embedder, this.#reg, this.#emb, this));
  }

  /**
   * Validates options and projects, embeds every project (one batched call), builds the score matrix.
   * @param options - see {@link FastProjectRouterOptions}
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION`, `ERR_INVALID_PROJECT`, `ERR_DUPLICATE_PROJECT`, `ERR_INVALID_EMBEDDING`, `ERR_EMBEDDER_FAILED`.
   */
  static async create(options: FastProjectRouterOptions = {}): Promise<FastProjectRouter> {
    const o = resolveRouterOptions(options);
    const router = new FastProjectRouter(o);
    const normalized = normalizeInitialProjects(o.projects, o.embedder.dim, o.defaultProject);
    await router.#emb.load();
    const vectors = await router.#emb.embedProjects(normalized);
    router.#reg.insertInitial(normalized, vectors);
    await router.#emb.save(router.#reg.entries);
    await router.#fit.start();
    return router;
  }

  /** The embedder in use. */
  get embedder(): Embedder {
    return this.#embedder;
  }

  /** Number of registered projects. */
  get size(): number {
    return this.#reg.entries.length;
  }

  /** A registered project by model path or alias. */
  getProject(model: string): Project | undefined {
    return this.#reg.project(model);
  }

  /** All registered projects (order unspecified). */
  projects(): Project[] {
    return this.#reg.entries.map((e) => e.n.project);
  }

  /**
   * Routes synchronously. Requires an embedder with `embedInto` (e.g. {@link HashEmbedder}).
   * Never throws for request content: unusable input routes to the fallback with a reason.
   * @param model - the request's model field: a model path or alias routes explicitly; `'auto'` or anything else routes by content
   * @param messages - prompt string or chat messages (OpenAI or Anthropic shape)
   * @throws {@link SwitchyardError} `ERR_SYNC_EMBEDDER_REQUIRED` with an asynchronous embedder; `ERR_CLOSED` after {@link FastProjectRouter.close}.
   */
  routeSync(model: string | undefined, messages: RouteInput): RouteResult {
    if (this.#closed) throw closed('routeSync');
    return this.#path.routeSync(model, messages);
  }

  /**
   * Routes with any embedder (awaits asynchronous ones). @param model - see {@link FastProjectRouter.routeSync}
   * @param messages - prompt string or chat messages
   * @throws {@link SwitchyardError} `ERR_EMBEDDER_FAILED` when the embedder throws or returns a malformed vector; `ERR_CLOSED` after close().
   */
  route(model: string | undefined, messages: RouteInput): Promise<RouteResult> {
    if (this.#closed) return Promise.reject(closed('route'));
    return this.#path.route(model, messages);
  }

  /**
   * Routes many requests: one batched embed, then the matrix is scored four queries per pass.
   * Results are in request order. @param requests - requests to route
   * @throws {@link SwitchyardError} `ERR_CLOSED` after close().
   */
  routeBatch(requests: readonly RouteRequest[]): Promise<RouteResult[]> {
    if (this.#closed) return Promise.reject(closed('routeBatch'));
    return this.#path.routeBatch(requests);
  }

  /**
   * Adds a project or replaces the one with the same model path. Atomic: on any error the registry
   * is unchanged. Emits `update:published` with the route update to broadcast. @param spec - the project
   * @returns the stored project
   * @throws {@link SwitchyardError} `ERR_INVALID_PROJECT`, `ERR_DUPLICATE_PROJECT` (an alias taken by another project), `ERR_INVALID_EMBEDDING`, `ERR_EMBEDDER_FAILED`, `ERR_CLOSED`.
   */
  async upsertProject(spec: ProjectSpec): Promise<Project> {
    if (this.#closed) throw closed('upsertProject');
    const n = normalizeProject(spec, this.#embedder.dim);
    this.#reg.checkClaims(n);
    const vectors = await this.#emb.embedProjects([n]);
    if (this.#closed) throw closed('upsertProject');
    this.#reg.checkClaims(n); // the registry may have changed while embedding
    const message = this.#replication.localUpsert(n, vectors[0]![0]!, this.#reg.byPath(n.project.modelPath) !== undefined);
    this.#reg.replace(n, vectors[0]!);
    emitRenamed(this, 'update:published', 'update:outbound', message);
    await this.#emb.save(this.#reg.entries);
    return n.project;
  }

  /**
   * Removes a project by model path. Emits `update:published` with the route update (a tombstone)
   * to broadcast. @param modelPath - `namespace/name`
   * @returns whether a project was removed
   * @throws {@link SwitchyardError} `ERR_CLOSED` after close().
   */
  removeProject(modelPath: string): boolean {
    if (this.#closed) throw closed('removeProject');
    if (typeof modelPath !== 'string') return false;
    const message = this.#replication.localRemove(modelPath, this.#reg.byPath(modelPath)?.n.project);
    if (!message) return false;
    this.#reg.remove(modelPath);
    emitRenamed(this, 'update:published', 'update:outbound', message);
    return true;
  }

  /**
   * Applies a peer's route update (JSON string, bytes or object); never throws on bad input. The
   * table is decided synchronously: re-broadcast only when `applied`. The index follows at once
   * when the message's embedding is usable and the project has no examples, or the embedder is
   * synchronous; else `indexed` resolves when it has (docs/replication.md).
   * @param message - the received route update
   * @throws {@link SwitchyardError} `ERR_CLOSED` after close() (never for the message).
   * @example
   * ```ts
   * sub.on('message', (raw) => {
   *   const r = router.handleRouteUpdate(raw);
   *   if (r.applied) gossip.forward(raw);
   * });
   * ```
   */
  handleRouteUpdate(message: unknown): RouteUpdateResult {
    if (this.#closed) throw closed('handleRouteUpdate');
    return this.#replication.handleRouteUpdate(message);
  }

  /**
   * The whole replicated route table (live entries and tombstones), JSON-serialisable, for
   * anti-entropy: a peer or restarted node passes it to {@link FastProjectRouter.mergeState}.
   * Projects given to `create()` are configuration, not state: only changes made through
   * upsertProject, removeProject and peers' updates are in it.
   */
  exportState(): RouteTableState {
    return this.#replication.exportState();
  }

  /**
   * Merges a peer's {@link RouteTableState} (object, JSON string or bytes): each entry is validated
   * and applied as a route update would be, except that live entries of any age are accepted.
   * Commutative, associative, idempotent; never throws on bad input. One synchronous stretch, so
   * states above `maxSyncStateBytes` (default 256 KiB) are refused with `error`: merge those with
   * {@link FastProjectRouter.mergeStateAsync}. @param state - from {@link FastProjectRouter.exportState}
   * @throws {@link SwitchyardError} `ERR_CLOSED` after close() (never for the state).
   */
  mergeState(state: unknown): MergeStateResult {
    if (this.#closed) throw closed('mergeState');
    return this.#replication.mergeState(state);
  }

  /**
   * {@link FastProjectRouter.mergeState} for states up to `maxStateBytes`, in slices that give the event loop a
   * turn every `sliceMs` (routing keeps its latency while a large or hostile state merges; linear in its bytes,
   * rate in docs/security.md). Resolves once table and index reflect the state; never rejects on bad input.
   * @param state - a state from {@link FastProjectRouter.exportState} (object, JSON string or bytes)
   * @param options - `sliceMs`: longest synchronous stretch aimed for, ms (default 4)
   * @throws {@link SwitchyardError} `ERR_CLOSED` after close().
   */
  mergeStateAsync(state: unknown, options: { readonly sliceMs?: number } = {}): Promise<MergeStateResult> {
    if (this.#closed) return Promise.reject(closed('mergeStateAsync'));
    return this.#replication.mergeStateAsync(state, options);
  }

  /**
   * Trains one row per project (a softmax head over the embedder's features) from examples, main
   * texts and optional feedback, and swaps the learned rows in in one synchronous step: routing
   * keeps working meanwhile and always sees a complete matrix. Projects upserted later route with
   * their unfitted rows until the next fit ({@link FastProjectRouter.fitState} `'stale'`). Calls
   * are serialised. With `cachePath`, rows are saved beside the cache and reused while unchanged.
   * @param options - see {@link FitOptions}
   * @returns what was trained, see {@link FitReport}
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION` (bad options), `ERR_EMBEDDER_FAILED` (embedding feedback), `ERR_CLOSED`.
   * @example
   * ```ts
   * const report = await router.fit({ epochs: 15 });
   * report.heldOutAccuracy; // e.g. 0.93
   * ```
   */
  fit(options?: FitOptions): Promise<FitReport> {
    if (this.#closed) return Promise.reject(closed('fit'));
    return this.#fit.fit(options);
  }

  /**
   * Resolves once the current fit (the auto-fit of `create()`, a started refit, or a `fit()` call)
   * has finished: with its report, or `null` when nothing was fitted (no examples, `fit: false`, or
   * the fit failed). Keeps the process alive until then. Routing never waits; batch jobs and tests do.
   */
  whenFitted(): Promise<FitReport | null> {
    return this.#fit.whenFitted();
  }

  /** `'unfitted'` (never fitted), `'fitted'` (every project routes by its learned row) or `'stale'` (some projects changed since the last fit). */
  get fitState(): FitState {
    return this.#fit.state;
  }

  /**
   * Finds projects whose main rows (description, topics, keywords) are so similar that requests may
   * flip between them: a design-time check (O(n² · dim), ml-matrix; never on the routing path).
   * @param options - see {@link OverlapReportOptions}
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION` for bad options or more than `maxProjects` projects.
   */
  overlapReport(options: OverlapReportOptions = {}): OverlapReport {
    const entries = this.#reg.entries;
    return computeOverlap(entries.map((e) => e.n.project.modelPath), entries.map((e) => this.#reg.vectorsOf(e)[0]!), options);
  }

  /** Counters, latency percentiles and the last decisions. */
  stats(): RouterStats {
    const m = this.#reg.matrixStats(); // keys in the order stats() always had (JSON output is stable)
    return {
      nodeId: this.#o.nodeId, projects: m.projects, rows: m.rows, kernel: m.kernel, precision: m.precision, embedderId: this.#embedder.id,
      matrixBytes: m.matrixBytes, ...this.#path.stats.snapshot(), embeddingCache: this.#emb.stats(), fit: this.#fit.stats(),
    };
  }

  /**
   * Shuts the router down: stops the refit timer, refuses fits not yet started, lets a running fit
   * end, drops route updates still being embedded, writes an embedding cache holding unsaved changes
   * and removes every listener. Idempotent (later calls return the same promise). Afterwards routing,
   * registry, replication and fit methods throw `ERR_CLOSED`; `stats()`, `exportState()` and the getters keep working.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#replication.close();
    // neither step rejects: fit.close() waits out a running fit quietly, a failed save is an event
    return (this.#closing = this.#fit.close()
      .then(() => (this.#emb.dirty ? this.#emb.save(this.#reg.entries) : undefined))
      .finally(() => this.removeAllListeners()));
  }

  /** After every registry change but the initial inserts: the cache is stale, a refit is due, listeners hear of it. */
  #changed(project: Project, action: 'add' | 'update' | 'remove'): void {
    this.#emb.markDirty();
    this.#fit.scheduleRefit();
    emitProjectChange(this, project, action);
  }
}

const closed = (method: string): SwitchyardError => new SwitchyardError('ERR_CLOSED', `FastProjectRouter#${method}() called after close()`);
