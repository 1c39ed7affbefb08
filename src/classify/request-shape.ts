// Bounded, never-throwing walk over an OpenAI- or Anthropic-shaped request. Work is bounded by
// the scan limits: at most `maxScanMessages` messages from the end, `maxScanBlocks` blocks per
// message, and only a head + tail of the last user message and system prompt are kept as text.

import type { ChatMessage, ContentBlock } from '../messages.js';
import { headSlice, tailSlice } from '../internal/text.js';

/**
 * A chat request in OpenAI or Anthropic shape. Only the fields below are read; anything else
 * is ignored. Values come from outside and are checked at run time.
 */
export interface ClassifiableRequest {
  /** Conversation, oldest first. */
  readonly messages: readonly ChatMessage[];
  /** Anthropic-style system prompt (string or text blocks). */
  readonly system?: string | readonly ContentBlock[];
  /** Tool definitions (OpenAI / Anthropic). Any non-empty array counts as tools present. */
  readonly tools?: readonly unknown[];
  /** Legacy OpenAI function definitions. */
  readonly functions?: readonly unknown[];
  /** Explicit provider: honoured when set. */
  readonly provider?: string;
  /** Explicit model or tier name: honoured unless it is an auto alias such as `'auto'`. */
  readonly model?: string;
}

/** Scan limits. @internal */
export interface ScanLimits {
  readonly maxScanMessages: number;
  readonly maxScanBlocks: number;
  readonly scanChars: number;
}

