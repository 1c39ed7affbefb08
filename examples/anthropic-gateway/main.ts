// Runs the Anthropic Messages gateway: a local Anthropic-compatible server for the `local`
// tier, the Anthropic API (or any compatible remote) for the `sonnet` and `opus` tiers.
//   ANTHROPIC_API_KEY=sk-ant-... LOCAL_UPSTREAMS=http://127.0.0.1:11434 PORT=8787 \
//     node --import tsx examples/anthropic-gateway/main.ts
// Then point a coding assistant at it: ANTHROPIC_BASE_URL=http://127.0.0.1:8787 ANTHROPIC_MODEL=auto
//
// Environment (all optional):
//   PORT                 8787
//   LOCAL_UPSTREAMS      comma-separated base URLs of local servers speaking POST /v1/messages (http://127.0.0.1:11434)
//   LOCAL_MODEL          model name of the local tier (qwen2.5-coder:14b-instruct)
//   LOCAL_API_KEY        x-api-key sent to the local servers (none)
//   REMOTE_UPSTREAMS     comma-separated base URLs of the remote tiers (https://api.anthropic.com)
//   ANTHROPIC_API_KEY    x-api-key the gateway sends to the remote servers
//   SONNET_MODEL, OPUS_MODEL  remote tier models (claude-sonnet-4-5, claude-opus-4-1)
//   FORWARD_CLIENT_KEY   "1": the client's own key goes to the remote servers (never to the local ones)
//   AUTO_MODELS          extra comma-separated model names that mean "route by content"
//   PHASE2               "1": ambiguous requests are classified by the local model (5 s budget, cached)
import { ApiMap, DEFAULT_TIERS, RequestClassifier, type InstanceInfo, type TierSpec } from '../../src/index.js';
import { localTierClassifier } from './local-classifier.js';
import { createGateway, fallBackOnRejection } from './server.js';

const list = (value: string | undefined, fallback: string): string[] => (value ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
const env = process.env;
const [local, sonnet, opus] = DEFAULT_TIERS as [TierSpec, TierSpec, TierSpec];
const tiers: TierSpec[] = [
  { ...local, model: env['LOCAL_MODEL'] ?? local.model },
  { ...sonnet, model: env['SONNET_MODEL'] ?? sonnet.model },
  { ...opus, model: env['OPUS_MODEL'] ?? opus.model },
];
const localUrls = list(env['LOCAL_UPSTREAMS'], 'http://127.0.0.1:11434');
const remoteUrls = list(env['REMOTE_UPSTREAMS'], 'https://api.anthropic.com');

const apiMap = new ApiMap({
  providers: [
    { name: 'local', type: 'anthropic', models: [tiers[0]!.model], instances: localUrls.map((endpoint, i) => ({ id: `local-${i}`, endpoint, deployment: 'local' as const })) },
    { name: 'anthropic', type: 'anthropic', models: [tiers[1]!.model, tiers[2]!.model], instances: remoteUrls.map((endpoint, i) => ({ id: `remote-${i}`, endpoint })) },
  ],
  // a request the local server rejects (a feature it lacks) goes to the next tier
  classifyError: fallBackOnRejection(['local']),
});
const apiKeyFor = (instance: InstanceInfo): string | undefined => (instance.provider === 'local' ? env['LOCAL_API_KEY'] : env['ANTHROPIC_API_KEY']);
const classifier = new RequestClassifier({
  tiers,
  ...(env['AUTO_MODELS'] !== undefined ? { autoModels: ['auto', 'default', ...list(env['AUTO_MODELS'], '')] } : {}),
  // phase 2: ambiguous requests are classified by the local model (seed 002)
  ...(env['PHASE2'] === '1' ? { llm: { classify: localTierClassifier({ apiMap, model: tiers[0]!.model, apiKeyFor }) } } : {}),
});
const server = createGateway({
  classifier,
  apiMap,
  apiKeyFor,
  clientKeyProviders: env['FORWARD_CLIENT_KEY'] === '1' ? ['anthropic'] : [],
});
const port = Number(env['PORT'] ?? 8787);
server.listen(port, '127.0.0.1', () => {
  console.log(`switchyard Anthropic gateway on http://127.0.0.1:${port}`);
  for (const t of tiers) console.log(`  tier ${t.name.padEnd(6)} ${t.model} -> ${(t.provider === 'local' ? localUrls : remoteUrls).join(', ')}`);
});

const shutdown = (): void => {
  server.close();
  server.closeAllConnections();
  apiMap.close();
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
