// G9 (hostile/malformed messages), G10 (size & embedding validity), E2 (prototype-pollution corpus)
// through the public FastProjectRouter#handleRouteUpdate() / mergeState().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FastProjectRouter, HashEmbedder, isSwitchyardError, type RouteUpdateResult } from '../src/index.js';
import { SIM_NOW } from './helpers/gossip-sim.js';

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
function assertNoPoisoning(): void {
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'oops', 'xxx', 'status', 'x']) assert.equal(probe[k], undefined, `Object.prototype.${k} polluted`);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTO_KEYS);
}

async function router(): Promise<FastProjectRouter> {
  const r = await FastProjectRouter.create({ nodeId: 'victim', wallClock: () => SIM_NOW, embedder: new HashEmbedder({ dim: 64 }) });
  await r.upsertProject({ namespace: 'x', name: 'base', description: 'baseline project' });
  return r;
}
const snapshot = (r: FastProjectRouter): string => JSON.stringify([r.exportState(), r.projects()]);
const valid = (over: Record<string, unknown> = {}, project: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'route_update', action: 'add', project: { namespace: 'x', name: 'new', description: 'fine', ...project }, from_node: 'peer', timestamp: SIM_NOW, seq: 1, ...over,
});

function expectInvalid(r: FastProjectRouter, input: unknown, label: string): void {
  const before = snapshot(r);
  let out: RouteUpdateResult | undefined;
  assert.doesNotThrow(() => { out = r.handleRouteUpdate(input); }, label);
  assert.equal(out!.applied, false, label);
  assert.equal(out!.reason, 'invalid', label);
  assert.ok(isSwitchyardError(out!.error) && out!.error.code === 'ERR_INVALID_ROUTE_UPDATE', label);
  assert.equal(snapshot(r), before, label);
  assertNoPoisoning();
}

const nest = (depth: number, leaf: string): string => (depth === 0 ? leaf : `{"a":${nest(depth - 1, leaf)}}`);

test('FastProjectRouter#handleRouteUpdate() – E2: prototype-pollution corpus (raw JSON, unicode-escaped, nested 1–20) → typed error, nothing polluted', async () => {
  const r = await router();
  const payloads = [
    '{"__proto__":{"oops":"It works !"}}',
    '{"constructor":{"prototype":{"xxx":true}}}',
    '{"prototype":{"status":"pwned"}}',
    '{"\\u005f_proto__":{"polluted":true}}',
    '{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":true}}',
    '{"__pro\\u0074o__":{"polluted":true}}',
    '{"constructo\\u0072":{"prototype":{"polluted":true}}}',
  ];
  let cases = 0;
  for (const p of payloads) {
    const inner = p.slice(1, -1);
    // at top level, inside project, and nested at depth 1–20 (as a JSON string and as parsed objects)
    const docs = [
      `{"type":"route_update","action":"add",${inner},"project":{"namespace":"x","name":"new"},"from_node":"e","timestamp":${SIM_NOW},"seq":1}`,
      `{"type":"route_update","action":"add","project":{"namespace":"x","name":"new",${inner}},"from_node":"e","timestamp":${SIM_NOW},"seq":1}`,
      ...Array.from({ length: 20 }, (_, d) => `{"type":"route_update","action":"add","project":{"namespace":"x","name":"new","topics":[${nest(d, p)}]},"from_node":"e","timestamp":${SIM_NOW},"seq":1}`),
    ];
    for (const doc of docs) {
      expectInvalid(r, doc, doc.slice(0, 120));
      expectInvalid(r, Buffer.from(doc), 'bytes ' + doc.slice(0, 100));
      expectInvalid(r, JSON.parse(doc), 'object ' + doc.slice(0, 100));
      cases += 3;
    }
  }
  // the same keys inside a route state
  const bad = JSON.parse(`{"type":"route_state","from_node":"e","entries":[],"__proto__":{"polluted":1}}`) as unknown;
  const m = r.mergeState(bad);
  assert.ok(isSwitchyardError(m.error) && m.error.code === 'ERR_INVALID_ROUTE_UPDATE');
  assertNoPoisoning();
  assert.ok(cases > 400);
});

