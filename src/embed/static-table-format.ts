// Binary layout of a static token table (little-endian), kept apart from the embedder so it
// can be tested on bytes directly.
//
//   header (64 bytes): magic "SWYDSTT\0" (8) | version u32 | dtype u32 (1 int8, 2 f16) | dim u32 |
//                      rows u32 | vocabBytes u32 | metaBytes u32 | vocab sha-256, first 16 bytes |
//                      reserved (12, zero) | crc32 of bytes 0..60 u32
//   body:  vocab (utf8, tokens joined by "\n", in id order) | meta (utf8 JSON) | zero pad to 4 |
//          int8 only: one f32 scale per row | rows x dim (int8, or f16 bits) | zero pad to 4
//   trailer: crc32 u32 of everything before it
//
// Every length is checked against the file size before it is used, so a truncated, padded or
// foreign file is rejected with a reason instead of being read out of bounds.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { SwitchyardError } from '../errors.js';

const MAGIC = 'SWYDSTT\0';
const HEADER_BYTES = 64;
/** Format version written by {@link encodeStaticTable}. @internal */
export const STATIC_TABLE_VERSION = 1;
const MAX_DIM = 4096;
const MAX_ROWS = 1 << 20;
const MAX_META_BYTES = 1 << 16;

/** Row encodings. `int8`: one f32 scale per row times int8 codes; `f16`: IEEE half floats. */
export type StaticTableDtype = 'int8' | 'f16';

/** Why a table file was rejected (in `details.reason` of `ERR_INVALID_TABLE`). */
export type StaticTableRejectReason = 'header' | 'version' | 'dtype' | 'size' | 'checksum' | 'vocab' | 'meta' | 'non-finite';

/** Tokenizer settings stored in a table; the static embedder supports BERT uncased WordPiece only. */
export interface StaticTableTokenizer {
  /** Always `'bert-wordpiece-uncased'` (lower-case, accents stripped, CJK split). */
  readonly type: 'bert-wordpiece-uncased';
  /** Unknown token. */
  readonly unkToken: string;
  /** Prefix of continuation pieces. */
  readonly continuationPrefix: string;
  /** Longer words (in code points) become the unknown token. */
  readonly maxWordChars: number;
  /** Tokens matched verbatim in raw text. */
  readonly specialTokens: readonly string[];
}

/** Provenance and tokenizer settings stored in a table (JSON in the file). */
export interface StaticTableMeta {
  /** Tokenizer the table's vocabulary belongs to. */
  readonly tokenizer: StaticTableTokenizer;
  /** Model the rows were distilled from, e.g. `sentence-transformers/all-MiniLM-L6-v2`. */
  readonly teacher: string;
  /** How rows were weighted before storing (e.g. `sif-1e-3`, `zipf`, `none`). */
  readonly weighting: string;
  /** Width before PCA, or 0 when no PCA was applied. */
  readonly pcaFrom: number;
  /** The mean row was removed before PCA and weighting. */
  readonly centred: boolean;
}

/** A decoded table. Rows are final: weighted, so a sentence vector is the L2-normalised sum of its tokens' rows. @internal */
export interface StaticTable {
  readonly dtype: StaticTableDtype;
  readonly dim: number;
  /** Token strings in id order. */
  readonly vocab: readonly string[];
  readonly meta: StaticTableMeta;
  /** Hex of the first 16 bytes of the sha-256 of the vocabulary blob. */
  readonly vocabHash: string;
  /** Hex of the first 8 bytes of the sha-256 of the whole file: names the embedding space. */
  readonly contentHash: string;
  /** int8: `rows x dim` codes; f16: undefined. */
  readonly codes: Int8Array | undefined;
  /** int8: per-row scale. */
  readonly scales: Float32Array | undefined;
  /** f16: rows widened to f32 at load. */
  readonly values: Float32Array | undefined;
}

function reject(reason: StaticTableRejectReason, message: string): never {
  throw new SwitchyardError('ERR_INVALID_TABLE', `Static token table rejected (${reason}): ${message}`, { details: { reason } });
}

const pad4 = (n: number): number => (n + 3) & ~3;

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** f32 → f16 bits, round to nearest even. */
function toHalf(x: number): number {
  F32[0] = x;
  const bits = U32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const e = (bits >>> 23) & 0xff;
  let m = bits & 0x7fffff;
  if (e === 0xff) return sign | 0x7c00 | (m ? 0x200 : 0);
  const exp = e - 127 + 15;
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    m |= 0x800000;
    const shift = 14 - exp;
    let half = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) !== 0)) half++;
    return sign | half;
  }
  let half = (exp << 10) | (m >>> 13);
  const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) !== 0)) half++; // a carry rolls into the exponent, as it should
  return sign | half;
}

