import { SwitchyardError, isSwitchyardError } from '../errors.js';
import { isPlainObject, optInteger, optNumber } from '../internal/validate.js';
import { anyMatch, compileFileReferences, compilePhrases, distinctMatches, optPhrases } from './keyword-pattern.js';
import { readRequestShape, type ClassifiableRequest, type RequestShape, type ScanLimits } from './request-shape.js';
import { resolveTiers, type ResolvedTiers, type TierSpec } from './tiers.js';
import { SIGNAL_ALIASES, type SignalOptions } from './classifier-options.js';
import { nestFlatOptions, optGroup } from '../internal/renamed-options.js';

/** Phase-1 verdict: the local tier, a remote tier, or unclear (phase 2 decides). */
export type RoutingBand = 'LOCAL' | 'REMOTE' | 'AMBIGUOUS';

/** Result of phase 1 ({@link computeRoutingSignals}). */
export interface RoutingSignals {
  /** Which side of the local / remote line the request falls on. */
  readonly band: RoutingBand;
  /** How sure phase 1 is of `band`, in [0, 1]. */
  readonly confidence: number;
  /**
   * Complexity score in [0, 1] (sum of rule weights, capped). Picks the remote tier: at or
   * above `thresholds.topTierScore` the top (last) tier, below it the mid (second) tier.
   */
  readonly score: number;
  /** One human-readable line per rule that fired, then the tier choice. */
  readonly reasons: readonly string[];
  /** Name of phase 1's best-guess tier: the answer for LOCAL / REMOTE, the fallback for AMBIGUOUS. */
  readonly fallbackTier: string;
}

/** Default {@link SignalPhrases.deepReasoningKeywords}. */
export const DEFAULT_DEEP_REASONING_KEYWORDS: readonly string[] = Object.freeze([
  'architecture', 'architect', 'security audit', 'vulnerability', 'threat model', 'migration', 'migrate',
  'distributed', 'concurrency', 'race condition', 'deadlock', 'scalability', 'performance optimization',
  'system design', 'design pattern', 'trade-off', 'tradeoff', 'prove', 'algorithm', 'complexity analysis',
  'root cause', 'debug', 'refactor', 'cryptography', 'consensus',
]);

/** Default {@link SignalPhrases.simpleTaskPatterns}. */
export const DEFAULT_SIMPLE_TASK_PATTERNS: readonly string[] = Object.freeze([
  'explain', 'what does', 'what is', 'comment', 'add comments', 'docstring', 'document this', 'format',
  'reformat', 'rename', 'add type hints', 'type hint', 'type annotations', 'summarize', 'translate',
  'fix typo', 'typo', 'convert', 'sort imports', 'lint', 'simplify', 'example of',
]);

/** Default {@link SignalPhrases.agenticMarkers} (matched in the system prompt only). */
export const DEFAULT_AGENTIC_MARKERS: readonly string[] = Object.freeze([
  'cursor', 'continue.dev', 'cline', 'aider', 'claude code', 'coding agent', 'autonomous agent', 'agent mode',
  'you have access to the following tools', 'tool use', '<environment_details>', '<tool_call>', 'workspace',
  'repository map', 'apply_diff', 'edit_file',
]);

/** Default {@link SignalPhrases.multiFilePatterns}. */
export const DEFAULT_MULTI_FILE_PATTERNS: readonly string[] = Object.freeze([
  'multiple files', 'several files', 'all files', 'every file', 'each file', 'across files', 'across the codebase',
  'throughout the codebase', 'whole codebase', 'entire codebase', 'whole project', 'entire project',
  'across the repo', 'all modules', 'every module',
]);

/** Default {@link SignalPhrases.editVerbs}. */
export const DEFAULT_EDIT_VERBS: readonly string[] = Object.freeze([
  'fix', 'change', 'update', 'edit', 'modify', 'rename', 'add', 'remove', 'delete', 'replace', 'tweak', 'adjust',
]);

/** Default {@link SignalPhrases.fileExtensions}. */
export const DEFAULT_FILE_EXTENSIONS: readonly string[] = Object.freeze([
  'ts', 'tsx', 'js', 'jsx', 'mjs', 'cjs', 'py', 'rb', 'go', 'rs', 'java', 'kt', 'swift', 'c', 'h', 'cc', 'cpp',
  'hpp', 'cs', 'php', 'scala', 'sh', 'sql', 'json', 'yaml', 'yml', 'toml', 'md', 'html', 'css', 'scss', 'vue', 'svelte',
]);

