import type { Embedder } from './embedder.js';
import { optInteger, optNumber } from '../internal/validate.js';
import { SwitchyardError } from '../errors.js';
import { FNV_OFFSET, FNV_PRIME, fmix32, isWordCode, normalizeForMatching, headSlice } from '../internal/text.js';
import { embedBatchSync } from './sync-batch.js';

/** Options of {@link HashEmbedder}. All optional. */
export interface HashEmbedderOptions {
  /** Vector length (number of hash buckets). @defaultValue 384 */
  readonly dim?: number;
  /** Shortest character n-gram. @defaultValue 3 */
  readonly minN?: number;
  /** Longest character n-gram (at most 8). @defaultValue 5 */
  readonly maxN?: number;
  /** Integer weight of a word unigram relative to one character n-gram. @defaultValue 2 */
  readonly wordWeight?: number;
  /** Integer weight of a word bigram. @defaultValue 1 */
  readonly bigramWeight?: number;
  /** Integer weight of a character n-gram (0 disables them). @defaultValue 1 */
  readonly charWeight?: number;
  /** Hash seed: embedders with different seeds produce unrelated spaces. @defaultValue 0 */
  readonly seed?: number;
  /** Characters embedded at most; longer input is cut (never inside a surrogate pair). @defaultValue 4096 */
  readonly maxChars?: number;
  /**
   * Words ignored entirely (no word, bigram or character features): `'english'` (a built-in
   * list of ~150 function words), `'none'`, or your own list.
   * @defaultValue 'english'
   */
  readonly stopwords?: 'english' | 'none' | readonly string[];
  /**
   * Per-bucket IDF weights (length `dim`, finite, >= 0), e.g. from {@link HashEmbedder.fitIdf}.
   * @defaultValue undefined (no IDF)
   */
  readonly idf?: Float32Array;
}

const LOG_TABLE_SIZE = 4096;
// 1 + ln(tf) for tf in [1, 4096): sublinear term frequency without Math.log on the hot path.
const SUBLINEAR_TF = (() => {
  const t = new Float32Array(LOG_TABLE_SIZE);
  for (let i = 1; i < LOG_TABLE_SIZE; i++) t[i] = 1 + Math.log(i);
  return t;
})();


/** English function words: they carry no topic, and in hashed features they drown short prompts. */
const ENGLISH_STOPWORDS: readonly string[] = (
  'a about above after again against all am an and any are as at be because been before being below between both but by ' +
  'can could did do does doing down during each few for from further had has have having he her here hers herself him ' +
  'himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other ' +
  'our ours ourselves out over own same she should so some such than that the their theirs them themselves then there ' +
  'these they this those through to too under until up very was we were what when where which while who whom why will ' +
  'with would you your yours yourself yourselves im ive id dont doesnt didnt cant wont isnt arent wasnt please hi hello ' +
  'thanks thank ok okay yes also get got want need help tell give make know like one much many way may might must shall ' +
  'us let lets us via etc'
).split(' ');

/** Open-addressing set of 32-bit word hashes (0 is stored as a flag). */
function buildSet(hashes: readonly number[]): Int32Array {
  let size = 16;
  while (size < hashes.length * 4) size *= 2;
  const table = new Int32Array(size + 1); // last slot: "contains 0"
  for (const h of hashes) {
    if (h === 0) { table[size] = 1; continue; }
    let k = fmix32(h) & (size - 1);
    while (table[k] !== 0 && table[k] !== h) k = (k + 1) & (size - 1);
    table[k] = h;
  }
  return table;
}

function setHas(table: Int32Array, h: number): boolean {
  const size = table.length - 1;
  if (h === 0) return table[size] === 1;
  let k = fmix32(h) & (size - 1);
  for (;;) {
    const v = table[k]!;
    if (v === h) return true;
    if (v === 0) return false;
    k = (k + 1) & (size - 1);
  }
}


