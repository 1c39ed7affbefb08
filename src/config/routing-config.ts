// Loader for the seed's routing.yaml shape (already parsed by the host) -> ApiMap options.
import type { ApiMapOptions } from '../balance/api-map-options.js';
import type { StrategyName } from '../balance/strategy.js';
import type { InstanceSpec, ProviderSpec } from '../balance/types.js';
import { SwitchyardError, invalidOption, isSwitchyardError } from '../errors.js';
import { expandEnv, type ExpandEnvOptions } from './expand-env.js';
import { isPlainObject } from '../internal/validate.js';

/** Options of {@link loadRoutingConfig}: variables for `${VAR}` expansion and limits. */
export interface LoadRoutingConfigOptions extends ExpandEnvOptions {
  /** `type` given to the generated `local` and `remote` providers. @defaultValue 'openai-compatible' */
  readonly providerType?: string;
}

/** What {@link loadRoutingConfig} returns. */
export interface RoutingConfig {
  /** Options for `new ApiMap(...)`: providers `local` and `remote`, strategy, `localFraction`, `timeoutMs`. */
  readonly apiMap: ApiMapOptions;
  /** Per-attempt timeout (`timeout`, seconds in the file), ms. */
  readonly timeoutMs: number;
  /** Health-check interval (`health_check`, seconds in the file), ms; `0` means disabled. */
  readonly healthCheckIntervalMs: number;
}

const STRATEGIES: Readonly<Record<string, StrategyName>> = Object.assign(Object.create(null) as Record<string, StrategyName>, {
  fixed: 'fixed-ratio', 'fixed-ratio': 'fixed-ratio', 'round-robin': 'round-robin', 'least-loaded': 'least-loaded', fastest: 'fastest', weighted: 'weighted',
});

/** Describes a value without echoing strings (they may hold secrets after expansion). */
function shape(value: unknown): string {
  if (typeof value === 'number') return `\`${value}\` (number)`;
  if (typeof value === 'string') return 'a string';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

function fail(path: string, what: string, value: unknown): never {
  throw new SwitchyardError('ERR_CONFIG', `Expected \`${path}\` to be ${what}, got ${shape(value)}`, { details: { path } });
}

function num(path: string, value: unknown, fallback: number, min: number, max: number, minExclusive = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || Object.is(value, -0) || value > max || (minExclusive ? value <= min : value < min)) {
    fail(path, `a finite number in ${minExclusive ? '(' : '['}${min}, ${max}]`, value);
  }
  return value;
}

function deployments(path: string, value: unknown, side: 'local' | 'remote', out: InstanceSpec[]): Set<string> {
  const models = new Set<string>();
  if (value === undefined || value === null) return models;
  if (!Array.isArray(value)) fail(path, 'a list of deployments', value);
  value.forEach((d: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isPlainObject(d)) fail(at, 'a mapping with `endpoint` and `models`', d);
    const endpoint = d['endpoint'];
    if (typeof endpoint !== 'string' || endpoint === '') fail(`${at}.endpoint`, 'a non-empty string', endpoint);
    const list = d['models'];
    if (!Array.isArray(list) || list.length === 0) fail(`${at}.models`, 'a non-empty list of model names', list);
    const own = list.map((m: unknown, k) => {
      if (typeof m !== 'string' || m === '') fail(`${at}.models[${k}]`, 'a non-empty string', m);
      models.add(m);
      return m;
    });
    const weight = num(`${at}.weight`, d['weight'], 1, 0, 1_000_000);
    out.push({ id: `${side}-${i}`, endpoint, weight, deployment: side, models: own });
  });
  return models;
}

/**
 * Turns a parsed `routing.yaml` (the seed's shape) into {@link ApiMap} options:
 *
 * ```yaml
 * routing_strategy: fixed          # -> 'fixed-ratio' (our strategy names are accepted too)
 * routing_parameter: { local_fraction: 0.6 }
 * timeout: 2                       # seconds, per attempt
 * health_check: 30                 # seconds; 0 disables
 * local_deployment:  [{ endpoint: '${LOCAL_BASE_URL:-http://localhost:8000}', models: [...] }]
 * remote_deployment: [{ endpoint: '${LLAMA_BASE_URL}', models: [...] }]
 * ```
 *
 * `${VAR}` expansion ({@link expandEnv}) runs first, on the parsed tree. Numbers must be
 * numbers (`"5"` is rejected). Unknown keys (e.g. `logging`) are ignored.
 *
 * @param doc - the parsed document
 * @param options - variables for expansion, provider type
 * @returns ApiMap options plus the timeout and health-check interval in ms
 * @throws {@link SwitchyardError} `ERR_CONFIG` (invalid document), `ERR_CONFIG_CYCLE` (cyclic variables)
 */
export function loadRoutingConfig(doc: unknown, options: LoadRoutingConfigOptions = {}): RoutingConfig {
  try {
    return loadUnguarded(doc, options);
  } catch (e) {
    if (isSwitchyardError(e)) throw e;
    throw new SwitchyardError('ERR_CONFIG', 'Configuration could not be read (a getter or Proxy trap threw)', { cause: e });
  }
}

function loadUnguarded(doc: unknown, options: LoadRoutingConfigOptions): RoutingConfig {
  if (!isPlainObject(options)) invalidOption('options', 'an object', options);
  const { providerType = 'openai-compatible', ...expandOptions } = options as LoadRoutingConfigOptions;
  if (!isPlainObject(doc)) fail('(root)', 'a mapping', doc);
  const d = expandEnv(doc, expandOptions);
  const rawStrategy = d['routing_strategy'] ?? 'fixed';
  const strategy = typeof rawStrategy === 'string' && Object.hasOwn(STRATEGIES, rawStrategy) ? STRATEGIES[rawStrategy]! : fail('routing_strategy', `one of ${Object.keys(STRATEGIES).join(', ')}`, rawStrategy);
  const params = d['routing_parameter'] ?? {};
  if (!isPlainObject(params)) fail('routing_parameter', 'a mapping', params);
  const localFraction = num('routing_parameter.local_fraction', params['local_fraction'], 0.5, 0, 1);
  const timeoutMs = Math.round(num('timeout', d['timeout'], 30, 0, 2_000_000, true) * 1000);
  const healthCheckIntervalMs = Math.round(num('health_check', d['health_check'], 0, 0, 2_000_000) * 1000);
  const local: InstanceSpec[] = [];
  const remote: InstanceSpec[] = [];
  const localModels = deployments('local_deployment', d['local_deployment'], 'local', local);
  const remoteModels = deployments('remote_deployment', d['remote_deployment'], 'remote', remote);
  const providers: ProviderSpec[] = [];
  if (local.length > 0) providers.push({ name: 'local', type: providerType, models: [...localModels], instances: local });
  if (remote.length > 0) providers.push({ name: 'remote', type: providerType, models: [...remoteModels], instances: remote });
  if (providers.length === 0) fail('local_deployment', 'at least one deployment (local or remote)', d['local_deployment']);
  return { apiMap: { providers, strategy, localFraction, timeoutMs: Math.max(1, timeoutMs) }, timeoutMs: Math.max(1, timeoutMs), healthCheckIntervalMs };
}
