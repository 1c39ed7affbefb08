// Phase 1 (computeRoutingSignals) on typical requests and on huge contexts, and decide() on
// its cache-hit path. Target: p50 <= 20 µs for typical requests.
import { computeRoutingSignals, RequestClassifier, type ClassifiableRequest, type SignalOptions } from '../src/index.js';
import { measure, measureAsync, type BenchSection } from './harness.js';

const options: SignalOptions = {};

const shortChat: ClassifiableRequest = {
  model: 'auto',
  messages: [{ role: 'user', content: 'Explain what this regex does: ^(?:[a-z0-9-]+\\.)+[a-z]{2,}$' }],
};

const agenticSystem = `You are Cline, a highly skilled software engineer. You have access to the following tools.
${'Rules: always read the file before editing it; prefer small diffs; run the tests after changes. '.repeat(20)}`;
const agentic: ClassifiableRequest = {
  model: 'auto',
  system: agenticSystem,
  tools: Array.from({ length: 6 }, (_, i) => ({ name: `tool_${i}`, description: 'does things', input_schema: { type: 'object' } })),
  messages: [
    { role: 'user', content: 'Fix the failing test in src/router/index.ts and update src/router/types.ts accordingly.' },
    { role: 'assistant', content: [{ type: 'text', text: 'Reading the file.' }, { type: 'tool_use', id: 't1', name: 'read_file', input: {} } as never] },
    { role: 'user', content: [{ type: 'tool_result', content: 'export function route() {}\n'.repeat(40) }] },
    { role: 'assistant', content: [{ type: 'text', text: 'Now the types.' }, { type: 'tool_use', id: 't2', name: 'read_file', input: {} } as never] },
    { role: 'user', content: [{ type: 'tool_result', content: 'export type Route = string;\n'.repeat(20) }] },
  ],
};

const ambiguousChat: ClassifiableRequest = {
  model: 'auto',
  system: 'You are a helpful assistant. Answer concisely.',
  messages: [
    { role: 'user', content: 'How do I read a file line by line in Node?' },
    { role: 'assistant', content: 'Use readline with a stream: ...' },
    { role: 'user', content: 'Write a function that counts the words per line and returns the top 10.' },
  ],
};

const big = (chars: number): ClassifiableRequest => ({
  model: 'auto',
  messages: [{ role: 'user', content: `Summarize this log and find the root cause:\n${'2026-01-01 INFO request ok id=42\n'.repeat(Math.ceil(chars / 34)).slice(0, chars)}` }],
});
const big200k = big(200_000);
const big1m = big(1_000_000);

export default async function (): Promise<BenchSection[]> {
  const phase1 = [
    measure('computeRoutingSignals: short chat (LOCAL)', () => computeRoutingSignals(shortChat, options), { targetNs: 20_000, target: '<= 20 µs' }),
    measure('computeRoutingSignals: agentic, 6 tools, 5 messages (REMOTE)', () => computeRoutingSignals(agentic, options), { targetNs: 20_000, target: '<= 20 µs' }),
    measure('computeRoutingSignals: 3-turn chat (AMBIGUOUS)', () => computeRoutingSignals(ambiguousChat, options), { targetNs: 20_000, target: '<= 20 µs' }),
    measure('computeRoutingSignals: 200 KB message', () => computeRoutingSignals(big200k, options), { note: 'bounded: 8 KiB head + tail scanned' }),
    measure('computeRoutingSignals: 1 MB message', () => computeRoutingSignals(big1m, options), { note: 'same work as 200 KB: sized from .length' }),
  ];
  const cached = new RequestClassifier({ llm: { classify: () => ({ tier: 'sonnet', reason: 'bench' }) } });
  await cached.decide(ambiguousChat);
  const heuristic = new RequestClassifier();
  const phase2 = [
    await measureAsync('decide(): AMBIGUOUS, phase-2 cache hit', () => cached.decide(ambiguousChat), { batch: 64, targetNs: 20_000, target: '<= 20 µs' }),
    await measureAsync('decide(): LOCAL heuristic (no phase 2)', () => heuristic.decide(shortChat), { batch: 64, targetNs: 20_000, target: '<= 20 µs' }),
    await measureAsync('decide(): explicit model', () => heuristic.decide({ ...agentic, model: 'opus' }), { batch: 64 }),
  ];
  return [
    { title: 'classify: phase 1 (computeRoutingSignals)', results: phase1, notes: ['Options object compiled once (cached per identity); default tiers and phrase lists.'] },
    { title: 'classify: RequestClassifier.decide()', results: phase2, notes: ['Cache hit = SHA-256 of the last two messages (UTF-16 code units) + LRU lookup, after phase 1.'] },
  ];
}
