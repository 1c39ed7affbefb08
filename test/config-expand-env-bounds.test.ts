// Issue 12 finding 7: expandEnv walks a shared subtree once (YAML anchors make DAGs whose
// paths number 2^depth) and bounds its output with a typed error instead of a RangeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandEnv, expandString, isSwitchyardError } from '../src/index.js';
import { withinSync } from './helpers/bounded.js';

const isConfigError = (e: unknown): boolean => isSwitchyardError(e) && e.code === 'ERR_CONFIG';

test('expandEnv – a DAG of depth 40 (2^40 paths) expands in linear time and keeps the sharing', () => {
  let node: unknown = { url: '${HOST}/v1' };
  for (let i = 0; i < 40; i++) node = { a: node, b: node };
  const out = withinSync('expandEnv DAG', 1000, () => expandEnv(node, { env: { HOST: 'h' } })) as Record<string, unknown>;
  let leaf: Record<string, unknown> = out;
  for (let i = 0; i < 40; i++) {
    assert.equal(leaf['a'], leaf['b'], 'shared in the input, shared in the output');
    leaf = leaf['a'] as Record<string, unknown>;
  }
  assert.equal(leaf['url'], 'h/v1');
});

test('expandEnv / expandString – self-doubling variables end in ERR_CONFIG, not RangeError', () => {
  const vars: Record<string, string> = { V0: 'xxxxxxxx' };
  for (let i = 1; i <= 40; i++) vars[`V${i}`] = `\${V${i - 1}}\${V${i - 1}}`;
  assert.throws(() => withinSync('expandString doubling', 2000, () => expandString('${V40}', { vars })), isConfigError);
  assert.throws(() => withinSync('expandEnv doubling', 2000, () => expandEnv({ a: ['${V40}'] }, { vars })), isConfigError);
  // the same through defaults and env
  const big = 'y'.repeat(1 << 20);
  assert.throws(() => expandString('${BIG}'.repeat(32), { env: { BIG: big } }), isConfigError);
  // the bound is an option; a small tree stays within it
  assert.equal(expandString('${V3}', { vars, maxOutputChars: 64 }).length, 64);
  assert.throws(() => expandString('${V4}', { vars, maxOutputChars: 64 }), isConfigError);
  // a shared string subtree counts once, so a DAG of big strings is still fine
  let node: unknown = ['${BIG}'];
  for (let i = 0; i < 30; i++) node = [node, node];
  assert.doesNotThrow(() => expandEnv(node, { env: { BIG: big } }));
});

test('expandEnv – a sparse array of 2^32−1 holes is refused, not walked', () => {
  assert.throws(() => withinSync('expandEnv sparse', 1000, () => expandEnv({ list: new Array(2 ** 32 - 1) })), isConfigError);
  assert.throws(() => expandEnv({ x: 1 }, { maxOutputChars: 0 }), (e) => isSwitchyardError(e) && e.code === 'ERR_INVALID_OPTION');
});
