// npm run distill:static -- [--model <MiniLM folder>] [--out <table file>] [--dims 256|0] [--weighting zipf|sif|none]
//   [--corpus <dataset.json>] [--dtype int8|f16] [--no-centre] [--vectors <raw vector file>] [--batch 256]
//
// Builds a static token table from the real all-MiniLM-L6-v2 (Model2Vec method): every
// vocabulary token goes through the model on its own ([CLS] token [SEP], mean-pooled like the
// sentence encoder), then the table is centred (the mean token vector removed), reduced with
// PCA to --dims (0 = keep 384), weighted per token, and written with the StaticEmbedder format.
//
// The model pass (the slow part, ~30k tokens) is checkpointed to --vectors (default beside
// the output): an interrupted run resumes where it stopped; later runs with other widths or
// weightings reuse it. Node + onnxruntime through @huggingface/transformers (a devDependency,
// no Python): the same runtime and tokenizer files as TransformersEmbedder.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync, openSync, writeSync, closeSync, ftruncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EVD, Matrix } from 'ml-matrix';
import { encodeStaticTable, type StaticTableDtype, type StaticTableMeta } from '../src/embed/static-table-format.js';
import { WordPieceTokenizer } from '../src/embed/wordpiece-tokenizer.js';

const HIDDEN = 384;
const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** Settings of one table build. */
export interface DistillSettings {
  readonly dims: number;
  readonly weighting: 'zipf' | 'sif' | 'none';
  readonly centre: boolean;
  readonly dtype: StaticTableDtype;
  /** Texts to count token frequencies for SIF (required for 'sif'). */
  readonly corpus?: readonly string[];
  /** SIF smoothing `a` in a / (a + p). @defaultValue 1e-3 */
  readonly sifA?: number;
}

const cacheRoot = (): string => path.join(process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'switchyard');

/** Default model folder (made by the real-MiniLM build script). */
export function defaultModelDir(): string {
  return path.join(cacheRoot(), 'models', 'all-MiniLM-L6-v2');
}

/** Default table path. */
export function defaultTablePath(): string {
  return path.join(cacheRoot(), 'static', 'minilm-static.swt');
}

/** Vocabulary of a model folder in id order, from tokenizer.json (checked against vocab.txt when present). */
export function readVocab(modelDir: string): string[] {
  const tj = JSON.parse(readFileSync(path.join(modelDir, 'tokenizer.json'), 'utf8')) as { model?: { type?: string; vocab?: Record<string, number> } };
  if (tj.model?.type !== 'WordPiece' || !tj.model.vocab) throw new Error(`${modelDir}/tokenizer.json is not a WordPiece tokenizer`);
  const vocab: string[] = [];
  for (const [tok, id] of Object.entries(tj.model.vocab)) vocab[id] = tok;
  for (let i = 0; i < vocab.length; i++) vocab[i] ??= '';
  const txt = path.join(modelDir, 'vocab.txt');
  if (existsSync(txt)) {
    const lines = readFileSync(txt, 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (lines.length !== vocab.length || lines.some((l, i) => l !== vocab[i])) throw new Error('vocab.txt and tokenizer.json disagree');
  }
  return vocab;
}

/**
 * Raw 384-d vector of every token id through the model, checkpointed in `file` (f32 rows in
 * id order; the file length says how many are done). Resumes an interrupted run.
 */
export async function tokenVectors(modelDir: string, vocabSize: number, file: string, batch = 256, log: (s: string) => void = console.log): Promise<Float32Array> {
  const rowBytes = HIDDEN * 4;
  const modelSha = createHash('sha256').update(readFileSync(path.join(modelDir, 'onnx', 'model.onnx'))).digest('hex').slice(0, 16);
  const tag = `${file}.model`;
  if (existsSync(file) && (!existsSync(tag) || readFileSync(tag, 'utf8') !== modelSha)) {
    log(`${file} was made from another model: starting over`);
    closeSync(openSync(file, 'w'));
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(tag, modelSha);
  let done = existsSync(file) ? Math.floor(statSync(file).size / rowBytes) : 0;
  if (existsSync(file) && statSync(file).size !== done * rowBytes) { // torn last write
    const fd = openSync(file, 'r+');
    ftruncateSync(fd, done * rowBytes);
    closeSync(fd);
  }
  if (done < vocabSize) {
    log(`model pass: ${done}/${vocabSize} tokens done, resuming`);
    const tf = await import('@huggingface/transformers');
    const model = await tf.AutoModel.from_pretrained(path.resolve(modelDir), { dtype: 'fp32', local_files_only: true } as never);
    const fd = openSync(file, 'a');
    const t0 = performance.now();
    const start = done;
    try {
      while (done < vocabSize) {
        const n = Math.min(batch, vocabSize - done);
        const ids = new BigInt64Array(n * 3);
        for (let i = 0; i < n; i++) { ids[i * 3] = 101n; ids[i * 3 + 1] = BigInt(done + i); ids[i * 3 + 2] = 102n; }
        const out = await (model as unknown as (x: Record<string, unknown>) => Promise<{ last_hidden_state: { data: Float32Array } }>)({
          input_ids: new tf.Tensor('int64', ids, [n, 3]),
          attention_mask: new tf.Tensor('int64', new BigInt64Array(n * 3).fill(1n), [n, 3]),
          token_type_ids: new tf.Tensor('int64', new BigInt64Array(n * 3), [n, 3]),
        });
        const h = out.last_hidden_state.data;
        const rows = new Float32Array(n * HIDDEN);
        // mean over the three positions, as the sentence encoder pools a one-token text
        for (let i = 0; i < n; i++) for (let d = 0; d < HIDDEN; d++) {
          rows[i * HIDDEN + d] = (h[(i * 3) * HIDDEN + d]! + h[(i * 3 + 1) * HIDDEN + d]! + h[(i * 3 + 2) * HIDDEN + d]!) / 3;
        }
        writeSync(fd, new Uint8Array(rows.buffer));
        done += n;
        const rate = (done - start) / ((performance.now() - t0) / 1000);
        log(`model pass: ${done}/${vocabSize} (${(100 * done / vocabSize).toFixed(1)}%), ${rate.toFixed(0)} tokens/s, ~${((vocabSize - done) / rate).toFixed(0)} s left`);
      }
    } finally {
      closeSync(fd);
    }
  }
  const buf = readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + vocabSize * rowBytes));
}