/** Fully resolved and compiled phase-1 options. @internal */
export interface ResolvedSignalOptions extends ScanLimits {
  readonly tiers: ResolvedTiers;
  readonly localContextCharLimit: number;
  readonly maxLocalTurns: number;
  readonly shortMessageChars: number;
  readonly shortSystemPromptChars: number;
  readonly maxFileReferences: number;
  readonly deepReasoningMinMatches: number;
  readonly topTierScore: number;
  readonly deepRe: RegExp | null;
  readonly simpleRe: RegExp | null;
  readonly agenticRe: RegExp | null;
  readonly multiFileRe: RegExp | null;
  readonly editRe: RegExp | null;
  readonly fileRe: RegExp | null;
}

/** Rule weights that make up the complexity score. @internal */
export const SCORE_WEIGHTS = Object.freeze({
  deepKeyword: 0.25, multiFile: 0.2, manyFiles: 0.15, largeContext: 0.15, longConversation: 0.1, agentic: 0.1, tools: 0.05,
});

/**
 * Validates phase-1 options (deprecated flat names moved onto their nested place first) and
 * compiles their phrase lists. The resolved shape stays flat: the route path reads it per request.
 * @internal
 */
export function resolveSignalOptions(options: SignalOptions | undefined): ResolvedSignalOptions {
  const raw: unknown = options === undefined ? {} : options;
  if (!isPlainObject(raw)) throw new SwitchyardError('ERR_INVALID_OPTION', 'Expected options to be a plain object');
  const o = nestFlatOptions(raw, SIGNAL_ALIASES);
  const t = optGroup(o, 'thresholds');
  const p = optGroup(o, 'phrases');
  const scan = optGroup(o, 'scan');
  return {
    tiers: resolveTiers(o['tiers']),
    localContextCharLimit: optInteger('thresholds.localContextCharLimit', t['localContextCharLimit'], 30_000, 0),
    maxLocalTurns: optInteger('thresholds.maxLocalTurns', t['maxLocalTurns'], 15, 0),
    shortMessageChars: optInteger('thresholds.shortMessageChars', t['shortMessageChars'], 3_000, 0),
    shortSystemPromptChars: optInteger('thresholds.shortSystemPromptChars', t['shortSystemPromptChars'], 500, 0),
    maxFileReferences: optInteger('thresholds.maxFileReferences', t['maxFileReferences'], 5, 0, 1_000),
    deepReasoningMinMatches: optInteger('thresholds.deepReasoningMinMatches', t['deepReasoningMinMatches'], 2, 1, 100),
    topTierScore: optNumber('thresholds.topTierScore', t['topTierScore'], 0.5, 0, 1),
    scanChars: optInteger('scan.chars', scan['chars'], 8_192, 64, 1 << 20),
    maxScanMessages: optInteger('scan.maxMessages', scan['maxMessages'], 256, 1, 100_000),
    maxScanBlocks: optInteger('scan.maxBlocks', scan['maxBlocks'], 256, 1, 100_000),
    deepRe: compilePhrases(optPhrases('phrases.deepReasoningKeywords', p['deepReasoningKeywords'], DEFAULT_DEEP_REASONING_KEYWORDS)),
    simpleRe: compilePhrases(optPhrases('phrases.simpleTaskPatterns', p['simpleTaskPatterns'], DEFAULT_SIMPLE_TASK_PATTERNS)),
    agenticRe: compilePhrases(optPhrases('phrases.agenticMarkers', p['agenticMarkers'], DEFAULT_AGENTIC_MARKERS)),
    multiFileRe: compilePhrases(optPhrases('phrases.multiFilePatterns', p['multiFilePatterns'], DEFAULT_MULTI_FILE_PATTERNS)),
    editRe: compilePhrases(optPhrases('phrases.editVerbs', p['editVerbs'], DEFAULT_EDIT_VERBS)),
    fileRe: compileFileReferences(optPhrases('phrases.fileExtensions', p['fileExtensions'], DEFAULT_FILE_EXTENSIONS)),
  };
}

const resolvedCache = new WeakMap<object, ResolvedSignalOptions>();
let resolvedDefault: ResolvedSignalOptions | undefined;

function resolvedFor(options: SignalOptions | undefined): ResolvedSignalOptions {
  if (options === undefined) return (resolvedDefault ??= resolveSignalOptions(undefined));
  if (typeof options !== 'object' || options === null) return resolveSignalOptions(options);
  let r = resolvedCache.get(options);
  if (r === undefined) resolvedCache.set(options, (r = resolveSignalOptions(options)));
  return r;
}

