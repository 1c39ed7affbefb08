import { truncateText } from '../embed/hash-embedder.js';

/** A content block of an OpenAI or Anthropic message (`text`, `image`, `tool_use`, `tool_result`, ...). */
export interface ContentBlock {
  /** Block type, e.g. `'text'`, `'image_url'`, `'tool_result'`. */
  readonly type: string;
  /** Text of a text block. */
  readonly text?: string;
  /** Nested content of a `tool_result` block (Anthropic). */
  readonly content?: string | readonly ContentBlock[];
  /** Any other field of the provider's block shape. */
  readonly [key: string]: unknown;
}

/** One chat message in OpenAI (`role`/`content`) or Anthropic shape. */
export interface ChatMessage {
  /** `'user'`, `'assistant'`, `'system'`, `'tool'`, ... */
  readonly role: string;
  /** A string, or a list of content blocks. */
  readonly content: string | readonly ContentBlock[] | null;
  /** Any other field (name, tool_calls, ...). */
  readonly [key: string]: unknown;
}

/** What the router accepts as a request's content: a prompt string or a message list. */
export type RouteInput = string | readonly ChatMessage[];

/** Result of {@link extractRouteText}. @internal */
export interface ExtractedText {
  readonly text: string;
  /** Characters available before truncation (bounded count; -1 when not counted). */
  readonly totalChars: number;
  readonly truncated: boolean;
  /** Why the input could not be used, if so (then text is ''). */
  readonly invalid?: string;
}

const MAX_MESSAGES_SCANNED = 64;
const MAX_BLOCKS_SCANNED = 64;
const MAX_DEPTH = 4;

/** Appends the text of `content` (string or blocks) up to `budget` chars; returns the new text. */
function appendContent(acc: string, content: unknown, budget: number, depth: number): string {
  if (acc.length >= budget) return acc;
  if (typeof content === 'string') {
    const piece = truncateText(content, budget - acc.length - (acc ? 1 : 0));
    return piece ? (acc ? acc + '\n' + piece : piece) : acc;
  }
  if (!Array.isArray(content) || depth > MAX_DEPTH) return acc;
  const n = Math.min(content.length, MAX_BLOCKS_SCANNED);
  for (let i = 0; i < n && acc.length < budget; i++) {
    const block: unknown = content[i];
    if (typeof block === 'string') acc = appendContent(acc, block, budget, depth + 1);
    else if (typeof block === 'object' && block !== null) {
      const text = (block as { text?: unknown }).text;
      if (typeof text === 'string') acc = appendContent(acc, text, budget, depth + 1);
      else if ((block as { type?: unknown }).type === 'tool_result') {
        acc = appendContent(acc, (block as { content?: unknown }).content, budget, depth + 1);
      }
    }
  }
  return acc;
}

/** Length of a message's text without building it (bounded scan). */
function roleOf(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const role = (m as { role?: unknown }).role;
  return typeof role === 'string' ? role : undefined;
}

/**
 * Text to route on, bounded by `maxChars` before any other work: the last user turn first,
 * then earlier user turns (newest first) while room remains. Without user turns, the last
 * message with text is used. Never throws: an unusable input gives `invalid`.
 * @internal
 */
export function extractRouteText(input: unknown, maxChars: number): ExtractedText {
  if (typeof input === 'string') {
    const text = truncateText(input, maxChars);
    return { text, totalChars: input.length, truncated: text.length < input.length };
  }
  if (!Array.isArray(input)) {
    return { text: '', totalChars: 0, truncated: false, invalid: `messages must be a string or an array, got ${input === null ? 'null' : typeof input}` };
  }
  let text = '';
  let total = 0;
  let sawUser = false;
  let scanned = 0;
  for (let i = input.length - 1; i >= 0 && scanned < MAX_MESSAGES_SCANNED && text.length < maxChars; i--, scanned++) {
    const m: unknown = input[i];
    if (roleOf(m) !== 'user') continue;
    sawUser = true;
    const before = text.length;
    text = appendContent(text, (m as { content?: unknown }).content, maxChars, 0);
    total += text.length - before;
  }
  if (!sawUser) {
    for (let i = input.length - 1, s = 0; i >= 0 && s < MAX_MESSAGES_SCANNED; i--, s++) {
      const m: unknown = input[i];
      if (typeof m !== 'object' || m === null) continue;
      text = appendContent('', (m as { content?: unknown }).content, maxChars, 0);
      if (text) break;
    }
    total = text.length;
  }
  const truncated = text.length >= maxChars;
  if (!text && input.length > 0 && !input.some((m: unknown) => typeof m === 'object' && m !== null)) {
    return { text: '', totalChars: 0, truncated: false, invalid: 'messages contain no message objects' };
  }
  return { text, totalChars: total, truncated };
}
