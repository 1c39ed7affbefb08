import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FastProjectRouter, isSwitchyardError } from '../src/index.js';
import { PROJECTS_112 } from './fixtures/projects-112.js';

const router = await FastProjectRouter.create({ projects: PROJECTS_112, defaultProject: 'demo/python-help' });

const messageShape = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.array(fc.record({ role: fc.constantFrom('user', 'assistant', 'system', 'tool', '__proto__'), content: fc.oneof(fc.string(), fc.constant(null), fc.array(fc.oneof(fc.record({ type: fc.constantFrom('text', 'image', 'tool_result'), text: fc.string() }), fc.anything()))) }, { requiredKeys: [] })),
  fc.anything(),
);

test('FastProjectRouter#routeSync() – never throws on arbitrary strings and message shapes, and is deterministic', () => {
  fc.assert(
    fc.property(fc.oneof(fc.constant('auto'), fc.string(), fc.constant(undefined)), messageShape, (model, messages) => {
      const a = router.routeSync(model as string | undefined, messages as never);
      const b = router.routeSync(model as string | undefined, messages as never);
      assert.equal(a.modelPath, b.modelPath);
      assert.equal(a.score, b.score);
      assert.deepEqual(a.reasons, b.reasons);
      assert.ok(['explicit', 'keyword', 'semantic', 'fallback'].includes(a.method));
      assert.ok(Number.isFinite(a.score));
    }),
    { numRuns: 1000 },
  );
});

test('FastProjectRouter – odd unicode routes deterministically (lone surrogates, NUL, RTL override, ZWJ, NFC/NFD)', () => {
  const inputs = ['\uD800llama', '\uDBFFllama', 'llama\u0000hay', '\u202Ellama hay', '👩‍🌾 llama farmer', 'café llama', 'cafe\u0301 llama', '\uFEFFllama'];
  for (const s of inputs) {
    const first = router.routeSync('auto', s);
    for (let i = 0; i < 50; i++) assert.equal(router.routeSync('auto', s).modelPath, first.modelPath);
    assert.equal(first.modelPath, 'demo/llama-care', JSON.stringify(s));
  }
  // NFC and NFD spellings are the same text for routing
  assert.deepEqual(router.routeSync('auto', 'café').candidates, router.routeSync('auto', 'cafe\u0301').candidates);
});

test('FastProjectRouter – huge prompts are bounded before any work, with a reason', () => {
  const huge = 'llama '.repeat(2_000_000); // 12 MB
  const r = router.routeSync('auto', [{ role: 'user', content: huge }]);
  assert.equal(r.modelPath, 'demo/llama-care');
  assert.ok(r.reasons.includes('prompt cut to 2000 chars for routing'));
});

test('FastProjectRouter.create() – invalid options are ERR_INVALID_OPTION with the option named', async () => {
  const bad: Record<string, unknown>[] = [
    { threshold: NaN }, { threshold: Infinity }, { threshold: '0.5' }, { topK: 0 }, { topK: 1.5 }, { keywordBoost: -1 },
    { maxPromptChars: 0 }, { precision: 'f16' }, { kernel: 'gpu' }, { recentDecisions: -1 }, { projects: 'x' },
    { embedder: {} }, { embedder: { id: 'x', dim: 0, embed: () => [] } }, { defaultProject: 5 }, { nodeId: 7 },
  ];
  for (const options of bad) {
    await assert.rejects(FastProjectRouter.create(options as never), (e: unknown) => {
      assert.ok(isSwitchyardError(e), String(e));
      assert.equal(e.code, 'ERR_INVALID_OPTION');
      return true;
    }, JSON.stringify(options));
  }
  await assert.rejects(FastProjectRouter.create(null as never), { code: 'ERR_INVALID_OPTION' });
});
