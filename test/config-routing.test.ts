// loadRoutingConfig(): the seed's routing.yaml shape -> ApiMap options, with ${VAR} expansion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiMap, isSwitchyardError, loadRoutingConfig, seededRandom } from '../src/index.js';

const seedDoc = {
  routing_strategy: 'fixed',
  routing_parameter: { local_fraction: 0.6 },
  timeout: 2,
  health_check: 30,
  logging: { output: 'output.log' },
  local_deployment: [{ endpoint: '${LOCAL_BASE_URL:-http://localhost:8000}', models: ['llama-3.3-70b-instruct', 'llama-4-scout'] }],
  remote_deployment: [{ endpoint: '${LLAMA_BASE_URL}', models: ['llama-3.3-70b-instruct'] }],
};

test('loadRoutingConfig() – the seed document becomes a 60/40 fixed-ratio ApiMap', () => {
  const cfg = loadRoutingConfig(seedDoc, { env: { LLAMA_BASE_URL: 'https://api.example/v1' } });
  assert.equal(cfg.timeoutMs, 2000);
  assert.equal(cfg.healthCheckIntervalMs, 30_000);
  assert.equal(cfg.apiMap.strategy, 'fixed-ratio');
  assert.equal(cfg.apiMap.localFraction, 0.6);
  assert.deepEqual(cfg.apiMap.providers.map((p) => [p.name, p.instances.map((i) => [i.id, i.endpoint, i.deployment])]), [
    ['local', [['local-0', 'http://localhost:8000', 'local']]],
    ['remote', [['remote-0', 'https://api.example/v1', 'remote']]],
  ]);
  const map = new ApiMap({ ...cfg.apiMap, random: seededRandom(3) });
  let local = 0;
  for (let i = 0; i < 10_000; i++) {
    const s = map.resolve('llama-3.3-70b-instruct');
    assert.ok(s.ok);
    if (s.instance.deployment === 'local') local++;
    s.release({ ok: true, latencyMs: 1 });
  }
  assert.ok(Math.abs(local / 100 - 60) <= 1.5, `${local / 100}% local`);
  const scout = map.resolve('llama-4-scout');
  assert.ok(scout.ok && scout.instance.id === 'local-0', 'only local serves llama-4-scout');
});

function rejects(doc: unknown, code: string, secret?: string): void {
  try {
    loadRoutingConfig(doc, { env: { LLAMA_BASE_URL: 'https://x', TOKEN: 'sk-secret-999' } });
  } catch (e) {
    assert.ok(isSwitchyardError(e), `expected SwitchyardError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (secret !== undefined) assert.ok(!e.message.includes(secret), e.message);
    return;
  }
  assert.fail(`accepted ${JSON.stringify(doc)}`);
}

test('loadRoutingConfig() – invalid documents are ERR_CONFIG; variable cycles ERR_CONFIG_CYCLE', () => {
  rejects(null, 'ERR_CONFIG');
  rejects([], 'ERR_CONFIG');
  rejects({ ...seedDoc, routing_strategy: 'magic' }, 'ERR_CONFIG');
  for (const bad of [NaN, -1, 1.5, '0.6', null, Infinity]) rejects({ ...seedDoc, routing_parameter: { local_fraction: bad } }, 'ERR_CONFIG');
  for (const bad of [0, -2, '2', Infinity, NaN]) rejects({ ...seedDoc, timeout: bad }, 'ERR_CONFIG');
  rejects({ ...seedDoc, health_check: -5 }, 'ERR_CONFIG');
  rejects({ ...seedDoc, local_deployment: [], remote_deployment: [] }, 'ERR_CONFIG');
  rejects({ ...seedDoc, local_deployment: [{ endpoint: 'x', models: [] }] }, 'ERR_CONFIG');
  rejects({ ...seedDoc, local_deployment: [{ endpoint: 'x', models: ['m'], weight: -1 }] }, 'ERR_CONFIG');
  rejects({ ...seedDoc, remote_deployment: [{ endpoint: '${UNSET_URL}', models: ['m'] }] }, 'ERR_CONFIG');
  rejects({ ...seedDoc, local_deployment: [{ endpoint: 42, models: ['m'] }] }, 'ERR_CONFIG');
  rejects({ ...seedDoc, local_deployment: { endpoint: 'x' } }, 'ERR_CONFIG');
  rejects({ ...seedDoc, routing_strategy: '${TOKEN}' }, 'ERR_CONFIG', 'sk-secret-999');
  assert.throws(() => loadRoutingConfig(seedDoc, { env: { LLAMA_BASE_URL: 'x' }, vars: { LOCAL_BASE_URL: '${LOCAL_BASE_URL}' } }), { code: 'ERR_CONFIG_CYCLE' });
});

test('loadRoutingConfig() – our own strategy names and health_check 0 (disabled) are accepted', () => {
  const cfg = loadRoutingConfig({ ...seedDoc, routing_strategy: 'least-loaded', health_check: 0 }, { env: { LLAMA_BASE_URL: 'https://x' } });
  assert.equal(cfg.apiMap.strategy, 'least-loaded');
  assert.equal(cfg.healthCheckIntervalMs, 0);
});
