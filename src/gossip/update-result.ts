// Results and event payloads of the router's replication methods.
import type { SwitchyardError } from '../errors.js';
import type { RouteUpdateReason } from './replica.js';

/**
 * Result of {@link FastProjectRouter.handleRouteUpdate}. Re-broadcast the message only when
 * `applied` is true; duplicates and older versions report `false`, which stops gossip loops.
 */
export interface RouteUpdateResult {
  /** Whether the message won and changed the route table. */
  readonly applied: boolean;
  /** Why (see {@link RouteUpdateReason}). */
  readonly reason: RouteUpdateReason;
  /** The validation error when `reason` is `'invalid'`. */
  readonly error?: SwitchyardError;
  /**
   * Present only when the project still has to be embedded by an asynchronous embedder:
   * resolves (never rejects) once the routing index reflects this update or a newer one.
   * The route table itself (and so `applied`) is already decided when the call returns.
   */
  readonly indexed?: Promise<void>;
}

/** Result of {@link FastProjectRouter.mergeState}. */
export interface MergeStateResult {
  /** Entries that won and changed the route table. */
  readonly applied: number;
  /** Entries already held, or older than held. */
  readonly unchanged: number;
  /** Entries refused: invalid, timestamp beyond the clock skew, or tombstones past retention. */
  readonly rejected: number;
  /**
   * Why the state was refused. A state refused before its entries (size, header) has all
   * counts 0; one refused at a later structural error (malformed JSON, too many entries, over
   * the size limit) keeps, and indexes, the entries merged before it, each valid on its own.
   */
  readonly error?: SwitchyardError;
  /** As in {@link RouteUpdateResult.indexed}: present when an asynchronous embedder is still at work. */
  readonly indexed?: Promise<void>;
}

/** Payload of `update:rejected`: a route update (or state entry) that could not be used. */
export interface RouteUpdateRejectedEvent {
  /**
   * `invalid`, `expired`, `future` or `conflict` (see {@link RouteUpdateReason}), or
   * `embedder-failed` when the table accepted the update but embedding the project failed,
   * so the routing index keeps its previous version of the project.
   */
  readonly reason: Exclude<RouteUpdateReason, 'applied' | 'duplicate' | 'stale'> | 'embedder-failed';
  /** Model path, when the message was readable. */
  readonly modelPath?: string;
  /** Sending node, when the message was readable. */
  readonly fromNode?: string;
  /** The error, for `invalid`, `conflict` and `embedder-failed`. */
  readonly error?: SwitchyardError;
}
