import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchyardError, isSwitchyardError } from '../src/index.js';

test('isSwitchyardError() – recognises instances and cross-realm look-alikes, rejects others', () => {
  const e = new SwitchyardError('ERR_INVALID_OPTION', 'bad', { cause: new Error('inner'), details: { option: 'x' } });
  assert.equal(isSwitchyardError(e), true);
  assert.equal(e.code, 'ERR_INVALID_OPTION');
  assert.equal(e.name, 'SwitchyardError');
  assert.ok(e.cause instanceof Error);
  assert.deepEqual(e.details, { option: 'x' });
  assert.equal(isSwitchyardError({ name: 'SwitchyardError', code: 'ERR_TIMEOUT' }), true);
  assert.equal(isSwitchyardError(new Error('x')), false);
  assert.equal(isSwitchyardError(null), false);
  assert.equal(isSwitchyardError({ name: 'SwitchyardError' }), false);
});
