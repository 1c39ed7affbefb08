// The replicated route table: one last-writer-wins register per model path; a `remove`
// message is kept as a tombstone until garbage-collected.
import { modelPathOf, type RouteUpdateMessage } from './route-update.js';
import { compareVersions, type VersionOrder } from './version.js';

/** Outcome of offering a message to a register. @internal */
export type OfferOutcome = 'applied' | 'duplicate' | 'stale';

/** Map of model path → winning message (live entry or tombstone). @internal */
export class LwwTable {
  readonly #map = new Map<string, RouteUpdateMessage>();
  readonly #order: VersionOrder;
  #tombstones = 0;

  /** @param order - version order (replaceable only to prove tests can fail) */
  constructor(order: VersionOrder = compareVersions) {
    this.#order = order;
  }

  /** Keeps `m` if it is newer than the current register value for its path. */
  offer(m: RouteUpdateMessage, path: string = modelPathOf(m)): OfferOutcome {
    const cur = this.#map.get(path);
    if (cur !== undefined) {
      const c = this.#order(m, cur);
      if (c <= 0) return c === 0 ? 'duplicate' : 'stale';
      if (cur.action === 'remove') this.#tombstones--;
    }
    this.#map.set(path, m);
    if (m.action === 'remove') this.#tombstones++;
    return 'applied';
  }

  /** Current value for a path (a `remove` message is a tombstone). */
  get(path: string): RouteUpdateMessage | undefined {
    return this.#map.get(path);
  }

  /** Drops tombstones with `timestamp < cutoff`; returns how many. */
  collect(cutoff: number): number {
    if (this.#tombstones === 0) return 0;
    let n = 0;
    for (const [path, m] of this.#map) {
      if (m.action === 'remove' && m.timestamp < cutoff) {
        this.#map.delete(path);
        n++;
      }
    }
    this.#tombstones -= n;
    return n;
  }

  /** Registers (live entries plus tombstones). */
  get size(): number {
    return this.#map.size;
  }

  /** Tombstones held. */
  get tombstones(): number {
    return this.#tombstones;
  }

  /** All values sorted by model path (deterministic export). */
  sorted(): RouteUpdateMessage[] {
    return [...this.#map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
  }
}
