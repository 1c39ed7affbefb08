// Routing-quality evaluation: each label of a [text, label] dataset becomes a project with its
// first K train examples; the evaluated split is routed and scored. Used by bench/eval.ts
// (`npm run eval -- <dataset.json>`) and by test/eval-core.test.ts.
import { FastProjectRouter, HashEmbedder, type Embedder, type FitOptions, type HashEmbedderOptions, type ProjectSpec } from '../src/index.js';

/** `{ train, val, test?, oos_* }`, each a list of `[text, label]`. */
export type Dataset = Record<string, [string, string][]>;

/** One configuration of the ablation. */
export interface EvalConfig {
  readonly name: string;
  /** Examples per label (Infinity = all). */
  readonly k: number;
  /** `'max'`: one row per example (the router takes the max); `'centroid'`: one row, the mean of the examples. */
  readonly aggregate: 'max' | 'centroid';
  /** Hash embedder options; `idf: 'fit'` fits IDF on the project texts. */
  readonly hash?: Omit<HashEmbedderOptions, 'idf'> & { readonly idf?: 'fit' };
  /** Use this embedder instead of a hash embedder. */
  readonly embedder?: Embedder;
  /** Fit learned project rows after create() (`router.fit()`); fit time goes to {@link EvalRow.fitMs}. */
  readonly fit?: FitOptions;
  /**
   * The default path: `FastProjectRouter.create({ projects })` with nothing else (the
   * background auto-fit, its calibrated threshold), then `await router.whenFitted()`.
   */
  readonly defaults?: boolean;
}

/** Scores of one configuration. */
export interface EvalRow {
  readonly config: string;
  readonly k: string;
  readonly intentAcc: number;
  readonly domainAcc: number | undefined;
  readonly threshold: number;
  readonly oosRecall: number | undefined;
  readonly oosPrecision: number | undefined;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly queries: number;
  /** Milliseconds of `router.fit()` (fitted configurations only). */
  readonly fitMs?: number;
  /** The router's own threshold (defaults: calibrated by the auto-fit), and what it does on the evaluated split. */
  readonly router?: {
    readonly threshold: number;
    /** Share of out-of-scope queries that fell back. */
    readonly oosRecall: number | undefined;
    /** Share of fallbacks that were out-of-scope queries. */
    readonly oosPrecision: number | undefined;
    /** Intent accuracy lost to fallbacks of in-scope queries (points of accuracy, 0..1). */
    readonly inScopeLoss: number;
    /** What the auto-fit kept. */
    readonly kept: string;
  };
}

/** Normalises a domain map given as `{ label: domain }` or `{ domain: [labels] }`. */
export function labelToDomain(map: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof map !== 'object' || map === null) return out;
  for (const [k, v] of Object.entries(map)) {
    if (typeof v === 'string') out.set(k, v);
    else if (Array.isArray(v)) for (const l of v) if (typeof l === 'string') out.set(l, k);
  }
  return out;
}

