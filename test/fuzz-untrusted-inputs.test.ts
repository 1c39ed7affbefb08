// Permanent fuzz suite (issue 12): every entry point that takes input from outside (route
// input, project specs, route updates, merge states, cache files, feedback files, configs)
// gets random and adversarial input plus a fixed corpus of the cases that once hung or threw.
// Each call must end in a result or a typed SwitchyardError within a generous time bound
// (hangs and super-linear blow-ups, not micro-seconds); the worst call per entry point is
// printed at the end (the numbers quoted in docs/security.md come from this output).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { EmbeddingCache, FastProjectRouter, exportDpoDataset, expandEnv, isSwitchyardError, loadRoutingConfig } from '../src/index.js';
import { REDOS_CASES } from './fixtures/redos-corpus.js';
import { printWorst, within, withinSync, worstMs } from './helpers/bounded.js';
import { compileSafePattern } from '../src/router/safe-pattern.js';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 100);
const NOW = 1_700_000_000_000;
const dir = mkdtempSync(path.join(tmpdir(), 'swy-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const boom = (): never => { throw new Error('hostile getter'); };
const hostileProxy = (target: object): object => new Proxy(target, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom });
const sparse = (n: number, tail?: unknown): unknown[] => {
  const a = new Array<unknown>(n);
  if (tail !== undefined) a.push(tail);
  return a;
};
const typedOnly = (e: unknown): boolean => isSwitchyardError(e);

/**
 * Hostile objects that fast-check itself must not touch (it probes generated values for a
 * clone method, which a throwing Proxy would answer with an exception): generated as markers
 * and swapped in by {@link real} inside each property.
 */
const HOSTILE: (() => unknown)[] = [
  () => sparse(2 ** 32 - 1), () => sparse(2 ** 32 - 2, { role: 'user', content: 'x' }), () => hostileProxy({}), () => hostileProxy([]),
  () => ({ get role(): string { return boom(); } }), () => Object.defineProperty([], 0, { get: boom, enumerable: true }),
  () => ({ name: 'p', get description(): string { return boom(); } }),
  () => JSON.parse('{"__proto__":{"polluted":true}}'), () => JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
];
const MARK = 'swy-hostile-case';

/** Replaces hostile markers anywhere in a generated plain tree with the real hostile objects. */
function real(v: unknown, depth = 0): unknown {
  if (typeof v !== 'object' || v === null || depth > 8) return v;
  if (Array.isArray(v)) return v.map((x) => real(x, depth + 1));
  const o = v as Record<string, unknown>;
  if (typeof o[MARK] === 'number') return HOSTILE[o[MARK] as number]!();
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) Object.defineProperty(out, k, { value: real(o[k], depth + 1), enumerable: true, writable: true, configurable: true });
  return out;
}

/** Values a hostile caller or peer can produce (no functions). */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ withNullPrototype: true, withBigInt: true, withTypedArray: true, withSparseArray: true, withUnicodeString: true, maxDepth: 4 }),
  fc.integer({ min: 0, max: HOSTILE.length - 1 }).map((i) => ({ [MARK]: i })),
);

const projects = [
  { name: 'llama-care', description: 'llama and alpaca husbandry', keywords: ['llama'], patterns: ['\\bllama-\\d+\\b'] },
  { name: 'code-helper', description: 'programming help: bugs, refactors, tests' },
];

