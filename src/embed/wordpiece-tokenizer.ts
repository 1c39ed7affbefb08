// BERT uncased tokenization (the all-MiniLM-L6-v2 tokenizer) without allocation on ASCII text:
// special-token split, BertNormalizer (clean text, CJK spacing, lower-case, NFD + drop Mn),
// BertPreTokenizer (whitespace and punctuation), then greedy longest-match WordPiece over a
// trie of the vocabulary. It reproduces transformers.js' tokenizer id for id, including its
// quirks (CJK detection per UTF-16 code unit, the word-length limit counted in code points).
import { SwitchyardError } from '../errors.js';
import { FNV_OFFSET, FNV_PRIME, fmix32 } from '../internal/text.js';

/** Options of {@link WordPieceTokenizer}. @internal */
export interface WordPieceTokenizerOptions {
  /** Token strings in id order (`vocab[id]`); empty strings are ids no text maps to. */
  readonly vocab: readonly string[];
  /** Token used for words that cannot be split. @defaultValue '[UNK]' */
  readonly unkToken?: string;
  /** Prefix of word-continuation pieces. @defaultValue '##' */
  readonly continuationPrefix?: string;
  /** Longer words (in code points) become the unknown token. @defaultValue 100 */
  readonly maxWordChars?: number;
  /** Tokens matched verbatim in the raw text before normalisation. @defaultValue ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] */
  readonly specialTokens?: readonly string[];
}

const CLASS_WORD = 0;
const CLASS_SPACE = 1;
const CLASS_PUNCT = 2;
// The pre-tokenizer's punctuation: \p{P} plus every ASCII symbol (BERT treats $ + < = > ^ ` | ~ as punctuation).
const PUNCT_RE = /^[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]$/u;
const SPACE_RE = /^\s$/u;
// Characters transformers.js' BertNormalizer deletes: NUL, U+FFFD and categories Cc/Cf/Co/Cs except tab, LF, CR.
const REMOVED_RE = /[\0\uFFFD]|(?![\t\n\r])[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu;
const WHITESPACE_RE = /\s/g;
const MARK_RE = /\p{Mn}/gu;
// BMP CJK ideograph blocks, checked per code unit as transformers.js does (supplementary ideographs never match).
const CJK_RE = /[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]/g;

const ASCII_CLASS = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    t[c] = SPACE_RE.test(ch) ? CLASS_SPACE : PUNCT_RE.test(ch) ? CLASS_PUNCT : CLASS_WORD;
  }
  return t;
})();

let bmpClass: Uint8Array | undefined;
/** Character class of every BMP code unit, built on the first non-ASCII text (a few ms, once). */
function bmpClasses(): Uint8Array {
  if (bmpClass) return bmpClass;
  const t = new Uint8Array(65536);
  for (let c = 0; c < 65536; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const ch = String.fromCharCode(c);
    t[c] = SPACE_RE.test(ch) ? CLASS_SPACE : PUNCT_RE.test(ch) ? CLASS_PUNCT : CLASS_WORD;
  }
  bmpClass = t;
  return t;
}

/** ASCII code units that need no normalisation except lower-casing (tab, LF, CR, printable). */
function isPlainAscii(c: number): boolean {
  return c < 127 && (c >= 32 || c === 9 || c === 10 || c === 13);
}

function normalizeSection(text: string): string {
  return text.replace(REMOVED_RE, '').replace(WHITESPACE_RE, ' ').replace(CJK_RE, ' $& ')
    .toLowerCase().normalize('NFD').replace(MARK_RE, '');
}

/**
 * WordPiece tokenizer of BERT uncased models, built from the vocabulary. `encodeInto` writes
 * ids into an internal buffer ({@link WordPieceTokenizer.ids}) and allocates nothing for ASCII
 * text; other text is normalised through a temporary string first.
 * @internal
 */
