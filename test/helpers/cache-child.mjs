// Child process for the crash and multi-writer tests (plain node + the built dist: fast start).
// argv: <distIndex> <cachePath> <mode: crash|writer> <generation|count> <rows> <dim>
import { pathToFileURL } from 'node:url';
const [distIndex, file, mode, arg, rows, dim] = process.argv.slice(2);
const { EmbeddingCache } = await import(pathToFileURL(distIndex).href);
const fill = (cache, gen) => {
  for (let i = 0; i < Number(rows); i++) {
    const v = new Float32Array(Number(dim)).fill(gen);
    v[1] = i;
    cache.set(`text ${i}`, v);
  }
};
if (mode === 'crash') {
  // announce the temp file, then linger a random moment so the parent's SIGKILL lands anywhere
  const cache = new EmbeddingCache({
    path: file, embedderId: 'crash-test', dim: Number(dim),
    onTmpCreated: () => new Promise((r) => { process.stdout.write('tmp\n'); setTimeout(r, Math.random() * 3); }),
  });
  fill(cache, Number(arg));
  for (;;) await cache.save();
} else {
  const cache = new EmbeddingCache({ path: file, embedderId: 'crash-test', dim: Number(dim) });
  for (let s = 0; s < Number(arg); s++) { fill(cache, process.pid * 100 + s); await cache.save(); }
}