/** Facts about one request, all derived within the scan limits. @internal */
export interface RequestShape {
  messageCount: number;
  /** Non-system messages (unscanned messages are counted as turns). */
  turns: number;
  /** False when messages or blocks were beyond the scan limits. */
  complete: boolean;
  /** Ignored messages / blocks of an unsupported shape. */
  malformed: number;
  contextChars: number;
  userMessages: number;
  lastUserChars: number;
  lastUserText: string;
  systemChars: number;
  systemText: string;
  toolDefinitions: number;
  toolUses: number;
  toolResults: number;
  images: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Joins text pieces with '\n'; when the total exceeds `limit`, keeps a head and a tail of
 * `limit / 2` each. Never copies more than about `limit` code units.
 * @internal
 */
export function boundText(pieces: readonly string[], total: number, limit: number): string {
  if (pieces.length === 1) {
    const only = pieces[0]!;
    return only.length <= limit ? only : `${headSlice(only, limit >> 1)}\n${tailSlice(only, limit >> 1)}`;
  }
  if (total <= limit) return pieces.join('\n');
  const half = limit >> 1;
  const head: string[] = [];
  let used = 0;
  for (let i = 0; i < pieces.length && used < half; i++) {
    const p = headSlice(pieces[i]!, half - used);
    head.push(p);
    used += p.length + 1;
  }
  const tail: string[] = [];
  used = 0;
  for (let i = pieces.length - 1; i >= 0 && used < half; i--) {
    const p = tailSlice(pieces[i]!, half - used);
    tail.push(p);
    used += p.length + 1;
  }
  return `${head.join('\n')}\n${tail.reverse().join('\n')}`;
}

/** Text pieces and their total length, gathered by {@link collectText}. */
interface TextAcc {
  pieces: string[] | null;
  chars: number;
}

function addText(acc: TextAcc, s: string): void {
  acc.chars += s.length;
  if (acc.pieces !== null && s.length > 0) acc.pieces.push(s);
}

function collectBlocks(shape: RequestShape, blocks: readonly unknown[], acc: TextAcc, limits: ScanLimits, nested: boolean): void {
  const n = Math.min(blocks.length, limits.maxScanBlocks);
  if (blocks.length > n) shape.complete = false;
  for (let i = 0; i < n; i++) {
    const block = blocks[i];
    if (typeof block === 'string') {
      addText(acc, block);
      continue;
    }
    if (!isObject(block)) {
      shape.malformed++;
      continue;
    }
    const type = block['type'];
    const text = block['text'];
    if (type === 'tool_use') shape.toolUses++;
    else if (type === 'tool_result') {
      shape.toolResults++;
      // Tool output counts towards the context size, never towards the user's words.
      const inner = block['content'];
      if (typeof inner === 'string') shape.contextChars += inner.length;
      else if (Array.isArray(inner) && !nested) {
        const sub: TextAcc = { pieces: null, chars: 0 };
        collectBlocks(shape, inner, sub, limits, true);
        shape.contextChars += sub.chars;
      }
    } else if (type === 'image' || type === 'image_url' || type === 'input_image') shape.images++;
    if (typeof text === 'string') addText(acc, text);
  }
}

/** Adds a message's text to `acc`; returns false when the content has an unsupported shape. */
function collectContent(shape: RequestShape, content: unknown, acc: TextAcc, limits: ScanLimits): boolean {
  if (typeof content === 'string') addText(acc, content);
  else if (Array.isArray(content)) collectBlocks(shape, content, acc, limits, false);
  else if (content !== null && content !== undefined) return false;
  return true;
}

/**
 * Reads the facts phase 1 needs from `request`, which must already be known to be an object
 * with a `messages` array. Never throws for odd shapes: they are counted in `malformed`.
 * @internal
 */
export function readRequestShape(request: Record<string, unknown>, messages: readonly unknown[], limits: ScanLimits): RequestShape {
  const shape: RequestShape = {
    messageCount: messages.length, turns: 0, complete: true, malformed: 0, contextChars: 0,
    userMessages: 0, lastUserChars: 0, lastUserText: '', systemChars: 0, systemText: '',
    toolDefinitions: 0, toolUses: 0, toolResults: 0, images: 0,
  };
  const tools = request['tools'];
  const functions = request['functions'];
  if (Array.isArray(tools)) shape.toolDefinitions += tools.length;
  else if (tools !== undefined && tools !== null) shape.malformed++;
  if (Array.isArray(functions)) shape.toolDefinitions += functions.length;
  else if (functions !== undefined && functions !== null) shape.malformed++;

  const system: TextAcc = { pieces: [], chars: 0 };
  if (!collectContent(shape, request['system'], system, limits)) shape.malformed++;

  const scanned = Math.min(messages.length, limits.maxScanMessages);
  const first = messages.length - scanned;
  if (first > 0) {
    shape.complete = false;
    shape.turns += first;
  }
  let lastUser: TextAcc | null = null;
  const other: TextAcc = { pieces: null, chars: 0 };
  for (let i = messages.length - 1; i >= first; i--) {
    const message = messages[i];
    if (!isObject(message)) {
      shape.malformed++;
      continue;
    }
    const role = message['role'];
    let acc = other;
    if (role === 'system' || role === 'developer') acc = system;
    else {
      shape.turns++;
      if (role === 'user') {
        shape.userMessages++;
        // The user's own words: the latest user turn that has any. In an agent loop the last
        // user turns carry only tool results (never the user's words), so the task stays in view.
        if (lastUser === null || lastUser.chars === 0) acc = lastUser = { pieces: [], chars: 0 };
      } else if (role === 'tool' || role === 'function') shape.toolResults++;
      const calls = message['tool_calls'];
      if (Array.isArray(calls)) shape.toolUses += calls.length;
    }
    if (!collectContent(shape, message['content'], acc, limits)) shape.malformed++;
  }
  // A leading system message outside the scanned window still defines the system prompt.
  if (first > 0) {
    const head = messages[0];
    if (isObject(head) && (head['role'] === 'system' || head['role'] === 'developer')) {
      shape.turns--;
      collectContent(shape, head['content'], system, limits);
    }
  }
  shape.systemChars = system.chars;
  shape.systemText = system.pieces!.length === 0 ? '' : boundText(system.pieces!, system.chars, limits.scanChars);
  if (lastUser !== null) {
    shape.lastUserChars = lastUser.chars;
    shape.lastUserText = lastUser.pieces!.length === 0 ? '' : boundText(lastUser.pieces!, lastUser.chars, limits.scanChars);
  }
  shape.contextChars += system.chars + other.chars + (lastUser?.chars ?? 0);
  return shape;
}
