// node:diagnostics_channel: tracing channels around routes and upstream attempts, the metrics
// channel, and no payload at all while nobody subscribes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { ApiMap, DIAGNOSTICS_CHANNELS, FastProjectRouter, RequestClassifier, type ClassifyTraceContext, type ExecuteTraceContext, type MetricsMessage, type RouteTraceContext } from '../src/index.js';
import { unsafeDiagnosticsPayloadsBuilt } from '../src/telemetry/diagnostics.js';
import { FakeTime, httpError } from './helpers/balance-sim.js';
import { HashEmbedder, type Embedder } from '../src/index.js';

/** An async embedder that can be told to fail once. */
class FlakyEmbedder implements Embedder {
  readonly #inner = new HashEmbedder();
  readonly id: string = 'flaky';
  readonly dim: number = this.#inner.dim;
  failNext = false;
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.failNext) { this.failNext = false; throw new Error('model crashed'); }
    return this.#inner.embed(texts);
  }
}

const projects = [
  { namespace: 'farm', name: 'llama-care', aliases: ['llama'], description: 'llama and alpaca husbandry', keywords: ['alpaca'] },
  { namespace: 'dev', name: 'code', description: 'programming help, stack traces, unit tests' },
];

function collectMetrics(): { messages: MetricsMessage[]; stop(): void } {
  const messages: MetricsMessage[] = [];
  const fn = (m: unknown): void => void messages.push(m as MetricsMessage);
  diagnostics_channel.subscribe(DIAGNOSTICS_CHANNELS.metrics, fn);
  return { messages, stop: () => void diagnostics_channel.unsubscribe(DIAGNOSTICS_CHANNELS.metrics, fn) };
}

function collectTrace<C extends object>(name: string): { events: [string, C][]; stop(): void } {
  const events: [string, C][] = [];
  const handlers = {
    start: (c: C) => void events.push(['start', { ...c }]),
    end: (c: C) => void events.push(['end', { ...c }]),
    asyncStart: (c: C) => void events.push(['asyncStart', { ...c }]),
    asyncEnd: (c: C) => void events.push(['asyncEnd', { ...c }]),
    error: (c: C) => void events.push(['error', { ...c }]),
  };
  const ch = diagnostics_channel.tracingChannel<unknown, C>(name);
  ch.subscribe(handlers);
  return { events, stop: () => void ch.unsubscribe(handlers) };
}

test('DIAGNOSTICS_CHANNELS – names under switchyard:', () => {
  assert.deepEqual({ ...DIAGNOSTICS_CHANNELS }, { route: 'switchyard:route', execute: 'switchyard:execute', classify: 'switchyard:classify', metrics: 'switchyard:metrics' });
  assert.ok(Object.isFrozen(DIAGNOSTICS_CHANNELS));
});

test('FastProjectRouter – nothing is built while nobody subscribes; payloads appear once someone does', async () => {
  const router = await FastProjectRouter.create({ projects, defaultProject: 'dev/code' });
  const before = unsafeDiagnosticsPayloadsBuilt();
  for (let i = 0; i < 50; i++) router.routeSync('auto', 'my alpaca is limping');
  await router.route('llama', 'x');
  await router.routeBatch([{ messages: 'stack trace in my unit tests' }]);
  assert.equal(unsafeDiagnosticsPayloadsBuilt(), before, 'no payload without subscribers');

  const metrics = collectMetrics();
  try {
    router.routeSync('auto', 'my alpaca is limping');
    assert.equal(unsafeDiagnosticsPayloadsBuilt(), before + 1);
  } finally {
    metrics.stop();
  }
  router.routeSync('auto', 'my alpaca is limping');
  assert.equal(unsafeDiagnosticsPayloadsBuilt(), before + 1, 'unsubscribing stops building again');
});

test('FastProjectRouter – metrics channel gets one route message per decision, router latency only', async () => {
  const router = await FastProjectRouter.create({ projects, defaultProject: 'dev/code', nodeId: 'n1' });
  const metrics = collectMetrics();
  try {
    const a = router.routeSync('llama', 'anything');
    const b = await router.route('auto', 'my alpaca is limping');
    const [c] = await router.routeBatch([{ messages: 'what is the weather' }]);
    assert.equal(metrics.messages.length, 3);
    const [ma, mb, mc] = metrics.messages;
    assert.deepEqual(ma, { type: 'route', nodeId: 'n1', method: 'explicit', modelPath: 'farm/llama-care', score: 1, routerLatencyMs: a.latencyMs });
    assert.equal(mb?.type, 'route');
    assert.equal(mb?.type === 'route' && mb.routerLatencyMs, b.latencyMs);
    assert.equal(mb?.type === 'route' && mb.method, b.method);
    assert.equal(mc?.type === 'route' && mc.modelPath, c!.modelPath);
    assert.ok(metrics.messages.every((m) => !('inferenceLatencyMs' in m)));
  } finally {
    metrics.stop();
  }
});

