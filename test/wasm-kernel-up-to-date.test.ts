import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = fileURLToPath(new URL('..', import.meta.url));

test('src/internal/simd-kernel-wasm.ts (committed) is what simd-kernel.wat assembles to', () => {
  const run = spawnSync(process.execPath, ['src/internal/build-wasm.mjs', '--check'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr || run.stdout);
  assert.match(run.stdout, /matches simd-kernel\.wat/);
});
