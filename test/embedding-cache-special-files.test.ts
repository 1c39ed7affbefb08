// Issue 12 finding 6: a FIFO (or any non-regular file) at `cachePath` must not hang create():
// it is never read, its vectors are recomputed, and it is never replaced by a save.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddingCache, FastProjectRouter, HashEmbedder } from '../src/index.js';
import { within } from './helpers/bounded.js';

const posix = process.platform !== 'win32';
const projects = [{ name: 'llama-care', description: 'llama and alpaca husbandry' }];

function fifoAt(dir: string): string {
  const file = path.join(dir, 'emb.bin');
  execFileSync('mkfifo', [file]);
  return file;
}

test('create() with a FIFO as cachePath finishes, recomputes, and leaves the FIFO alone', { skip: !posix }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'swy-fifo-'));
  try {
    const cachePath = fifoAt(dir);
    const errors: unknown[] = [];
    const router = await within('create (FIFO cachePath)', 5000, () => FastProjectRouter.create({ projects, cachePath }));
    router.on('cache:failed', (e) => errors.push(e));
    const s = router.stats().embeddingCache!;
    assert.equal(s.loadReason, 'io');
    assert.equal(s.loaded, 0);
    assert.equal(s.computed, 1);
    assert.equal(s.lastSaveError !== undefined, true, 'the save refuses to replace a non-regular file');
    assert.ok(statSync(cachePath).isFIFO(), 'the FIFO is still there');
    assert.equal(router.routeSync('auto', 'my llama is limping').modelPath, 'default/llama-care');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('EmbeddingCache.load() refuses FIFOs, folders and devices without reading them', { skip: !posix }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'swy-fifo-'));
  try {
    const e = new HashEmbedder({ dim: 8 });
    const folder = path.join(dir, 'folder');
    mkdirSync(folder);
    for (const file of [fifoAt(dir), folder, '/dev/zero']) {
      const cache = new EmbeddingCache({ path: file, embedderId: e.id, dim: 8 });
      const r = await within('EmbeddingCache.load (special file)', 5000, () => cache.load());
      assert.equal(r.reason, 'io', file);
      assert.equal(r.entries, 0);
      assert.equal(await within('EmbeddingCache.loadAttachment', 5000, () => cache.loadAttachment('fit')), undefined);
    }
    // an injected fs with stat gets the same check
    let reads = 0;
    const fake = new EmbeddingCache({
      path: path.join(dir, 'x.bin'), embedderId: e.id, dim: 8,
      fs: {
        readFile: async () => { reads++; return new Uint8Array(); },
        stat: async () => ({ isFile: () => false, size: 0 }),
        open: async () => { throw new Error('unused'); }, rename: async () => undefined, unlink: async () => undefined,
        readdir: async () => [], mkdir: async () => undefined,
      },
    });
    assert.equal((await fake.load()).reason, 'io');
    assert.equal(reads, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
