import { createHash, type Hash } from 'node:crypto';

// Cache key for phase 2: SHA-256 over the last messages, fed as length-prefixed UTF-16 code
// units. Hashing code units (not UTF-8, not toWellFormed()) keeps lone surrogates distinct:
// "\uD800" and "\uDBFF" both become U+FFFD under toWellFormed()/UTF-8, which would collide.
// No Unicode normalisation either: distinct well-formed strings (e.g. NFC vs NFD) stay distinct.

function feed(h: Hash, tag: string, s: string): void {
  h.update(`${tag}${s.length}:`, 'latin1');
  h.update(s, 'utf16le');
}

/**
 * Roles and block types are not counted in the context size, so a hostile 1 MB `type` must not
 * cost a 1 MB hash: names longer than 64 chars are fed as their first 64 code units plus their
 * length (distinct short names stay distinct; only overlong names may share a key).
 */
function name(s: string): string {
  return s.length <= 64 ? s : `${s.slice(0, 64)}#${s.length}`;
}

function feedContent(h: Hash, content: unknown): void {
  if (typeof content === 'string') return feed(h, 's', content);
  if (!Array.isArray(content)) return feed(h, 't', content === null ? 'null' : typeof content);
  h.update(`a${content.length}:`, 'latin1');
  for (const block of content as readonly unknown[]) {
    if (typeof block === 'string') feed(h, 's', block);
    else if (typeof block === 'object' && block !== null && !Array.isArray(block)) {
      const b = block as Record<string, unknown>;
      const type = b['type'];
      const text = b['text'];
      feed(h, 'b', typeof type === 'string' ? name(type) : '');
      feed(h, 'x', typeof text === 'string' ? text : '');
    } else feed(h, 't', block === null ? 'null' : typeof block);
  }
}

/**
 * Cache key of the last `count` messages: role and text of each, block types for other blocks
 * (non-text payloads such as images are represented by their type only). Distinct texts or
 * roles give distinct keys (up to SHA-256 collisions), lone surrogates included.
 * @internal
 */
export function messageKey(messages: readonly unknown[], count = 2): string {
  const h = createHash('sha256');
  const start = Math.max(0, messages.length - count);
  h.update(`n${messages.length - start}:`, 'latin1');
  for (let i = start; i < messages.length; i++) {
    const m = messages[i];
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      feed(h, 'm', m === null ? 'null' : typeof m);
      continue;
    }
    const role = (m as Record<string, unknown>)['role'];
    feed(h, 'r', typeof role === 'string' ? name(role) : '');
    feedContent(h, (m as Record<string, unknown>)['content']);
  }
  return h.digest('base64url');
}
