// RELIABILITY D2 (injected fs faults), D5 (in-process concurrent saves) and D6 (durability
// call order), through the EmbeddingCache `fs` seam wrapping the real node:fs/promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddingCache, isSwitchyardError } from '../src/index.js';
import type { EmbeddingCacheFs, EmbeddingCacheFileHandle } from '../src/embed/cache-file-io.js';

type Fault = { op: 'mkdir' | 'open' | 'write' | 'fsync' | 'rename' | 'unlink'; code: string; times?: number };

/** Real fs, recording calls, failing the ops listed in `faults`. */
function faultyFs(log: string[], faults: Fault[] = []): EmbeddingCacheFs {
  const fail = (op: Fault['op']): void => {
    const f = faults.find((x) => x.op === op && (x.times ?? 1) > 0);
    if (!f) return;
    if (f.times !== undefined) f.times--;
    else f.times = Infinity;
    throw Object.assign(new Error(`injected ${f.code} on ${op}`), { code: f.code });
  };
  const wrap = (fh: fsp.FileHandle, what: string): EmbeddingCacheFileHandle => ({
    async writeFile(d) { log.push(`write:${what}`); fail('write'); await fh.writeFile(d); },
    async sync() { log.push(`fsync:${what}`); fail('fsync'); await fh.sync(); },
    async close() { await fh.close(); },
  });
  return {
    readFile: (f) => fsp.readFile(f),
    readdir: (d) => fsp.readdir(d),
    async mkdir(d, o) { fail('mkdir'); return fsp.mkdir(d, o); },
    async open(f, flags) { log.push(`open:${flags === 'r' ? 'dir' : 'tmp'}`); fail('open'); return wrap(await fsp.open(f, flags), flags === 'r' ? 'dir' : 'tmp'); },
    async rename(a, b) { log.push('rename'); fail('rename'); await fsp.rename(a, b); },
    async unlink(f) { log.push('unlink'); fail('unlink'); await fsp.unlink(f); },
  };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-faults-'));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

test('EmbeddingCache#save() – injected fs faults give ERR_CACHE_IO, keep the old file byte-identical and leave no temp file', async () => {
  await withDir(async (dir) => {
    const file = path.join(dir, 'emb.bin');
    const seed = new EmbeddingCache({ path: file, embedderId: 'e', dim: 4 });
    seed.set('old', Float32Array.of(1, 0, 0, 0));
    await seed.save();
    const before = await readFile(file);
    const cases: Fault[][] = [
      [{ op: 'write', code: 'ENOSPC' }],
      [{ op: 'fsync', code: 'EIO' }],
      [{ op: 'rename', code: 'EXDEV' }],
      [{ op: 'rename', code: 'EPERM' }], // retried, then fails
      [{ op: 'rename', code: 'EBUSY' }, { op: 'unlink', code: 'EACCES' }], // unlink failure must not replace the original error
      [{ op: 'mkdir', code: 'ENOENT' }],
      [{ op: 'open', code: 'EACCES' }],
    ];
    for (const faults of cases) {
      const log: string[] = [];
      const c = new EmbeddingCache({ path: file, embedderId: 'e', dim: 4, fs: faultyFs(log, faults), renameRetries: 2 });
      c.set('new', Float32Array.of(0, 1, 0, 0));
      const first = faults[0]!;
      await assert.rejects(c.save(), (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_CACHE_IO' &&
        (e.cause as { code?: string }).code === first.code && e.details?.['stage'] === first.op, JSON.stringify(faults));
      assert.deepEqual(await readFile(file), before, JSON.stringify(faults));
      if (first.op === 'rename' && ['EPERM', 'EBUSY'].includes(first.code)) assert.equal(log.filter((l) => l === 'rename').length, 3, 'retried renameRetries times');
      if (faults[1]?.op !== 'unlink') assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), [], JSON.stringify(faults));
      else for (const n of (await readdir(dir)).filter((x) => x.endsWith('.tmp'))) await fsp.unlink(path.join(dir, n));
    }
    // a transient EBUSY on rename is retried and succeeds
    const log: string[] = [];
    const ok = new EmbeddingCache({ path: file, embedderId: 'e', dim: 4, fs: faultyFs(log, [{ op: 'rename', code: 'EBUSY', times: 1 }]) });
    ok.set('new', Float32Array.of(0, 1, 0, 0));
    await ok.save();
    assert.notDeepEqual(await readFile(file), before);
  });
});

test('EmbeddingCache#save() – durability order: write, fsync(file) before rename, fsync(dir) after rename', { skip: process.platform === 'win32' ? 'no directory fsync on Windows' : false }, async () => {
  await withDir(async (dir) => {
    const log: string[] = [];
    const c = new EmbeddingCache({ path: path.join(dir, 'sub', 'emb.bin'), embedderId: 'e', dim: 4, fs: faultyFs(log) });
    c.set('x', Float32Array.of(1, 2, 3, 4));
    await c.save();
    assert.deepEqual(log, ['open:tmp', 'write:tmp', 'fsync:tmp', 'rename', 'open:dir', 'fsync:dir']);
  });
});

test('EmbeddingCache#save() – 5 concurrent saves are serialised (one rename at a time, in call order) with unique temp names', async () => {
  await withDir(async (dir) => {
    const file = path.join(dir, 'emb.bin');
    const log: string[] = [];
    let active = 0;
    let maxActive = 0;
    const tmpNames: string[] = [];
    const base = faultyFs(log);
    const fs: EmbeddingCacheFs = {
      ...base,
      async open(f, flags) {
        if (flags !== 'r') { active++; maxActive = Math.max(maxActive, active); tmpNames.push(f); }
        return base.open(f, flags);
      },
      async rename(a, b) { await new Promise((r) => setTimeout(r, 2)); await base.rename(a, b); active--; },
    };
    const c = new EmbeddingCache({ path: file, embedderId: 'e', dim: 2, fs });
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) { c.set(`t${i}`, Float32Array.of(i, i)); saves.push(c.save()); }
    await Promise.all(saves);
    assert.equal(maxActive, 1);
    assert.equal(new Set(tmpNames).size, 5);
    assert.deepEqual(log.filter((l) => l === 'rename' || l === 'open:tmp'), Array.from({ length: 5 }, () => ['open:tmp', 'rename']).flat());
    const back = new EmbeddingCache({ path: file, embedderId: 'e', dim: 2 });
    assert.equal((await back.load()).entries, 5);
  });
});
