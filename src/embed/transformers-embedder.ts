/**
 * `switchyard/transformers`: {@link TransformersEmbedder}, all-MiniLM-L6-v2 (or any BERT-style
 * sentence encoder in transformers.js layout) through the optional peer dependency
 * `@huggingface/transformers`, which is imported lazily here and nowhere else.
 * @packageDocumentation
 */
import { emitRenamed } from '../internal/renamed-event.js';
import { EventEmitter } from 'eventemitter3';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Embedder } from './embedder.js';
import { SwitchyardError, describeValue, invalidOption } from '../errors.js';
import { isPlainObject, optBoolean, optInteger, optOneOf, optString } from '../internal/validate.js';
import { meanPoolNormalize } from './mean-pool.js';
import { endTokenOf, restoreEndToken } from './restore-end-token.js';

/** Package the MiniLM embedder loads lazily (never from the core entry). */
export const TRANSFORMERS_PACKAGE: string = '@huggingface/transformers';

/** Install command named by `ERR_EMBEDDER_UNAVAILABLE`. */
export const TRANSFORMERS_INSTALL_COMMAND: string = 'ONNXRUNTIME_NODE_INSTALL=skip npm i @huggingface/transformers';

/** Weight precisions of transformers.js; each maps to an ONNX file suffix (`q8` → `model_quantized.onnx`, `fp32` → `model.onnx`). */
export type TransformersDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'bnb4' | 'q4f16';

const DTYPES: readonly TransformersDtype[] = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4', 'q4f16'];

/** One model-loading progress report (from transformers.js `progress_callback`, normalised). */
export interface TransformersProgressEvent {
  /** `'initiate'` / `'download'` / `'progress'` / `'done'` per file, `'progress_total'` over all files, `'ready'` once. */
  readonly status: 'initiate' | 'download' | 'progress' | 'progress_total' | 'done' | 'ready';
  /** Model id or folder being loaded. */
  readonly model: string;
  /** File within the model (absent for `'progress_total'` and `'ready'`). */
  readonly file: string | undefined;
  /** Bytes loaded so far (for `'progress'` and `'progress_total'`). */
  readonly loaded: number | undefined;
  /** Total bytes (for `'progress'` and `'progress_total'`). */
  readonly total: number | undefined;
  /** Percent 0–100 (for `'progress'` and `'progress_total'`). */
  readonly progress: number | undefined;
}

/** Payload of `embedder:loaded`. */
export interface TransformersLoadedEvent {
  /** Model id or folder loaded. */
  readonly model: string;
  /** Load time in milliseconds. */
  readonly ms: number;
}

/** Events of {@link TransformersEmbedder}. */
export interface TransformersEmbedderEvents {
  /** Model loading progress (files, bytes), e.g. for a progress bar. */
  'embedder:progress': [event: TransformersProgressEvent];
  /** The model finished loading; `ms` is the load time. */
  'embedder:loaded': [event: TransformersLoadedEvent];
  /** @deprecated Use `embedder:loaded`; this old name fires right after it, with the same payload. Removed in 0.3.0. */
  'embedder:ready': [event: TransformersLoadedEvent];
}

/** @deprecated Use {@link TransformersLoadedEvent}. Removed in 0.3.0. */
export type TransformersReadyEvent = TransformersLoadedEvent;

/**
 * The part of `@huggingface/transformers` this embedder uses. It exists so tests can stand
 * in a module that fails to load (see `TransformersEmbedderOptions.loadModule`).
 * @internal
 */
export interface TransformersModule {
  /** `pipeline(task, model, options)`. */
  readonly pipeline: (task: 'feature-extraction', model: string, options: Record<string, unknown>) => Promise<unknown>;
  /** The process-global settings object. */
  readonly env: object;
}

