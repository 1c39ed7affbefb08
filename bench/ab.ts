// `npm run bench:ab -- <other-checkout> [--processes 5] [--rounds 31] [--tolerance 0.03] [--only <case substring>]`:
// before/after on the hot paths. Each of several processes imports both source trees side by
// side (each gets its own module instances) and alternates every case between them round after
// round, so machine noise lands on both sides; separate `npm run bench` runs on a shared 2-core
// machine swing ±20–40%, which hides a 3% change. Within a process the best round of each side
// is compared (noise only ever adds time); across processes, whose code layout and JIT choices
// differ by a few percent, the median ratio is reported. Exits 1 when a case's median ratio is
// over the tolerance slower. Uses only API names both trees have (0.1.0 names still work).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machineHeader } from './harness.js';
import { PROJECTS_112, HELD_OUT_112 } from '../test/fixtures/projects-112.js';
import { defaultTablePath } from './distill-static.js';

// The other tree is an older or newer build of this package: typed loosely on purpose.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any;

const args = process.argv.slice(2);
const other = args.find((a, i) => !a.startsWith('--') && (i === 0 || !['--rounds', '--processes', '--tolerance', '--only'].includes(args[i - 1]!)));
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const rounds = flag('--rounds', 31);
const processes = flag('--processes', 5);
const child = args.includes('--child');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
const tolerance = flag('--tolerance', 0.03);
if (!other || !existsSync(path.join(other, 'src/index.ts'))) {
  console.error('usage: npm run bench:ab -- <path of another checkout with src/index.ts> [--processes 5] [--rounds 31] [--tolerance 0.03] [--only <case substring>]');
  process.exit(2);
}
const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const before: Lib = await import(pathToFileURL(path.join(path.resolve(other), 'src/index.ts')).href);
const after: Lib = await import(pathToFileURL(path.join(here, 'src/index.ts')).href);

const PROMPTS = HELD_OUT_112.map(([p]) => (p + ' ' + p + ' ' + p).slice(0, 200));
const table = process.env['SWITCHYARD_STATIC_TABLE'] ?? defaultTablePath();
const providers = [{
  name: 'p', models: ['m'],
  instances: Array.from({ length: 10 }, (_, i) => ({ id: `i${i}`, endpoint: `http://i${i}`, weight: 1 + (i % 3) })),
}];
const signalOptions = {}; // one object: options are compiled once per identity
const shortChat = { model: 'auto', messages: [{ role: 'user', content: 'Explain what this regex does: ^(?:[a-z0-9-]+\\.)+[a-z]{2,}$' }] };

interface Case {
  readonly name: string;
  /** Runs `n` calls; returns when they are done. */
  run(n: number): void | Promise<void>;
}

async function casesOf(lib: Lib): Promise<Case[]> {
  const hash = await lib.FastProjectRouter.create({ projects: PROJECTS_112, fit: false });
  const cases: Case[] = [
    { name: 'routeSync explicit model, 112 projects', run: (n) => { for (let i = 0; i < n; i++) hash.routeSync('demo/llama-care', PROMPTS[i % PROMPTS.length]); } },
    { name: 'routeSync hash, 112 projects × 3 rows', run: (n) => { for (let i = 0; i < n; i++) hash.routeSync('auto', PROMPTS[i % PROMPTS.length]); } },
    { name: 'route() hash, 112 projects × 3 rows', run: async (n) => { for (let i = 0; i < n; i++) await hash.route('auto', PROMPTS[i % PROMPTS.length]); } },
  ];
  if (existsSync(table)) {
    const embedder = await lib.StaticEmbedder.load(table);
    const unfitted = await lib.FastProjectRouter.create({ projects: PROJECTS_112, embedder, fit: false });
    const fitted = await lib.FastProjectRouter.create({ projects: PROJECTS_112, embedder, fit: { features: 'hybrid' } });
    await fitted.whenFitted();
    cases.push(
      { name: 'routeSync static, 112 projects × 3 rows', run: (n) => { for (let i = 0; i < n; i++) unfitted.routeSync('auto', PROMPTS[i % PROMPTS.length]); } },
      { name: "routeSync static + fit({ features: 'hybrid' })", run: (n) => { for (let i = 0; i < n; i++) fitted.routeSync('auto', PROMPTS[i % PROMPTS.length]); } },
    );
  }
  const map = new lib.ApiMap({ providers, random: lib.seededRandom(1) });
  const execMap = new lib.ApiMap({ providers, strategy: 'least-loaded', random: lib.seededRandom(2) });
  const call = (): Promise<number> => Promise.resolve(1);
  const classifier = new lib.RequestClassifier();
  cases.push(
    { name: 'ApiMap resolve()+release() round-robin', run: (n) => { for (let i = 0; i < n; i++) { const s = map.resolve('m'); if (s.ok) s.release({ ok: true, latencyMs: 10 + (i & 7) }); } } },
    { name: 'ApiMap execute() immediate call', run: async (n) => { for (let i = 0; i < n; i++) await execMap.execute('m', call); } },
    { name: 'computeRoutingSignals short chat', run: (n) => { for (let i = 0; i < n; i++) lib.computeRoutingSignals(shortChat, signalOptions); } },
    { name: 'decide() LOCAL heuristic', run: async (n) => { for (let i = 0; i < n; i++) await classifier.decide(shortChat); } },
  );
  return cases;
}

