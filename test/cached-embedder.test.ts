// CachedEmbedder: an LRU of query vectors in front of a slow embedder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CachedEmbedder, FastProjectRouter, HashEmbedder, isSwitchyardError, type Embedder } from '../src/index.js';

/** A deterministic async embedder that records every call. */
function recording(dim = 8): Embedder & { calls: string[][]; fail: boolean } {
  const hash = new HashEmbedder({ dim });
  const e = {
    id: 'recording', dim, calls: [] as string[][], fail: false,
    async embed(texts: readonly string[]): Promise<Float32Array[]> {
      e.calls.push([...texts]);
      await new Promise((r) => setImmediate(r));
      if (e.fail) throw new Error('model crashed');
      return texts.map((t) => { const v = new Float32Array(dim); hash.embedInto(t, v, 0); return v; });
    },
  };
  return e;
}

test('CachedEmbedder – a repeated text skips the wrapped embedder and gets an equal vector, as a copy', async () => {
  const inner = recording();
  const c = new CachedEmbedder(inner);
  assert.equal(c.id, inner.id);
  assert.equal(c.dim, inner.dim);
  const [a] = await c.embed(['reset my password']);
  const [b, x] = await c.embed(['reset my password', 'book a flight']);
  assert.deepEqual(inner.calls, [['reset my password'], ['book a flight']]);
  assert.deepEqual(b, a);
  assert.notEqual(b, a);
  b![0] = 42; // writing to a returned vector does not touch the cache
  const [again] = await c.embed(['reset my password']);
  assert.deepEqual(again, a);
  assert.equal(x!.length, 8);
  assert.deepEqual(c.stats(), { hits: 2, misses: 2, size: 2 });
});

test('CachedEmbedder – concurrent calls and duplicates within a call share one embedding per text', async () => {
  const inner = recording();
  const c = new CachedEmbedder(inner);
  const [p, q] = await Promise.all([c.embed(['same', 'same', 'other']), c.embed(['same'])]);
  assert.deepEqual(inner.calls, [['same', 'other']]);
  assert.deepEqual(p[0], p[1]);
  assert.deepEqual(q[0], p[0]);
  assert.notEqual(p[0], p[1]);
});

test('CachedEmbedder – least recently used texts are evicted at maxEntries; texts over maxTextLength are never stored', async () => {
  const inner = recording();
  const c = new CachedEmbedder(inner, { maxEntries: 2, maxTextLength: 10 });
  await c.embed(['a']);
  await c.embed(['b']);
  await c.embed(['a']); // a is now the most recent
  await c.embed(['c']); // evicts b
  inner.calls.length = 0;
  await c.embed(['a', 'b', 'c']);
  assert.deepEqual(inner.calls, [['b']]);
  const long = 'x'.repeat(11);
  await c.embed([long]);
  await c.embed([long]);
  assert.deepEqual(inner.calls.slice(1), [[long], [long]]);
});

test('CachedEmbedder – a failed embedding is not cached: every waiter rejects, the next call retries', async () => {
  const inner = recording();
  const c = new CachedEmbedder(inner);
  inner.fail = true;
  const results = await Promise.allSettled([c.embed(['q']), c.embed(['q'])]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  assert.equal(inner.calls.length, 1);
  inner.fail = false;
  assert.equal((await c.embed(['q']))[0]!.length, 8);
  assert.equal(inner.calls.length, 2);
});

test('CachedEmbedder – a wrapped embedder returning the wrong number of vectors gives ERR_EMBEDDER_FAILED; bad options ERR_INVALID_OPTION', async () => {
  const bad: Embedder = { id: 'bad', dim: 2, embed: async () => [] };
  await assert.rejects(new CachedEmbedder(bad).embed(['x']), (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_EMBEDDER_FAILED');
  await assert.rejects(new CachedEmbedder(bad).embed('x' as never), (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_EMBEDDER_FAILED');
  for (const [inner, opts] of [[null, {}], [{ id: 'x', dim: 0, embed: async () => [] }, {}], [bad, { maxEntries: 0 }], [bad, { maxTextLength: -1 }], [bad, []]] as const) {
    assert.throws(() => new CachedEmbedder(inner as never, opts as never), (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_INVALID_OPTION');
  }
});

test('CachedEmbedder – routes exactly as the wrapped embedder; a synchronous embedder keeps routeSync()', async () => {
  const projects = [
    { name: 'billing', description: 'invoices payments refunds credit card charges' },
    { name: 'travel', description: 'flights hotels trips bookings airports' },
  ];
  const plain = await FastProjectRouter.create({ projects, embedder: recording(64), threshold: 0 });
  const inner = recording(64);
  const cached = await FastProjectRouter.create({ projects, embedder: new CachedEmbedder(inner), threshold: 0 });
  for (const q of ['refund my credit card charge', 'book flights and hotels', 'refund my credit card charge']) {
    const [a, b] = [await plain.route('auto', q), await cached.route('auto', q)];
    assert.equal(b.modelPath, a.modelPath);
    assert.equal(b.score, a.score);
  }
  assert.equal(inner.calls.filter((c) => c.includes('refund my credit card charge')).length, 1);
  const sync = await FastProjectRouter.create({ projects, embedder: new CachedEmbedder(new HashEmbedder()) });
  assert.equal(sync.routeSync('auto', 'refund my invoice payment').modelPath, 'default/billing');
});
