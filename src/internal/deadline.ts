// The one timeout/abort race of the library: ApiMap attempts and health probes, the phase-2
// classifier call and decide()'s caller signal all go through here, on injectable timers so
// tests can run them in simulated time. Written for execute()'s hot path: no options object,
// the task gets its arguments passed through rather than wrapped in a closure.

/** Timer functions; inject fake ones for simulated time. Handles with an `unref()` method are unref'd where noted. @internal */
export interface Timers {
  /** Like `globalThis.setTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Like `globalThis.clearTimeout`. */
  clearTimeout(handle: unknown): void;
}

/**
 * The global timers, looked up at call time (so `node:test` mock timers installed later still apply).
 * @internal
 */
export const GLOBAL_TIMERS: Timers = Object.freeze({
  setTimeout: (callback: () => void, ms: number): unknown => setTimeout(callback, ms),
  clearTimeout: (handle: unknown): void => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

/**
 * Work raced by {@link withDeadline}: called once with `arg`, the signal that fires on timeout
 * or caller abort, and `n` (passed through, e.g. an attempt number).
 * @internal
 */
export type DeadlineTask<A, T> = (arg: A, signal: AbortSignal, n: number) => PromiseLike<T> | T;

/**
 * Runs `task(arg, signal, n)` and settles with it, unless the timeout or `outer` comes first:
 * - after `timeoutMs` (never when `Infinity`), `onTimeout()` builds the reason, the promise
 *   rejects with it and the task's signal is aborted with it;
 * - when `outer` aborts, the promise rejects with `abortReason(outer.reason)` (default: the
 *   reason itself) and the task's signal is aborted with `outer.reason`; an `outer` already
 *   aborted rejects at once without running the task.
 *
 * The timer and the `outer` listener are removed whichever way it settles. A task that throws
 * synchronously rejects the promise.
 * @internal
 */
export function withDeadline<A, T>(
  task: DeadlineTask<A, T>, arg: A, n: number,
  timeoutMs: number, outer: AbortSignal | undefined, timers: Timers,
  onTimeout: () => unknown, abortReason?: (reason: unknown) => unknown,
): Promise<T> {
  if (outer?.aborted === true) return Promise.reject(abortReason === undefined ? outer.reason : abortReason(outer.reason));
  const ctrl = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const finish = (): void => {
      if (timer !== undefined) timers.clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    };
    const onOuter = (): void => {
      finish();
      const reason: unknown = outer!.reason;
      // Reject before aborting, so the task's own abort listeners cannot settle this first.
      reject(abortReason === undefined ? reason : abortReason(reason));
      ctrl.abort(reason);
    };
    const timer = timeoutMs === Infinity ? undefined : timers.setTimeout(() => {
      outer?.removeEventListener('abort', onOuter);
      const reason = onTimeout();
      reject(reason);
      ctrl.abort(reason);
    }, timeoutMs);
    outer?.addEventListener('abort', onOuter, { once: true });
    let p: Promise<T>;
    try {
      p = Promise.resolve(task(arg, ctrl.signal, n));
    } catch (error) {
      p = Promise.reject(error);
    }
    p.then(
      (value) => { finish(); resolve(value); },
      (error: unknown) => { finish(); reject(error); },
    );
  });
}

/**
 * Resolves after `ms` (on `timers`), or rejects with `abortReason(signal.reason)` as soon as
 * `signal` aborts (at once when it already has). `ms <= 0` resolves at once.
 * @internal
 */
export function delay(ms: number, signal: AbortSignal | undefined, timers: Timers, abortReason: (reason: unknown) => unknown): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  if (signal?.aborted === true) return Promise.reject(abortReason(signal.reason));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timers.clearTimeout(timer);
      reject(abortReason(signal!.reason));
    };
    const timer = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
