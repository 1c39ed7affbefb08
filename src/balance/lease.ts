// The Selection handed out by ApiMap: holds one load slot and one breaker token until released.
import type { InstanceState } from './instance-state.js';
import type { CallOutcome, InstanceInfo, ProviderInfo, Selection, Unavailable, UnavailableReason } from './types.js';

/**
 * Gives a lease's slot back: `outcome` is the call's result, or `undefined` when the caller
 * aborted (the slot is freed, nothing is recorded).
 * @internal
 */
export type Settle = (state: InstanceState, token: number, outcome: CallOutcome | undefined) => void;

/**
 * A chosen instance ({@link Selection}): the first `release()` or `cancel()` settles it, later
 * calls do nothing.
 * @internal
 */
export class Lease implements Selection {
  readonly ok = true as const;
  readonly model: string;
  readonly provider: ProviderInfo;
  readonly instance: InstanceInfo;
  readonly panic: boolean;
  readonly #state: InstanceState;
  readonly #token: number;
  readonly #settle: Settle;
  #done = false;

  constructor(model: string, state: InstanceState, token: number, panic: boolean, settle: Settle) {
    this.model = model;
    this.provider = state.provider;
    this.instance = state.info;
    this.panic = panic;
    this.#state = state;
    this.#token = token;
    this.#settle = settle;
  }

  /** Reports the call's outcome (see {@link Selection.release}). */
  release(outcome: CallOutcome): void {
    if (this.#done) return;
    this.#done = true;
    this.#settle(this.#state, this.#token, outcome);
  }

  /** Gives the slot back without an outcome (caller aborted). */
  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    this.#settle(this.#state, this.#token, undefined);
  }
}

/** @internal */
export function unavailable(model: string, reason: UnavailableReason): Unavailable {
  return { ok: false, model, reason };
}
