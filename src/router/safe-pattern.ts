// Project `patterns` compiled for a linear-time engine (RE2 semantics via re2js): matching
// cost grows with prompt length × pattern size, never exponentially, whatever the pattern.
// V8's own RegExp backtracks: `(a+)+$` on a 41-char prompt runs for longer than 15 s, and a
// peer's route update can carry such a pattern. Accepted syntax: docs/security.md.
import { RE2JS } from 're2js';

/** Bounds on patterns. @internal */
export const PATTERN_LIMITS = {
  /** Longest pattern source, chars. */
  sourceChars: 1_024,
  /** Largest compiled program of one pattern (RE2 instructions). */
  patternInsts: 500,
} as const;

/** A pattern compiled for the linear-time engine. @internal */
export interface SafePattern {
  /** The pattern as written (sent in route updates). */
  readonly source: string;
  /** `/source/flags`, for `Project.patterns` and route reasons. */
  readonly display: string;
  /** Compiled program size (RE2 instructions): the pattern's share of the matching cost. */
  readonly insts: number;
  /** Whether the pattern matches anywhere in `text`. */
  test(text: string): boolean;
}

/** Why a pattern was refused (a message for `ERR_INVALID_PROJECT`). @internal */
export class PatternError extends Error {
  override name = 'PatternError';
}

/** JS flags kept from a RegExp (g, y, d, u, v change nothing for a yes/no test). */
const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };

function programSize(re: RE2JS, source: string): number {
  const prog = (re as unknown as { re2Input?: { prog?: { numInst?: () => number } } }).re2Input?.prog;
  const n = typeof prog?.numInst === 'function' ? prog.numInst() : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : source.length * 4; // conservative if re2js changes shape
}

/**
 * Compiles a project pattern: a source string (case-insensitive, as before) or a RegExp
 * (its `i`, `m`, `s` flags are kept). JS-only forms (`(?<name>`, `\u{...}`, `\/`) are
 * translated; lookaround and backreferences have no linear-time equivalent and are refused.
 * Throws {@link PatternError}.
 * @internal
 */
export function compileSafePattern(p: string | RegExp): SafePattern {
  let source: string;
  let flags: string;
  if (p instanceof RegExp) {
    source = p.source;
    flags = [...p.flags].filter((f) => f !== 'g' && f !== 'y').join('');
  } else {
    source = p;
    flags = 'iu';
  }
  if (source.length > PATTERN_LIMITS.sourceChars) throw new PatternError(`pattern is longer than ${PATTERN_LIMITS.sourceChars} chars`);
  let bits = 0;
  for (const f of flags) bits |= FLAG_BITS[f] ?? 0;
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(source), bits);
  } catch (e) {
    const why = (e as Error)?.message ?? String(e);
    throw new PatternError(`${why} (patterns use RE2 syntax: no lookaround, no backreferences)`);
  }
  const insts = programSize(re, source);
  if (insts > PATTERN_LIMITS.patternInsts) throw new PatternError(`pattern compiles to ${insts} instructions, more than ${PATTERN_LIMITS.patternInsts}`);
  return {
    source,
    display: `/${source}/${flags}`,
    insts,
    test: (text: string) => re.test(text),
  };
}
