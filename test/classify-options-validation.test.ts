import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeRoutingSignals, RequestClassifier, type RequestClassifierOptions } from '../src/index.js';
import { ask } from './helpers/classify.js';

const bad: Array<[string, unknown, RegExp]> = [
  ['localContextCharLimit', Number.NaN, /Expected `localContextCharLimit` to be an integer in \[0, \d+\], got `NaN` \(number\)/],
  ['localContextCharLimit', -1, /localContextCharLimit/],
  ['localContextCharLimit', 'abc', /got `"abc"` \(string\)/],
  ['localContextCharLimit', Infinity, /localContextCharLimit/],
  ['maxLocalTurns', 1.5, /maxLocalTurns/],
  ['topTierScore', 2, /Expected `topTierScore` to be a finite number in \[0, 1\]/],
  ['deepReasoningKeywords', 'architecture', /deepReasoningKeywords/],
  ['deepReasoningKeywords', ['ok', ''], /Expected `deepReasoningKeywords\[1\]` to be a non-empty string/],
  ['simpleTaskPatterns', [42], /simpleTaskPatterns\[0\]/],
  ['deepReasoningMinMatches', 0, /deepReasoningMinMatches/],
  ['scanChars', 10, /scanChars/],
  ['tiers', [], /Expected `tiers` to be a non-empty array/],
  ['tiers', [{ name: 'a', provider: 'p' }], /tiers\[0\]\.model/],
  ['tiers', [{ name: 'a', provider: 'p', model: 'm' }, { name: 'A', provider: 'q', model: 'n' }], /Expected `tiers\[1\]\.name` to be unique/],
  ['tiers', ['local'], /tiers\[0\]/],
  ['defaultTier', 'gpt', /Expected `defaultTier` to be the name of a configured tier/],
  ['mode', 'smart', /Expected `mode` to be one of 'local_first', 'keyword'/],
  ['enabled', 'yes', /enabled/],
  ['classify', 'ollama', /Expected `classify` to be a function/],
  ['classifierTimeoutMs', 0, /classifierTimeoutMs/],
  ['classifierCacheSize', -5, /classifierCacheSize/],
  ['breakerThreshold', Number.NaN, /breakerThreshold/],
  ['breakerCooldownMs', '30s', /breakerCooldownMs/],
  ['maxClassifierOutputChars', 1, /maxClassifierOutputChars/],
  ['now', 5, /Expected `now` to be a function/],
  ['autoModels', 'auto', /autoModels/],
];

for (const [name, value, message] of bad) {
  test(`new RequestClassifier() – rejects ${name} = ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`, () => {
    assert.throws(() => new RequestClassifier({ [name]: value } as RequestClassifierOptions), (e: unknown) => {
      assert.ok(e instanceof Error && 'code' in e && e.code === 'ERR_INVALID_OPTION', String(e));
      assert.match(e.message, message);
      return true;
    });
  });
}

test('computeRoutingSignals() – invalid options throw ERR_INVALID_OPTION eagerly; non-objects are rejected', () => {
  assert.throws(() => computeRoutingSignals(ask('x'), { maxLocalTurns: -1 }), { code: 'ERR_INVALID_OPTION' });
  assert.throws(() => computeRoutingSignals(ask('x'), 5 as never), { code: 'ERR_INVALID_OPTION' });
  assert.throws(() => new RequestClassifier([] as never), { code: 'ERR_INVALID_OPTION' });
});

test('new RequestClassifier() – valid edge values are accepted', () => {
  const c = new RequestClassifier({
    tiers: [{ name: 'only', provider: 'p', model: 'm' }], classifierCacheSize: 0, breakerThreshold: 0,
    deepReasoningKeywords: [], localContextCharLimit: 0, topTierScore: 0,
  });
  assert.equal(c.signals(ask('Explain')).fallbackTier, 'only');
  assert.deepEqual(c.tiers.map((t) => t.name), ['only']);
});
