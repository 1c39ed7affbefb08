// Server-sent events are relayed whole: a proxy that forwards half an event and then dies
// leaves the client with a line it cannot parse. Buffering up to the last blank line lets the
// gateway end a broken stream with a well-formed error event instead.

const EMPTY = Buffer.alloc(0);

/** End offset of the last complete event in `buf` (after its blank line), or 0. */
function lastBoundaryEnd(buf: Buffer): number {
  const lf = buf.lastIndexOf('\n\n');
  const crlf = buf.lastIndexOf('\r\n\r\n');
  return Math.max(lf < 0 ? 0 : lf + 2, crlf < 0 ? 0 : crlf + 4);
}

/** Splits an SSE byte stream at event boundaries; bytes pass through unchanged. */
export class SseEventBuffer {
  #pending: Buffer = EMPTY;
  readonly #maxPendingBytes: number;

  /** @param maxPendingBytes - longest single event accepted (a guard against a server that never ends one) */
  constructor(maxPendingBytes: number = 16 << 20) {
    this.#maxPendingBytes = maxPendingBytes;
  }

  /**
   * Appends a chunk and returns the complete events it finished (possibly none).
   * @throws Error when one event grows past `maxPendingBytes`
   */
  push(chunk: Uint8Array): Buffer {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const buf = this.#pending.length === 0 ? bytes : Buffer.concat([this.#pending, bytes]);
    const end = lastBoundaryEnd(buf);
    // copy the tail: `bytes` may be a view into a buffer the stream reuses
    this.#pending = end === buf.length ? EMPTY : Buffer.from(buf.subarray(end));
    if (this.#pending.length > this.#maxPendingBytes) throw new Error(`an SSE event exceeded ${this.#maxPendingBytes} bytes`);
    return end === 0 ? EMPTY : buf.subarray(0, end);
  }

  /** The bytes of an event not yet ended by a blank line. */
  rest(): Buffer {
    return this.#pending;
  }
}

/** Names of the events in `events` (from their `event:` lines), in order. */
export function eventNames(events: Buffer): string[] {
  const names: string[] = [];
  for (const m of events.toString('utf8').matchAll(/^event:[ \t]?([^\r\n]*)/gm)) names.push(m[1]!.trim());
  return names;
}

/** The `data:` payload of the first event in `events` (multi-line data joined by '\n'). */
export function firstEventData(events: Buffer): string {
  const text = events.toString('utf8');
  const first = text.split(/\r?\n\r?\n/, 1)[0] ?? '';
  return first.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(l[5] === ' ' ? 6 : 5)).join('\n');
}
