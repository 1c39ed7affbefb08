import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RequestClassifier, type ClassifyFn } from '../src/index.js';
import { parseClassifierOutput } from '../src/classify/llm-classifier.js';
import { resolveTiers } from '../src/classify/tiers.js';
import { ambiguous } from './helpers/classify.js';

const tiers = resolveTiers(undefined);
const MB = 'x'.repeat(1 << 20);

/** Replies that must never be accepted. */
const badReply = fc.oneof(
  fc.string().filter((s) => !s.includes('{')),
  fc.constantFrom(
    'not json', '{tier: opus}', '{"tier":', '```json\n{"tier":"opus"\n```', '{"tier":"gpt-5"}', '{"tier":"__proto__"}',
    '{"tier":"constructor"}', '{"tier":"toString"}', '{"__proto__":{"tier":"opus"}}', '{"constructor":{"prototype":{"tier":"opus"}}}',
    '{"tier":"\\u005f_proto__"}', '{"tier":"opus","confidence":"high"}', '{"tier":"opus","confidence":2}', '["opus"]',
    '{"tier":null}', '{"tier":["opus"]}', `{"tier":"opus","reason":"${MB}"}`, MB, 'null', '42',
  ),
  fc.record({ tier: fc.string().filter((s) => !['local', 'sonnet', 'opus'].includes(s.trim().toLowerCase())), reason: fc.anything() }),
  fc.record({ tier: fc.constantFrom('opus', 'local'), confidence: fc.constantFrom(Number.NaN, Infinity, -1, 1.5, '0.5') }),
  fc.constantFrom(null, undefined, 0, true, [], { tier: 42 }, { reason: 'no tier' }, new Map([['tier', 'opus']]), Object.create({ tier: 'opus' })),
  fc.anything().filter((v) => !(typeof v === 'object' && v !== null && Object.hasOwn(v, 'tier'))),
);

test('RequestClassifier#decide() – C2: 1,000 fuzzed bad classifier replies fall back, are counted, never thrown', async () => {
  let reply: unknown;
  const classify = (() => reply) as unknown as ClassifyFn;
  const classifier = new RequestClassifier({ llm: { classify, cacheSize: 0, breaker: { consecutiveFailures: 0 } } });
  let n = 0;
  await fc.assert(fc.asyncProperty(badReply, async (bad) => {
    reply = bad;
    const d = await classifier.decide(ambiguous());
    n++;
    assert.equal(d.phase, 'fallback');
    assert.equal(d.tier, 'sonnet');
    assert.match(d.reasons.at(-1)!, /^classifier invalid_output \(.{1,120}\) -> phase-1 best guess "sonnet"$/);
  }), { numRuns: 1_000 });
  assert.equal(classifier.stats().fallbacks.invalid_output, n);
  assert.equal(classifier.stats().classifierCalls, n);
  assert.equal(({} as Record<string, unknown>)['tier'], undefined);
});

test('parseClassifierOutput() – accepts objects, JSON text and fenced JSON naming a tier (case-insensitive)', () => {
  const ok = (v: unknown): string => {
    const r = parseClassifierOutput(v, tiers, 4_096);
    assert.ok('tier' in r, JSON.stringify(r));
    return `${r.tier.name}|${r.reason}`;
  };
  assert.equal(ok({ tier: 'opus', reason: 'hard' }), 'opus|hard');
  assert.equal(ok('{"tier":"Sonnet","reason":"mid","confidence":0.7}'), 'sonnet|mid');
  assert.equal(ok('```json\n{"tier": " LOCAL "}\n```'), 'local|');
  assert.equal(ok('Sure! {"tier":"opus","reason":5}'), 'opus|');
  assert.equal(ok({ tier: 'opus', reason: 'r'.repeat(1_000) }).length, 'opus|'.length + 200);
  const big = parseClassifierOutput('{"tier":"opus"}'.padEnd(5_000, ' '), tiers, 4_096);
  assert.deepEqual(big, { error: 'reply of 5000 chars > 4096' });
  const getter = { get tier(): string { throw new Error('no'); } };
  assert.deepEqual(parseClassifierOutput(getter, tiers, 4_096), { error: 'reply could not be read' });
});

test('RequestClassifier#decide() – a usable reply is used and cached; the reason is kept', async () => {
  const classifier = new RequestClassifier({ llm: { classify: async (_r, ctx) => ({ tier: ctx.tiers[2]!, reason: 'needs depth' }) } });
  const d = await classifier.decide(ambiguous());
  assert.deepEqual({ phase: d.phase, tier: d.tier, provider: d.provider, model: d.model }, { phase: 'llm_classifier', tier: 'opus', provider: 'anthropic', model: 'claude-opus-4-1' });
  assert.equal(d.reasons.at(-1), 'classifier: "opus" - needs depth');
  const again = await classifier.decide(ambiguous());
  assert.equal(again.reasons.at(-1), 'classifier (cache): "opus" - needs depth');
  assert.deepEqual([classifier.stats().classifierCalls, classifier.stats().cacheHits], [1, 1]);
});