/** Calls per timed batch, sized so one batch takes about 5 ms on the `after` side. */
async function batchSize(c: Case): Promise<number> {
  let n = 16;
  for (;;) {
    const t0 = performance.now();
    await c.run(n);
    if (performance.now() - t0 >= 5 || n >= 1 << 20) return n;
    n *= 2;
  }
}

async function timeNs(c: Case, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await c.run(n);
  return Number(process.hrtime.bigint() - t0) / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ns: number): string => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

/** One process's measurement: per case, the best and median ns per call of each side. */
interface Row { readonly name: string; readonly before: number; readonly after: number; readonly beforeMedian: number; readonly afterMedian: number }

async function measureHere(): Promise<Row[]> {
  const beforeCases = await casesOf(before);
  const afterCases = await casesOf(after);
  const rows: Row[] = [];
  for (const a of afterCases) {
    const b = beforeCases.find((c) => c.name === a.name);
    if (!b || (only !== undefined && !a.name.includes(only))) continue;
    const n = await batchSize(a);
    await timeNs(b, n); // warm both sides with a full batch
    await timeNs(a, n);
    const tb: number[] = [];
    const ta: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // alternate which side goes first, so neither always runs on a cooler cache
      if (r % 2 === 0) { tb.push(await timeNs(b, n)); ta.push(await timeNs(a, n)); } else { ta.push(await timeNs(a, n)); tb.push(await timeNs(b, n)); }
    }
    rows.push({ name: a.name, before: Math.min(...tb), after: Math.min(...ta), beforeMedian: median(tb), afterMedian: median(ta) });
  }
  return rows;
}

if (child) {
  process.stdout.write(JSON.stringify(await measureHere()));
} else {
  console.log(machineHeader());
  console.log(`\nbefore: ${path.resolve(other)}\nafter:  ${here}\n${processes} processes × ${rounds} alternating rounds per case; tolerance ${(tolerance * 100).toFixed(0)}%\n`);
  const runs: Row[][] = [];
  for (let p = 0; p < processes; p++) {
    const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), other, '--child', '--rounds', String(rounds), ...(only === undefined ? [] : ['--only', only])], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) { console.error(run.stderr); process.exit(2); }
    runs.push(JSON.parse(run.stdout) as Row[]);
    process.stderr.write(`process ${p + 1}/${processes} done\n`);
  }
  console.log('| case | before (best) | after (best) | after/before, median of processes | per process |');
  console.log('|---|---|---|---|---|');
  let slower = 0;
  for (const [k, first] of runs[0]!.entries()) {
    const rows = runs.map((r) => r[k]!);
    const ratios = rows.map((r) => r.after / r.before);
    const ratio = median(ratios);
    if (ratio > 1 + tolerance) slower++;
    console.log(`| ${first.name} | ${fmt(median(rows.map((r) => r.before)))} | ${fmt(median(rows.map((r) => r.after)))} | ${ratio.toFixed(3)}${ratio > 1 + tolerance ? ' (slower)' : ''} | ${ratios.map((x) => x.toFixed(2)).join(' ')} |`);
  }
  if (slower > 0) {
    console.error(`\n${slower} case(s) more than ${(tolerance * 100).toFixed(0)}% slower than before`);
    process.exitCode = 1;
  }
}
