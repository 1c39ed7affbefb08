// `npm run examples`: runs every example in its own process and checks that its stdout equals
// the "// Expected output:" comment block at the end of the file. Exit code 1 on any mismatch.
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const dir = path.dirname(fileURLToPath(import.meta.url));
const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && f !== 'run-all.ts').sort();
let failed = 0;
for (const file of files) {
  const source = await readFile(path.join(dir, file), 'utf8');
  const lines = source.trimEnd().split('\n');
  const header = lines.findLastIndex((l) => /^\/\/ Expected output/.test(l));
  if (header < 0) {
    console.log(`✖ ${file}: no "// Expected output:" block`);
    failed++;
    continue;
  }
  // trailing whitespace cannot survive in a comment, so it is ignored on both sides
  const expected = lines.slice(header + 1).map((l) => l.replace(/^\/\/ ?/, '').trimEnd());
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, file)], { encoding: 'utf8', timeout: 120_000 });
  const actual = run.stdout.trimEnd().split('\n').map((l) => l.trimEnd());
  if (run.status !== 0 || actual.join('\n') !== expected.join('\n')) {
    failed++;
    console.log(`✖ ${file} (exit ${run.status})`);
    for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
      if (actual[i] !== expected[i]) console.log(`  line ${i + 1}\n    expected: ${expected[i]}\n    actual:   ${actual[i]}`);
    }
    if (run.stderr) console.log(run.stderr.split('\n').slice(0, 10).map((l) => `  ${l}`).join('\n'));
  } else {
    console.log(`✔ ${file}`);
  }
}
console.log(`${files.length - failed} of ${files.length} examples matched their expected output`);
process.exitCode = failed ? 1 : 0;
