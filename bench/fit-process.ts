// One CLINC150 fit in a fresh process, so RSS is the whole process's: `node --import tsx
// bench/fit-process.ts <design> [clinc.json]` prints one JSON line. Run by bench/fit.bench.ts.
// Designs: 'default' (create({ projects }): 384-d embedder, learned head in its own 2,048-d
// hashed space, background auto-fit), 'one-space' (the defaults changed so one space serves
// both: HashEmbedder({ dim: 2048, stopwords: 'none' }) + fit({ features: 'embedder' })),
// 'thread' (the default, fit on the event loop in slices: FitOptions.worker false).
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ProjectSpec } from '../src/index.js';

// SWITCHYARD_BENCH_DIST=<URL of dist/index.js>: the built package (the worker as .js), as an
// application runs it; fit.bench.ts then runs this file transpiled, under plain node (no tsx)
const distUrl = process.env['SWITCHYARD_BENCH_DIST'];
const lib = (distUrl ? await import(distUrl) : await import('../src/index.js')) as typeof import('../src/index.js');
const { FastProjectRouter, HashEmbedder } = lib;

/** One routed request every this many ms while the fit runs. */
const TRAFFIC_MS = 5;

const design = process.argv[2] ?? 'default';
const file = process.argv[3] ?? process.env['SWITCHYARD_CLINC'] ?? '/work/shared/data/clinc150/clinc150_train_val.json';
const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, [string, string][]>;
const byLabel = new Map<string, string[]>();
for (const [text, label] of data['train'] ?? []) byLabel.set(label, [...(byLabel.get(label) ?? []), text]);
const projects: ProjectSpec[] = [...byLabel].map(([label, examples]) => ({ name: label, description: label.replace(/_/g, ' '), examples }));
const prompts = (data['val'] ?? []).map(([t]) => t);
data['train'] = []; // only the projects and prompts stay referenced

const rssAtStartMB = Math.round(process.memoryUsage().rss / 1048576);
const ms = (t: number): number => Math.round((performance.now() - t) * 10) / 10;
const delay = (h: ReturnType<typeof monitorEventLoopDelay>): Record<string, number> => ({
  p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, mean: Math.round(h.mean / 1e4) / 100,
});
// baseline: the same timer with nothing else running (what the shared machine's scheduling alone costs)
const base = monitorEventLoopDelay({ resolution: 1 });
base.enable();
const idle = setInterval(() => undefined, TRAFFIC_MS);
await new Promise((r) => setTimeout(r, 3000));
clearInterval(idle);
base.disable();
const t0 = performance.now();
const router = design === 'one-space'
  ? await FastProjectRouter.create({ projects, embedder: new HashEmbedder({ dim: 2048, stopwords: 'none' }), fit: false })
  : design === 'thread'
    ? await FastProjectRouter.create({ projects, fit: false })
    : await FastProjectRouter.create({ projects });
const createMs = ms(t0);
const rssAfterCreateMB = Math.round(process.memoryUsage().rss / 1048576);
const t1 = performance.now();
const first = router.routeSync('auto', prompts[0]!);
const firstRouteMs = ms(t1);
const unfittedRows = router.stats().rows;

// event-loop delay while the fit runs, with routing traffic
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
let routed = 0;
// SWITCHYARD_BENCH_TRAFFIC=1: a request every TRAFFIC_MS while the fit runs (routing 15,150 unfitted rows costs ~1 ms each)
const withTraffic = process.env['SWITCHYARD_BENCH_TRAFFIC'] === '1';
const traffic = setInterval(() => { if (withTraffic) router.routeSync('auto', prompts[routed++ % prompts.length]!); }, TRAFFIC_MS);
const tFit = performance.now();
const cpu0 = process.cpuUsage();
const report = design === 'one-space'
  ? await router.fit({ features: 'embedder', adopt: 'auto' })
  : design === 'thread'
    ? await router.fit({ adopt: 'auto', worker: false })
    : await router.whenFitted();
const fitWallMs = ms(tFit);
const cpu = process.cpuUsage(cpu0);
const fitCpuMs = Math.round((cpu.user + cpu.system) / 1000); // both threads: the worker's training and this thread's routing traffic
clearInterval(traffic);
h.disable();

// routing latency, fitted
const lat: number[] = [];
for (let i = 0; i < 20_000; i++) {
  const q = prompts[i % prompts.length]!;
  const a = process.hrtime.bigint();
  router.routeSync('auto', q);
  lat.push(Number(process.hrtime.bigint() - a) / 1000);
}
lat.sort((a, b) => a - b);
const rssBeforeGcMB = Math.round(process.memoryUsage().rss / 1048576);
(globalThis as { gc?: () => void }).gc?.();
await new Promise((r) => setTimeout(r, 200));
(globalThis as { gc?: () => void }).gc?.();
const mem = process.memoryUsage();
console.log(JSON.stringify({
  design, from: process.env['SWITCHYARD_BENCH_DIST'] ? 'dist' : 'src (tsx)', createMs, firstRouteMs, firstRouteMethod: first.method, unfittedRows,
  fitMs: report ? Math.round(report.ms) : null, fitWallMs, fitCpuMs, ranIn: report?.ranIn, kept: report?.kept, epochs: report?.epochs,
  heldOutAccuracy: report?.heldOutAccuracy, threshold: router.stats().fit.threshold, fittedRows: router.stats().rows,
  traffic: withTraffic, routedDuringFit: routed,
  loopDelayMs: delay(h), baselineLoopDelayMs: delay(base),
  routeUs: { p50: lat[lat.length >> 1], p99: lat[Math.floor(lat.length * 0.99)] },
  rssMB: Math.round(mem.rss / 1048576), rssAfterCreateMB, rssBeforeGcMB, rssAtStartMB, heapUsedMB: Math.round(mem.heapUsed / 1048576), arrayBuffersMB: Math.round(mem.arrayBuffers / 1048576),
  matrixBytes: router.stats().matrixBytes,
}));
