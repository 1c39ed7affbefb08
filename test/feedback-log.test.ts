// FeedbackLog: batched async appends to a real file, bounded queue, flush on close, typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FeedbackLog, type SwitchyardError } from '../src/index.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-feedback-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function readLines(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), 'file ends with a newline');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('FeedbackLog#record() – returns before any write; close() appends every record in order', async (t) => {
  const file = path.join(await tempDir(t), 'fb.jsonl');
  const log = await FeedbackLog.open(file, { wallClock: () => 1700000000000, maxBatch: 64 });
  for (let i = 0; i < 5000; i++) {
    assert.equal(log.record({ prompt: `q${i}`, chosen: 'dev/code', rejected: 'farm/llama', meta: { i } }), true);
  }
  assert.equal((await stat(file)).size, 0, 'nothing written synchronously: routing never waits for the disk');
  assert.equal(log.stats().queued, 5000);
  await log.close();
  const lines = await readLines(file);
  assert.equal(lines.length, 5000);
  assert.deepEqual(lines[0], { prompt: 'q0', chosen: 'dev/code', rejected: 'farm/llama', meta: { i: 0 }, ts: 1700000000000 });
  assert.ok(lines.every((l, i) => l['prompt'] === `q${i}`), 'order kept across batches');
  assert.deepEqual(log.stats(), { recorded: 5000, written: 5000, dropped: 0, lost: 0, queued: 0, bytes: (await stat(file)).size });
});

test('FeedbackLog – appends in the background without flush(); conversational records round-trip', async (t) => {
  const file = path.join(await tempDir(t), 'fb.jsonl');
  const log = await FeedbackLog.open(file);
  const prompt = [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }];
  const written = new Promise<{ records: number }>((resolve) => log.once('batch:written', resolve));
  log.record({ prompt, chosen: [{ role: 'assistant', content: 'hello' }], rejected: [{ role: 'assistant', content: 'HELLO!!!' }] });
  const batch = await written;
  assert.equal(batch.records, 1, 'written by the background batch, no flush() called');
  assert.equal(log.stats().written, 1);
  const [line] = await readLines(file);
  assert.deepEqual(line!['prompt'], prompt);
  await log.close();
});

test('FeedbackLog – a full queue drops records with false and counts them (bounded memory)', async (t) => {
  const file = path.join(await tempDir(t), 'fb.jsonl');
  const log = await FeedbackLog.open(file, { maxQueue: 100 });
  const accepted = Array.from({ length: 150 }, (_, i) => log.record({ prompt: `q${i}`, chosen: 'a', rejected: 'b' }));
  assert.equal(accepted.filter(Boolean).length, 100);
  assert.equal(accepted.indexOf(false), 100);
  await log.flush();
  assert.equal(log.record({ prompt: 'after flush', chosen: 'a', rejected: 'b' }), true, 'space again once written');
  await log.close();
  assert.equal((await readLines(file)).length, 101);
  assert.equal(log.stats().dropped, 50);
});

