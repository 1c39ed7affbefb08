// `npm run bench [-- [filter] [--write]]`: runs every bench/*.bench.ts (optionally those whose
// name contains `filter`) in one process and prints the tables; `--write` (without a filter)
// also writes them to bench/RESULTS.md, the file the docs quote. Never part of `npm test`.
import { readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { machineHeader, sectionMarkdown, unexplainedMisses, type BenchModule, type BenchSection } from './harness.js';

const dir = path.dirname(fileURLToPath(import.meta.url));
const write = process.argv.includes('--write');
const filter = process.argv.slice(2).find((a) => !a.startsWith('--'));
const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter))).sort();

const parts: string[] = [];
const unexplained: string[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default: BenchModule };
  const started = performance.now();
  process.stdout.write(`bench ${file} ... `);
  const sections: BenchSection[] = await mod.default();
  console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const s of sections) {
    unexplained.push(...unexplainedMisses(s).map((r) => `${s.title}: ${r.name}`));
    const md = sectionMarkdown(s);
    console.log('\n' + md + '\n');
    parts.push(md);
  }
}

const out = [
  '# switchyard benchmark results',
  '',
  'Written by `npm run bench -- --write`. Medians of per-sample means; each sample times a batch of calls with',
  '`process.hrtime.bigint()`. Machines here are shared and noisy: compare ratios within one run.',
  '',
  machineHeader(),
  '',
  ...parts.flatMap((p) => [p, '']),
].join('\n');
if (write && !filter) {
  await writeFile(path.join(dir, 'RESULTS.md'), out);
  console.log('wrote bench/RESULTS.md');
} else if (write) console.log(`(filter '${filter}': bench/RESULTS.md not rewritten, it holds every benchmark)`);
else console.log('(bench/RESULTS.md not written: add --write)');
if (unexplained.length) {
  console.error(`missed targets without a reason (give each case a \`why\`):\n${unexplained.map((u) => `  ${u}`).join('\n')}`);
  process.exitCode = 1;
}