/**
 * Checks the outer request shape and reads it within the scan limits. Any failure, including
 * a throwing getter or proxy, becomes `ERR_INVALID_MESSAGES`.
 * @internal
 */
export function readShapeChecked(request: unknown, o: ResolvedSignalOptions): RequestShape {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new SwitchyardError('ERR_INVALID_MESSAGES', 'Expected the request to be an object with a `messages` array');
  }
  try {
    const messages = (request as Record<string, unknown>)['messages'];
    if (!Array.isArray(messages)) {
      throw new SwitchyardError('ERR_INVALID_MESSAGES', 'Expected `messages` to be an array');
    }
    return readRequestShape(request as Record<string, unknown>, messages, o);
  } catch (e) {
    if (isSwitchyardError(e)) throw e;
    throw new SwitchyardError('ERR_INVALID_MESSAGES', 'The request could not be read', { cause: e });
  }
}

/** Distinct deep-reasoning keywords in the last user message (at most 8). @internal */
export function deepKeywords(shape: RequestShape, o: ResolvedSignalOptions): string[] {
  return distinctMatches(o.deepRe, shape.lastUserText, 8);
}

/** Remote tier for a complexity score. @internal */
export function remoteTierFor(score: number, o: ResolvedSignalOptions): TierSpec {
  const remote = o.tiers.remote;
  if (score >= o.topTierScore) return remote[remote.length - 1]!;
  // Tiers between mid and top (if any) split [0, topTierScore) evenly.
  const idx = o.topTierScore === 0 ? 0 : Math.floor((score / o.topTierScore) * (remote.length - 1));
  return remote[Math.min(idx, remote.length - 1)]!;
}

function quoteList(items: readonly string[]): string {
  return items.map((k) => JSON.stringify(k)).join(', ');
}

/**
 * Phase 1 on an already-resolved configuration.
 * @internal
 */
export function computeSignalsResolved(request: unknown, o: ResolvedSignalOptions): RoutingSignals {
  const s = readShapeChecked(request, o);
  const reasons: string[] = [];
  let forces = 0;
  let score = 0;
  const force = (reason: string, weight: number): void => {
    forces++;
    score += weight;
    reasons.push(`remote: ${reason}`);
  };

  if (s.malformed > 0) reasons.push(`ignored ${s.malformed} message part(s) of an unsupported shape`);
  if (s.toolDefinitions > 0 || s.toolUses > 0) force(`tools present (${s.toolDefinitions} definition(s), ${s.toolUses} call(s))`, SCORE_WEIGHTS.tools);
  if (s.toolResults > 0) force(`${s.toolResults} tool result(s) in the conversation`, SCORE_WEIGHTS.tools);
  if (s.contextChars > o.localContextCharLimit || !s.complete) {
    force(s.complete ? `context ${s.contextChars} chars > localContextCharLimit ${o.localContextCharLimit}`
      : `request exceeds the scan limits (${s.messageCount} messages)`, SCORE_WEIGHTS.largeContext);
  }
  if (s.turns > o.maxLocalTurns) force(`${s.turns} turns > maxLocalTurns ${o.maxLocalTurns}`, SCORE_WEIGHTS.longConversation);
  const agentic = distinctMatches(o.agenticRe, s.systemText, 1);
  if (agentic.length > 0) force(`agentic system prompt (${quoteList(agentic)})`, SCORE_WEIGHTS.agentic);

  const text = s.lastUserText;
  const deep = deepKeywords(s, o);
  score += Math.min(deep.length, 3) * SCORE_WEIGHTS.deepKeyword;
  if (deep.length >= o.deepReasoningMinMatches) {
    forces++;
    reasons.push(`remote: ${deep.length} deep-reasoning keywords (${quoteList(deep)})`);
  }
  const files = distinctMatches(o.fileRe, text, o.maxFileReferences + 1);
  if (files.length > o.maxFileReferences) force(`more than ${o.maxFileReferences} file references`, SCORE_WEIGHTS.manyFiles);
  const edit = anyMatch(o.editRe, text);
  const multiFilePhrase = anyMatch(o.multiFileRe, text);
  if (multiFilePhrase || (edit && files.length >= 2)) {
    force(multiFilePhrase ? 'multi-file change request' : `change request over ${files.length} files`, SCORE_WEIGHTS.multiFile);
  }
  score = Math.round(Math.min(1, score) * 100) / 100;

  if (forces > 0) {
    const tier = remoteTierFor(score, o);
    reasons.push(tierReason(score, o, tier));
    return { band: 'REMOTE', confidence: Math.min(99, 80 + 5 * (forces - 1)) / 100, score, reasons, fallbackTier: tier.name };
  }

  // No force: weigh what favors local against mixed signals.
  const shortSingle = s.turns === 1 && s.userMessages === 1 && s.lastUserChars < o.shortMessageChars;
  const simple = anyMatch(o.simpleRe, text);
  const shortSystem = s.systemChars < o.shortSystemPromptChars;
  const singleFileEdit = edit && files.length === 1;
  let favors = 0;
  if (shortSingle) { favors++; reasons.push(`local: one short message (${s.lastUserChars} < ${o.shortMessageChars} chars)`); }
  if (simple) { favors++; reasons.push('local: simple-task pattern'); }
  if (shortSystem) { favors++; reasons.push(s.systemChars === 0 ? 'local: no system prompt' : `local: short system prompt (${s.systemChars} < ${o.shortSystemPromptChars} chars)`); }
  if (singleFileEdit) { favors++; reasons.push(`local: single-file simple edit (${JSON.stringify(files[0])})`); }
  const mixed: string[] = [];
  if (deep.length > 0) mixed.push(`deep-reasoning keyword (${quoteList(deep)})`);
  if (!shortSingle) mixed.push(s.turns === 1 ? `message of ${s.lastUserChars} chars` : `${s.turns} turns`);
  if (!shortSystem) mixed.push(`system prompt of ${s.systemChars} chars`);
  if (!simple && !singleFileEdit) mixed.push('no simple-task pattern');
  if (files.length >= 2) mixed.push(`${files.length} file references`);
  if (s.images > 0) mixed.push(`${s.images} image(s)`);

  if (shortSingle && shortSystem && (simple || singleFileEdit) && mixed.length === 0) {
    const local = o.tiers.local;
    reasons.push(`tier: LOCAL -> ${JSON.stringify(local.name)}`);
    return { band: 'LOCAL', confidence: simple && singleFileEdit ? 0.95 : 0.85, score, reasons, fallbackTier: local.name };
  }
  for (const m of mixed) reasons.push(`mixed: ${m}`);
  const guess = favors >= 3 && deep.length === 0 ? o.tiers.local : remoteTierFor(score, o);
  reasons.push(guess === o.tiers.local ? `tier: best guess ${JSON.stringify(guess.name)} (${favors} local signals)` : tierReason(score, o, guess));
  const confidence = Math.round((0.5 + 0.1 * Math.abs(favors - mixed.length) / (favors + mixed.length)) * 100) / 100;
  return { band: 'AMBIGUOUS', confidence, score, reasons, fallbackTier: guess.name };
}

