// Text is normalised once per route: the embedder, the learned head's hasher and the keyword
// matcher each ask for the normalised text of the same string, and only the first computes it.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter, type ProjectSpec } from '../src/index.js';
import { normalizeForMatching } from '../src/internal/text.js';

const projects: ProjectSpec[] = [
  { name: 'llama-care', description: 'llama and alpaca husbandry, café visits', keywords: ['llama', 'café'], examples: ['my llama limps', 'alpaca shearing', 'llama diet'] },
  { name: 'code-helper', description: 'programming help: bugs, refactors, tests', keywords: ['typescript'], examples: ['fix my bug', 'refactor this', 'write tests'] },
];

/** NFKC normalisations done while `fn` runs (non-ASCII text is the only text that needs one). */
function nfkcCalls(fn: () => void): number {
  const spy = mock.method(String.prototype, 'normalize');
  try {
    fn();
    return spy.mock.calls.filter((c) => c.arguments[0] === 'NFKC').length;
  } finally {
    spy.mock.restore();
  }
}

test('FastProjectRouter#routeSync() – normalises the request text once (embedder, head and keyword matcher share it)', async () => {
  const plain = await FastProjectRouter.create({ projects, fit: false });
  const fitted = await FastProjectRouter.create({ projects, fit: { features: 'hashed', worker: false } });
  assert.equal(fitted.fitState, 'fitted');
  let i = 0;
  for (const router of [plain, fitted]) {
    const prompt = `Ｍｙ ＬＬＡＭＡ at the CAFÉ is limping ${i++}`;
    let result: ReturnType<FastProjectRouter['routeSync']> | undefined;
    assert.equal(nfkcCalls(() => { result = router.routeSync('auto', prompt); }), 1);
    assert.equal(result?.modelPath, 'default/llama-care');
    assert.ok(result?.reasons.some((r) => r === "keyword 'llama' +0.15"), JSON.stringify(result?.reasons));
  }
});

test('FastProjectRouter#routeSync() – results do not depend on which text was normalised before', async () => {
  const a = await FastProjectRouter.create({ projects, fit: false });
  const b = await FastProjectRouter.create({ projects, fit: false });
  const prompts = ['Ｌｌａｍａ CAFÉ', 'TypeScript bug', 'ＴｙｐｅＳｃｒｉｐｔ refactor', 'alpaca ﬁbre', 'Ｌｌａｍａ CAFÉ'];
  const strip = (r: { modelPath: string | null; candidates: unknown; reasons: unknown; method: string }): unknown => [r.modelPath, r.method, r.candidates, r.reasons];
  const forward = prompts.map((p) => strip(a.routeSync('auto', p)));
  const backward = prompts.slice().reverse().map((p) => strip(b.routeSync('auto', p))).reverse();
  assert.deepEqual(forward, backward);
  for (const p of [...prompts, 'x', 'Ｘ', 'x']) assert.equal(normalizeForMatching(p), p.normalize('NFKC').toLowerCase());
});