test('FastProjectRouter – route TracingChannel: start/end around routeSync(), asyncStart/asyncEnd around route()', async () => {
  const router = await FastProjectRouter.create({ projects, defaultProject: 'dev/code', nodeId: 'n2' });
  const trace = collectTrace<RouteTraceContext>(DIAGNOSTICS_CHANNELS.route);
  try {
    const r = router.routeSync('auto', 'my alpaca is limping');
    assert.deepEqual(trace.events.map((e) => e[0]), ['start', 'end']);
    assert.deepEqual(trace.events[0]![1], { model: 'auto', nodeId: 'n2', operation: 'routeSync' });
    assert.equal(trace.events[1]![1].result, r, 'end carries the RouteResult');
    trace.events.length = 0;
    const r2 = await router.route('llama', 'x');
    assert.deepEqual(trace.events.map((e) => e[0]), ['start', 'end', 'asyncStart', 'asyncEnd']);
    assert.equal(trace.events[3]![1].result, r2);
    assert.equal(trace.events[3]![1].operation, 'route');
  } finally {
    trace.stop();
  }
});

test('FastProjectRouter – route TracingChannel publishes error when the embedder fails', async () => {
  const embedder = new FlakyEmbedder();
  const router = await FastProjectRouter.create({ projects, embedder, defaultProject: 'dev/code' });
  embedder.failNext = true;
  const trace = collectTrace<RouteTraceContext>(DIAGNOSTICS_CHANNELS.route);
  try {
    await assert.rejects(router.route('auto', 'my alpaca is limping'), { code: 'ERR_EMBEDDER_FAILED' });
    assert.deepEqual(trace.events.map((e) => e[0]), ['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    assert.equal((trace.events[2]![1].error as { code?: string }).code, 'ERR_EMBEDDER_FAILED');
  } finally {
    trace.stop();
  }
});

test('ApiMap#execute() – execute TracingChannel and attempt metrics per attempt, inference latency on the map clock', async () => {
  const time = new FakeTime();
  const map = new ApiMap({
    providers: [{ name: 'p', models: ['m'], instances: [{ id: 'bad', endpoint: 'http://bad' }, { id: 'good', endpoint: 'http://good' }] }],
    strategy: 'round-robin', now: time.clock, timers: time, retry: { baseDelayMs: 0 },
  });
  const before = unsafeDiagnosticsPayloadsBuilt();
  await map.execute('m', async (sel) => { if (sel.instance.id === 'bad') throw httpError(503); return 'ok'; });
  assert.equal(unsafeDiagnosticsPayloadsBuilt(), before, 'no payload without subscribers');

  const metrics = collectMetrics();
  const trace = collectTrace<ExecuteTraceContext>(DIAGNOSTICS_CHANNELS.execute);
  try {
    const value = await map.execute('m', async (sel) => {
      time.now += sel.instance.id === 'bad' ? 7 : 40; // the upstream call takes simulated time
      if (sel.instance.id === 'bad') throw httpError(503);
      return 'ok';
    });
    assert.equal(value, 'ok');
    assert.deepEqual(metrics.messages, [
      { type: 'attempt', model: 'm', provider: 'p', instance: 'bad', attempt: 0, ok: false, failure: 'retryable', status: 503, inferenceLatencyMs: 7 },
      { type: 'attempt', model: 'm', provider: 'p', instance: 'good', attempt: 1, ok: true, inferenceLatencyMs: 40 },
    ]);
    const kinds = trace.events.map(([k, c]) => `${k}:${c.instance}`);
    assert.deepEqual(kinds.filter((k) => !k.startsWith('end') && !k.startsWith('asyncStart')),
      ['start:bad', 'error:bad', 'asyncEnd:bad', 'start:good', 'asyncEnd:good']);
    const okEnd = trace.events.find(([k, c]) => k === 'asyncEnd' && c.instance === 'good')!;
    assert.equal(okEnd[1].result, 'ok');
    assert.equal(okEnd[1].endpoint, 'http://good');
    assert.equal(okEnd[1].attempt, 1);
  } finally {
    metrics.stop();
    trace.stop();
  }
});

test('RequestClassifier#decide() – classify TracingChannel and one classify metric per decision; nothing built without subscribers', async () => {
  const classifier = new RequestClassifier({ llm: { classify: async () => ({ tier: 'opus', reason: 'hard' }) } });
  const short = { messages: [{ role: 'user', content: 'explain this regex' }] };
  const before = unsafeDiagnosticsPayloadsBuilt();
  await classifier.decide(short);
  assert.equal(unsafeDiagnosticsPayloadsBuilt(), before, 'no payload without subscribers');

  const metrics = collectMetrics();
  const trace = collectTrace<ClassifyTraceContext>(DIAGNOSTICS_CHANNELS.classify);
  try {
    const d = await classifier.decide({ ...short, model: 'auto' });
    const m = metrics.messages.filter((x) => x.type === 'classify');
    assert.equal(m.length, 1);
    assert.deepEqual({ ...m[0]!, classifierLatencyMs: 0 }, { type: 'classify', phase: d.phase, tier: d.tier, score: d.score, classifierLatencyMs: 0 });
    assert.ok(m[0]!.type === 'classify' && m[0]!.classifierLatencyMs >= 0);
    assert.deepEqual(trace.events.map(([e]) => e), ['start', 'end', 'asyncStart', 'asyncEnd']);
    assert.equal(trace.events[0]![1].model, 'auto');
    assert.deepEqual(trace.events[3]![1].result, d);
    // a rejected decide() publishes the error on the trace and no metric
    await assert.rejects(classifier.decide(null as never), { code: 'ERR_INVALID_MESSAGES' });
    assert.ok(trace.events.some(([e, c]) => e === 'error' && (c.error as { code?: string }).code === 'ERR_INVALID_MESSAGES'));
    assert.equal(metrics.messages.filter((x) => x.type === 'classify').length, 1);
  } finally {
    metrics.stop();
    trace.stop();
  }
});
