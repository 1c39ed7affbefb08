// Builders shared by the test/classify-*.test.ts files.
import type { ChatMessage, ClassifiableRequest, ContentBlock } from '../../src/index.js';

export function user(content: string | readonly ContentBlock[]): ChatMessage {
  return { role: 'user', content };
}

export function assistant(content: string | readonly ContentBlock[] | null): ChatMessage {
  return { role: 'assistant', content };
}

/** One user message, plus any extra request fields. */
export function ask(text: string, extra: Partial<ClassifiableRequest> = {}): ClassifiableRequest {
  return { messages: [user(text)], ...extra };
}

/** A conversation of `turns` alternating user/assistant messages ending with `last` from the user. */
export function conversation(turns: number, last: string): ClassifiableRequest {
  const messages: ChatMessage[] = [];
  for (let i = 0; i < turns - 1; i++) messages.push(i % 2 === 0 ? user(`question ${i}`) : assistant(`answer ${i}`));
  messages.push(user(last));
  return { messages };
}

/** Lets pending promise callbacks run (not mocked by mock.timers({ apis: ['setTimeout'] })). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A request that phase 1 judges AMBIGUOUS (short single message, no simple-task pattern). */
export function ambiguous(text = 'Write a function that parses ISO dates'): ClassifiableRequest {
  return ask(text);
}
