/**
 * `switchyard/transformers`: the MiniLM embedder slot. The implementation lands with the
 * embedder issue; this entry exists so the subpath and its lazy-import boundary are fixed now.
 * @packageDocumentation
 */

/** Package the MiniLM embedder loads lazily (never from the core entry). */
export const TRANSFORMERS_PACKAGE: string = '@huggingface/transformers';