/** FNV-1a over 32-bit hashes: stable id fragment for an IDF table. */
function hashFloats(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let h = FNV_OFFSET;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return (h >>> 0).toString(16).padStart(8, '0');
}




/**
 * Synchronous, model-free embedder: after NFKC + lower-casing and dropping stopwords, signed
 * feature hashing of word unigrams, word bigrams and boundary-padded character n-grams of
 * each word (default 3–5), sublinear term frequency, optional IDF, L2 normalisation.
 * About 15 ns per input character; no allocation in {@link HashEmbedder.embedInto}.
 *
 * @example
 * ```ts
 * const embedder = new HashEmbedder({ dim: 384 });
 * const [v] = await embedder.embed(['route me to the llama expert']);
 * ```
 */
export class HashEmbedder implements Embedder {
  /** Encodes every parameter, e.g. `hash-v2/d384/n3-5/w2.1.1/s0/stop-en1/idf-none`. */
  readonly id: string;
  /** Vector length. */
  readonly dim: number;
  readonly #minN: number;
  readonly #maxN: number;
  readonly #wordWeight: number;
  readonly #bigramWeight: number;
  readonly #charWeight: number;
  readonly #seed: number;
  readonly #maxChars: number;
  readonly #idf: Float32Array | undefined;
  readonly #stop: Int32Array | undefined;
  readonly #acc: Int32Array;
  /** Bitmap of the buckets written since the last embedInto, so sparse texts skip most of the O(dim) scan. */
  readonly #touched: Int32Array;
  readonly #options: HashEmbedderOptions;

