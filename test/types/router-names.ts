// Type tests of the names the router part settles (cache:failed, update:published, fit:failed,
// the wallClock option, close()). They do not exist on the names branch, so test/tsconfig.json
// excludes this file; after merging i17-router, remove it from "exclude" there.
import type { FastProjectRouter, FastProjectRouterEvents, FastProjectRouterOptions, RouteUpdateMessage, SwitchyardError } from '../../src/index.js';
import type { Equal, Expect } from './expect.js';

/** Router events under their noun:verb names, the old names with the same payload. */
export type RouterEventCases = [
  Expect<Equal<FastProjectRouterEvents['cache:failed'], [error: SwitchyardError]>>,
  Expect<Equal<FastProjectRouterEvents['cache:error'], FastProjectRouterEvents['cache:failed']>>,
  Expect<Equal<FastProjectRouterEvents['update:published'], [message: RouteUpdateMessage]>>,
  Expect<Equal<FastProjectRouterEvents['update:outbound'], FastProjectRouterEvents['update:published']>>,
  Expect<Equal<FastProjectRouterEvents['fit:failed'], [error: SwitchyardError]>>,
  Expect<Equal<FastProjectRouterEvents['fit:error'], FastProjectRouterEvents['fit:failed']>>,
];

/** Clocks: the router's epoch-ms source is `wallClock`; `now` is its deprecated alias. */
export type RouterClockCases = [
  Expect<Equal<FastProjectRouterOptions['wallClock'], (() => number) | undefined>>,
  Expect<Equal<FastProjectRouterOptions['now'], FastProjectRouterOptions['wallClock']>>,
  Expect<Equal<ReturnType<FastProjectRouter['close']>, Promise<void>>>,
];
