// RELIABILITY D1 (crash mid-write, real child processes killed by SIGKILL) and D5 (two
// processes saving concurrently). Children run the built dist (npm test builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddingCache } from '../../src/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DIST = path.join(root, 'dist', 'index.js');
const CHILD = fileURLToPath(new URL('../helpers/cache-child.mjs', import.meta.url));
const ROWS = 2000;
const DIM = 64; // ~0.5 MB per file: each write takes long enough for kills to land inside it
const RUNS = Number(process.env['SWITCHYARD_CRASH_RUNS'] ?? 200);

let strayCleaned = 0;

/** The generation of a loaded cache (all rows must agree), or -1 when empty. */
async function generationOf(file: string): Promise<number> {
  const c = new EmbeddingCache({ path: file, embedderId: 'crash-test', dim: DIM });
  const r = await c.load();
  strayCleaned += r.removedTmpFiles;
  assert.equal(r.dropped, 0, 'a complete file never has damaged records');
  if (c.size === 0) return -1;
  assert.equal(c.size, ROWS);
  const gen = c.get('text 0')![0]!;
  for (let i = 0; i < ROWS; i += 7) assert.deepEqual([c.get(`text ${i}`)![0], c.get(`text ${i}`)![1]], [gen, i], 'rows of one file come from one save');
  return gen;
}

function run(args: string[], killAfterTmp: number | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, DIST, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let killed = false;
    let tmps = 0;
    child.stdout.on('data', (d: Buffer) => {
      tmps += d.toString().split('tmp').length - 1;
      if (killAfterTmp !== undefined && !killed && tmps > killAfterTmp) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), Math.random() * 4);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (killAfterTmp === undefined ? (code === 0 ? resolve() : reject(new Error(`exit ${code}`))) : signal === 'SIGKILL' ? resolve() : reject(new Error(`child ended ${code} ${signal}`))));
  });
}

test(`EmbeddingCache#save() – SIGKILL at random points of ${RUNS} real child processes leaves the old or the new file, never a partial one`, { timeout: 480_000 }, async () => { // 200 child processes: minutes on a loaded 2-core machine
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-crash-'));
  try {
    const seen = new Set<number>();
    const LANES = 2;
    await Promise.all(Array.from({ length: LANES }, async (_, lane) => {
      const file = path.join(dir, `lane${lane}`, 'emb.bin');
      let previous = -1;
      for (let i = lane; i < RUNS; i += LANES) {
        const gen = i + 1;
        await run([file, 'crash', String(gen), String(ROWS), String(DIM)], Math.floor(Math.random() * 3));
        const found = await generationOf(file);
        assert.ok(found === previous || found === gen, `run ${i}: found generation ${found}, expected ${previous} or ${gen}`);
        seen.add(found === gen ? 1 : 0);
        previous = found;
        assert.deepEqual((await readdir(path.dirname(file))).filter((n) => n.endsWith('.tmp')), [], 'stray temp files of the dead child are cleaned on the next load');
      }
    }));
    assert.ok(strayCleaned > RUNS / 4, `kills landed inside writes (stray temp files cleaned: ${strayCleaned})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('EmbeddingCache#save() – two processes x 50 saves to one file: the result is one complete save, never interleaved', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-writers-'));
  try {
    const file = path.join(dir, 'emb.bin');
    await Promise.all([0, 1].map(() => run([file, 'writer', '50', '200', String(DIM)], undefined)));
    const c = new EmbeddingCache({ path: file, embedderId: 'crash-test', dim: DIM });
    const r = await c.load();
    assert.deepEqual([r.entries, r.dropped, r.reason], [200, 0, undefined]);
    const gen = c.get('text 0')![0]!;
    for (let i = 0; i < 200; i++) assert.deepEqual([c.get(`text ${i}`)![0], c.get(`text ${i}`)![1]], [gen, i]);
    assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
