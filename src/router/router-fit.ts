// Fit integration: the FitTarget the router gives fitRouterRows(), the serialised fit queue,
// the background auto-fit and its debounced refit, and the swap of learned rows into the
// registry's matrices.
import type { EventEmitter } from 'eventemitter3';
import type { Embedder } from '../embed/embedder.js';
import { SwitchyardError } from '../errors.js';
import { emitRenamed } from '../internal/renamed-event.js';
import { resolveFitOptions, type FitFeatures, type FitOptions } from '../learn/fit-options.js';
import { FIT_SUFFIX, fitRouterRows, type FitReport, type FitRun, type FitState, type FitTarget, type HeadFeatures } from '../learn/fit-router.js';
import { QuantizedVectors } from '../internal/quantized-vectors.js';
import { SLICE_MS, Slicer } from '../internal/slicer.js';
import { LearnedHead } from './learned-head.js';
import { ProjectIndex, type IndexPrecision, type KernelChoice } from './project-index.js';
import type { ProjectEmbeddings } from './project-embeddings.js';
import type { ProjectRegistry } from './registry.js';
import type { FastProjectRouterEvents } from './router-events.js';
import type { RouterFitStats } from './router-types.js';

/** What the fit integration reads of the resolved options. @internal */
export interface RouterFitSettings {
  readonly precision: IndexPrecision;
  readonly kernel: KernelChoice;
  readonly maxPromptChars: number;
  readonly threshold: number;
  readonly thresholdFixed: boolean;
  readonly fit: FitOptions | 'auto' | undefined;
  readonly refitAfterMs: number | undefined;
}

/** Fits, refits and swaps learned rows for one router. @internal */
export class RouterFit {
  readonly #s: RouterFitSettings;
  readonly #reg: ProjectRegistry;
  readonly #emb: ProjectEmbeddings;
  readonly #embedder: Embedder;
  readonly #events: EventEmitter<FastProjectRouterEvents>;
  #fitting: Promise<unknown> = Promise.resolve();
  #everFitted = false;
  /** The last fit started (explicit, auto or refit); whenFitted() awaits it. */
  #latestFit: Promise<FitReport | null> = Promise.resolve(null);
  #running: FitRun | undefined;
  #fitsPending = 0;
  #refitTimer: ReturnType<typeof setTimeout> | undefined;
  #lastReport: FitReport | undefined;
  #closed = false;

  constructor(s: RouterFitSettings, reg: ProjectRegistry, emb: ProjectEmbeddings, embedder: Embedder, events: EventEmitter<FastProjectRouterEvents>) {
    this.#s = s;
    this.#reg = reg;
    this.#emb = emb;
    this.#embedder = embedder;
    this.#events = events;
  }

  /** See FastProjectRouter.fit. */
  fit(options?: FitOptions): Promise<FitReport> {
    return this.#enqueue(resolveFitOptions(options, this.#defaultFeatures()), true);
  }

  /** See FastProjectRouter.whenFitted. */
  whenFitted(): Promise<FitReport | null> {
    this.#running?.ref();
    return this.#latestFit;
  }

