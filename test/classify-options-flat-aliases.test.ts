// The 0.1 flat classifier option names still work until 0.3.0: each is moved onto its nested
// place before validation, so it behaves exactly as the nested name, errors name the nested
// path, and giving both names for one setting is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeRoutingSignals, RequestClassifier, type RequestClassifierOptions } from '../src/index.js';
import { ambiguous, ask } from './helpers/classify.js';

// flat name, nested path, a valid value, an invalid value
const aliases: Array<[string, string, unknown, unknown]> = [
  ['localContextCharLimit', 'thresholds.localContextCharLimit', 100, -1],
  ['maxLocalTurns', 'thresholds.maxLocalTurns', 3, 1.5],
  ['shortMessageChars', 'thresholds.shortMessageChars', 10, -1],
  ['shortSystemPromptChars', 'thresholds.shortSystemPromptChars', 10, -1],
  ['maxFileReferences', 'thresholds.maxFileReferences', 2, -1],
  ['deepReasoningMinMatches', 'thresholds.deepReasoningMinMatches', 1, 0],
  ['topTierScore', 'thresholds.topTierScore', 0.3, 2],
  ['deepReasoningKeywords', 'phrases.deepReasoningKeywords', ['tokenizer'], 'x'],
  ['simpleTaskPatterns', 'phrases.simpleTaskPatterns', ['tidy'], 'x'],
  ['agenticMarkers', 'phrases.agenticMarkers', ['robot'], 'x'],
  ['multiFilePatterns', 'phrases.multiFilePatterns', ['many files'], 'x'],
  ['editVerbs', 'phrases.editVerbs', ['tweak'], 'x'],
  ['fileExtensions', 'phrases.fileExtensions', ['ts'], 'x'],
  ['scanChars', 'scan.chars', 128, 10],
  ['maxScanMessages', 'scan.maxMessages', 8, 0],
  ['maxScanBlocks', 'scan.maxBlocks', 8, 0],
  ['classify', 'llm.classify', () => ({ tier: 'opus' }), 'ollama'],
  ['classifierTimeoutMs', 'llm.timeoutMs', 100, 0],
  ['classifierCacheSize', 'llm.cacheSize', 0, -5],
  ['maxClassifierOutputChars', 'llm.maxOutputChars', 64, 1],
  ['breakerThreshold', 'llm.breaker.consecutiveFailures', 2, Number.NaN],
  ['breakerCooldownMs', 'llm.breaker.cooldownMs', 10, '30s'],
];

function at(path: string, value: unknown): Record<string, unknown> {
  return path.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

const make = (o: Record<string, unknown>): RequestClassifier => new RequestClassifier(o as RequestClassifierOptions);

for (const [flat, nested, good, bad] of aliases) {
  test(`new RequestClassifier() – deprecated \`${flat}\` works as \`${nested}\``, async () => {
    const judge = (): { tier: string } => ({ tier: 'opus' });
    const byFlat = make(flat === 'classify' ? { [flat]: good } : { [flat]: good, llm: { classify: judge } });
    const nestedOptions = at(nested, good);
    if (flat !== 'classify') nestedOptions['llm'] = { classify: judge, ...(nestedOptions['llm'] as object | undefined) };
    const byNested = make(nestedOptions);
    for (const r of [ask('Explain this regex'), ambiguous(), ask('Refactor the architecture of the tokenizer in a.ts and b.ts')]) {
      assert.deepEqual(await byFlat.decide(r), await byNested.decide(r));
      assert.deepEqual(byFlat.signals(r), byNested.signals(r));
    }
    // An invalid flat value is reported under the nested name.
    assert.throws(() => make({ [flat]: bad }), (e: unknown) => {
      assert.ok(e instanceof Error && 'code' in e && e.code === 'ERR_INVALID_OPTION');
      assert.match(e.message, new RegExp(`\`${nested.replaceAll('.', '\\.')}(\\[\\d+\\])?\``));
      return true;
    });
  });

  test(`new RequestClassifier() – \`${flat}\` and \`${nested}\` together are ERR_INVALID_OPTION naming both`, () => {
    const both = at(nested, good);
    both[flat] = good;
    assert.throws(() => make(both), (e: unknown) => {
      assert.ok(e instanceof Error && 'code' in e && e.code === 'ERR_INVALID_OPTION');
      assert.ok(e.message.includes(`\`${flat}\``) && e.message.includes(`\`${nested}\``), e.message);
      return true;
    });
  });
}

test('new RequestClassifier() – flat names beside other settings of the same group merge into it', () => {
  const c = make({ thresholds: { maxLocalTurns: 1 }, localContextCharLimit: 5, llm: { timeoutMs: 50 }, classify: () => 'x' });
  assert.equal(c.signals(ask('a slightly longer question')).band, 'REMOTE');
});

test('new RequestClassifier() – the caller\'s option objects are not mutated', () => {
  const thresholds = { maxLocalTurns: 1 };
  const options = { thresholds, localContextCharLimit: 5 };
  make(options);
  assert.deepEqual(options, { thresholds: { maxLocalTurns: 1 }, localContextCharLimit: 5 });
  assert.deepEqual(thresholds, { maxLocalTurns: 1 });
});

test('new RequestClassifier() – a group that is not an object is ERR_INVALID_OPTION naming it', () => {
  for (const group of ['thresholds', 'phrases', 'scan', 'llm']) {
    assert.throws(() => make({ [group]: 5 }), { code: 'ERR_INVALID_OPTION', message: new RegExp(`\`${group}\``) });
  }
  assert.throws(() => make({ llm: { breaker: 'on' } }), { code: 'ERR_INVALID_OPTION', message: /`llm\.breaker`/ });
  assert.throws(() => make({ llm: 5, classifierTimeoutMs: 10 }), { code: 'ERR_INVALID_OPTION', message: /`llm`/ });
});

test('computeRoutingSignals() – deprecated flat phase-1 names work and map onto the nested ones', () => {
  const r = ask('Refactor the tokenizer');
  assert.deepEqual(computeRoutingSignals(r, { deepReasoningKeywords: ['tokenizer'], deepReasoningMinMatches: 1 }),
    computeRoutingSignals(r, { phrases: { deepReasoningKeywords: ['tokenizer'] }, thresholds: { deepReasoningMinMatches: 1 } }));
  assert.throws(() => computeRoutingSignals(r, { scanChars: 100, scan: { chars: 100 } }), { code: 'ERR_INVALID_OPTION' });
});
