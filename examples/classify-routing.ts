// Routes a sample of requests with the two-phase classifier and prints the tier distribution.
// Phase 2 is a stand-in for the host's local LLM call (e.g. Ollama): a tiny deterministic rule,
// so the example runs without a model. Run: node --import tsx examples/classify-routing.ts
import { RequestClassifier, type ClassifiableRequest } from '../src/index.js';

const classifier = new RequestClassifier({
  llm: {
    // In a real host: POST to Ollama with a prompt asking for {"tier": ..., "reason": ...}, pass `signal`.
    classify: async (request, { signal }) => {
      if (signal.aborted) throw signal.reason;
      const last = request.messages.at(-1)?.content;
      const text = typeof last === 'string' ? last : '';
      return text.length > 60 ? '{"tier":"sonnet","reason":"multi-step task"}' : '{"tier":"local","reason":"small task"}';
    },
  },
});

const ask = (content: string, extra: Partial<ClassifiableRequest> = {}): ClassifiableRequest => ({ model: 'auto', messages: [{ role: 'user', content }], ...extra });
const sample: ClassifiableRequest[] = [
  ask('Explain what a closure is in JavaScript'),
  ask('Add type hints to this Python function: def add(a, b): return a + b'),
  ask('Rename the variable x to count in this snippet'),
  ask('Format this JSON: {"a":1,"b":[1,2]}'),
  ask('Fix the off-by-one error in src/pager.ts'),
  ask('Summarize this paragraph in one sentence: ...'),
  ask('Write a function that parses ISO dates'),
  ask('Write a CLI that walks a directory tree, hashes every file and prints duplicate groups sorted by size'),
  ask('How should I structure the retry logic for flaky HTTP calls?'),
  ask('Explain this race condition in the worker pool'),
  ask('Search the docs for the config flag', { tools: [{ name: 'search' }] }),
  ask('Update the logger import in every file'),
  ask('Review the architecture and plan the database migration for multi-tenant billing'),
  ask('Do a security audit of the auth module and write a threat model'),
  ask(`Explain this stack trace:\n${'    at handler (src/app.ts:10:5)\n'.repeat(1_200)}`),
  ask('Continue', { system: 'You are Cline, a coding agent with access to the workspace.' }),
  ask('Translate this error message to German'),
  ask('What does Array.prototype.flatMap do?'),
  ask('Pin the top tier for this one', { model: 'opus' }),
  ask('Comment this function'),
];

const counts = new Map<string, number>();
for (const request of sample) {
  const d = await classifier.decide(request);
  counts.set(d.tier, (counts.get(d.tier) ?? 0) + 1);
  const last = request.messages[0]!.content as string;
  console.log(`${d.tier.padEnd(6)} ${d.phase.padEnd(14)} ${last.slice(0, 48).replace(/\n/g, ' ')}`);
}
const total = sample.length;
console.log(`\ndistribution: ${[...counts].map(([tier, n]) => `${tier} ${Math.round((100 * n) / total)}%`).join(', ')}`);

// Expected output:
// local  heuristic      Explain what a closure is in JavaScript
// local  heuristic      Add type hints to this Python function: def add(
// local  heuristic      Rename the variable x to count in this snippet
// local  heuristic      Format this JSON: {"a":1,"b":[1,2]}
// local  heuristic      Fix the off-by-one error in src/pager.ts
// local  heuristic      Summarize this paragraph in one sentence: ...
// local  llm_classifier Write a function that parses ISO dates
// sonnet heuristic      Write a CLI that walks a directory tree, hashes
// local  llm_classifier How should I structure the retry logic for flaky
// local  llm_classifier Explain this race condition in the worker pool
// sonnet heuristic      Search the docs for the config flag
// sonnet heuristic      Update the logger import in every file
// opus   heuristic      Review the architecture and plan the database mi
// opus   heuristic      Do a security audit of the auth module and write
// sonnet heuristic      Explain this stack trace:     at handler (src/ap
// sonnet heuristic      Continue
// local  heuristic      Translate this error message to German
// local  heuristic      What does Array.prototype.flatMap do?
// opus   explicit       Pin the top tier for this one
// local  heuristic      Comment this function
//
// distribution: local 60%, sonnet 25%, opus 15%
