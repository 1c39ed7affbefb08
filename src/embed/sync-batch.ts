/** `embed()` for a synchronous embedder: one fresh vector per text, written by its `embedInto`. @internal */
export function embedBatchSync(embedder: { readonly dim: number; embedInto(text: string, out: Float32Array, offset: number): void }, texts: readonly string[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const t of texts) {
    const v = new Float32Array(embedder.dim);
    embedder.embedInto(t, v, 0);
    out.push(v);
  }
  return Promise.resolve(out);
}