test('FastProjectRouter#handleRouteUpdate() – G9: 1,000 fuzzed messages (prototype keys, wrong types, missing/extra fields, deep nesting, arrays for objects) → only typed results', async () => {
  const r = await router();
  const key = fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', '\\u005f_proto__', 'type', 'action', 'project', 'from_node', 'timestamp', 'seq', 'embedder', 'name', 'namespace', 'embedding', 'topics'),
    fc.string({ maxLength: 8 }),
  );
  const leaf = fc.oneof(fc.string({ maxLength: 20 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('route_update', 'add', 'remove', SIM_NOW));
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('arr'), tie('obj')),
    arr: fc.array(tie('tree'), { maxLength: 4 }),
    obj: fc.dictionary(key, tie('tree'), { maxKeys: 5 }),
  }));
  const message = fc.oneof(
    tree,
    fc.record({ type: fc.constant('route_update'), action: fc.oneof(fc.constantFrom('add', 'update', 'remove'), leaf), project: tree, from_node: fc.oneof(fc.string({ maxLength: 4 }), leaf), timestamp: fc.oneof(leaf, fc.constant(SIM_NOW)), seq: leaf }, { requiredKeys: [] }),
    fc.integer({ min: 1, max: 50 }).map((d) => JSON.parse(nest(d, '{"__proto__":{"polluted":1}}')) as unknown),
    fc.integer({ min: 1, max: 50 }).map((d) => valid({}, { topics: [JSON.parse(nest(d, '1')) as unknown] })),
  );
  let n = 0;
  fc.assert(fc.property(message, fc.boolean(), (m, asText) => {
    n++;
    const before = snapshot(r);
    let input: unknown = m;
    if (asText) { try { input = JSON.stringify(m); } catch { input = m; } }
    const out = r.handleRouteUpdate(input);
    assert.equal(typeof out.applied, 'boolean');
    if (out.reason === 'invalid') {
      assert.ok(isSwitchyardError(out.error) && out.error.code === 'ERR_INVALID_ROUTE_UPDATE');
      assert.equal(snapshot(r), before);
    }
    assertNoPoisoning();
  }), { numRuns: 1000, seed: 9 });
  assert.equal(n, 1000);
});

test('FastProjectRouter#handleRouteUpdate() – G10: size limit is checked before JSON.parse; 1 MB strings rejected', async () => {
  const r = await router();
  const parse = JSON.parse;
  let parsed = 0;
  JSON.parse = ((...a: Parameters<typeof JSON.parse>) => { parsed++; return parse(...a); }) as typeof JSON.parse;
  try {
    expectInvalid(r, JSON.stringify(valid({}, { description: 'x'.repeat(70_000) })), '70 kB');
    expectInvalid(r, Buffer.from(JSON.stringify(valid({}, { description: 'é'.repeat(40_000) }))), '80 kB of UTF-8 bytes');
    assert.equal(parsed, 0, 'JSON.parse ran on an oversized message');
  } finally {
    JSON.parse = parse;
  }
  expectInvalid(r, valid({}, { description: 'x'.repeat(1 << 20) }), '1 MB string in an object');
  expectInvalid(r, valid({ from_node: 'n'.repeat(1 << 20) }), '1 MB node id');
});

test('FastProjectRouter#handleRouteUpdate() – G10: embedding length ≠ D, D > 16000, NaN/±Inf/non-number, all-zero → rejected; a valid 1536-dim message is accepted', async () => {
  const r = await router(); // HashEmbedder dim 64
  const id = r.embedder.id;
  const ok = Array.from({ length: 64 }, (_, i) => Math.sin(i + 1));
  for (const [label, emb] of [
    ['length 63', ok.slice(1)], ['NaN', [NaN, ...ok.slice(1)]], ['Infinity', [Infinity, ...ok.slice(1)]], ['-Infinity', [...ok.slice(1), -Infinity]],
    ['string', ['1', ...ok.slice(1)]], ['null', [null, ...ok.slice(1)]], ['all zero', new Array(64).fill(0)], ['not an array', { 0: 1 }], ['1e39 (not float32)', [1e39, ...ok.slice(1)]],
  ] as const) {
    expectInvalid(r, valid({ embedder: id }, { embedding: emb }), label);
  }
  expectInvalid(r, valid({ embedder: 'other-model' }, { embedding: new Array(16_001).fill(0.5) }), 'D > 16000');
  // a valid 1536-dim embedding from another embedder: accepted (the receiver embeds itself); from the same embedder id it would need D = 64
  const big = Array.from({ length: 1536 }, (_, i) => Math.fround(Math.cos(i) / 40));
  const text = JSON.stringify(valid({ embedder: 'openai:text-embedding-3-small' }, { embedding: big }));
  assert.ok(Buffer.byteLength(text) < 65_536, `${Buffer.byteLength(text)} bytes`);
  const out = r.handleRouteUpdate(text);
  assert.deepEqual({ applied: out.applied, reason: out.reason }, { applied: true, reason: 'applied' });
  assert.equal(r.getProject('x/new')?.hasEmbedding, false);
  // and a 1536-dim router accepts it as its own embedding
  const r1536 = await FastProjectRouter.create({ nodeId: 'w', wallClock: () => SIM_NOW, embedder: new HashEmbedder({ dim: 1536 }) });
  const own = r1536.handleRouteUpdate(JSON.stringify(valid({ embedder: r1536.embedder.id }, { embedding: big })));
  assert.equal(own.applied, true);
  assert.equal(r1536.getProject('x/new')?.hasEmbedding, true);
});