function tierReason(score: number, o: ResolvedSignalOptions, tier: TierSpec): string {
  const cmp = score >= o.topTierScore ? '>=' : '<';
  return `tier: score ${score} ${cmp} topTierScore ${o.topTierScore} -> ${JSON.stringify(tier.name)}`;
}

/**
 * Phase 1: classifies a request from cheap, bounded heuristics. Pure and synchronous; work is
 * bounded by the scan limits (a 1 MB message is measured by its length and only a head and
 * tail of it are scanned).
 *
 * Forces `REMOTE`: tools or tool calls, tool results, context above
 * `thresholds.localContextCharLimit`, more than `thresholds.maxLocalTurns` turns, an agentic
 * system prompt, `thresholds.deepReasoningMinMatches`+ deep-reasoning keywords, more than
 * `thresholds.maxFileReferences` file references, a multi-file change request. Favors `LOCAL`: one short message, a simple-task pattern, no or a short system
 * prompt, a single-file simple edit. `LOCAL` needs the first and third plus one of the others,
 * and no mixed signal; anything else is `AMBIGUOUS`.
 *
 * The options object is validated and compiled on first use and cached per object identity,
 * so pass the same object on every call.
 *
 * @param request - OpenAI- or Anthropic-shaped request (untrusted)
 * @param options - phase-1 options (`tiers`, `thresholds`, `phrases`, `scan`)
 * @returns the band, confidence, score, reasons and best-guess tier
 * @throws {@link SwitchyardError} `ERR_INVALID_MESSAGES` when `request` is not an object with a
 *   `messages` array; `ERR_INVALID_OPTION` for invalid options
 *
 * @example
 * ```ts
 * const s = computeRoutingSignals({ messages: [{ role: 'user', content: 'Explain this regex: ^a+$' }] });
 * s.band; // 'LOCAL'
 * ```
 */
export function computeRoutingSignals(request: ClassifiableRequest, options?: SignalOptions): RoutingSignals {
  return computeSignalsResolved(request, resolvedFor(options));
}