/** Token counts of `texts` under the model's tokenizer. */
function countTokens(tokenizer: WordPieceTokenizer, texts: readonly string[]): Float64Array {
  const counts = new Float64Array(tokenizer.vocabSize);
  for (const t of texts) for (const id of tokenizer.encode(t)) counts[id]!++;
  return counts;
}

/**
 * Principal axes of the real rows, as a 384 x 384 row-major matrix whose column k is the k-th
 * axis (largest variance first). `mean` is subtracted first when given. Cached per mean choice.
 */
function pcaBasis(x: Float64Array, real: readonly boolean[], mean: Float64Array | undefined, _dims: number, cache: Map<string, Float64Array> | undefined): Float64Array {
  const key = mean ? 'raw' : 'centred';
  const hit = cache?.get(key);
  if (hit) return hit;
  const cov = new Float64Array(HIDDEN * HIDDEN);
  const row = new Float64Array(HIDDEN);
  let m = 0;
  for (let i = 0; i < real.length; i++) {
    if (!real[i]) continue;
    m++;
    for (let d = 0; d < HIDDEN; d++) row[d] = x[i * HIDDEN + d]! - (mean ? mean[d]! : 0);
    for (let a = 0; a < HIDDEN; a++) {
      const ra = row[a]!;
      const base = a * HIDDEN;
      for (let b = a; b < HIDDEN; b++) cov[base + b]! += ra * row[b]!;
    }
  }
  const c = new Matrix(HIDDEN, HIDDEN);
  for (let a = 0; a < HIDDEN; a++) for (let b = a; b < HIDDEN; b++) { c.set(a, b, cov[a * HIDDEN + b]! / m); c.set(b, a, cov[a * HIDDEN + b]! / m); }
  const evd = new EVD(c, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((v, i) => [v, i] as const).sort((p, q) => q[0] - p[0]).map((p) => p[1]);
  const vecs = evd.eigenvectorMatrix;
  const basis = new Float64Array(HIDDEN * HIDDEN);
  order.forEach((col, k) => { for (let a = 0; a < HIDDEN; a++) basis[a * HIDDEN + k] = vecs.get(a, col); });
  cache?.set(key, basis);
  return basis;
}

/** Centre, PCA, weight and zero the special rows: the final rows of a table. `pcaCache` reuses the PCA across builds. */
export function buildRows(raw: Float32Array, vocab: readonly string[], s: DistillSettings, pcaCache?: Map<string, Float64Array>): { rows: Float32Array; dim: number; meta: StaticTableMeta } {
  const n = vocab.length;
  // real tokens only: [unusedN] slots were never trained and would pull the mean and the PCA
  const real = vocab.map((t) => t !== '' && !/^\[unused\d+\]$/.test(t) && !SPECIALS.includes(t));
  const x = new Float64Array(n * HIDDEN);
  for (let i = 0; i < x.length; i++) x[i] = raw[i]!;
  const mean = new Float64Array(HIDDEN);
  let m = 0;
  for (let i = 0; i < n; i++) if (real[i]) { m++; for (let d = 0; d < HIDDEN; d++) mean[d]! += x[i * HIDDEN + d]!; }
  for (let d = 0; d < HIDDEN; d++) mean[d]! /= m;
  if (s.centre) for (let i = 0; i < n; i++) for (let d = 0; d < HIDDEN; d++) x[i * HIDDEN + d]! -= mean[d]!;
  let dim = HIDDEN;
  let y = x;
  if (s.dims > 0 && s.dims < HIDDEN) {
    const basis = pcaBasis(x, real, s.centre ? undefined : mean, s.dims, pcaCache);
    dim = s.dims;
    y = new Float64Array(n * dim);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < HIDDEN; a++) {
        const v = x[i * HIDDEN + a]!;
        if (v === 0) continue;
        const ba = a * HIDDEN;
        for (let k = 0; k < dim; k++) y[i * dim + k]! += v * basis[ba + k]!;
      }
    }
  }
  const weights = new Float64Array(n).fill(1);
  if (s.weighting === 'zipf') {
    // Model2Vec's prior: vocabulary order approximates frequency rank, weight log(1 + rank)
    for (let i = 0; i < n; i++) weights[i] = Math.log(1 + i);
  } else if (s.weighting === 'sif') {
    if (!s.corpus) throw new Error('sif weighting needs --corpus');
    const tok = new WordPieceTokenizer({ vocab, specialTokens: SPECIALS });
    const counts = countTokens(tok, s.corpus);
    let total = 0;
    for (const c of counts) total += c;
    const a = s.sifA ?? 1e-3;
    for (let i = 0; i < n; i++) weights[i] = a / (a + counts[i]! / total);
  }
  const rows = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    if (!real[i]) continue; // specials and unused slots stay zero: they add nothing to a sentence
    for (let k = 0; k < dim; k++) rows[i * dim + k] = y[i * dim + k]! * weights[i]!;
  }
  const meta: StaticTableMeta = {
    tokenizer: { type: 'bert-wordpiece-uncased', unkToken: '[UNK]', continuationPrefix: '##', maxWordChars: 100, specialTokens: SPECIALS },
    teacher: 'sentence-transformers/all-MiniLM-L6-v2',
    weighting: s.weighting === 'sif' ? `sif-${s.sifA ?? 1e-3}` : s.weighting,
    pcaFrom: dim === HIDDEN ? 0 : HIDDEN,
    centred: s.centre,
  };
  return { rows, dim, meta };
}

