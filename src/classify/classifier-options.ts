import type { FlatAlias } from '../internal/renamed-options.js';
import type { TierSpec } from './tiers.js';

// The classifier's options are grouped by concern (thresholds, phrases and scan here, llm in
// llm-classifier.ts), as ApiMap nests `breaker` and `retry`. The 0.1 flat names stay accepted
// until 0.3.0: they are moved onto their nested place once, before validation, so every error
// and resolved value uses one name.

/** Phase-1 limits and cut-offs ({@link SignalOptions.thresholds}). */
export interface SignalThresholds {
  /** Total context (all text, system prompt and tool output) above which a request goes remote, chars. @defaultValue 30000 */
  readonly localContextCharLimit?: number;
  /** More non-system turns than this forces remote. @defaultValue 15 */
  readonly maxLocalTurns?: number;
  /** A single user message shorter than this (chars) favors local. @defaultValue 3000 */
  readonly shortMessageChars?: number;
  /** A system prompt shorter than this (chars), or none, favors local. @defaultValue 500 */
  readonly shortSystemPromptChars?: number;
  /** More distinct file references than this in the last user message forces remote. @defaultValue 5 */
  readonly maxFileReferences?: number;
  /** Distinct deep-reasoning keywords that force remote; one fewer is a mixed signal. @defaultValue 2 */
  readonly deepReasoningMinMatches?: number;
  /** Score at or above which a remote request goes to the top (last) tier. @defaultValue 0.5 */
  readonly topTierScore?: number;
}

/**
 * Phase-1 phrase lists ({@link SignalOptions.phrases}): literal, case-insensitive, matched at
 * word boundaries and compiled once per options object.
 */
export interface SignalPhrases {
  /** Deep-reasoning keywords, matched in the last user message only (never the system prompt; user turns of tool results only are skipped). @defaultValue {@link DEFAULT_DEEP_REASONING_KEYWORDS} */
  readonly deepReasoningKeywords?: readonly string[];
  /** Simple-task phrases that favor local. @defaultValue {@link DEFAULT_SIMPLE_TASK_PATTERNS} */
  readonly simpleTaskPatterns?: readonly string[];
  /** Markers of an agentic (editor / agent) system prompt; they force remote. @defaultValue {@link DEFAULT_AGENTIC_MARKERS} */
  readonly agenticMarkers?: readonly string[];
  /** Phrases of a multi-file change request; they force remote. @defaultValue {@link DEFAULT_MULTI_FILE_PATTERNS} */
  readonly multiFilePatterns?: readonly string[];
  /** Edit verbs: with one file reference a single-file edit (favors local), with two or more a multi-file change. @defaultValue {@link DEFAULT_EDIT_VERBS} */
  readonly editVerbs?: readonly string[];
  /** File extensions recognised in file references. @defaultValue {@link DEFAULT_FILE_EXTENSIONS} */
  readonly fileExtensions?: readonly string[];
}

/** How much of an untrusted request phase 1 reads ({@link SignalOptions.scan}). */
export interface SignalScanOptions {
  /** Chars of the last user message and of the system prompt scanned (head half + tail half). @defaultValue 8192 */
  readonly chars?: number;
  /** Messages scanned from the end; older ones only count as turns. @defaultValue 256 */
  readonly maxMessages?: number;
  /** Content blocks scanned per message. @defaultValue 256 */
  readonly maxBlocks?: number;
}

/** Flat phase-1 names of 0.1 -> their nested place. @internal */
export const SIGNAL_ALIASES: readonly FlatAlias[] = [
  ['localContextCharLimit', 'thresholds', 'localContextCharLimit'],
  ['maxLocalTurns', 'thresholds', 'maxLocalTurns'],
  ['shortMessageChars', 'thresholds', 'shortMessageChars'],
  ['shortSystemPromptChars', 'thresholds', 'shortSystemPromptChars'],
  ['maxFileReferences', 'thresholds', 'maxFileReferences'],
  ['deepReasoningMinMatches', 'thresholds', 'deepReasoningMinMatches'],
  ['topTierScore', 'thresholds', 'topTierScore'],
  ['deepReasoningKeywords', 'phrases', 'deepReasoningKeywords'],
  ['simpleTaskPatterns', 'phrases', 'simpleTaskPatterns'],
  ['agenticMarkers', 'phrases', 'agenticMarkers'],
  ['multiFilePatterns', 'phrases', 'multiFilePatterns'],
  ['editVerbs', 'phrases', 'editVerbs'],
  ['fileExtensions', 'phrases', 'fileExtensions'],
  ['scanChars', 'scan', 'chars'],
  ['maxScanMessages', 'scan', 'maxMessages'],
  ['maxScanBlocks', 'scan', 'maxBlocks'],
];

