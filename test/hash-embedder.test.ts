import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HashEmbedder, isSwitchyardError } from '../src/index.js';

function vec(e: HashEmbedder, text: string): Float32Array {
  const v = new Float32Array(e.dim);
  e.embedInto(text, v, 0);
  return v;
}
function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

test('HashEmbedder#embedInto() – unit length, deterministic, finite for arbitrary strings (incl. lone surrogates, NUL, RTL)', () => {
  const e = new HashEmbedder();
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('\uD800', '\u202Eevil\u0000', '👩‍👩‍👧 family', '\uFEFFbom')), (text) => {
      const a = vec(e, text), b = vec(e, text);
      assert.deepEqual(a, b);
      let s = 0;
      for (const x of a) { assert.ok(Number.isFinite(x)); s += x * x; }
      assert.ok(s === 0 || Math.abs(s - 1) < 1e-5);
    }),
    { numRuns: 300 },
  );
});

test('HashEmbedder – related texts score higher than unrelated ones; case and NFKC forms are equal', () => {
  const e = new HashEmbedder();
  const q = vec(e, 'how much hay does an adult llama eat per day');
  assert.ok(dot(q, vec(e, 'llama feeding: hay and pasture for llamas')) > dot(q, vec(e, 'fix the python KeyError in my script')) + 0.2);
  assert.deepEqual(vec(e, 'LLAMA Hay'), vec(e, 'llama hay'));
  assert.deepEqual(vec(e, 'ﬁsh café'), vec(e, 'fish café')); // ligature ﬁ -> fi under NFKC
});

test('HashEmbedder – stopwords carry no features; a stopword-only prompt is the zero vector', () => {
  const e = new HashEmbedder();
  assert.deepEqual(vec(e, 'what is the'), new Float32Array(384));
  assert.deepEqual(vec(e, 'the llama'), vec(e, 'llama'));
  const none = new HashEmbedder({ stopwords: 'none' });
  assert.notDeepEqual(vec(none, 'what is the'), new Float32Array(384));
  const custom = new HashEmbedder({ stopwords: ['llama'] });
  assert.deepEqual(vec(custom, 'llama'), new Float32Array(384));
});

test('HashEmbedder#id – encodes every parameter', () => {
  const ids = new Set([
    new HashEmbedder().id,
    new HashEmbedder({ dim: 256 }).id,
    new HashEmbedder({ minN: 2 }).id,
    new HashEmbedder({ maxN: 4 }).id,
    new HashEmbedder({ wordWeight: 3 }).id,
    new HashEmbedder({ bigramWeight: 0 }).id,
    new HashEmbedder({ charWeight: 2 }).id,
    new HashEmbedder({ seed: 7 }).id,
    new HashEmbedder({ stopwords: 'none' }).id,
    new HashEmbedder({ stopwords: ['x'] }).id,
    HashEmbedder.fitIdf(['llama hay', 'python code']).id,
  ]);
  assert.equal(ids.size, 11);
  assert.equal(new HashEmbedder().id, new HashEmbedder({ dim: 384 }).id);
});

test('HashEmbedder.fitIdf() – down-weights buckets shared by every text', () => {
  const texts = ['common llama', 'common python', 'common tax', 'common hay'];
  const e = HashEmbedder.fitIdf(texts);
  const plain = new HashEmbedder();
  const a = vec(e, 'common llama'), b = vec(e, 'common python');
  const pa = vec(plain, 'common llama'), pb = vec(plain, 'common python');
  assert.ok(dot(a, b) < dot(pa, pb), `idf ${dot(a, b)} vs plain ${dot(pa, pb)}`);
  assert.equal(e.options.idf?.length, 384);
});

test('HashEmbedder – invalid options throw ERR_INVALID_OPTION', () => {
  for (const bad of [{ dim: 0 }, { dim: 1.5 }, { dim: NaN }, { minN: 0 }, { maxN: 9 }, { minN: 4, maxN: 3 }, { wordWeight: -1 },
    { seed: -1 }, { maxChars: 0 }, { idf: new Float32Array(3) }, { idf: Float32Array.from({ length: 384 }, () => NaN) }, { stopwords: 'klingon' }, { dim: '384' }]) {
    assert.throws(() => new HashEmbedder(bad as never), (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_INVALID_OPTION', JSON.stringify(bad));
  }
});

test('HashEmbedder#embed() – batch equals embedInto per text', async () => {
  const e = new HashEmbedder({ dim: 64 });
  const texts = ['a llama', 'tuna fishing', ''];
  const out = await e.embed(texts);
  assert.equal(out.length, 3);
  texts.forEach((t, i) => assert.deepEqual(out[i], vec(e, t)));
});

test('HashEmbedder – long input is cut at maxChars without splitting a surrogate pair', () => {
  const e = new HashEmbedder({ maxChars: 5 });
  assert.deepEqual(vec(e, 'abcd😀 tail'), vec(e, 'abcd')); // cut at 5 would split the emoji
});
