import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSafePattern } from '../src/router/safe-pattern.js';
import { KeywordMatcher } from '../src/router/keyword-matcher.js';

function labels(m: KeywordMatcher<string>, text: string): string[] {
  m.match(text);
  return m.hits.map((h) => `${h.owner}:${h.kind}:${h.label}`).sort();
}

test('KeywordMatcher#match() – words and phrases, case/NFKC-insensitive, each rule once per query', () => {
  const m = new KeywordMatcher<string>();
  m.add('ml', ['machine learning', 'GPU'], 'science', [], 0.15, 0.05);
  m.add('farm', ['llama'], '', [], 0.15, 0.05);
  assert.deepEqual(labels(m, 'Machine Learning on a gpu, more gpu, more MACHINE learning'), ['ml:keyword:GPU', 'ml:keyword:machine learning']);
  assert.deepEqual(labels(m, 'machine for learning'), []); // phrase must be contiguous
  assert.deepEqual(labels(m, 'llamas'), []); // whole words only
  assert.deepEqual(labels(m, 'a llama and science'), ['farm:keyword:llama', 'ml:domain:science']);
  assert.deepEqual(labels(m, 'machine'), []); // phrase cut at the end of the text
});

test('KeywordMatcher#remove() – drops only that owner\'s rules; re-adding replaces', () => {
  const m = new KeywordMatcher<string>();
  m.add('a', ['shared', 'alpha'], '', [compileSafePattern(/alpha-\d+/iu)], 0.1, 0);
  m.add('b', ['shared'], '', [], 0.1, 0);
  assert.deepEqual(labels(m, 'shared alpha'), ['a:keyword:alpha', 'a:keyword:shared', 'b:keyword:shared']);
  m.remove('a');
  assert.deepEqual(labels(m, 'shared alpha'), ['b:keyword:shared']);
  assert.equal(m.matchPattern('ALPHA-7'), null);
  m.add('b', ['beta'], '', [], 0.1, 0);
  assert.deepEqual(labels(m, 'shared beta'), ['b:keyword:beta']);
  assert.equal(m.keywordRuleCount, 1);
});

test('KeywordMatcher#matchPattern() – first rule in registration order wins', () => {
  const m = new KeywordMatcher<string>();
  m.add('first', [], '', [compileSafePattern(/ticket-\d+/iu)], 0, 0);
  m.add('second', [], '', [compileSafePattern(/TICKET/iu)], 0, 0);
  assert.equal(m.matchPattern('see Ticket-42')?.owner, 'first');
  assert.equal(m.matchPattern('ticket desk')?.owner, 'second');
  assert.equal(m.matchPattern('nothing'), null);
});

test('KeywordMatcher – a domain path boosts on each segment', () => {
  const m = new KeywordMatcher<string>();
  m.add('farm', [], 'animals/camelids', [], 0.15, 0.05);
  assert.deepEqual(labels(m, 'all about camelids'), ['farm:domain:camelids']);
  assert.deepEqual(labels(m, 'animals'), ['farm:domain:animals']);
  assert.deepEqual(labels(m, 'animals and camelids'), ['farm:domain:animals', 'farm:domain:camelids']);
});
