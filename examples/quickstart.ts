// Route requests to projects by model name, keywords and meaning. Run: npm run examples
import { FastProjectRouter } from '../src/index.js';

const router = await FastProjectRouter.create({
  projects: [
    { namespace: 'farm', name: 'llama-care', aliases: ['llama'], domain: 'camelids',
      description: 'llama and alpaca husbandry: feeding, shearing, hoof care', keywords: ['llama', 'alpaca'],
      examples: ['how much hay does a llama eat', 'when should I shear my alpacas'] },
    { namespace: 'dev', name: 'code-helper', description: 'programming help: bugs, stack traces, refactoring, tests',
      keywords: ['python', 'typescript'], examples: ['why does my script throw a TypeError'] },
    { namespace: 'ops', name: 'incidents', description: 'production incidents and on-call',
      patterns: ['\\bINC-\\d+\\b'] },
  ],
  defaultProject: 'dev/code-helper',
});

const show = (label: string, r: { modelPath: string | null; method: string; score: number; reasons: readonly string[] }) =>
  console.log(`${label.padEnd(10)} -> ${r.modelPath} (${r.method}, ${r.score}) ${r.reasons[0]}`);

show('explicit', router.routeSync('llama', 'anything'));
show('pattern', router.routeSync('auto', [{ role: 'user', content: 'status of INC-4711?' }]));
show('keyword', router.routeSync('auto', [{ role: 'user', content: 'my alpaca is limping on the left hind leg' }]));
show('semantic', router.routeSync('auto', [{ role: 'user', content: [{ type: 'text', text: 'refactoring this class broke the unit tests' }] }]));
show('fallback', router.routeSync('auto', 'what is the weather like?'));
console.log(`stats: ${JSON.stringify(router.stats().routes)}`);

// Expected output:
// explicit   -> farm/llama-care (explicit, 1) explicit alias 'llama' of 'farm/llama-care'
// pattern    -> ops/incidents (keyword, 1) pattern /\bINC-\d+\b/iu matched
// keyword    -> farm/llama-care (keyword, 0.3568) keyword 'alpaca' +0.15
// semantic   -> dev/code-helper (semantic, 0.3574) semantic 0.3574 for 'dev/code-helper' >= threshold 0.2
// fallback   -> dev/code-helper (fallback, 0.0844) best score 0.0844 ('farm/llama-care') below threshold 0.2
// stats: {"explicit":1,"keyword":2,"semantic":1,"fallback":1,"total":5}
