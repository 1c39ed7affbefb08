// Doc check: a markdown block (table or paragraph) preceded by `<!-- numbers from <file> -->`
// may only quote numbers that occur in that file (bench/RESULTS.md, bench/QUALITY*.md, which
// `npm run bench -- --write` / `npm run eval -- --write` produce). A re-run that changes a
// number therefore fails this check until the docs quote the new one.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { guideFiles } from './markdown-blocks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const NUMBER = /\d+(?:[.,]\d+)*/g;
const numbersOf = (text: string): Set<string> => new Set(text.match(NUMBER) ?? []);

let checked = 0;
let failed = 0;
const sources = new Map<string, Set<string>>();
for (const file of await guideFiles(root)) {
  const lines = (await readFile(path.join(root, file), 'utf8')).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const marker = /<!--\s*numbers from\s+(\S+)\s*-->/.exec(lines[i]!);
    if (!marker) continue;
    const source = marker[1]!;
    if (!sources.has(source)) {
      const text = await readFile(path.join(root, source), 'utf8').catch(() => undefined);
      if (text === undefined) {
        console.log(`✖ ${file}:${i + 1}: ${source} does not exist`);
        failed++;
        continue;
      }
      sources.set(source, numbersOf(text));
    }
    const known = sources.get(source)!;
    let j = i + 1;
    for (; j < lines.length && lines[j]!.trim() !== ''; j++) {
      if (/^\|[-| :]+\|$/.test(lines[j]!.trim())) continue; // table separator row
      for (const n of lines[j]!.match(NUMBER) ?? []) {
        checked++;
        if (!known.has(n)) {
          console.log(`✖ ${file}:${j + 1}: ${n} does not occur in ${source}`);
          failed++;
        }
      }
    }
    console.log(`${failed ? '…' : '✔'} ${file}:${i + 1}: block of ${j - i - 1} lines checked against ${source}`);
  }
}
console.log(`${checked - failed} of ${checked} quoted numbers found in their source files`);
if (failed) process.exitCode = 1;
