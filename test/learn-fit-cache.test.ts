// FastProjectRouter#fit() with `cachePath` – learned rows are saved beside the embedding cache
// and reloaded while projects, embedder and options are unchanged; any change retrains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FastProjectRouter } from '../src/index.js';
import { noisyTopics } from './helpers/learn-data.js';

test('FastProjectRouter#fit() – reloads saved rows when nothing changed; retrains after an edit or a damaged file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-fit-cache-'));
  try {
    const cachePath = path.join(dir, 'emb.bin');
    const { projects, queries } = noisyTopics(6, 10, 2, 21);
    const r1 = await FastProjectRouter.create({ projects, cachePath, threshold: -1, fit: false });
    const first = await r1.fit();
    assert.equal(first.fromCache, false);
    const scores = (r: FastProjectRouter): string => JSON.stringify(queries.map(([, p]) => r.routeSync('auto', p).candidates));

    const r2 = await FastProjectRouter.create({ projects, cachePath, threshold: -1, fit: false });
    const second = await r2.fit();
    assert.equal(second.fromCache, true);
    assert.equal(second.epochs, first.epochs);
    assert.equal(scores(r2), scores(r1));

    const other = await FastProjectRouter.create({ projects, cachePath, threshold: -1, fit: false });
    assert.equal((await other.fit({ seed: 2 })).fromCache, false, 'other options retrain');

    const edited = projects.map((p, i) => (i === 0 ? { ...p, examples: [...p.examples!, 'one more example'] } : p));
    const r3 = await FastProjectRouter.create({ projects: edited, cachePath, threshold: -1, fit: false });
    assert.equal((await r3.fit()).fromCache, false, 'an edited project retrains');

    const file = `${cachePath}.fit`;
    const bytes = await readFile(file);
    bytes[bytes.length - 10]! ^= 0xff;
    await writeFile(file, bytes);
    const r4 = await FastProjectRouter.create({ projects: edited, cachePath, threshold: -1, fit: false });
    assert.equal((await r4.fit()).fromCache, false, 'a damaged file retrains');

    // the default path: the background auto-fit saves its rows; a restart reuses them
    const d1 = await FastProjectRouter.create({ projects, cachePath });
    const auto1 = await d1.whenFitted();
    assert.equal(auto1?.fromCache, false);
    const d2 = await FastProjectRouter.create({ projects, cachePath });
    const auto2 = await d2.whenFitted();
    assert.equal(auto2?.fromCache, true);
    assert.equal(auto2?.kept, auto1?.kept);
    assert.equal(auto2?.threshold, auto1?.threshold);
    assert.equal(d2.stats().fit.threshold, d1.stats().fit.threshold);
    assert.equal(scores(d2), scores(d1));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
