import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeRoutingSignals, RequestClassifier, type ClassifiableRequest, type RequestClassifierOptions } from '../../src/index.js';

const corpus = [
  '{"__proto__":{"oops":"It works !"}}',
  '{"constructor":{"prototype":{"xxx":true}}}',
  '{"prototype":{"status":"pwned"}}',
  '{"\\u005f_proto__":{"oops":"It works !"}}',
];

function nested(json: string, depth: number): string {
  let s = json;
  for (let i = 0; i < depth; i++) s = `{"a":${s},"__proto__":${s}}`;
  return s;
}

function assertClean(): void {
  const o = {} as Record<string, unknown>;
  assert.equal(o['oops'], undefined);
  assert.equal(o['xxx'], undefined);
  assert.equal(o['status'], undefined);
  assert.equal(o['tier'], undefined);
}

test('RequestClassifier – E2: pollution payloads in messages, options, tier names and classifier output are inert', async () => {
  for (const json of corpus) {
    for (const depth of [1, 5, 20]) {
      const payload: unknown = JSON.parse(nested(json, depth));
      const request = { messages: [{ role: 'user', content: [payload, { type: 'text', text: 'Write code' }] }, payload], system: [payload], tools: payload } as unknown as ClassifiableRequest;
      assert.ok(computeRoutingSignals(request).reasons.length > 0);
      const options = JSON.parse(`{"mode":"local_first","__proto__":{"enabled":false},"constructor":{"prototype":{"mode":"keyword"}}}`) as RequestClassifierOptions;
      const classifier = new RequestClassifier({ ...options, llm: { classify: () => nested(json, 2) } });
      const d = await classifier.decide({ messages: [{ role: 'user', content: 'Write a date parser' }] });
      assert.equal(d.phase, 'fallback');
      assert.equal(classifier.stats().fallbacks.invalid_output, 1);
      assertClean();
    }
  }
});

test('RequestClassifier – E2: tiers named __proto__ / constructor are ordinary names (Map lookups)', async () => {
  const tiers = JSON.parse('[{"name":"__proto__","provider":"local","model":"m0"},{"name":"constructor","provider":"p","model":"m1"},{"name":"toString","provider":"p","model":"m2"}]') as RequestClassifierOptions['tiers'];
  const classifier = new RequestClassifier({ tiers: tiers!, llm: { classify: () => '{"tier":"toString","reason":"x"}' } });
  assert.equal((await classifier.decide({ model: '__proto__', messages: [] })).model, 'm0');
  assert.equal((await classifier.decide({ messages: [{ role: 'user', content: 'Write a date parser' }] })).tier, 'toString');
  assert.equal((await classifier.decide({ model: 'hasOwnProperty', messages: [] })).model, 'hasOwnProperty');
  assertClean();
});
