// Minimal benchmark harness: per-sample timing with process.hrtime.bigint(), medians and p99.
// Each sample times `batch` calls so that sub-microsecond cases are above timer resolution.
import os from 'node:os';

/** One measured case. */
export interface CaseResult {
  readonly name: string;
  /** Median time per call, nanoseconds. */
  readonly medianNs: number;
  /** 99th percentile of per-sample mean time per call, nanoseconds. */
  readonly p99Ns: number;
  /** Calls per second at the median. */
  readonly opsPerSec: number;
  readonly samples: number;
  /** Optional target, e.g. '<= 15 µs'. */
  readonly target?: string;
  /** Whether the target is met (undefined when there is no target). */
  readonly met?: boolean;
  /** Why a missed target was missed; printed as a "Missed: … Why: …" line under the table. */
  readonly why?: string;
  readonly note?: string;
}

/** A titled group of results written as one table. */
export interface BenchSection {
  readonly title: string;
  readonly results: CaseResult[];
  /** Free text printed under the table (method, ratios, misses explained). */
  readonly notes?: string[];
}

/** Options for {@link measure}. */
export interface MeasureOptions {
  /** Wall-clock budget for sampling, ms. @defaultValue 400 */
  readonly timeMs?: number;
  /** Calls per sample; 0 = auto-calibrate to ~20 µs per sample. @defaultValue 0 */
  readonly batch?: number;
  /** Target per call in ns: the result records `met`. */
  readonly targetNs?: number;
  /** Target shown in the table. */
  readonly target?: string;
  readonly note?: string;
  /** Minimum samples. @defaultValue 15 */
  readonly minSamples?: number;
}

/** Sink that defeats dead-code elimination. */
export let sink: unknown;

/** Measures `fn` (called with the iteration index). */
export function measure(name: string, fn: (i: number) => unknown, options: MeasureOptions = {}): CaseResult {
  const timeMs = options.timeMs ?? Number(process.env['BENCH_TIME_MS'] ?? 400);
  let batch = options.batch ?? 0;
  let i = 0;
  // warm-up (JIT) for ~15% of the budget
  const warmEnd = performance.now() + Math.max(20, timeMs * 0.15);
  while (performance.now() < warmEnd) sink = fn(i++);
  if (batch <= 0) {
    batch = 1;
    for (;;) {
      const t0 = process.hrtime.bigint();
      for (let k = 0; k < batch; k++) sink = fn(i++);
      const dt = Number(process.hrtime.bigint() - t0);
      if (dt >= 20_000 || batch >= 1 << 20) break;
      batch *= 2;
    }
  }
  const perCall: number[] = [];
  const end = performance.now() + timeMs;
  const minSamples = options.minSamples ?? 15;
  while (performance.now() < end || perCall.length < minSamples) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < batch; k++) sink = fn(i++);
    perCall.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  return summarize(name, perCall, options);
}

/** Median/p99 of per-call samples, with the target verdict. */
function summarize(name: string, perCall: number[], options: MeasureOptions): CaseResult {
  perCall.sort((a, b) => a - b);
  const medianNs = perCall[Math.floor(perCall.length / 2)]!;
  const p99Ns = perCall[Math.min(perCall.length - 1, Math.floor(perCall.length * 0.99))]!;
  return {
    name, medianNs, p99Ns, opsPerSec: 1e9 / medianNs, samples: perCall.length,
    ...(options.target !== undefined ? { target: options.target } : {}),
    ...(options.targetNs !== undefined ? { met: medianNs <= options.targetNs } : {}),
    ...(options.note !== undefined ? { note: options.note } : {}),
  };
}

/** Measures an async function: each sample awaits `batch` sequential calls. */
export async function measureAsync(name: string, fn: (i: number) => Promise<unknown>, options: MeasureOptions = {}): Promise<CaseResult> {
  const timeMs = options.timeMs ?? Number(process.env['BENCH_TIME_MS'] ?? 400);
  const batch = Math.max(1, options.batch ?? 1);
  let i = 0;
  const warmEnd = performance.now() + Math.max(20, timeMs * 0.15);
  while (performance.now() < warmEnd) sink = await fn(i++);
  const perCall: number[] = [];
  const end = performance.now() + timeMs;
  const minSamples = options.minSamples ?? 15;
  while (performance.now() < end || perCall.length < minSamples) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < batch; k++) sink = await fn(i++);
    perCall.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  return summarize(name, perCall, options);
}

/** Formats nanoseconds as ns / µs / ms. */
export function formatNs(ns: number): string {
  if (ns < 1_000) return `${ns.toFixed(ns < 10 ? 2 : 0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(ns < 10_000 ? 2 : 1)} µs`;
  return `${(ns / 1_000_000).toFixed(2)} ms`;
}

/** Formats a rate. */
export function formatRate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)}M/s`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)}k/s`;
  return `${perSec.toFixed(1)}/s`;
}

/** Markdown for one section. */
export function sectionMarkdown(section: BenchSection): string {
  const lines = [`## ${section.title}`, '', '| case | median | p99 | throughput | target | met |', '|---|---|---|---|---|---|'];
  for (const r of section.results) {
    const met = r.met === undefined ? '' : r.met ? 'yes' : '**no**';
    lines.push(`| ${r.name} | ${formatNs(r.medianNs)} | ${formatNs(r.p99Ns)} | ${formatRate(r.opsPerSec)} | ${r.target ?? ''} | ${met} |`);
  }
  for (const r of section.results) if (r.note) lines.push('', `- ${r.name}: ${r.note}`);
  const missed = section.results.filter((r) => r.met === false);
  const unexplained = new Set(unexplainedMisses(section));
  for (const r of missed.filter((x) => x.why !== undefined || unexplained.has(x))) {
    lines.push('', `- Missed: ${r.name}: ${formatNs(r.medianNs)} against ${r.target ?? 'its target'}. Why: ${r.why ?? 'not explained: the benchmark records no reason for this miss (give the case a `why`).'}`);
  }
  if (section.notes?.length) lines.push('', ...section.notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

/**
 * Missed targets that carry no reason: neither a `why` on the case nor one of the section's
 * "Missed: … Why: …" notes (each such note explains one missed case).
 */
export function unexplainedMisses(section: BenchSection): CaseResult[] {
  const explainedByNotes = (section.notes ?? []).filter((n) => /^Missed:.*\bWhy:/.test(n)).length;
  return section.results.filter((r) => r.met === false && r.why === undefined).slice(explainedByNotes);
}

/** Machine/runtime header for RESULTS.md. */
export function machineHeader(): string {
  const cpus = os.cpus();
  return [
    `- date: ${new Date().toISOString()}`,
    `- cpu: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} (${os.arch()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM`,
    `- runtime: node ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.release()}`,
    `- load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`,
  ].join('\n');
}

/** Signature every `bench/*.bench.ts` default-exports. */
export type BenchModule = () => Promise<BenchSection[]> | BenchSection[];