export class WordPieceTokenizer {
  /** Number of ids. */
  readonly vocabSize: number;
  /** Id of the unknown token. */
  readonly unkId: number;
  readonly #maxWordChars: number;
  // trie: node 0 is the root; a child is found by open addressing on (node, code unit)
  readonly #slotNode: Int32Array;
  readonly #slotChar: Uint16Array;
  readonly #slotChild: Int32Array;
  readonly #mask: number;
  readonly #terminal: Int32Array;
  readonly #contRoot: number;
  readonly #specials: readonly { readonly text: string; readonly id: number }[];
  // whole-word tokens by FNV-1a hash: most words are one token, found with one probe
  readonly #wordHash: Int32Array;
  readonly #wordId: Int32Array;
  readonly #wordMask: number;
  readonly #chars: Uint16Array;
  readonly #charStart: Int32Array;
  #ids: Int32Array = new Int32Array(256);
  #count = 0;

  /**
   * @param options - see {@link WordPieceTokenizerOptions}
   * @throws {@link SwitchyardError} `ERR_INVALID_OPTION` when the unknown token is not in the vocabulary.
   */
  constructor(options: WordPieceTokenizerOptions) {
    const vocab = options.vocab;
    this.vocabSize = vocab.length;
    this.#maxWordChars = options.maxWordChars ?? 100;
    const unk = options.unkToken ?? '[UNK]';
    const prefix = options.continuationPrefix ?? '##';
    // trie edges go straight into the open-addressing table, sized for the worst case (one
    // edge per vocabulary code unit): no Map of 200k entries, so a table loads in milliseconds
    let total = 0;
    for (const tok of vocab) total += tok.length;
    let size = 16;
    while (size < total * 2 + 16) size *= 2;
    const mask = size - 1;
    this.#mask = mask;
    const slotNode = new Int32Array(size).fill(-1);
    const slotChar = new Uint16Array(size);
    const slotChild = new Int32Array(size);
    this.#slotNode = slotNode;
    this.#slotChar = slotChar;
    this.#slotChild = slotChild;
    const terminal = new Int32Array(total + 1).fill(-1);
    let nodes = 1;
    const walk = (node: number, c: number, insert: boolean): number => {
      let s = fmix32(Math.imul(node, 65599) + c) & mask;
      for (;;) {
        const n = slotNode[s]!;
        if (n === node && slotChar[s] === c) return slotChild[s]!;
        if (n === -1) break;
        s = (s + 1) & mask;
      }
      if (!insert) return -1;
      slotNode[s] = node;
      slotChar[s] = c;
      slotChild[s] = nodes;
      return nodes++;
    };
    const first = new Uint8Array(vocab.length); // 1 where this id is the token's first occurrence
    for (let id = 0; id < vocab.length; id++) {
      const tok = vocab[id]!;
      if (tok.length === 0) continue;
      let node = 0;
      for (let i = 0; i < tok.length; i++) node = walk(node, tok.charCodeAt(i), true);
      if (terminal[node]! >= 0) continue; // first id wins, as in a token → id map built in order
      terminal[node] = id;
      first[id] = 1;
    }
    const idOf = (tok: string): number => {
      let node = 0;
      for (let i = 0; i < tok.length && node >= 0; i++) node = walk(node, tok.charCodeAt(i), false);
      return tok.length > 0 && node >= 0 ? terminal[node]! : -1;
    };
    const unkId = idOf(unk);
    if (unkId < 0) throw new SwitchyardError('ERR_INVALID_OPTION', `Expected the vocabulary to contain the unknown token ${JSON.stringify(unk)}`);
    this.unkId = unkId;
    let contRoot = 0;
    for (let i = 0; i < prefix.length && contRoot >= 0; i++) contRoot = walk(contRoot, prefix.charCodeAt(i), false);
    this.#contRoot = contRoot;
    this.#terminal = terminal;
    this.#chars = new Uint16Array(total);
    this.#charStart = new Int32Array(vocab.length + 1);
    let wordCount = 0;
    for (let id = 0, o = 0; id < vocab.length; id++) {
      const tok = vocab[id]!;
      for (let i = 0; i < tok.length; i++) this.#chars[o++] = tok.charCodeAt(i);
      this.#charStart[id + 1] = o;
      if (first[id] === 1 && !tok.startsWith(prefix)) wordCount++;
    }
    let wsize = 16;
    while (wsize < wordCount * 2) wsize *= 2;
    this.#wordMask = wsize - 1;
    this.#wordHash = new Int32Array(wsize);
    this.#wordId = new Int32Array(wsize).fill(-1);
    for (let id = 0; id < vocab.length; id++) {
      const tok = vocab[id]!;
      if (first[id] !== 1 || tok.startsWith(prefix)) continue;
      let h = FNV_OFFSET;
      for (let i = 0; i < tok.length; i++) h = Math.imul(h ^ tok.charCodeAt(i), FNV_PRIME);
      let s = fmix32(h) & this.#wordMask;
      while (this.#wordId[s] !== -1) s = (s + 1) & this.#wordMask;
      this.#wordHash[s] = h;
      this.#wordId[s] = id;
    }
    this.#specials = (options.specialTokens ?? ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'])
      .map((text) => ({ text, id: idOf(text) }))
      .filter((t) => t.id >= 0)
      .sort((a, b) => b.text.length - a.text.length); // longest match first, like a trie walk
  }

  /** Ids written by the last {@link WordPieceTokenizer.encodeInto}, valid up to the count it returned. */
  get ids(): Int32Array {
    return this.#ids;
  }

  /** Token ids of `text` (no [CLS]/[SEP]), as a new array. */
  encode(text: string): number[] {
    const n = this.encodeInto(text);
    return Array.from(this.#ids.subarray(0, n));
  }

  /** Tokenizes `text` into {@link WordPieceTokenizer.ids}; returns the number of ids. */
  encodeInto(text: string): number {
    this.#count = 0;
    this.#reserve(text.length + 1);
    if (this.#scanAscii(text)) return this.#count;
    this.#count = 0;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const special = text.charCodeAt(i) === 91 ? this.#specialAt(text, i) : -1;
      if (special < 0) continue;
      if (i > start) this.#scanNormalized(normalizeSection(text.slice(start, i)));
      const sp = this.#specials[special]!;
      this.#push(sp.id);
      i += sp.text.length - 1;
      start = i + 1;
    }
    if (start < text.length) this.#scanNormalized(normalizeSection(start === 0 ? text : text.slice(start)));
    return this.#count;
  }

  #reserve(n: number): void {
    if (this.#ids.length - this.#count >= n) return;
    let size = this.#ids.length;
    while (size - this.#count < n) size *= 2;
    const next = new Int32Array(size);
    next.set(this.#ids.subarray(0, this.#count));
    this.#ids = next;
  }

  #push(id: number): void {
    if (this.#count === this.#ids.length) this.#reserve(1);
    this.#ids[this.#count++] = id;
  }

  /** Index into #specials of the special token starting at `i`, else -1. */
  #specialAt(text: string, i: number): number {
    const sp = this.#specials;
    for (let k = 0; k < sp.length; k++) if (text.startsWith(sp[k]!.text, i)) return k;
    return -1;
  }

  #child(node: number, c: number): number {
    const mask = this.#mask;
    let s = fmix32(Math.imul(node, 65599) + c) & mask;
    for (;;) {
      const n = this.#slotNode[s]!;
      if (n === node && this.#slotChar[s] === c) return this.#slotChild[s]!;
      if (n === -1) return -1;
      s = (s + 1) & mask;
    }
  }

  /**
   * Fast path: raw text of printable ASCII, tab, LF and CR, lower-cased on the fly. Returns
   * false (having written garbage) at the first other code unit, so the caller starts over.
   */
  #scanAscii(text: string): boolean {
    const n = text.length;
    let wordStart = -1;
    let h = FNV_OFFSET;
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      if (!isPlainAscii(c)) return false;
      const cls = ASCII_CLASS[c]!;
      if (cls === CLASS_WORD) {
        if (wordStart < 0) { wordStart = i; h = FNV_OFFSET; }
        if (c >= 65 && c <= 90) c += 32;
        h = Math.imul(h ^ c, FNV_PRIME);
        continue;
      }
      if (wordStart >= 0) { this.#word(text, wordStart, i, h); wordStart = -1; }
      if (cls === CLASS_PUNCT) {
        const special = c === 91 ? this.#specialAt(text, i) : -1;
        if (special >= 0) {
          this.#push(this.#specials[special]!.id);
          i += this.#specials[special]!.text.length - 1;
        } else this.#wordPiece(text, i, i + 1, 1, true);
      }
    }
    if (wordStart >= 0) this.#word(text, wordStart, n, h);
    return true;
  }

  /** Pre-tokenizes already normalised text (whitespace and punctuation split) into WordPiece. */
  #scanNormalized(text: string): void {
    this.#reserve(text.length + 1);
    const classes = bmpClasses();
    const n = text.length;
    let wordStart = -1;
    let points = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      let width = 1;
      let cls: number;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const lo = text.charCodeAt(i + 1);
        width = 2;
        const ch = String.fromCharCode(c, lo);
        cls = SPACE_RE.test(ch) ? CLASS_SPACE : PUNCT_RE.test(ch) ? CLASS_PUNCT : CLASS_WORD;
      } else cls = classes[c]!;
      if (cls === CLASS_WORD) {
        if (wordStart < 0) { wordStart = i; points = 0; }
        points++;
        i += width - 1;
        continue;
      }
      if (wordStart >= 0) { this.#wordPiece(text, wordStart, i, points, false); wordStart = -1; }
      if (cls === CLASS_PUNCT) this.#wordPiece(text, i, i + width, 1, false);
      i += width - 1;
    }
    if (wordStart >= 0) this.#wordPiece(text, wordStart, n, points, false);
  }

