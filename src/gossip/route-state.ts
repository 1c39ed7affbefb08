// Full-state anti-entropy payload: every register (live entries and tombstones) of a node.
import { describeValue } from '../errors.js';
import type { RouteUpdateMessage } from './route-update.js';
import { invalidMessage } from './safe-input.js';

/**
 * A node's whole route table, for anti-entropy: send it to a peer (or a restarted node),
 * which merges it with {@link FastProjectRouter.mergeState}. Merging is commutative,
 * associative and idempotent. JSON-serialisable.
 */
export interface RouteTableState {
  /** Always `'route_state'`. */
  readonly type: 'route_state';
  /** Node that exported the state. */
  readonly from_node: string;
  /** Winning message per model path, sorted by model path; `remove` entries are tombstones. */
  readonly entries: readonly RouteUpdateMessage[];
}

/** Most entries one state may carry. @internal */
export const MAX_STATE_ENTRIES = 1_000_000;

/**
 * A string or bytes state after the size check of its length (the scanner finishes the
 * UTF-8 count of a string as it reads), or undefined for any other input. Bytes are not decoded here (the
 * scanner reads them as they are). `sync` callers pass their smaller limit. Throws
 * `ERR_INVALID_ROUTE_UPDATE`.
 * @internal
 */
export function stateText(input: unknown, maxBytes: number, sync: boolean): string | Uint8Array | undefined {
  const hint = sync ? ' for a synchronous merge (use mergeStateAsync)' : '';
  if (typeof input === 'string') {
    // UTF-8 bytes are at least .length: more units than the limit are refused at once; the
    // exact byte count is made by the scanner as it reads (no extra pass before the first slice)
    if (input.length > maxBytes) invalidMessage(`Route state is more than ${maxBytes} bytes${hint}`, { limit: maxBytes });
    return input;
  }
  if (input instanceof Uint8Array) {
    if (input.byteLength > maxBytes) invalidMessage(`Route state is ${input.byteLength} bytes, more than ${maxBytes}${hint}`, { bytes: input.byteLength, limit: maxBytes });
    return input;
  }
  return undefined;
}

/** Why a state header (`type`, `from_node`) is wrong, or undefined. @internal */
export function headerProblem(header: ReadonlyMap<string, unknown>): string | undefined {
  if (header.get('type') !== 'route_state') return `Expected \`type\` to be 'route_state', got ${describeValue(header.get('type'))}`;
  const from = header.get('from_node');
  if (typeof from !== 'string' || from.length === 0 || from.length > 256) return `Expected \`from_node\` to be a string of 1–256 chars, got ${describeValue(from)}`;
  return undefined;
}

/**
 * Checks the header of an already-parsed state object and returns its entries (read one by
 * one later). Throws `ERR_INVALID_ROUTE_UPDATE`.
 * @internal
 */
export function readStateObject(input: unknown): readonly unknown[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) invalidMessage(`Expected a route state object, got ${describeValue(input)}`);
  const proto: unknown = Object.getPrototypeOf(input);
  if (proto !== Object.prototype && proto !== null) invalidMessage('Expected a plain route state object');
  const header = new Map<string, unknown>();
  for (const key of Object.keys(input)) {
    if (key !== 'type' && key !== 'from_node' && key !== 'entries') invalidMessage(`Unknown field '${key.slice(0, 60)}' in route state`, { field: key });
    const d = Object.getOwnPropertyDescriptor(input, key);
    if (d === undefined || !('value' in d)) invalidMessage(`Route state field '${key}' is an accessor`);
    header.set(key, d.value);
  }
  const problem = headerProblem(header);
  if (problem !== undefined) invalidMessage(problem);
  const entries = header.get('entries');
  if (!Array.isArray(entries) || entries.length > MAX_STATE_ENTRIES) invalidMessage(`Expected \`entries\` to be an array of at most ${MAX_STATE_ENTRIES} route updates, got ${describeValue(entries)}`, { field: 'entries' });
  return entries;
}
