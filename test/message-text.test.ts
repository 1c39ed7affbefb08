import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractRouteText } from '../src/internal/message-text.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

test('extractRouteText() – last user turn first, then earlier user turns; assistant/system ignored', () => {
  const r = extractRouteText([
    { role: 'system', content: 'You are helpful' },
    { role: 'user', content: 'first question' },
    { role: 'assistant', content: 'an answer' },
    { role: 'user', content: 'second question' },
  ], 1000);
  assert.equal(r.text, 'second question\nfirst question');
  assert.equal(r.truncated, false);
});

test('extractRouteText() – OpenAI and Anthropic block shapes, tool_result content, images skipped', () => {
  const r = extractRouteText([
    { role: 'user', content: [
      { type: 'text', text: 'describe' },
      { type: 'image_url', image_url: { url: 'data:...' } },
      { type: 'image', source: { type: 'base64', data: 'xx' } },
      { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'tool said hi' }] },
      { type: 'tool_result', tool_use_id: 't2', content: 'plain tool text' },
    ] },
  ], 1000);
  assert.equal(r.text, 'describe\ntool said hi\nplain tool text');
});

test('extractRouteText() – bounded: a 10 MB prompt is cut to maxChars, never splitting a surrogate pair', () => {
  const big = '😀'.repeat(5_000_000);
  const r = extractRouteText([{ role: 'user', content: big }], 1001);
  assert.equal(r.text.length, 1000);
  assert.equal(r.truncated, true);
  assert.ok(!LONE_SURROGATE.test(r.text));
  assert.equal(extractRouteText(big, 7).text.length, 6);
});

test('extractRouteText() – falls back to the last message with text when there is no user turn', () => {
  assert.equal(extractRouteText([{ role: 'assistant', content: 'a' }, { role: 'tool', content: 'b' }], 100).text, 'b');
});

test('extractRouteText() – unusable input yields a reason, never a throw', () => {
  for (const bad of [null, undefined, 42, {}, [1, 2], [null], ['str']] as unknown[]) {
    const r = extractRouteText(bad, 100);
    assert.equal(r.text, '');
    assert.ok(r.invalid !== undefined, JSON.stringify(bad));
  }
  // message objects with odd content are skipped, not fatal
  const odd = extractRouteText([{ role: 'user', content: 42 }, { role: 'user', content: [{ type: 'text', text: 7 }] }, { role: 'user' }], 100);
  assert.equal(odd.text, '');
  assert.equal(odd.invalid, undefined);
});
