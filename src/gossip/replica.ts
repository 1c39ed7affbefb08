// Replication policy around the LWW table: clock window (retention horizon and maximum skew),
// local versions (timestamp, seq), lazy tombstone collection, state export and merge.
// Pure: no embedding, no index; the router (router/replication.ts) applies the winners to its index.
import { SwitchyardError, isSwitchyardError } from '../errors.js';
import { LwwTable } from './lww-table.js';
import {
  MAX_MESSAGE_DEPTH, canonicalRouteUpdate, parseRouteUpdate, type ParsedRouteUpdate, type RouteUpdateAction, type RouteUpdateLimits,
  type RouteUpdateMessage, type WireProject,
} from './route-update.js';
import { MAX_STATE_ENTRIES, headerProblem, readStateObject, stateText, type RouteTableState } from './route-state.js';
import { routeUpdateProblem } from './entry-check.js';
import { copyUntrusted } from './safe-input.js';
import { StateTextScanner } from './state-text-scanner.js';
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
  /** Wall clock, ms since the Unix epoch. */
  readonly wallClock: () => number;
  readonly tombstoneRetentionMs: number;
  readonly maxClockSkewMs: number;
  readonly maxMessageBytes: number;
  readonly maxStateBytes: number;
  /** Largest state merged in one synchronous call. @defaultValue {@link DEFAULT_MAX_SYNC_STATE_BYTES} */
  readonly maxSyncStateBytes?: number;
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
  /** Why the state was refused (from that point on, if entries were merged before it). */
  readonly error?: SwitchyardError;
}

/** Characters of state text read per slice of {@link RouteReplica.mergeSteps}. @internal */
export const MERGE_SLICE_CHARS = 16_384;
/** Entries of an object state checked per slice. @internal */
export const MERGE_SLICE_ENTRIES = 256;
/** Default largest state merged synchronously, bytes (see docs/security.md for the rate behind it). */
// 256 KiB keeps one synchronous merge within ~50 ms even at the slowest measured rate (states
// whose projects must be embedded on merge); states with embeddings merge at 15–30 MiB/s idle.
export const DEFAULT_MAX_SYNC_STATE_BYTES = 262_144;

