// Text primitives shared by the hash embedder, the keyword matcher, message extraction and the
// classifier, so they agree on what a word is, how text is normalised and where it may be cut.

/** FNV-1a offset basis. @internal */
export const FNV_OFFSET = 0x811c9dc5;
/** FNV-1a prime. @internal */
export const FNV_PRIME = 0x01000193;
const NON_ASCII = /[^\x00-\x7f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** murmur3 finaliser: spreads FNV hashes over all 32 bits. @internal */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/**
 * Word characters: ASCII letters and digits, and every non-ASCII code unit except common
 * punctuation/space blocks (so CJK, accented and emoji text still form tokens).
 * @internal
 */
export function isWordCode(c: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
  if (c >= 0x2000 && c <= 0x206f) return false; // general punctuation, zero-width, bidi marks
  if (c >= 0x3000 && c <= 0x303f) return false; // CJK punctuation
  return c !== 0xfeff && c !== 0x00a0 && c !== 0x00ad && c !== 0xfffd;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** First `n` code units of `s`, never ending inside a surrogate pair. @internal */
export function headSlice(s: string, n: number): string {
  if (n >= s.length) return s;
  let end = n;
  if (end > 0 && isHighSurrogate(s.charCodeAt(end - 1)) && isLowSurrogate(s.charCodeAt(end))) end--;
  return s.slice(0, end);
}

/** Last `n` code units of `s`, never starting inside a surrogate pair. @internal */
export function tailSlice(s: string, n: number): string {
  if (n >= s.length) return s;
  let start = s.length - n;
  if (isLowSurrogate(s.charCodeAt(start)) && isHighSurrogate(s.charCodeAt(start - 1))) start++;
  return s.slice(start);
}

// The last text normalised and its result. A route hands one string to the embedder, the learned
// head's hasher and the keyword matcher, and each normalises it; keeping the last result makes that
// one normalisation per route (the others are a pointer compare). The function stays pure.
let lastText = '';
let lastNormalized = '';

/**
 * Lower-cases and NFKC-normalises (skipped for pure ASCII, where NFKC is the identity).
 * Lone surrogates carry no meaning and become spaces, so they cannot glue onto a word.
 * Repeated calls with the text of the previous call return its result without recomputing.
 * @internal
 */
export function normalizeForMatching(text: string): string {
  if (text === lastText) return lastNormalized;
  const normalized = NON_ASCII.test(text) ? text.replace(LONE_SURROGATE, ' ').normalize('NFKC').toLowerCase() : text.toLowerCase();
  lastText = text;
  lastNormalized = normalized;
  return normalized;
}
