import { LRUCache } from 'lru-cache';
import { SwitchyardError } from '../errors.js';
import { isPlainObject, optInteger } from '../internal/validate.js';
import { invalidOption } from '../errors.js';
import { ClassifierBreaker } from './classifier-breaker.js';
import type { BreakerState } from '../internal/breaker-state.js';
import { messageKey } from './message-key.js';
import type { ClassifiableRequest } from './request-shape.js';
import { headSlice } from '../internal/text.js';
import { GLOBAL_TIMERS, withDeadline, type Timers } from '../internal/deadline.js';
import type { RoutingSignals } from './signals.js';
import type { ResolvedTiers, TierSpec } from './tiers.js';
import { nestFlatOptions, optGroup } from '../internal/renamed-options.js';
import { LLM_ALIASES } from './classifier-options.js';

/** What the host's classifier is given besides the request. */
export interface ClassifyContext {
  /** Fired (with a `SwitchyardError` `ERR_TIMEOUT` reason) when the call runs past `llm.timeoutMs`. */
  readonly signal: AbortSignal;
  /** Configured tier names, cheapest first: the answers the classifier may give. */
  readonly tiers: readonly string[];
  /** Phase-1 result for the request. */
  readonly signals: RoutingSignals;
}

/**
 * Answer expected from the host's classifier: a tier name (case-insensitive) and a short reason.
 * It may also be returned as JSON text (an LLM's raw reply, optionally in a code fence).
 */
export interface TierClassification {
  /** One of the configured tier names. */
  readonly tier: string;
  /** Why; truncated to 200 chars. */
  readonly reason?: string;
  /** Optional confidence in [0, 1]; any other value makes the answer unusable. */
  readonly confidence?: number;
}

/**
 * The host's phase-2 classifier, e.g. a call to a local Ollama model. Must honour `signal`.
 * Anything it returns or throws is treated as untrusted.
 */
export type ClassifyFn = (request: ClassifiableRequest, context: ClassifyContext) => Promise<TierClassification | string> | TierClassification | string;

/** Why phase 2 did not produce a tier. */
export type ClassifierFailure = 'timeout' | 'error' | 'invalid_output' | 'breaker_open';

/** The phase-2 judge's breaker ({@link LlmJudgeOptions.breaker}). */
export interface LlmJudgeBreakerOptions {
  /** Consecutive classifier failures that open the breaker; 0 disables the breaker. @defaultValue 5 */
  readonly consecutiveFailures?: number;
  /** How long an open breaker skips phase 2 before one probe call, ms. @defaultValue 30000 */
  readonly cooldownMs?: number;
}

/** Phase 2, the host's LLM judge ({@link RequestClassifierOptions.llm}); `classify` enables it. */
export interface LlmJudgeOptions {
  /** The host's classifier. Without it, ambiguous requests use phase 1's best guess. */
  readonly classify?: ClassifyFn;
  /** Time budget for one classifier call, ms; the call's `AbortSignal` fires when it runs out. @defaultValue 5000 */
  readonly timeoutMs?: number;
  /** Cached classifications (LRU, keyed by a hash of the last two messages); 0 disables the cache. @defaultValue 256 */
  readonly cacheSize?: number;
  /** Longest classifier reply accepted, chars; longer replies are unusable (never parsed). @defaultValue 4096 */
  readonly maxOutputChars?: number;
  /** Consecutive-failure breaker in front of the classifier. */
  readonly breaker?: LlmJudgeBreakerOptions;
}

/**
 * The 0.1 flat phase-2 option names, still accepted by {@link RequestClassifier} until 0.3.0.
 * @deprecated Use {@link RequestClassifierOptions.llm} ({@link LlmJudgeOptions}). Removed in 0.3.0.
 */
export interface LlmClassifierOptions {
  /** @deprecated Use {@link LlmJudgeOptions.classify} (`llm.classify`). Removed in 0.3.0. */
  readonly classify?: ClassifyFn;
  /** @deprecated Use {@link LlmJudgeOptions.timeoutMs} (`llm.timeoutMs`). Removed in 0.3.0. */
  readonly classifierTimeoutMs?: number;
  /** @deprecated Use {@link LlmJudgeOptions.cacheSize} (`llm.cacheSize`). Removed in 0.3.0. */
  readonly classifierCacheSize?: number;
  /** @deprecated Use {@link LlmJudgeBreakerOptions.consecutiveFailures} (`llm.breaker.consecutiveFailures`). Removed in 0.3.0. */
  readonly breakerThreshold?: number;
  /** @deprecated Use {@link LlmJudgeBreakerOptions.cooldownMs} (`llm.breaker.cooldownMs`). Removed in 0.3.0. */
  readonly breakerCooldownMs?: number;
  /** @deprecated Use {@link LlmJudgeOptions.maxOutputChars} (`llm.maxOutputChars`). Removed in 0.3.0. */
  readonly maxClassifierOutputChars?: number;
}

