// Builds a folder shaped like Xenova/all-MiniLM-L6-v2 (real tokenizer and config copied from
// ../shared/models) whose ONNX graph is small and generated here: same inputs
// (input_ids, attention_mask, token_type_ids) and output (last_hidden_state
// [batch, seq, 384]). Each token id maps (mod 1024) to a fixed pseudo-random 384-vector,
// plus a token-type vector, masked by attention_mask: after mean pooling this is a bag of
// tokens, so texts that share words land close together.
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeOnnxModel, FLOAT, INT64 } from './onnx-writer.js';
import { prng } from './random.js';

/** Repository root. */
export const repoRoot: string = fileURLToPath(new URL('../..', import.meta.url));
/** The real tokenizer/config folder in ../shared. */
export const sharedMiniLm: string = path.resolve(repoRoot, '../shared/models/Xenova/all-MiniLM-L6-v2');

const HIDDEN = 384;
const BUCKETS = 1024;

/** The ONNX bytes of the tiny graph (deterministic). */
export function tinyMiniLmOnnx(seed = 7): Uint8Array {
  const rnd = prng(seed);
  const table = new Float32Array(BUCKETS * HIDDEN);
  for (let i = 0; i < table.length; i++) table[i] = rnd() * 2 - 1;
  const types = new Float32Array(2 * HIDDEN);
  for (let i = 0; i < types.length; i++) types[i] = (rnd() * 2 - 1) * 0.1;
  const dyn = ['batch_size', 'sequence_length'];
  return encodeOnnxModel({
    name: 'tiny-minilm',
    inputs: [
      { name: 'input_ids', elemType: INT64, dims: dyn },
      { name: 'attention_mask', elemType: INT64, dims: dyn },
      { name: 'token_type_ids', elemType: INT64, dims: dyn },
    ],
    outputs: [{ name: 'last_hidden_state', elemType: FLOAT, dims: [...dyn, HIDDEN] }],
    initializers: [
      { name: 'buckets', dims: [], data: BigInt64Array.of(BigInt(BUCKETS)) },
      { name: 'token_table', dims: [BUCKETS, HIDDEN], data: table },
      { name: 'type_table', dims: [2, HIDDEN], data: types },
      { name: 'axis2', dims: [1], data: BigInt64Array.of(2n) },
    ],
    nodes: [
      { op: 'Mod', inputs: ['input_ids', 'buckets'], outputs: ['ids'] },
      { op: 'Gather', inputs: ['token_table', 'ids'], outputs: ['tok'], ints: { axis: 0 } },
      { op: 'Gather', inputs: ['type_table', 'token_type_ids'], outputs: ['typ'], ints: { axis: 0 } },
      { op: 'Add', inputs: ['tok', 'typ'], outputs: ['sum'] },
      { op: 'Cast', inputs: ['attention_mask'], outputs: ['maskf'], ints: { to: FLOAT } },
      { op: 'Unsqueeze', inputs: ['maskf', 'axis2'], outputs: ['mask3'] },
      { op: 'Mul', inputs: ['sum', 'mask3'], outputs: ['last_hidden_state'] },
    ],
  });
}

/**
 * Writes `<root>/Xenova/all-MiniLM-L6-v2/{config,tokenizer...}.json + onnx/<file>` into a
 * fresh temp dir and returns both the root (for `localModelPath`) and the model folder.
 */
export async function makeTinyMiniLm(options: { readonly onnxFile?: string } = {}): Promise<{ root: string; modelDir: string }> {
  const root = await mkdtemp(path.join(tmpdir(), 'switchyard-minilm-'));
  const modelDir = path.join(root, 'Xenova', 'all-MiniLM-L6-v2');
  await mkdir(path.join(modelDir, 'onnx'), { recursive: true });
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']) {
    await copyFile(path.join(sharedMiniLm, f), path.join(modelDir, f));
  }
  await writeFile(path.join(modelDir, 'onnx', options.onnxFile ?? 'model_quantized.onnx'), tinyMiniLmOnnx());
  return { root, modelDir };
}
