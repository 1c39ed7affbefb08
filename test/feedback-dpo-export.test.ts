// exportDpoDataset(): validation with counts, dedupe, DPO shape, streaming with bounded memory,
// atomic output, and a log cut short by a real SIGKILL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportDpoDataset } from '../src/index.js';
import { HashSet64 } from '../src/telemetry/hash-set-64.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-dpo-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const jsonl = (rows: unknown[]): string => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

test('exportDpoDataset() – drops invalid lines with counts and reasons, dedupes, writes {prompt, chosen, rejected}', async (t) => {
  const dir = await tempDir(t);
  const input = path.join(dir, 'fb.jsonl');
  const output = path.join(dir, 'train.jsonl');
  await writeFile(input, jsonl([
    { prompt: 'q1', chosen: 'good', rejected: 'bad', meta: { user: 'u1' }, ts: 1 },
    '{"prompt": "q2", "chosen": ', // truncated
    { prompt: 'q1', chosen: 'good', rejected: 'bad', meta: { user: 'u2' }, ts: 2 }, // duplicate pair
    '',
    { prompt: 'q3', chosen: 'same', rejected: 'same' },
    [1, 2, 3],
    { prompt: [{ role: 'user', content: 'q4' }], chosen: [{ role: 'assistant', content: 'a', extra: 1 }], rejected: [{ role: 'assistant', content: 'b' }] },
    '   ',
    { prompt: 'q5', chosen: 'x', rejected: 'y' },
  ]));
  const report = await exportDpoDataset(input, output);
  assert.deepEqual(report, {
    lines: 7, written: 3, invalid: 3, duplicates: 1, filtered: 0,
    invalidSamples: [
      { line: 2, reason: 'malformed JSON' },
      { line: 5, reason: '`chosen` equals `rejected`' },
      { line: 6, reason: 'not a JSON object' },
    ],
  });
  const out = (await readFile(output, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(out, [
    { prompt: 'q1', chosen: 'good', rejected: 'bad' },
    { prompt: [{ role: 'user', content: 'q4' }], chosen: [{ role: 'assistant', content: 'a' }], rejected: [{ role: 'assistant', content: 'b' }] },
    { prompt: 'q5', chosen: 'x', rejected: 'y' },
  ]);
});

test('exportDpoDataset() – includeMeta, filter, dedupe:false; the last line may lack a newline', async (t) => {
  const dir = await tempDir(t);
  const input = path.join(dir, 'fb.jsonl');
  const output = path.join(dir, 'train.jsonl');
  await writeFile(input, jsonl([
    { prompt: 'q1', chosen: 'a', rejected: 'b', meta: { score: 0.9 } },
    { prompt: 'q1', chosen: 'a', rejected: 'b', meta: { score: 0.9 } },
  ]) + JSON.stringify({ prompt: 'q2', chosen: 'a', rejected: 'b', meta: { score: 0.1 } }));
  const report = await exportDpoDataset(input, output, {
    includeMeta: true, dedupe: false, filter: (r) => (r.meta?.['score'] as number) > 0.5,
  });
  assert.deepEqual({ ...report, invalidSamples: undefined }, { lines: 3, written: 2, invalid: 0, duplicates: 0, filtered: 1, invalidSamples: undefined });
  assert.equal(await readFile(output, 'utf8'), jsonl([
    { prompt: 'q1', chosen: 'a', rejected: 'b', meta: { score: 0.9 } },
    { prompt: 'q1', chosen: 'a', rejected: 'b', meta: { score: 0.9 } },
  ]));
});

test('exportDpoDataset() – a line over maxLineBytes is skipped without buffering it whole', async (t) => {
  const dir = await tempDir(t);
  const input = path.join(dir, 'fb.jsonl');
  const output = path.join(dir, 'train.jsonl');
  const huge = JSON.stringify({ prompt: 'x'.repeat(300_000), chosen: 'a', rejected: 'b' });
  await writeFile(input, jsonl([{ prompt: 'q1', chosen: 'a', rejected: 'b' }, huge, { prompt: 'q2', chosen: 'a', rejected: 'b' }]) + huge);
  const report = await exportDpoDataset(input, output, { maxLineBytes: 1024 });
  assert.equal(report.written, 2);
  assert.equal(report.invalid, 2);
  assert.deepEqual(report.invalidSamples.map((s) => s.line), [2, 4]);
});

test('exportDpoDataset() – typed errors; a failed export leaves no output and no temp file', async (t) => {
  const dir = await tempDir(t);
  const output = path.join(dir, 'train.jsonl');
  await assert.rejects(exportDpoDataset(path.join(dir, 'missing.jsonl'), output), { code: 'ERR_FEEDBACK_IO' });
  await assert.rejects(exportDpoDataset('', output), { code: 'ERR_INVALID_OPTION' });
  const input = path.join(dir, 'fb.jsonl');
  await writeFile(input, jsonl([{ prompt: 'q', chosen: 'a', rejected: 'b' }]));
  await assert.rejects(exportDpoDataset(input, path.join(dir, 'no-such-dir', 'train.jsonl')), { code: 'ERR_FEEDBACK_IO' });
  await assert.rejects(exportDpoDataset(input, output, { maxLineBytes: -1 }), { code: 'ERR_INVALID_OPTION' });
  await assert.rejects(exportDpoDataset(input, output, { signal: AbortSignal.abort() }), { code: 'ERR_ABORTED' });
  assert.deepEqual((await readdir(dir)).sort(), ['fb.jsonl'], 'no partial training file, no temp file');
});

test('HashSet64 – grows, keeps every key, reports duplicates', () => {
  const set = new HashSet64();
  for (let i = 0; i < 50_000; i++) assert.equal(set.add(i * 7919, i), true);
  for (let i = 0; i < 50_000; i += 97) assert.equal(set.add(i * 7919, i), false);
  assert.equal(set.add(1, 0), true, 'same lo, different hi is a different key');
  assert.equal(set.size, 50_001);
  assert.ok(set.bytes <= 50_001 * 4 * 9, `${set.bytes} bytes`);
});

test('exportDpoDataset() – streams a 64 MB log with bounded memory (RSS growth far below the file size)', async (t) => {
  const dir = await tempDir(t);
  const input = path.join(dir, 'big.jsonl');
  const output = path.join(dir, 'train.jsonl');
  const filler = 'lorem ipsum dolor sit amet '.repeat(60); // ~1.6 KB per record
  const target = 64 * 1024 * 1024;
  const ws = createWriteStream(input);
  let size = 0;
  let n = 0;
  while (size < target) {
    let chunk = '';
    for (let j = 0; j < 200; j++, n++) {
      // every 10th record repeats an earlier one; every 1000th line is garbage
      const id = n % 10 === 9 ? n - 9 : n;
      chunk += n % 1000 === 999 ? 'not json\n' : JSON.stringify({ prompt: `question ${id} ${filler}`, chosen: `good ${id}`, rejected: `bad ${id}`, meta: { id } }) + '\n';
    }
    size += Buffer.byteLength(chunk);
    if (!ws.write(chunk)) await once(ws, 'drain');
  }
  ws.end();
  await once(ws, 'finish');
  assert.ok((await stat(input)).size >= target);

  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const report = await exportDpoDataset(input, output);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const growthMb = (peak - rssBefore) / 2 ** 20;
  t.diagnostic(`${n} lines, ${(size / 2 ** 20).toFixed(0)} MB in, RSS growth ${growthMb.toFixed(1)} MB`);
  assert.equal(report.lines, n);
  assert.equal(report.invalid, Math.floor(n / 1000));
  assert.ok(report.duplicates > n / 12, `${report.duplicates} duplicates`);
  assert.equal(report.written + report.duplicates + report.invalid, n);
  assert.ok(growthMb < 48, `RSS grew ${growthMb.toFixed(1)} MB while streaming a ${(size / 2 ** 20).toFixed(0)} MB file`);
});

test('exportDpoDataset() – a FeedbackLog killed with SIGKILL mid-write still exports every complete line', async (t) => {
  const dir = await tempDir(t);
  const log = path.join(dir, 'fb.jsonl');
  const writer = fileURLToPath(new URL('./helpers/feedback-writer.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', writer, log], { stdio: ['ignore', 'pipe', 'inherit'] });
  // The child prints "ready" after its first flushed batch, then keeps recording until killed.
  const [first] = (await once(child.stdout, 'data')) as [Buffer];
  assert.match(first.toString(), /ready/);
  child.kill('SIGKILL');
  await once(child, 'exit');
  const text = await readFile(log, 'utf8');
  const complete = text.split('\n').slice(0, -1); // everything before the last newline
  const report = await exportDpoDataset(log, path.join(dir, 'train.jsonl'));
  assert.ok(complete.length >= 100, `${complete.length} complete lines`);
  assert.equal(report.written, complete.length, 'every complete line exported');
  assert.equal(report.invalid, text.endsWith('\n') ? 0 : 1, 'only a torn last line can be invalid');
});