/** Flat phase-2 names of 0.1 -> their nested place. @internal */
export const LLM_ALIASES: readonly FlatAlias[] = [
  ['classify', 'llm', 'classify'],
  ['classifierTimeoutMs', 'llm', 'timeoutMs'],
  ['classifierCacheSize', 'llm', 'cacheSize'],
  ['maxClassifierOutputChars', 'llm', 'maxOutputChars'],
  ['breakerThreshold', 'llm.breaker', 'consecutiveFailures'],
  ['breakerCooldownMs', 'llm.breaker', 'cooldownMs'],
];

/**
 * Phase-1 options, grouped by concern. Every list and limit has a documented default; all are
 * validated eagerly. The 0.1 flat names (e.g. `scanChars`) still work until 0.3.0 and map onto
 * the nested ones; giving both for one setting is `ERR_INVALID_OPTION`.
 */
export interface SignalOptions {
  /**
   * Ordered tiers, cheapest first: the first serves `LOCAL`, the rest are remote (mid, ..., top).
   * @defaultValue {@link DEFAULT_TIERS} (local / sonnet / opus)
   */
  readonly tiers?: readonly TierSpec[];
  /** Limits and cut-offs of the rules. */
  readonly thresholds?: SignalThresholds;
  /** Phrase lists the rules match. */
  readonly phrases?: SignalPhrases;
  /** How much of a request is read. */
  readonly scan?: SignalScanOptions;

  /** @deprecated Use {@link SignalThresholds.localContextCharLimit} (`thresholds.localContextCharLimit`). Removed in 0.3.0. */
  readonly localContextCharLimit?: number;
  /** @deprecated Use {@link SignalThresholds.maxLocalTurns} (`thresholds.maxLocalTurns`). Removed in 0.3.0. */
  readonly maxLocalTurns?: number;
  /** @deprecated Use {@link SignalThresholds.shortMessageChars} (`thresholds.shortMessageChars`). Removed in 0.3.0. */
  readonly shortMessageChars?: number;
  /** @deprecated Use {@link SignalThresholds.shortSystemPromptChars} (`thresholds.shortSystemPromptChars`). Removed in 0.3.0. */
  readonly shortSystemPromptChars?: number;
  /** @deprecated Use {@link SignalThresholds.maxFileReferences} (`thresholds.maxFileReferences`). Removed in 0.3.0. */
  readonly maxFileReferences?: number;
  /** @deprecated Use {@link SignalThresholds.deepReasoningMinMatches} (`thresholds.deepReasoningMinMatches`). Removed in 0.3.0. */
  readonly deepReasoningMinMatches?: number;
  /** @deprecated Use {@link SignalThresholds.topTierScore} (`thresholds.topTierScore`). Removed in 0.3.0. */
  readonly topTierScore?: number;
  /** @deprecated Use {@link SignalPhrases.deepReasoningKeywords} (`phrases.deepReasoningKeywords`). Removed in 0.3.0. */
  readonly deepReasoningKeywords?: readonly string[];
  /** @deprecated Use {@link SignalPhrases.simpleTaskPatterns} (`phrases.simpleTaskPatterns`). Removed in 0.3.0. */
  readonly simpleTaskPatterns?: readonly string[];
  /** @deprecated Use {@link SignalPhrases.agenticMarkers} (`phrases.agenticMarkers`). Removed in 0.3.0. */
  readonly agenticMarkers?: readonly string[];
  /** @deprecated Use {@link SignalPhrases.multiFilePatterns} (`phrases.multiFilePatterns`). Removed in 0.3.0. */
  readonly multiFilePatterns?: readonly string[];
  /** @deprecated Use {@link SignalPhrases.editVerbs} (`phrases.editVerbs`). Removed in 0.3.0. */
  readonly editVerbs?: readonly string[];
  /** @deprecated Use {@link SignalPhrases.fileExtensions} (`phrases.fileExtensions`). Removed in 0.3.0. */
  readonly fileExtensions?: readonly string[];
  /** @deprecated Use {@link SignalScanOptions.chars} (`scan.chars`). Removed in 0.3.0. */
  readonly scanChars?: number;
  /** @deprecated Use {@link SignalScanOptions.maxMessages} (`scan.maxMessages`). Removed in 0.3.0. */
  readonly maxScanMessages?: number;
  /** @deprecated Use {@link SignalScanOptions.maxBlocks} (`scan.maxBlocks`). Removed in 0.3.0. */
  readonly maxScanBlocks?: number;
}
