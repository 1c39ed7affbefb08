// FastProjectRouter `cachePath`: restart reuses vectors, only new/changed project texts are
// embedded, a damaged file is recomputed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FastProjectRouter, isSwitchyardError } from '../src/index.js';
import { AsyncHashEmbedder } from './helpers/async-embedder.js';
import { HELD_OUT_112, PROJECTS_112 } from './fixtures/projects-112.js';

/** Counts embedded texts. */
class CountingEmbedder extends AsyncHashEmbedder {
  texts = 0;
  override async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.texts += texts.length;
    return super.embed(texts);
  }
}

function rowCount(projects: typeof PROJECTS_112): number {
  return projects.reduce((s, p) => s + 1 + (p.examples?.length ?? 0), 0);
}

test('FastProjectRouter.create({ cachePath }) – a restart reuses every vector; an edited project re-embeds only its own texts', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-router-cache-'));
  try {
    const cachePath = path.join(dir, 'emb.bin');
    const total = rowCount(PROJECTS_112);
    const e1 = new CountingEmbedder();
    const r1 = await FastProjectRouter.create({ projects: PROJECTS_112, embedder: e1, cachePath });
    assert.equal(e1.texts, total);
    assert.deepEqual({ ...r1.stats().embeddingCache!, path: '' }, { path: '', loaded: 0, dropped: 0, loadReason: undefined, reused: 0, computed: total, lastSaveError: undefined });

    const e2 = new CountingEmbedder();
    const r2 = await FastProjectRouter.create({ projects: PROJECTS_112, embedder: e2, cachePath });
    assert.equal(e2.texts, 0);
    assert.equal(r2.stats().embeddingCache!.reused, total);
    for (const [p] of HELD_OUT_112.slice(0, 20)) assert.deepEqual((await r2.route('auto', p)).candidates, (await r1.route('auto', p)).candidates);

    const edited = PROJECTS_112.map((p, i) => (i === 3 ? { ...p, description: `${p.description ?? ''} and more` } : p));
    const e3 = new CountingEmbedder();
    const r3 = await FastProjectRouter.create({ projects: edited, embedder: e3, cachePath });
    assert.equal(e3.texts, 1, 'only the edited main text');
    await r3.upsertProject({ name: 'brand-new', description: 'brand new project about kites', examples: ['fly a kite', 'kite strings'] });
    assert.equal(e3.texts, 4);
    assert.deepEqual([r3.stats().embeddingCache!.reused, r3.stats().embeddingCache!.computed], [total - 1, 4]);

    const e4 = new CountingEmbedder();
    const r4 = await FastProjectRouter.create({ projects: [...edited, { name: 'brand-new', description: 'brand new project about kites', examples: ['fly a kite', 'kite strings'] }], embedder: e4, cachePath });
    assert.equal(e4.texts, 0, 'the upsert was saved');
    assert.equal(r4.size, PROJECTS_112.length + 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('FastProjectRouter.create({ cachePath }) – a garbage cache file is recomputed (stats say why); an unwritable path is reported, not thrown', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-router-cache-'));
  try {
    const cachePath = path.join(dir, 'emb.bin');
    await writeFile(cachePath, 'garbage');
    const projects = PROJECTS_112.slice(0, 5);
    const e = new CountingEmbedder();
    const r = await FastProjectRouter.create({ projects, embedder: e, cachePath });
    assert.equal(e.texts, rowCount(projects));
    assert.equal(r.stats().embeddingCache!.loadReason, 'header');
    const again = await FastProjectRouter.create({ projects, embedder: new CountingEmbedder(), cachePath });
    assert.equal(again.stats().embeddingCache!.reused, rowCount(projects), 'rewritten after recomputing');

    await writeFile(path.join(dir, 'file'), 'x');
    const bad = await FastProjectRouter.create({ projects, cachePath: path.join(dir, 'file', 'emb.bin') });
    assert.match(bad.stats().embeddingCache!.lastSaveError ?? '', /ENOTDIR|EEXIST/);
    const errors: unknown[] = [];
    bad.on('cache:failed', (err) => errors.push(err));
    await bad.upsertProject({ name: 'x', description: 'y' });
    assert.ok(errors.length === 1 && isSwitchyardError(errors[0]) && errors[0].code === 'ERR_CACHE_IO');
    await assert.rejects(FastProjectRouter.create({ cachePath: 3 as never }), (err: unknown) => isSwitchyardError(err) && err.code === 'ERR_INVALID_OPTION');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
