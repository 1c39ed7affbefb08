// FastProjectRouter replication: update:published, handleRouteUpdate (sync and async embedders),
// exportState/mergeState, rejected events, alias conflicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FastProjectRouter, HashEmbedder, type Embedder, type RouteUpdateMessage, type RouteUpdateRejectedEvent,
} from '../src/index.js';
import { PROJECTS_112, HELD_OUT_112 } from './fixtures/projects-112.js';
import { AsyncHashEmbedder } from './helpers/async-embedder.js';

let clock = 1_700_000_000_000;
const now = (): number => clock;

/** Synchronous hash embedder that counts calls (a real embedder, instrumented). */
class CountingEmbedder implements Embedder {
  readonly #inner = new HashEmbedder();
  readonly id: string = this.#inner.id;
  readonly dim: number = this.#inner.dim;
  calls = 0;
  embed(texts: readonly string[]): Promise<Float32Array[]> { this.calls += texts.length; return this.#inner.embed(texts); }
  embedInto(text: string, out: Float32Array, offset: number): void { this.calls++; this.#inner.embedInto(text, out, offset); }
}

function wire(a: FastProjectRouter, ...peers: FastProjectRouter[]): RouteUpdateMessage[] {
  const sent: RouteUpdateMessage[] = [];
  a.on('update:published', (m) => { sent.push(m); for (const p of peers) p.handleRouteUpdate(JSON.stringify(m)); });
  return sent;
}
const routes = (r: FastProjectRouter): (string | null)[] => HELD_OUT_112.slice(0, 40).map(([p]) => r.routeSync('auto', p).modelPath);

test('FastProjectRouter#upsertProject()/removeProject() – emit update:published: snake_case message, seq per node, embedder id and embedding', async () => {
  const a = await FastProjectRouter.create({ nodeId: 'a', wallClock: now });
  const sent = wire(a);
  await a.upsertProject({ namespace: 'farm', name: 'llama', description: 'llama care', keywords: ['llama'] });
  await a.upsertProject({ namespace: 'farm', name: 'llama', description: 'llama and alpaca care' });
  assert.equal(a.removeProject('farm/llama'), true);
  assert.equal(a.removeProject('farm/llama'), false);
  assert.deepEqual(sent.map((m) => [m.action, m.seq, m.from_node, m.type]), [['add', 1, 'a', 'route_update'], ['update', 2, 'a', 'route_update'], ['remove', 3, 'a', 'route_update']]);
  assert.equal(sent[0]!.embedder, a.embedder.id);
  assert.equal(sent[0]!.project.embedding?.length, a.embedder.dim);
  assert.equal(sent[0]!.timestamp, clock);
  assert.ok(sent[1]!.timestamp > sent[0]!.timestamp, 'a local write always wins over what the node holds');
  assert.deepEqual(sent[2]!.project, { namespace: 'farm', name: 'llama' });
});

test('FastProjectRouter#handleRouteUpdate() – three routers fed each other\'s updates route the 112-project registry identically; the usable embedding is not recomputed', async () => {
  const emb = new CountingEmbedder();
  const a = await FastProjectRouter.create({ nodeId: 'a', wallClock: now });
  const b = await FastProjectRouter.create({ nodeId: 'b', wallClock: now, embedder: emb });
  const c = await FastProjectRouter.create({ nodeId: 'c', wallClock: now });
  wire(a, b, c);
  wire(b, a, c);
  for (const [i, p] of PROJECTS_112.entries()) await (i % 2 ? a : b).upsertProject({ ...p, examples: [] });
  const before = emb.calls;
  await a.upsertProject({ ...PROJECTS_112[0]!, examples: [], description: 'changed on a' });
  assert.equal(emb.calls, before, 'b used the embedding in the message');
  a.removeProject(`${PROJECTS_112[1]!.namespace ?? 'default'}/${PROJECTS_112[1]!.name}`);
  assert.equal(a.size, 111);
  assert.deepEqual(routes(b), routes(a));
  assert.deepEqual(routes(c), routes(a));
  assert.deepEqual(c.exportState(), { ...a.exportState(), from_node: 'c' });
});

test('FastProjectRouter#handleRouteUpdate() – duplicates and older versions report applied=false (do not re-broadcast); invalid input emits update:rejected', async () => {
  const a = await FastProjectRouter.create({ nodeId: 'a', wallClock: now });
  const b = await FastProjectRouter.create({ nodeId: 'b', wallClock: now });
  const sent = wire(a);
  const rejected: RouteUpdateRejectedEvent[] = [];
  b.on('update:rejected', (e) => rejected.push(e));
  await a.upsertProject({ name: 'one', description: 'first' });
  clock += 10;
  await a.upsertProject({ name: 'one', description: 'second' });
  assert.deepEqual(b.handleRouteUpdate(sent[1]), { applied: true, reason: 'applied' });
  assert.deepEqual(b.handleRouteUpdate(sent[1]), { applied: false, reason: 'duplicate' });
  assert.deepEqual(b.handleRouteUpdate(sent[0]), { applied: false, reason: 'stale' });
  assert.equal(b.getProject('default/one')?.description, 'second');
  assert.equal(b.handleRouteUpdate('{not json').reason, 'invalid');
  assert.equal(b.handleRouteUpdate({ ...sent[0], timestamp: clock + 61_000 }).reason, 'future');
  assert.deepEqual(rejected.map((e) => e.reason), ['invalid', 'future']);
});

test('FastProjectRouter#handleRouteUpdate() – with an async embedder: applied is decided at once, `indexed` resolves when routing sees it; a superseded update is not indexed', async () => {
  const a = await FastProjectRouter.create({ nodeId: 'a', wallClock: now });
  const emb = new AsyncHashEmbedder();
  const b = await FastProjectRouter.create({ nodeId: 'b', wallClock: now, embedder: emb });
  const sent = wire(a);
  await a.upsertProject({ name: 'fish', description: 'bass fishing lures', examples: ['which lure for bass'] });
  clock += 1;
  await a.upsertProject({ name: 'fish', description: 'trout fishing flies' });
  const first = b.handleRouteUpdate(sent[0]);
  const second = b.handleRouteUpdate(sent[1]);
  assert.equal(first.applied, true);
  assert.equal(second.applied, true);
  assert.ok(first.indexed instanceof Promise && second.indexed instanceof Promise, 'a different embedder id: the receiver embeds itself');
  assert.equal(b.getProject('default/fish'), undefined, 'not indexed yet');
  await Promise.all([first.indexed, second.indexed]);
  assert.equal(b.getProject('default/fish')?.description, 'trout fishing flies');
  assert.equal((await b.route('auto', 'tying trout flies')).modelPath, 'default/fish');
  // a removal needs no embedding: synchronous
  a.removeProject('default/fish');
  const rm = b.handleRouteUpdate(sent[2]);
  assert.equal(rm.indexed, undefined);
  assert.equal(b.getProject('default/fish'), undefined);
});

test('FastProjectRouter#exportState()/mergeState() – a node that missed everything catches up; merging again changes nothing; bad states are typed', async () => {
  const a = await FastProjectRouter.create({ nodeId: 'a', wallClock: now });
  for (const p of PROJECTS_112.slice(0, 30)) await a.upsertProject(p);
  a.removeProject(`${PROJECTS_112[3]!.namespace ?? 'default'}/${PROJECTS_112[3]!.name}`);
  const late = await FastProjectRouter.create({ nodeId: 'late', wallClock: now, embedder: new AsyncHashEmbedder() });
  const state = JSON.stringify(a.exportState());
  const m = late.mergeState(state);
  assert.deepEqual([m.applied, m.unchanged, m.rejected], [30, 0, 0]);
  await m.indexed;
  assert.equal(late.size, 29);
  for (const [p] of HELD_OUT_112.slice(0, 30)) assert.equal((await late.route('auto', p)).modelPath, a.routeSync('auto', p).modelPath);
  const again = late.mergeState(a.exportState());
  assert.deepEqual([again.applied, again.unchanged, again.indexed], [0, 30, undefined]);
  for (const bad of [null, 42, '[]', { type: 'route_state', from_node: 'x', entries: {} }, { type: 'route_state', from_node: 'x', entries: [], extra: 1 }]) {
    const r = late.mergeState(bad);
    assert.equal(r.error?.code, 'ERR_INVALID_ROUTE_UPDATE');
  }
  const mixed = late.mergeState({ type: 'route_state', from_node: 'x', entries: [{ type: 'nope' }, ...a.exportState().entries.slice(0, 2)] });
  assert.deepEqual([mixed.applied, mixed.unchanged, mixed.rejected], [0, 2, 1]);
});

test('FastProjectRouter#handleRouteUpdate() – an alias owned by another project here → conflict, table and index unchanged', async () => {
  const b = await FastProjectRouter.create({ nodeId: 'b', wallClock: now, projects: [{ name: 'owner', aliases: ['shared'], description: 'x' }] });
  const before = JSON.stringify(b.exportState());
  const out = b.handleRouteUpdate({ type: 'route_update', action: 'add', project: { namespace: 'default', name: 'thief', aliases: ['shared'] }, from_node: 'a', timestamp: clock, seq: 1 });
  assert.equal(out.reason, 'conflict');
  assert.equal(out.error?.code, 'ERR_DUPLICATE_PROJECT');
  assert.equal(JSON.stringify(b.exportState()), before);
  assert.equal(b.getProject('shared')?.name, 'owner');
});
