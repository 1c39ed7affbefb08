// The project registry: entries with their rows in the score matrices, model-path and alias
// claims, explicit targets and keyword rules. Insert and delete keep all of them in step; the
// route path reads the registry, the fit swaps its matrices (swap()).
import { SwitchyardError, describeValue } from '../errors.js';
import type { HeadFeatures } from '../learn/fit-router.js';
import { QuantizedVectors } from '../internal/quantized-vectors.js';
import { KeywordMatcher } from './keyword-matcher.js';
import type { LearnedHead } from './learned-head.js';
import { ProjectIndex, type IndexPrecision, type KernelChoice, type KernelKind } from './project-index.js';
import { normalizeProject, type NormalizedProject, type Project } from './project-spec.js';
import type { RouteCandidate } from './route-result.js';

/** One registered project. @internal */
export interface Entry {
  readonly n: NormalizedProject;
  /** Owner id of the entry's rows (its position in {@link ProjectRegistry.entries}). */
  slot: number;
  /** Rows of the unfitted matrix (none while the project routes by its learned row). */
  rows: number[];
  /** Row of the learned head, or -1. */
  headRow: number;
  /** Unfitted vectors ([main, ...examples]), int8, kept while the project routes by its learned row. */
  unfitted: QuantizedVectors | undefined;
  /** Per-call scratch: summed keyword/domain boost and the rules that produced it. */
  boost: number;
  hitStamp: number;
  readonly explicitCandidates: readonly RouteCandidate[];
}

/** A model path or alias and the entry it routes to. @internal */
export interface ExplicitTarget {
  readonly entry: Entry;
  readonly reasons: readonly string[];
}

/** Settings of a registry. @internal */
export interface RegistrySettings {
  readonly dim: number;
  readonly precision: IndexPrecision;
  readonly kernel: KernelChoice;
  readonly keywordBoost: number;
  readonly domainBoost: number;
  /** The configured threshold (a fit may calibrate another). */
  readonly threshold: number;
}

/**
 * Validates the initial projects and that no model path or alias is claimed twice; a throwing
 * Proxy around the list is `ERR_INVALID_OPTION`.
 * @internal
 */
export function normalizeInitialProjects(projects: readonly unknown[], dim: number, defaultProject: string | undefined): NormalizedProject[] {
  const out: NormalizedProject[] = [];
  let n: number;
  try {
    n = projects.length;
  } catch (cause) {
    throw new SwitchyardError('ERR_INVALID_OPTION', 'Expected `projects` to be an array of ProjectSpec; reading its length threw', { cause, details: { option: 'projects' } });
  }
  for (let i = 0; i < n; i++) {
    let spec: unknown;
    try {
      spec = projects[i];
    } catch (cause) {
      throw new SwitchyardError('ERR_INVALID_PROJECT', `Project ${i} could not be read (a getter or Proxy trap threw)`, { cause, details: { index: i } });
    }
    out.push(normalizeProject(spec, dim));
  }
  const seen = new Set<string>();
  for (const p of out) {
    for (const key of [p.project.modelPath, ...p.project.aliases]) {
      if (seen.has(key)) throw new SwitchyardError('ERR_DUPLICATE_PROJECT', `Model path or alias '${key}' is claimed twice`, { details: { modelPath: key } });
      seen.add(key);
    }
  }
  if (defaultProject !== undefined && !seen.has(defaultProject)) {
    throw new SwitchyardError('ERR_INVALID_OPTION', `Expected \`defaultProject\` to name a project, got ${describeValue(defaultProject)}`);
  }
  return out;
}

/** A registry change: the project added, replaced or removed. @internal */
export type RegistryChange = (project: Project, action: 'add' | 'update' | 'remove') => void;

/** The matrix part of the router's stats. @internal */
export interface MatrixStats {
  readonly projects: number;
  readonly rows: number;
  readonly kernel: KernelKind;
  readonly precision: IndexPrecision;
  readonly matrixBytes: number;
}

