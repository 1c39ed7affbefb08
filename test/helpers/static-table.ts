import { encodeStaticTable, type StaticTableDtype, type StaticTableMeta } from '../../src/embed/static-table-format.js';
import { prng } from './random.js';

/** Tokenizer settings of the generated tables (BERT uncased, like all-MiniLM-L6-v2). */
export const TEST_META: StaticTableMeta = {
  tokenizer: { type: 'bert-wordpiece-uncased', unkToken: '[UNK]', continuationPrefix: '##', maxWordChars: 100, specialTokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] },
  teacher: 'test/random',
  weighting: 'none',
  pcaFrom: 0,
  centred: false,
};

/**
 * A small vocabulary in BERT layout: specials, every printable ASCII character, `##` + each
 * letter and digit, a few non-ASCII characters, and `words` (lower-cased, deduplicated).
 */
export function testVocab(words: readonly string[] = []): string[] {
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  for (let c = 33; c < 127; c++) vocab.push(String.fromCharCode(c));
  for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789') vocab.push(`##${c}`);
  vocab.push('é', '中', '文', '##ing', '##s', 'ℓ', '…');
  const seen = new Set(vocab);
  for (const w of words) {
    const t = w.toLowerCase();
    if (t && !t.includes('\n') && !seen.has(t)) { seen.add(t); vocab.push(t); }
  }
  return vocab;
}

/** Random rows (Gaussian, seeded) for `vocab`, special rows zero, encoded as a table file. */
export function makeTable(options: { vocab?: readonly string[]; dim?: number; dtype?: StaticTableDtype; seed?: number; meta?: Partial<StaticTableMeta> } = {}): { bytes: Uint8Array; rows: Float32Array; vocab: readonly string[]; dim: number } {
  const vocab = options.vocab ?? testVocab(['hello', 'world', 'cancel', 'card', 'credit', 'block', 'my', 'the', 'weather', 'today']);
  const dim = options.dim ?? 16;
  const rnd = prng(options.seed ?? 7);
  const rows = new Float32Array(vocab.length * dim);
  for (let i = 5; i < vocab.length; i++) {
    for (let d = 0; d < dim; d++) rows[i * dim + d] = Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  }
  const bytes = encodeStaticTable(vocab, rows, dim, options.dtype ?? 'int8', { ...TEST_META, ...options.meta });
  return { bytes, rows, vocab, dim };
}
