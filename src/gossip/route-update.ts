// The route_update wire message: types, validation into a canonical frozen form.
import { SwitchyardError, describeValue } from '../errors.js';
import { normalizeProject, type NormalizedProject, type ProjectSpec } from '../router/project-spec.js';
import { invalidMessage, readUntrusted } from './safe-input.js';

/** What a route update does to its model path. `add` and `update` both store the project. */
export type RouteUpdateAction = 'add' | 'update' | 'remove';

/**
 * A project as it travels in a route update: the {@link ProjectSpec} fields, with patterns as
 * source strings (compiled case-insensitive with the `u` flag by receivers) and the
 * embedding as plain numbers.
 */
export interface WireProject extends Omit<ProjectSpec, 'namespace' | 'patterns' | 'embedding'> {
  /** Namespace part of the model path. */
  readonly namespace: string;
  /** Pattern sources. */
  readonly patterns?: readonly string[];
  /** Main-row embedding from the sender's embedder (see {@link RouteUpdateMessage.embedder}). */
  readonly embedding?: readonly number[];
}

/**
 * A replicated route-table change (snake_case on the wire). Each model path is a
 * last-writer-wins register ordered by (`timestamp`, `from_node`, `seq`, content hash).
 *
 * @example
 * ```ts
 * const msg: RouteUpdateMessage = {
 *   type: 'route_update', action: 'add',
 *   project: { namespace: 'farm', name: 'llama-care', description: 'llama husbandry' },
 *   from_node: 'node-a', timestamp: 1_700_000_000_000, seq: 1,
 * };
 * ```
 */
export interface RouteUpdateMessage {
  /** Always `'route_update'`. */
  readonly type: 'route_update';
  /** What happens to the model path. */
  readonly action: RouteUpdateAction;
  /** The project (for `remove`, only `namespace` and `name` are kept). */
  readonly project: WireProject;
  /** Id of the node that made the change. */
  readonly from_node: string;
  /** Wall-clock time of the change: integer milliseconds since the Unix epoch. */
  readonly timestamp: number;
  /** Per-node counter (integer >= 0), breaks ties between changes in the same millisecond. */
  readonly seq: number;
  /** Id of the embedder that produced `project.embedding`. */
  readonly embedder?: string;
}

/** Bounds applied to route updates. @internal */
export interface RouteUpdateLimits {
  /** Maximum bytes of one message. */
  readonly maxMessageBytes: number;
  /** Local embedder: an embedding from an embedder with this id must have this length. */
  readonly embedder: { readonly id: string; readonly dim: number } | undefined;
  /** Whether project `patterns` are accepted (a peer's are refused unless the router opts in). */
  readonly acceptPatterns?: boolean;
}

/** Largest embedding dimension accepted on the wire. @internal */
export const MAX_WIRE_DIM = 16_000;
/** Maximum nesting of a message (message → project → list). @internal */
export const MAX_MESSAGE_DEPTH = 4;

const TOP_KEYS = new Set(['type', 'action', 'project', 'from_node', 'timestamp', 'seq', 'embedder']);
const LIST_KEYS = ['aliases', 'topics', 'keywords', 'patterns', 'examples', 'capabilities', 'nodes'] as const;
const TEXT_KEYS = ['domain', 'description'] as const;
const PROJECT_KEYS = new Set<string>(['namespace', 'name', 'embedding', ...LIST_KEYS, ...TEXT_KEYS]);
const ACTIONS = new Set<string>(['add', 'update', 'remove']);

/** Model path (`namespace/name`) of a message. @internal */
export function modelPathOf(m: RouteUpdateMessage): string {
  return `${m.project.namespace}/${m.project.name}`;
}

function safeInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) invalidMessage(`Expected \`${field}\` to be an integer in [0, 2^53), got ${describeValue(v)}`, { field });
  return v;
}

function nodeId(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 256) invalidMessage(`Expected \`${field}\` to be a string of 1–256 chars, got ${describeValue(v)}`, { field });
  return v;
}

function canonicalEmbedding(raw: unknown, embedderId: string | undefined, limits: RouteUpdateLimits): readonly number[] {
  if (!Array.isArray(raw)) invalidMessage(`Expected \`project.embedding\` to be an array of numbers, got ${describeValue(raw)}`, { field: 'embedding' });
  if (raw.length === 0 || raw.length > MAX_WIRE_DIM) invalidMessage(`Expected \`project.embedding\` to have 1–${MAX_WIRE_DIM} values, got ${raw.length}`, { field: 'embedding' });
  const local = limits.embedder;
  if (local && embedderId === local.id && raw.length !== local.dim) {
    invalidMessage(`Embedding from embedder '${local.id}' has length ${raw.length}, expected ${local.dim}`, { field: 'embedding', expected: local.dim, actual: raw.length });
  }
  let nonzero = false;
  for (let i = 0; i < raw.length; i++) {
    const v: unknown = raw[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || !Number.isFinite(Math.fround(v))) invalidMessage(`Embedding value ${i} is ${describeValue(v)}, expected a finite number`, { field: 'embedding', index: i });
    if (v !== 0) nonzero = true;
  }
  if (!nonzero) invalidMessage('Embedding is all zeros (cosine undefined)', { field: 'embedding' });
  return Object.freeze((raw as number[]).slice());
}

