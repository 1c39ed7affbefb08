// A compact set of 64-bit keys (two uint32 halves) with open addressing and linear probing.
// 8 bytes per slot, load factor <= 0.5: about 16 bytes per key, versus ~50 for a Set<bigint>,
// and no 2^24-entry limit of V8's Map/Set.

/** @internal */
export class HashSet64 {
  #hi = new Uint32Array(1024);
  #lo = new Uint32Array(1024);
  #used = new Uint8Array(1024);
  #size = 0;

  /** Number of keys. */
  get size(): number {
    return this.#size;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.#hi.byteLength + this.#lo.byteLength + this.#used.byteLength;
  }

  /** Adds the key; false when it was present. */
  add(hi: number, lo: number): boolean {
    if ((this.#size + 1) * 2 > this.#hi.length) this.#grow();
    const added = HashSet64.#insert(this.#hi, this.#lo, this.#used, hi >>> 0, lo >>> 0);
    if (added) this.#size++;
    return added;
  }

  static #insert(his: Uint32Array, los: Uint32Array, used: Uint8Array, hi: number, lo: number): boolean {
    const mask = his.length - 1;
    for (let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      if (used[i] === 0) {
        used[i] = 1;
        his[i] = hi;
        los[i] = lo;
        return true;
      }
      if (his[i] === hi && los[i] === lo) return false;
    }
  }

  #grow(): void {
    const n = this.#hi.length * 2;
    const his = new Uint32Array(n);
    const los = new Uint32Array(n);
    const used = new Uint8Array(n);
    for (let i = 0; i < this.#used.length; i++) if (this.#used[i] === 1) HashSet64.#insert(his, los, used, this.#hi[i]!, this.#lo[i]!);
    this.#hi = his;
    this.#lo = los;
    this.#used = used;
  }
}
