import { invalidOption } from '../errors.js';

/** Most entries a keyword / phrase list may hold. @internal */
export const MAX_PHRASES = 1000;
/** Longest phrase accepted, in chars. @internal */
export const MAX_PHRASE_CHARS = 200;

const WORD_BEFORE = '(?<![A-Za-z0-9_])';
const WORD_AFTER = '(?![A-Za-z0-9_])';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Validates a phrase list option (array of non-empty strings) and returns a frozen copy.
 * @internal
 */
export function optPhrases(name: string, value: unknown, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length > MAX_PHRASES) {
    invalidOption(name, `an array of at most ${MAX_PHRASES} strings`, value);
  }
  const out: string[] = [];
  (value as readonly unknown[]).forEach((p, i) => {
    if (typeof p !== 'string' || p.trim().length === 0 || p.length > MAX_PHRASE_CHARS) {
      invalidOption(`${name}[${i}]`, `a non-empty string of at most ${MAX_PHRASE_CHARS} chars`, p);
    }
    out.push(p.trim());
  });
  return Object.freeze(out);
}

/**
 * Compiles literal phrases into one case-insensitive, global regex that matches any of them at
 * word boundaries; whitespace inside a phrase matches any run of whitespace. Longer phrases win.
 * Returns `null` for an empty list. Compiled once per options object, never per call.
 * @internal
 */
export function compilePhrases(phrases: readonly string[]): RegExp | null {
  if (phrases.length === 0) return null;
  const alternatives = [...new Set(phrases.map((p) => p.toLowerCase()))]
    .sort((a, b) => b.length - a.length)
    .map((p) => escapeRegExp(p).replace(/\s+/g, '\\s+'));
  return new RegExp(`${WORD_BEFORE}(?:${alternatives.join('|')})${WORD_AFTER}`, 'gi');
}

/**
 * Distinct (case- and whitespace-folded) matches of `re` in `text`, stopping after `cap`.
 * @internal
 */
export function distinctMatches(re: RegExp | null, text: string, cap: number): string[] {
  const found: string[] = [];
  if (re === null || text.length === 0) return found;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (found.length < cap && (m = re.exec(text)) !== null) {
    const key = m[0].toLowerCase().replace(/\s+/g, ' ');
    if (!found.includes(key)) found.push(key);
  }
  re.lastIndex = 0;
  return found;
}

/** True when `re` matches anywhere in `text`. @internal */
export function anyMatch(re: RegExp | null, text: string): boolean {
  if (re === null || text.length === 0) return false;
  re.lastIndex = 0;
  const hit = re.test(text);
  re.lastIndex = 0;
  return hit;
}

/**
 * Compiles a file-reference matcher: path-like tokens ending in one of `extensions`.
 * @internal
 */
export function compileFileReferences(extensions: readonly string[]): RegExp | null {
  if (extensions.length === 0) return null;
  const exts = [...new Set(extensions.map((e) => escapeRegExp(e.replace(/^\./, '').toLowerCase())))]
    .sort((a, b) => b.length - a.length);
  return new RegExp(`(?<![A-Za-z0-9_./-])(?:[A-Za-z0-9_.-]+/)*[A-Za-z0-9_-]+\\.(?:${exts.join('|')})${WORD_AFTER}`, 'gi');
}