/** Projects, their claims and rows. @internal */
export class ProjectRegistry {
  readonly #s: RegistrySettings;
  readonly #changed: RegistryChange;
  readonly #matcher = new KeywordMatcher<Entry>();
  readonly #byPath = new Map<string, Entry>();
  readonly #explicit = new Map<string, ExplicitTarget>();
  readonly #entries: Entry[] = [];
  #index: ProjectIndex;
  #head: LearnedHead | undefined;
  #headFeatures: HeadFeatures | undefined;
  #threshold: number;
  #projScores = new Float32Array(64);

  /** @param changed - called after every {@link ProjectRegistry.replace} and {@link ProjectRegistry.remove} */
  constructor(s: RegistrySettings, initialRows: number, changed: RegistryChange) {
    this.#s = s;
    this.#changed = changed;
    this.#index = new ProjectIndex(s.dim, s.precision, s.kernel, Math.max(64, initialRows));
    this.#threshold = s.threshold;
  }

  /** Registered entries; an entry's position is its slot (owner id). */
  get entries(): readonly Entry[] {
    return this.#entries;
  }

  /** The unfitted score matrix. */
  get index(): ProjectIndex {
    return this.#index;
  }

  /** The learned rows, when a fit swapped some in. */
  get head(): LearnedHead | undefined {
    return this.#head;
  }

  /** Feature space of {@link ProjectRegistry.head}. */
  get headFeatures(): HeadFeatures | undefined {
    return this.#headFeatures;
  }

  /** Threshold in use (calibrated by the last fit, or the configured one). */
  get threshold(): number {
    return this.#threshold;
  }

  /** Keyword, domain and pattern rules of every entry. */
  get matcher(): KeywordMatcher<Entry> {
    return this.#matcher;
  }

  /** Scratch of per-project maxima, at least one slot per entry (replaced, never shrunk, when the registry grows). */
  get projScores(): Float32Array {
    return this.#projScores;
  }

  /** The entry of a model path. */
  byPath(modelPath: string): Entry | undefined {
    return this.#byPath.get(modelPath);
  }

  /** Targets by model path and alias (a live view: the route path keeps it to skip a call per route). */
  get explicitTargets(): ReadonlyMap<string, ExplicitTarget> {
    return this.#explicit;
  }

  /** Public view of a project by model path or alias. */
  project(model: string): Project | undefined {
    return this.#explicit.get(model)?.entry.n.project;
  }

  /** Throws the conflict of {@link ProjectRegistry.claimConflict}, if any. */
  checkClaims(n: NormalizedProject): void {
    const conflict = this.claimConflict(n);
    if (conflict) throw conflict;
  }

  /** `ERR_DUPLICATE_PROJECT` when a model path or alias of `n` belongs to another project. */
  claimConflict(n: NormalizedProject): SwitchyardError | undefined {
    const path = n.project.modelPath;
    for (const key of [path, ...n.project.aliases]) {
      const holder = this.#explicit.get(key);
      if (holder && holder.entry.n.project.modelPath !== path) {
        return new SwitchyardError('ERR_DUPLICATE_PROJECT', `Model path or alias '${key}' already belongs to '${holder.entry.n.project.modelPath}'`, { details: { modelPath: key } });
      }
    }
    return undefined;
  }

  /** Inserts `n`, replacing the entry of its model path. */
  replace(n: NormalizedProject, vectors: readonly Float32Array[]): void {
    const previous = this.#byPath.get(n.project.modelPath);
    if (previous) this.#delete(previous);
    this.#insert(n, vectors);
    this.#changed(n.project, previous ? 'update' : 'add');
  }

  /** Removes the project of a model path; returns whether there was one. */
  remove(modelPath: string): boolean {
    const entry = this.#byPath.get(modelPath);
    if (!entry) return false;
    this.#delete(entry);
    this.#changed(entry.n.project, 'remove');
    return true;
  }

  /** Projects, rows and storage of both matrices. */
  matrixStats(): MatrixStats {
    const index = this.#index;
    const head = this.#head;
    return {
      projects: this.#entries.length, rows: index.rows + (head?.rows ?? 0), kernel: index.kernel,
      precision: index.precision, matrixBytes: index.matrixBytes + (head?.matrixBytes ?? 0),
    };
  }