let halfTable: Float32Array | undefined;
/** f16 bits → f32 for all 65536 patterns (NaN/Infinity included; callers reject them). */
function halfToFloat(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    t[h] = exp === 0 ? sign * mant * 2 ** -24 : exp === 31 ? (mant ? NaN : sign * Infinity) : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  halfTable = t;
  return t;
}

/**
 * Serialises a table: `rows` is `vocab.length x dim` f32, row-major, already centred/reduced/weighted.
 * @throws {@link SwitchyardError} `ERR_INVALID_OPTION` for inconsistent input.
 * @internal
 */
export function encodeStaticTable(vocab: readonly string[], rows: Float32Array, dim: number, dtype: StaticTableDtype, meta: StaticTableMeta): Uint8Array {
  if (!Number.isInteger(dim) || dim < 1 || dim > MAX_DIM) throw new SwitchyardError('ERR_INVALID_OPTION', `Expected \`dim\` in 1..${MAX_DIM}, got ${dim}`);
  if (vocab.length < 1 || vocab.length > MAX_ROWS || rows.length !== vocab.length * dim) {
    throw new SwitchyardError('ERR_INVALID_OPTION', `Expected ${vocab.length} x ${dim} rows, got ${rows.length} values`);
  }
  if (vocab.some((t) => t.includes('\n'))) throw new SwitchyardError('ERR_INVALID_OPTION', 'Vocabulary tokens must not contain "\\n"');
  for (let i = 0; i < rows.length; i++) if (!Number.isFinite(rows[i]!)) throw new SwitchyardError('ERR_INVALID_OPTION', `Row value ${i} is not finite`);
  const vocabBytes = Buffer.from(vocab.join('\n'), 'utf8');
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  if (metaBytes.length > MAX_META_BYTES) throw new SwitchyardError('ERR_INVALID_OPTION', 'Table metadata too large');
  const n = vocab.length;
  const scalesAt = pad4(HEADER_BYTES + vocabBytes.length + metaBytes.length);
  const dataAt = scalesAt + (dtype === 'int8' ? n * 4 : 0);
  const dataBytes = n * dim * (dtype === 'int8' ? 1 : 2);
  const trailerAt = pad4(dataAt + dataBytes);
  const buf = Buffer.alloc(trailerAt + 4);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(STATIC_TABLE_VERSION, 8);
  buf.writeUInt32LE(dtype === 'int8' ? 1 : 2, 12);
  buf.writeUInt32LE(dim, 16);
  buf.writeUInt32LE(n, 20);
  buf.writeUInt32LE(vocabBytes.length, 24);
  buf.writeUInt32LE(metaBytes.length, 28);
  createHash('sha256').update(vocabBytes).digest().copy(buf, 32, 0, 16);
  buf.writeUInt32LE(crc32(buf.subarray(0, 60)), 60);
  vocabBytes.copy(buf, HEADER_BYTES);
  metaBytes.copy(buf, HEADER_BYTES + vocabBytes.length);
  for (let r = 0; r < n; r++) {
    if (dtype === 'int8') {
      let max = 0;
      for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(rows[r * dim + d]!));
      const scale = max / 127;
      buf.writeFloatLE(scale, scalesAt + r * 4);
      for (let d = 0; d < dim; d++) buf.writeInt8(scale > 0 ? Math.round(rows[r * dim + d]! / scale) : 0, dataAt + r * dim + d);
    } else {
      for (let d = 0; d < dim; d++) buf.writeUInt16LE(toHalf(rows[r * dim + d]!), dataAt + (r * dim + d) * 2);
    }
  }
  buf.writeUInt32LE(crc32(buf.subarray(0, trailerAt)), trailerAt);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function parseMeta(text: string): StaticTableMeta {
  let m: unknown;
  try { m = JSON.parse(text); } catch { reject('meta', 'metadata is not JSON'); }
  const o = m as Record<string, unknown> | null;
  const t = (o && typeof o === 'object' ? o['tokenizer'] : undefined) as Record<string, unknown> | undefined;
  if (!o || typeof o !== 'object' || !t || typeof t !== 'object') reject('meta', 'metadata has no tokenizer section');
  if (t['type'] !== 'bert-wordpiece-uncased') reject('meta', `unsupported tokenizer ${JSON.stringify(t['type'])}`);
  const specials = t['specialTokens'];
  if (typeof t['unkToken'] !== 'string' || typeof t['continuationPrefix'] !== 'string' || t['continuationPrefix'] === '' ||
    !Number.isInteger(t['maxWordChars']) || (t['maxWordChars'] as number) < 1 ||
    !Array.isArray(specials) || !specials.every((s) => typeof s === 'string' && s.length > 0)) {
    reject('meta', 'tokenizer settings are incomplete');
  }
  if (typeof o['teacher'] !== 'string' || typeof o['weighting'] !== 'string' || !Number.isInteger(o['pcaFrom']) || typeof o['centred'] !== 'boolean') {
    reject('meta', 'provenance fields are incomplete');
  }
  return {
    tokenizer: {
      type: 'bert-wordpiece-uncased',
      unkToken: t['unkToken'] as string,
      continuationPrefix: t['continuationPrefix'] as string,
      maxWordChars: t['maxWordChars'] as number,
      specialTokens: [...(specials as string[])],
    },
    teacher: o['teacher'] as string,
    weighting: o['weighting'] as string,
    pcaFrom: o['pcaFrom'] as number,
    centred: o['centred'] as boolean,
  };
}

