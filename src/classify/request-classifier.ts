import { metricsChannel } from '../telemetry/diagnostics.js';
import { classifyTracing, publishClassifyMetric, traceClassify } from './classify-telemetry.js';
import type { DecideResult, RoutingPhase } from './decide-result.js';
import { SwitchyardError, invalidOption } from '../errors.js';
import { isPlainObject, optBoolean, optOneOf, optString } from '../internal/validate.js';
import { optPhrases } from './keyword-pattern.js';
import { LlmClassifier, resolveLlmClassifierOptions, type ClassifierStats, type LlmClassifierOptions, type LlmJudgeOptions } from './llm-classifier.js';
import { LLM_ALIASES, SIGNAL_ALIASES, type SignalOptions } from './classifier-options.js';
import { nestFlatOptions } from '../internal/renamed-options.js';
import type { ClassifiableRequest } from './request-shape.js';
import { headSlice } from '../internal/text.js';
import { GLOBAL_TIMERS, withDeadline } from '../internal/deadline.js';
import {
  SCORE_WEIGHTS, computeSignalsResolved, deepKeywords, readShapeChecked, resolveSignalOptions,
  type ResolvedSignalOptions, type RoutingSignals,
} from './signals.js';
import type { TierSpec } from './tiers.js';

/** Routing mode: two-phase (`'local_first'`) or the legacy keyword-only routing (`'keyword'`). */
export type RoutingMode = 'local_first' | 'keyword';

/** Per-call options of {@link RequestClassifier.decide}. */
export interface DecideOptions {
  /**
   * Aborts waiting for phase 2: `decide()` rejects with `ERR_ABORTED`. The shared classifier
   * call itself keeps running for any coalesced callers (it is still bounded by its timeout).
   */
  readonly signal?: AbortSignal;
}

/**
 * Options of {@link RequestClassifier}, grouped by concern: `tiers` and the routing mode at the
 * top, phase 1 in `thresholds`, `phrases` and `scan`, phase 2 (the host's LLM judge) in `llm`.
 * The 0.1 flat names (e.g. `classify`, `classifierTimeoutMs`) still work until 0.3.0 and map
 * onto the nested ones; giving both for one setting is `ERR_INVALID_OPTION`.
 */
export interface RequestClassifierOptions extends SignalOptions, LlmClassifierOptions {
  /** Phase 2: the host's classifier and its timeout, cache and breaker. Without `llm.classify`, ambiguous requests use phase 1's best guess. */
  readonly llm?: LlmJudgeOptions;
  /** Monotonic clock of the phase-2 breaker, ms (see docs/telemetry.md, "Clocks"). @defaultValue `performance.now` */
  readonly now?: () => number;
  /** `'local_first'`: heuristics, then the classifier for ambiguous requests. `'keyword'`: legacy, the top tier when a deep-reasoning keyword appears, else the default tier. @defaultValue 'local_first' */
  readonly mode?: RoutingMode;
  /** `false` sends every request without an explicit provider/model to the default tier. @defaultValue true */
  readonly enabled?: boolean;
  /** Tier used when routing is disabled, in keyword mode, and for unknown explicit models. @defaultValue the second tier (the first when there is only one) */
  readonly defaultTier?: string;
  /** `model` values that mean "route by content" (compared case-insensitively, trimmed). @defaultValue `['auto', 'default', '']` */
  readonly autoModels?: readonly string[];
}

interface ResolvedOptions {
  readonly signals: ResolvedSignalOptions;
  readonly mode: RoutingMode;
  readonly enabled: boolean;
  readonly defaultTier: TierSpec;
  readonly autoModels: ReadonlySet<string>;
}

/** The options with every deprecated flat name moved onto its nested place. */
function nestRequestClassifierOptions(options: unknown): Record<string, unknown> {
  const o = options === undefined ? {} : options;
  if (!isPlainObject(o)) throw new SwitchyardError('ERR_INVALID_OPTION', 'Expected `options` to be a plain object');
  return nestFlatOptions(nestFlatOptions(o, SIGNAL_ALIASES), LLM_ALIASES);
}

function resolveRequestClassifierOptions(o: Record<string, unknown>): ResolvedOptions {
  const signals = resolveSignalOptions(o);
  const tiers = signals.tiers;
  const defaultName = optString('defaultTier', o['defaultTier'], (tiers.list[1] ?? tiers.local).name);
  const defaultTier = tiers.byName.get(defaultName);
  if (defaultTier === undefined) invalidOption('defaultTier', 'the name of a configured tier', defaultName);
  const auto = o['autoModels'] === undefined ? ['auto', 'default'] : optPhrases('autoModels', o['autoModels'], []);
  return {
    signals,
    mode: optOneOf('mode', o['mode'], ['local_first', 'keyword'] as const, 'local_first'),
    enabled: optBoolean('enabled', o['enabled'], true),
    defaultTier,
    autoModels: new Set(['', ...auto.map((m) => m.toLowerCase())]),
  };
}

