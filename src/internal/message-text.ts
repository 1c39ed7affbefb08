import { headSlice } from './text.js';
import type { ChatMessage } from '../messages.js';

/** What the router accepts as a request's content: a prompt string or a message list. */
export type RouteInput = string | readonly ChatMessage[];

/** Result of {@link extractRouteText}. @internal */
export interface ExtractedText {
  readonly text: string;
  /** Whether some text was left out to respect the bound. */
  readonly truncated: boolean;
  /** Why the input could not be used, if so (then text is ''). */
  readonly invalid?: string;
}

/** Messages read from the end of a list (holes count). @internal */
export const MAX_MESSAGES_SCANNED = 64;
const MAX_BLOCKS_SCANNED = 64;
const MAX_DEPTH = 4;

/** Per-call state: whether any text was left out. */
interface Cut { truncated: boolean }

/** Appends the text of `content` (string or blocks) up to `budget` chars; returns the new text. */
function appendContent(acc: string, content: unknown, budget: number, depth: number, cut: Cut): string {
  if (typeof content === 'string') {
    if (content.length === 0) return acc;
    const room = budget - acc.length - (acc ? 1 : 0);
    const piece = room > 0 ? headSlice(content, room) : '';
    if (piece.length < content.length) cut.truncated = true;
    return piece ? (acc ? acc + '\n' + piece : piece) : acc;
  }
  if (!Array.isArray(content) || depth > MAX_DEPTH) return acc;
  const n = Math.min(content.length, MAX_BLOCKS_SCANNED);
  for (let i = 0; i < n && !cut.truncated; i++) {
    const block: unknown = content[i];
    if (typeof block === 'string') acc = appendContent(acc, block, budget, depth + 1, cut);
    else if (typeof block === 'object' && block !== null) {
      const text = (block as { text?: unknown }).text;
      if (typeof text === 'string') acc = appendContent(acc, text, budget, depth + 1, cut);
      else if ((block as { type?: unknown }).type === 'tool_result') {
        acc = appendContent(acc, (block as { content?: unknown }).content, budget, depth + 1, cut);
      }
    }
  }
  return acc;
}

function roleOf(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const role = (m as { role?: unknown }).role;
  return typeof role === 'string' ? role : undefined;
}

/**
 * Text to route on, bounded by `maxChars` before any other work: the last user turn first,
 * then earlier user turns (newest first) while room remains. Without user turns, the last
 * message with text is used. Only the last {@link MAX_MESSAGES_SCANNED} slots are read, holes of
 * a sparse array included, so `new Array(2 ** 32 - 1)` costs the same as a short list. Never
 * throws: an unusable input (including a throwing getter or Proxy trap) gives `invalid`.
 * @internal
 */
export function extractRouteText(input: unknown, maxChars: number): ExtractedText {
  try {
    return extract(input, maxChars);
  } catch (e) {
    // A getter or Proxy trap of the caller's object threw: request content, so never rethrown.
    return { text: '', truncated: false, invalid: `messages could not be read (${describeThrown(e)})` };
  }
}

function describeThrown(e: unknown): string {
  try {
    const m = typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined;
    return typeof m === 'string' ? m.slice(0, 120) : typeof e;
  } catch {
    return 'unreadable error';
  }
}

function extract(input: unknown, maxChars: number): ExtractedText {
  if (typeof input === 'string') {
    const text = headSlice(input, maxChars);
    return { text, truncated: text.length < input.length };
  }
  if (!Array.isArray(input)) {
    return { text: '', truncated: false, invalid: `messages must be a string or an array, got ${input === null ? 'null' : typeof input}` };
  }
  let text = '';
  let sawUser = false;
  let sawObject = false;
  const cut: Cut = { truncated: false };
  const last = input.length - 1;
  const stop = Math.max(-1, last - MAX_MESSAGES_SCANNED);
  for (let i = last; i > stop && !cut.truncated; i--) {
    const m: unknown = input[i];
    if (typeof m === 'object' && m !== null) sawObject = true;
    if (roleOf(m) !== 'user') continue;
    sawUser = true;
    text = appendContent(text, (m as { content?: unknown }).content, maxChars, 0, cut);
  }
  if (!sawUser) {
    for (let i = last; i > stop && !text; i--) {
      const m: unknown = input[i];
      if (typeof m === 'object' && m !== null) text = appendContent('', (m as { content?: unknown }).content, maxChars, 0, cut);
    }
  }
  if (!text && input.length > 0 && !sawObject) {
    return { text: '', truncated: false, invalid: `messages contain no message objects in the last ${MAX_MESSAGES_SCANNED} entries` };
  }
  return { text, truncated: cut.truncated };
}