/**
 * Parses and validates a table file.
 * @throws {@link SwitchyardError} `ERR_INVALID_TABLE` with `details.reason` ({@link StaticTableRejectReason}).
 * @internal
 */
export function decodeStaticTable(bytes: Uint8Array): StaticTable {
  if (!(bytes instanceof Uint8Array)) reject('header', 'expected the bytes of a table file');
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < HEADER_BYTES + 4 || b.toString('latin1', 0, 8) !== MAGIC) reject('header', 'not a static token table (magic)');
  if (crc32(b.subarray(0, 60)) !== b.readUInt32LE(60)) reject('header', 'header checksum mismatch');
  const version = b.readUInt32LE(8);
  if (version !== STATIC_TABLE_VERSION) reject('version', `format version ${version}, this build reads ${STATIC_TABLE_VERSION}`);
  const dtypeCode = b.readUInt32LE(12);
  if (dtypeCode !== 1 && dtypeCode !== 2) reject('dtype', `unknown row encoding ${dtypeCode}`);
  const dtype: StaticTableDtype = dtypeCode === 1 ? 'int8' : 'f16';
  const dim = b.readUInt32LE(16);
  const n = b.readUInt32LE(20);
  const vocabLen = b.readUInt32LE(24);
  const metaLen = b.readUInt32LE(28);
  if (dim < 1 || dim > MAX_DIM || n < 1 || n > MAX_ROWS || metaLen > MAX_META_BYTES) reject('header', 'dimensions out of range');
  const scalesAt = pad4(HEADER_BYTES + vocabLen + metaLen);
  const dataAt = scalesAt + (dtype === 'int8' ? n * 4 : 0);
  const trailerAt = pad4(dataAt + n * dim * (dtype === 'int8' ? 1 : 2));
  if (b.length !== trailerAt + 4) reject('size', `expected ${trailerAt + 4} bytes, got ${b.length}`);
  if (crc32(b.subarray(0, trailerAt)) !== b.readUInt32LE(trailerAt)) reject('checksum', 'content checksum mismatch');
  const vocabBlob = b.subarray(HEADER_BYTES, HEADER_BYTES + vocabLen);
  const vocabHash = createHash('sha256').update(vocabBlob).digest().subarray(0, 16);
  if (!vocabHash.equals(b.subarray(32, 48))) reject('vocab', 'vocabulary hash mismatch');
  const vocab = vocabBlob.toString('utf8').split('\n');
  if (vocab.length !== n) reject('vocab', `${vocab.length} tokens for ${n} rows`);
  const meta = parseMeta(b.toString('utf8', HEADER_BYTES + vocabLen, HEADER_BYTES + vocabLen + metaLen));
  if (!vocab.includes(meta.tokenizer.unkToken)) reject('vocab', 'the unknown token is not in the vocabulary');
  let codes: Int8Array | undefined;
  let scales: Float32Array | undefined;
  let values: Float32Array | undefined;
  if (dtype === 'int8') {
    scales = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      const s = b.readFloatLE(scalesAt + r * 4);
      if (!Number.isFinite(s) || s < 0) reject('non-finite', `row ${r} has scale ${s}`);
      scales[r] = s;
    }
    codes = new Int8Array(n * dim);
    codes.set(new Int8Array(b.buffer, b.byteOffset + dataAt, n * dim));
  } else {
    const lut = halfToFloat();
    values = new Float32Array(n * dim);
    for (let i = 0; i < values.length; i++) {
      const h = b.readUInt16LE(dataAt + i * 2);
      if ((h & 0x7c00) === 0x7c00) reject('non-finite', `value ${i} is not finite`);
      values[i] = lut[h]!;
    }
  }
  return {
    dtype, dim, vocab, meta,
    vocabHash: vocabHash.toString('hex'),
    contentHash: createHash('sha256').update(b).digest('hex').slice(0, 16),
    codes, scales, values,
  };
}
