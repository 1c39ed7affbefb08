// A tiny type-assertion kit (no dependency): `Expect<Equal<A, B>>` fails `npm run typecheck`
// unless A and B are the same type, and `Expect<Extends<A, B>>` unless A is assignable to B.
// Equal is the strict check (it tells `any`, `unknown` and optional from required apart).

/** True when `A` and `B` are identical types. */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;

/** True when `A` is assignable to `B`. */
export type Extends<A, B> = [A] extends [B] ? true : false;

/** Compiles only for `true`. */
export type Expect<T extends true> = T;
