import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FastProjectRouter, StaticEmbedder } from '../src/index.js';
import { PROJECTS_112 } from './fixtures/projects-112.js';
import { makeTable, testVocab } from './helpers/static-table.js';

// A generated table over the fixture's own words, so routes are semantic (not all [UNK]).
const words = PROJECTS_112.flatMap((p) => [p.name, p.description ?? '', ...(p.examples ?? [])].join(' ').split(/[^A-Za-z0-9]+/));
const embedder = new StaticEmbedder({ table: makeTable({ vocab: testVocab(words), dim: 32, seed: 11 }).bytes });
const router = await FastProjectRouter.create({ projects: PROJECTS_112, defaultProject: 'demo/python-help', embedder, fit: false });

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.array(fc.constantFrom('[MASK]', '[CLS', 'CLS]', '##', 'İ', 'Σ', '\u0301', '\u200d', '\uD800', '\uDC00', '中', '한', '😀', '\u0000', '\u000b', ' ', 'llama', 'X'.repeat(120)), { maxLength: 30 }).map((a) => a.join('')),
);
const messages = fc.oneof(text, fc.array(fc.record({ role: fc.constantFrom('user', 'assistant', 'system'), content: text })), fc.anything());

test('FastProjectRouter#routeSync() with StaticEmbedder – never throws on arbitrary input, bounded time, deterministic', () => {
  fc.assert(
    fc.property(messages, (m) => {
      const t0 = performance.now();
      const a = router.routeSync('auto', m as never);
      assert.ok(performance.now() - t0 < 1000, 'one route took over a second');
      const b = router.routeSync('auto', m as never);
      assert.equal(a.modelPath, b.modelPath);
      assert.equal(a.score, b.score);
      assert.ok(Number.isFinite(a.score));
      assert.ok(['explicit', 'keyword', 'semantic', 'fallback'].includes(a.method));
    }),
    { numRuns: 1000 },
  );
});

test('StaticEmbedder – vectors are finite and unit-length or zero for arbitrary strings', () => {
  const out = new Float32Array(embedder.dim);
  fc.assert(
    fc.property(text, (s) => {
      embedder.embedInto(s, out, 0);
      let sumsq = 0;
      for (const x of out) { assert.ok(Number.isFinite(x)); sumsq += x * x; }
      assert.ok(sumsq === 0 || Math.abs(Math.sqrt(sumsq) - 1) < 1e-4, String(sumsq));
    }),
    { numRuns: 2000 },
  );
});
