// Core router benchmarks: explicit and semantic routes at 112 .. 100,000 projects, batch
// throughput, create(), the hash embedder, and the raw score kernels side by side.
import { Matrix } from 'ml-matrix';
import { FastProjectRouter, HashEmbedder, type ProjectSpec } from '../src/index.js';
import { ProjectIndex } from '../src/router/project-index.js';
import { dotRowsF32 } from '../src/router/similarity.js';
import { PROJECTS_112, HELD_OUT_112 } from '../test/fixtures/projects-112.js';
import { prng, randomUnitRows } from '../test/helpers/random.js';
import { formatNs, formatRate, measure, measureAsync, type BenchSection, type CaseResult } from './harness.js';

const US = 1_000;
const MS = 1_000_000;

/** ~200-character prompts, like a short user turn. */
const PROMPTS = HELD_OUT_112.map(([p]) => (p + ' ' + p + ' ' + p).slice(0, 200));

const VOCAB = (
  'account api audit backup billing budget cache camera cargo chart chemistry climate cloud compiler contract cooking crypto ' +
  'dataset database deploy design diagnosis diet drone energy engine export farming finance fishing fleet forecast garden genome ' +
  'grammar graph hardware health hiring hotel insurance invoice kernel kitchen labor language lawn legal lens llama logistics ' +
  'loyalty marketing medicine mining mobile music network nutrition ocean opera parcel patent payroll pension pharmacy physics ' +
  'plumbing poetry privacy protein quantum radio recipe retail robot router safety satellite school security shipping soccer ' +
  'solar sports startup storage supply survey tax telescope tennis textile theater tourism trading traffic training travel ' +
  'tutoring vaccine vehicle video vintage volcano warehouse water weather wedding welding wine wireless yoga zoning'
).split(' ');

function syntheticProjects(n: number, seed: number): ProjectSpec[] {
  const rnd = prng(seed);
  const out: ProjectSpec[] = [];
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 8 }, () => VOCAB[Math.floor(rnd() * VOCAB.length)]!);
    out.push({ namespace: 'gen', name: `p${i}`, description: words.join(' ') });
  }
  return out;
}

function ratio(a: CaseResult, b: CaseResult): string {
  return `${(b.medianNs / a.medianNs).toFixed(1)}×`;
}