  /**
   * @param options - see {@link HashEmbedderOptions}
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION` for invalid options.
   */
  constructor(options: HashEmbedderOptions = {}) {
    this.dim = optInteger('dim', options.dim, 384, 1, 65_535);
    this.#minN = optInteger('minN', options.minN, 3, 1, 8);
    this.#maxN = optInteger('maxN', options.maxN, 5, this.#minN, 8);
    this.#wordWeight = optInteger('wordWeight', options.wordWeight, 2, 0, 64);
    this.#bigramWeight = optInteger('bigramWeight', options.bigramWeight, 1, 0, 64);
    this.#charWeight = optInteger('charWeight', options.charWeight, 1, 0, 64);
    this.#seed = optInteger('seed', options.seed, 0, 0, 0xffffffff);
    this.#maxChars = optInteger('maxChars', options.maxChars, 4096, 1, 1 << 24);
    if (options.idf !== undefined) {
      const idf = options.idf as unknown;
      if (!(idf instanceof Float32Array) || idf.length !== this.dim) {
        throw new SwitchyardError('ERR_INVALID_OPTION', `Expected \`idf\` to be a Float32Array of length ${this.dim}`);
      }
      for (let i = 0; i < idf.length; i++) optNumber(`idf[${i}]`, idf[i], 0, 0);
      this.#idf = Float32Array.from(idf);
    }
    this.#acc = new Int32Array(this.dim);
    this.#touched = new Int32Array(Math.ceil(this.dim / 32));
    this.#options = { ...options };
    const stop = options.stopwords ?? 'english';
    let stopTag: string;
    if (stop === 'none') stopTag = 'stop-none';
    else if (stop === 'english') stopTag = 'stop-en1';
    else if (Array.isArray(stop) && stop.every((w) => typeof w === 'string')) stopTag = '';
    else throw new SwitchyardError('ERR_INVALID_OPTION', "Expected `stopwords` to be 'english', 'none' or an array of strings");
    if (stop !== 'none') {
      const words = stop === 'english' ? ENGLISH_STOPWORDS : (stop as readonly string[]);
      const hashes = words.map((w) => {
        let h = FNV_OFFSET ^ this.#seed;
        const t = normalizeForMatching(w);
        for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), FNV_PRIME);
        return h;
      });
      this.#stop = buildSet(hashes);
      if (!stopTag) stopTag = `stop-${hashFloats(new Float32Array(Int32Array.from(hashes).buffer))}`;
    }
    const idfTag = this.#idf ? `idf-${hashFloats(this.#idf)}` : 'idf-none';
    this.id = `hash-v2/d${this.dim}/n${this.#minN}-${this.#maxN}/w${this.#wordWeight}.${this.#bigramWeight}.${this.#charWeight}/s${this.#seed}/${stopTag}/${idfTag}`;
  }

  /**
   * Returns a new embedder with IDF weights fitted on `texts` (e.g. the projects' own texts):
   * `idf[b] = ln((1 + N) / (1 + df[b])) + 1`, where `df[b]` counts texts that hit bucket `b`.
   * @param texts - corpus to fit on
   * @param options - embedder options (its `idf` is replaced)
   */
  static fitIdf(texts: readonly string[], options: HashEmbedderOptions = {}): HashEmbedder {
    const base = new HashEmbedder({ ...options, idf: undefined as unknown as Float32Array });
    const df = new Uint32Array(base.dim);
    for (const t of texts) {
      base.#accumulate(typeof t === 'string' ? t : '');
      const acc = base.#acc;
      for (let b = 0; b < acc.length; b++) if (acc[b] !== 0) df[b]!++;
      acc.fill(0);
    }
    const idf = new Float32Array(base.dim);
    for (let b = 0; b < idf.length; b++) idf[b] = Math.log((1 + texts.length) / (1 + df[b]!)) + 1;
    return new HashEmbedder({ ...options, idf });
  }

  /** Options this embedder was built with (IDF table included when present). */
  get options(): HashEmbedderOptions {
    return this.#idf ? { ...this.#options, idf: Float32Array.from(this.#idf) } : { ...this.#options };
  }

  /** Embeds a batch (synchronously under the hood). */
  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return embedBatchSync(this, texts);
  }

  /**
   * Writes the L2-normalised vector of `text` into `out[offset .. offset + dim)`.
   * Text with no features (empty, only punctuation) yields the zero vector.
   */
  embedInto(text: string, out: Float32Array, offset: number): void {
    this.#accumulate(text);
    const acc = this.#acc;
    const idf = this.#idf;
    const dim = this.dim;
    const bits = this.#touched;
    let sumsq = 0;
    // visit only the touched buckets, in ascending order (the summation order of a dense scan,
    // so the vector is bit-identical to one): a short prompt touches ~100 of 2,048 buckets
    out.fill(0, offset, offset + dim);
    for (let w = 0; w < bits.length; w++) {
      let m = bits[w]!;
      if (m === 0) continue;
      bits[w] = 0;
      while (m !== 0) {
        const low = m & -m;
        const b = (w << 5) + 31 - Math.clz32(low);
        m ^= low;
        const v = acc[b]!;
        if (v === 0) continue;
        const a = v < 0 ? -v : v;
        let x = a < LOG_TABLE_SIZE ? SUBLINEAR_TF[a]! : 1 + Math.log(a);
        if (v < 0) x = -x;
        if (idf !== undefined) x *= idf[b]!;
        acc[b] = 0;
        out[offset + b] = x;
        sumsq += x * x;
      }
    }
    if (sumsq > 0) {
      const inv = 1 / Math.sqrt(sumsq);
      for (let b = 0; b < dim; b++) out[offset + b]! *= inv;
    }
  }

  /** Adds `w` to bucket `b` and marks it touched. */
  #add(b: number, w: number): void {
    this.#touched[b >>> 5]! |= 1 << (b & 31);
    this.#acc[b]! += w;
  }

  /** Adds the signed feature counts of `text` into #acc, one word at a time. */
  #accumulate(raw: string): void {
    const text = normalizeForMatching(headSlice(raw, this.#maxChars));
    const dim = this.dim;
    const seed = this.#seed;
    const minN = this.#minN;
    const maxN = this.#maxN;
    const cw = this.#charWeight;
    const ww = this.#wordWeight;
    const bw = this.#bigramWeight;
    const stop = this.#stop;
    const n = text.length;
    let prevWord = 0;
    let hasPrev = false;
    let i = 0;
    while (i < n) {
      while (i < n && !isWordCode(text.charCodeAt(i))) i++;
      if (i >= n) break;
      const start = i;
      let wordHash = FNV_OFFSET ^ seed;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (!isWordCode(c)) break;
        wordHash = Math.imul(wordHash ^ c, FNV_PRIME);
      }
      if (stop !== undefined && setHas(stop, wordHash)) continue;
      const wh = fmix32(wordHash);
      if (ww !== 0) {
        const h = fmix32(wh ^ 0x9e3779b9);
        this.#add(((h >>> 16) * dim) >>> 16, (h & 1) === 0 ? ww : -ww);
      }
      if (bw !== 0 && hasPrev) {
        const h = fmix32(Math.imul(prevWord, 0x2c1b3c6d) ^ wh ^ 0x7f4a7c15);
        this.#add(((h >>> 16) * dim) >>> 16, (h & 1) === 0 ? bw : -bw);
      }
      prevWord = wh;
      hasPrev = true;
      if (cw === 0) continue;
      // character n-grams of " word " (boundary-padded), lengths minN..maxN, hashed
      // newest-first so each longer gram extends the previous hash by one code unit
      let r0 = 32, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0;
      let filled = 1;
      const base = FNV_OFFSET ^ seed;
      for (let q = start; q <= i; q++) {
        const c = q < i ? text.charCodeAt(q) : 32;
        r7 = r6; r6 = r5; r5 = r4; r4 = r3; r3 = r2; r2 = r1; r1 = r0; r0 = c;
        filled++;
        let h = Math.imul(base ^ r0, FNV_PRIME);
        let f: number;
        if (minN === 1) { f = fmix32(h ^ 1); this.#add(((f >>> 16) * dim) >>> 16, (f & 1) === 0 ? cw : -cw); }
        if (maxN < 2 || filled < 2) continue;
        h = Math.imul(h ^ r1, FNV_PRIME);
        if (minN <= 2) { f = fmix32(h ^ 2); this.#add(((f >>> 16) * dim) >>> 16, (f & 1) === 0 ? cw : -cw); }
        if (maxN < 3 || filled < 3) continue;
        h = Math.imul(h ^ r2, FNV_PRIME);
        if (minN <= 3) { f = fmix32(h ^ 3); this.#add(((f >>> 16) * dim) >>> 16, (f & 1) === 0 ? cw : -cw); }
        if (maxN < 4 || filled < 4) continue;
        h = Math.imul(h ^ r3, FNV_PRIME);
        if (minN <= 4) { f = fmix32(h ^ 4); this.#add(((f >>> 16) * dim) >>> 16, (f & 1) === 0 ? cw : -cw); }
        if (maxN < 5 || filled < 5) continue;
        h = Math.imul(h ^ r4, FNV_PRIME);
        if (minN <= 5) { f = fmix32(h ^ 5); this.#add(((f >>> 16) * dim) >>> 16, (f & 1) === 0 ? cw : -cw); }
        if (maxN < 6 || filled < 6) continue;
        h = Math.imul(h ^ r5, FNV_PRIME);
        if (minN <= 6) { f = fmix32(h ^ 6); this.#add(((f >>> 16) * dim) >>> 16, (f & 1) === 0 ? cw : -cw); }
        if (maxN < 7 || filled < 7) continue;
        h = Math.imul(h ^ r6, FNV_PRIME);
        if (minN <= 7) { f = fmix32(h ^ 7); this.#add(((f >>> 16) * dim) >>> 16, (f & 1) === 0 ? cw : -cw); }
        if (maxN < 8 || filled < 8) continue;
        h = Math.imul(h ^ r7, FNV_PRIME);
        f = fmix32(h ^ 8);
        this.#add(((f >>> 16) * dim) >>> 16, (f & 1) === 0 ? cw : -cw);
      }
    }
  }
}
