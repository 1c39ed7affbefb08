// Binary layout of the embedding cache (little-endian), kept apart from the file I/O so it
// can be tested on bytes directly.
//
//   header:  magic "SWYDEMB\0" (8) | version u32 | dim u32 | flags u32 | count u32 | idLen u32 | id (utf8) | crc32 u32
//   records: key (16 bytes: sha-256 of the text, truncated) | dim x f32 | crc32 u32 (of key + vector)
//
// Records are fixed-size, so a damaged record never hides the ones after it; the record count
// in the header makes a file cut exactly at a record boundary detectable.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from('SWYDEMB\0', 'latin1');
/** Format version; a file with another version is a miss (recomputed). @internal */
export const CACHE_FORMAT_VERSION = 1;
/** Bit 0 of the header flags: vectors are L2-normalised. @internal */
export const FLAG_NORMALIZED = 1;
const KEY_BYTES = 16;
const MAX_ID_BYTES = 4096;

/** Why (part of) a cache file was not used. */
export type CacheRejectReason = 'header' | 'version' | 'embedder' | 'dim' | 'flags' | 'truncated' | 'trailing-bytes' | 'checksum' | 'non-finite';

/** Result of {@link decodeCache}. @internal */
export interface DecodedCache {
  readonly entries: Map<string, Float32Array>;
  /** Records dropped (missing or damaged; trailing bytes count as one). */
  readonly dropped: number;
  /** Set when the whole file or some records were rejected; the first reason seen. */
  readonly reason: CacheRejectReason | undefined;
}

/** Cache key of a text: hex of the first 16 bytes of its sha-256. @internal */
export function cacheKey(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, KEY_BYTES * 2);
}

/** Serialises entries (key → vector of length `dim`). @internal */
export function encodeCache(embedderId: string, dim: number, flags: number, entries: ReadonlyMap<string, Float32Array>): Buffer {
  const id = Buffer.from(embedderId, 'utf8');
  const headerLen = 28 + id.length + 4;
  const recLen = KEY_BYTES + dim * 4 + 4;
  const buf = Buffer.alloc(headerLen + entries.size * recLen);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(CACHE_FORMAT_VERSION, 8);
  buf.writeUInt32LE(dim, 12);
  buf.writeUInt32LE(flags, 16);
  buf.writeUInt32LE(entries.size, 20);
  buf.writeUInt32LE(id.length, 24);
  id.copy(buf, 28);
  buf.writeUInt32LE(crc32(buf.subarray(0, headerLen - 4)), headerLen - 4);
  let o = headerLen;
  for (const [key, vec] of entries) {
    buf.write(key, o, KEY_BYTES, 'hex');
    for (let d = 0; d < dim; d++) buf.writeFloatLE(vec[d]!, o + KEY_BYTES + d * 4);
    buf.writeUInt32LE(crc32(buf.subarray(o, o + recLen - 4)), o + recLen - 4);
    o += recLen;
  }
  return buf;
}

/**
 * Parses a cache file. Never throws: a bad header (or another embedder id, dim, flags or
 * version) makes the whole file a miss; bad records are dropped one by one.
 * @internal
 */
export function decodeCache(buf: Uint8Array, embedderId: string, dim: number, flags: number): DecodedCache {
  const entries = new Map<string, Float32Array>();
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const miss = (reason: CacheRejectReason): DecodedCache => ({ entries, dropped: 0, reason });
  if (b.length < 32 || !b.subarray(0, 8).equals(MAGIC)) return miss('header');
  const idLen = b.readUInt32LE(24);
  if (idLen > MAX_ID_BYTES || b.length < 32 + idLen) return miss('header');
  const headerLen = 32 + idLen;
  if (crc32(b.subarray(0, headerLen - 4)) !== b.readUInt32LE(headerLen - 4)) return miss('header');
  if (b.readUInt32LE(8) !== CACHE_FORMAT_VERSION) return miss('version');
  if (b.toString('utf8', 28, 28 + idLen) !== embedderId) return miss('embedder');
  if (b.readUInt32LE(12) !== dim) return miss('dim');
  if (b.readUInt32LE(16) !== flags) return miss('flags');
  const recLen = KEY_BYTES + dim * 4 + 4;
  let dropped = 0;
  let reason: CacheRejectReason | undefined;
  const count = b.readUInt32LE(20);
  let o = headerLen;
  let seen = 0;
  for (; seen < count && o + recLen <= b.length; o += recLen, seen++) {
    if (crc32(b.subarray(o, o + recLen - 4)) !== b.readUInt32LE(o + recLen - 4)) { dropped++; reason ??= 'checksum'; continue; }
    const vec = new Float32Array(dim);
    let finite = true;
    for (let d = 0; d < dim; d++) {
      const x = b.readFloatLE(o + KEY_BYTES + d * 4);
      if (!Number.isFinite(x)) { finite = false; break; }
      vec[d] = x;
    }
    if (!finite) { dropped++; reason ??= 'non-finite'; continue; }
    entries.set(b.toString('hex', o, o + KEY_BYTES), vec);
  }
  if (seen < count) { dropped += count - seen; reason ??= 'truncated'; }
  else if (o < b.length) { dropped++; reason ??= 'trailing-bytes'; }
  return { entries, dropped, reason };
}
