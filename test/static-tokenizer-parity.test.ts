// WordPieceTokenizer against transformers.js' own tokenizer for all-MiniLM-L6-v2, on the real
// tokenizer files: the model folder when built, else the tokenizer-only copy in ../shared/models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WordPieceTokenizer } from '../src/embed/wordpiece-tokenizer.js';
import { prng } from './helpers/random.js';

const candidates = [
  process.env['SWITCHYARD_MINILM_PATH'],
  path.join(process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'switchyard', 'models', 'all-MiniLM-L6-v2'),
  path.join(import.meta.dirname, '..', '..', 'shared', 'models', 'Xenova', 'all-MiniLM-L6-v2'),
].filter((p): p is string => typeof p === 'string' && existsSync(path.join(p, 'tokenizer.json')));
const folder = candidates[0];

const PIECES = [
  'hello', 'World', 'CANCEL', 'my', 'credit', 'card', 'unbelievably', 'tokenization', 'supercalifragilisticexpialidocious', "don't", 'U.S.A.',
  'naïve', 'café', 'Crème brûlée', 'ÅNGSTRÖM', 'cafe\u0301', 'İstanbul', 'ΣΟΦΟΣ', 'straße', 'Ǆ', 'ﬁle', 'Ｆｕｌｌ', '①②', '½',
  '中文', '日本語のテキスト', '한국어', 'ไทย', 'العربية', 'हिन्दी', 'русский', '𠀋𠀍', '丽', '😀', '👩‍🌾', '👍🏽', '🇫🇷',
  '[MASK]', '[CLS]', '[SEP]', '[PAD]', '[UNK]', '[mask]', '[CLS', '##ing', '##', '#', '$100', '3.14', '1,000,000', 'e-mail', 'a_b',
  '\t', '\n', '\r\n', '\u000b', '\u000c', '\u0000', '\u0085', '\u00a0', '\u2028', '\u3000', '\u200b', '\u200d', '\ufeff', '\ufffd', '\u00ad',
  '\uD800', '\uDC00', '\uE000', '\u{F0000}', '\u{E0041}', '…', '—', '“quoted”', '«»', '¿', '¡', '§', '©', '™', '°', '€', '^_^', '`code`', '|', '~', '<tag/>',
  'x'.repeat(99), 'y'.repeat(100), 'z'.repeat(101), 'é'.repeat(101), '😀'.repeat(60),
];

/** Varied strings: random joins of the pieces above with random separators and casing. */
function variedStrings(n: number): string[] {
  const rnd = prng(2026);
  const seps = ['', ' ', '  ', '-', '.', ',', '\t', '\n', '/', "'"];
  const out: string[] = [...PIECES];
  while (out.length < n) {
    const k = 1 + Math.floor(rnd() * 8);
    let s = '';
    for (let i = 0; i < k; i++) {
      let p = PIECES[Math.floor(rnd() * PIECES.length)]!;
      const r = rnd();
      if (r < 0.15) p = p.toUpperCase();
      else if (r < 0.25) p = p.slice(0, Math.floor(rnd() * (p.length + 1))); // may split a surrogate pair
      s += p + seps[Math.floor(rnd() * seps.length)]!;
    }
    out.push(s);
  }
  return out;
}

test('WordPieceTokenizer – ids equal transformers.js on varied strings (and every CLINC150 utterance when present)', { skip: folder ? false : 'no MiniLM tokenizer files (model folder or ../shared/models)' }, async () => {
  const tf = await import('@huggingface/transformers');
  const ref = await tf.AutoTokenizer.from_pretrained(path.resolve(folder!), { local_files_only: true });
  const tj = JSON.parse(readFileSync(path.join(folder!, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } };
  const vocab: string[] = [];
  for (const [tok, id] of Object.entries(tj.model.vocab)) vocab[id] = tok;
  const ours = new WordPieceTokenizer({ vocab });
  const texts = variedStrings(3000);
  const clinc = path.join(import.meta.dirname, '..', '..', 'shared', 'data', 'clinc150', 'clinc150_train_val.json');
  if (existsSync(clinc)) {
    const d = JSON.parse(readFileSync(clinc, 'utf8')) as Record<string, [string, string][]>;
    for (const key of ['val', 'oos_val']) for (const [t] of d[key] ?? []) texts.push(t);
  }
  let unk = 0;
  for (const t of texts) {
    const want = Array.from(ref.encode(t, { add_special_tokens: false }) as number[]);
    assert.deepEqual(ours.encode(t), want, `text ${JSON.stringify(t)}`);
    if (want.includes(ours.unkId)) unk++;
  }
  assert.ok(texts.length >= 3000);
  assert.ok(unk > 10 && unk < texts.length / 2, `unknown-token cases exercised: ${unk}`);
});
