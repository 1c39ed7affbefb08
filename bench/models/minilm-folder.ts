// Where the real all-MiniLM-L6-v2 folder built by `npm run model:minilm`
// (bench/models/build-minilm.py) lives, and whether it is complete. Shared by the real-weights
// tests, the MiniLM bench and the eval, so they agree on one path and one readiness rule.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** The command that builds the folder (named in every skip/fail message). */
export const BUILD_MINILM_COMMAND = 'npm run model:minilm';

/** `${XDG_CACHE_HOME:-~/.cache}/switchyard/models/all-MiniLM-L6-v2` (the build script's output). */
export function defaultMiniLmFolder(): string {
  const cache = process.env['XDG_CACHE_HOME'] || path.join(homedir(), '.cache');
  return path.join(cache, 'switchyard', 'models', 'all-MiniLM-L6-v2');
}

/** A located MiniLM folder. */
export interface MiniLmFolder {
  /** Folder to pass as `TransformersEmbedder({ modelPath })`. */
  readonly dir: string;
  /** Whether it came from `SWITCHYARD_MINILM_PATH` rather than the build script's cache folder. */
  readonly fromEnv: boolean;
  /** Whether the folder is usable: BUILD-OK for the cache folder, config.json + an ONNX file for an env folder. */
  readonly ready: boolean;
  /** Why it is not ready (empty when ready). */
  readonly why: string;
}

/** `SWITCHYARD_MINILM_PATH` when set, else the build script's cache folder. */
export function findMiniLmFolder(): MiniLmFolder {
  const env = process.env['SWITCHYARD_MINILM_PATH'];
  if (env) {
    const dir = path.resolve(env);
    const ok = existsSync(path.join(dir, 'config.json')) &&
      (existsSync(path.join(dir, 'onnx', 'model_quantized.onnx')) || existsSync(path.join(dir, 'onnx', 'model.onnx')));
    return { dir, fromEnv: true, ready: ok, why: ok ? '' : `SWITCHYARD_MINILM_PATH=${dir} has no config.json + onnx/model*.onnx` };
  }
  const dir = defaultMiniLmFolder();
  const ok = existsSync(path.join(dir, 'BUILD-OK'));
  return { dir, fromEnv: false, ready: ok, why: ok ? '' : `${dir} has no BUILD-OK: build the real model with \`${BUILD_MINILM_COMMAND}\`` };
}
