import { extractRouteText, type RouteInput } from '../internal/message-text.js';

/**
 * One routing-feedback record (the shape a FeedbackLog writes): the request, the project
 * that should have served it and/or the one that should not have. Projects are named by
 * model path or alias.
 */
export interface FitFeedbackRecord {
  /** The request: prompt string or chat messages. */
  readonly prompt: RouteInput;
  /** Project that was right for the prompt (positive example). */
  readonly chosen?: string | null;
  /** Project that was wrong for the prompt (negative example when `chosen` is absent). */
  readonly rejected?: string | null;
}

/** Feedback given to {@link FastProjectRouter.fit}: a list or an async iterable of records. */
export type FeedbackSource = readonly FitFeedbackRecord[] | AsyncIterable<FitFeedbackRecord>;

/** A usable record: prompt text and class indices (-1 when absent). @internal */
export interface ResolvedFeedback {
  readonly text: string;
  readonly chosen: number;
  readonly rejected: number;
}

/**
 * Reads feedback records and resolves their projects with `classOf` (model path or alias to
 * class index, or -1). Records of the wrong shape, without usable text, naming unknown
 * projects or naming the same project twice are counted as dropped.
 * @internal
 */
export async function collectFeedback(
  source: FeedbackSource | undefined,
  classOf: (name: string) => number,
  maxChars: number,
): Promise<{ records: ResolvedFeedback[]; dropped: number }> {
  const records: ResolvedFeedback[] = [];
  let dropped = 0;
  if (source === undefined) return { records, dropped };
  const take = (r: unknown): void => {
    if (typeof r !== 'object' || r === null) { dropped++; return; }
    const rec = r as { prompt?: unknown; chosen?: unknown; rejected?: unknown };
    const name = (v: unknown): number | undefined => (v === undefined || v === null ? -1 : typeof v === 'string' ? classOf(v) : undefined);
    const chosen = name(rec.chosen);
    const rejected = name(rec.rejected);
    const bad = chosen === undefined || rejected === undefined ||
      (chosen < 0 && rejected < 0) || chosen === rejected ||
      (rec.chosen != null && chosen! < 0) || (rec.rejected != null && rejected! < 0);
    if (bad) { dropped++; return; }
    const extracted = extractRouteText(rec.prompt as RouteInput, maxChars);
    if (extracted.invalid !== undefined || extracted.text.length === 0) { dropped++; return; }
    records.push({ text: extracted.text, chosen: chosen!, rejected: rejected! });
  };
  try {
    if (Array.isArray(source)) for (const r of source as readonly unknown[]) take(r);
    else for await (const r of source as AsyncIterable<unknown>) take(r);
  } catch {
    dropped++; // a failing iterator ends the feedback; what was read is used
  }
  return { records, dropped };
}
