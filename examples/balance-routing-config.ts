// loadRoutingConfig(): a parsed routing.yaml (60/40 local/remote split) with ${VAR} expansion,
// turned into an ApiMap; health checks by the host's probe take the local side out of rotation.
// Run: node --import tsx examples/balance-routing-config.ts
import { ApiMap, loadRoutingConfig, seededRandom } from '../src/index.js';

// What a YAML parser returns for the seed's config/routing.yaml:
const doc = {
  routing_strategy: 'fixed',
  routing_parameter: { local_fraction: 0.6 },
  timeout: 2,
  health_check: 30,
  local_deployment: [{ endpoint: '${LOCAL_BASE_URL:-http://localhost:8000}', models: ['llama-3.3-70b-instruct', 'llama-4-scout'] }],
  remote_deployment: [{ endpoint: '${LLAMA_BASE_URL}', models: ['llama-3.3-70b-instruct'] }],
};

const config = loadRoutingConfig(doc, { env: { LLAMA_BASE_URL: 'https://llama.example.com/v1' } });
console.log(config.apiMap.providers.map((p) => `${p.name}: ${p.instances.map((i) => i.endpoint).join(', ')}`));
console.log(`timeout ${config.timeoutMs} ms, health check every ${config.healthCheckIntervalMs} ms`);

const map = new ApiMap({ ...config.apiMap, random: seededRandom(7) });
function split(n: number): Record<string, number> {
  const counts: Record<string, number> = { local: 0, remote: 0 };
  for (let i = 0; i < n; i++) {
    const sel = map.resolve('llama-3.3-70b-instruct');
    if (!sel.ok) throw new Error(sel.reason);
    counts[sel.instance.deployment]!++;
    sel.release({ ok: true, latencyMs: 120 });
  }
  return counts;
}
console.log('split of 10,000:', split(10_000));

// The host's probe (here: the local box is down) decides health; that side leaves rotation.
await map.checkHealth((instance) => instance.deployment === 'remote');
console.log('after probe:', split(1_000));

try {
  loadRoutingConfig(doc, { env: {} });
} catch (e) {
  console.log((e as Error).message);
}

// Expected output:
// [
//   'local: http://localhost:8000',
//   'remote: https://llama.example.com/v1'
// ]
// timeout 2000 ms, health check every 30000 ms
// split of 10,000: { local: 6087, remote: 3913 }
// after probe: { local: 0, remote: 1000 }
// Variable `LLAMA_BASE_URL` is not set and has no default (at `remote_deployment[0].endpoint`)
