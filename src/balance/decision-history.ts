// Fixed-size ring of the last routing decisions; records are preallocated and overwritten.

/** One routing decision, as returned by {@link ApiMap.history}. */
export interface HistoryEntry {
  /** Time of the decision on the map's clock, ms. */
  readonly at: number;
  /** Requested model. */
  readonly model: string;
  /** Chosen provider. */
  readonly provider: string;
  /** Chosen instance id. */
  readonly instance: string;
  /** Strategy used. */
  readonly strategy: string;
  /** Whether the pick was made in panic mode. */
  readonly panic: boolean;
}

/** @deprecated Use {@link HistoryEntry}. Removed in 0.3.0. */
export type Decision = HistoryEntry;

type MutableEntry = { -readonly [K in keyof HistoryEntry]: HistoryEntry[K] };

/** @internal */
export class DecisionHistory {
  readonly #ring: MutableEntry[];
  #next = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#ring = Array.from({ length: capacity }, () => ({ at: 0, model: '', provider: '', instance: '', strategy: '', panic: false }));
  }

  push(at: number, model: string, provider: string, instance: string, strategy: string, panic: boolean): void {
    const cap = this.#ring.length;
    if (cap === 0) return;
    const r = this.#ring[this.#next]!;
    r.at = at;
    r.model = model;
    r.provider = provider;
    r.instance = instance;
    r.strategy = strategy;
    r.panic = panic;
    this.#next = (this.#next + 1) % cap;
    if (this.#size < cap) this.#size++;
  }

  /** Copies, oldest first. */
  toArray(): HistoryEntry[] {
    const cap = this.#ring.length;
    const out: HistoryEntry[] = [];
    for (let i = 0; i < this.#size; i++) out.push({ ...this.#ring[(this.#next - this.#size + i + cap) % cap]! });
    return out;
  }
}
