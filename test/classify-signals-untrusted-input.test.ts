import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computeRoutingSignals, isSwitchyardError, RequestClassifier, type ClassifiableRequest, type RoutingSignals } from '../src/index.js';
import { boundText } from '../src/classify/request-shape.js';
import { headSlice, tailSlice } from '../src/internal/text.js';
import { ask, user } from './helpers/classify.js';

const TIERS = new Set(['local', 'sonnet', 'opus']);

function assertWellFormed(s: RoutingSignals): void {
  assert.ok(['LOCAL', 'REMOTE', 'AMBIGUOUS'].includes(s.band));
  assert.ok(s.confidence >= 0 && s.confidence <= 1, `confidence ${s.confidence}`);
  assert.ok(s.score >= 0 && s.score <= 1, `score ${s.score}`);
  assert.ok(TIERS.has(s.fallbackTier));
  assert.ok(s.reasons.length > 0 && s.reasons.every((r) => typeof r === 'string'));
}

const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('explain', 'architecture migration', 'src/a.ts', '\uD800', 'cursor'));
const block = fc.oneof(
  fc.record({ type: fc.constantFrom('text', 'image', 'image_url', 'tool_use', 'tool_result', 'weird'), text: fc.oneof(text, fc.anything()), content: fc.oneof(text, fc.anything()) }, { requiredKeys: ['type'] }),
  fc.anything(),
);
const message = fc.oneof(
  fc.record({
    role: fc.oneof(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'function'), fc.anything()),
    content: fc.oneof(text, fc.array(block, { maxLength: 5 }), fc.constant(null), fc.anything()),
    tool_calls: fc.oneof(fc.array(fc.anything(), { maxLength: 2 }), fc.anything()),
  }, { requiredKeys: [] }),
  fc.anything(),
);
const request = fc.oneof(
  fc.record({
    messages: fc.oneof(fc.array(message, { maxLength: 20 }), fc.anything()),
    system: fc.oneof(text, fc.array(block, { maxLength: 3 }), fc.anything()),
    tools: fc.oneof(fc.array(fc.anything(), { maxLength: 2 }), fc.anything()),
    functions: fc.anything(),
    model: fc.oneof(fc.constantFrom('auto', 'opus', 'claude-sonnet-4-5', 'gpt-x'), fc.anything()),
    provider: fc.oneof(fc.constantFrom('local', 'anthropic', 'openai'), fc.anything()),
  }, { requiredKeys: [] }),
  fc.anything(),
);

test('computeRoutingSignals() – arbitrary request shapes yield signals or ERR_INVALID_MESSAGES, nothing else', () => {
  fc.assert(fc.property(request, (req) => {
    try {
      assertWellFormed(computeRoutingSignals(req as ClassifiableRequest));
    } catch (e) {
      assert.ok(isSwitchyardError(e), `escaped: ${String(e)}`);
      assert.equal(e.code, 'ERR_INVALID_MESSAGES');
    }
  }), { numRuns: 1_000 });
});

test('RequestClassifier#decide() – arbitrary requests resolve to a decision or reject with a SwitchyardError', async () => {
  const classifier = new RequestClassifier({ llm: { classify: () => ({ tier: 'opus', reason: 'fuzz' }) } });
  await fc.assert(fc.asyncProperty(request, async (req) => {
    try {
      const d = await classifier.decide(req as ClassifiableRequest);
      assert.ok(typeof d.provider === 'string' && typeof d.model === 'string' && TIERS.has(d.tier));
      assert.ok(d.reasons.length > 0);
    } catch (e) {
      assert.ok(isSwitchyardError(e), `escaped: ${String(e)}`);
      assert.equal(e.code, 'ERR_INVALID_MESSAGES');
    }
  }), { numRuns: 500 });
});

test('computeRoutingSignals() – throwing getters and proxies become ERR_INVALID_MESSAGES', () => {
  const hostile = new Proxy({}, { get() { throw new TypeError('boom'); } });
  const getter = { messages: [{ role: 'user', get content(): string { throw new RangeError('no'); } }] };
  for (const req of [hostile, getter, { get messages(): never { throw new Error('x'); } }]) {
    assert.throws(() => computeRoutingSignals(req as unknown as ClassifiableRequest), (e: unknown) => isSwitchyardError(e) && e.code === 'ERR_INVALID_MESSAGES' && e.cause instanceof Error);
  }
  for (const req of [null, undefined, 42, 'hi', [], { messages: 'hi' }, { messages: {} }]) {
    assert.throws(() => computeRoutingSignals(req as unknown as ClassifiableRequest), { code: 'ERR_INVALID_MESSAGES' });
  }
});

