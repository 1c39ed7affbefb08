// `npm run bench [filter]`: runs every bench/*.bench.ts (optionally those whose name contains
// `filter`) in one process and writes bench/RESULTS.md. Never part of `npm test`.
import { readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { machineHeader, sectionMarkdown, type BenchModule, type BenchSection } from './harness.js';

const dir = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter))).sort();

const parts: string[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default: BenchModule };
  const started = performance.now();
  process.stdout.write(`bench ${file} ... `);
  const sections: BenchSection[] = await mod.default();
  console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const s of sections) {
    const md = sectionMarkdown(s);
    console.log('\n' + md + '\n');
    parts.push(md);
  }
}

const out = [
  '# switchyard benchmark results',
  '',
  'Written by `npm run bench`. Medians of per-sample means; each sample times a batch of calls with',
  '`process.hrtime.bigint()`. Machines here are shared and noisy: compare ratios within one run.',
  '',
  machineHeader(),
  '',
  ...parts.flatMap((p) => [p, '']),
].join('\n');
if (!filter) await writeFile(path.join(dir, 'RESULTS.md'), out);
else console.log(`(filter '${filter}': RESULTS.md not rewritten)`);
