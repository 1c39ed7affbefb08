// Replicate a route table between two routers. The transport is yours (here: a function call;
// see examples/gossip-redis/ for three processes over Redis pub/sub). Run: npm run examples
import { FastProjectRouter } from '../src/index.js';

let clock = Date.UTC(2026, 0, 1);
const now = (): number => clock;
const a = await FastProjectRouter.create({ nodeId: 'a', wallClock: now });
const b = await FastProjectRouter.create({ nodeId: 'b', wallClock: now });

// a's local changes produce route updates; deliver them to b as JSON text
a.on('update:published', (message) => {
  const r = b.handleRouteUpdate(JSON.stringify(message));
  console.log(`${message.action} ${message.project.namespace}/${message.project.name} -> b: ${r.reason}`);
});

await a.upsertProject({ namespace: 'farm', name: 'llama-care', description: 'llama and alpaca husbandry', keywords: ['llama'] });
await a.upsertProject({ namespace: 'dev', name: 'code-helper', description: 'programming help: bugs, stack traces, tests' });
clock += 1000;
await a.upsertProject({ namespace: 'farm', name: 'llama-care', description: 'llama, alpaca and camelid care', keywords: ['llama', 'alpaca'] });
console.log('b routes:', b.routeSync('auto', 'my alpaca is limping').modelPath);

// a duplicate (e.g. redelivered) is not applied, so the host does not re-broadcast it
const last = a.exportState().entries.find((m) => m.project.name === 'llama-care')!;
console.log('redelivered:', b.handleRouteUpdate(last).reason);

// a node that missed everything catches up from a full state (anti-entropy)
const c = await FastProjectRouter.create({ nodeId: 'c', wallClock: now });
const merged = c.mergeState(JSON.stringify(a.exportState()));
console.log(`c merged ${merged.applied} entries; routes:`, c.routeSync('auto', 'python stack trace').modelPath);

// hostile input is a typed result, never an exception
const bad = b.handleRouteUpdate('{"type":"route_update","__proto__":{"polluted":true}}');
console.log('hostile:', bad.reason, bad.error?.code);

// Expected output:
// add farm/llama-care -> b: applied
// add dev/code-helper -> b: applied
// update farm/llama-care -> b: applied
// b routes: farm/llama-care
// redelivered: duplicate
// c merged 2 entries; routes: dev/code-helper
// hostile: invalid ERR_INVALID_ROUTE_UPDATE
