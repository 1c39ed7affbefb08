import { SwitchyardError, describeValue, isSwitchyardError } from '../errors.js';
import { isPlainObject } from '../internal/validate.js';
import { PatternError, compileSafePattern, type SafePattern } from './safe-pattern.js';

/**
 * A routable project (model). Its model path is `namespace/name`.
 *
 * Every text field feeds the project's main row of the score matrix; each entry of
 * `examples` gets a row of its own, and the project's score is the best of its rows.
 */
export interface ProjectSpec {
  /** Namespace part of the model path. @defaultValue `'default'` */
  readonly namespace?: string;
  /** Name part of the model path (letters, digits, `._:@-`; 1–128 chars). */
  readonly name: string;
  /** Other model strings that route here explicitly (exact match). */
  readonly aliases?: readonly string[];
  /** Domain, e.g. `'healthcare'` or a path `'animals/camelids'`; a query containing the domain word (or any path segment) gets a small boost. */
  readonly domain?: string;
  /** What the project is for. */
  readonly description?: string;
  /** Topic phrases. */
  readonly topics?: readonly string[];
  /** Keywords (words or phrases); each one present in a query adds a boost and a reason. */
  readonly keywords?: readonly string[];
  /**
   * Regular expressions (source strings, matched case-insensitively, or RegExp objects, whose
   * `i`, `m` and `s` flags are kept). A match decides the route outright, without embedding.
   * They run on a linear-time engine (RE2 syntax: no lookaround, no backreferences; see
   * docs/security.md), so no pattern can make routing hang.
   */
  readonly patterns?: readonly (string | RegExp)[];
  /** Example requests; each becomes its own matrix row. */
  readonly examples?: readonly string[];
  /** Free-form capability tags, returned with the project. */
  readonly capabilities?: readonly string[];
  /** Node ids that serve this project, returned with the project. */
  readonly nodes?: readonly string[];
  /** Precomputed main-row embedding (length = embedder dim, finite, not all zero). */
  readonly embedding?: readonly number[] | Float32Array;
}

/** A validated project as the router stores and returns it (frozen; model path resolved). */
export interface Project {
  /** `namespace/name`. */
  readonly modelPath: string;
  /** Namespace part. */
  readonly namespace: string;
  /** Name part. */
  readonly name: string;
  /** Alias model strings. */
  readonly aliases: readonly string[];
  /** Domain, or `''`. */
  readonly domain: string;
  /** Description, or `''`. */
  readonly description: string;
  /** Topics. */
  readonly topics: readonly string[];
  /** Keywords. */
  readonly keywords: readonly string[];
  /** Pattern sources with flags, e.g. `/\bllama\b/iu`. */
  readonly patterns: readonly string[];
  /** Example requests. */
  readonly examples: readonly string[];
  /** Capability tags. */
  readonly capabilities: readonly string[];
  /** Node ids. */
  readonly nodes: readonly string[];
  /** Whether a precomputed embedding was supplied. */
  readonly hasEmbedding: boolean;
}

/** Limits applied to every ProjectSpec. @internal */
export const PROJECT_LIMITS = {
  nameChars: 128,
  textChars: 8_192,
  listItems: 1_024,
  itemChars: 1_024,
  maxDim: 16_384,
  /** Most patterns per project. */
  patterns: 256,
  /** Largest total program (RE2 instructions) of a project's patterns: bounds its share of every route's matching cost. */
  patternInsts: 1_000,
} as const;

/** Keys that could reach an object prototype if some consumer merged the spec naively. */
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

const NAME_RE = /^[A-Za-z0-9._:@-]{1,128}$/;

function fail(message: string, details: Record<string, unknown>): never {
  throw new SwitchyardError('ERR_INVALID_PROJECT', message, { details });
}

function str(value: unknown, field: string, name: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') fail(`Expected \`${field}\` of project '${name}' to be a string, got ${describeValue(value)}`, { field });
  if (value.length > PROJECT_LIMITS.textChars) fail(`\`${field}\` of project '${name}' is longer than ${PROJECT_LIMITS.textChars} chars`, { field });
  return value;
}

function list(value: unknown, field: string, name: string): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value)) fail(`Expected \`${field}\` of project '${name}' to be an array of strings, got ${describeValue(value)}`, { field });
  if (value.length > PROJECT_LIMITS.listItems) fail(`\`${field}\` of project '${name}' has more than ${PROJECT_LIMITS.listItems} items`, { field });
  const out: string[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'string') fail(`Expected every \`${field}\` item of project '${name}' to be a string, got ${describeValue(item)}`, { field });
    if (item.length > PROJECT_LIMITS.itemChars) fail(`An item of \`${field}\` of project '${name}' is longer than ${PROJECT_LIMITS.itemChars} chars`, { field });
    out.push(item);
  }
  return Object.freeze(out);
}

/** Validated project plus what the router needs to index it. @internal */
export interface NormalizedProject {
  readonly project: Project;
  readonly compiledPatterns: readonly SafePattern[];
  readonly embedding: Float32Array | undefined;
  /** Text of the main row. */
  readonly mainText: string;
}

/**
 * Validates a ProjectSpec from outside. Throws `ERR_INVALID_PROJECT` / `ERR_INVALID_EMBEDDING`.
 * Reads only own data properties of plain objects (no getters run twice, no prototype keys).
 * @internal
 */
export function normalizeProject(spec: unknown, dim: number): NormalizedProject {
  try {
    return normalizeProjectUnguarded(spec, dim);
  } catch (e) {
    if (isSwitchyardError(e)) throw e;
    // a getter or Proxy trap of the caller's spec threw: still a typed, stable error
    throw new SwitchyardError('ERR_INVALID_PROJECT', `Project could not be read (a getter or Proxy trap threw): ${thrownMessage(e)}`, { cause: e, details: {} });
  }
}

