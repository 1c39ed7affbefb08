import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FastProjectRouter } from '../src/index.js';
import { PROJECTS_112 } from './fixtures/projects-112.js';

test('FastProjectRouter – a peer\'s route update makes a fitted router stale; the new project routes at once; refit restores "fitted"', async () => {
  let t = 1_700_000_000_000;
  const now = (): number => t;
  const a = await FastProjectRouter.create({ nodeId: 'a', wallClock: now });
  const b = await FastProjectRouter.create({ nodeId: 'b', wallClock: now, projects: PROJECTS_112.slice(0, 20), fit: { seed: 1 } });
  assert.equal(b.fitState, 'fitted');
  assert.equal(b.stats().rows, 20); // one learned row per project

  const outbound: unknown[] = [];
  a.on('update:published', (m) => outbound.push(m));
  await a.upsertProject({ name: 'quantum-lab', description: 'quantum computing: qubits, entanglement, error correction', examples: ['how many qubits do I need', 'explain quantum error correction'] });
  t += 1_000;
  const r = b.handleRouteUpdate(JSON.stringify(outbound[0]));
  assert.equal(r.applied, true);
  await r.indexed;
  assert.equal(b.fitState, 'stale');
  assert.equal(b.routeSync('auto', 'how many qubits do I need for error correction').modelPath, 'default/quantum-lab');
  assert.equal(b.stats().rows, 20 + 3); // the new project routes with its unfitted rows

  await b.fit({ seed: 1 });
  assert.equal(b.fitState, 'fitted');
  assert.equal(b.stats().rows, 21);
  assert.equal(b.routeSync('auto', 'how many qubits do I need for error correction').modelPath, 'default/quantum-lab');
});
