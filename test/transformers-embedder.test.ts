// TransformersEmbedder on the real transformers.js + onnxruntime-node path, offline: a small
// generated ONNX graph with MiniLM's inputs/outputs next to the real MiniLM tokenizer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from '@huggingface/transformers';
import { FastProjectRouter, isSwitchyardError } from '../src/index.js';
import { TransformersEmbedder, type TransformersProgressEvent } from '../src/embed/transformers-embedder.js';
import { makeTinyMiniLm } from './helpers/tiny-minilm.js';

let root = '';
let modelDir = '';
before(async () => ({ root, modelDir } = await makeTinyMiniLm()));
after(async () => { await rm(root, { recursive: true, force: true }); });

const TEXTS = [
  'my llama is limping after the long hike',
  'refactor this typescript function and add unit tests',
  'what is the weather in paris tomorrow',
  'a',
  'translate good morning into italian please, and also tell me how to say thank you very much',
];

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

test('TransformersEmbedder#embed() – mean-pooled, L2-normalised vectors equal transformers.js\' own pipeline pooling', async () => {
  const embedder = new TransformersEmbedder({ modelPath: modelDir });
  const got = await embedder.embed(TEXTS);
  const ref = await pipeline('feature-extraction', modelDir, { dtype: 'q8', local_files_only: true });
  const want = (await ref(TEXTS, { pooling: 'mean', normalize: true })).tolist() as number[][];
  assert.equal(got.length, TEXTS.length);
  got.forEach((v, i) => {
    assert.ok(v instanceof Float32Array && v.length === 384);
    assert.ok(Math.abs(dot(v, v) - 1) < 1e-4, `norm of ${i}`);
    for (let d = 0; d < 384; d++) assert.ok(Math.abs(v[d]! - want[i]![d]!) < 1e-5, `text ${i} dim ${d}`);
  });
  await ref.dispose();
  await embedder.dispose();
});

test('TransformersEmbedder#embed() – batching by maxBatchSize gives the same vectors as one batch; [] loads nothing', async () => {
  const one = new TransformersEmbedder({ modelPath: modelDir, maxBatchSize: 64 });
  const small = new TransformersEmbedder({ modelPath: modelDir, maxBatchSize: 2 });
  assert.deepEqual(await small.embed([]), []);
  assert.equal(small.loaded, false);
  const [a, b] = [await one.embed(TEXTS), await small.embed(TEXTS)];
  a.forEach((v, i) => assert.ok(dot(v, b[i]!) > 0.99999, `text ${i}`));
  await Promise.all([one.dispose(), small.dispose()]);
});

test('TransformersEmbedder – maxTokens truncates: texts equal in their first tokens embed identically', async () => {
  const e = new TransformersEmbedder({ modelPath: modelDir, maxTokens: 6 });
  const [x, y] = await e.embed(['alpha beta gamma delta epsilon zeta eta', 'alpha beta gamma delta epsilon zeta totally different ending']);
  assert.ok(dot(x!, y!) > 0.99999);
  const full = new TransformersEmbedder({ modelPath: modelDir });
  const [u, w] = await full.embed(['alpha beta gamma delta epsilon zeta eta', 'alpha beta gamma delta epsilon zeta totally different ending']);
  assert.ok(dot(u!, w!) < 0.99);
  assert.notEqual(e.id, full.id);
  await Promise.all([e.dispose(), full.dispose()]);
});

