// Binary layout of the learned rows saved beside the embedding cache (little-endian):
//   magic "SWYDFIT\0" (8) | version u32 | dim u32 | rows u32 | metaLen u32 | meta (utf8 JSON)
//   | rows x dim f32 | crc32 u32 (of everything before)
// meta: { fingerprint, paths: [modelPath per row], scale, report }.
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from('SWYDFIT\0', 'latin1');
const VERSION = 1;

/** Learned rows as saved: one row per model path. @internal */
export interface FitFile {
  readonly fingerprint: string;
  readonly dim: number;
  readonly paths: readonly string[];
  /** `paths.length * dim` floats, row-major. */
  readonly rows: Float32Array;
  /** JSON-safe extra data (the fit report). */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** Serialises a {@link FitFile}. @internal */
export function encodeFitFile(f: FitFile): Buffer {
  const meta = Buffer.from(JSON.stringify({ fingerprint: f.fingerprint, paths: f.paths, meta: f.meta }), 'utf8');
  const head = 24 + meta.length;
  const buf = Buffer.alloc(head + f.rows.length * 4 + 4);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(VERSION, 8);
  buf.writeUInt32LE(f.dim, 12);
  buf.writeUInt32LE(f.paths.length, 16);
  buf.writeUInt32LE(meta.length, 20);
  meta.copy(buf, 24);
  for (let i = 0; i < f.rows.length; i++) buf.writeFloatLE(f.rows[i]!, head + i * 4);
  buf.writeUInt32LE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4);
  return buf;
}

/** Parses a fit file; undefined for anything damaged, foreign or of another fingerprint/dim. Never throws. @internal */
export function decodeFitFile(bytes: Uint8Array, fingerprint: string, dim: number): FitFile | undefined {
  try {
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (b.length < 28 || !b.subarray(0, 8).equals(MAGIC) || b.readUInt32LE(8) !== VERSION || b.readUInt32LE(12) !== dim) return undefined;
    if (crc32(b.subarray(0, b.length - 4)) !== b.readUInt32LE(b.length - 4)) return undefined;
    const n = b.readUInt32LE(16);
    const metaLen = b.readUInt32LE(20);
    const head = 24 + metaLen;
    if (b.length !== head + n * dim * 4 + 4) return undefined;
    const parsed = JSON.parse(b.toString('utf8', 24, head)) as { fingerprint?: unknown; paths?: unknown; meta?: unknown };
    if (parsed.fingerprint !== fingerprint || !Array.isArray(parsed.paths) || parsed.paths.length !== n ||
      !parsed.paths.every((p) => typeof p === 'string')) return undefined;
    const rows = new Float32Array(n * dim);
    for (let i = 0; i < rows.length; i++) {
      const x = b.readFloatLE(head + i * 4);
      if (!Number.isFinite(x)) return undefined;
      rows[i] = x;
    }
    const meta = typeof parsed.meta === 'object' && parsed.meta !== null ? (parsed.meta as Record<string, unknown>) : {};
    return { fingerprint, dim, paths: parsed.paths as string[], rows, meta };
  } catch {
    return undefined;
  }
}