/** Options of {@link TransformersEmbedder}. All optional. */
export interface TransformersEmbedderOptions {
  /** Hugging Face model id (also names the embedding space in {@link TransformersEmbedder.id}). @defaultValue 'Xenova/all-MiniLM-L6-v2' */
  readonly model?: string;
  /**
   * A local folder holding the model (`config.json`, `tokenizer.json`, `tokenizer_config.json`,
   * `onnx/model_quantized.onnx` for `q8`). When set, loading reads this folder and nothing else.
   * @defaultValue undefined (resolve `model` under `localModelPath`, then, only if allowed, the Hub)
   */
  readonly modelPath?: string;
  /**
   * Root folder for model ids (`<root>/<org>/<name>/...`). Sets transformers.js' process-global
   * `env.localModelPath`, the only global this embedder touches and only when given.
   * @defaultValue undefined (transformers.js' own default)
   */
  readonly localModelPath?: string;
  /** Weight precision (selects the ONNX file). @defaultValue 'q8' */
  readonly dtype?: TransformersDtype;
  /** Model revision (branch, tag or commit) on the Hub. @defaultValue 'main' */
  readonly revision?: string;
  /**
   * Allow downloading missing files from the Hub. Off by default: a library must not reach
   * the network silently. Passed per call (`local_files_only`), never through the global `env`.
   * @defaultValue false
   */
  readonly allowRemoteModels?: boolean;
  /**
   * Download cache folder, passed per call (`cache_dir`).
   * @defaultValue `~/.cache/switchyard/transformers` when `allowRemoteModels` is true, else unused
   */
  readonly cacheDir?: string;
  /** Texts per model call; `embed()` splits larger inputs. @defaultValue 32 */
  readonly maxBatchSize?: number;
  /**
   * Word pieces per text, special tokens included (MiniLM was trained on 256). Longer input is
   * truncated as the Python tokenizers do it: the text is cut and the closing `[SEP]` kept.
   * @defaultValue 256
   */
  readonly maxTokens?: number;
  /** Output width; must equal the model's hidden size. @defaultValue 384 */
  readonly dim?: number;
  /** Called with every progress report (same payload as the `'embedder:progress'` event). @defaultValue undefined */
  readonly onProgress?: (event: TransformersProgressEvent) => void;
  /**
   * Loads the transformers module. A test seam: pass a function that rejects to simulate the
   * package being absent (the result is `ERR_EMBEDDER_UNAVAILABLE`), or one that returns a
   * specific build of the module.
   * @defaultValue `() => import('@huggingface/transformers')`
   * @internal
   */
  readonly loadModule?: () => Promise<unknown>;
}

interface Tensorish {
  readonly dims: readonly number[];
  readonly data: ArrayLike<number | bigint>;
}

interface Extractor {
  readonly tokenizer: (texts: string[], options: Record<string, unknown>) => Record<string, Tensorish>;
  readonly model: (inputs: Record<string, Tensorish>) => Promise<Record<string, Tensorish | undefined>>;
  readonly dispose?: () => Promise<unknown>;
}

const PROGRESS_STATUSES = new Set(['initiate', 'download', 'progress', 'progress_total', 'done', 'ready']);

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Sentence embeddings from a transformers.js feature-extraction model (default
 * all-MiniLM-L6-v2, 384 dims): mean pooling over the attention mask, then L2 normalisation.
 * The model loads lazily on first use (or {@link TransformersEmbedder.load}), once; by default
 * only from local files.
 *
 * @example
 * ```ts
 * import { TransformersEmbedder } from 'switchyard/transformers';
 * const embedder = new TransformersEmbedder({ modelPath: '/models/all-MiniLM-L6-v2' });
 * embedder.on('embedder:progress', (e) => console.log(e.file, e.loaded, e.total));
 * const router = await FastProjectRouter.create({ projects, embedder, threshold: 0.35 });
 * ```
 */
export class TransformersEmbedder extends EventEmitter<TransformersEmbedderEvents> implements Embedder {
  /**
   * `minilm:<model>@<revision>/<dtype>/mean-l2/t<maxTokens>e/d<dim>`; the `e` marks truncation
   * that keeps the closing token (vectors of long texts differ from 0.1.0's, so cached ones are not reused).
   */
  readonly id: string;
  /** Vector length. */
  readonly dim: number;
  readonly #model: string;
  readonly #source: string;
  readonly #localModelPath: string | undefined;
  readonly #dtype: TransformersDtype;
  readonly #revision: string;
  readonly #allowRemote: boolean;
  readonly #cacheDir: string | undefined;
  readonly #maxBatch: number;
  readonly #maxTokens: number;
  readonly #onProgress: ((event: TransformersProgressEvent) => void) | undefined;
  readonly #loadModule: () => Promise<unknown>;
  #loading: Promise<Extractor> | undefined;
  #extractor: Extractor | undefined;
  #endId: number | undefined;

