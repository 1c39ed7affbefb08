// Version order of route updates: (timestamp, from_node, seq), then a content hash, so two
// different messages with the same marker resolve identically on every node.
import { createHash } from 'node:crypto';
import type { RouteUpdateMessage } from './route-update.js';

/** A total order on route updates: negative when `a` is older than `b`, 0 when the same. @internal */
export type VersionOrder = (a: RouteUpdateMessage, b: RouteUpdateMessage) => number;

const hashes = new WeakMap<RouteUpdateMessage, string>();

/**
 * SHA-256 of the canonical JSON of a message (canonical messages have a fixed key order).
 * Cached per message object.
 * @internal
 */
export function contentHash(m: RouteUpdateMessage): string {
  let h = hashes.get(m);
  if (h === undefined) {
    h = createHash('sha256').update(JSON.stringify(m)).digest('hex');
    hashes.set(m, h);
  }
  return h;
}

/**
 * Orders two updates of the same model path: later timestamp wins; then the larger
 * `from_node` (code-unit order); then the larger `seq`; then the larger content hash.
 * Returns 0 only for identical content.
 * @internal
 */
export function compareVersions(a: RouteUpdateMessage, b: RouteUpdateMessage): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  if (a.from_node !== b.from_node) return a.from_node < b.from_node ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  if (a === b) return 0;
  const ha = contentHash(a);
  const hb = contentHash(b);
  return ha === hb ? 0 : ha < hb ? -1 : 1;
}
