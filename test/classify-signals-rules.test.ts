import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeRoutingSignals, type ClassifiableRequest, type RoutingBand, type SignalOptions } from '../src/index.js';
import { ask, assistant, conversation, user } from './helpers/classify.js';

interface Row {
  readonly rule: string;
  /** Request on which the rule fires. */
  readonly fires: ClassifiableRequest;
  readonly firesBand: RoutingBand;
  /** Same request shape on which it does not fire. */
  readonly quiet: ClassifiableRequest;
  readonly quietBand: RoutingBand;
  /** Reason text present when the rule fires, absent otherwise. */
  readonly reason: RegExp;
  readonly options?: SignalOptions;
}

const files = (n: number): string => Array.from({ length: n }, (_, i) => `src/mod${i}.ts`).join(', ');

const rows: readonly Row[] = [
  { rule: 'tools present', fires: ask('Explain this', { tools: [{ name: 'search' }] }), firesBand: 'REMOTE', quiet: ask('Explain this', { tools: [] }), quietBand: 'LOCAL', reason: /^remote: tools present/ },
  { rule: 'legacy functions present', fires: ask('Explain this', { functions: [{ name: 'f' }] }), firesBand: 'REMOTE', quiet: ask('Explain this'), quietBand: 'LOCAL', reason: /^remote: tools present \(1 definition/ },
  { rule: 'assistant tool_calls', fires: { messages: [assistant(null), user('Explain this')].map((m, i) => (i === 0 ? { ...m, tool_calls: [{ id: 'x' }] } : m)) }, firesBand: 'REMOTE', quiet: { messages: [user('Explain this')] }, quietBand: 'LOCAL', reason: /1 call\(s\)/ },
  { rule: 'tool_result block', fires: { messages: [user([{ type: 'tool_result', content: 'ok' }, { type: 'text', text: 'Explain this' }])] }, firesBand: 'REMOTE', quiet: { messages: [user([{ type: 'text', text: 'Explain this' }])] }, quietBand: 'LOCAL', reason: /^remote: 1 tool result/ },
  { rule: 'OpenAI tool message', fires: { messages: [user('Explain this'), { role: 'tool', content: '42' }] }, firesBand: 'REMOTE', quiet: { messages: [user('Explain this')] }, quietBand: 'LOCAL', reason: /tool result/ },
  { rule: 'context above localContextCharLimit', fires: ask(`Explain this ${'x'.repeat(30_001)}`), firesBand: 'REMOTE', quiet: ask(`Explain this ${'x'.repeat(29_000)}`), quietBand: 'AMBIGUOUS', reason: /^remote: context \d+ chars > localContextCharLimit 30000/ },
  { rule: 'custom localContextCharLimit', fires: ask(`Explain ${'y'.repeat(200)}`), firesBand: 'REMOTE', quiet: ask('Explain y'), quietBand: 'LOCAL', reason: /localContextCharLimit 100/, options: { thresholds: { localContextCharLimit: 100 } } },
  { rule: 'more than maxLocalTurns turns', fires: conversation(16, 'Explain this'), firesBand: 'REMOTE', quiet: conversation(15, 'Explain this'), quietBand: 'AMBIGUOUS', reason: /^remote: 16 turns > maxLocalTurns 15/ },
  { rule: 'agentic system prompt (Anthropic system)', fires: ask('Explain this', { system: 'You are Cursor, an AI coding assistant.' }), firesBand: 'REMOTE', quiet: ask('Explain this', { system: 'You are a helpful assistant.' }), quietBand: 'LOCAL', reason: /^remote: agentic system prompt \("cursor"\)/ },
  { rule: 'agentic system message (OpenAI)', fires: { messages: [{ role: 'system', content: 'You are a coding agent in agent mode.' }, user('Explain this')] }, firesBand: 'REMOTE', quiet: { messages: [{ role: 'system', content: 'Be brief.' }, user('Explain this')] }, quietBand: 'LOCAL', reason: /agentic system prompt/ },
  { rule: 'agentic marker in the user message does not count', fires: ask('Explain this', { system: [{ type: 'text', text: 'Run inside Cline.' }] }), firesBand: 'REMOTE', quiet: ask('Explain what the cursor CSS property does'), quietBand: 'LOCAL', reason: /agentic/ },
  { rule: '2+ deep-reasoning keywords', fires: ask('Explain the architecture of this migration'), firesBand: 'REMOTE', quiet: ask('Explain the architecture of this module'), quietBand: 'AMBIGUOUS', reason: /^remote: 2 deep-reasoning keywords \("architecture", "migration"\)/ },
  { rule: 'deep-reasoning keywords in the system prompt do not count', fires: ask('Do a security audit and threat model'), firesBand: 'REMOTE', quiet: ask('Explain this', { system: 'Expert in architecture, migration and security audit.' }), quietBand: 'LOCAL', reason: /deep-reasoning keywords/ },
  { rule: 'custom deepReasoningMinMatches', fires: ask('Explain the architecture'), firesBand: 'REMOTE', quiet: ask('Explain the loop'), quietBand: 'LOCAL', reason: /1 deep-reasoning keywords/, options: { thresholds: { deepReasoningMinMatches: 1 } } },
  { rule: 'more than 5 file references', fires: ask(`Explain ${files(6)}`), firesBand: 'REMOTE', quiet: ask(`Explain ${files(5)}`), quietBand: 'AMBIGUOUS', reason: /^remote: more than 5 file references/ },
  { rule: 'multi-file change phrase', fires: ask('Switch to tabs in every file'), firesBand: 'REMOTE', quiet: ask('Switch to tabs in this snippet'), quietBand: 'AMBIGUOUS', reason: /^remote: multi-file change request/ },
  { rule: 'edit verb over 2+ files', fires: ask('Fix the import in src/a.ts and src/b.ts'), firesBand: 'REMOTE', quiet: ask('Fix the import in src/a.ts'), quietBand: 'LOCAL', reason: /^remote: change request over 2 files/ },
  { rule: 'one short message favors local', fires: ask('Explain closures'), firesBand: 'LOCAL', quiet: ask(`Explain closures ${'z'.repeat(3_000)}`), quietBand: 'AMBIGUOUS', reason: /^local: one short message/ },
  { rule: 'simple-task pattern favors local', fires: ask('Add type hints to this function'), firesBand: 'LOCAL', quiet: ask('Implement this function'), quietBand: 'AMBIGUOUS', reason: /^local: simple-task pattern/ },
  { rule: 'no or short system prompt favors local', fires: ask('Explain closures', { system: 's'.repeat(499) }), firesBand: 'LOCAL', quiet: ask('Explain closures', { system: 's'.repeat(500) }), quietBand: 'AMBIGUOUS', reason: /^local: short system prompt \(499 < 500 chars\)/ },
  { rule: 'single-file simple edit favors local', fires: ask('Fix the null check in src/user.ts'), firesBand: 'LOCAL', quiet: ask('Fix the null check'), quietBand: 'AMBIGUOUS', reason: /^local: single-file simple edit \("src\/user.ts"\)/ },
  { rule: 'custom simpleTaskPatterns', fires: ask('Tidy this up'), firesBand: 'LOCAL', quiet: ask('Explain this'), quietBand: 'AMBIGUOUS', reason: /^local: simple-task pattern/, options: { phrases: { simpleTaskPatterns: ['tidy'] } } },
  { rule: 'one deep-reasoning keyword is a mixed signal', fires: ask('Explain this race condition'), firesBand: 'AMBIGUOUS', quiet: ask('Explain this condition'), quietBand: 'LOCAL', reason: /^mixed: deep-reasoning keyword \("race condition"\)/ },
  { rule: 'an image is a mixed signal', fires: { messages: [user([{ type: 'image' }, { type: 'text', text: 'Explain this' }])] }, firesBand: 'AMBIGUOUS', quiet: { messages: [user([{ type: 'text', text: 'Explain this' }])] }, quietBand: 'LOCAL', reason: /^mixed: 1 image/ },
];

for (const row of rows) {
  test(`computeRoutingSignals() – rule: ${row.rule} (fires and stays quiet)`, () => {
    const on = computeRoutingSignals(row.fires, row.options);
    const off = computeRoutingSignals(row.quiet, row.options);
    assert.equal(on.band, row.firesBand, on.reasons.join('\n'));
    assert.ok(on.reasons.some((r) => row.reason.test(r)), `missing ${row.reason} in\n${on.reasons.join('\n')}`);
    assert.equal(off.band, row.quietBand, off.reasons.join('\n'));
    assert.ok(!off.reasons.some((r) => row.reason.test(r)), `unexpected ${row.reason} in\n${off.reasons.join('\n')}`);
  });
}

test('computeRoutingSignals() – an agent loop keeps its task: user turns of tool results only do not hide the words that asked', () => {
  const task = user('Plan the architecture and the migration for a distributed queue');
  const step = (id: string): ClassifiableRequest['messages'][number][] => [
    { role: 'assistant', content: [{ type: 'tool_use', id, name: 'read_file', input: { path: 'src/queue.ts' } }] },
    user([{ type: 'tool_result', tool_use_id: id, content: 'export class Queue {}' }]),
  ];
  const first = computeRoutingSignals({ messages: [task] });
  const later = computeRoutingSignals({ messages: [task, ...step('t1'), ...step('t2')] });
  assert.equal(first.fallbackTier, 'opus', first.reasons.join('\n'));
  assert.equal(later.fallbackTier, 'opus', later.reasons.join('\n'));
  assert.ok(later.reasons.some((r) => /deep-reasoning keywords \("architecture", "migration"/.test(r)), later.reasons.join('\n'));
  // a later turn in the user's own words replaces the task
  const followUp = computeRoutingSignals({ messages: [task, ...step('t1'), user('thanks, rename the variable')] });
  assert.ok(!followUp.reasons.some((r) => /deep-reasoning/.test(r)), followUp.reasons.join('\n'));
});

test('computeRoutingSignals() – REMOTE picks mid or top tier from the score, explained', () => {
  const mid = computeRoutingSignals(ask('Explain this', { tools: [{}] }));
  assert.deepEqual([mid.band, mid.fallbackTier, mid.score], ['REMOTE', 'sonnet', 0.05]);
  assert.match(mid.reasons.at(-1)!, /^tier: score 0.05 < topTierScore 0.5 -> "sonnet"$/);
  const top = computeRoutingSignals(ask('Plan the architecture and the migration for a distributed queue'));
  assert.deepEqual([top.band, top.fallbackTier, top.score], ['REMOTE', 'opus', 0.75]);
  assert.match(top.reasons.at(-1)!, /^tier: score 0.75 >= topTierScore 0.5 -> "opus"$/);
  const lowered = computeRoutingSignals(ask('Explain this', { tools: [{}] }), { thresholds: { topTierScore: 0.05 } });
  assert.equal(lowered.fallbackTier, 'opus');
});

test('computeRoutingSignals() – custom tiers: LOCAL uses the first, REMOTE spreads over the rest', () => {
  const options: SignalOptions = {
    tiers: [
      { name: 'tiny', provider: 'vllm', model: 'q-1b' },
      { name: 'small', provider: 'openai', model: 'mini' },
      { name: 'medium', provider: 'openai', model: 'mid' },
      { name: 'large', provider: 'openai', model: 'big' },
    ],
  };
  assert.equal(computeRoutingSignals(ask('Explain closures'), options).fallbackTier, 'tiny');
  assert.equal(computeRoutingSignals(ask('Explain', { tools: [{}] }), options).fallbackTier, 'small');
  assert.equal(computeRoutingSignals(ask('Rename foo in every file', { tools: [{}] }), options).fallbackTier, 'medium');
  assert.equal(computeRoutingSignals(ask('architecture, migration and security audit'), options).fallbackTier, 'large');
});

test('computeRoutingSignals() – AMBIGUOUS best guess: local with 3+ local signals, else the score tier', () => {
  const manyLocal = computeRoutingSignals(ask('Explain this race condition'));
  assert.equal(manyLocal.band, 'AMBIGUOUS');
  // A deep keyword vetoes the local guess.
  assert.equal(manyLocal.fallbackTier, 'sonnet');
  const long = computeRoutingSignals(ask('Explain src/a.ts and src/b.ts'));
  assert.deepEqual([long.band, long.fallbackTier], ['AMBIGUOUS', 'local']);
  assert.ok(long.reasons.includes('mixed: 2 file references'));
  const bare = computeRoutingSignals(ask('Implement a parser'));
  assert.deepEqual([bare.band, bare.fallbackTier], ['AMBIGUOUS', 'sonnet']);
  for (const s of [manyLocal, long, bare]) {
    assert.ok(s.confidence >= 0 && s.confidence <= 1);
    assert.ok(s.reasons.length > 0);
  }
});

test('computeRoutingSignals() – the same options object is compiled once and reused', () => {
  const options: SignalOptions = { phrases: { simpleTaskPatterns: ['tidy'] } };
  const a = computeRoutingSignals(ask('tidy it'), options);
  (options.phrases as { simpleTaskPatterns: string[] }).simpleTaskPatterns = ['never'];
  // Mutating after first use has no effect: options are resolved eagerly and cached per object.
  assert.deepEqual(computeRoutingSignals(ask('tidy it'), options), a);
  assert.equal(computeRoutingSignals(ask('tidy it'), { phrases: { simpleTaskPatterns: ['never'] } }).band, 'AMBIGUOUS');
});
