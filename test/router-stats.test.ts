import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter, type RouteResult } from '../src/index.js';
import { LatencyHistogram } from '../src/telemetry/latency-histogram.js';
import { PROJECTS_112 } from './fixtures/projects-112.js';

test('FastProjectRouter#stats() – counts per method, latency percentiles, last N decisions, kernel info', async () => {
  const router = await FastProjectRouter.create({ projects: PROJECTS_112, recentDecisions: 3, defaultProject: 'demo/baking' });
  const seen: RouteResult[] = [];
  router.on('route:selected', (r) => seen.push(r));
  router.routeSync('demo/baking', 'x');
  router.routeSync('auto', 'my llama');
  router.routeSync('auto', 'what is the');
  router.routeSync('auto', 'balance this chemical equation for methane combustion');
  const s = router.stats();
  assert.deepEqual(s.routes, { explicit: 1, keyword: 1, semantic: 1, fallback: 1, total: 4 });
  assert.equal(s.latency.count, 4);
  assert.ok(s.latency.p50 > 0 && s.latency.p50 <= s.latency.p95 && s.latency.p95 <= s.latency.p99 && s.latency.p99 <= s.latency.max);
  assert.deepEqual(s.recent, seen.slice(1)); // the last three, oldest first
  assert.equal(s.projects, 112);
  assert.equal(s.rows, 112 * 3);
  assert.equal(s.kernel, 'wasm-simd');
  assert.equal(s.precision, 'f32');
  assert.match(s.embedderId, /^hash-v2\/d384/);
});

test('LatencyHistogram – percentiles within one bucket (12.5%) of the exact ones; ignores NaN/negative', () => {
  const h = new LatencyHistogram();
  const samples: number[] = [];
  for (let i = 1; i <= 10_000; i++) { const ms = (i % 997) * 0.0013 + 0.0001; samples.push(ms); h.recordMs(ms); }
  h.recordMs(NaN); h.recordMs(-1);
  samples.sort((a, b) => a - b);
  const s = h.summary();
  assert.equal(s.count, 10_000);
  for (const [q, got] of [[0.5, s.p50], [0.95, s.p95], [0.99, s.p99]] as const) {
    const exact = samples[Math.ceil(q * samples.length) - 1]!;
    assert.ok(got >= exact && got <= exact * 1.13, `q${q}: ${got} vs ${exact}`);
  }
  assert.equal(s.max, samples.at(-1));
  h.recordMs(1e9); // 11 days: clamped to the top bucket, no throw
  h.reset();
  assert.equal(h.summary().count, 0);
});
