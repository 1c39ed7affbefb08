import { FNV_OFFSET, FNV_PRIME, isWordCode, normalizeForMatching } from '../internal/text.js';
import type { SafePattern } from './safe-pattern.js';

/** One compiled keyword or domain rule. @internal */
export interface KeywordRule<T> {
  readonly owner: T;
  /** The keyword as written (for reasons). */
  readonly label: string;
  readonly kind: 'keyword' | 'domain';
  readonly boost: number;
  /** Hash of the first token (the lookup key). */
  readonly first: number;
  /** Hashes of the 2nd..nth token of a phrase (empty for one word). */
  readonly rest: Int32Array;
  /** Last call that counted this rule (dedupes repeats within one query). */
  stamp: number;
}

/** One compiled regex rule. @internal */
export interface PatternRule<T> {
  readonly owner: T;
  readonly re: SafePattern;
}

const MAX_TOKENS = 2_048;


/** Word-token hashes of already-normalised text into `out`; returns the count. */
function tokenHashes(text: string, out: Int32Array): number {
  let n = 0;
  let h = FNV_OFFSET;
  let inWord = false;
  for (let i = 0, len = text.length; i <= len; i++) {
    const c = i < len ? text.charCodeAt(i) : 32;
    if (isWordCode(c)) {
      h = Math.imul(h ^ c, FNV_PRIME);
      inWord = true;
    } else if (inWord) {
      if (n === out.length) return n;
      out[n++] = h;
      h = FNV_OFFSET;
      inWord = false;
    }
  }
  return n;
}

/**
 * L1 matcher: keywords/domain words (looked up by token hash, phrase-aware, each counted
 * once per query) and regex patterns (tested in registration order). Rules are added and
 * removed per owner, so a registry update costs only that owner's rules.
 * @internal
 */
export class KeywordMatcher<T> {
  readonly #byFirstToken = new Map<number, KeywordRule<T>[]>();
  readonly #rulesOf = new Map<T, { keywords: KeywordRule<T>[]; patterns: PatternRule<T>[] }>();
  #patterns: PatternRule<T>[] = [];
  readonly #tokens = new Int32Array(MAX_TOKENS);
  #stamp = 0;
  /** Keyword hits of the last {@link KeywordMatcher.match} call (reused array). */
  readonly hits: KeywordRule<T>[] = [];

  /** Number of keyword/domain rules. */
  get keywordRuleCount(): number {
    let n = 0;
    for (const r of this.#rulesOf.values()) n += r.keywords.length;
    return n;
  }

  /** Whether any pattern rule exists. */
  get hasPatterns(): boolean {
    return this.#patterns.length > 0;
  }

  /** Registers the rules of `owner` (replacing earlier ones). */
  add(owner: T, keywords: readonly string[], domain: string, patterns: readonly SafePattern[], keywordBoost: number, domainBoost: number): void {
    this.remove(owner);
    const rules: KeywordRule<T>[] = [];
    const seen = new Set<string>();
    const addRule = (label: string, kind: 'keyword' | 'domain', boost: number): void => {
      const norm = normalizeForMatching(label);
      const toks = new Int32Array(64);
      const n = tokenHashes(norm, toks);
      const key = `${kind}:${Array.from(toks.subarray(0, n)).join(',')}`;
      if (n === 0 || seen.has(key)) return;
      seen.add(key);
      const rule: KeywordRule<T> = { owner, label, kind, boost, first: toks[0]!, rest: toks.slice(1, n), stamp: -1 };
      rules.push(rule);
      const list = this.#byFirstToken.get(rule.first);
      if (list) list.push(rule);
      else this.#byFirstToken.set(rule.first, [rule]);
    };
    for (const k of keywords) addRule(k, 'keyword', keywordBoost);
    // a domain path like 'animals/camelids' boosts on each segment
    if (domainBoost > 0) for (const segment of domain.split('/')) if (segment.trim()) addRule(segment.trim(), 'domain', domainBoost);
    const pats = patterns.map((re) => ({ owner, re }));
    this.#rulesOf.set(owner, { keywords: rules, patterns: pats });
    if (pats.length) this.#patterns = this.#patterns.concat(pats);
  }

  /** Removes every rule of `owner`. */
  remove(owner: T): void {
    const rules = this.#rulesOf.get(owner);
    if (!rules) return;
    this.#rulesOf.delete(owner);
    for (const rule of rules.keywords) {
      const list = this.#byFirstToken.get(rule.first);
      if (!list) continue;
      const i = list.indexOf(rule);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.#byFirstToken.delete(rule.first);
    }
    if (rules.patterns.length) this.#patterns = this.#patterns.filter((p) => p.owner !== owner);
  }

  /**
   * First pattern rule matching `text` (registration order), or null.
   * `text` is the bounded raw text; patterns carry their own case flags.
   */
  matchPattern(text: string): PatternRule<T> | null {
    for (const p of this.#patterns) if (p.re.test(text)) return p;
    return null;
  }

  /** Fills {@link KeywordMatcher.hits} with the keyword/domain rules present in `text`; returns the count. */
  match(text: string): number {
    this.hits.length = 0;
    if (this.#byFirstToken.size === 0) return 0;
    const stamp = ++this.#stamp;
    const toks = this.#tokens;
    const n = tokenHashes(normalizeForMatching(text), toks);
    for (let i = 0; i < n; i++) {
      const list = this.#byFirstToken.get(toks[i]!);
      if (list === undefined) continue;
      for (const rule of list) {
        if (rule.stamp === stamp) continue;
        const rest = rule.rest;
        if (i + rest.length >= n) continue;
        let ok = true;
        for (let k = 0; k < rest.length; k++) if (toks[i + 1 + k] !== rest[k]) { ok = false; break; }
        if (!ok) continue;
        rule.stamp = stamp;
        this.hits.push(rule);
      }
    }
    return this.hits.length;
  }
}
