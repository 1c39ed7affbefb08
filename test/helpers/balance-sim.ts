// Simulated time for ApiMap tests: a clock plus timers that only fire when advanced.
import type { Timers } from '../../src/internal/deadline.js';

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** A fake monotonic clock with timers; nothing fires until `advance()` / `runNext()`. */
export class FakeTime implements Timers {
  now = 0;
  #seq = 0;
  readonly #timers = new Map<number, Entry>();

  readonly clock = (): number => this.now;

  setTimeout = (fn: () => void, ms: number): number => {
    const id = ++this.#seq;
    this.#timers.set(id, { at: this.now + Math.max(0, ms), seq: id, fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.#timers.delete(handle as number);
  };

  /** Number of pending timers. */
  get pending(): number {
    return this.#timers.size;
  }

  #earliest(): [number, Entry] | undefined {
    let best: [number, Entry] | undefined;
    for (const e of this.#timers) if (best === undefined || e[1].at < best[1].at || (e[1].at === best[1].at && e[1].seq < best[1].seq)) best = e;
    return best;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next[1].at > end) break;
      this.#timers.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fn();
    }
    this.now = end;
  }

  /** Jumps to the earliest timer and fires it; false when none is pending. */
  runNext(): boolean {
    const next = this.#earliest();
    if (next === undefined) return false;
    this.#timers.delete(next[0]);
    this.now = Math.max(this.now, next[1].at);
    next[1].fn();
    return true;
  }
}

/** Lets pending promise callbacks run (one macrotask turn; not a sleep). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** An error shaped like an HTTP client's. */
export function httpError(status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`HTTP ${status}`), { status, ...extra });
}

/** Outcome of a promise driven to completion under fake time. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Drives `promises` to completion: lets microtasks run, then fires the next fake timer, until
 * all settled. Throws when something is stuck (nothing pending, still unsettled).
 */
export async function drive<T>(promises: readonly Promise<T>[], time: FakeTime): Promise<Settled<T>[]> {
  const out: (Settled<T> | undefined)[] = new Array(promises.length);
  let left = promises.length;
  promises.forEach((p, i) => {
    p.then((value) => { out[i] = { ok: true, value }; left--; }, (error: unknown) => { out[i] = { ok: false, error }; left--; });
  });
  while (left > 0) {
    await flush();
    if (left === 0) break;
    if (!time.runNext()) {
      await flush();
      if (left > 0 && time.pending === 0) throw new Error(`stuck: ${left} promise(s) unsettled with no pending timer`);
    }
  }
  return out as Settled<T>[];
}

/** One provider `p` serving `models` with instances named by `ids`. */
export function oneProvider(ids: readonly string[], models: readonly string[] = ['m'], weights?: readonly number[]): { name: string; models: readonly string[]; instances: { id: string; endpoint: string; weight: number }[] }[] {
  return [{ name: 'p', models, instances: ids.map((id, i) => ({ id, endpoint: `http://${id}`, weight: weights?.[i] ?? 1 })) }];
}
