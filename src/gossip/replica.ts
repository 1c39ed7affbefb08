// Replication policy around the LWW table: clock window (retention horizon and maximum skew),
// local versions (timestamp, seq), lazy tombstone collection, state export and merge.
// Pure: no embedding, no index; FastProjectRouter applies the winners to its index.
import { SwitchyardError, isSwitchyardError } from '../errors.js';
import { LwwTable } from './lww-table.js';
import {
  canonicalRouteUpdate, parseRouteUpdate, type ParsedRouteUpdate, type RouteUpdateAction, type RouteUpdateLimits,
  type RouteUpdateMessage, type WireProject,
} from './route-update.js';
import { readRouteState, type RouteTableState } from './route-state.js';
import type { VersionOrder } from './version.js';

/**
 * Why a route update was or was not applied.
 *
 * - `applied`: it won and changed the table (re-broadcast it).
 * - `duplicate`: the same version is already held.
 * - `stale`: a newer version is already held.
 * - `expired`: older than the tombstone retention window (could resurrect a collected removal).
 * - `future`: timestamp further ahead of the local clock than `maxClockSkewMs`.
 * - `conflict`: an alias of the project belongs to another project here.
 * - `invalid`: malformed (see `error`).
 */
export type RouteUpdateReason = 'applied' | 'duplicate' | 'stale' | 'expired' | 'future' | 'conflict' | 'invalid';

/** Replication settings (resolved router options carry them). @internal */
export interface ReplicationSettings {
  readonly nodeId: string;
  readonly now: () => number;
  readonly tombstoneRetentionMs: number;
  readonly maxClockSkewMs: number;
  readonly maxMessageBytes: number;
  readonly maxStateBytes: number;
  /** Accept `patterns` in peers' route updates and states. @defaultValue false */
  readonly acceptPeerPatterns?: boolean;
}

/** Options of a replica. @internal */
export interface ReplicaOptions extends ReplicationSettings {
  readonly embedder?: { readonly id: string; readonly dim: number };
  /** Only tests replace the order (negative controls). */
  readonly order?: VersionOrder;
}

/** Result of {@link RouteReplica.mergeState}. @internal */
export interface ReplicaMerge {
  /** Entries that won, in state order. */
  readonly applied: ParsedRouteUpdate[];
  /** Entries already held or older than held. */
  readonly unchanged: number;
  /** Entries refused (invalid, future, expired tombstones). */
  readonly rejected: number;
  /** Why the whole state was refused, if it was. */
  readonly error?: SwitchyardError;
}

function asError(e: unknown): SwitchyardError {
  if (isSwitchyardError(e)) return e;
  return new SwitchyardError('ERR_INVALID_MESSAGE', `Unreadable route update: ${String((e as Error)?.message ?? e)}`, { cause: e });
}

/** One node's replicated route table. @internal */
export class RouteReplica {
  readonly #o: ReplicaOptions;
  readonly #table: LwwTable;
  readonly #limits: RouteUpdateLimits;
  /** Limits of local writes: a node's own patterns are always replicated. */
  readonly #localLimits: RouteUpdateLimits;
  readonly #gcEveryMs: number;
  #seq = 0;
  #nextGc = -Infinity;

  constructor(o: ReplicaOptions) {
    this.#o = o;
    this.#table = new LwwTable(o.order);
    this.#limits = { maxMessageBytes: o.maxMessageBytes, embedder: o.embedder, acceptPatterns: o.acceptPeerPatterns === true };
    this.#localLimits = { ...this.#limits, acceptPatterns: true };
    this.#gcEveryMs = Math.max(1, Math.min(o.tombstoneRetentionMs / 16, 60_000));
  }