  /**
   * Validates options; loads nothing yet.
   * @param options - see {@link TransformersEmbedderOptions}
   * @throws `SwitchyardError` `ERR_INVALID_OPTION` for invalid options.
   */
  constructor(options: TransformersEmbedderOptions = {}) {
    super();
    if (!isPlainObject(options as unknown)) invalidOption('options', 'a plain object', options);
    this.#model = optString('model', options.model, 'Xenova/all-MiniLM-L6-v2');
    const modelPath = options.modelPath === undefined ? undefined : optString('modelPath', options.modelPath, '');
    this.#source = modelPath === undefined ? this.#model : path.resolve(modelPath);
    this.#localModelPath = options.localModelPath === undefined ? undefined : path.resolve(optString('localModelPath', options.localModelPath, ''));
    this.#dtype = optOneOf('dtype', options.dtype, DTYPES, 'q8');
    this.#revision = optString('revision', options.revision, 'main');
    this.#allowRemote = optBoolean('allowRemoteModels', options.allowRemoteModels, false);
    const cacheDir = options.cacheDir === undefined ? undefined : optString('cacheDir', options.cacheDir, '');
    this.#cacheDir = cacheDir ?? (this.#allowRemote ? path.join(homedir(), '.cache', 'switchyard', 'transformers') : undefined);
    this.#maxBatch = optInteger('maxBatchSize', options.maxBatchSize, 32, 1, 4096);
    this.#maxTokens = optInteger('maxTokens', options.maxTokens, 256, 2, 8192);
    this.dim = optInteger('dim', options.dim, 384, 1, 16_384);
    if (options.onProgress !== undefined && typeof options.onProgress !== 'function') invalidOption('onProgress', 'a function', options.onProgress);
    this.#onProgress = options.onProgress;
    if (options.loadModule !== undefined && typeof options.loadModule !== 'function') invalidOption('loadModule', 'a function', options.loadModule);
    this.#loadModule = options.loadModule ?? (() => import('@huggingface/transformers'));
    this.id = `minilm:${this.#model}@${this.#revision}/${this.#dtype}/mean-l2/t${this.#maxTokens}e/d${this.dim}`;
  }

  /** Whether the model is loaded. */
  get loaded(): boolean {
    return this.#extractor !== undefined;
  }

  /**
   * Loads the model now (otherwise the first {@link TransformersEmbedder.embed} does). Concurrent
   * calls share one load; a failed load can be retried.
   * @throws `SwitchyardError` `ERR_EMBEDDER_UNAVAILABLE` when `@huggingface/transformers` is
   *   not installed or the model files cannot be found/loaded.
   */
  async load(): Promise<void> {
    await this.#load();
  }

