// Sample Messages API requests of the kinds a coding assistant sends, all with `model: 'auto'`:
// an editor's chat panel (short system prompt, one question), an agent loop (long agentic
// system prompt, tools, tool results), longer chats, and an agent's small side requests.
// bench/gateway.ts measures the tier distribution and the router overhead on them.

/** One sample: a name, the kind of traffic it stands for, and the request body. */
export interface SampleRequest {
  readonly name: string;
  readonly kind: 'chat panel' | 'agent loop' | 'long chat' | 'side request';
  readonly body: Record<string, unknown>;
}

const CHAT_SYSTEM = 'You are a helpful coding assistant inside the editor. Answer concisely and show code when useful.';

const AGENT_SYSTEM = [
  'You are a coding agent working in the user\'s repository. You have access to the following tools: read_file, edit_file, run_command, search.',
  'Always read a file before you edit it. Prefer small, reviewable diffs. Run the tests after every change and fix what you broke.',
  'Never invent file contents. When a command fails, read its output before trying again. Keep the user informed in one short line per step.',
  'Workspace: a TypeScript monorepo (packages/api, packages/web, packages/shared); tests run with `npm test`.',
].join('\n').repeat(3);

const TOOLS = [
  { name: 'read_file', description: 'Read a file of the workspace', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
  { name: 'edit_file', description: 'Replace a string in a file', input_schema: { type: 'object', properties: { path: { type: 'string' }, old: { type: 'string' }, new: { type: 'string' } } } },
  { name: 'run_command', description: 'Run a shell command in the workspace', input_schema: { type: 'object', properties: { command: { type: 'string' } } } },
  { name: 'search', description: 'Search the workspace with a regular expression', input_schema: { type: 'object', properties: { pattern: { type: 'string' } } } },
];

const SNIPPET = `export function total(items: { price: number; qty: number }[]): number {
  let t = 0;
  for (const i of items) t += i.price * i.qty;
  return t;
}`;

const chat = (name: string, text: string): SampleRequest => ({
  name, kind: 'chat panel', body: { model: 'auto', max_tokens: 1024, system: CHAT_SYSTEM, messages: [{ role: 'user', content: text }] },
});

/** An agent turn: the task, `steps` tool calls with their results, then optionally a new user instruction. */
const agent = (name: string, task: string, steps: number, followUp?: string): SampleRequest => {
  const messages: Record<string, unknown>[] = [{ role: 'user', content: task }];
  for (let i = 0; i < steps; i++) {
    messages.push({ role: 'assistant', content: [{ type: 'text', text: `Step ${i + 1}.` }, { type: 'tool_use', id: `toolu_${i}`, name: i % 2 === 0 ? 'read_file' : 'run_command', input: { path: `packages/api/src/file-${i}.ts` } }] });
    const result = { type: 'tool_result', tool_use_id: `toolu_${i}`, content: `${SNIPPET}\n`.repeat(4) };
    messages.push({ role: 'user', content: i === steps - 1 && followUp !== undefined ? [result, { type: 'text', text: followUp }] : [result] });
  }
  return { name, kind: 'agent loop', body: { model: 'auto', max_tokens: 8192, system: AGENT_SYSTEM, tools: TOOLS, messages } };
};

const longChat = (name: string, turns: string[]): SampleRequest => ({
  name, kind: 'long chat',
  body: {
    model: 'auto', max_tokens: 2048, system: CHAT_SYSTEM,
    messages: turns.map((content, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content })),
  },
});

const side = (name: string, text: string): SampleRequest => ({
  name, kind: 'side request', body: { model: 'auto', max_tokens: 64, messages: [{ role: 'user', content: text }] },
});