function quoted(s: string): string {
  return JSON.stringify(headSlice(s, 60));
}

/**
 * Decides which tier serves a request: an explicit `provider` / `model` is always honoured;
 * otherwise phase 1 ({@link computeRoutingSignals}) classifies it and, when ambiguous, the
 * host's classifier (phase 2) is asked, behind a timeout, an LRU cache, coalescing and a breaker.
 * Any phase-2 problem falls back to phase 1's best guess with a reason; `decide()` rejects only
 * for a request that is not an object with a `messages` array.
 *
 * @example
 * ```ts
 * const classifier = new RequestClassifier({
 *   classify: async (request, { signal }) => askOllama(request, signal), // -> '{"tier":"sonnet","reason":"..."}'
 * });
 * const d = await classifier.decide({ model: 'auto', messages: [{ role: 'user', content: 'Explain closures' }] });
 * d.tier; // 'local'
 * ```
 */
export class RequestClassifier {
  readonly #o: ResolvedOptions;
  readonly #llm: LlmClassifier | null;

  /**
   * @param options - tiers, phase-1 rules, phase-2 classifier and mode
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION` for any invalid option
   */
  constructor(options: RequestClassifierOptions = {}) {
    const nested = nestRequestClassifierOptions(options);
    this.#o = resolveRequestClassifierOptions(nested);
    const llm = resolveLlmClassifierOptions(nested);
    this.#llm = llm === null ? null : new LlmClassifier(llm, this.#o.signals.tiers);
  }

  /** The configured tiers, cheapest first. */
  get tiers(): readonly TierSpec[] {
    return this.#o.signals.tiers.list;
  }

