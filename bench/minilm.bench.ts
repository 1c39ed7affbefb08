// The real all-MiniLM-L6-v2 (built by `npm run model:minilm`): single-query embedding (short
// and ~200 chars, int8 and fp32), batches of 32, route() at 112 projects end to end, and the
// same behind a CachedEmbedder (query LRU) on its hit path. Skipped, saying so, without the model.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { CachedEmbedder, FastProjectRouter } from '../src/index.js';
import { TransformersEmbedder } from '../src/embed/transformers-embedder.js';
import { PROJECTS_112, HELD_OUT_112 } from '../test/fixtures/projects-112.js';
import { BUILD_MINILM_COMMAND, findMiniLmFolder } from './models/minilm-folder.js';
import { formatNs, measure, measureAsync, type BenchSection, type CaseResult } from './harness.js';

const US = 1_000;
const MS = 1_000_000;
const SHORT = 'play some jazz music';
/** ~200-character prompts (as in router.bench.ts), all different. */
const PROMPTS = HELD_OUT_112.map(([p]) => (p + ' ' + p + ' ' + p).slice(0, 200));
const TITLE = 'MiniLM (real all-MiniLM-L6-v2 via transformers.js + onnxruntime-node, CPU)';

interface MemoryReport { readonly modelMb: number; readonly afterBatchMb: number; readonly loadMs: number }

/** Resident memory of one loaded model, in a fresh process (bench/models/minilm-memory.ts). */
function memoryOf(dir: string, dtype: 'q8' | 'fp32'): MemoryReport {
  const script = path.join(import.meta.dirname, 'models', 'minilm-memory.ts');
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, dir, dtype], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as MemoryReport;
}

export default async function run(): Promise<BenchSection[]> {
  const found = findMiniLmFolder();
  if (!found.ready) {
    const line = `skipped: build the model with \`${BUILD_MINILM_COMMAND}\` (${found.why})`;
    console.log(`\n${TITLE}: ${line}`);
    return [{ title: TITLE, results: [], notes: [line] }];
  }
  const results: CaseResult[] = [];
  const notes: string[] = [`model folder: ${found.dir}`];
  const time = { timeMs: Number(process.env['BENCH_TIME_MS'] ?? 1500), minSamples: 20 };

  const embedders: Record<'q8' | 'fp32', TransformersEmbedder> = {
    q8: new TransformersEmbedder({ modelPath: found.dir }),
    fp32: new TransformersEmbedder({ modelPath: found.dir, dtype: 'fp32' }),
  };
  for (const dtype of ['q8', 'fp32'] as const) {
    const m = memoryOf(found.dir, dtype);
    notes.push(`${dtype === 'q8' ? 'int8' : 'fp32'} memory (fresh process, beyond Node + transformers.js): +${m.modelMb.toFixed(0)} MB resident after load, +${m.afterBatchMb.toFixed(0)} MB after a batch of 32; load + first embed ${m.loadMs.toFixed(0)} ms`);
    await embedders[dtype].embed([SHORT]);
  }
  const label = (d: 'q8' | 'fp32'): string => (d === 'q8' ? 'int8' : 'fp32');
  for (const dtype of ['q8', 'fp32'] as const) {
    const e = embedders[dtype];
    results.push(await measureAsync(`${label(dtype)} embed 1 short query ("${SHORT}", 6 word pieces)`, () => e.embed([SHORT]), {
      ...time, ...(dtype === 'q8' ? { targetNs: 5 * MS, target: '<= 5 ms' } : {}),
    }));
    results.push(await measureAsync(`${label(dtype)} embed 1 ~200-char query`, (i) => e.embed([PROMPTS[i % PROMPTS.length]!]), time));
    const batch = await measureAsync(`${label(dtype)} embed a batch of 32 ~200-char queries (per batch)`, (i) => {
      const start = (i * 32) % PROMPTS.length;
      return e.embed(Array.from({ length: 32 }, (_, k) => PROMPTS[(start + k) % PROMPTS.length]!));
    }, time);
    results.push(batch);
    notes.push(`${label(dtype)} batch of 32: ${formatNs(batch.medianNs / 32)} per query`);
  }

  // the same registry with the default (hash) embedder, for scale within this run
  // default options: each router fits its learned head in the background; measure the steady state after it
  const hashRouter = await FastProjectRouter.create({ projects: PROJECTS_112 });
  await hashRouter.whenFitted();
  const hashRef = measure('reference: routeSync() at 112 projects, default hash embedder, ~200-char prompt', (i) =>
    hashRouter.routeSync('auto', PROMPTS[i % PROMPTS.length]!), { timeMs: 400 });
  results.push(hashRef);
  const router = await FastProjectRouter.create({ projects: PROJECTS_112, embedder: embedders.q8 });
  await router.whenFitted();
  results.push(await measureAsync('route() at 112 projects, int8 MiniLM, ~200-char prompt (every prompt new to the model)', (i) =>
    router.route('auto', PROMPTS[i % PROMPTS.length]!), time));
  const cache = new CachedEmbedder(embedders.q8);
  const cached = await FastProjectRouter.create({ projects: PROJECTS_112, embedder: cache });
  const fitted = await cached.whenFitted();
  notes.push(`routers built with default options, measured after their background fit (MiniLM: ${fitted ? `${fitted.kept} rows, ${fitted.features} features` : 'no fit'}; hash: ${hashRouter.stats().fit.state})`);
  const hot = PROMPTS[0]!;
  await cached.route('auto', hot);
  const hit = await measureAsync('route() at 112 projects × 3 rows (2 examples each), int8 MiniLM behind CachedEmbedder, repeated prompt (LRU hit)', () =>
    cached.route('auto', hot), { timeMs: 400, targetNs: 20 * US, target: '<= 20 µs' });
  results.push(hit.met === false ? { ...hit, why: 'an LRU hit skips the model, so this is the hash path\'s cost of scoring the 336-row registry (see the hash routeSync() reference in the notes, which misses its own 15 µs target on this shape for the same reason: the f32 matrix spills out of L2); the seed-shaped registry (next row) meets 20 µs' } : hit);
  // the seed's registry shape: one row per project (description, topics, keywords; no examples)
  const flat = await FastProjectRouter.create({ projects: PROJECTS_112.map(({ examples: _examples, ...p }) => p), embedder: cache });
  await flat.route('auto', hot);
  results.push(await measureAsync('route() at 112 projects × 1 row (seed shape), int8 MiniLM behind CachedEmbedder, repeated prompt (LRU hit)', () =>
    flat.route('auto', hot), { timeMs: 400, targetNs: 20 * US, target: '<= 20 µs' }));
  // CPU time is no help here: onnxruntime's pool threads spin after each model call and bill this process
  notes.push(`LRU-hit route() took ${(hit.medianNs / hashRef.medianNs).toFixed(2)}× the hash routeSync() reference of this run (the same 112-project registry); both are wall-clock medians on a shared machine`);
  const s = cache.stats();
  notes.push(`CachedEmbedder: ${s.hits} hits, ${s.misses} misses (the 336 project texts and the first prompt; the seed-shape registry's texts were cached already) during this run`);

  for (const e of Object.values(embedders)) await e.dispose();
  return [{ title: TITLE, results, notes }];
}