  /** ASCII word with FNV-1a hash `h` of its lower-cased code units: whole-word token if there is one, else WordPiece. */
  #word(text: string, start: number, end: number, h: number): void {
    const len = end - start;
    if (len <= this.#maxWordChars) {
      const mask = this.#wordMask;
      const chars = this.#chars;
      for (let s = fmix32(h) & mask; ; s = (s + 1) & mask) {
        const id = this.#wordId[s]!;
        if (id < 0) break;
        if (this.#wordHash[s] !== h) continue;
        const o = this.#charStart[id]!;
        if (this.#charStart[id + 1]! - o !== len) continue;
        let k = 0;
        for (; k < len; k++) {
          let c = text.charCodeAt(start + k);
          if (c >= 65 && c <= 90) c += 32;
          if (chars[o + k] !== c) break;
        }
        if (k === len) { this.#push(id); return; }
      }
    }
    this.#wordPiece(text, start, end, len, true);
  }

  /** Greedy longest-match WordPiece of `text[start, end)`; the whole word is [UNK] when a piece is missing. */
  #wordPiece(text: string, start: number, end: number, codePoints: number, lower: boolean): void {
    if (codePoints > this.#maxWordChars) { this.#push(this.unkId); return; }
    const first = this.#count;
    const terminal = this.#terminal;
    let pos = start;
    while (pos < end) {
      let node = pos === start ? 0 : this.#contRoot;
      let bestEnd = -1;
      let bestId = -1;
      for (let q = pos; q < end && node >= 0; q++) {
        let c = text.charCodeAt(q);
        if (lower && c >= 65 && c <= 90) c += 32;
        node = this.#child(node, c);
        if (node >= 0 && terminal[node]! >= 0) { bestEnd = q + 1; bestId = terminal[node]!; }
      }
      if (bestId < 0) { this.#count = first; this.#push(this.unkId); return; }
      this.#push(bestId);
      pos = bestEnd;
    }
  }
}