  /**
   * Phase 1 only, with this classifier's options (compiled once).
   * @param request - OpenAI- or Anthropic-shaped request (untrusted)
   * @returns the routing signals
   * @throws {@link SwitchyardError} `ERR_INVALID_MESSAGES` for a request without a `messages` array
   */
  signals(request: ClassifiableRequest): RoutingSignals {
    return computeSignalsResolved(request, this.#o.signals);
  }

  /**
   * Decides where `request` goes. Never rejects because of the host's classifier.
   * @param request - OpenAI- or Anthropic-shaped request (untrusted)
   * @param options - per-call options (`signal`)
   * @returns the decision with its reasons
   * @throws {@link SwitchyardError} `ERR_INVALID_MESSAGES` (as a rejection) for a request that is
   *   not an object with a `messages` array (an explicit provider/model needs only an object);
   *   `ERR_ABORTED` when `options.signal` aborts before the decision is made
   */
  decide(request: ClassifiableRequest, options?: DecideOptions): Promise<DecideResult> {
    if (!metricsChannel.hasSubscribers && !classifyTracing.hasSubscribers) return this.#decide(request, options);
    return this.#decideObserved(request, options);
  }

  /** decide() with diagnostics subscribers: traced, and timed into a `classify` metric. */
  async #decideObserved(request: ClassifiableRequest, options: DecideOptions | undefined): Promise<DecideResult> {
    const t0 = performance.now();
    let model: string | undefined;
    try {
      const m = (request as { model?: unknown } | null)?.model;
      if (typeof m === 'string') model = m;
    } catch { /* a hostile getter: #decide reports it as ERR_INVALID_MESSAGES */ }
    const d = classifyTracing.hasSubscribers
      ? await traceClassify(model, () => this.#decide(request, options))
      : await this.#decide(request, options);
    if (metricsChannel.hasSubscribers) publishClassifyMetric(d, performance.now() - t0);
    return d;
  }

  async #decide(request: ClassifiableRequest, options?: DecideOptions): Promise<DecideResult> {
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) invalidOption('signal', 'an AbortSignal', signal);
    throwIfAborted(signal);
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new SwitchyardError('ERR_INVALID_MESSAGES', 'Expected the request to be an object with a `messages` array');
    }
    const notes: string[] = [];
    const explicit = this.#explicit(request as unknown as Record<string, unknown>, notes);
    if (explicit !== null) return explicit;
    const o = this.#o;
    if (!o.enabled) return decision(o.defaultTier, 0, [...notes, `routing disabled -> default tier ${quoted(o.defaultTier.name)}`], 'fallback');
    if (o.mode === 'keyword') return this.#keyword(request, notes);

    const signals = computeSignalsResolved(request, o.signals);
    const reasons = [...notes, ...signals.reasons];
    const guess = o.signals.tiers.byName.get(signals.fallbackTier)!;
    if (signals.band !== 'AMBIGUOUS') return decision(guess, signals.score, reasons, 'heuristic');
    if (this.#llm === null) {
      reasons.push(`ambiguous, no classifier configured -> phase-1 best guess ${quoted(guess.name)}`);
      return decision(guess, signals.score, reasons, 'fallback');
    }
    const outcome = await abortable(this.#llm.classify(request, signals), signal);
    if (outcome.ok) {
      const from = outcome.source === 'classifier' ? '' : ` (${outcome.source})`;
      reasons.push(`classifier${from}: ${quoted(outcome.tier.name)}${outcome.reason === '' ? '' : ` - ${outcome.reason}`}`);
      return decision(outcome.tier, signals.score, reasons, 'llm_classifier');
    }
    reasons.push(`classifier ${outcome.failure} (${outcome.detail}) -> phase-1 best guess ${quoted(guess.name)}`);
    return decision(guess, signals.score, reasons, 'fallback');
  }

  /**
   * Phase-2 counters: calls, cache hits, coalesced requests, fallbacks by cause, breaker state.
   * @returns a snapshot (all zero when no classifier is configured)
   */
  stats(): ClassifierStats {
    return this.#llm?.stats() ?? {
      classifierCalls: 0, cacheHits: 0, coalesced: 0, cacheSize: 0,
      fallbacks: { timeout: 0, error: 0, invalid_output: 0, breaker_open: 0 }, breaker: 'closed',
    };
  }

  #keyword(request: ClassifiableRequest, notes: string[]): DecideResult {
    const o = this.#o;
    const deep = deepKeywords(readShapeChecked(request, o.signals), o.signals);
    const score = Math.min(1, deep.length * SCORE_WEIGHTS.deepKeyword);
    const remote = o.signals.tiers.remote;
    const tier = deep.length > 0 ? remote[remote.length - 1]! : o.defaultTier;
    notes.push(deep.length > 0
      ? `keyword mode: deep-reasoning keyword(s) ${deep.map(quoted).join(', ')} -> top tier ${quoted(tier.name)}`
      : `keyword mode: no deep-reasoning keyword -> default tier ${quoted(tier.name)}`);
    return decision(tier, score, notes, 'heuristic');
  }

  /** An explicit provider/model decision, or null (pushing notes about ignored fields). */
  #explicit(request: Record<string, unknown>, notes: string[]): DecideResult | null {
    const tiers = this.#o.signals.tiers;
    const rawModel = request['model'];
    const rawProvider = request['provider'];
    let model: string | undefined;
    let provider: string | undefined;
    if (typeof rawModel === 'string') {
      if (!this.#o.autoModels.has(rawModel.trim().toLowerCase())) model = rawModel;
    } else if (rawModel !== undefined && rawModel !== null) notes.push('ignored a non-string `model`');
    if (typeof rawProvider === 'string') {
      if (rawProvider.trim() !== '') provider = rawProvider;
    } else if (rawProvider !== undefined && rawProvider !== null) notes.push('ignored a non-string `provider`');
    if (model === undefined && provider === undefined) return null;

    if (model !== undefined) {
      const byName = tiers.byName.get(model);
      const tier = byName ?? tiers.byModel.get(model);
      if (tier !== undefined) {
        const via = byName !== undefined ? 'tier name' : 'model';
        return decision(tier, 0, [...notes, `explicit ${via} ${quoted(model)} -> tier ${quoted(tier.name)}`], 'explicit', provider);
      }
      const base = (provider === undefined ? undefined : tiers.byProvider.get(provider)) ?? this.#o.defaultTier;
      return {
        provider: provider ?? base.provider, model, tier: base.name, score: 0, phase: 'explicit',
        reasons: [...notes, `explicit model ${quoted(model)} is not a configured tier: passed through (tier ${quoted(base.name)})`],
      };
    }
    const tier = tiers.byProvider.get(provider!);
    if (tier !== undefined) {
      return decision(tier, 0, [...notes, `explicit provider ${quoted(provider!)} -> its first tier ${quoted(tier.name)}`], 'explicit');
    }
    const base = this.#o.defaultTier;
    return {
      provider: provider!, model: base.model, tier: base.name, score: 0, phase: 'explicit',
      reasons: [...notes, `explicit provider ${quoted(provider!)} is not configured: passed through with the default tier's model`],
    };
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new SwitchyardError('ERR_ABORTED', 'decide() was aborted', { cause: signal.reason });
}

const passThrough = <T>(promise: Promise<T>): Promise<T> => promise;
const noTimeout = (): undefined => undefined;
const abortedDecide = (reason: unknown): SwitchyardError => new SwitchyardError('ERR_ABORTED', 'decide() was aborted', { cause: reason });

/** `promise`, or a rejection with `ERR_ABORTED` as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return withDeadline(passThrough, promise, 0, Infinity, signal, GLOBAL_TIMERS, noTimeout, abortedDecide);
}

function decision(tier: TierSpec, score: number, reasons: readonly string[], phase: RoutingPhase, provider?: string): DecideResult {
  return { provider: provider ?? tier.provider, model: tier.model, tier: tier.name, score, reasons, phase };
}
