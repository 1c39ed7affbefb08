import { readFile } from 'node:fs/promises';
import type { Embedder } from './embedder.js';
import type { FitFeatures } from '../internal/fit-features.js';
import { optInteger, optOneOf } from '../internal/validate.js';
import { SwitchyardError } from '../errors.js';
import { decodeStaticTable, type StaticTable, type StaticTableDtype, type StaticTableMeta } from './static-table-format.js';
import { headSlice } from '../internal/text.js';
import { WordPieceTokenizer } from './wordpiece-tokenizer.js';
import { instantiateSimdKernel, simdKernelModule, type SimdKernelExports } from '../internal/simd-kernel.js';
import type { KernelChoice, KernelKind } from '../router/project-index.js';
import { embedBatchSync } from './sync-batch.js';

const PAGE = 65536;
const align16 = (n: number): number => (n + 15) & ~15;
// ids per call the WebAssembly buffer holds; a text with more tokens takes the JS loop
const WASM_MAX_IDS = 16384;

/** Options of {@link StaticEmbedder}. */
export interface StaticEmbedderOptions {
  /**
   * The bytes of a table file written by the distillation command (`npm run distill:static`).
   * Use {@link StaticEmbedder.load} to read one from disk.
   */
  readonly table: Uint8Array;
  /** Characters embedded at most; longer input is cut (never inside a surrogate pair). @defaultValue 4096 */
  readonly maxChars?: number;
  /**
   * Row-sum kernel: `'wasm'` (WebAssembly SIMD, int8 tables whose width is a multiple of 16),
   * `'js'`, or `'auto'` (wasm when it applies). Results agree to float rounding.
   * @defaultValue 'auto'
   */
  readonly kernel?: KernelChoice;
}

/** The table's int8 rows in WebAssembly memory: [out | ids | scales | codes]. */
interface WasmRows {
  readonly simd: SimdKernelExports;
  readonly out: Float32Array;
  readonly ids: Int32Array;
  readonly codes: Int8Array;
  readonly scales: Float32Array;
  readonly outAt: number;
  readonly idsAt: number;
  readonly scalesAt: number;
  readonly codesAt: number;
}

/**
 * Synchronous embedder over a static token table distilled from a sentence encoder
 * (all-MiniLM-L6-v2 by default, the Model2Vec method): the text is tokenized exactly as the
 * model's WordPiece tokenizer does, each token looks up one stored row (already centred,
 * PCA-reduced and frequency-weighted), and the sentence vector is the L2-normalised sum.
 * It sees meaning the hash embedder cannot ("cancel my card" ≈ "block my credit card") at
 * a few microseconds per prompt, with no model at request time. No allocation in
 * {@link StaticEmbedder.embedInto} for ASCII text.
 *
 * @example
 * ```ts fragment
 * const embedder = await StaticEmbedder.load('minilm-static.swt');
 * const router = await FastProjectRouter.create({ projects, embedder });
 * router.routeSync('auto', 'my card was stolen');
 * ```
 */
export class StaticEmbedder implements Embedder {
  /** `static-v1/<teacher>/<dtype>/d<dim>/<content hash>`: a different table is a different space. */
  readonly id: string;
  /** Vector length (the table's width). */
  readonly dim: number;
  /** Row encoding of the table. */
  readonly dtype: StaticTableDtype;
  /** Provenance and tokenizer settings stored in the table. */
  readonly meta: StaticTableMeta;
  /** Hex sha-256 prefix of the table's vocabulary. */
  readonly vocabHash: string;
  readonly #tokenizer: WordPieceTokenizer;
  readonly #codes: Int8Array | undefined;
  readonly #scales: Float32Array | undefined;
  readonly #values: Float32Array | undefined;
  readonly #maxChars: number;
  readonly #wasm: WasmRows | undefined;
  /** Row-sum kernel in use. */
  readonly kernel: KernelKind;
  /**
   * A fit without `features` learns over this table's vectors plus hashed features: on
   * CLINC150 (all examples) 93.8% vs 92.5% over the table alone and 91.3% over hashed
   * features alone (bench/QUALITY-FIT.md).
   */
  readonly fitFeatures: FitFeatures = 'hybrid';

