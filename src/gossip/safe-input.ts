// Reads untrusted route-update input (a JSON string, bytes, or an already parsed value) into
// a plain, bounded tree. Byte size is checked before JSON.parse; depth, key and element
// counts are bounded; prototype keys (any spelling JSON decodes to them, e.g. "\u005f_proto__")
// and accessors are refused. Throws ERR_INVALID_ROUTE_UPDATE; callers turn that into results.
import { SwitchyardError, describeValue } from '../errors.js';

/** Keys never accepted anywhere in a message (checked after JSON decoding). */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Bounds for {@link readUntrusted}. @internal */
export interface InputLimits {
  /** Maximum UTF-8 bytes of a string/bytes input, or estimated size of an object input. */
  readonly maxBytes: number;
  /** Maximum nesting of objects/arrays (top level = 1). */
  readonly maxDepth: number;
}

/** Throws `ERR_INVALID_ROUTE_UPDATE`. @internal */
export function invalidMessage(message: string, details: Record<string, unknown> = {}): never {
  throw new SwitchyardError('ERR_INVALID_ROUTE_UPDATE', message, { details });
}

/**
 * Decodes and checks untrusted input. Strings and `Uint8Array`s are measured in bytes before
 * `JSON.parse`; objects are walked with the same bounds (their size is estimated).
 * Returns a fresh tree of null-prototype objects, arrays and primitives.
 * @internal
 */
export function readUntrusted(input: unknown, limits: InputLimits): unknown {
  let value: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const bytes = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
    if (bytes > limits.maxBytes) invalidMessage(`Message is ${bytes} bytes, more than the limit of ${limits.maxBytes}`, { bytes, limit: limits.maxBytes });
    const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new SwitchyardError('ERR_INVALID_ROUTE_UPDATE', `Message is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  }
  return copy(value, 1, limits.maxDepth, { left: limits.maxBytes, limit: limits.maxBytes });
}

/**
 * {@link readUntrusted} for an already-parsed value, also returning its estimated size in
 * bytes (what the copy spent of `maxBytes`).
 * @internal
 */
export function copyUntrusted(value: unknown, limits: InputLimits): { value: unknown; bytes: number } {
  const budget = { left: limits.maxBytes, limit: limits.maxBytes };
  const out = copy(value, 1, limits.maxDepth, budget);
  return { value: out, bytes: limits.maxBytes - budget.left };
}

interface Budget { left: number; readonly limit: number }

function spend(budget: Budget, n: number): void {
  budget.left -= n;
  if (budget.left < 0) invalidMessage(`Message is larger than the limit of ${budget.limit} bytes`, { limit: budget.limit });
}

function copy(v: unknown, depth: number, maxDepth: number, budget: Budget): unknown {
  switch (typeof v) {
    case 'string': spend(budget, v.length + 2);  return v;
    case 'number': spend(budget, 8);  return v;
    case 'boolean': spend(budget, 5);  return v;
    case 'object': break;
    default: invalidMessage(`Unsupported value ${describeValue(v)} in message`);
  }
  if (v === null) { spend(budget, 4);  return null; }
  if (depth > maxDepth) invalidMessage(`Message is nested deeper than ${maxDepth} levels`, { maxDepth });
  if (Array.isArray(v)) {
    spend(budget, 2 + v.length);
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const d = Object.getOwnPropertyDescriptor(v, i);
      if (d === undefined || !('value' in d)) invalidMessage(`Array item ${i} is missing or an accessor`);
      out[i] = copy(d.value, depth + 1, maxDepth, budget);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) invalidMessage(`Expected plain objects only, got ${describeValue(v)} with a custom prototype`);
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Reflect.ownKeys(v)) {
    if (typeof key !== 'string') invalidMessage('Symbol keys are not allowed in messages');
    if (FORBIDDEN.has(key)) invalidMessage(`Forbidden key '${key}' in message`, { key });
    const d = Object.getOwnPropertyDescriptor(v, key)!;
    if (!('value' in d)) invalidMessage(`Key '${key.slice(0, 60)}' is an accessor`);
    if (!d.enumerable) continue;
    spend(budget, key.length + 3);
    out[key] = copy(d.value, depth + 1, maxDepth, budget);
  }
  return out;
}
