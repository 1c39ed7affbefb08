import { SIMD_KERNEL_WASM_BASE64 } from './simd-kernel-wasm.js';

/** Exports of the WebAssembly SIMD score module (see simd-kernel.wat). @internal */
export interface SimdKernelExports {
  dot_f32(mat: number, q: number, out: number, rows: number, stride: number): void;
  dot_f32_x4(mat: number, q: number, out: number, rows: number, stride: number): void;
  dot_i8(mat: number, scales: number, q: number, qScale: number, out: number, rows: number, stride: number): void;
  spmv_fm(q: number, dim: number, w: number, cols: number, out: number): void;
  gather_rows(idx: number, val: number, nnz: number, w: number, cols: number, out: number): void;
  scatter_rows(idx: number, val: number, nnz: number, w: number, cols: number, g: number): void;
  /** StaticEmbedder: `out = Σ scales[id] · codes[id]` over `n` ids (int8 rows of `dim`, a multiple of 16). */
  sum_rows_i8(codes: number, scales: number, ids: number, n: number, dim: number, out: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * The compiled kernel module, or null when this runtime lacks WebAssembly SIMD
 * (the router then uses the pure-JS kernels). Compiled once per process, synchronously.
 * @internal
 */
export function simdKernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = Uint8Array.from(Buffer.from(SIMD_KERNEL_WASM_BASE64, 'base64'));
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/**
 * Instantiates the kernels over `memory`.
 * @internal
 */
export function instantiateSimdKernel(module: WebAssembly.Module, memory: WebAssembly.Memory): SimdKernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as SimdKernelExports;
}
