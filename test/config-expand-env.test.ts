// E5: ${VAR} expansion on parsed trees: table tests, nesting limits, cycles, literal insertion,
// no secrets in messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandEnv, expandString, isSwitchyardError } from '../src/index.js';

const env = { HOST: 'example.com', EMPTY: '', PORT: '8080', TRICKY: '"}${HOST}\nx: 1' };

test('expandString() – table of forms', () => {
  const table: [string, string][] = [
    ['${HOST}', 'example.com'],
    ['http://${HOST}:${PORT}/v1', 'http://example.com:8080/v1'],
    ['${MISSING:-dflt}', 'dflt'],
    ['${EMPTY:-dflt}', 'dflt'],
    ['${EMPTY-dflt}', ''],
    ['${MISSING-dflt}', 'dflt'],
    ['${HOST:-dflt}', 'example.com'],
    ['${MISSING:-}', ''],
    ['$$HOST costs $$5', '$HOST costs $5'],
    ['$$${HOST}', '$example.com'],
    ['a $ b $x', 'a $ b $x'],
    ['${A:-${B:-x}}', 'x'],
    ['${A:-${HOST}}', 'example.com'],
    ['${HOST:-${UNSET_WITHOUT_DEFAULT}}', 'example.com'],
    ['${A:-{braces} ok}', '{braces ok}'], // the default ends at the first `}` outside a nested `${` (as in Compose)
    ['no vars at all', 'no vars at all'],
  ];
  for (const [input, want] of table) assert.equal(expandString(input, { env }), want, input);
});

function throwsCode(fn: () => unknown, code: string, notIn?: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(isSwitchyardError(e), `expected SwitchyardError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (notIn !== undefined) assert.ok(!e.message.includes(notIn), `message echoes a value: ${e.message}`);
    return;
  }
  assert.fail('did not throw');
}

test('expandString() – unset without default is an error; :? and ? carry the author\'s message', () => {
  throwsCode(() => expandString('${NOPE}', { env }), 'ERR_CONFIG');
  throwsCode(() => expandString('${NOPE:?set NOPE please}', { env }), 'ERR_CONFIG');
  throwsCode(() => expandString('${EMPTY:?must not be empty}', { env }), 'ERR_CONFIG');
  assert.equal(expandString('${EMPTY?must be set}', { env }), '');
  assert.throws(() => expandString('${NOPE:?set NOPE please}', { env }), /set NOPE please/);
  for (const bad of ['${', '${}', '${1X}', '${HOST', '${HOST:x}', '${A:-${B}']) throwsCode(() => expandString(bad, { env }), 'ERR_CONFIG');
});

test('expandString() – nesting depth 10 is fine, depth > 32 is a typed error (no stack overflow)', () => {
  const nest = (d: number): string => (d === 0 ? 'x' : `\${V${d}:-${nest(d - 1)}}`);
  assert.equal(expandString(nest(10)), 'x');
  throwsCode(() => expandString(nest(33)), 'ERR_CONFIG');
  throwsCode(() => expandString(nest(5000)), 'ERR_CONFIG');
});

test('expandString() – self-reference and cycles among vars are ERR_CONFIG_CYCLE, not a stack overflow', () => {
  throwsCode(() => expandString('${X}', { vars: { X: '${X}' } }), 'ERR_CONFIG_CYCLE');
  throwsCode(() => expandString('${A}', { vars: { A: 'a${B}', B: 'b${A}' } }), 'ERR_CONFIG_CYCLE');
  throwsCode(() => expandString('${A:-d}', { vars: { A: '${B:-${A}}' } }), 'ERR_CONFIG_CYCLE');
  assert.equal(expandString('${A}', { vars: { A: '${B}-${B}', B: 'b' } }), 'b-b');
  assert.equal(expandString('${A}', { vars: { A: '${HOST}' }, env }), 'example.com');
  const chain = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`V${i}`, i === 99 ? 'end' : `\${V${i + 1}}`]));
  throwsCode(() => expandString('${V0}', { vars: chain }), 'ERR_CONFIG');
});

test('expandEnv() – substituted values are inserted literally: no re-expansion, no structure injection', () => {
  const out = expandEnv({ a: '${TRICKY}', list: ['${HOST}', 3, true, null] }, { env });
  assert.deepEqual(out, { a: '"}${HOST}\nx: 1', list: ['example.com', 3, true, null] });
});

test('expandEnv() – returns a copy, leaves keys alone, keeps __proto__ as an own key', () => {
  const input = JSON.parse('{"__proto__": {"polluted": "${HOST}"}, "${HOST}": "k"}') as Record<string, unknown>;
  const out = expandEnv(input, { env }) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ['__proto__', '${HOST}']);
  assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, { polluted: 'example.com' });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal((input['${HOST}'] as string), 'k');
});

test('expandEnv() – deep and cyclic trees are typed errors', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 10_000; i++) deep = { d: deep };
  throwsCode(() => expandEnv(deep), 'ERR_CONFIG');
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic['self'] = cyclic;
  throwsCode(() => expandEnv(cyclic), 'ERR_CONFIG_CYCLE');
  const shared = { x: '${HOST}' };
  assert.deepEqual(expandEnv({ a: shared, b: shared }, { env }), { a: { x: 'example.com' }, b: { x: 'example.com' } });
});

test('expandEnv() – error messages never contain variable values (secrets)', () => {
  const secret = 'sk-live-SECRET-123';
  throwsCode(() => expandString('${KEY}${NOPE}', { env: { KEY: secret } }), 'ERR_CONFIG', secret);
  throwsCode(() => expandString('${A}', { vars: { A: `${secret}\${A}` } }), 'ERR_CONFIG_CYCLE', secret);
  throwsCode(() => expandString('${KEY:-x}${BAD', { env: { KEY: secret } }), 'ERR_CONFIG', secret);
});
