// Child process of bench/minilm.bench.ts: resident memory of one loaded MiniLM, measured in a
// fresh process so the other dtype's session does not count. Prints one JSON line.
// Usage: node --import tsx bench/models/minilm-memory.ts <model folder> <q8|fp32>
const [dir, dtype] = process.argv.slice(2) as [string, 'q8' | 'fp32'];
const mb = (): number => process.memoryUsage().rss / 2 ** 20;
const { TransformersEmbedder } = await import('../../src/embed/transformers-embedder.js');
await import('@huggingface/transformers');
const base = mb();
const t0 = performance.now();
const e = new TransformersEmbedder({ modelPath: dir, dtype });
await e.embed(['play some jazz music']);
const loadMs = performance.now() - t0;
const loaded = mb();
await e.embed(Array.from({ length: 32 }, (_, i) => `a sentence of about forty characters, #${i}`));
console.log(JSON.stringify({ dtype, baseMb: base, modelMb: loaded - base, afterBatchMb: mb() - base, loadMs }));
