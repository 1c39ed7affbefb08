import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { evaluate, labelToDomain, type Dataset } from '../bench/eval-core.js';

const DATA: Dataset = {
  train: [
    ['my llama is limping', 'llama_care'], ['alpaca shearing season', 'llama_care'], ['llama herd health', 'llama_care'],
    ['fix the failing unit test', 'code_help'], ['refactor this typescript class', 'code_help'], ['javascript bug in my loop', 'code_help'],
    ['will it rain tomorrow', 'weather'], ['temperature forecast for paris', 'weather'], ['is it sunny this weekend', 'weather'],
  ],
  val: [['the llama herd needs shearing', 'llama_care'], ['unit test for typescript', 'code_help'], ['rain forecast tomorrow', 'weather']],
  oos_val: [['zzz qqq xxx', 'oos'], ['purple submarine orchestra', 'oos']],
};

test('labelToDomain() – accepts { label: domain } and { domain: [labels] }', () => {
  assert.deepEqual([...labelToDomain({ a: 'x', b: 'y' })], [['a', 'x'], ['b', 'y']]);
  assert.deepEqual([...labelToDomain({ x: ['a', 'b'] })], [['a', 'x'], ['b', 'x']]);
  assert.equal(labelToDomain(null).size, 0);
});

test('evaluate() – scores a small dataset of the CLINC150 shape: intent, domain, OOS through the threshold', async () => {
  const domains = labelToDomain({ animals: ['llama_care'], tech: ['code_help'], outside: ['weather'] });
  const r = await evaluate(DATA, domains, { name: 'hash', k: 10, aggregate: 'max' });
  assert.equal(r.intentAcc, 1);
  assert.equal(r.domainAcc, 1);
  assert.equal(r.queries, 5);
  assert.equal(r.oosRecall, 1, `threshold ${r.threshold}`);
  assert.equal(r.oosPrecision, 1);
  const noOos = await evaluate({ train: DATA['train']!, val: DATA['val']! }, new Map(), { name: 'hash', k: 1, aggregate: 'centroid' });
  assert.deepEqual([noOos.k, noOos.oosRecall, noOos.domainAcc, noOos.threshold, noOos.queries], ['1', undefined, undefined, -1, 3]);
});

test('npm run eval – CLI writes the report file for any dataset of that shape', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchyard-eval-'));
  try {
    const file = path.join(dir, 'data.json');
    await writeFile(file, JSON.stringify(DATA));
    const out = path.join(dir, 'QUALITY.md');
    const root = fileURLToPath(new URL('..', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/eval.ts', file, '--out', out, '--quick'], { cwd: root });
    assert.match(stdout, /intent 100\.0%/);
    const md = await readFile(out, 'utf8');
    assert.match(md, /evaluated split: `val`/);
    // the default path first, then fit: false; the router's own threshold in a second table
    assert.match(md, /\| defaults: create\(\{ projects \}\) \| 10 \| \d+\.\d% \| n\/a \|/);
    assert.match(md, /\| fit: false \(unfitted, max over examples\) \| 10 \| 100\.0% \| n\/a \|/);
    assert.ok(md.indexOf('defaults: create') < md.indexOf('fit: false ('));
    assert.match(md, /\| config \| K \| kept \| router threshold \| OOS recall \| OOS precision \| in-scope loss \(points\) \|/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
