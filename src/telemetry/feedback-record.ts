// The shape of one preference record, shared by FeedbackLog (writing) and exportDpoDataset (reading).
import { isPlainObject } from '../internal/validate.js';

/** One chat turn inside a conversational preference record. */
export interface FeedbackMessage {
  /** `'system'`, `'user'`, `'assistant'`, … */
  readonly role: string;
  /** Text of the turn. */
  readonly content: string;
}

/** A prompt or completion: plain text, or chat turns (the conversational DPO format). */
export type FeedbackText = string | readonly FeedbackMessage[];

/**
 * One preference pair for DPO: for `prompt`, `chosen` was better than `rejected`. Both sides
 * can be responses (texts) or routes (e.g. the model path that answered well and the one that did not).
 */
export interface FeedbackRecord {
  /** The request. */
  readonly prompt: FeedbackText;
  /** The preferred response or route. */
  readonly chosen: FeedbackText;
  /** The dispreferred response or route; must differ from `chosen`. */
  readonly rejected: FeedbackText;
  /** JSON-safe context kept in the log (not exported to the training file unless asked). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** Result of {@link checkFeedback}. @internal */
export type FeedbackCheck = { readonly ok: true; readonly record: FeedbackRecord } | { readonly ok: false; readonly reason: string };

function checkText(field: string, value: unknown): FeedbackText | { readonly error: string } {
  if (typeof value === 'string') return value.length > 0 ? value : { error: `\`${field}\` is an empty string` };
  if (!Array.isArray(value) || value.length === 0) return { error: `\`${field}\` must be a non-empty string or a non-empty array of {role, content}` };
  const out: FeedbackMessage[] = [];
  for (let i = 0; i < value.length; i++) {
    const m: unknown = value[i];
    if (!isPlainObject(m) || typeof m['role'] !== 'string' || m['role'] === '' || typeof m['content'] !== 'string') {
      return { error: `\`${field}[${i}]\` must be {role: string, content: string}` };
    }
    out.push({ role: m['role'], content: m['content'] });
  }
  return out;
}

/**
 * Validates an untrusted value as a {@link FeedbackRecord} and returns a normalized copy
 * (messages reduced to `{role, content}`, so equal records serialize equally).
 * @internal
 */
export function checkFeedback(value: unknown): FeedbackCheck {
  if (!isPlainObject(value)) return { ok: false, reason: 'not a JSON object' };
  const fields = ['prompt', 'chosen', 'rejected'] as const;
  const texts: FeedbackText[] = [];
  for (const f of fields) {
    const t = checkText(f, value[f]);
    if (typeof t === 'object' && 'error' in t) return { ok: false, reason: t.error };
    texts.push(t);
  }
  const [prompt, chosen, rejected] = texts as [FeedbackText, FeedbackText, FeedbackText];
  if (JSON.stringify(chosen) === JSON.stringify(rejected)) return { ok: false, reason: '`chosen` equals `rejected`' };
  const meta = value['meta'];
  if (meta !== undefined && !isPlainObject(meta)) return { ok: false, reason: '`meta` must be an object' };
  return { ok: true, record: meta === undefined ? { prompt, chosen, rejected } : { prompt, chosen, rejected, meta } };
}
