import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { decodeStaticTable, encodeStaticTable } from '../src/embed/static-table-format.js';
import { isSwitchyardError } from '../src/index.js';
import { makeTable, TEST_META } from './helpers/static-table.js';

/** Asserts `fn` throws ERR_INVALID_TABLE, with `reason` when given. */
function rejects(fn: () => unknown, reason?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isSwitchyardError(e), `expected a SwitchyardError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_INVALID_TABLE');
    if (reason !== undefined) assert.equal(e.details?.['reason'], reason);
    return true;
  });
}

/** Rewrites both checksums, so a test can change content and reach the check behind them. */
function reseal(bytes: Uint8Array): Uint8Array {
  const b = Buffer.from(bytes);
  b.writeUInt32LE(crc32(b.subarray(0, 60)), 60);
  b.writeUInt32LE(crc32(b.subarray(0, b.length - 4)), b.length - 4);
  return new Uint8Array(b);
}

for (const dtype of ['int8', 'f16'] as const) {
  test(`decodeStaticTable() – ${dtype} round trip keeps vocabulary, metadata and rows (within the encoding's error)`, () => {
    const { bytes, rows, vocab, dim } = makeTable({ dtype, dim: 24 });
    const t = decodeStaticTable(bytes);
    assert.equal(t.dtype, dtype);
    assert.equal(t.dim, dim);
    assert.deepEqual(t.vocab, vocab);
    assert.deepEqual(t.meta, TEST_META);
    assert.match(t.vocabHash, /^[0-9a-f]{32}$/);
    assert.match(t.contentHash, /^[0-9a-f]{16}$/);
    for (let r = 0; r < vocab.length; r++) {
      let max = 0;
      for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(rows[r * dim + d]!));
      for (let d = 0; d < dim; d++) {
        const got = dtype === 'int8' ? t.scales![r]! * t.codes![r * dim + d]! : t.values![r * dim + d]!;
        const tol = dtype === 'int8' ? max / 254 + 1e-7 : Math.abs(rows[r * dim + d]!) / 1024 + 1e-7;
        assert.ok(Math.abs(got - rows[r * dim + d]!) <= tol, `row ${r} dim ${d}: ${got} vs ${rows[r * dim + d]}`);
      }
    }
  });
}

test('decodeStaticTable() – the same input encodes to the same bytes; different rows give a different content hash', () => {
  const a = makeTable({ seed: 3 }).bytes;
  assert.deepEqual(makeTable({ seed: 3 }).bytes, a);
  const b = makeTable({ seed: 4 }).bytes;
  assert.notEqual(decodeStaticTable(a).contentHash, decodeStaticTable(b).contentHash);
  assert.equal(decodeStaticTable(a).vocabHash, decodeStaticTable(b).vocabHash);
});

test('decodeStaticTable() – one flipped byte anywhere is rejected (header, vocabulary, metadata, scales, rows, trailer)', () => {
  for (const dtype of ['int8', 'f16'] as const) {
    const { bytes } = makeTable({ dtype });
    const step = Math.max(1, Math.floor(bytes.length / 400));
    for (let i = 0; i < bytes.length; i += step) {
      const c = Uint8Array.from(bytes);
      c[i]! ^= 0x10;
      rejects(() => decodeStaticTable(c));
    }
  }
});

test('decodeStaticTable() – truncated or padded files are rejected', () => {
  const { bytes } = makeTable();
  for (const n of [0, 1, 8, 63, 64, 67, 100, bytes.length - 5, bytes.length - 4, bytes.length - 1]) rejects(() => decodeStaticTable(bytes.subarray(0, n)));
  const padded = new Uint8Array(bytes.length + 4);
  padded.set(bytes);
  rejects(() => decodeStaticTable(padded), 'size');
});

test('decodeStaticTable() – foreign files: another magic, format version, row encoding or tokenizer', () => {
  const { bytes, vocab } = makeTable();
  const magic = Uint8Array.from(bytes);
  magic[0] = 0x58;
  rejects(() => decodeStaticTable(reseal(magic)), 'header');
  const version = Buffer.from(bytes);
  version.writeUInt32LE(2, 8);
  rejects(() => decodeStaticTable(reseal(version)), 'version');
  const dtype = Buffer.from(bytes);
  dtype.writeUInt32LE(9, 12);
  rejects(() => decodeStaticTable(reseal(dtype)), 'dtype');
  const rows = new Float32Array(vocab.length * 4);
  const other = encodeStaticTable(vocab, rows, 4, 'int8', { ...TEST_META, tokenizer: { ...TEST_META.tokenizer, type: 'sentencepiece' as never } });
  rejects(() => decodeStaticTable(other), 'meta');
  const noUnk = encodeStaticTable(['a', 'b'], new Float32Array(2), 1, 'int8', TEST_META);
  rejects(() => decodeStaticTable(noUnk), 'vocab');
  rejects(() => decodeStaticTable('not bytes' as never), 'header');
});

test('decodeStaticTable() – a sealed table with a non-finite scale or value is rejected', () => {
  const int8 = Buffer.from(makeTable({ dtype: 'int8' }).bytes);
  const vocabLen = int8.readUInt32LE(24);
  const metaLen = int8.readUInt32LE(28);
  const scalesAt = (64 + vocabLen + metaLen + 3) & ~3;
  int8.writeFloatLE(Number.NaN, scalesAt + 4 * 6);
  rejects(() => decodeStaticTable(reseal(int8)), 'non-finite');
  const f16 = Buffer.from(makeTable({ dtype: 'f16' }).bytes);
  const dataAt = (64 + f16.readUInt32LE(24) + f16.readUInt32LE(28) + 3) & ~3;
  f16.writeUInt16LE(0x7c00, dataAt + 2 * 100);
  rejects(() => decodeStaticTable(reseal(f16)), 'non-finite');
});

test('decodeStaticTable() – random bytes and random mutations only ever give ERR_INVALID_TABLE', () => {
  const { bytes } = makeTable();
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => { rejects(() => decodeStaticTable(b)); }), { numRuns: 300 });
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
    const c = Uint8Array.from(bytes);
    for (const [i, x] of edits) c[i]! ^= x;
    rejects(() => decodeStaticTable(c));
  }), { numRuns: 300 });
});

test('encodeStaticTable() – rejects inconsistent input with ERR_INVALID_OPTION', () => {
  const bad = (fn: () => unknown): void => { assert.throws(fn, (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_INVALID_OPTION'); };
  bad(() => encodeStaticTable(['[UNK]'], new Float32Array(3), 2, 'int8', TEST_META));
  bad(() => encodeStaticTable(['[UNK]'], new Float32Array([Number.NaN]), 1, 'int8', TEST_META));
  bad(() => encodeStaticTable(['[UNK]', 'a\nb'], new Float32Array(2), 1, 'int8', TEST_META));
  bad(() => encodeStaticTable(['[UNK]'], new Float32Array(0), 0, 'int8', TEST_META));
});
