// The only barrel. Runtime exports and type exports are listed explicitly.
// Internal helpers (config/validate, router/simd-kernel-wasm) are intentionally not exported.

export { SwitchyardError, isSwitchyardError } from './errors.js';
export type { SwitchyardErrorCode, SwitchyardErrorOptions } from './errors.js';
