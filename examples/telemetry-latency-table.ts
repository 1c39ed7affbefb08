// A live latency table from switchyard's diagnostics channel: router latency and inference
// latency kept apart. Run: npm run examples
//
// Timings differ on every run, so the table with milliseconds goes to stderr; stdout (checked
// by `npm run examples`) shows only the counts per row, which are deterministic.
import diagnostics_channel from 'node:diagnostics_channel';
import { ApiMap, DIAGNOSTICS_CHANNELS, FastProjectRouter, type MetricsMessage } from '../src/index.js';

const rows = new Map<string, number[]>();
const add = (key: string, ms: number): void => {
  let list = rows.get(key);
  if (!list) rows.set(key, (list = []));
  list.push(ms);
};
diagnostics_channel.subscribe(DIAGNOSTICS_CHANNELS.metrics, (message) => {
  const m = message as MetricsMessage;
  if (m.type === 'route') add(`router    ${m.method}`, m.routerLatencyMs);
  else if (m.type === 'attempt') add(`inference ${m.instance} ${m.ok ? 'ok' : `failed (${m.status ?? m.failure})`}`, m.inferenceLatencyMs);
});

const router = await FastProjectRouter.create({
  projects: [
    { namespace: 'farm', name: 'llama-care', aliases: ['llama'], description: 'llama and alpaca husbandry', keywords: ['alpaca'] },
    { namespace: 'dev', name: 'code-helper', description: 'programming help: bugs, stack traces, unit tests' },
  ],
  defaultProject: 'dev/code-helper',
});
const map = new ApiMap({
  providers: [{
    name: 'local', models: ['farm/llama-care', 'dev/code-helper'],
    instances: [{ id: 'gpu-0', endpoint: 'http://127.0.0.1:11434' }, { id: 'gpu-1', endpoint: 'http://127.0.0.1:11435' }],
  }],
  strategy: 'round-robin',
  retry: { baseDelayMs: 0 },
});

// Stand-in for an upstream call (no sockets here): gpu-1 fails every request, so its
// breaker opens after 5 consecutive failures and gpu-0 serves the rest.
const fakeUpstream = async (instance: string, prompt: string): Promise<string> => {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (instance === 'gpu-1') throw Object.assign(new Error('upstream 503'), { status: 503 });
  return `answer to ${prompt}`;
};

const prompts = ['my alpaca is limping', 'why does this unit test fail', 'how much hay for a llama', 'stack trace in prod'];
for (let i = 0; i < 8; i++) {
  const prompt = prompts[i % prompts.length]!;
  const route = router.routeSync(i === 0 ? 'llama' : 'auto', prompt);
  await map.execute(route.modelPath!, (sel) => fakeUpstream(sel.instance.id, prompt));
}

const ms = (v: number): string => v.toFixed(3).padStart(8);
const sorted = [...rows].sort(([a], [b]) => a.localeCompare(b));
console.error(`${'row'.padEnd(34)} ${'count'.padStart(5)} ${'p50 ms'.padStart(8)} ${'max ms'.padStart(8)}`);
for (const [key, list] of sorted) {
  const s = [...list].sort((a, b) => a - b);
  console.error(`${key.padEnd(34)} ${String(s.length).padStart(5)} ${ms(s[Math.floor(s.length / 2)]!)} ${ms(s[s.length - 1]!)}`);
}
console.log(`${'row'.padEnd(34)} ${'count'.padStart(5)}`);
for (const [key, list] of sorted) console.log(`${key.padEnd(34)} ${String(list.length).padStart(5)}`);

// Expected output:
// row                                count
// inference gpu-0 ok                     8
// inference gpu-1 failed (503)           5
// router    explicit                     1
// router    keyword                      1
// router    semantic                     6
