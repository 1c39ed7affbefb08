import { invalidOption } from '../errors.js';
import { isPlainObject } from '../internal/validate.js';

/**
 * One routing tier: a named target (provider + model) the classifier can pick.
 *
 * Tiers are configured as an ordered list, cheapest first: the first tier serves requests the
 * heuristics judge `LOCAL`; the remaining tiers are remote tiers ordered by capability (mid
 * first, top last).
 */
export interface TierSpec {
  /** Unique tier name, e.g. `'local'`, `'sonnet'`, `'opus'`. Also accepted as an explicit `model`. */
  readonly name: string;
  /** Provider id handed back to the host, e.g. `'local'` or `'anthropic'`. */
  readonly provider: string;
  /** Model id handed back to the host. */
  readonly model: string;
}

/**
 * Example tier list from the smart-routing seed: a local Ollama model, a mid remote model and a
 * top remote model. Used when no `tiers` option is given.
 */
export const DEFAULT_TIERS: readonly TierSpec[] = Object.freeze([
  Object.freeze({ name: 'local', provider: 'local', model: 'qwen2.5-coder:14b-instruct' }),
  Object.freeze({ name: 'sonnet', provider: 'anthropic', model: 'claude-sonnet-4-5' }),
  Object.freeze({ name: 'opus', provider: 'anthropic', model: 'claude-opus-4-1' }),
]);

/** Most tiers a list may hold. @internal */
export const MAX_TIERS = 32;

/**
 * Validated, frozen tier list plus lookups. Lookups are `Map`s (names come from outside).
 * @internal
 */
export interface ResolvedTiers {
  readonly list: readonly TierSpec[];
  /** First tier: the `LOCAL` band target. */
  readonly local: TierSpec;
  /** Tiers after the first (or the only tier when there is one), mid first, top last. */
  readonly remote: readonly TierSpec[];
  /** Exact tier name -> tier. */
  readonly byName: ReadonlyMap<string, TierSpec>;
  /** Lower-cased tier name -> tier (for classifier output). */
  readonly byLowerName: ReadonlyMap<string, TierSpec>;
  /** Model id -> first tier using it. */
  readonly byModel: ReadonlyMap<string, TierSpec>;
  /** Provider id -> first tier using it. */
  readonly byProvider: ReadonlyMap<string, TierSpec>;
}

function nonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    invalidOption(name, 'a non-empty string of at most 256 chars', value);
  }
  return value;
}

/**
 * Validates a tier list eagerly and builds its lookups.
 * @internal
 */
export function resolveTiers(value: unknown): ResolvedTiers {
  const input = value === undefined ? DEFAULT_TIERS : value;
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_TIERS) {
    invalidOption('tiers', `a non-empty array of at most ${MAX_TIERS} tiers`, input);
  }
  const list: TierSpec[] = [];
  const byName = new Map<string, TierSpec>();
  const byLowerName = new Map<string, TierSpec>();
  const byModel = new Map<string, TierSpec>();
  const byProvider = new Map<string, TierSpec>();
  (input as readonly unknown[]).forEach((raw, i) => {
    if (!isPlainObject(raw)) invalidOption(`tiers[${i}]`, 'an object { name, provider, model }', raw);
    const tier: TierSpec = Object.freeze({
      name: nonEmptyString(`tiers[${i}].name`, raw['name']),
      provider: nonEmptyString(`tiers[${i}].provider`, raw['provider']),
      model: nonEmptyString(`tiers[${i}].model`, raw['model']),
    });
    const lower = tier.name.toLowerCase();
    if (byLowerName.has(lower)) invalidOption(`tiers[${i}].name`, 'unique (case-insensitive)', tier.name);
    list.push(tier);
    byName.set(tier.name, tier);
    byLowerName.set(lower, tier);
    if (!byModel.has(tier.model)) byModel.set(tier.model, tier);
    if (!byProvider.has(tier.provider)) byProvider.set(tier.provider, tier);
  });
  const frozen = Object.freeze(list);
  return {
    list: frozen,
    local: frozen[0]!,
    remote: frozen.length > 1 ? Object.freeze(frozen.slice(1)) : frozen,
    byName, byLowerName, byModel, byProvider,
  };
}