  /**
   * @param options - see {@link StaticEmbedderOptions}
   * @throws {@link SwitchyardError} `ERR_INVALID_TABLE` for a corrupt, truncated or foreign table;
   * `ERR_INVALID_OPTION` for invalid options.
   */
  constructor(options: StaticEmbedderOptions) {
    if (typeof options !== 'object' || options === null) throw new SwitchyardError('ERR_INVALID_OPTION', 'Expected StaticEmbedder options with a `table`');
    this.#maxChars = optInteger('maxChars', options.maxChars, 4096, 1, 1 << 24);
    const table: StaticTable = decodeStaticTable(options.table);
    this.dim = table.dim;
    this.dtype = table.dtype;
    this.meta = table.meta;
    this.vocabHash = table.vocabHash;
    this.#values = table.values;
    const t = table.meta.tokenizer;
    this.#tokenizer = new WordPieceTokenizer({
      vocab: table.vocab, unkToken: t.unkToken, continuationPrefix: t.continuationPrefix,
      maxWordChars: t.maxWordChars, specialTokens: t.specialTokens,
    });
    const choice = optOneOf('kernel', options.kernel, ['auto', 'wasm', 'js'], 'auto');
    const module = choice === 'js' || table.dtype !== 'int8' || table.dim % 16 !== 0 ? null : simdKernelModule();
    if (choice === 'wasm' && module === null) {
      throw new SwitchyardError('ERR_INVALID_OPTION', "Expected `kernel` 'wasm' to be usable: it needs WebAssembly SIMD and an int8 table whose width is a multiple of 16");
    }
    this.#wasm = module ? StaticEmbedder.#loadWasm(module, table) : undefined;
    this.kernel = this.#wasm ? 'wasm-simd' : 'js';
    // with wasm, the JS fallback (very long texts) reads the same rows in wasm memory: one copy
    this.#codes = this.#wasm ? this.#wasm.codes : table.codes;
    this.#scales = this.#wasm ? this.#wasm.scales : table.scales;
    const teacher = table.meta.teacher.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
    this.id = `static-v1/${teacher}/${table.dtype}/d${table.dim}/${table.contentHash}`;
  }

  static #loadWasm(module: WebAssembly.Module, table: StaticTable): WasmRows {
    const n = table.vocab.length;
    const outAt = 0;
    const idsAt = align16(table.dim * 4);
    const scalesAt = align16(idsAt + WASM_MAX_IDS * 4);
    const codesAt = align16(scalesAt + n * 4);
    const memory = new WebAssembly.Memory({ initial: Math.ceil((codesAt + n * table.dim) / PAGE) });
    const simd = instantiateSimdKernel(module, memory);
    const buf = memory.buffer;
    const scales = new Float32Array(buf, scalesAt, n);
    scales.set(table.scales!);
    const codes = new Int8Array(buf, codesAt, n * table.dim);
    codes.set(table.codes!);
    return { simd, out: new Float32Array(buf, outAt, table.dim), ids: new Int32Array(buf, idsAt, WASM_MAX_IDS), codes, scales, outAt, idsAt, scalesAt, codesAt };
  }

  /**
   * Reads and validates a table file.
   * @param path - file written by the distillation command
   * @param options - the other options
   * @throws {@link SwitchyardError} `ERR_EMBEDDER_UNAVAILABLE` when the file cannot be read;
   * `ERR_INVALID_TABLE` when it is not a valid table.
   */
  static async load(path: string, options: Omit<StaticEmbedderOptions, 'table'> = {}): Promise<StaticEmbedder> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (cause) {
      throw new SwitchyardError('ERR_EMBEDDER_UNAVAILABLE', `Cannot read static token table ${JSON.stringify(path)}`, { cause, details: { path } });
    }
    return new StaticEmbedder({ ...options, table: bytes });
  }

  /** Token ids of `text` as the teacher's tokenizer gives them (no [CLS]/[SEP]). */
  tokenize(text: string): number[] {
    return this.#tokenizer.encode(typeof text === 'string' ? text : '');
  }

  /** Embeds a batch (synchronously under the hood). */
  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return embedBatchSync(this, texts);
  }

  /**
   * Writes the L2-normalised vector of `text` into `out[offset .. offset + dim)`.
   * Text without known tokens (empty, only special or unknown tokens) yields the zero vector.
   */
  embedInto(text: string, out: Float32Array, offset: number): void {
    const dim = this.dim;
    const n = this.#tokenizer.encodeInto(headSlice(typeof text === 'string' ? text : '', this.#maxChars));
    const ids = this.#tokenizer.ids;
    const wasm = this.#wasm;
    const codes = this.#codes;
    if (wasm !== undefined && n <= WASM_MAX_IDS) {
      wasm.ids.set(ids.subarray(0, n));
      wasm.simd.sum_rows_i8(wasm.codesAt, wasm.scalesAt, wasm.idsAt, n, dim, wasm.outAt);
      out.set(wasm.out, offset);
    } else if (codes !== undefined) {
      out.fill(0, offset, offset + dim);
      const scales = this.#scales!;
      for (let t = 0; t < n; t++) {
        const id = ids[t]!;
        const s = scales[id]!;
        if (s === 0) continue;
        const base = id * dim;
        for (let d = 0; d < dim; d++) out[offset + d]! += s * codes[base + d]!;
      }
    } else {
      out.fill(0, offset, offset + dim);
      const values = this.#values!;
      for (let t = 0; t < n; t++) {
        const base = ids[t]! * dim;
        for (let d = 0; d < dim; d++) out[offset + d]! += values[base + d]!;
      }
    }
    let sumsq = 0;
    for (let d = 0; d < dim; d++) sumsq += out[offset + d]! * out[offset + d]!;
    if (sumsq > 0) {
      const inv = 1 / Math.sqrt(sumsq);
      for (let d = 0; d < dim; d++) out[offset + d]! *= inv;
    }
  }
}