test('fuzz: route input (routeSync, route, routeBatch)', async () => {
  const router = await FastProjectRouter.create({ projects, defaultProject: 'default/code-helper' });
  const message = fc.record({ role: fc.constantFrom('user', 'assistant', 'system', 'tool', '__proto__'), content: fc.oneof(fc.string({ maxLength: 3000 }), hostileValue, fc.array(fc.oneof(fc.record({ type: fc.constantFrom('text', 'tool_result'), text: fc.string(), content: hostileValue }, { requiredKeys: [] }), hostileValue), { maxLength: 8 })) }, { requiredKeys: [] });
  const input = fc.oneof(fc.string({ maxLength: 5000 }), fc.array(fc.oneof(message, hostileValue), { maxLength: 80 }), hostileValue);
  await fc.assert(fc.asyncProperty(fc.oneof(fc.constant('auto'), fc.string(), hostileValue), input, async (m0, x0) => {
    const model = real(m0);
    const messages = real(x0);
    const r = withinSync('routeSync', 1000, () => router.routeSync(model as string, messages as never));
    assert.ok(Number.isFinite(r.score));
    const a = await within('route', 1000, () => router.route(model as string, messages as never));
    assert.equal(a.modelPath, r.modelPath);
    const [b] = await within('routeBatch', 1000, () => router.routeBatch([{ model: model as string, messages: messages as never }]));
    assert.equal(b!.modelPath, r.modelPath);
  }), { numRuns: RUNS });
  // corpus: adversarial prompts for every ReDoS pattern, through a router that holds them all
  const compiles = (p: string): boolean => { try { compileSafePattern(p); return true; } catch { return false; } };
  const redos = await FastProjectRouter.create({ projects: REDOS_CASES.filter((c) => compiles(c.pattern)).map((c, i) => ({ name: `r${i}`, patterns: [c.pattern] })) });
  for (const c of REDOS_CASES) withinSync('routeSync ReDoS corpus', 2000, () => redos.routeSync('auto', c.prompt(2000)));
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('fuzz: project specs (create, upsertProject)', async () => {
  const router = await FastProjectRouter.create({ projects });
  const regex = fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[()|*+?{}\[\]\\a-z0-9.^$,-]{0,40}$/), fc.constantFrom(...REDOS_CASES.map((c) => c.pattern)));
  const spec = fc.oneof(
    fc.record({
      name: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), hostileValue),
      description: fc.oneof(fc.string(), hostileValue),
      keywords: fc.oneof(fc.array(fc.string(), { maxLength: 5 }), hostileValue),
      patterns: fc.oneof(fc.array(regex, { maxLength: 4 }), hostileValue),
      examples: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), hostileValue),
      embedding: hostileValue,
    }, { requiredKeys: ['name'] }),
    hostileValue,
  );
  await fc.assert(fc.asyncProperty(spec, async (s0) => {
    const s = real(s0);
    try {
      await within('upsertProject', 2000, () => router.upsertProject(s as never));
    } catch (e) {
      assert.ok(typedOnly(e), String(e));
    }
    try {
      await within('create', 2000, () => FastProjectRouter.create({ projects: [s as never] }));
    } catch (e) {
      assert.ok(typedOnly(e), String(e));
    }
  }), { numRuns: RUNS });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('fuzz: route updates (handleRouteUpdate)', async () => {
  const sender = await FastProjectRouter.create({ projects: [], nodeId: 'peer', wallClock: () => NOW });
  const valid: unknown[] = [];
  sender.on('update:published', (m) => valid.push(m));
  await sender.upsertProject({ name: 'p1', description: 'a peer project' });
  const base = JSON.parse(JSON.stringify(valid[0])) as Record<string, unknown>;
  const receivers = [
    await FastProjectRouter.create({ projects, nodeId: 'me', wallClock: () => NOW }),
    await FastProjectRouter.create({ projects, nodeId: 'me2', wallClock: () => NOW, acceptPeerPatterns: true }),
  ];
  const mutated = fc.record({
    key: fc.constantFrom('type', 'action', 'project', 'from_node', 'timestamp', 'seq', 'embedder', '__proto__', 'x'),
    value: hostileValue,
    patterns: fc.array(fc.constantFrom(...REDOS_CASES.map((c) => c.pattern)), { maxLength: 3 }),
  }).map(({ key, value, patterns }) => {
    const m = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
    (m['project'] as Record<string, unknown>)['patterns'] = patterns;
    try { m[key] = value; } catch { /* frozen or hostile */ }
    return m;
  });
  const input = fc.oneof(mutated, mutated.map((m) => { try { return JSON.stringify(m); } catch { return '{'; } }), fc.string(), fc.uint8Array({ maxLength: 300 }), hostileValue);
  await fc.assert(fc.property(input, (m0) => {
    const m = real(m0);
    for (const r of receivers) {
      const out = withinSync('handleRouteUpdate', 1000, () => r.handleRouteUpdate(m));
      if (!out.applied) assert.ok(out.error === undefined || typedOnly(out.error));
      withinSync('routeSync after update', 1000, () => r.routeSync('auto', 'a'.repeat(1999) + '!'));
    }
  }), { numRuns: RUNS });
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('fuzz: merge states (mergeState, mergeStateAsync)', async () => {
  const router = await FastProjectRouter.create({ projects, nodeId: 'me', wallClock: () => NOW });
  const head = '{"type":"route_state","from_node":"peer","entries":[';
  const entry = fc.oneof(hostileValue, fc.record({ type: fc.constant('route_update'), action: fc.constantFrom('add', 'remove', 'x'), project: fc.record({ name: fc.string(), description: hostileValue }, { requiredKeys: [] }), from_node: fc.string(), timestamp: fc.integer(), seq: fc.nat() }, { requiredKeys: [] }));
  const state = fc.oneof(
    fc.record({ type: fc.constantFrom('route_state', 'x'), from_node: fc.string(), entries: fc.array(entry, { maxLength: 20 }) }, { requiredKeys: [] }),
    fc.array(entry, { maxLength: 20 }).map((es) => { try { return head + es.map((e) => JSON.stringify(e) ?? 'null').join(',') + ']}'; } catch { return head + ']}'; } }),
    fc.string().map((s) => head + s),
    fc.uint8Array({ maxLength: 500 }),
    hostileValue,
  );
  await fc.assert(fc.asyncProperty(state, async (s0) => {
    const s = real(s0);
    const a = withinSync('mergeState', 1000, () => router.mergeState(s));
    if (a.error) assert.ok(typedOnly(a.error));
    const b = await within('mergeStateAsync', 2000, () => router.mergeStateAsync(s));
    if (b.error) assert.ok(typedOnly(b.error));
  }), { numRuns: RUNS });
  // corpus: the shapes of the states (zeros, {}), deep nesting, a huge single entry
  const corpus = [
    head + new Array<string>(3e5).fill('0').join(',') + ']}',
    head + new Array<string>(2e5).fill('{}').join(',') + ']}',
    head + '['.repeat(1 << 20) + ']}',
    head + '"' + 'x'.repeat(2 << 20) + '"]}',
  ]; // the 64 MiB versions run in test/stress/merge-state-64mib.test.ts
  for (const s of corpus) {
    const a = withinSync('mergeState corpus', 3000, () => router.mergeState(s));
    assert.ok(a.error !== undefined || a.applied === 0);
    await within('mergeStateAsync corpus', 10_000, () => router.mergeStateAsync(s));
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('fuzz: cache files (create with cachePath, EmbeddingCache.load)', async () => {
  let n = 0;
  await fc.assert(fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.constant(Buffer.from('SWYDEMB\0' + '\xff'.repeat(64), 'latin1'))), async (bytes) => {
    const file = path.join(dir, `cache-${n++}.bin`);
    writeFileSync(file, bytes);
    const cache = new EmbeddingCache({ path: file, embedderId: 'hash-v1-384', dim: 384 });
    await within('EmbeddingCache.load', 2000, () => cache.load());
    const r = await within('create with cachePath', 2000, () => FastProjectRouter.create({ projects, cachePath: file }));
    assert.equal(r.routeSync('auto', 'my llama is limping').modelPath, 'default/llama-care');
  }), { numRuns: Math.ceil(RUNS / 3) });
  if (process.platform !== 'win32') {
    const fifo = path.join(dir, 'fifo.bin');
    execFileSync('mkfifo', [fifo]);
    await within('create with cachePath', 5000, () => FastProjectRouter.create({ projects, cachePath: fifo }));
  }
});

test('fuzz: feedback files (exportDpoDataset)', async () => {
  let n = 0;
  const line = fc.oneof(fc.string({ maxLength: 200 }), fc.record({ prompt: fc.oneof(fc.string(), hostileValue), chosen: fc.oneof(fc.string(), hostileValue), rejected: fc.oneof(fc.string(), hostileValue) }, { requiredKeys: [] }).map((r) => { try { return JSON.stringify(r) ?? ''; } catch { return '{'; } }));
  await fc.assert(fc.asyncProperty(fc.array(line, { maxLength: 30 }), fc.uint8Array({ maxLength: 200 }), async (lines, junk) => {
    const input = path.join(dir, `fb-${n}.jsonl`);
    writeFileSync(input, Buffer.concat([Buffer.from(lines.join('\n')), Buffer.from(junk)]));
    const report = await within('exportDpoDataset', 2000, () => exportDpoDataset(input, path.join(dir, `dpo-${n++}.jsonl`)));
    assert.ok(report.written + report.invalid + report.duplicates + report.filtered <= report.lines);
  }), { numRuns: Math.ceil(RUNS / 3) });
});

test('fuzz: configs (loadRoutingConfig, expandEnv)', () => {
  const vars: Record<string, string> = { V0: 'xx' };
  for (let i = 1; i <= 40; i++) vars[`V${i}`] = `\${V${i - 1}}\${V${i - 1}}`;
  const str = fc.oneof(fc.string(), fc.constantFrom('${V40}', '${A:-${B:-${C}}}', '${X', '$$', '${V12}', '${UNSET:?boom}'));
  const tree = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small', maxDepth: 5 }, str, fc.double(), fc.constant(null), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 })),
  })).node;
  fc.assert(fc.property(tree, hostileValue, (doc, h0) => {
    const hostile = real(h0);
    for (const d of [doc, hostile, { routing_strategy: doc, routing_parameter: hostile }]) {
      try {
        withinSync('expandEnv', 1000, () => expandEnv(d, { vars }));
      } catch (e) {
        assert.ok(typedOnly(e), String(e));
      }
      try {
        withinSync('loadRoutingConfig', 1000, () => loadRoutingConfig(d as never, { vars }));
      } catch (e) {
        assert.ok(typedOnly(e), String(e));
      }
    }
  }), { numRuns: RUNS });
  // corpus: a YAML-anchor DAG of depth 40, a sparse array, a self-doubling variable
  let dag: unknown = { url: '${V3}' };
  for (let i = 0; i < 40; i++) dag = { a: dag, b: dag };
  withinSync('expandEnv', 1000, () => expandEnv(dag, { vars }));
  assert.throws(() => withinSync('expandEnv', 1000, () => expandEnv({ x: sparse(2 ** 32 - 1) })), typedOnly);
  assert.throws(() => withinSync('expandEnv', 2000, () => expandEnv({ x: '${V40}' }, { vars })), typedOnly);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('fuzz: worst single call per entry point (printed)', () => {
  printWorst(`fuzz-untrusted-inputs, ${RUNS} runs per entry point`);
  assert.ok(worstMs.size >= 10);
});
