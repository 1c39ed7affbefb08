import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter, StaticEmbedder } from '../src/index.js';
import { PROJECTS_112 } from './fixtures/projects-112.js';
import { makeTable, testVocab } from './helpers/static-table.js';

const words = PROJECTS_112.flatMap((p) => [p.name, p.description ?? '', ...(p.examples ?? [])].join(' ').split(/[^A-Za-z0-9]+/));
const embedder = new StaticEmbedder({ table: makeTable({ vocab: testVocab(words), dim: 32, seed: 5 }).bytes });

test('FastProjectRouter.create() with StaticEmbedder – the default auto-fit learns hybrid features; an explicit choice wins', async () => {
  assert.equal(embedder.fitFeatures, 'hybrid');
  const router = await FastProjectRouter.create({ projects: PROJECTS_112, embedder });
  const report = await router.whenFitted();
  assert.ok(report, 'the default auto-fit ran');
  assert.equal(report.features, 'hybrid');
  const hashed = await router.fit({ features: 'hashed', worker: false });
  assert.equal(hashed.features, 'hashed');
  const again = await router.fit({ worker: false });
  assert.equal(again.features, 'hybrid');
  // the hash embedder keeps the hashed head by default
  const plain = await FastProjectRouter.create({ projects: PROJECTS_112 });
  assert.equal((await plain.whenFitted())?.features, 'hashed');
});
