import { Matrix } from 'ml-matrix';
import { optInteger, optNumber } from '../internal/validate.js';
import { SwitchyardError } from '../errors.js';

/** Options of {@link FastProjectRouter.overlapReport}. */
export interface OverlapReportOptions {
  /** Report pairs whose main-row cosine similarity is at least this. @defaultValue 0.5 */
  readonly minSimilarity?: number;
  /** Most pairs returned (highest similarity first). @defaultValue 50 */
  readonly maxPairs?: number;
  /**
   * Refuse registries larger than this (the report is O(n² · dim) whole-matrix work).
   * @defaultValue 5000
   */
  readonly maxProjects?: number;
}

/** Two projects whose descriptions embed close together: queries may flip between them. */
export interface OverlapPair {
  /** First project. */
  readonly a: string;
  /** Second project. */
  readonly b: string;
  /** Cosine similarity of their main rows. */
  readonly similarity: number;
}

/** Result of {@link FastProjectRouter.overlapReport}. */
export interface OverlapReport {
  /** Projects compared. */
  readonly projects: number;
  /** Pairs at or above `minSimilarity`, most similar first. */
  readonly pairs: readonly OverlapPair[];
  /** Per project, its most similar other project (or null for a single project). */
  readonly nearest: ReadonlyMap<string, OverlapPair | null>;
}

const BLOCK = 256;

/**
 * Pairwise cosine similarity of project main rows with ml-matrix block products (M_block · Mᵀ).
 * Whole-matrix analysis, never on the routing path.
 * @internal
 */
export function computeOverlap(paths: readonly string[], rows: readonly Float32Array[], options: OverlapReportOptions = {}): OverlapReport {
  const minSimilarity = optNumber('minSimilarity', options.minSimilarity, 0.5, -1, 1);
  const maxPairs = optInteger('maxPairs', options.maxPairs, 50, 0, 1_000_000);
  const maxProjects = optInteger('maxProjects', options.maxProjects, 5000, 1, 1_000_000);
  const n = rows.length;
  if (n > maxProjects) {
    throw new SwitchyardError('ERR_INVALID_OPTION', `overlapReport() compares ${n} projects, above \`maxProjects\` ${maxProjects}; raise it knowingly (O(n²) work)`);
  }
  const M = new Matrix(rows.map((r) => Array.from(r)));
  const Mt = M.transpose();
  const pairs: OverlapPair[] = [];
  const nearest = new Map<string, OverlapPair | null>(paths.map((p) => [p, null]));
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    const S = M.subMatrix(start, end - 1, 0, M.columns - 1).mmul(Mt);
    for (let i = start; i < end; i++) {
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const similarity = Math.round(S.get(i - start, j) * 1e4) / 1e4;
        const pair = { a: paths[i]!, b: paths[j]!, similarity };
        const best = nearest.get(paths[i]!);
        if (!best || similarity > best.similarity) nearest.set(paths[i]!, pair);
        if (j > i && similarity >= minSimilarity) pairs.push(pair);
      }
    }
  }
  pairs.sort((x, y) => y.similarity - x.similarity || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : 1));
  return { projects: n, pairs: pairs.slice(0, maxPairs), nearest };
}