  /** The project's unfitted vectors ([main, ...examples]), fresh copies (exact while they are in the unfitted matrix). */
  vectorsOf(e: Entry): Float32Array[] {
    if (e.headRow >= 0 && e.unfitted) return e.unfitted.vectors();
    return e.rows.map((r) => {
      const v = new Float32Array(this.#index.dim);
      this.#index.readRow(r, v);
      return v;
    });
  }

  /** Makes sure an entry keeps an int8 copy of its unfitted vectors (once per project version). */
  quantized(e: Entry): QuantizedVectors {
    e.unfitted ??= new QuantizedVectors(this.vectorsOf(e), this.#index.dim);
    return e.unfitted;
  }

  /** Inserts the initial projects (configuration: no change is reported), reserving their rows first. */
  insertInitial(list: readonly NormalizedProject[], vectors: readonly (readonly Float32Array[])[]): void {
    this.#index.reserve(vectors.reduce((n, v) => n + v.length, 0));
    list.forEach((n, i) => this.#insert(n, vectors[i]!));
  }

  /** Swaps in a complete pair of matrices, in one synchronous step (the fit's last stage). */
  swap(index: ProjectIndex, head: LearnedHead | undefined, features: HeadFeatures | undefined, threshold: number): void {
    this.#index = index;
    this.#head = head;
    this.#headFeatures = head ? features : undefined;
    this.#threshold = threshold;
  }

  /** Puts back the configured threshold (a fit that learned nothing). */
  resetThreshold(): void {
    this.#threshold = this.#s.threshold;
  }

  #insert(n: NormalizedProject, vectors: readonly Float32Array[]): void {
    const slot = this.#entries.length;
    const p = n.project;
    const entry: Entry = {
      n, slot, rows: [], headRow: -1, unfitted: undefined, boost: 0, hitStamp: -1,
      explicitCandidates: Object.freeze([Object.freeze({ modelPath: p.modelPath, score: 1 })]),
    };
    if (slot >= this.#projScores.length) this.#projScores = new Float32Array(this.#projScores.length * 2);
    // rows with no features (e.g. an example of only punctuation) still get a row: score 0
    for (const v of vectors) entry.rows.push(this.#index.addRow(v, 0, slot));
    this.#entries.push(entry);
    this.#byPath.set(p.modelPath, entry);
    this.#explicit.set(p.modelPath, { entry, reasons: Object.freeze([`explicit model '${p.modelPath}'`]) });
    for (const a of p.aliases) this.#explicit.set(a, { entry, reasons: Object.freeze([`explicit alias '${a}' of '${p.modelPath}'`]) });
    this.#matcher.add(entry, p.keywords, p.domain, n.compiledPatterns, this.#s.keywordBoost, this.#s.domainBoost);
  }

  /** Removes an entry, its rows, claims and rules. */
  #delete(entry: Entry): void {
    const index = this.#index;
    const head = this.#head;
    if (head && entry.headRow >= 0) {
      const moved = head.removeColumn(entry.headRow);
      if (moved >= 0) this.#entries[head.owner(entry.headRow)]!.headRow = entry.headRow;
      entry.headRow = -1;
    }
    // remove rows, highest index first so swap-removes never move a row of this entry
    const rows = entry.rows.slice().sort((a, b) => b - a);
    for (const r of rows) {
      const moved = index.removeRow(r);
      if (moved < 0) continue;
      const owner = this.#entries[index.owner(r)]!;
      const at = owner.rows.indexOf(moved);
      if (at >= 0) owner.rows[at] = r;
    }
    // swap-remove the entry's slot
    const last = this.#entries.pop()!;
    if (last !== entry) {
      last.slot = entry.slot;
      this.#entries[entry.slot] = last;
      for (const r of last.rows) index.setOwner(r, last.slot);
      if (head && last.headRow >= 0) head.setOwner(last.headRow, last.slot);
    }
    const p = entry.n.project;
    this.#byPath.delete(p.modelPath);
    this.#explicit.delete(p.modelPath);
    for (const a of p.aliases) this.#explicit.delete(a);
    this.#matcher.remove(entry);
  }
}
