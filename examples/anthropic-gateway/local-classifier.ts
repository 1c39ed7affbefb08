// Phase 2 of the routing seed: an ambiguous request is classified by the local model itself,
// through the same ApiMap (so the classifier call gets the local instances' balancing and
// breakers). RequestClassifier bounds it with a timeout, an LRU cache, coalescing and its own
// breaker, and falls back to phase 1's guess on any failure or unusable answer.
import type { ApiMap, ClassifyFn, InstanceInfo } from '../../src/index.js';

const PROMPT = `You route requests of a coding assistant to a model tier. Tiers, cheapest first: {tiers}.
The first tier is a small local model: good for explanations, formatting, renames, comments and small single-file edits.
The last tier is the strongest model: for architecture, security, hard debugging and multi-step reasoning.
Reply with JSON only: {"tier": "<tier>", "reason": "<five words>"}`;

/** Options of {@link localTierClassifier}. */
export interface LocalClassifierOptions {
  /** The gateway's ApiMap. */
  readonly apiMap: ApiMap;
  /** ApiMap model (and upstream model) of the local tier. */
  readonly model: string;
  /** Key sent as `x-api-key` to an instance, if any. */
  readonly apiKeyFor?: (instance: InstanceInfo) => string | undefined;
  /** Chars of the last user message shown to the classifier. @defaultValue 2000 */
  readonly maxChars?: number;
}

/** The last user message's text (string content or text blocks), cut to `max` chars. */
function lastUserText(messages: readonly unknown[], max: number): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null;
    if (m === null || typeof m !== 'object' || m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content.slice(0, max);
    if (Array.isArray(m.content)) {
      const text = m.content.flatMap((b: { type?: unknown; text?: unknown }) => (b?.type === 'text' && typeof b.text === 'string' ? [b.text] : [])).join('\n');
      if (text !== '') return text.slice(0, max);
    }
  }
  return '';
}

/**
 * A phase-2 classifier that asks the local model (Messages API, non-streamed) for a tier.
 * Its reply text is returned as is: RequestClassifier parses and validates it.
 */
export function localTierClassifier(options: LocalClassifierOptions): ClassifyFn {
  const maxChars = options.maxChars ?? 2000;
  return async (request, { signal, tiers, signals }) => {
    const system = PROMPT.replace('{tiers}', tiers.join(', '));
    const content = `Phase-1 notes: ${signals.reasons.join('; ')}\n\nRequest:\n${lastUserText(request.messages, maxChars)}`;
    return options.apiMap.execute(options.model, async (sel, attemptSignal) => {
      const key = options.apiKeyFor?.(sel.instance);
      const res = await fetch(`${sel.instance.endpoint.replace(/\/+$/, '')}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...(key ? { 'x-api-key': key } : {}) },
        body: JSON.stringify({ model: options.model, max_tokens: 64, temperature: 0, system, messages: [{ role: 'user', content }] }),
        signal: AbortSignal.any([signal, attemptSignal]),
      });
      if (!res.ok) throw Object.assign(new Error(`classifier call answered ${res.status}`), { status: res.status });
      const body = (await res.json()) as { content?: { type?: string; text?: string }[] };
      return (body.content ?? []).filter((b) => b.type === 'text').map((b) => b.text ?? '').join('');
    }, { retries: 0, signal });
  };
}