export default async function run(): Promise<BenchSection[]> {
  const sections: BenchSection[] = [];

  // ---- end-to-end routing -------------------------------------------------------------
  const r112 = await FastProjectRouter.create({ projects: PROJECTS_112 });
  // the seed's registry shape: one vector per project (description, topics, keywords)
  const r112flat = await FastProjectRouter.create({ projects: PROJECTS_112.map(({ examples: _examples, ...p }) => p) });
  const routing: CaseResult[] = [];
  routing.push(measure('explicit route (model path, 112 projects)', () => r112.routeSync('demo/llama-care', PROMPTS[0]!), {
    targetNs: 0.3 * US, target: '<= 0.3 µs',
  }));
  routing.push(measure('semantic route, 112 projects × 1 row (seed shape), ~200-char prompt', (i) => r112flat.routeSync('auto', PROMPTS[i % PROMPTS.length]!), {
    targetNs: 15 * US, target: '<= 15 µs (seed: 345 µs)',
  }));
  routing.push(measure('semantic route, 112 projects × 3 rows (2 examples each), ~200-char prompt', (i) => r112.routeSync('auto', PROMPTS[i % PROMPTS.length]!), {
    targetNs: 15 * US, target: '<= 15 µs',
    note: 'three rows per project: the 336-row f32 matrix (516 KB) no longer fits the 512 KB L2, so scoring costs ~3× the 112-row case',
  }));
  const sizes: [number, string, number, 'f32' | 'int8'][] = [
    [1_000, '', 0, 'f32'],
    [10_000, '<= 1 ms', 1 * MS, 'f32'],
    [100_000, '<= 8 ms (int8 allowed)', 8 * MS, 'f32'],
    [100_000, '<= 8 ms (int8 allowed)', 8 * MS, 'int8'],
  ];
  for (const [n, target, targetNs, precision] of sizes) {
    const router = await FastProjectRouter.create({ projects: syntheticProjects(n, n), precision });
    const r = measure(`semantic route, ${n.toLocaleString('en-US')} projects, ${precision}`, (i) => router.routeSync('auto', PROMPTS[i % PROMPTS.length]!), {
      ...(target ? { target, targetNs } : {}), timeMs: n >= 100_000 ? 1500 : 500, minSamples: 15,
    });
    // the 100k target is for the registry's best precision: int8 (the next row); f32 streams 100,000 × 384 × 4 B = 154 MB per route
    routing.push(r.met === false && n === 100_000 && precision === 'f32'
      ? { ...r, why: 'the target allows int8 at this size, and the int8 row meets it; f32 reads 154 MB of rows per route, bound by memory bandwidth on this VM' }
      : r);
  }
  const batchInput = Array.from({ length: 1024 }, (_, i) => ({ model: 'auto', messages: PROMPTS[i % PROMPTS.length]! }));
  for (const [router, shape] of [[r112flat, '1 row'], [r112, '3 rows']] as const) {
    const batch = await measureAsync('routeBatch', () => router.routeBatch(batchInput), { timeMs: 1500 });
    const perRoute = batch.medianNs / batchInput.length;
    routing.push({
      ...batch,
      name: `routeBatch throughput at 112 projects × ${shape} (1,024 per call; time per route)`,
      medianNs: perRoute, p99Ns: batch.p99Ns / batchInput.length, opsPerSec: 1e9 / perRoute,
      target: '>= 150,000 routes/s (seed: 14,354/s)', met: 1e9 / perRoute >= 150_000,
    });
  }
  routing.push(await measureAsync('create() with 112 projects (embed 336 texts + build matrix)', () => FastProjectRouter.create({ projects: PROJECTS_112 }), {
    targetNs: 10 * MS, target: '<= 10 ms (seed: 62.8 ms)', timeMs: 1500,
  }));
  const embedder = new HashEmbedder();
  const out = new Float32Array(384);
  routing.push(measure('HashEmbedder.embedInto, ~200-char prompt', (i) => embedder.embedInto(PROMPTS[i % PROMPTS.length]!, out, 0)));
  const find = (prefix: string): CaseResult => routing.find((r) => r.name.startsWith(prefix))!;
  const embed = find('HashEmbedder.embedInto');
  const three = find('semantic route, 112 projects × 3 rows');
  const misses: string[] = [];
  if (three.met === false) {
    misses.push(`Missed: 112 projects × 3 rows takes ${formatNs(three.medianNs)}, ${(three.medianNs / (15 * US)).toFixed(2)}× the 15 µs target. Why: 336 rows of f32 (516 KB) spill out of the 512 KB L2, so the kernel costs ~3× the 112-row case (see the kernel table); \`precision: 'int8'\` (129 KB) recovers ~1 µs. The seed-shaped registry (one row per project) meets the target.`);
  }
  for (const r of routing.filter((x) => x.name.startsWith('routeBatch') && x.met === false)) {
    misses.push(`Missed: ${r.name.replace(/ \(.*/, '')} reaches ${formatRate(r.opsPerSec)}, ${(150_000 / r.opsPerSec).toFixed(1)}× short of 150,000/s. Why: 150,000/s leaves 6.7 µs per route on one core, and embedding the ~200-char prompt alone takes ${formatNs(embed.medianNs)} here; the 4-query batch kernel scores ~25–30% faster than four single passes, but embedding, keyword matching and result building are per request. Reaching it would need the second core (worker threads over a shared matrix), which is not built.`);
  }
  sections.push({
    title: 'Routing (FastProjectRouter, HashEmbedder 384-d, WASM SIMD kernel)',
    results: routing,
    notes: [
      ...misses,
      'Semantic routes include text extraction, keyword matching, embedding, scoring every row, per-project max, top-5 and the RouteResult.',
      `Seed anchors (Python, other hardware): semantic 0.345 ms per route, 14,354 routes/s batch, 62.8 ms init for 112 projects; this run: ${formatNs(routing[1]!.medianNs)} per route (seed-shaped registry).`,
      'Synthetic registries above 112 projects have one row per project (8 random topic words).',
    ],
  });

  // ---- raw kernels ---------------------------------------------------------------------
  const kernels: CaseResult[] = [];
  const notes: string[] = [];
  for (const n of [112, 10_000, 100_000]) {
    const dim = 384;
    const rows = randomUnitRows(n, dim, n);
    const queries = Array.from({ length: 16 }, (_, j) => randomUnitRows(1, dim, 1000 + j));
    const time = n >= 100_000 ? 1500 : 600;
    const label = n.toLocaleString('en-US');
    const run = (name: string, fn: (i: number) => unknown): CaseResult => {
      const r = measure(`${name}, ${label} rows`, fn, { timeMs: time, minSamples: 10 });
      kernels.push(r);
      return r;
    };
    const idx = (precision: 'f32' | 'int8', kernel: 'wasm' | 'js'): ProjectIndex => {
      const index = new ProjectIndex(dim, precision, kernel, n);
      for (let r = 0; r < n; r++) index.addRow(rows, r * dim, r);
      return index;
    };
    const wasm = idx('f32', 'wasm');
    const wasmRes = run('WASM SIMD f32 kernel', (i) => { wasm.f32.set(queries[i & 15]!, wasm.queryOffset(0)); wasm.score(); });
    const wasm8 = idx('int8', 'wasm');
    const wasm8Res = run('WASM SIMD int8 kernel', (i) => { wasm8.f32.set(queries[i & 15]!, wasm8.queryOffset(0)); wasm8.score(); });
    const js = idx('f32', 'js');
    const jsRes = n <= 10_000 ? run('JS f32 kernel (4 rows per pass, fallback)', (i) => { js.f32.set(queries[i & 15]!, js.queryOffset(0)); js.score(); }) : undefined;
    let naiveRes: CaseResult | undefined;
    let mlRes: CaseResult | undefined;
    if (n <= 10_000) {
      const naiveRows: number[][] = Array.from({ length: n }, (_, r) => Array.from(rows.subarray(r * dim, (r + 1) * dim)));
      const naiveQs = queries.map((q) => Array.from(q));
      naiveRes = run('naive Array<number> loop', (i) => {
        const q = naiveQs[i & 15]!;
        const scores: number[] = [];
        for (const row of naiveRows) { let s = 0; for (let k = 0; k < dim; k++) s += row[k]! * q[k]!; scores.push(s); }
        return scores;
      });
      const M = new Matrix(naiveRows);
      const qCols = naiveQs.map((q) => Matrix.columnVector(q));
      mlRes = run('ml-matrix mmul (N×384 · 384×1)', (i) => M.mmul(qCols[i & 15]!));
      // plain JS on a contiguous typed array, for reference
      const outArr = new Float32Array(n);
      run('typed-array loop, 4 rows per pass (no index)', (i) => dotRowsF32(rows, 0, queries[i & 15]!, 0, outArr, 0, n, dim, dim));
    }
    const faster = [
      jsRes && `${ratio(wasmRes, jsRes)} faster than the JS kernel`,
      naiveRes && `${ratio(wasmRes, naiveRes)} faster than naive Array<number>`,
      mlRes && `${ratio(wasmRes, mlRes)} faster than ml-matrix`,
    ].filter((x): x is string => typeof x === 'string');
    const int8 = `int8 is ${ratio(wasm8Res, wasmRes)} the speed of f32`;
    notes.push(faster.length
      ? `${label} rows: WASM f32 is ${faster.join(', ')}; ${int8}.`
      : `${label} rows: ${int8} (the JS, naive and ml-matrix baselines are timed up to 10,000 rows only).`);
  }
  sections.push({
    title: 'Score kernels alone (one 384-d query against N rows, all scores written)',
    results: kernels,
    notes: [
      ...notes,
      'Anchors measured earlier on this machine kind (../shared/PERF-ANCHORS.md): WASM SIMD f32 4.7 µs / 717 µs / 10.7 ms and int8 3.6 µs / 314 µs / 3.73 ms at 112 / 10k / 100k; ml-matrix 193 µs / 16.3 ms.',
    ],
  });
  return sections;
}
