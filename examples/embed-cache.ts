// Embedding cache: a restart reuses stored project vectors; only changed projects are embedded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FastProjectRouter } from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-example-'));
const cachePath = path.join(dir, 'embeddings.bin');
const projects = [
  { name: 'llama-care', description: 'llama and alpaca husbandry', examples: ['my llama is limping'] },
  { name: 'code-helper', description: 'programming help: bugs, refactors, tests' },
];

const first = await FastProjectRouter.create({ projects, cachePath });
const { reused, computed } = first.stats().embeddingCache!;
console.log(`first start: reused ${reused}, computed ${computed}`);

const edited = [projects[0]!, { ...projects[1]!, description: 'programming help: bugs, refactors, tests, reviews' }];
const second = await FastProjectRouter.create({ projects: edited, cachePath });
const s = second.stats().embeddingCache!;
console.log(`restart with one edit: reused ${s.reused}, computed ${s.computed}`);
console.log(second.routeSync('auto', 'my alpaca is limping').modelPath);
rmSync(dir, { recursive: true, force: true });

// Expected output:
// first start: reused 0, computed 3
// restart with one edit: reused 2, computed 1
// default/llama-care
