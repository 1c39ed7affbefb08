import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { findCycles, folderOf, readImportGraph, type ModuleNode } from './helpers/import-graph.js';

// The layering rules of src/ (docs/architecture.md): no import cycle; shared leaves live in
// src/internal/ and import no feature; telemetry's diagnostics owns only channels; a feature
// folder uses another folder only through its public modules (those an entry point re-exports).

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const ENTRY_POINTS = ['index.ts', 'embed/transformers-embedder.ts'];
const LEAF_FOLDERS = new Set(['internal', 'types']);
const TOP_LEVEL_LEAVES = new Set(['errors.ts', 'messages.ts']);

const graph = readImportGraph(SRC);

function publicModules(g: ReadonlyMap<string, ModuleNode>): Set<string> {
  const pub = new Set(ENTRY_POINTS);
  for (const entry of ENTRY_POINTS) for (const m of g.get(entry)?.reExports ?? []) pub.add(m);
  return pub;
}

function isLeaf(id: string): boolean {
  return LEAF_FOLDERS.has(folderOf(id)) || TOP_LEVEL_LEAVES.has(id);
}

test('the import graph is read: every relative import resolves to a module of src/', () => {
  assert.ok(graph.size > 50, `only ${graph.size} modules found under ${SRC}`);
  const unresolved = [...graph.values()].flatMap((n) => n.imports.filter((t) => !graph.has(t)).map((t) => `${n.id} -> ${t}`));
  assert.deepEqual(unresolved, []);
});

test('src/ has no import cycle (type-only imports included)', () => {
  assert.deepEqual(findCycles(graph), []);
});

test('a folder imports another folder only through its public modules or src/internal/', () => {
  const pub = publicModules(graph);
  const violations: string[] = [];
  for (const n of graph.values()) {
    const from = folderOf(n.id);
    for (const t of n.imports) {
      if (t === 'index.ts') violations.push(`${n.id} imports the package entry index.ts`);
      else if (folderOf(t) !== from && !isLeaf(t) && !pub.has(t)) violations.push(`${n.id} -> ${t} (not public)`);
    }
  }
  assert.deepEqual(violations, []);
});

test('shared leaves import nothing but other leaves', () => {
  const violations = [...graph.values()]
    .filter((n) => isLeaf(n.id))
    .flatMap((n) => n.imports.filter((t) => !isLeaf(t)).map((t) => `${n.id} -> ${t}`));
  assert.deepEqual(violations, []);
});

test('telemetry/diagnostics.ts owns only the channels: it imports no feature', () => {
  const diagnostics = graph.get('telemetry/diagnostics.ts');
  assert.ok(diagnostics, 'telemetry/diagnostics.ts exists');
  assert.deepEqual(diagnostics.imports.filter((t) => !isLeaf(t)), []);
});

test('the checker itself catches a cycle and a private cross-folder import', () => {
  const fake = new Map<string, ModuleNode>([
    ['a/x.ts', { id: 'a/x.ts', imports: ['b/y.ts'], reExports: [] }],
    ['b/y.ts', { id: 'b/y.ts', imports: ['a/x.ts'], reExports: [] }],
    ['index.ts', { id: 'index.ts', imports: ['a/x.ts'], reExports: ['a/x.ts'] }],
  ]);
  assert.deepEqual(findCycles(fake), [['a/x.ts', 'b/y.ts']]);
  const pub = publicModules(fake);
  assert.equal(pub.has('a/x.ts'), true);
  assert.equal(pub.has('b/y.ts'), false);
});