test('TransformersEmbedder – truncation keeps the closing [SEP] (as Python tokenizers do), not the next word piece', async () => {
  const cut = new TransformersEmbedder({ modelPath: modelDir, maxTokens: 6 });
  const full = new TransformersEmbedder({ modelPath: modelDir });
  // [CLS] alpha beta gamma delta [SEP] is 6 tokens: the truncated long text must encode to exactly that
  const [long] = await cut.embed(['alpha beta gamma delta epsilon zeta eta']);
  const [short] = await full.embed(['alpha beta gamma delta']);
  assert.ok(dot(long!, short!) > 0.99999, `cosine ${dot(long!, short!)}`);
  assert.match(cut.id, /\/t6e\//);
  await Promise.all([cut.dispose(), full.dispose()]);
});

test('TransformersEmbedder – progress events name each file with loaded/total bytes, then loaded; concurrent loads share one', async () => {
  const events: TransformersProgressEvent[] = [];
  const viaOption: TransformersProgressEvent[] = [];
  const e = new TransformersEmbedder({ modelPath: modelDir, onProgress: (p) => viaOption.push(p) });
  let loaded = 0;
  e.on('embedder:progress', (p) => events.push(p));
  e.on('embedder:loaded', () => loaded++);
  await Promise.all([e.embed(['one']), e.embed(['two']), e.load()]);
  assert.equal(loaded, 1);
  assert.deepEqual(viaOption, events);
  const onnx = events.filter((p) => p.status === 'progress' && p.file === 'onnx/model_quantized.onnx');
  assert.ok(onnx.length > 0, 'progress for the ONNX file');
  assert.equal(onnx.at(-1)!.loaded, onnx.at(-1)!.total);
  assert.ok(onnx.at(-1)!.total! > 1_000_000);
  assert.ok(events.some((p) => p.status === 'done' && p.file === 'tokenizer.json'));
  assert.equal(events.at(-1)!.status, 'ready');
  await e.dispose();
});

test('TransformersEmbedder – the deprecated embedder:ready still fires, after embedder:loaded with the same payload', async () => {
  const e = new TransformersEmbedder({ modelPath: modelDir });
  const heard: Array<[string, { model: string; ms: number }]> = [];
  e.on('embedder:ready', (p) => heard.push(['embedder:ready', p]));
  e.on('embedder:loaded', (p) => heard.push(['embedder:loaded', p]));
  await e.load();
  assert.deepEqual(heard.map(([name]) => name), ['embedder:loaded', 'embedder:ready']);
  assert.equal(heard[0]![1], heard[1]![1]);
  assert.equal(heard[0]![1].model, modelDir);
  await e.dispose();
});

test('TransformersEmbedder – dtype selects the ONNX file (fp32 -> model.onnx) and is part of the id', async () => {
  const fp32 = await makeTinyMiniLm({ onnxFile: 'model.onnx' });
  try {
    const e = new TransformersEmbedder({ modelPath: fp32.modelDir, dtype: 'fp32' });
    assert.match(e.id, /Xenova\/all-MiniLM-L6-v2@main\/fp32\//);
    assert.equal((await e.embed(['hello']))[0]!.length, 384);
    const q8 = new TransformersEmbedder({ modelPath: fp32.modelDir }); // q8 file absent
    await assert.rejects(q8.embed(['hello']), (err: unknown) => isSwitchyardError(err) && err.code === 'ERR_EMBEDDER_UNAVAILABLE' && /q8, local files only/.test(err.message));
    await e.dispose();
  } finally {
    await rm(fp32.root, { recursive: true, force: true });
  }
});

test('TransformersEmbedder – a model id resolves under localModelPath; an absent model fails offline with ERR_EMBEDDER_UNAVAILABLE (no download)', async () => {
  const e = new TransformersEmbedder({ localModelPath: root });
  assert.equal((await e.embed(['x']))[0]!.length, 384);
  await e.dispose();
  const empty = await mkdtemp(path.join(tmpdir(), 'switchyard-nomodel-'));
  try {
    const missing = new TransformersEmbedder({ modelPath: empty });
    const t0 = performance.now();
    await assert.rejects(missing.embed(['x']), (err: unknown) => isSwitchyardError(err) && err.code === 'ERR_EMBEDDER_UNAVAILABLE' && /local/.test(err.message));
    assert.ok(performance.now() - t0 < 5000);
    // a failed load can be retried (not memoised as a failure)
    await assert.rejects(missing.load(), (err: unknown) => isSwitchyardError(err) && err.code === 'ERR_EMBEDDER_UNAVAILABLE');
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

test('TransformersEmbedder – without @huggingface/transformers (loadModule seam) gives ERR_EMBEDDER_UNAVAILABLE naming the install command', async () => {
  const notInstalled = Object.assign(new Error("Cannot find package '@huggingface/transformers'"), { code: 'ERR_MODULE_NOT_FOUND' });
  const e = new TransformersEmbedder({ loadModule: () => Promise.reject(notInstalled) });
  assert.equal(e.dim, 384);
  const check = (err: unknown): boolean => isSwitchyardError(err) && err.code === 'ERR_EMBEDDER_UNAVAILABLE' &&
    err.message.includes('npm i @huggingface/transformers') && err.cause === notInstalled;
  await assert.rejects(e.embed(['x']), check);
  await assert.rejects(FastProjectRouter.create({ projects: [{ name: 'a', description: 'alpha' }], embedder: e }), (err: unknown) =>
    isSwitchyardError(err) && err.code === 'ERR_EMBEDDER_FAILED' && check(err.cause));
  const wrongShape = new TransformersEmbedder({ loadModule: () => Promise.resolve({}) });
  await assert.rejects(wrongShape.load(), (err: unknown) => isSwitchyardError(err) && err.code === 'ERR_EMBEDDER_UNAVAILABLE');
});

test('TransformersEmbedder – options are validated eagerly', () => {
  const bad: [string, unknown][] = [['dtype', 'q9'], ['maxBatchSize', 0], ['maxTokens', 1.5], ['allowRemoteModels', 'yes'], ['modelPath', 3], ['onProgress', 'x'], ['loadModule', 1]];
  for (const [k, v] of bad) {
    assert.throws(() => new TransformersEmbedder({ [k]: v } as never), (err: unknown) => isSwitchyardError(err) && err.code === 'ERR_INVALID_OPTION', k);
  }
  assert.throws(() => new TransformersEmbedder(null as never), (err: unknown) => isSwitchyardError(err) && err.code === 'ERR_INVALID_OPTION');
});

test('FastProjectRouter + TransformersEmbedder – create() embeds projects, route() and routeBatch() pick by shared words', async () => {
  const embedder = new TransformersEmbedder({ modelPath: modelDir });
  const router = await FastProjectRouter.create({
    embedder, threshold: 0.3,
    projects: [
      { name: 'llama-care', description: 'llama alpaca herd health hooves shearing', examples: ['my llama is limping'] },
      { name: 'code-helper', description: 'typescript javascript refactor unit tests bugs', examples: ['fix this failing unit test'] },
      { name: 'weather', description: 'weather forecast rain temperature tomorrow', examples: ['will it rain tomorrow in paris'] },
    ],
  });
  assert.equal((await router.route('auto', 'the llama herd needs shearing')).modelPath, 'default/llama-care');
  const batch = await router.routeBatch([
    { messages: 'refactor the typescript unit tests' },
    { messages: [{ role: 'user', content: 'rain forecast for tomorrow' }] },
    { model: 'default/llama-care', messages: 'anything' },
  ]);
  assert.deepEqual(batch.map((r) => r.modelPath), ['default/code-helper', 'default/weather', 'default/llama-care']);
  await embedder.dispose();
});
// The real weights (parity with a numpy reference, fp32 and int8): test/stress/minilm-real-parity.test.ts.