function thrownMessage(e: unknown): string {
  try {
    const m = typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined;
    return typeof m === 'string' ? m.slice(0, 120) : typeof e;
  } catch {
    return 'unreadable error';
  }
}

function normalizeProjectUnguarded(spec: unknown, dim: number): NormalizedProject {
  if (!isPlainObject(spec)) fail(`Expected a project to be a plain object, got ${describeValue(spec)}`, {});
  const s = spec as Record<string, unknown>;
  for (const key of FORBIDDEN_KEYS) {
    if (Object.hasOwn(s, key)) fail(`Project has a forbidden key '${key}'`, { field: key });
  }
  const name = s['name'];
  if (typeof name !== 'string' || !NAME_RE.test(name)) fail(`Expected project \`name\` to match ${NAME_RE}, got ${describeValue(name)}`, { field: 'name' });
  const namespace = s['namespace'] === undefined ? 'default' : s['namespace'];
  if (typeof namespace !== 'string' || !NAME_RE.test(namespace)) fail(`Expected project \`namespace\` to match ${NAME_RE}, got ${describeValue(namespace)}`, { field: 'namespace' });
  const modelPath = `${namespace}/${name}`;
  const aliases = list(s['aliases'], 'aliases', modelPath);
  for (const a of aliases) if (a.length === 0 || a === 'auto') fail(`Alias ${describeValue(a)} of project '${modelPath}' is reserved or empty`, { field: 'aliases' });
  const rawPatterns = s['patterns'];
  if (rawPatterns !== undefined && !Array.isArray(rawPatterns)) fail(`Expected \`patterns\` of project '${modelPath}' to be an array, got ${describeValue(rawPatterns)}`, { field: 'patterns' });
  const compiled: SafePattern[] = [];
  if (rawPatterns !== undefined && (rawPatterns as unknown[]).length > PROJECT_LIMITS.patterns) fail(`\`patterns\` of project '${modelPath}' has more than ${PROJECT_LIMITS.patterns} items`, { field: 'patterns' });
  let insts = 0;
  for (const p of (rawPatterns ?? []) as unknown[]) {
    if (!(p instanceof RegExp) && typeof p !== 'string') fail(`Expected every \`patterns\` item of project '${modelPath}' to be a string or RegExp, got ${describeValue(p)}`, { field: 'patterns' });
    try {
      const c = compileSafePattern(p);
      insts += c.insts;
      compiled.push(c);
    } catch (e) {
      if (!(e instanceof PatternError)) throw e;
      throw new SwitchyardError('ERR_INVALID_PROJECT', `Invalid pattern in project '${modelPath}': ${e.message}`, { cause: e, details: { field: 'patterns' } });
    }
    if (insts > PROJECT_LIMITS.patternInsts) fail(`\`patterns\` of project '${modelPath}' compile to more than ${PROJECT_LIMITS.patternInsts} instructions in total`, { field: 'patterns' });
  }
  let embedding: Float32Array | undefined;
  const rawEmb = s['embedding'];
  if (rawEmb !== undefined) embedding = validateEmbedding(rawEmb, dim, modelPath);
  const project: Project = Object.freeze({
    modelPath, namespace, name, aliases,
    domain: str(s['domain'], 'domain', modelPath),
    description: str(s['description'], 'description', modelPath),
    topics: list(s['topics'], 'topics', modelPath),
    keywords: list(s['keywords'], 'keywords', modelPath),
    patterns: Object.freeze(compiled.map((c) => c.display)),
    examples: list(s['examples'], 'examples', modelPath),
    capabilities: list(s['capabilities'], 'capabilities', modelPath),
    nodes: list(s['nodes'], 'nodes', modelPath),
    hasEmbedding: embedding !== undefined,
  });
  const mainText = [project.name.replace(/[-_.]/g, ' '), project.domain, project.description, project.topics.join(', '), project.keywords.join(', ')]
    .filter(Boolean).join('. ');
  return { project, compiledPatterns: compiled, embedding, mainText };
}

/**
 * Checks a vector from outside: array-like of `dim` finite numbers, not all zero.
 * Throws `ERR_INVALID_EMBEDDING`.
 * @internal
 */
export function validateEmbedding(raw: unknown, dim: number, owner: string): Float32Array {
  const isArrayLike = Array.isArray(raw) || raw instanceof Float32Array || raw instanceof Float64Array;
  if (!isArrayLike) throw new SwitchyardError('ERR_INVALID_EMBEDDING', `Expected embedding of '${owner}' to be an array of numbers, got ${describeValue(raw)}`, { details: { owner } });
  const arr = raw as ArrayLike<unknown>;
  if (arr.length !== dim) throw new SwitchyardError('ERR_INVALID_EMBEDDING', `Expected embedding of '${owner}' to have length ${dim}, got ${arr.length}`, { details: { owner, expected: dim, actual: arr.length } });
  const out = new Float32Array(dim);
  let nonzero = false;
  for (let i = 0; i < dim; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || !Number.isFinite(Math.fround(v))) {
      throw new SwitchyardError('ERR_INVALID_EMBEDDING', `Embedding of '${owner}' has a non-finite value at ${i}: ${describeValue(v)}`, { details: { owner, index: i } });
    }
    out[i] = v;
    if (v !== 0) nonzero = true;
  }
  if (!nonzero) throw new SwitchyardError('ERR_INVALID_EMBEDDING', `Embedding of '${owner}' is all zeros (cosine undefined)`, { details: { owner } });
  return out;
}
