// ApiMap: balance one model over three instances, retry a failing one elsewhere, watch its
// breaker open, and fall back to another model when every instance fails.
// Run: node --import tsx examples/balance-execute.ts
import { ApiMap, isSwitchyardError, seededRandom, type AttemptRecord, type Selection } from '../src/index.js';

const map = new ApiMap({
  providers: [
    {
      name: 'ollama-fleet', type: 'ollama', models: ['qwen2.5-coder:7b'],
      instances: [
        { id: 'gpu-1', endpoint: 'http://gpu-1:11434' },
        { id: 'gpu-2', endpoint: 'http://gpu-2:11434' },
        { id: 'gpu-3', endpoint: 'http://gpu-3:11434' },
      ],
    },
    { name: 'cloud', type: 'openai', models: ['gpt-4o-mini'], instances: [{ id: 'openai', endpoint: 'https://api.openai.com/v1' }] },
  ],
  strategy: 'round-robin',
  breaker: { cooldownJitter: 0 },
  random: seededRandom(42),
});
map.on('breaker:opened', (e) => console.log(`breaker opened: ${e.instance} for ${e.cooldownMs / 1000} s`));

// Stand-in for the host's HTTP call (switchyard never opens a socket): gpu-2 is down.
let down = new Set(['gpu-2']);
async function upstream(sel: Selection, signal: AbortSignal): Promise<string> {
  signal.throwIfAborted();
  if (down.has(sel.instance.id)) throw Object.assign(new Error('Service Unavailable'), { status: 503 });
  return `${sel.model}@${sel.instance.id}`;
}

const served = new Map<string, number>();
for (let i = 0; i < 12; i++) {
  const who = await map.execute('qwen2.5-coder:7b', upstream, { fallbackModels: ['gpt-4o-mini'] });
  served.set(who, (served.get(who) ?? 0) + 1);
}
console.log(Object.fromEntries(served));

down = new Set(['gpu-1', 'gpu-3', 'openai']);
try {
  await map.execute('qwen2.5-coder:7b', upstream, { fallbackModels: ['gpt-4o-mini'] });
} catch (e) {
  // Every attempt, made or skipped, with its cause: gpu-2 was passed over because its breaker is open.
  if (isSwitchyardError(e)) console.log(e.code, (e.details?.['attempts'] as AttemptRecord[]).map((a) => `${a.instance}: ${a.skipped ? 'skipped, ' : ''}${a.status ?? a.failure}`).join('; '));
}
console.log(map.stats().byInstance.map((s) => `${s.id}: ${s.breaker}, ${s.requests} req, ${s.failures} failed`).join('\n'));

// Expected output:
// breaker opened: gpu-2 for 30 s
// { 'qwen2.5-coder:7b@gpu-1': 6, 'qwen2.5-coder:7b@gpu-3': 6 }
// ERR_ALL_ATTEMPTS_FAILED gpu-1: 503; gpu-3: 503; gpu-2: skipped, breaker-open; openai: 503
// gpu-1: closed, 7 req, 1 failed
// gpu-2: open, 5 req, 5 failed
// gpu-3: closed, 7 req, 1 failed
// openai: closed, 1 req, 1 failed
