// Runs the OpenAI-compatible server in front of local upstreams.
//   UPSTREAMS=http://127.0.0.1:11434,http://127.0.0.1:11435 PORT=8080 \
//     node --import tsx examples/openai-compatible-server/main.ts
// Feedback pairs (POST /v1/feedback) go to $FEEDBACK_LOG, by default switchyard-feedback.jsonl in the OS temp dir.
// Then: curl -s localhost:8080/v1/chat/completions -d '{"model":"auto","messages":[{"role":"user","content":"my alpaca limps"}]}'
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ApiMap, FastProjectRouter, FeedbackLog } from '../../src/index.js';
import { createServer } from './server.js';

const upstreams = (process.env['UPSTREAMS'] ?? 'http://127.0.0.1:11434').split(',').map((s) => s.trim()).filter(Boolean);
const projects = [
  { namespace: 'farm', name: 'llama-care', aliases: ['llama'], description: 'llama and alpaca husbandry: feeding, shearing, hoof care', keywords: ['llama', 'alpaca'] },
  { namespace: 'dev', name: 'code-helper', description: 'programming help: bugs, stack traces, refactoring, tests', keywords: ['python', 'typescript'] },
];
const router = await FastProjectRouter.create({ projects, defaultProject: 'dev/code-helper' });
const apiMap = new ApiMap({
  providers: [{
    name: 'openai-compatible', models: projects.map((p) => `${p.namespace}/${p.name}`),
    instances: upstreams.map((endpoint, i) => ({ id: `upstream-${i}`, endpoint })),
  }],
});
// Under the OS temp dir unless configured: running the example must not write into the repository.
const feedbackLog = await FeedbackLog.open(process.env['FEEDBACK_LOG'] ?? path.join(tmpdir(), 'switchyard-feedback.jsonl'));
const server = createServer({ router, apiMap, feedbackLog, upstreamModel: (modelPath) => process.env['UPSTREAM_MODEL'] ?? modelPath });
const port = Number(process.env['PORT'] ?? 8080);
server.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address() as AddressInfo; // PORT=0 picks a free port
  console.log(`switchyard listening on http://127.0.0.1:${actual} -> ${upstreams.join(', ')}`);
});

const shutdown = (): void => {
  server.close();
  server.closeAllConnections();
  apiMap.close();
  void feedbackLog.close().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
