// Splits the JSON text of a route state into its header fields and one text span per entry,
// in bounded steps: one linear pass over the characters that can stop after any number of
// them, so a 64 MiB state is read in slices (mergeStateAsync yields between them) and each
// entry is parsed on its own, never the whole text at once. Only the structure is checked
// here; entries are validated one by one by the caller.

const Phase = { Start: 0, Key: 1, Colon: 2, Value: 3, InValue: 4, End: 5 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Incremental scanner of `{"type":…,"from_node":…,"entries":[…]}`. @internal */
export class StateTextScanner {
  readonly #text: string | Uint8Array;
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  #i = 0;
  #depth = 0;
  #inString = false;
  #escape = false;
  #phase: Phase = Phase.Start;
  #key = '';
  #keyStart = -1;
  #valueStart = -1;
  #inEntries = false;
  #elementStart = -1;
  /** Header fields read so far (every top-level key except `entries`), parsed. */
  readonly header: Map<string, unknown> = new Map();
  /** Whether the `entries` array has been opened. */
  sawEntries = false;
  /** Entry spans found by the last {@link StateTextScanner.step}, in order (the caller empties it); `''` for an entry that is not an object. */
  readonly entries: string[] = [];
  /** Why the text is not a state, once known. */
  error: string | undefined;
  readonly #maxBytes: number;
  /** UTF-8 bytes beyond one per UTF-16 unit read so far (strings only). */
  #extra = 0;

  /**
   * @param text - the state as a string, or as UTF-8 bytes: JSON's structural characters are
   *   ASCII and never occur inside a multi-byte sequence, so bytes are scanned without decoding
   *   the whole buffer; each entry is decoded on its own.
   */
  constructor(text: string | Uint8Array, maxBytes = Infinity) {
    this.#text = text;
    this.#maxBytes = maxBytes;
  }

  /** Text of `[from, to)`; throws a TypeError for invalid UTF-8 in bytes. */
  #slice(from: number, to: number): string {
    const t = this.#text;
    return typeof t === 'string' ? t.slice(from, to) : this.#decoder.decode(t.subarray(from, to));
  }

  /** Whether the whole text has been read (or an error was found). */
  get done(): boolean {
    return this.error !== undefined || (this.#phase === Phase.End && this.#i >= this.#text.length);
  }

  /** Reads up to `maxChars` more characters (stopping early after an error). */
  step(maxChars: number): void {
    const s = this.#text;
    const bytes = typeof s === 'string' ? undefined : s;
    const str = typeof s === 'string' ? s : '';
    const end = Math.min(s.length, this.#i + maxChars);
    let i = this.#i;
    // the hot part (inside entries, strings and nested values) runs on locals; structural
    // characters at depth <= 2 go through the methods below
    let depth = this.#depth;
    let inString = this.#inString;
    let escape = this.#escape;
    let extra = this.#extra;
    for (; i < end; i++) {
      const c = bytes === undefined ? str.charCodeAt(i) : bytes[i]!;
      // UTF-8 size of a string, counted as it is read (no separate pass over 64 MiB): 2 or 3
      // bytes per unit above 0x7f, 4 per surrogate pair
      if (c > 0x7f && bytes === undefined) extra += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
      if (inString) {
        if (escape) escape = false;
        else if (c === 0x5c) escape = true;
        else if (c === 0x22) {
          inString = false;
          if (depth === 1 && this.#phase === Phase.Key) {
            this.#endKey(i);
            if (this.error !== undefined) break;
          }
        }
        continue;
      }
      if (depth > 2 || (depth === 2 && !this.#inEntries)) {
        if (c === 0x22) inString = true;
        else if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) depth--;
        continue;
      }
      this.#depth = depth;
      this.#inString = false;
      if (depth === 2) this.#inEntriesChar(c, i);
      else this.#topChar(c, i);
      depth = this.#depth;
      inString = this.#inString;
      if (this.error !== undefined) break;
    }
    this.#depth = depth;
    this.#inString = inString;
    this.#escape = escape;
    this.#extra = extra;
    this.#i = i;
    if (this.error === undefined && i + extra > this.#maxBytes) this.error = `route state is more than ${this.#maxBytes} bytes`;
    if (this.error === undefined && i >= s.length && this.#phase !== Phase.End) this.error = 'route state text ends early';
  }

  #nested(c: number): void {
    if (c === 0x22) this.#inString = true;
    else if (c === 0x7b || c === 0x5b) this.#depth++;
    else if (c === 0x7d || c === 0x5d) this.#depth--;
  }

  #topChar(c: number, i: number): void {
    switch (this.#phase) {
      case Phase.Start:
        if (isSpace(c)) return;
        if (c !== 0x7b) { this.error = 'route state is not a JSON object'; return; }
        this.#depth = 1;
        this.#phase = Phase.Key;
        return;
      case Phase.Key:
        if (isSpace(c)) return;
        if (c === 0x22) { this.#keyStart = i; this.#inString = true; return; }
        if (c === 0x7d && this.#key === '') { this.#close(); return; }
        this.error = 'route state: expected a key';
        return;
      case Phase.Colon:
        if (isSpace(c)) return;
        if (c !== 0x3a) { this.error = 'route state: expected `:`'; return; }
        this.#phase = Phase.Value;
        return;
      case Phase.Value:
        if (isSpace(c)) return;
        this.#valueStart = i;
        this.#phase = Phase.InValue;
        if (this.#key === 'entries') {
          if (c !== 0x5b) { this.error = 'route state: `entries` is not an array'; return; }
          if (!this.header.has('type') || !this.header.has('from_node')) { this.error = 'route state: `type` and `from_node` must come before `entries`'; return; }
          this.sawEntries = true;
          this.#inEntries = true;
          this.#elementStart = -1;
          this.#depth = 2;
          return;
        }
        this.#nested(c);
        return;
      case Phase.InValue:
        if (c === 0x2c || c === 0x7d) {
          if (this.#key !== 'entries') this.#endValue(i);
          if (this.error !== undefined) return;
          if (c === 0x2c) { this.#phase = Phase.Key; this.#key = ''; } else this.#close();
          return;
        }
        this.#nested(c);
        return;
      case Phase.End:
        if (!isSpace(c)) this.error = 'route state: text after the closing `}`';
        return;
    }
  }

  #inEntriesChar(c: number, i: number): void {
    if (this.#elementStart < 0) {
      if (isSpace(c)) return;
      if (c === 0x5d) { this.#endEntries(); return; }
      this.#elementStart = i;
      this.#nested(c);
      return;
    }
    if (c === 0x2c || c === 0x5d) {
      try {
        // an entry that is not an object is refused by the caller anyway: no copy of its text
        const t = this.#text;
        const isObject = (typeof t === 'string' ? t.charCodeAt(this.#elementStart) : t[this.#elementStart]) === 0x7b;
        this.entries.push(isObject ? this.#slice(this.#elementStart, i) : '');
      } catch {
        this.error = 'route state is not valid UTF-8';
        return;
      }
      this.#elementStart = -1;
      if (c === 0x5d) this.#endEntries();
      return;
    }
    this.#nested(c);
  }

  #endEntries(): void {
    this.#inEntries = false;
    this.#depth = 1;
    this.#phase = Phase.InValue;
  }

  #endKey(i: number): void {
    try {
      this.#key = JSON.parse(this.#slice(this.#keyStart, i + 1)) as string;
    } catch {
      this.error = 'route state: a key is not a valid JSON string';
      return;
    }
    if (this.#key !== 'type' && this.#key !== 'from_node' && this.#key !== 'entries') {
      this.error = `Unknown field '${this.#key.slice(0, 60)}' in route state`;
      return;
    }
    if (this.header.has(this.#key) || (this.#key === 'entries' && this.sawEntries)) {
      this.error = `route state: field '${this.#key}' appears twice`;
      return;
    }
    this.#phase = Phase.Colon;
  }

  #endValue(i: number): void {
    if (i - this.#valueStart > 1024) { this.error = `route state: field '${this.#key}' is too long`; return; }
    try {
      this.header.set(this.#key, JSON.parse(this.#slice(this.#valueStart, i)));
    } catch {
      this.error = `route state: field '${this.#key}' is not valid JSON`;
    }
  }

  #close(): void {
    this.#depth = 0;
    this.#phase = Phase.End;
  }
}