  /**
   * Embeds texts in batches of `maxBatchSize`: one L2-normalised vector per text.
   * @param texts - texts to embed
   * @throws `SwitchyardError` `ERR_EMBEDDER_UNAVAILABLE` (see {@link TransformersEmbedder.load}),
   *   `ERR_EMBEDDER_FAILED` when the model output has an unexpected shape.
   */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (!Array.isArray(texts)) throw new SwitchyardError('ERR_EMBEDDER_FAILED', `Expected \`texts\` to be an array, got ${describeValue(texts)}`);
    if (texts.length === 0) return [];
    const ex = await this.#load();
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.#maxBatch) {
      const chunk = texts.slice(start, start + this.#maxBatch).map((t) => (typeof t === 'string' ? t : ''));
      const inputs = ex.tokenizer(chunk, { padding: true, truncation: true, max_length: this.#maxTokens });
      const ids = inputs['input_ids'];
      if (this.#endId !== undefined && ids && inputs['attention_mask'] && ids.dims.length === 2) {
        restoreEndToken(ids.data as unknown as { [i: number]: number | bigint; length: number }, inputs['attention_mask'].data, ids.dims[0]!, ids.dims[1]!, this.#endId);
      }
      const result = await ex.model(inputs);
      const hidden = result['last_hidden_state'] ?? result['token_embeddings'];
      const mask = inputs['attention_mask'];
      if (!hidden || !mask || hidden.dims.length !== 3 || hidden.dims[0] !== chunk.length || hidden.dims[2] !== this.dim) {
        throw new SwitchyardError('ERR_EMBEDDER_FAILED', `Model '${this.#source}' returned last_hidden_state of shape [${hidden?.dims.join(', ') ?? ''}], expected [${chunk.length}, seq, ${this.dim}]`);
      }
      out.push(...meanPoolNormalize(hidden.data as Float32Array, mask.data, chunk.length, hidden.dims[1]!, this.dim));
    }
    return out;
  }

  /** Releases the model (ONNX session). A later `embed()` loads it again. */
  async dispose(): Promise<void> {
    const loading = this.#loading;
    this.#loading = undefined;
    this.#extractor = undefined;
    if (!loading) return;
    const ex = await loading.catch(() => undefined);
    await ex?.dispose?.();
  }

  #load(): Promise<Extractor> {
    this.#loading ??= this.#doLoad().catch((e: unknown) => {
      this.#loading = undefined;
      throw e;
    });
    return this.#loading;
  }

  async #doLoad(): Promise<Extractor> {
    const t0 = performance.now();
    let mod: TransformersModule;
    try {
      mod = (await this.#loadModule()) as TransformersModule;
      if (typeof mod?.pipeline !== 'function') throw new TypeError(`${TRANSFORMERS_PACKAGE} has no pipeline() export`);
    } catch (e) {
      throw new SwitchyardError('ERR_EMBEDDER_UNAVAILABLE',
        `TransformersEmbedder needs the optional peer dependency ${TRANSFORMERS_PACKAGE}: install it with \`${TRANSFORMERS_INSTALL_COMMAND}\` (${(e as Error)?.message ?? String(e)})`,
        { cause: e, details: { package: TRANSFORMERS_PACKAGE } });
    }
    if (this.#localModelPath !== undefined) (mod.env as { localModelPath: string }).localModelPath = this.#localModelPath;
    const options: Record<string, unknown> = {
      dtype: this.#dtype,
      revision: this.#revision,
      local_files_only: !this.#allowRemote,
      progress_callback: (info: unknown) => this.#progress(info),
    };
    if (this.#cacheDir !== undefined) options['cache_dir'] = this.#cacheDir;
    let ex: Extractor;
    try {
      ex = (await mod.pipeline('feature-extraction', this.#source, options)) as Extractor;
    } catch (e) {
      throw new SwitchyardError('ERR_EMBEDDER_UNAVAILABLE',
        `Cannot load model '${this.#source}' (dtype ${this.#dtype}${this.#allowRemote ? '' : ', local files only'}): ${(e as Error)?.message ?? String(e)}`,
        { cause: e, details: { model: this.#source, dtype: this.#dtype } });
    }
    try {
      this.#endId = endTokenOf(ex.tokenizer([''], {})['input_ids']?.data ?? []);
    } catch {
      this.#endId = undefined; // a tokenizer that cannot encode '' gets no truncation repair
    }
    this.#extractor = ex;
    if (this.listenerCount('embedder:loaded') > 0 || this.listenerCount('embedder:ready') > 0) {
      emitRenamed(this, 'embedder:loaded', 'embedder:ready', { model: this.#source, ms: performance.now() - t0 });
    }
    return ex;
  }

  #progress(info: unknown): void {
    if (this.#onProgress === undefined && this.listenerCount('embedder:progress') === 0) return;
    if (typeof info !== 'object' || info === null) return;
    const i = info as Record<string, unknown>;
    const status = i['status'];
    if (typeof status !== 'string' || !PROGRESS_STATUSES.has(status)) return;
    const event: TransformersProgressEvent = {
      status: status as TransformersProgressEvent['status'],
      model: this.#source,
      file: typeof i['file'] === 'string' ? i['file'] : undefined,
      loaded: num(i['loaded']),
      total: num(i['total']),
      progress: num(i['progress']),
    };
    this.#onProgress?.(event);
    this.emit('embedder:progress', event);
  }
}
