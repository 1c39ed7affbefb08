// Chat message shapes shared by the router and the classifier (OpenAI and Anthropic).
// Values arrive from outside: every reader checks them at run time.

/** A content block of an OpenAI or Anthropic message (`text`, `image`, `image_url`, `tool_use`, `tool_result`, ...). */
export interface ContentBlock {
  /** Block type, e.g. `'text'`, `'image'`, `'image_url'`, `'tool_use'`, `'tool_result'`. */
  readonly type: string;
  /** Text of a `'text'` block. */
  readonly text?: string;
  /** Payload of a `'tool_result'` block: a string or nested blocks. */
  readonly content?: string | readonly ContentBlock[];
  /** Any other field of the provider's block shape. */
  readonly [key: string]: unknown;
}

/** One chat message. `content` may be a string, a list of blocks, or `null` (assistant tool calls). */
export interface ChatMessage {
  /** `'system'`, `'developer'`, `'user'`, `'assistant'`, `'tool'` or `'function'`. */
  readonly role: string;
  /** Message content. */
  readonly content?: string | readonly ContentBlock[] | null;
  /** OpenAI assistant tool calls. */
  readonly tool_calls?: readonly unknown[];
  /** Any other field (name, tool_call_id, ...). */
  readonly [key: string]: unknown;
}
