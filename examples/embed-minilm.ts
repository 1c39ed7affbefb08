// MiniLM embedder with a load progress bar. Needs @huggingface/transformers and a local model
// folder (config.json, tokenizer.json, onnx/model_quantized.onnx) named by SWITCHYARD_MINILM_PATH;
// without one it prints a skip message.
import { FastProjectRouter } from '../src/index.js';
import { TransformersEmbedder } from '../src/embed/transformers-embedder.js';

const modelPath = process.env['SWITCHYARD_MINILM_PATH'];
if (!modelPath) {
  console.log('skipped: set SWITCHYARD_MINILM_PATH to a local all-MiniLM-L6-v2 folder to run this example');
} else {
  const embedder = new TransformersEmbedder({ modelPath });
  embedder.on('embedder:progress', (e) => {
    if (e.status === 'progress_total' && e.total) process.stderr.write(`\rloading ${'#'.repeat(Math.round((20 * e.loaded!) / e.total)).padEnd(20, '.')} ${Math.round(e.progress ?? 0)}%`);
  });
  const router = await FastProjectRouter.create({
    embedder, threshold: 0.3,
    projects: [
      { name: 'llama-care', description: 'llama and alpaca husbandry' },
      { name: 'code-helper', description: 'programming help: bugs, refactors, tests' },
    ],
  });
  process.stderr.write('\n');
  console.log((await router.route('auto', 'my alpaca is limping')).modelPath);
  await embedder.dispose();
}

// Expected output:
// skipped: set SWITCHYARD_MINILM_PATH to a local all-MiniLM-L6-v2 folder to run this example
