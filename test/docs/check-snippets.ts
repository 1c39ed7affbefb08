// Doc test: every ```ts block of README.md and docs/*.md is a complete ES module that imports
// from 'switchyard' (the package's self-reference, so it sees the built dist/ and its types).
// Each block is written to .cache/doc-snippets/, type-checked with the strict tsconfig, compiled,
// and run in its own process from an empty temporary folder (files a snippet writes land there).
// A block ending in a "// Expected output:" comment must print exactly that.
// Blocks fenced ```ts fragment are skipped. Needs `npm run build` first.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allBlocks, type MarkdownBlock } from './markdown-blocks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = path.join(root, '.cache', 'doc-snippets');
const RUN_TIMEOUT_MS = 30_000;

interface Snippet extends MarkdownBlock {
  readonly name: string;
  readonly expected: string[] | undefined;
}

function expectedOutput(code: string): string[] | undefined {
  const lines = code.trimEnd().split('\n');
  const header = lines.findLastIndex((l) => /^\/\/ Expected output/.test(l));
  return header < 0 ? undefined : lines.slice(header + 1).map((l) => l.replace(/^\/\/ ?/, '').trimEnd());
}

const snippets: Snippet[] = (await allBlocks(root))
  .filter((b) => /^(ts|typescript)$/.test(b.info))
  .map((b) => ({ ...b, name: `${b.file.replace(/[^A-Za-z0-9]+/g, '-')}-L${b.line}`, expected: expectedOutput(b.code) }));
const fragments = (await allBlocks(root)).filter((b) => /^(ts|typescript)\s+fragment\b/.test(b.info)).length;

await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
const base = JSON.parse(await readFile(path.join(root, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
await writeFile(path.join(work, 'tsconfig.json'), JSON.stringify({
  compilerOptions: {
    ...base.compilerOptions,
    // a snippet is an application, not a library: no declarations, no maps
    declaration: false, declarationMap: false, isolatedDeclarations: false, sourceMap: false, stripInternal: false,
    rootDir: '.', outDir: 'out', noEmit: false,
  },
  include: ['*.ts'],
}, null, 2));
for (const s of snippets) await writeFile(path.join(work, `${s.name}.ts`), s.code + '\n');

const where = (s: Snippet): string => `${s.file}:${s.line}`;
let failed = 0;

// 1. type-check and compile all snippets in one tsc run; map diagnostics back to the markdown lines
console.log(`type-checking ${snippets.length} snippets of ${new Set(snippets.map((s) => s.file)).size} files (${fragments} fragments skipped) …`);
const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', work, '--pretty', 'false'], { encoding: 'utf8' });
if (tsc.status !== 0) {
  for (const line of (tsc.stdout + tsc.stderr).split('\n').filter(Boolean)) {
    const m = /^(?:.*[\\/])?([^\\/]+)\.ts\((\d+),(\d+)\): (.*)$/.exec(line);
    const s = m ? snippets.find((x) => x.name === m[1]) : undefined;
    console.log(s && m ? `✖ ${s.file}:${s.line + Number(m[2]) - 1}:${m[3]} ${m[4]}` : `✖ ${line}`);
  }
  failed++;
}

// 2. run each compiled snippet in its own process, two at a time
async function run(s: Snippet): Promise<void> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'switchyard-doc-'));
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(work, 'out', `${s.name}.js`)], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, sig) => resolve([c, sig])));
  clearTimeout(timer);
  await rm(cwd, { recursive: true, force: true });
  const ms = Math.round(performance.now() - started);
  const actual = stdout.trimEnd().split('\n').map((l) => l.trimEnd());
  const mismatch = s.expected !== undefined && actual.join('\n') !== s.expected.join('\n');
  if (code === 0 && !mismatch) {
    console.log(`✔ ${where(s)} (${ms} ms${s.expected ? ', output matches' : ''})`);
    return;
  }
  failed++;
  console.log(`✖ ${where(s)} (${signal ? `killed by ${signal} after ${RUN_TIMEOUT_MS} ms` : `exit ${code}`}, ${ms} ms)`);
  if (mismatch) {
    for (let i = 0; i < Math.max(actual.length, s.expected!.length); i++) {
      if (actual[i] !== s.expected![i]) console.log(`  output line ${i + 1}\n    expected: ${s.expected![i]}\n    actual:   ${actual[i]}`);
    }
  }
  if (stderr) console.log(stderr.trimEnd().split('\n').slice(0, 15).map((l) => `  ${l}`).join('\n'));
}
if (tsc.status === 0) {
  const queue = [...snippets];
  await Promise.all([0, 1].map(async () => { for (let s = queue.shift(); s; s = queue.shift()) await run(s); }));
}
console.log(`${tsc.status === 0 ? snippets.length - failed : 0} of ${snippets.length} snippets type-checked and ran as documented`);
if (failed) process.exitCode = 1;
