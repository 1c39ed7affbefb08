/**
 * A source of uniform random numbers in `[0, 1)`, like `Math.random`.
 * Inject a seeded one (see {@link seededRandom}) to make balancing reproducible.
 */
export type RandomSource = () => number;

/**
 * A small, fast, seedable PRNG (mulberry32). Not for cryptography.
 *
 * @param seed - any 32-bit integer; equal seeds give equal sequences
 * @returns a {@link RandomSource} returning numbers in `[0, 1)`
 * @example
 * ```ts
 * const map = new ApiMap({ providers, random: seededRandom(42) });
 * ```
 */
export function seededRandom(seed: number): RandomSource {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