  /** See FastProjectRouter.fitState. */
  get state(): FitState {
    if (!this.#everFitted) return 'unfitted';
    return this.#reg.entries.every((e) => e.headRow >= 0) ? 'fitted' : 'stale';
  }

  /** The fit part of the router's stats. */
  stats(): RouterFitStats {
    const head = this.#reg.head;
    return {
      state: this.state,
      learnedProjects: head?.rows ?? 0,
      kept: this.#lastReport?.kept,
      keptReason: this.#lastReport?.keptReason,
      features: head ? this.#reg.headFeatures!.kind : undefined,
      threshold: this.#reg.threshold,
      pending: this.#fitsPending > 0 || this.#refitTimer !== undefined,
    };
  }

  /** After create(): the configured fit (`'auto'` starts in the background; options are awaited). */
  async start(): Promise<void> {
    const fit = this.#s.fit;
    if (fit === 'auto') this.#startAutoFit();
    else if (fit !== undefined) await this.fit(fit);
  }

  /** After a registry change: refit in the background once changes have stopped for `refitAfterMs` (auto-fit only). */
  scheduleRefit(): void {
    const ms = this.#s.refitAfterMs;
    if (this.#s.fit !== 'auto' || ms === undefined || this.#closed) return;
    if (this.#refitTimer !== undefined) clearTimeout(this.#refitTimer);
    this.#refitTimer = setTimeout(() => { this.#refitTimer = undefined; this.#startAutoFit(); }, ms);
    this.#refitTimer.unref?.();
  }

  /**
   * Stops the refit timer and refuses fits not yet started (`ERR_CLOSED` to their callers);
   * resolves once the fit that is running, if any, has ended (it never rejects).
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#refitTimer !== undefined) clearTimeout(this.#refitTimer);
    this.#refitTimer = undefined;
    await this.#fitting;
  }

  /** The head's features when the fit options name none: the embedder's own choice, else hybrid for a model (asynchronous) embedder and hashed for a synchronous one. */
  #defaultFeatures(): FitFeatures {
    const declared = this.#embedder.fitFeatures;
    if (declared === 'hashed' || declared === 'embedder' || declared === 'hybrid') return declared;
    return typeof this.#embedder.embedInto === 'function' ? 'hashed' : 'hybrid';
  }

  #enqueue(o: ReturnType<typeof resolveFitOptions>, awaited: boolean): Promise<FitReport> {
    this.#fitsPending++;
    const run = this.#fitting.then(() => {
      if (this.#closed) throw new SwitchyardError('ERR_CLOSED', 'FastProjectRouter#fit() did not start: the router was closed');
      return fitRouterRows(this.#target(awaited), o);
    });
    const settle = run.finally(() => { this.#fitsPending--; });
    this.#fitting = settle.catch(() => undefined);
    this.#latestFit = settle.catch(() => null);
    return settle;
  }

  /** Starts the default background fit when at least two projects carry examples. */
  #startAutoFit(): void {
    const entries = this.#reg.entries;
    if (entries.length < 2 || !entries.some((e) => e.n.project.examples.length > 0)) return;
    const run = this.#enqueue(resolveFitOptions({ adopt: 'auto' }, this.#defaultFeatures()), false);
    run.catch((e: unknown) => {
      const err = e instanceof SwitchyardError ? e : new SwitchyardError('ERR_INVALID_OPTION', String((e as Error)?.message ?? e), { cause: e });
      if (err.code === 'ERR_CLOSED') return; // refused by close(): not a failure to report
      emitRenamed(this.#events, 'fit:failed', 'fit:error', err);
    });
  }

  #target(awaited: boolean): FitTarget {
    const reg = this.#reg;
    const cache = this.#emb.cache;
    const events = this.#events;
    return {
      embedderId: this.#embedder.id,
      dim: reg.index.dim,
      maxPromptChars: this.#s.maxPromptChars,
      thresholdFixed: this.#s.thresholdFixed,
      projects: reg.entries.map((e) => ({
        token: e.n, modelPath: e.n.project.modelPath, names: [e.n.project.modelPath, ...e.n.project.aliases],
        mainText: e.n.mainText, examples: e.n.project.examples, embedding: e.n.embedding,
        // quantised once per project version and kept: the swap reuses it as the stored unfitted copy
        quantized: () => (e.n === reg.byPath(e.n.project.modelPath)?.n ? reg.quantized(e) : undefined),
      })),
      embed: (texts) => this.#emb.embedChecked(texts),
      prepare: async (tokens) => {
        // int8 copies of the unfitted vectors, made in slices before the synchronous swap
        const slicer = new Slicer(SLICE_MS);
        for (const e of reg.entries) {
          if (!tokens.has(e.n) || e.unfitted) continue;
          reg.quantized(e);
          if (slicer.due()) await slicer.pause();
        }
      },
      apply: (learned, features, threshold, report) => this.#apply(learned, features, threshold, report),
      attachment: cache && {
        load: () => cache.loadAttachment(FIT_SUFFIX),
        save: async (data) => {
          try {
            await cache.saveAttachment(FIT_SUFFIX, data);
          } catch (e) {
            emitRenamed(events, 'cache:failed', 'cache:error', e as SwitchyardError);
          }
        },
      },
      progress: (e) => { if (events.listenerCount('fit:progress') > 0) events.emit('fit:progress', e); },
      done: (r) => { if (events.listenerCount('fit:done') > 0) events.emit('fit:done', r); },
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
  #apply(learned: ReadonlyMap<object, Float32Array>, features: HeadFeatures, threshold: number | undefined, report: Pick<FitReport, 'kept' | 'keptReason'> & Partial<FitReport>): number {
    const reg = this.#reg;
    const old = reg.index;
    const dim = old.dim;
    if (learned.size === 0 && !reg.head) {
      // nothing learned before or now: the unfitted matrix stays exactly as it is
      reg.resetThreshold();
      this.#lastReport = { ...report, projects: 0 } as FitReport;
      return 0;
    }
    const plan = reg.entries.map((e) => ({ e, w: learned.get(e.n) }));
    const unfittedRows = plan.reduce((n, { e, w }) => n + (w ? 0 : e.unfitted ? e.unfitted.count : e.rows.length), 0);
    const index = new ProjectIndex(dim, this.#s.precision, this.#s.kernel, Math.max(64, unfittedRows));
    const headRows: Float32Array[] = [];
    const headOwners: number[] = [];
    const scratch = new Float32Array(dim);
    let applied = 0;
    for (const { e, w } of plan) {
      if (w) {
        if (!e.unfitted) e.unfitted = new QuantizedVectors(reg.vectorsOf(e), dim);
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
    const head = headRows.length > 0 ? new LearnedHead(features.dim, headRows, headOwners, this.#s.kernel) : undefined;
    reg.swap(index, head, features, applied > 0 && threshold !== undefined ? threshold : this.#s.threshold);
    this.#lastReport = { ...report, projects: applied } as FitReport;
    if (applied > 0) this.#everFitted = true;
    return applied;
  }
}
