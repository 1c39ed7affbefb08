import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeRoutingSignals, RequestClassifier, type RequestClassifierOptions } from '../src/index.js';
import { ask } from './helpers/classify.js';

const bad: Array<[string, unknown, RegExp]> = [
  ['thresholds.localContextCharLimit', Number.NaN, /Expected `thresholds\.localContextCharLimit` to be an integer in \[0, \d+\], got `NaN` \(number\)/],
  ['thresholds.localContextCharLimit', -1, /thresholds\.localContextCharLimit/],
  ['thresholds.localContextCharLimit', 'abc', /got `"abc"` \(string\)/],
  ['thresholds.localContextCharLimit', Infinity, /thresholds\.localContextCharLimit/],
  ['thresholds.maxLocalTurns', 1.5, /thresholds\.maxLocalTurns/],
  ['thresholds.topTierScore', 2, /Expected `thresholds\.topTierScore` to be a finite number in \[0, 1\]/],
  ['phrases.deepReasoningKeywords', 'architecture', /phrases\.deepReasoningKeywords/],
  ['phrases.deepReasoningKeywords', ['ok', ''], /Expected `phrases\.deepReasoningKeywords\[1\]` to be a non-empty string/],
  ['phrases.simpleTaskPatterns', [42], /phrases\.simpleTaskPatterns\[0\]/],
  ['thresholds.deepReasoningMinMatches', 0, /thresholds\.deepReasoningMinMatches/],
  ['scan.chars', 10, /Expected `scan\.chars`/],
  ['tiers', [], /Expected `tiers` to be a non-empty array/],
  ['tiers', [{ name: 'a', provider: 'p' }], /tiers\[0\]\.model/],
  ['tiers', [{ name: 'a', provider: 'p', model: 'm' }, { name: 'A', provider: 'q', model: 'n' }], /Expected `tiers\[1\]\.name` to be unique/],
  ['tiers', ['local'], /tiers\[0\]/],
  ['defaultTier', 'gpt', /Expected `defaultTier` to be the name of a configured tier/],
  ['mode', 'smart', /Expected `mode` to be one of 'local_first', 'keyword'/],
  ['enabled', 'yes', /enabled/],
  ['llm.classify', 'ollama', /Expected `llm\.classify` to be a function/],
  ['llm.timeoutMs', 0, /Expected `llm\.timeoutMs`/],
  ['llm.cacheSize', -5, /Expected `llm\.cacheSize`/],
  ['llm.breaker.consecutiveFailures', Number.NaN, /Expected `llm\.breaker\.consecutiveFailures`/],
  ['llm.breaker.cooldownMs', '30s', /Expected `llm\.breaker\.cooldownMs`/],
  ['llm.maxOutputChars', 1, /Expected `llm\.maxOutputChars`/],
  ['now', 5, /Expected `now` to be a function/],
  ['autoModels', 'auto', /autoModels/],
];

/** `{ a: { b: value } }` for the path `'a.b'`. */
function at(path: string, value: unknown): Record<string, unknown> {
  return path.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

for (const [name, value, message] of bad) {
  test(`new RequestClassifier() – rejects ${name} = ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`, () => {
    assert.throws(() => new RequestClassifier(at(name, value) as RequestClassifierOptions), (e: unknown) => {
      assert.ok(e instanceof Error && 'code' in e && e.code === 'ERR_INVALID_OPTION', String(e));
      assert.match(e.message, message);
      return true;
    });
  });
}

test('computeRoutingSignals() – invalid options throw ERR_INVALID_OPTION eagerly; non-objects are rejected', () => {
  assert.throws(() => computeRoutingSignals(ask('x'), { thresholds: { maxLocalTurns: -1 } }), { code: 'ERR_INVALID_OPTION' });
  assert.throws(() => computeRoutingSignals(ask('x'), 5 as never), { code: 'ERR_INVALID_OPTION' });
  assert.throws(() => new RequestClassifier([] as never), { code: 'ERR_INVALID_OPTION' });
});

test('new RequestClassifier() – valid edge values are accepted', () => {
  const c = new RequestClassifier({
    tiers: [{ name: 'only', provider: 'p', model: 'm' }], llm: { cacheSize: 0, breaker: { consecutiveFailures: 0 } },
    phrases: { deepReasoningKeywords: [] }, thresholds: { localContextCharLimit: 0, topTierScore: 0 },
  });
  assert.equal(c.signals(ask('Explain')).fallbackTier, 'only');
  assert.deepEqual(c.tiers.map((t) => t.name), ['only']);
});
