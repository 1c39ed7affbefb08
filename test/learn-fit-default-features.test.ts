// The learned head's default feature source follows the embedder: a model (asynchronous
// embedder) gets 'hybrid' (its vectors beside hashed features), the hash embedder 'hashed'.
// Measured reason: with MiniLM a hashed-only head routes worse than MiniLM unfitted, so the
// auto-fit kept nothing (bench/QUALITY.md). `features: 'hashed'` keeps the old behaviour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter, HashEmbedder } from '../src/index.js';
import { AsyncHashEmbedder } from './helpers/async-embedder.js';
import { noisyTopics } from './helpers/learn-data.js';

test('fit() without features – an asynchronous embedder trains a hybrid head; features: "hashed" is still reachable', async () => {
  const { projects } = noisyTopics(6, 12, 4, 7);
  const router = await FastProjectRouter.create({ projects, embedder: new AsyncHashEmbedder(), threshold: -1, fit: false });
  assert.equal((await router.fit({ worker: false })).features, 'hybrid');
  assert.equal(router.stats().fit.features, 'hybrid');
  assert.equal((await router.fit({ worker: false, features: 'hashed' })).features, 'hashed');
});

test('fit() without features – the synchronous hash embedder keeps the hashed head', async () => {
  const { projects } = noisyTopics(6, 12, 4, 7);
  const router = await FastProjectRouter.create({ projects, embedder: new HashEmbedder(), threshold: -1, fit: false });
  assert.equal((await router.fit({ worker: false })).features, 'hashed');
});

test('create() auto-fit with an asynchronous embedder uses hybrid features', async () => {
  const { projects } = noisyTopics(6, 12, 4, 7);
  const router = await FastProjectRouter.create({ projects, embedder: new AsyncHashEmbedder() });
  const report = await router.whenFitted();
  assert.ok(report, 'the auto-fit ran');
  assert.equal(report.features, 'hybrid');
});