/** The samples, in a fixed order. */
export const SAMPLE_REQUESTS: readonly SampleRequest[] = [
  chat('explain a regex', 'Explain what this regex does: ^(?:[a-z0-9-]+\\.)+[a-z]{2,}$'),
  chat('explain a function', `What does this function do?\n\n${SNIPPET}`),
  chat('format JSON', 'Format this JSON: {"a":1,"b":[1,2,3],"c":{"d":null}}'),
  chat('rename a variable', `Rename the variable t to sum in this snippet:\n\n${SNIPPET}`),
  chat('add a docstring', `Add a docstring to this function:\n\n${SNIPPET}`),
  chat('add type hints', 'Add type hints to: def area(w, h): return w * h'),
  chat('fix a typo in a file', 'Fix the typo in src/utils/strings.ts: the function is called captialize'),
  chat('convert to async/await', 'Convert this to async/await: fetch(url).then((r) => r.json()).then(render)'),
  chat('summarize a stack trace', 'Summarize this stack trace:\nTypeError: Cannot read properties of undefined (reading \'id\')\n    at getUser (src/users.ts:42:17)\n    at handler (src/routes.ts:10:3)'),
  chat('one-line question', 'How do I read a file line by line in Node?'),
  chat('write a function', 'Write a function that returns the ten most common words in a text.'),
  chat('debug a race', 'I think there is a race condition in my job queue: two workers sometimes take the same job. How do I debug it?'),
  chat('design question', 'What architecture would you pick for a multi-tenant SaaS, and how would you plan the migration from our single-tenant setup?'),
  chat('security review', 'Do a security audit of our login flow: we store bcrypt hashes and send a JWT in a cookie. Where is the vulnerability most likely?'),
  chat('multi-file change', 'Rename the User type to Account in src/models/user.ts, src/routes/users.ts and src/services/auth.ts.'),
  chat('codebase-wide change', 'Replace moment with date-fns across the codebase.'),

  agent('agent: first turn, small fix', 'Fix the failing test in packages/api/test/total.test.ts.', 0),
  agent('agent: reading files', 'Fix the failing test in packages/api/test/total.test.ts.', 2),
  agent('agent: running tests', 'Fix the failing test in packages/api/test/total.test.ts.', 4),
  agent('agent: follow-up instruction', 'Add input validation to the orders endpoint.', 3, 'Also add a test for a negative quantity.'),
  agent('agent: refactor task', 'Refactor the architecture of the storage layer and plan the migration to Postgres.', 0),
  agent('agent: refactor, deep in the loop', 'Refactor the architecture of the storage layer and plan the migration to Postgres.', 6),
  agent('agent: new deep instruction', 'Look at the job queue.', 2, 'There is a race condition and maybe a deadlock; find the root cause.'),
  agent('agent: long loop', 'Upgrade the project to TypeScript 6 and fix the type errors.', 12),
  agent('agent: security task', 'Do a security audit of packages/api and fix any vulnerability you find.', 1),
  agent('agent: docs task', 'Add comments to packages/shared/src/money.ts.', 1),

  longChat('three-turn chat', ['How do I read a file line by line in Node?', 'Use readline with a stream: ...', 'Now count the words per line and return the top 10.']),
  longChat('pasted file, simple ask', [`Explain this file:\n${`${SNIPPET}\n`.repeat(60)}`]),
  longChat('pasted log, root cause', [`Find the root cause of the failures in this log:\n${'2026-01-01T00:00:00Z ERROR db timeout after 5000 ms (pool exhausted)\n'.repeat(600)}`]),
  longChat('review over turns', ['Review my PR: it adds caching to the product page.', 'Looks fine overall; two notes: ...', 'What about cache invalidation when prices change?', 'You could ...', 'And under high concurrency?']),
  longChat('twenty-turn session', Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? `Next question ${i / 2 + 1}: what does line ${i} do?` : 'It assigns the total.'))),
  longChat('tradeoffs', ['What are the trade-offs between a monorepo and several repositories for a team of eight?']),

  side('side: title', 'Write a 3-word title for this conversation: "fix the failing total test"'),
  side('side: commit message', 'Write a one-line commit message for: renamed t to sum in total()'),
  side('side: is this a new topic', 'Is "now add logging" a new topic compared to "fix the failing test"? Answer yes or no.'),
  side('side: summarize', 'Summarize in one sentence: we fixed the failing total test and added a regression test.'),
];