/** Counters of phase-2 activity, see {@link RequestClassifier.stats}. */
export interface ClassifierStats {
  /** Calls made to the host's classifier. */
  readonly classifierCalls: number;
  /** Answers served from the cache. */
  readonly cacheHits: number;
  /** Requests that joined an identical in-flight call. */
  readonly coalesced: number;
  /** Classifications currently cached. */
  readonly cacheSize: number;
  /** Fallbacks to phase 1's best guess, by cause. */
  readonly fallbacks: Readonly<Record<ClassifierFailure, number>>;
  /** Breaker state. */
  readonly breaker: BreakerState;
}

/** Outcome of one phase-2 attempt. @internal */
export type LlmOutcome =
  | { readonly ok: true; readonly tier: TierSpec; readonly reason: string; readonly source: 'classifier' | 'cache' | 'coalesced' }
  | { readonly ok: false; readonly failure: ClassifierFailure; readonly detail: string };

interface Resolved {
  readonly classify: ClassifyFn;
  readonly timeoutMs: number;
  readonly cacheSize: number;
  readonly breaker: { readonly consecutiveFailures: number; readonly cooldownMs: number };
  readonly maxOutputChars: number;
  readonly now: () => number;
}

const REASON_CHARS = 200;

/**
 * Validates the `llm` group (deprecated flat names moved into it) and the classifier's `now`; returns
 * `null` when no `llm.classify` function is configured.
 * @internal
 */
export function resolveLlmClassifierOptions(options: Record<string, unknown>): Resolved | null {
  const o = nestFlatOptions(options, LLM_ALIASES); // no copy when already nested
  const llm = optGroup(o, 'llm');
  const breaker = optGroup(o, 'llm.breaker');
  const classify = llm['classify'];
  const now = o['now'];
  if (classify !== undefined && typeof classify !== 'function') invalidOption('llm.classify', 'a function', classify);
  if (now !== undefined && typeof now !== 'function') invalidOption('now', 'a function', now);
  const r: Resolved = {
    classify: classify as ClassifyFn,
    timeoutMs: optInteger('llm.timeoutMs', llm['timeoutMs'], 5_000, 1, 2_147_483_647),
    cacheSize: optInteger('llm.cacheSize', llm['cacheSize'], 256, 0, 1_000_000),
    breaker: {
      consecutiveFailures: optInteger('llm.breaker.consecutiveFailures', breaker['consecutiveFailures'], 5, 0, 1_000_000),
      cooldownMs: optInteger('llm.breaker.cooldownMs', breaker['cooldownMs'], 30_000, 0),
    },
    maxOutputChars: optInteger('llm.maxOutputChars', llm['maxOutputChars'], 4_096, 16, 1 << 24),
    now: (now as (() => number) | undefined) ?? (() => performance.now()),
  };
  return classify === undefined ? null : r;
}

type Parsed = { readonly tier: TierSpec; readonly reason: string } | { readonly error: string };

/**
 * Validates a classifier reply: an object or JSON text `{ tier, reason?, confidence? }` naming
 * a configured tier. Never throws; never parses text longer than `maxChars`; reads only own
 * properties (so `__proto__` keys and polluted prototypes are inert).
 * @internal
 */
export function parseClassifierOutput(value: unknown, tiers: ResolvedTiers, maxChars: number): Parsed {
  try {
    let v = value;
    if (typeof v === 'string') {
      if (v.length > maxChars) return { error: `reply of ${v.length} chars > ${maxChars}` };
      const open = v.indexOf('{');
      const close = v.lastIndexOf('}');
      if (open < 0 || close < open) return { error: 'reply is not JSON' };
      try {
        v = JSON.parse(v.slice(open, close + 1));
      } catch {
        return { error: 'reply is not JSON' };
      }
    }
    if (!isPlainObject(v)) return { error: 'reply is not an object' };
    const tier = Object.hasOwn(v, 'tier') ? v['tier'] : undefined;
    if (typeof tier !== 'string' || tier.length > 64) return { error: 'reply has no tier string' };
    const spec = tiers.byLowerName.get(tier.trim().toLowerCase());
    if (spec === undefined) return { error: `unknown tier ${JSON.stringify(headSlice(tier, 64))}` };
    if (Object.hasOwn(v, 'confidence')) {
      const c = v['confidence'];
      if (typeof c !== 'number' || !(c >= 0 && c <= 1)) return { error: 'reply has an invalid confidence' };
    }
    const reason = Object.hasOwn(v, 'reason') ? v['reason'] : undefined;
    return { tier: spec, reason: typeof reason === 'string' ? headSlice(reason, REASON_CHARS) : '' };
  } catch {
    return { error: 'reply could not be read' };
  }
}

