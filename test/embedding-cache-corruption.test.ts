// RELIABILITY D3 (corruption) and D4 (staleness): load() never throws; damaged records are
// dropped (and only those), foreign files are a miss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddingCache, type CacheRejectedEvent } from '../src/index.js';
import { cacheKey, decodeCache, encodeCache, FLAG_NORMALIZED } from '../src/embed/cache-format.js';
import { prng } from './helpers/random.js';

const ID = 'hash-v2/test';
const DIM = 8;

function sample(n: number, seed: number): Map<string, Float32Array> {
  const rnd = prng(seed);
  const m = new Map<string, Float32Array>();
  for (let i = 0; i < n; i++) m.set(cacheKey(`text ${i}`), Float32Array.from({ length: DIM }, () => rnd() * 2 - 1));
  return m;
}

test('decodeCache() – 1,000 random corruptions never throw and never yield a vector that was not written', () => {
  const original = sample(40, 1);
  const clean = encodeCache(ID, DIM, FLAG_NORMALIZED, original);
  const rnd = prng(99);
  const kinds = { truncate: 0, flip: 0, garbage: 0, zeroTail: 0 };
  let droppedSomething = 0;
  for (let i = 0; i < 1000; i++) {
    let buf = Buffer.from(clean);
    const kind = (['truncate', 'flip', 'garbage', 'zeroTail'] as const)[i % 4]!;
    kinds[kind]++;
    const at = Math.floor(rnd() * buf.length);
    if (kind === 'truncate') buf = buf.subarray(0, at);
    else if (kind === 'flip') buf[at] = buf[at]! ^ (1 + Math.floor(rnd() * 255));
    else if (kind === 'garbage') buf = Buffer.concat([buf, Buffer.from(`garbage line ${i}\n`)]);
    else buf.fill(0, at);
    const d = decodeCache(buf, ID, DIM, FLAG_NORMALIZED);
    for (const [k, v] of d.entries) assert.deepEqual(v, original.get(k), `corruption ${i} (${kind}) produced a wrong vector`);
    if (d.entries.size < original.size) {
      droppedSomething++;
      assert.ok(d.reason !== undefined, `corruption ${i} (${kind}) lost entries without a reason`);
    }
    if (kind === 'flip' && at >= clean.length - 40 * (16 + DIM * 4 + 4)) assert.equal(d.entries.size, original.size - 1, 'a flipped record byte drops exactly that record');
    if (kind === 'garbage') assert.deepEqual([d.entries.size, d.reason], [original.size, 'trailing-bytes']);
  }
  assert.ok(droppedSomething > 600, `${droppedSomething}`);
});

test('EmbeddingCache#load() – truncated, flipped, garbage and empty files: never throws, emits cache:rejected, keeps intact records', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-cache-'));
  try {
    const file = path.join(dir, 'emb.bin');
    const writer = new EmbeddingCache({ path: file, embedderId: ID, dim: DIM });
    for (let i = 0; i < 10; i++) writer.set(`t${i}`, Float32Array.from({ length: DIM }, (_, d) => (i + d) / 20));
    await writer.save();
    const good = await readFile(file);
    const recLen = 16 + DIM * 4 + 4;
    const cases: [string, Buffer, number, string][] = [
      ['truncated mid-record', good.subarray(0, good.length - recLen / 2), 9, 'truncated'],
      ['flipped byte in record 3', (() => { const b = Buffer.from(good); b[good.length - 7 * recLen + 20]! ^= 0xff; return b; })(), 9, 'checksum'],
      ['garbage file', Buffer.from('{"not": "a cache"}\n'), 0, 'header'],
      ['empty file', Buffer.alloc(0), 0, 'header'],
      ['header byte flipped', (() => { const b = Buffer.from(good); b[22]! ^= 1; return b; })(), 0, 'header'],
    ];
    for (const [name, bytes, expected, reason] of cases) {
      await writeFile(file, bytes);
      const events: CacheRejectedEvent[] = [];
      const c = new EmbeddingCache({ path: file, embedderId: ID, dim: DIM });
      c.on('cache:rejected', (e) => events.push(e));
      const report = await c.load();
      assert.equal(report.entries, expected, name);
      assert.equal(c.size, expected, name);
      assert.equal(report.reason, reason, name);
      assert.deepEqual(events.map((e) => e.reason), [reason], name);
    }
    // a NaN that got into the file (e.g. written by an older version) is rejected
    const nan = Buffer.from(good);
    const at = good.length - recLen + 16;
    nan.writeFloatLE(NaN, at);
    const { crc32 } = await import('node:zlib');
    nan.writeUInt32LE(crc32(nan.subarray(good.length - recLen, good.length - 4)), good.length - 4);
    await writeFile(file, nan);
    const c = new EmbeddingCache({ path: file, embedderId: ID, dim: DIM });
    const r = await c.load();
    assert.deepEqual([r.entries, r.dropped, r.reason], [9, 1, 'non-finite']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('EmbeddingCache – staleness: another embedder id, dim, normalisation flag or format version is a whole-file miss; text changes miss per entry', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-cache-'));
  try {
    const file = path.join(dir, 'emb.bin');
    const w = new EmbeddingCache({ path: file, embedderId: ID, dim: DIM });
    for (let i = 0; i < 5; i++) w.set(`t${i}`, new Float32Array(DIM).fill(i / 10));
    await w.save();
    const variants: [Partial<{ embedderId: string; dim: number; normalized: boolean }>, string][] = [
      [{ embedderId: 'minilm:Xenova/all-MiniLM-L6-v2@main/q8' }, 'embedder'],
      [{ embedderId: `${ID}-v2` }, 'embedder'],
      [{ dim: DIM + 1 }, 'dim'],
      [{ normalized: false }, 'flags'],
    ];
    for (const [change, reason] of variants) {
      const c = new EmbeddingCache({ path: file, embedderId: ID, dim: DIM, ...change });
      const r = await c.load();
      assert.deepEqual([r.entries, r.reason], [0, reason], JSON.stringify(change));
    }
    const v = Buffer.from(await readFile(file));
    v.writeUInt32LE(2, 8); // schema version
    const { crc32 } = await import('node:zlib');
    const headerLen = 32 + v.readUInt32LE(24);
    v.writeUInt32LE(crc32(v.subarray(0, headerLen - 4)), headerLen - 4);
    await writeFile(file, v);
    assert.equal((await new EmbeddingCache({ path: file, embedderId: ID, dim: DIM }).load()).reason, 'version');
    await w.save();
    const same = new EmbeddingCache({ path: file, embedderId: ID, dim: DIM });
    await same.load();
    assert.ok(same.get('t3'));
    assert.equal(same.get('t3 '), undefined, 'the exact text is the key');
    assert.equal(same.get('T3'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