function asError(e: unknown): SwitchyardError {
  if (isSwitchyardError(e)) return e;
  return new SwitchyardError('ERR_INVALID_ROUTE_UPDATE', `Unreadable route update: ${String((e as Error)?.message ?? e)}`, { cause: e });
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
   * Merges a peer's state in one synchronous run. Live entries of any age are accepted (a
   * restarted node must learn old projects); tombstones older than the retention window are
   * skipped; entries from the future beyond the skew and invalid entries are rejected one by
   * one, without an exception per entry. A state larger than `maxSyncStateBytes` is refused
   * (use {@link RouteReplica.mergeSteps} through an asynchronous driver). Never throws.
   */
  mergeState(input: unknown): ReplicaMerge {
    const steps = this.mergeSteps(input, this.#o.maxSyncStateBytes ?? DEFAULT_MAX_SYNC_STATE_BYTES, true);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /**
   * The merge as a generator that yields after every slice of work (about
   * {@link MERGE_SLICE_CHARS} characters of state text or {@link MERGE_SLICE_ENTRIES} entries),
   * so a driver can give the event loop a turn between slices. Cost is linear in the state's
   * bytes: the text is split into entries by one pass, each entry is parsed and checked on its
   * own, and a wrong-shaped state stops at the first structural error.
   */
  *mergeSteps(input: unknown, maxBytes: number, sync = false): Generator<void, ReplicaMerge, void> {
    const out: { applied: ParsedRouteUpdate[]; unchanged: number; rejected: number } = { applied: [], unchanged: 0, rejected: 0 };
    // entries merged before a late structural error stay merged (each was valid on its own)
    const fail = (e: unknown): ReplicaMerge => ({ ...out, error: asError(e) });
    let text: string | Uint8Array | undefined;
    try {
      text = stateText(input, maxBytes, sync);
    } catch (e) {
      return fail(e);
    }
    if (text === undefined) {
      // an already-parsed object (the host's own value): header checked at once, entries one by one
      let entries: readonly unknown[];
      let n: number;
      try {
        entries = readStateObject(input);
        n = entries.length;
      } catch (e) {
        return fail(e);
      }
      const budget = { left: maxBytes };
      for (let i = 0; i < n; i++) {
        let raw: { value: unknown; bytes: number };
        try {
          raw = copyUntrusted(entries[i], { maxBytes: this.#o.maxMessageBytes, maxDepth: MAX_MESSAGE_DEPTH });
        } catch {
          out.rejected++; // only accessors, exotic prototypes or oversize entries of the host's own object get here
          budget.left -= this.#o.maxMessageBytes; // may have walked that much
          if (budget.left < 0) return fail(new SwitchyardError('ERR_INVALID_ROUTE_UPDATE', `Route state is larger than ${maxBytes} bytes`, { details: { limit: maxBytes } }));
          continue;
        }
        this.#mergeEntry(raw.value, out);
        budget.left -= raw.bytes + 1;
        if (budget.left < 0) return fail(new SwitchyardError('ERR_INVALID_ROUTE_UPDATE', `Route state is larger than ${maxBytes} bytes`, { details: { limit: maxBytes } }));
        if (i % MERGE_SLICE_ENTRIES === MERGE_SLICE_ENTRIES - 1) yield;
      }
      return out;
    }
    const scanner = new StateTextScanner(text, maxBytes);
    let count = 0;
    while (!scanner.done) {
      scanner.step(MERGE_SLICE_CHARS);
      if (scanner.error === undefined && scanner.sawEntries && count === 0) {
        const problem = headerProblem(scanner.header);
        if (problem !== undefined) return fail(new SwitchyardError('ERR_INVALID_ROUTE_UPDATE', problem));
      }
      for (const span of scanner.entries) {
        if (++count > MAX_STATE_ENTRIES) return fail(new SwitchyardError('ERR_INVALID_ROUTE_UPDATE', `Route state has more than ${MAX_STATE_ENTRIES} entries`));
        // an entry is an object: anything else is refused without parsing it
        if (span.length > this.#o.maxMessageBytes || span.charCodeAt(0) !== 0x7b) { out.rejected++; continue; }
        let raw: unknown;
        try {
          raw = JSON.parse(span);
        } catch (e) {
          // a peer that sends malformed JSON is not a peer: the state stops here (one exception, not one per entry)
          return fail(new SwitchyardError('ERR_INVALID_ROUTE_UPDATE', `Route state entry ${count - 1} is not valid JSON: ${(e as Error).message}`, { cause: e }));
        }
        this.#mergeEntry(raw, out);
      }
      scanner.entries.length = 0;
      if (scanner.error !== undefined) return fail(new SwitchyardError('ERR_INVALID_ROUTE_UPDATE', scanner.error));
      yield;
    }
    const problem = headerProblem(scanner.header) ?? (scanner.sawEntries ? undefined : 'route state has no `entries` array');
    if (problem !== undefined) return fail(new SwitchyardError('ERR_INVALID_ROUTE_UPDATE', problem));
    return out;
  }

  #mergeEntry(raw: unknown, out: { applied: ParsedRouteUpdate[]; unchanged: number; rejected: number }): void {
    if (routeUpdateProblem(raw, this.#limits) !== undefined) {
      out.rejected++;
      return;
    }
    let p: ParsedRouteUpdate;
    try {
      p = canonicalRouteUpdate(raw, this.#limits); // reached only by well-shaped entries
    } catch {
      out.rejected++;
      return;
    }
    const now = this.#tick();
    const ts = p.message.timestamp;
    if (ts > now + this.#o.maxClockSkewMs || (p.message.action === 'remove' && ts < now - this.#o.tombstoneRetentionMs)) {
      out.rejected++;
      return;
    }
    if (this.#table.offer(p.message, p.modelPath) === 'applied') out.applied.push(p);
    else out.unchanged++;
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
    const now = this.#o.wallClock();
    return this.#table.collect(now - this.#o.tombstoneRetentionMs);
  }

  #tick(): number {
    const now = this.#o.wallClock();
    if (now >= this.#nextGc) {
      this.#nextGc = now + this.#gcEveryMs;
      this.#table.collect(now - this.#o.tombstoneRetentionMs);
    }
    return now;
  }
}