/** A validated message plus the validated project (for add/update). @internal */
export interface ParsedRouteUpdate {
  readonly message: RouteUpdateMessage;
  readonly modelPath: string;
  readonly normalized: NormalizedProject | undefined;
}

/**
 * Validates untrusted input (JSON string, bytes, or object) into a canonical frozen message
 * with a fixed key order, so equal content serialises and hashes identically on every node.
 * Throws `ERR_INVALID_ROUTE_UPDATE`.
 * @internal
 */
export function parseRouteUpdate(input: unknown, limits: RouteUpdateLimits): ParsedRouteUpdate {
  const raw = readUntrusted(input, { maxBytes: limits.maxMessageBytes, maxDepth: MAX_MESSAGE_DEPTH });
  return canonicalRouteUpdate(raw, limits);
}

/** Validates an already-read plain tree (see {@link parseRouteUpdate}). @internal */
export function canonicalRouteUpdate(raw: unknown, limits: RouteUpdateLimits): ParsedRouteUpdate {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalidMessage(`Expected a route update object, got ${describeValue(raw)}`);
  const m = raw as Record<string, unknown>;
  for (const key of Object.keys(m)) if (!TOP_KEYS.has(key)) invalidMessage(`Unknown field '${key.slice(0, 60)}' in route update`, { field: key });
  if (m['type'] !== 'route_update') invalidMessage(`Expected \`type\` to be 'route_update', got ${describeValue(m['type'])}`, { field: 'type' });
  const action = m['action'];
  if (typeof action !== 'string' || !ACTIONS.has(action)) invalidMessage(`Expected \`action\` to be 'add', 'update' or 'remove', got ${describeValue(action)}`, { field: 'action' });
  const from = nodeId(m['from_node'], 'from_node');
  const timestamp = safeInt(m['timestamp'], 'timestamp');
  const seq = safeInt(m['seq'], 'seq');
  const embedder = m['embedder'] === undefined ? undefined : nodeId(m['embedder'], 'embedder');
  const p = m['project'];
  if (typeof p !== 'object' || p === null || Array.isArray(p)) invalidMessage(`Expected \`project\` to be an object, got ${describeValue(p)}`, { field: 'project' });
  const pr = p as Record<string, unknown>;
  for (const key of Object.keys(pr)) if (!PROJECT_KEYS.has(key)) invalidMessage(`Unknown field 'project.${key.slice(0, 60)}' in route update`, { field: key });
  const namespace = pr['namespace'] ?? 'default';
  const name = pr['name'];
  let project: Record<string, unknown> = { namespace, name };
  let normalized: NormalizedProject | undefined;
  if (action !== 'remove') {
    for (const key of [...TEXT_KEYS, ...LIST_KEYS]) if (pr[key] !== undefined) project[key] = pr[key];
    const patterns = pr['patterns'];
    if (Array.isArray(patterns) && patterns.length > 0 && limits.acceptPatterns !== true) {
      invalidMessage('Route update carries `patterns`; this router does not accept patterns from peers (option `acceptPeerPatterns`)', { field: 'patterns' });
    }
    if (Array.isArray(patterns) && patterns.some((x) => typeof x !== 'string')) invalidMessage('Expected `project.patterns` to be strings', { field: 'patterns' });
    if (pr['embedding'] !== undefined) project['embedding'] = canonicalEmbedding(pr['embedding'], embedder, limits);
  }
  try {
    // full ProjectSpec validation (names, lengths, patterns compile); the embedding was checked above
    const { embedding: _e, ...spec } = project;
    normalized = normalizeProject(spec, 1);
  } catch (e) {
    throw new SwitchyardError('ERR_INVALID_ROUTE_UPDATE', `Invalid project in route update: ${(e as Error).message}`, { cause: e, details: { field: 'project' } });
  }
  for (const key of LIST_KEYS) if (project[key] !== undefined) project[key] = Object.freeze((project[key] as string[]).slice());
  project = Object.freeze(project);
  const message: RouteUpdateMessage = Object.freeze({
    type: 'route_update', action: action as RouteUpdateAction, project: project as unknown as WireProject,
    from_node: from, timestamp, seq, ...(embedder !== undefined && action !== 'remove' ? { embedder } : {}),
  });
  return { message, modelPath: normalized.project.modelPath, normalized: action === 'remove' ? undefined : normalized };
}

/**
 * The wire form of a stored project: only non-empty fields, patterns as source strings, the
 * main-row embedding as plain numbers.
 * @internal
 */
export function wireProjectOf(n: NormalizedProject, main: Float32Array | undefined): WireProject {
  const p = n.project;
  const out: Record<string, unknown> = { namespace: p.namespace, name: p.name };
  for (const key of TEXT_KEYS) if (p[key] !== '') out[key] = p[key];
  for (const key of LIST_KEYS) {
    const list = key === 'patterns' ? n.compiledPatterns.map((r) => r.source) : p[key];
    if (list.length > 0) out[key] = list;
  }
  if (main !== undefined) out['embedding'] = Array.from(main);
  return out as unknown as WireProject;
}