  /** Validates untrusted input; never throws. */
  parse(input: unknown): { parsed: ParsedRouteUpdate; error?: undefined } | { parsed?: undefined; error: SwitchyardError } {
    try {
      return { parsed: parseRouteUpdate(input, this.#limits) };
    } catch (e) {
      return { error: asError(e) };
    }
  }

  /** Applies a validated message if it is inside the clock window and newer than the register. */
  admit(p: ParsedRouteUpdate): RouteUpdateReason {
    const now = this.#tick();
    const ts = p.message.timestamp;
    if (ts > now + this.#o.maxClockSkewMs) return 'future';
    if (ts < now - this.#o.tombstoneRetentionMs) return 'expired';
    return this.#table.offer(p.message, p.modelPath);
  }

  /** {@link RouteReplica.parse} then {@link RouteReplica.admit}. */
  receive(input: unknown): { reason: RouteUpdateReason; error?: SwitchyardError; parsed?: ParsedRouteUpdate } {
    const r = this.parse(input);
    if (r.error) return { reason: 'invalid', error: r.error };
    return { reason: this.admit(r.parsed), parsed: r.parsed };
  }

  /**
   * Records a local change and returns the message to broadcast. Its timestamp is
   * `max(now, held timestamp + 1)`, so a local change always wins over what this node holds.
   */
  localWrite(action: RouteUpdateAction, project: WireProject, embedderId?: string): ParsedRouteUpdate {
    const now = this.#tick();
    const cur = this.#table.get(`${project.namespace}/${project.name}`);
    const timestamp = Math.max(Math.floor(now), cur === undefined ? 0 : cur.timestamp + 1);
    const raw = {
      type: 'route_update', action, project, from_node: this.#o.nodeId, timestamp, seq: ++this.#seq,
      ...(embedderId !== undefined && action !== 'remove' ? { embedder: embedderId } : {}),
    };
    const parsed = canonicalRouteUpdate(raw, this.#localLimits);
    this.#table.offer(parsed.message, parsed.modelPath);
    return parsed;
  }

  /** Every register, sorted by model path. */
  exportState(): RouteTableState {
    this.#tick();
    return { type: 'route_state', from_node: this.#o.nodeId, entries: this.#table.sorted() };
  }

  /**
   * Merges a peer's state. Live entries of any age are accepted (a restarted node must learn
   * old projects); tombstones older than the retention window are skipped; entries from the
   * future beyond the skew and invalid entries are rejected one by one. Never throws.
   */
  mergeState(input: unknown): ReplicaMerge {
    let entries: unknown[];
    try {
      entries = readRouteState(input, this.#o.maxStateBytes).entries;
    } catch (e) {
      return { applied: [], unchanged: 0, rejected: 0, error: asError(e) };
    }
    const now = this.#tick();
    const applied: ParsedRouteUpdate[] = [];
    let unchanged = 0;
    let rejected = 0;
    for (const raw of entries) {
      let p: ParsedRouteUpdate;
      try {
        p = canonicalRouteUpdate(raw, this.#limits);
      } catch {
        rejected++;
        continue;
      }
      const ts = p.message.timestamp;
      if (ts > now + this.#o.maxClockSkewMs || (p.message.action === 'remove' && ts < now - this.#o.tombstoneRetentionMs)) {
        rejected++;
        continue;
      }
      if (this.#table.offer(p.message, p.modelPath) === 'applied') applied.push(p);
      else unchanged++;
    }
    return { applied, unchanged, rejected };
  }

  /** Current register value of a model path. */
  get(path: string): RouteUpdateMessage | undefined {
    return this.#table.get(path);
  }

  /** Registers held (live entries plus tombstones). */
  get size(): number {
    return this.#table.size;
  }

  /** Tombstones held. */
  get tombstones(): number {
    return this.#table.tombstones;
  }

  /** Collects tombstones older than the retention window now; returns how many. */
  collectGarbage(): number {
    this.#nextGc = -Infinity;
    const now = this.#o.now();
    return this.#table.collect(now - this.#o.tombstoneRetentionMs);
  }

  #tick(): number {
    const now = this.#o.now();
    if (now >= this.#nextGc) {
      this.#nextGc = now + this.#gcEveryMs;
      this.#table.collect(now - this.#o.tombstoneRetentionMs);
    }
    return now;
  }
}
