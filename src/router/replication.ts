// Replication: local writes become route updates, peers' updates and states go through the
// replica's table, and the winners reach the router through a small target interface (as
// learn/fit-router.ts does with FitTarget): Replication knows nothing of matrices or events;
// registryTarget() is the one adapter from the registry, the embeddings and the emitter to it.
import type { EventEmitter } from 'eventemitter3';
import type { Embedder } from '../embed/embedder.js';
import { SwitchyardError } from '../errors.js';
import { optNumber } from '../internal/validate.js';
import { RouteReplica, type ReplicaOptions } from '../gossip/replica.js';
import { wireProjectOf, type ParsedRouteUpdate, type RouteUpdateMessage } from '../gossip/route-update.js';
import type { RouteTableState } from '../gossip/route-state.js';
import type { MergeStateResult, RouteUpdateRejectedEvent, RouteUpdateResult } from '../gossip/update-result.js';
import { Slicer } from '../internal/slicer.js';
import type { ProjectEmbeddings } from './project-embeddings.js';
import type { NormalizedProject, Project } from './project-spec.js';
import type { ProjectRegistry } from './registry.js';
import type { FastProjectRouterEvents } from './router-events.js';

/** What {@link Replication} needs from the router. @internal */
export interface ReplicationTarget {
  readonly embedder: Embedder;
  /** `ERR_DUPLICATE_PROJECT` when an alias or model path of `n` belongs to another project here. */
  claimConflict(n: NormalizedProject): SwitchyardError | undefined;
  /** Puts `n` in the routing index (replacing its model path's project). */
  replace(n: NormalizedProject, vectors: readonly Float32Array[]): void;
  /** Takes a model path out of the routing index, if it is there. */
  remove(modelPath: string): unknown;
  /** One vector per row for each project ([main, ...examples]). */
  embedProjects(list: readonly NormalizedProject[]): Promise<Float32Array[][]>;
  /** A peer's update won (`update:applied`). */
  applied(message: RouteUpdateMessage): void;
  /** An update or state could not be used (`update:rejected`). */
  rejected(event: RouteUpdateRejectedEvent): void;
}

/**
 * The target a router gives its replication: winners go into the registry (which reports the
 * change), projects are embedded with the cache, and outcomes become `update:*` events.
 * @internal
 */
export function registryTarget(embedder: Embedder, reg: ProjectRegistry, emb: ProjectEmbeddings, events: EventEmitter<FastProjectRouterEvents>): ReplicationTarget {
  return {
    embedder,
    claimConflict: (n) => reg.claimConflict(n),
    replace: (n, vectors) => reg.replace(n, vectors),
    remove: (modelPath) => reg.remove(modelPath),
    embedProjects: (list) => emb.embedProjects(list),
    applied: (m) => { if (events.listenerCount('update:applied') > 0) events.emit('update:applied', m); },
    rejected: (e) => { if (events.listenerCount('update:rejected') > 0) events.emit('update:rejected', e); },
  };
}

/** Updates indexed between two event-loop turns of mergeStateAsync(). */
const RECONCILE_CHUNK = 32;

type Pending = { p: ParsedRouteUpdate; n: NormalizedProject; main: Float32Array | undefined };

/** The router's replicated route table and how its winners reach the index. @internal */
export class Replication {
  readonly #replica: RouteReplica;
  readonly #t: ReplicationTarget;
  readonly #maxStateBytes: number;
  readonly #sync: boolean;
  #closed = false;

  constructor(o: ReplicaOptions, target: ReplicationTarget) {
    this.#replica = new RouteReplica(o); // reads the replication settings and the embedder's id and dim
    this.#t = target;
    this.#maxStateBytes = o.maxStateBytes;
    this.#sync = typeof target.embedder.embedInto === 'function';
  }

