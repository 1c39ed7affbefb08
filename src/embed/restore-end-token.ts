/**
 * transformers.js truncates an encoding *after* adding the special tokens, so a text longer
 * than `max_length` loses its closing token (`[SEP]` for BERT): `[CLS] t1 … t255`. The Python
 * tokenizers that sentence-transformers models were trained with truncate the text and keep
 * the specials: `[CLS] t1 … t254 [SEP]`. A full row (last position attended) whose last id is
 * not the end token was truncated; writing the end token there gives the Python encoding
 * exactly. Rows are `[batch, seq]` row-major; `ids` is patched in place.
 * @returns how many rows were patched
 * @internal
 */
export function restoreEndToken(
  ids: { [i: number]: number | bigint; readonly length: number }, mask: ArrayLike<number | bigint>,
  batch: number, seq: number, endId: number,
): number {
  if (seq < 2) return 0;
  let patched = 0;
  for (let b = 0; b < batch; b++) {
    const last = b * seq + seq - 1;
    if (Number(mask[last] ?? 0) === 0 || Number(ids[last]) === endId) continue;
    ids[last] = typeof ids[last] === 'bigint' ? BigInt(endId) : endId;
    patched++;
  }
  return patched;
}

/**
 * The closing special token of a tokenizer's single-text template: the last id of the encoding
 * of `''` when that encoding has at least two tokens (`[CLS] [SEP]`), else `undefined` (a
 * template without a closing token needs no repair).
 * @internal
 */
export function endTokenOf(emptyEncoding: ArrayLike<number | bigint>): number | undefined {
  if (emptyEncoding.length < 2) return undefined;
  const id = Number(emptyEncoding[emptyEncoding.length - 1]);
  return Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}
