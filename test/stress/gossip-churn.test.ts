// L2: 1,000,000 route updates over 10,000 projects with churn and GC ticks: heap stable, table bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('RouteReplica – L2: 1,000,000 updates over 10,000 projects: heap ratio < 1.1, table ≤ 10,000, no tombstone past retention', { timeout: 330_000 }, () => {
  const worker = fileURLToPath(new URL('../helpers/gossip-churn.ts', import.meta.url));
  // ~30 s of CPU: the generous bound only catches a hang on a loaded, shared machine
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', worker, '1000000'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(run.status, 0, `exit ${run.status}, signal ${run.signal}${run.error ? `, ${run.error.message}` : ''}\n${run.stderr}`);
  const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as { ratio: number; maxSize: number; overBound: number; expiredTombstones: number; tombstones: number; size: number };
  assert.ok(r.ratio < 1.1, `heap ratio ${r.ratio}`);
  assert.equal(r.overBound, 0);
  assert.ok(r.maxSize <= 10_000);
  assert.equal(r.expiredTombstones, 0);
  assert.ok(r.tombstones > 0 && r.size < 10_000, `GC collected tombstones (size ${r.size}, tombstones ${r.tombstones})`);
});
