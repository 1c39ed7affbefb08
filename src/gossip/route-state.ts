// Full-state anti-entropy payload: every register (live entries and tombstones) of a node.
import { describeValue } from '../errors.js';
import { MAX_MESSAGE_DEPTH } from './route-update.js';
import type { RouteUpdateMessage } from './route-update.js';
import { invalidMessage, readUntrusted } from './safe-input.js';

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
 * Reads an untrusted state (JSON string, bytes or object) into its raw entries; each entry is
 * validated later as a route update. Throws `ERR_INVALID_MESSAGE`.
 * @internal
 */
export function readRouteState(input: unknown, maxBytes: number): { fromNode: string; entries: unknown[] } {
  const raw = readUntrusted(input, { maxBytes, maxDepth: MAX_MESSAGE_DEPTH + 2 });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalidMessage(`Expected a route state object, got ${describeValue(raw)}`);
  const s = raw as Record<string, unknown>;
  for (const key of Object.keys(s)) if (key !== 'type' && key !== 'from_node' && key !== 'entries') invalidMessage(`Unknown field '${key.slice(0, 60)}' in route state`, { field: key });
  if (s['type'] !== 'route_state') invalidMessage(`Expected \`type\` to be 'route_state', got ${describeValue(s['type'])}`, { field: 'type' });
  const from = s['from_node'];
  if (typeof from !== 'string' || from.length === 0 || from.length > 256) invalidMessage(`Expected \`from_node\` to be a string of 1–256 chars, got ${describeValue(from)}`, { field: 'from_node' });
  const entries = s['entries'];
  if (!Array.isArray(entries) || entries.length > MAX_STATE_ENTRIES) invalidMessage(`Expected \`entries\` to be an array of at most ${MAX_STATE_ENTRIES} route updates, got ${describeValue(entries)}`, { field: 'entries' });
  return { fromNode: from, entries };
}
