// RELIABILITY E2: the prototype-pollution suites once more under `node --disable-proto=throw`,
// where any access to `__proto__` throws: proves no code path reads or writes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SUITES = [
  'test/router-bad-input.test.ts',
  'test/router-registry.test.ts',
  'test/router-explicit.test.ts',
  'test/gossip-hostile.test.ts',
  'test/stress/classify-prototype-pollution.test.ts',
  'test/classify-llm-bad-output.test.ts',
  'test/balance-config-validation.test.ts',
  'test/config-expand-env.test.ts',
  'test/feedback-log.test.ts',
];

test('E2 – the prototype-pollution suites pass under node --disable-proto=throw', () => {
  // without NODE_TEST_CONTEXT the child reports plain TAP instead of the runner's internal stream
  const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
  const run = spawnSync(process.execPath, ['--disable-proto=throw', '--import', 'tsx', '--test', '--test-reporter=tap', ...SUITES], {
    cwd: root, encoding: 'utf8', timeout: 240_000, env: { ...env, NODE_OPTIONS: '' },
  });
  const pass = Number(/^# pass (\d+)/m.exec(run.stdout)?.[1] ?? -1);
  const fail = Number(/^# fail (\d+)/m.exec(run.stdout)?.[1] ?? -1);
  assert.equal(run.status, 0, `exit ${run.status}\n${run.stdout.split('\n').filter((l) => l.startsWith('not ok')).join('\n')}\n${run.stderr.slice(0, 2000)}`);
  assert.equal(fail, 0);
  assert.ok(pass >= 40, `only ${pass} tests ran`);
});
