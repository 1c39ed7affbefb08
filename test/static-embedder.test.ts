import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StaticEmbedder, isSwitchyardError } from '../src/index.js';
import { makeTable } from './helpers/static-table.js';

const norm = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

for (const dtype of ['int8', 'f16'] as const) {
  test(`StaticEmbedder#embedInto() – ${dtype}: the L2-normalised sum of the tokens' rows`, () => {
    const { bytes, rows, vocab, dim } = makeTable({ dtype, dim: 12 });
    const e = new StaticEmbedder({ table: bytes });
    const text = 'Hello, WORLD! cancel my credit card';
    const ids = e.tokenize(text);
    assert.deepEqual(ids.map((i) => vocab[i]), ['hello', ',', 'world', '!', 'cancel', 'my', 'credit', 'card']);
    const want = new Float64Array(dim);
    for (const id of ids) for (let d = 0; d < dim; d++) want[d]! += rows[id * dim + d]!;
    const n = Math.sqrt(want.reduce((s, x) => s + x * x, 0));
    const out = new Float32Array(dim + 4).fill(9);
    e.embedInto(text, out, 2);
    assert.equal(out[0], 9);
    assert.equal(out[1], 9);
    assert.equal(out[dim + 2], 9);
    for (let d = 0; d < dim; d++) assert.ok(Math.abs(out[d + 2]! - want[d]! / n) < 0.02, `dim ${d}`);
    assert.ok(Math.abs(norm(out.subarray(2, dim + 2)) - 1) < 1e-5);
  });
}

test('StaticEmbedder – deterministic: same bytes, same id and vectors; embed() equals embedInto()', async () => {
  const { bytes } = makeTable();
  const a = new StaticEmbedder({ table: bytes });
  const b = new StaticEmbedder({ table: Uint8Array.from(bytes) });
  assert.equal(a.id, b.id);
  assert.match(a.id, /^static-v1\/test_random\/int8\/d16\/[0-9a-f]{16}$/);
  const texts = ['cancel my card', 'Block my CREDIT card!', 'héllo wörld', '中文 text', '', '   ', '[MASK] [CLS]', 'x'.repeat(500)];
  const va = await a.embed(texts);
  const vb = await b.embed(texts);
  assert.deepEqual(va, vb);
  for (let i = 0; i < texts.length; i++) {
    const out = new Float32Array(a.dim);
    a.embedInto(texts[i]!, out, 0);
    assert.deepEqual(out, va[i]);
    a.embedInto(texts[i]!, out, 0); // the tokenizer's buffer is reused: a second call must not see the first
    assert.deepEqual(out, va[i]);
  }
});

test('StaticEmbedder – another table (rows or width) is another id', () => {
  const ids = new Set([makeTable({ seed: 1 }), makeTable({ seed: 2 }), makeTable({ dim: 8 }), makeTable({ dtype: 'f16' })]
    .map((t) => new StaticEmbedder({ table: t.bytes }).id));
  assert.equal(ids.size, 4);
});

test('StaticEmbedder – text without known tokens is the zero vector; case and accents do not matter', async () => {
  const e = new StaticEmbedder({ table: makeTable().bytes });
  for (const t of ['', ' \t\n', '[CLS] [SEP] [PAD]', '\u0000\u200b\ufeff']) {
    const [v] = await e.embed([t]);
    assert.equal(norm(v!), 0, JSON.stringify(t));
  }
  const [a, b, c] = await e.embed(['Hello World', 'HELLO world', 'hëllô wórld']);
  assert.deepEqual(a, b);
  assert.deepEqual(a, c);
});

test('StaticEmbedder – maxChars cuts long input; non-string input embeds as empty text', () => {
  const e = new StaticEmbedder({ table: makeTable().bytes, maxChars: 11 });
  const out = new Float32Array(e.dim);
  const ref = new Float32Array(e.dim);
  e.embedInto('hello world and much more text after the cut', out, 0);
  e.embedInto('hello world', ref, 0);
  assert.deepEqual(out, ref);
  e.embedInto(42 as never, out, 0);
  assert.equal(norm(out), 0);
});

test('StaticEmbedder – bad options and unreadable or corrupt files are typed errors', async () => {
  const code = (c: string) => (e: unknown): boolean => isSwitchyardError(e) && e.code === c;
  assert.throws(() => new StaticEmbedder(undefined as never), code('ERR_INVALID_OPTION'));
  assert.throws(() => new StaticEmbedder({ table: makeTable().bytes, maxChars: 0 }), code('ERR_INVALID_OPTION'));
  assert.throws(() => new StaticEmbedder({ table: new Uint8Array(10) }), code('ERR_INVALID_TABLE'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'static-'));
  await assert.rejects(StaticEmbedder.load(path.join(dir, 'missing.swt')), code('ERR_EMBEDDER_UNAVAILABLE'));
  const bytes = Uint8Array.from(makeTable().bytes);
  writeFileSync(path.join(dir, 'good.swt'), bytes);
  assert.equal((await StaticEmbedder.load(path.join(dir, 'good.swt'))).dim, 16);
  bytes[bytes.length - 100]! ^= 1;
  writeFileSync(path.join(dir, 'bad.swt'), bytes);
  await assert.rejects(StaticEmbedder.load(path.join(dir, 'bad.swt')), code('ERR_INVALID_TABLE'));
});

test('StaticEmbedder – the WebAssembly and JS row sums agree; kernel choice is validated', async () => {
  const { bytes } = makeTable({ dim: 32 });
  const auto = new StaticEmbedder({ table: bytes, maxChars: 1 << 20 });
  const js = new StaticEmbedder({ table: bytes, kernel: 'js', maxChars: 1 << 20 });
  assert.equal(js.kernel, 'js');
  assert.equal(auto.id, js.id); // the kernel is not part of the embedding space
  const texts = ['cancel my credit card', 'Hello world, hello WORLD', 'héllo 中文', '[MASK] card', 'card hello '.repeat(10_000)]; // the last has more ids than the wasm buffer: JS loop over wasm memory
  const a = await auto.embed(texts);
  const b = await js.embed(texts);
  for (let i = 0; i < texts.length; i++) for (let d = 0; d < 32; d++) assert.ok(Math.abs(a[i]![d]! - b[i]![d]!) < 1e-5);
  const code = (e: unknown): boolean => isSwitchyardError(e) && e.code === 'ERR_INVALID_OPTION';
  assert.throws(() => new StaticEmbedder({ table: bytes, kernel: 'gpu' as never }), code);
  assert.throws(() => new StaticEmbedder({ table: makeTable({ dtype: 'f16', dim: 32 }).bytes, kernel: 'wasm' }), code);
  assert.throws(() => new StaticEmbedder({ table: makeTable({ dim: 12 }).bytes, kernel: 'wasm' }), code);
});
