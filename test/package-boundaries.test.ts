// Packaging checks on the built output (npm test builds first: see the "pretest" script).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');

test('dist/index.js – require(esm) works from CommonJS (no top-level await anywhere in the graph)', () => {
  const require = createRequire(import.meta.url);
  const mod = require(path.join(dist, 'index.js')) as Record<string, unknown>;
  assert.equal(typeof mod['FastProjectRouter'], 'function');
  assert.equal(typeof mod['HashEmbedder'], 'function');
  assert.equal(typeof mod['isSwitchyardError'], 'function');
});

test('dist/index.js – the core entry\'s static import graph never reaches @huggingface/transformers', async () => {
  const seen = new Set<string>();
  const external = new Set<string>();
  async function walk(file: string): Promise<void> {
    if (seen.has(file)) return;
    seen.add(file);
    const src = await readFile(file, 'utf8');
    assert.ok(!src.includes('@huggingface/transformers'), `${path.relative(root, file)} names @huggingface/transformers`);
    for (const m of src.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('.')) await walk(path.resolve(path.dirname(file), spec));
      else external.add(spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'));
    }
  }
  await walk(path.join(dist, 'index.js'));
  assert.ok(seen.size > 5, `walked ${seen.size} files`);
  // only declared runtime dependencies and node builtins
  for (const dep of external) assert.ok(['eventemitter3', 'lru-cache', 'ml-matrix', 're2js'].includes(dep) || dep.startsWith('node:'), `unexpected import ${dep}`);
});

test('package.json – exports map names only built files, types first', async () => {
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue;
    const t = target as Record<string, string>;
    assert.deepEqual(Object.keys(t)[0], 'types', key);
    for (const file of Object.values(t)) await readFile(path.join(root, file)); // exists after build
  }
});