test('computeRoutingSignals() – malformed parts are skipped with a reason', () => {
  const s = computeRoutingSignals({ messages: [42, null, { role: 'user', content: 7 }, user([5, { type: 'text', text: 'Explain this' }] as never)] } as unknown as ClassifiableRequest);
  assert.ok(s.reasons.includes('ignored 4 message part(s) of an unsupported shape'), s.reasons.join('\n'));
});

test('computeRoutingSignals() – a 1 MB message is sized by length and only its head and tail are scanned', () => {
  const filler = 'x '.repeat(500_000);
  const middle = computeRoutingSignals(ask(`Explain ${filler.slice(0, 500_000)} architecture migration ${filler.slice(0, 500_000)}`), { thresholds: { localContextCharLimit: 2_000_000, shortMessageChars: 2_000_000 } });
  // Keywords sit 500 k chars deep: outside the 8 KiB head/tail window, so they are not seen.
  assert.equal(middle.band, 'LOCAL', middle.reasons.join('\n'));
  const head = computeRoutingSignals(ask(`architecture migration ${filler}`), { thresholds: { localContextCharLimit: 2_000_000 } });
  assert.ok(head.reasons.some((r) => r.startsWith('remote: 2 deep-reasoning keywords')));
  const tail = computeRoutingSignals(ask(`${filler} architecture migration`), { thresholds: { localContextCharLimit: 2_000_000 } });
  assert.ok(tail.reasons.some((r) => r.startsWith('remote: 2 deep-reasoning keywords')));
  const big = computeRoutingSignals(ask(filler));
  assert.ok(big.reasons.includes('remote: context 1000000 chars > localContextCharLimit 30000'));
});

test('computeRoutingSignals() – message and block counts beyond the scan limits force REMOTE', () => {
  const many = { messages: Array.from({ length: 300_000 }, (_, i) => user(`m${i}`)) };
  const s = computeRoutingSignals(many);
  assert.equal(s.band, 'REMOTE');
  assert.ok(s.reasons.includes('remote: request exceeds the scan limits (300000 messages)'));
  assert.ok(s.reasons.includes('remote: 300000 turns > maxLocalTurns 15'));
  const blocks = computeRoutingSignals({ messages: [user(Array.from({ length: 10_000 }, () => ({ type: 'text', text: '' })))] });
  assert.equal(blocks.band, 'REMOTE');
});

/** String.prototype.isWellFormed (not in the ES2023 lib typings). */
const wellFormed = (s: string): boolean => !/\p{Cs}/u.test(s);
const withPairs = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });

test('headSlice()/tailSlice()/boundText() – truncation never splits a surrogate pair', () => {
  const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
  const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
  fc.assert(fc.property(withPairs, fc.nat(45), (s, n) => {
    const h = headSlice(s, n);
    assert.ok(s.startsWith(h) && h.length >= Math.min(n, s.length) - 1);
    if (h.length > 0 && h.length < s.length) assert.ok(!(isHigh(s.charCodeAt(h.length - 1)) && isLow(s.charCodeAt(h.length))));
    const t = tailSlice(s, n);
    assert.ok(s.endsWith(t) && t.length >= Math.min(n, s.length) - 1);
    const start = s.length - t.length;
    if (start > 0 && t.length > 0) assert.ok(!(isHigh(s.charCodeAt(start - 1)) && isLow(s.charCodeAt(start))));
  }), { numRuns: 1_000 });
  fc.assert(fc.property(fc.array(withPairs, { minLength: 1, maxLength: 6 }), fc.integer({ min: 4, max: 60 }), (pieces, limit) => {
    const total = pieces.reduce((a, p) => a + p.length, 0);
    const out = boundText(pieces, total, limit);
    assert.ok(out.length <= limit + pieces.length + 2, `${out.length} > ${limit}`);
    if (pieces.every(wellFormed)) assert.ok(wellFormed(out), 'truncation created a lone surrogate');
  }), { numRuns: 500 });
  assert.equal(headSlice('ab\u{1F600}cd', 3), 'ab');
  assert.equal(tailSlice('ab\u{1F600}cd', 3), 'cd');
});

test('computeRoutingSignals() – odd Unicode routes deterministically', () => {
  const odd = ['\uD800 explain', 'explain\u0000x', '\uFEFFexplain', 'explain \u202Egnirts', 'explain 👩‍👩‍👧', 'explain caf\u00E9', 'explain cafe\u0301', `explain ${'😀'.repeat(5_000)}`];
  for (const t of odd) {
    const first = JSON.stringify(computeRoutingSignals(ask(t)));
    for (let i = 0; i < 1_000; i++) assert.equal(JSON.stringify(computeRoutingSignals(ask(t))), first);
  }
});