  /** Records a local upsert; returns the update to publish. `ERR_INVALID_PROJECT` when it cannot be replicated. */
  localUpsert(n: NormalizedProject, main: Float32Array, update: boolean): RouteUpdateMessage {
    try {
      return this.#replica.localWrite(update ? 'update' : 'add', wireProjectOf(n, main), this.#t.embedder.id).message;
    } catch (e) {
      throw new SwitchyardError('ERR_INVALID_PROJECT', `Project '${n.project.modelPath}' cannot be replicated: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * Records a local removal of `modelPath` (`indexed`: the project routing here, if any);
   * returns the tombstone to publish, or undefined when there is nothing to remove.
   */
  localRemove(modelPath: string, indexed: Project | undefined): RouteUpdateMessage | undefined {
    const held = indexed ? undefined : this.#replica.get(modelPath);
    const target = indexed ?? (held?.action === 'remove' ? undefined : held?.project);
    if (!target) return undefined;
    return this.#replica.localWrite('remove', { namespace: target.namespace, name: target.name }).message;
  }

  /** See FastProjectRouter.handleRouteUpdate. */
  handleRouteUpdate(message: unknown): RouteUpdateResult {
    const r = this.#replica.parse(message);
    if (r.error) return this.#rejected({ reason: 'invalid', error: r.error });
    const p = r.parsed;
    const meta = { modelPath: p.modelPath, fromNode: p.message.from_node };
    const conflict = p.normalized && this.#t.claimConflict(p.normalized);
    if (conflict) return this.#rejected({ reason: 'conflict', error: conflict, ...meta });
    const reason = this.#replica.admit(p);
    if (reason === 'expired' || reason === 'future') return this.#rejected({ reason, ...meta });
    if (reason !== 'applied') return { applied: false, reason };
    const indexed = this.#reconcile([p]);
    return indexed ? { applied: true, reason, indexed } : { applied: true, reason };
  }

  /** Stops indexing: embeddings still in flight and merges still slicing change nothing afterwards. */
  close(): void {
    this.#closed = true;
  }

  /** See FastProjectRouter.exportState. */
  exportState(): RouteTableState {
    return this.#replica.exportState();
  }

  /** See FastProjectRouter.mergeState. */
  mergeState(state: unknown): MergeStateResult {
    const r = this.#replica.mergeState(state);
    if (r.error) this.#t.rejected({ reason: 'invalid', error: r.error });
    // entries merged before a late error are in the table: the index follows them too
    const indexed = this.#reconcile(r.applied);
    const counts = { applied: r.applied.length, unchanged: r.unchanged, rejected: r.rejected, ...(r.error ? { error: r.error } : {}) };
    return indexed ? { ...counts, indexed } : counts;
  }

  /** See FastProjectRouter.mergeStateAsync. */
  async mergeStateAsync(state: unknown, options: { readonly sliceMs?: number } = {}): Promise<MergeStateResult> {
    const sliceMs = optNumber('sliceMs', (options as { sliceMs?: unknown } | undefined)?.sliceMs, 4, 0.1, 1000);
    const slicer = new Slicer(sliceMs);
    const pause = async (): Promise<void> => { if (slicer.due()) await slicer.pause(); };
    const steps = this.#replica.mergeSteps(state, this.#maxStateBytes);
    let step = steps.next();
    while (!step.done) {
      await pause();
      step = steps.next();
    }
    const r = step.value;
    if (r.error) this.#t.rejected({ reason: 'invalid', error: r.error });
    const waits: Promise<void>[] = [];
    for (let i = 0; i < r.applied.length && !this.#closed; i += RECONCILE_CHUNK) {
      await pause();
      // a newer update may have won while this merge yielded: index only what the table still holds
      const chunk = r.applied.slice(i, i + RECONCILE_CHUNK).filter((p) => this.#replica.get(p.modelPath) === p.message);
      const pending = this.#reconcile(chunk);
      if (pending) waits.push(pending);
    }
    await Promise.all(waits);
    return { applied: r.applied.length, unchanged: r.unchanged, rejected: r.rejected, ...(r.error ? { error: r.error } : {}) };
  }

  #rejected(event: RouteUpdateRejectedEvent & { reason: RouteUpdateResult['reason'] }): RouteUpdateResult {
    this.#t.rejected(event);
    return event.error ? { applied: false, reason: event.reason, error: event.error } : { applied: false, reason: event.reason };
  }

  /**
   * Makes the index follow the table for updates that won. Synchronous when every vector is
   * at hand (usable embedding in the message, or a synchronous embedder); otherwise embeds in
   * one batch and applies each update only if it is still the table's value for its path.
   */
  #reconcile(updates: readonly ParsedRouteUpdate[]): Promise<void> | undefined {
    const t = this.#t;
    const embedder = t.embedder;
    const pending: Pending[] = [];
    for (const p of updates) {
      const m = p.message;
      t.applied(m);
      if (m.action === 'remove') {
        t.remove(p.modelPath);
        continue;
      }
      const emb = m.project.embedding;
      const main = m.embedder === embedder.id && emb?.length === embedder.dim ? Float32Array.from(emb) : undefined;
      const base = p.normalized!;
      const n: NormalizedProject = main ? { ...base, embedding: main, project: Object.freeze({ ...base.project, hasEmbedding: true }) } : base;
      const texts = main ? n.project.examples : [n.mainText, ...n.project.examples];
      if (texts.length > 0 && !this.#sync) {
        pending.push({ p, n, main });
        continue;
      }
      const rows = texts.map((text) => {
        const v = new Float32Array(embedder.dim);
        embedder.embedInto!(text, v, 0);
        return v;
      });
      this.#indexWinner(p, n, main ? [main, ...rows] : rows);
    }
    return pending.length ? this.#reconcileAsync(pending) : undefined;
  }

  async #reconcileAsync(pending: readonly Pending[]): Promise<void> {
    let vectors: Float32Array[][];
    try {
      vectors = await this.#t.embedProjects(pending.map((x) => x.n));
    } catch (e) {
      for (const { p } of pending) {
        this.#t.rejected({ reason: 'embedder-failed', modelPath: p.modelPath, fromNode: p.message.from_node, error: e as SwitchyardError });
      }
      return;
    }
    pending.forEach((x, i) => {
      if (this.#replica.get(x.p.modelPath) === x.p.message) this.#indexWinner(x.p, x.n, vectors[i]!);
    });
  }

  #indexWinner(p: ParsedRouteUpdate, n: NormalizedProject, vectors: readonly Float32Array[]): void {
    if (this.#closed) return;
    const conflict = this.#t.claimConflict(n);
    if (conflict) this.#t.rejected({ reason: 'conflict', modelPath: p.modelPath, fromNode: p.message.from_node, error: conflict });
    else this.#t.replace(n, vectors);
  }
}