test('FeedbackLog#record() – typed errors for bad records, oversize records and use after close', async (t) => {
  const file = path.join(await tempDir(t), 'fb.jsonl');
  const log = await FeedbackLog.open(file, { maxRecordBytes: 200 });
  const bad: unknown[] = [
    null, 'text', { prompt: '', chosen: 'a', rejected: 'b' }, { prompt: 'p', chosen: 'a', rejected: 'a' },
    { prompt: 'p', chosen: 'a' }, { prompt: [{ role: 'user' }], chosen: 'a', rejected: 'b' },
    { prompt: 'p', chosen: 'a', rejected: 'b', meta: 'x' }, { prompt: 'p', chosen: 'a', rejected: 'b', meta: { n: 1n } },
    JSON.parse('{"prompt":"p","chosen":"a","rejected":"b","__proto__":{"polluted":true}}'),
  ];
  for (const r of bad.slice(0, -1)) {
    assert.throws(() => log.record(r as never), (e: SwitchyardError) => e.code === 'ERR_INVALID_FEEDBACK', JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  }
  assert.equal(log.record(bad.at(-1) as never), true, 'own __proto__ key is ignored, not merged');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.throws(() => log.record({ prompt: 'x'.repeat(300), chosen: 'a', rejected: 'b' }), { code: 'ERR_RECORD_TOO_LARGE' });
  await log.close();
  await log.close(); // idempotent
  assert.throws(() => log.record({ prompt: 'p', chosen: 'a', rejected: 'b' }), { code: 'ERR_CLOSED' });
  const lines = await readLines(file);
  assert.equal(lines.length, 1);
  assert.deepEqual(Object.keys(lines[0]!), ['prompt', 'chosen', 'rejected', 'ts']);
});

test('FeedbackLog.open() – bad options and an unopenable path are typed errors', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(FeedbackLog.open(''), { code: 'ERR_INVALID_OPTION' });
  await assert.rejects(FeedbackLog.open(path.join(dir, 'x.jsonl'), { maxQueue: 0 }), { code: 'ERR_INVALID_OPTION' });
  await assert.rejects(FeedbackLog.open(path.join(dir, 'missing-dir', 'x.jsonl')), { code: 'ERR_FEEDBACK_IO' });
});

test('FeedbackLog – a failing disk (/dev/full) emits batch:failed, rejects close() and stops accepting', { skip: process.platform !== 'linux' }, async () => {
  const log = await FeedbackLog.open('/dev/full');
  const failures: SwitchyardError[] = [];
  log.on('batch:failed', (e) => failures.push(e));
  assert.equal(log.record({ prompt: 'p', chosen: 'a', rejected: 'b' }), true);
  await assert.rejects(log.flush(), { code: 'ERR_FEEDBACK_IO' });
  assert.equal(failures.length, 1);
  assert.match(String((failures[0]!.cause as Error).message), /ENOSPC/);
  assert.equal(log.record({ prompt: 'p2', chosen: 'a', rejected: 'b' }), false, 'refused after the failure');
  assert.deepEqual({ ...log.stats(), bytes: 0 }, { recorded: 1, written: 0, dropped: 1, lost: 1, queued: 0, bytes: 0 });
  await assert.rejects(log.close(), { code: 'ERR_FEEDBACK_IO' });
});

test('FeedbackLog – the deprecated write:failed still fires, after batch:failed and with the same error', { skip: process.platform !== 'linux' }, async () => {
  const log = await FeedbackLog.open('/dev/full');
  const heard: Array<[string, SwitchyardError]> = [];
  log.on('write:failed', (e) => heard.push(['write:failed', e]));
  log.on('batch:failed', (e) => heard.push(['batch:failed', e]));
  log.record({ prompt: 'p', chosen: 'a', rejected: 'b' });
  await assert.rejects(log.flush(), { code: 'ERR_FEEDBACK_IO' });
  assert.deepEqual(heard.map(([name]) => name), ['batch:failed', 'write:failed']);
  assert.equal(heard[0]![1], heard[1]![1]);
  await assert.rejects(log.close(), { code: 'ERR_FEEDBACK_IO' });
});

test('FeedbackLog.open() – the deprecated `now` still sets the wall clock; `now` and `wallClock` together are ERR_INVALID_OPTION', async (t) => {
  const file = path.join(await tempDir(t), 'fb.jsonl');
  const log = await FeedbackLog.open(file, { now: () => 1700000000001 });
  log.record({ prompt: 'p', chosen: 'a', rejected: 'b' });
  await log.close();
  assert.equal((await readLines(file))[0]!['ts'], 1700000000001);
  await assert.rejects(FeedbackLog.open(file, { now: Date.now, wallClock: Date.now }), (e: unknown) => {
    assert.ok(e instanceof Error && 'code' in e && e.code === 'ERR_INVALID_OPTION');
    assert.match(e.message, /`now` \(deprecated\) and `wallClock`/);
    return true;
  });
  await assert.rejects(FeedbackLog.open(file, { wallClock: 5 as never }), { code: 'ERR_INVALID_OPTION', message: /`wallClock`/ });
});
