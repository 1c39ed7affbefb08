// Issue 12 findings 4 and 5: sparse message arrays are walked only over the scanned window,
// and throwing getters / Proxies in messages, requests, specs and options never let a raw
// Error escape (typed errors, or a fallback that reports ERR_INVALID_MESSAGES).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter, isSwitchyardError } from '../src/index.js';
import { withinSync, within } from './helpers/bounded.js';

const projects = [
  { name: 'llama-care', description: 'llama and alpaca husbandry', keywords: ['llama'] },
  { name: 'code-helper', description: 'programming help: bugs, refactors, tests' },
];
const router = await FastProjectRouter.create({ projects, defaultProject: 'default/code-helper' });

const boom = (): never => { throw new Error('getter says no'); };
const throwingProxy = (target: object): object => new Proxy(target, {
  get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom,
});

test('routeSync – a sparse array of 2^32−1 holes is not walked in full (finding 4)', () => {
  const holes = new Array(2 ** 32 - 1);
  const r = withinSync('routeSync sparse', 1000, () => router.routeSync('auto', holes));
  assert.equal(r.method, 'fallback');
  assert.match(r.reasons.join('\n'), /ERR_INVALID_MESSAGES/);
  // a real user turn at the end of a huge sparse array still routes
  const tail = new Array(2 ** 32 - 2);
  tail.push({ role: 'user', content: 'my llama is limping' });
  assert.equal(withinSync('routeSync sparse', 1000, () => router.routeSync('auto', tail)).modelPath, 'default/llama-care');
  // 1e8 holes took 3.9 s before the fix
  assert.equal(withinSync('routeSync sparse', 1000, () => router.routeSync('auto', new Array(1e8))).method, 'fallback');
});

test('routeSync / route / routeBatch – throwing getters and Proxies are reported, never thrown (finding 5)', async () => {
  const cases: [string, unknown][] = [
    ['getter on role', [{ get role(): string { return boom(); }, content: 'x' }]],
    ['getter on content', [{ role: 'user', get content(): string { return boom(); } }]],
    ['getter on block text', [{ role: 'user', content: [{ type: 'text', get text(): string { return boom(); } }] }]],
    ['Proxy message', [throwingProxy({ role: 'user', content: 'hi' })]],
    ['Proxy array', throwingProxy([{ role: 'user', content: 'hi' }])],
    ['Proxy array with a length trap', new Proxy([], { get: (t, k) => (k === 'length' ? boom() : Reflect.get(t, k)) })],
    ['getter on index', Object.defineProperty([], 0, { get: boom, enumerable: true })],
  ];
  for (const [name, messages] of cases) {
    const r = router.routeSync('auto', messages as never);
    assert.equal(r.method, 'fallback', name);
    assert.equal(r.modelPath, 'default/code-helper', name);
    assert.match(r.reasons.join('\n'), /ERR_INVALID_MESSAGES/, name);
    assert.equal((await router.route('auto', messages as never)).method, 'fallback', name);
    const [b] = await router.routeBatch([{ model: 'auto', messages: messages as never }]);
    assert.equal(b!.method, 'fallback', name);
  }
  // the batch itself: a request with throwing getters is one fallback, the others still route
  const evil = { get model(): string { return boom(); }, messages: 'x' };
  const out = await router.routeBatch([evil as never, { model: 'auto', messages: 'my llama is limping' }]);
  assert.equal(out[0]!.method, 'fallback');
  assert.match(out[0]!.reasons.join('\n'), /ERR_INVALID_MESSAGES/);
  assert.equal(out[1]!.modelPath, 'default/llama-care');
  // a batch list whose length cannot be read, or is absurd, is a typed error
  for (const requests of [throwingProxy([]), new Array(2 ** 32 - 1)]) {
    await assert.rejects(within('routeBatch', 1000, () => router.routeBatch(requests as never)), (e) => isSwitchyardError(e) && e.code === 'ERR_INVALID_MESSAGES');
  }
});

test('create / upsertProject – throwing getters and Proxies in specs and options are typed errors (finding 5)', async () => {
  const specs: unknown[] = [
    { get name(): string { return boom(); } },
    { name: 'x', get description(): string { return boom(); } },
    { name: 'x', keywords: Object.defineProperty([], 0, { get: boom, enumerable: true }) },
    throwingProxy({ name: 'x' }),
    { name: 'x', patterns: throwingProxy([]) },
  ];
  for (const spec of specs) {
    await assert.rejects(FastProjectRouter.create({ projects: [spec as never] }), (e) => isSwitchyardError(e) && e.code === 'ERR_INVALID_PROJECT');
    await assert.rejects(router.upsertProject(spec as never), (e) => isSwitchyardError(e) && e.code === 'ERR_INVALID_PROJECT');
  }
  await assert.rejects(FastProjectRouter.create({ projects: throwingProxy([]) as never }), (e) => isSwitchyardError(e) && (e.code === 'ERR_INVALID_OPTION' || e.code === 'ERR_INVALID_PROJECT'));
  await assert.rejects(FastProjectRouter.create(throwingProxy({}) as never), (e) => isSwitchyardError(e) && e.code === 'ERR_INVALID_OPTION');
  await assert.rejects(FastProjectRouter.create({ get threshold(): number { return boom(); } } as never), (e) => isSwitchyardError(e) && e.code === 'ERR_INVALID_OPTION');
  await assert.rejects(within('create', 2000, () => FastProjectRouter.create({ projects: new Array(2 ** 32 - 1) })), (e) => isSwitchyardError(e) && e.code === 'ERR_INVALID_OPTION');
  // the registry is unchanged by the refused specs
  assert.equal(router.size, 2);
});
