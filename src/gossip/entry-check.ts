// A non-throwing first check of one route-state entry, so that merging a state of a million
// bad entries costs a few property reads per entry instead of an Error (stack capture, ~7–10 µs)
// each. It refuses everything canonicalRouteUpdate would refuse for its shape (types, known
// keys, lengths, names, embeddings); what is left for the throwing path is rare (a pattern
// that does not compile) and costs at least its own bytes.
import { PROJECT_LIMITS } from '../router/project-spec.js';
import { MAX_WIRE_DIM, type RouteUpdateLimits } from './route-update.js';

const TOP_KEYS = new Set(['type', 'action', 'project', 'from_node', 'timestamp', 'seq', 'embedder']);
const LIST_KEYS = ['aliases', 'topics', 'keywords', 'patterns', 'examples', 'capabilities', 'nodes'] as const;
const TEXT_KEYS = ['domain', 'description'] as const;
const PROJECT_KEYS = new Set<string>(['namespace', 'name', 'embedding', ...LIST_KEYS, ...TEXT_KEYS]);
const NAME_RE = /^[A-Za-z0-9._:@-]{1,128}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isId(v: unknown): boolean {
  return typeof v === 'string' && v.length > 0 && v.length <= 256;
}

function listProblem(v: unknown, key: string): string | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > PROJECT_LIMITS.listItems) return `\`project.${key}\` is not an array of at most ${PROJECT_LIMITS.listItems} strings`;
  for (let i = 0; i < v.length; i++) {
    const item: unknown = v[i];
    if (typeof item !== 'string' || item.length > PROJECT_LIMITS.itemChars) return `an item of \`project.${key}\` is not a string of at most ${PROJECT_LIMITS.itemChars} chars`;
    if (key === 'aliases' && (item.length === 0 || item === 'auto')) return 'an alias is empty or reserved';
  }
  return undefined;
}

function embeddingProblem(v: unknown, embedder: unknown, limits: RouteUpdateLimits): string | undefined {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_WIRE_DIM) return `\`project.embedding\` is not an array of 1–${MAX_WIRE_DIM} numbers`;
  const local = limits.embedder;
  if (local && embedder === local.id && v.length !== local.dim) return `embedding length ${v.length} differs from the local embedder's ${local.dim}`;
  let nonzero = false;
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || !Number.isFinite(Math.fround(x))) return `embedding value ${i} is not a finite number`;
    if (x !== 0) nonzero = true;
  }
  return nonzero ? undefined : 'embedding is all zeros';
}

/**
 * Why `raw` (a JSON-decoded or copied value) cannot be a route update, or undefined when its
 * shape is right. Never throws for such values.
 * @internal
 */
export function routeUpdateProblem(raw: unknown, limits: RouteUpdateLimits): string | undefined {
  if (!isRecord(raw)) return 'entry is not an object';
  for (const key of Object.keys(raw)) if (!TOP_KEYS.has(key)) return `unknown field '${key.slice(0, 60)}'`;
  if (raw['type'] !== 'route_update') return '`type` is not route_update';
  const action = raw['action'];
  if (action !== 'add' && action !== 'update' && action !== 'remove') return '`action` is not add, update or remove';
  if (!isId(raw['from_node'])) return '`from_node` is not a string of 1–256 chars';
  if (!isCount(raw['timestamp']) || !isCount(raw['seq'])) return '`timestamp` or `seq` is not an integer in [0, 2^53)';
  const embedder = raw['embedder'];
  if (embedder !== undefined && !isId(embedder)) return '`embedder` is not a string of 1–256 chars';
  const p = raw['project'];
  if (!isRecord(p)) return '`project` is not an object';
  for (const key of Object.keys(p)) if (!PROJECT_KEYS.has(key)) return `unknown field 'project.${key.slice(0, 60)}'`;
  const name = p['name'];
  const namespace = p['namespace'] ?? 'default';
  if (typeof name !== 'string' || !NAME_RE.test(name) || typeof namespace !== 'string' || !NAME_RE.test(namespace)) return 'project name or namespace is invalid';
  if (action === 'remove') return undefined;
  for (const key of TEXT_KEYS) {
    const v = p[key];
    if (v !== undefined && (typeof v !== 'string' || v.length > PROJECT_LIMITS.textChars)) return `\`project.${key}\` is not a string of at most ${PROJECT_LIMITS.textChars} chars`;
  }
  for (const key of LIST_KEYS) {
    const problem = listProblem(p[key], key);
    if (problem !== undefined) return problem;
  }
  const patterns = p['patterns'];
  if (Array.isArray(patterns) && patterns.length > 0 && limits.acceptPatterns !== true) return 'carries `patterns`, which this router does not accept from peers (option `acceptPeerPatterns`)';
  if (Array.isArray(patterns) && patterns.length > PROJECT_LIMITS.patterns) return `more than ${PROJECT_LIMITS.patterns} patterns`;
  if (p['embedding'] !== undefined) return embeddingProblem(p['embedding'], embedder, limits);
  return undefined;
}
