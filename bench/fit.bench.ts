// The default path on CLINC150 (150 projects × 100 examples): create() time, the background
// fit (worker thread), event-loop delay while it runs (perf_hooks.monitorEventLoopDelay, with
// routing traffic every 5 ms), fitted routing latency and the RSS of the whole process after
// the fit. Each design runs in a fresh process (bench/fit-process.ts) so RSS is its own.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import type { BenchSection, CaseResult } from './harness.js';

const CLINC = process.env['SWITCHYARD_CLINC'] ?? '/work/shared/data/clinc150/clinc150_train_val.json';
const MS = 1_000_000;

interface Run {
  design: string; createMs: number; firstRouteMs: number; fitMs: number | null; ranIn?: string; kept?: string; epochs?: number;
  loopDelayMs: { p50: number; p99: number; max: number }; baselineLoopDelayMs: { p50: number; p99: number; max: number };
  routeUs: { p50: number; p99: number }; rssMB: number; matrixBytes: number; fitCpuMs?: number;
  from: string; rssAtStartMB: number; rssAfterCreateMB: number;
}

function row(name: string, ms: number, p99Ms: number, target: string, met: boolean, note?: string): CaseResult {
  return { name, medianNs: ms * MS, p99Ns: p99Ms * MS, opsPerSec: 1000 / ms, samples: 1, target, met, ...(note ? { note } : {}) };
}

export default async function run(): Promise<BenchSection[]> {
  if (!existsSync(CLINC)) return [{ title: 'fit (skipped: no CLINC150 file; set SWITCHYARD_CLINC)', results: [] }];
  const script = fileURLToPath(new URL('./fit-process.ts', import.meta.url));
  const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  // from the built package under plain node (no TypeScript loader in the process: its RSS is the application's)
  let argv = ['--expose-gc', '--import', 'tsx', script];
  let env: NodeJS.ProcessEnv = process.env;
  if (existsSync(dist)) {
    const js = ts.transpileModule(readFileSync(script, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const tmp = path.join(os.tmpdir(), `switchyard-fit-process-${process.pid}.mjs`);
    writeFileSync(tmp, js);
    argv = ['--expose-gc', tmp];
    env = { ...process.env, SWITCHYARD_BENCH_DIST: pathToFileURL(dist).href };
  }
  const results: CaseResult[] = [];
  const notes: string[] = [];
  for (const [design, traffic] of [['default', false], ['default', true], ['one-space', false], ['thread', false]] as const) {
    const { stdout } = await promisify(execFile)(process.execPath, [...argv, design, CLINC], { maxBuffer: 1 << 20, env: { ...env, SWITCHYARD_BENCH_TRAFFIC: traffic ? '1' : '0' } });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as Run;
    const label = (design === 'default' ? 'defaults' : design === 'one-space' ? 'one space (embedder 2048-d, no stopwords)' : 'defaults, fit on the event loop (worker: false)') +
      (traffic ? ', routing a request every 5 ms during the fit' : '');
    if (design === 'default' && !traffic) {
      results.push(row(`${label}: create() returns (routes unfitted at once)`, r.createMs, r.createMs, '<= 500 ms', r.createMs <= 500));
    }
    results.push(row(`${label}: fit (${r.ranIn}, ${r.epochs} epochs, kept ${r.kept}; CPU ${r.fitCpuMs ?? '?'} ms)`, r.fitMs ?? NaN, r.fitMs ?? NaN, '<= 10 s', (r.fitMs ?? Infinity) <= 10_000));
    results.push({ name: `${label}: fitted route (${(r.matrixBytes / 1024).toFixed(0)} KB of rows)`, medianNs: r.routeUs.p50 * 1000, p99Ns: r.routeUs.p99 * 1000, opsPerSec: 1e6 / r.routeUs.p50, samples: 20_000, target: '<= 15 µs', met: r.routeUs.p50 <= 15 });
    results.push(row(`${label}: event-loop delay during the fit, p99 (p99 column: max)`, r.loopDelayMs.p99, r.loopDelayMs.max, 'p99 <= 5 ms, max <= 20 ms', r.loopDelayMs.p99 <= 5 && r.loopDelayMs.max <= 20,
      `idle baseline on this machine: p99 ${r.baselineLoopDelayMs.p99.toFixed(1)} ms, max ${r.baselineLoopDelayMs.max.toFixed(1)} ms`));
    notes.push(`${label} (${r.from}): RSS after the fit ${r.rssMB} MB (target <= 160 MB: ${r.rssMB <= 160 ? 'met' : 'missed'}; at start ${r.rssAtStartMB} MB, after create() ${r.rssAfterCreateMB} MB); fit wall ${r.fitMs} ms, CPU ${r.fitCpuMs} ms; event-loop delay p50 ${r.loopDelayMs.p50.toFixed(1)} ms, p99 ${r.loopDelayMs.p99.toFixed(1)} ms, max ${r.loopDelayMs.max.toFixed(1)} ms; idle baseline p99 ${r.baselineLoopDelayMs.p99.toFixed(1)} ms, max ${r.baselineLoopDelayMs.max.toFixed(1)} ms.`);
  }
  notes.push(`One process per design, one fit each (a single sample): the machine is shared (load average ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} at the end), so wall-clock fit time and event-loop delay include time other processes held the two cores; the idle baseline shows that share.`);
  return [{ title: 'fit: CLINC150, 150 projects × 100 examples, default options', results, notes }];
}