/** Builds a table file's bytes from raw vectors. */
export function buildTable(raw: Float32Array, vocab: readonly string[], s: DistillSettings, pcaCache?: Map<string, Float64Array>): Uint8Array {
  const { rows, dim, meta } = buildRows(raw, vocab, s, pcaCache);
  return encodeStaticTable(vocab, rows, dim, s.dtype, meta);
}

/** Training texts of a `{ train: [text, label][] }` dataset (the corpus for SIF counts). */
export function corpusTexts(file: string): string[] {
  const d = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const train = Array.isArray(d['train']) ? d['train'] : [];
  return train.filter((p): p is [string, string] => Array.isArray(p) && typeof p[0] === 'string').map((p) => p[0]);
}

if (process.argv[1] === import.meta.filename) {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const modelDir = opt('--model') ?? process.env['SWITCHYARD_MINILM_PATH'] ?? defaultModelDir();
  if (!existsSync(path.join(modelDir, 'BUILD-OK')) && !existsSync(path.join(modelDir, 'onnx', 'model.onnx'))) {
    console.error(`no MiniLM model at ${modelDir} (build it first; see docs/embedders.md)`);
    process.exit(2);
  }
  const out = opt('--out') ?? defaultTablePath();
  const vectors = opt('--vectors') ?? path.join(path.dirname(out), 'token-vectors.f32');
  const weighting = (opt('--weighting') ?? 'zipf') as DistillSettings['weighting'];
  if (!['zipf', 'sif', 'none'].includes(weighting)) { console.error('--weighting is zipf, sif or none'); process.exit(2); }
  const corpusFile = opt('--corpus');
  const settings: DistillSettings = {
    dims: Number(opt('--dims') ?? 256),
    weighting,
    centre: !args.includes('--no-centre'),
    dtype: (opt('--dtype') ?? 'int8') as StaticTableDtype,
    ...(corpusFile ? { corpus: corpusTexts(corpusFile) } : {}),
  };
  const vocab = readVocab(modelDir);
  const raw = await tokenVectors(modelDir, vocab.length, vectors, Number(opt('--batch') ?? 256));
  const t0 = performance.now();
  const bytes = buildTable(raw, vocab, settings);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, bytes);
  renameSync(`${out}.tmp`, out);
  console.log(`wrote ${out}: ${(bytes.length / 1e6).toFixed(1)} MB, ${settings.dtype}, dims ${settings.dims || HIDDEN}, ${settings.weighting}${settings.centre ? ', centred' : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s after the model pass)`);
}
