// Generous per-call time bounds for hostile-input tests: they catch hangs and super-linear
// blow-ups (seconds), not micro-second regressions (those live in bench/).
import assert from 'node:assert/strict';

/** Worst call seen per entry point, ms (the fuzz suite prints it). */
export const worstMs: Map<string, number> = new Map();

function note(entry: string, ms: number): void {
  if (ms > (worstMs.get(entry) ?? 0)) worstMs.set(entry, ms);
}

/** Runs `fn`, asserts it took at most `limitMs`, records the time under `entry`. */
export function withinSync<T>(entry: string, limitMs: number, fn: () => T): T {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    // a throw (typed error) is an answer too: its time is recorded and bounded
    const ms = performance.now() - t0;
    note(entry, ms);
    assert.ok(ms <= limitMs, `${entry}: one call took ${ms.toFixed(1)} ms, bound ${limitMs} ms`);
  }
}

/** Async form of {@link withinSync}: the promise must settle within `limitMs` (checked on settle). */
export async function within<T>(entry: string, limitMs: number, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${entry}: no answer within ${limitMs} ms (hang)`)), limitMs);
  });
  let settled = false;
  try {
    const out = await Promise.race([fn(), hang]);
    settled = true;
    return out;
  } catch (e) {
    settled = !(e instanceof Error && e.message.endsWith('(hang)'));
    throw e;
  } finally {
    clearTimeout(timer);
    // typed rejections count as answers: their time is recorded and bounded too
    const ms = performance.now() - t0;
    note(entry, ms);
    if (settled) assert.ok(ms <= limitMs, `${entry}: one call took ${ms.toFixed(1)} ms, bound ${limitMs} ms`);
  }
}

/** Prints the worst time per entry point (one line each) for the report. */
export function printWorst(title: string): void {
  const rows = [...worstMs].map(([k, v]) => `  ${k}: ${v.toFixed(2)} ms`).join('\n');
  process.stdout.write(`# ${title} (worst single call)\n${rows}\n`);
}