function pairs(d: Dataset, key: string): [string, string][] {
  const v = d[key];
  return Array.isArray(v) ? v.filter((p) => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string') : [];
}

function safeName(label: string): string {
  return label.replace(/[^A-Za-z0-9._:@-]/g, '_').slice(0, 128) || '_';
}

async function buildRouter(train: [string, string][], cfg: EvalConfig): Promise<{ router: FastProjectRouter; names: Map<string, string>; fitMs?: number; kept?: string }> {
  const byLabel = new Map<string, string[]>();
  for (const [text, label] of train) {
    const list = byLabel.get(label) ?? [];
    if (list.length < cfg.k) list.push(text);
    byLabel.set(label, list);
  }
  const names = new Map<string, string>(); // model path -> label
  const texts = [...byLabel.values()].flat();
  const embedder = cfg.embedder ?? (cfg.hash?.idf === 'fit'
    ? HashEmbedder.fitIdf(texts, { ...cfg.hash, idf: undefined as never })
    : new HashEmbedder({ ...cfg.hash, idf: undefined as never }));
  const projects: ProjectSpec[] = [];
  for (const [label, examples] of byLabel) {
    const name = safeName(label);
    names.set(`default/${name}`, label);
    const description = label.replace(/_/g, ' ');
    if (cfg.aggregate === 'max') projects.push({ name, description, examples });
    else {
      const vecs = await embedder.embed([description, ...examples]);
      const c = new Float32Array(embedder.dim);
      for (const v of vecs) for (let i = 0; i < c.length; i++) c[i]! += v[i]!;
      projects.push({ name, description, embedding: c });
    }
  }
  if (cfg.defaults) {
    const router = await FastProjectRouter.create(cfg.embedder ? { projects, embedder } : { projects });
    const report = await router.whenFitted();
    return { router, names, ...(report ? { fitMs: report.ms } : {}), kept: report ? `${report.kept}${report.keptReason ? ` (${report.keptReason})` : ''}` : 'not fitted' };
  }
  const router = await FastProjectRouter.create({ projects, embedder, threshold: -1, topK: 1, fit: false });
  if (!cfg.fit) return { router, names };
  const report = await router.fit(cfg.fit);
  return { router, names, fitMs: report.ms };
}

/** Best label and score per query (threshold -1: never falls back), with per-route latency in µs. */
async function routeAll(router: FastProjectRouter, names: Map<string, string>, queries: readonly string[]): Promise<{ label: string; score: number; us: number; fellBack: boolean }[]> {
  const out: { label: string; score: number; us: number; fellBack: boolean }[] = [];
  const sync = typeof router.embedder.embedInto === 'function';
  for (const q of queries) {
    const t0 = performance.now();
    const r = sync ? router.routeSync('auto', q) : await router.route('auto', q);
    const us = (performance.now() - t0) * 1000;
    // top-1 even when the router fell back (its candidates are still ranked)
    const top = r.candidates[0]?.modelPath ?? r.modelPath;
    out.push({ label: top ? names.get(top) ?? '' : '', score: r.score, us, fellBack: r.method === 'fallback' });
  }
  return out;
}

function pct(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0;
}

/** Threshold maximising (in-scope routed correctly + out-of-scope falling back) on the tuning split. */
function chooseThreshold(inScope: { ok: boolean; score: number }[], oos: { score: number }[]): number {
  if (oos.length === 0) return -1;
  const cands = [...new Set([...inScope, ...oos].map((x) => Math.round(x.score * 100) / 100))].sort((a, b) => a - b);
  let best = -1;
  let bestScore = -1;
  for (const t of cands) {
    const good = inScope.filter((x) => x.ok && x.score >= t).length + oos.filter((x) => x.score < t).length;
    if (good > bestScore) { bestScore = good; best = t; }
  }
  return best;
}

/** Runs one configuration: routes the evaluated split (test, else val) and its out-of-scope queries. */
export async function evaluate(data: Dataset, domains: Map<string, string>, cfg: EvalConfig): Promise<EvalRow> {
  const evalKey = pairs(data, 'test').length ? 'test' : 'val';
  const oosEvalKey = evalKey === 'test' && pairs(data, 'oos_test').length ? 'oos_test' : 'oos_val';
  const { router, names, fitMs, kept } = await buildRouter(pairs(data, 'train'), cfg);
  const tuneIn = pairs(data, 'val');
  const tuneOos = pairs(data, 'oos_val');
  const evalIn = pairs(data, evalKey);
  const evalOos = pairs(data, oosEvalKey);
  const tuneR = evalKey === 'val' ? null : await routeAll(router, names, tuneIn.map((p) => p[0]));
  const inR = await routeAll(router, names, evalIn.map((p) => p[0]));
  const oosR = await routeAll(router, names, evalOos.map((p) => p[0]));
  const tuneOosR = evalKey === 'val' ? oosR : await routeAll(router, names, tuneOos.map((p) => p[0]));
  const tuneInScored = (tuneR ?? inR).map((r, i) => ({ ok: r.label === (tuneR ? tuneIn : evalIn)[i]![1], score: r.score }));
  const threshold = chooseThreshold(tuneInScored, tuneOosR);
  const correct = inR.filter((r, i) => r.label === evalIn[i]![1]).length;
  let domainOk = 0;
  let domainTotal = 0;
  inR.forEach((r, i) => {
    const want = domains.get(evalIn[i]![1]);
    if (want === undefined) return;
    domainTotal++;
    if (domains.get(r.label) === want) domainOk++;
  });
  const oosCaught = oosR.filter((r) => r.score < threshold).length;
  const inRejected = inR.filter((r) => r.score < threshold).length;
  const lat = [...inR, ...oosR].map((r) => r.us).sort((a, b) => a - b);
  const oosFell = oosR.filter((r) => r.fellBack).length;
  const inFell = inR.filter((r) => r.fellBack).length;
  const inLost = inR.filter((r, i) => r.fellBack && r.label === evalIn[i]![1]).length;
  return {
    config: cfg.name,
    k: Number.isFinite(cfg.k) ? String(cfg.k) : 'all',
    intentAcc: evalIn.length ? correct / evalIn.length : 0,
    domainAcc: domainTotal ? domainOk / domainTotal : undefined,
    threshold,
    oosRecall: evalOos.length ? oosCaught / evalOos.length : undefined,
    oosPrecision: evalOos.length ? (oosCaught + inRejected ? oosCaught / (oosCaught + inRejected) : 0) : undefined,
    p50Us: pct(lat, 0.5),
    p99Us: pct(lat, 0.99),
    queries: lat.length,
    ...(fitMs === undefined ? {} : { fitMs }),
    ...(cfg.defaults ? {
      router: {
        threshold: router.stats().fit.threshold,
        oosRecall: evalOos.length ? oosFell / evalOos.length : undefined,
        oosPrecision: evalOos.length ? (oosFell + inFell ? oosFell / (oosFell + inFell) : 0) : undefined,
        inScopeLoss: evalIn.length ? inLost / evalIn.length : 0,
        kept: kept ?? '',
      },
    } : {}),
  };
}

const f = (x: number | undefined): string => (x === undefined ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/** Markdown table of what the routers' own thresholds did (rows with {@link EvalRow.router}). */
export function formatRouterRows(rows: readonly EvalRow[]): string {
  const lines = [
    '| config | K | kept | router threshold | OOS recall | OOS precision | in-scope loss (points) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    if (!r.router) continue;
    const x = r.router;
    lines.push(`| ${r.config} | ${r.k} | ${x.kept} | ${x.threshold.toFixed(3)} | ${f(x.oosRecall)} | ${f(x.oosPrecision)} | ${(x.inScopeLoss * 100).toFixed(1)} |`);
  }
  return lines.join('\n');
}

/** Markdown table of rows. */
export function formatRows(rows: readonly EvalRow[]): string {
  const fit = rows.some((r) => r.fitMs !== undefined);
  const lines = [
    '| config | K | intent acc | domain acc | threshold (val) | OOS recall | OOS precision | route p50 µs | route p99 µs | queries |' + (fit ? ' fit ms |' : ''),
    '|---|---|---|---|---|---|---|---|---|---|' + (fit ? '---|' : ''),
  ];
  for (const r of rows) {
    const fitCell = fit ? ` ${r.fitMs === undefined ? '–' : r.fitMs.toFixed(0)} |` : '';
    lines.push(`| ${r.config} | ${r.k} | ${f(r.intentAcc)} | ${f(r.domainAcc)} | ${r.threshold.toFixed(2)} | ${f(r.oosRecall)} | ${f(r.oosPrecision)} | ${r.p50Us.toFixed(1)} | ${r.p99Us.toFixed(1)} | ${r.queries} |${fitCell}`);
  }
  return lines.join('\n');
}