/**
 * Phase-2 wrapper around the host's classifier: timeout with abort, LRU cache of successes,
 * coalescing of identical concurrent requests, a consecutive-failure breaker, and a typed
 * failure (never a throw) on timeout, error or unusable output. Failures are never cached.
 * @internal
 */
export class LlmClassifier {
  readonly #o: Resolved;
  readonly #tiers: ResolvedTiers;
  readonly #tierNames: readonly string[];
  readonly #cache: LRUCache<string, { tier: TierSpec; reason: string }> | null;
  readonly #inflight = new Map<string, Promise<LlmOutcome>>();
  readonly #breaker: ClassifierBreaker;
  readonly #timers: Timers;
  #calls = 0;
  #hits = 0;
  #coalesced = 0;
  readonly #fallbacks: Record<ClassifierFailure, number> = { timeout: 0, error: 0, invalid_output: 0, breaker_open: 0 };

  /**
   * @param options - resolved phase-2 options
   * @param tiers - the configured tiers
   * @param timers - timers of the classifier call's timeout (a test seam, for simulated time)
   * @internal
   */
  constructor(options: Resolved, tiers: ResolvedTiers, timers: Timers = GLOBAL_TIMERS) {
    this.#timers = timers;
    this.#o = options;
    this.#tiers = tiers;
    this.#tierNames = Object.freeze(tiers.list.map((t) => t.name));
    this.#cache = options.cacheSize > 0 ? new LRUCache({ max: options.cacheSize }) : null;
    this.#breaker = new ClassifierBreaker(options.breaker.consecutiveFailures, options.breaker.cooldownMs, options.now);
  }

  /** Classifies `request` (already validated by phase 1). Never rejects. */
  async classify(request: ClassifiableRequest, signals: RoutingSignals): Promise<LlmOutcome> {
    const key = messageKey(request.messages);
    const cached = this.#cache?.get(key);
    if (cached !== undefined) {
      this.#hits++;
      return { ok: true, tier: cached.tier, reason: cached.reason, source: 'cache' };
    }
    const pending = this.#inflight.get(key);
    if (pending !== undefined) {
      this.#coalesced++;
      const outcome = await pending;
      return outcome.ok ? { ...outcome, source: 'coalesced' } : outcome;
    }
    if (!this.#breaker.tryAcquire()) return this.#fail('breaker_open', 'classifier breaker is open');
    const run = this.#run(request, signals, key);
    this.#inflight.set(key, run);
    try {
      return await run;
    } finally {
      this.#inflight.delete(key);
    }
  }

  /** Counters. */
  stats(): ClassifierStats {
    return {
      classifierCalls: this.#calls, cacheHits: this.#hits, coalesced: this.#coalesced,
      cacheSize: this.#cache?.size ?? 0, fallbacks: { ...this.#fallbacks }, breaker: this.#breaker.state,
    };
  }

  #fail(failure: ClassifierFailure, detail: string): LlmOutcome {
    this.#fallbacks[failure]++;
    return { ok: false, failure, detail };
  }

  async #run(request: ClassifiableRequest, signals: RoutingSignals, key: string): Promise<LlmOutcome> {
    this.#calls++;
    const raw = await this.#callWithTimeout(request, signals);
    if ('failure' in raw) {
      this.#breaker.failure();
      return this.#fail(raw.failure, raw.detail);
    }
    const parsed = parseClassifierOutput(raw.value, this.#tiers, this.#o.maxOutputChars);
    if ('error' in parsed) {
      this.#breaker.failure();
      return this.#fail('invalid_output', parsed.error);
    }
    this.#breaker.success();
    this.#cache?.set(key, parsed);
    return { ok: true, tier: parsed.tier, reason: parsed.reason, source: 'classifier' };
  }

  #callWithTimeout(request: ClassifiableRequest, signals: RoutingSignals): Promise<{ value: unknown } | { failure: 'timeout' | 'error'; detail: string }> {
    const ms = this.#o.timeoutMs;
    let timedOut = false;
    const onTimeout = (): SwitchyardError => {
      timedOut = true;
      return new SwitchyardError('ERR_TIMEOUT', `Classifier did not answer within ${ms} ms`);
    };
    const call = (req: ClassifiableRequest, signal: AbortSignal): ReturnType<ClassifyFn> => this.#o.classify(req, { signal, tiers: this.#tierNames, signals });
    return withDeadline(call, request, 0, ms, undefined, this.#timers, onTimeout).then(
      (value) => ({ value }),
      (e: unknown) => timedOut
        ? { failure: 'timeout', detail: `no answer within ${ms} ms` }
        : { failure: 'error', detail: e instanceof Error ? headSlice(e.message, REASON_CHARS) : 'classifier failed' },
    );
  }
}
