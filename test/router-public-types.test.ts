// Type-level checks of the router's public API (checked by `npm run typecheck`; the runtime test
// only makes the file count): renamed events carry the same payload as their deprecated names,
// close() returns a promise, the wall clock option and its alias take the same function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastProjectRouter, FastProjectRouterEvents, FastProjectRouterOptions, RouteResult, RouterStats } from '../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const check = <T extends true>(): T => true as T;

test('FastProjectRouter public types – renamed events, close(), wallClock', () => {
  const checks = [
    check<Equal<FastProjectRouterEvents['cache:failed'], FastProjectRouterEvents['cache:error']>>(),
    check<Equal<FastProjectRouterEvents['update:published'], FastProjectRouterEvents['update:outbound']>>(),
    check<Equal<FastProjectRouterEvents['fit:failed'], FastProjectRouterEvents['fit:error']>>(),
    check<Equal<ReturnType<FastProjectRouter['close']>, Promise<void>>>(),
    check<Equal<FastProjectRouterOptions['wallClock'], FastProjectRouterOptions['now']>>(),
    check<Equal<ReturnType<FastProjectRouter['routeSync']>, RouteResult>>(),
    check<Equal<ReturnType<FastProjectRouter['stats']>, RouterStats>>(),
  ];
  assert.equal(checks.length, 7);
});
