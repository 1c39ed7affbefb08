// `node --import tsx bench/gateway.ts [--write]`: the Anthropic gateway example on its sample
// requests (examples/anthropic-gateway/sample-requests.ts). Measures (1) which tier the default
// RequestClassifier picks for each sample and (2) what routing adds per request: decide(),
// ApiMap#execute() around a no-op call, and a whole request through the gateway against the
// same request sent straight to the upstream (a fake Anthropic-compatible server on 127.0.0.1,
// so upstream time is near zero and the difference is the gateway's). With --write the
// results go to bench/GATEWAY.md. Never part of `npm test`.
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ApiMap, DEFAULT_TIERS, RequestClassifier, type ClassifiableRequest, type DecideResult } from '../src/index.js';
import { createGateway } from '../examples/anthropic-gateway/server.js';
import { SAMPLE_REQUESTS } from '../examples/anthropic-gateway/sample-requests.js';
import { startFakeAnthropic } from '../test/helpers/fake-anthropic-upstream.js';
import { formatNs, machineHeader } from './harness.js';

const write = process.argv.includes('--write');
const rounds = Number(process.env['GATEWAY_ROUNDS'] ?? 30);
const samples = SAMPLE_REQUESTS;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}
function summary(ns: number[]): { p50: number; p99: number; mean: number } {
  const s = [...ns].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}
const pct = (n: number, of: number): string => `${((100 * n) / of).toFixed(0)}%`;

// 1. Tier distribution: the default classifier (DEFAULT_TIERS, no phase-2 classifier).
const classifier = new RequestClassifier();
const decisions: DecideResult[] = [];
for (const s of samples) decisions.push(await classifier.decide(s.body as unknown as ClassifiableRequest));
const tierNames = DEFAULT_TIERS.map((t) => t.name);
const kinds = [...new Set(samples.map((s) => s.kind))];
const count = (pred: (d: DecideResult, i: number) => boolean): number => decisions.filter(pred).length;

// 2a. decide() per request, each call timed on its own, over every sample.
const decideNs: number[] = [];
for (let r = 0; r < rounds * 4; r++) {
  for (const s of samples) {
    const t0 = process.hrtime.bigint();
    await classifier.decide(s.body as unknown as ClassifiableRequest);
    decideNs.push(Number(process.hrtime.bigint() - t0));
  }
}

// 2b. ApiMap#execute() around a call that does nothing.
const map = new ApiMap({ providers: [{ name: 'p', models: ['m'], instances: [{ id: 'a', endpoint: 'http://a' }, { id: 'b', endpoint: 'http://b' }] }] });
const executeNs: number[] = [];
for (let i = 0; i < rounds * 4 * samples.length; i++) {
  const t0 = process.hrtime.bigint();
  await map.execute('m', () => i);
  executeNs.push(Number(process.hrtime.bigint() - t0));
}
map.close();

// 2c. Whole requests over loopback HTTP: straight to the upstream, and through the gateway.
const upstream = await startFakeAnthropic('upstream');
const gatewayMap = new ApiMap({
  providers: [
    { name: 'local', models: [DEFAULT_TIERS[0]!.model], instances: [{ id: 'local-0', endpoint: upstream.url, deployment: 'local' }] },
    { name: 'anthropic', models: [DEFAULT_TIERS[1]!.model, DEFAULT_TIERS[2]!.model], instances: [{ id: 'remote-0', endpoint: upstream.url }] },
  ],
});
const gateway = createGateway({ classifier, apiMap: gatewayMap });
gateway.listen(0, '127.0.0.1');
await once(gateway, 'listening');
const gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
const bodies = samples.map((s) => JSON.stringify(s.body));
const post = async (base: string, body: string): Promise<number> => {
  const t0 = process.hrtime.bigint();
  const res = await fetch(`${base}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`status ${res.status} from ${base}`);
  return Number(process.hrtime.bigint() - t0);
};
for (const b of bodies) { await post(upstream.url, b); await post(gatewayUrl, b); } // warm-up: connections, JIT
const directNs: number[] = [];
const viaNs: number[] = [];
const diffNs: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const b of bodies) {
    // alternate the order so neither side always runs on a warmer machine
    const first = r % 2 === 0;
    const d1 = first ? await post(upstream.url, b) : await post(gatewayUrl, b);
    const d2 = first ? await post(gatewayUrl, b) : await post(upstream.url, b);
    const direct = first ? d1 : d2;
    const via = first ? d2 : d1;
    directNs.push(direct);
    viaNs.push(via);
    diffNs.push(via - direct);
  }
}
// 2d. Streamed requests: time to the first bytes of the event stream, paired the same way.
const streamBodies = samples.map((s) => JSON.stringify({ ...s.body, stream: true }));
const firstBytes = async (base: string, body: string): Promise<number> => {
  const t0 = process.hrtime.bigint();
  const res = await fetch(`${base}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body });
  const reader = res.body!.getReader();
  await reader.read();
  const ns = Number(process.hrtime.bigint() - t0);
  while (!(await reader.read()).done) { /* drain */ }
  if (res.status !== 200) throw new Error(`status ${res.status} from ${base}`);
  return ns;
};
const ttfbDiffNs: number[] = [];
const ttfbViaNs: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const b of streamBodies) {
    const first = r % 2 === 0;
    const d1 = first ? await firstBytes(upstream.url, b) : await firstBytes(gatewayUrl, b);
    const d2 = first ? await firstBytes(gatewayUrl, b) : await firstBytes(upstream.url, b);
    ttfbViaNs.push(first ? d2 : d1);
    ttfbDiffNs.push(first ? d2 - d1 : d1 - d2);
  }
}
gateway.closeAllConnections();
gateway.close();
gatewayMap.close();
await upstream.close();

const dec = summary(decideNs);
const exe = summary(executeNs);
const direct = summary(directNs);
const via = summary(viaNs);
const diff = summary(diffNs);
const ttfbVia = summary(ttfbViaNs);
const ttfbDiff = summary(ttfbDiffNs);
const bodyKb = bodies.map((b) => b.length / 1024);

const md = [
  '# Anthropic gateway: tier distribution and router overhead',
  '',
  'Written by `node --import tsx bench/gateway.ts --write` from the sample requests in',
  '`examples/anthropic-gateway/sample-requests.ts` (all sent with `model: "auto"`). Machines here are',
  'shared and noisy: compare numbers within one run.',
  '',
  machineHeader(),
  '',
  `## Tier distribution (default \`RequestClassifier\`: DEFAULT_TIERS, no phase-2 classifier), ${samples.length} requests`,
  '',
  '| tier | requests | share |',
  '|---|---|---|',
  ...tierNames.map((t) => `| ${t} | ${count((d) => d.tier === t)} | ${pct(count((d) => d.tier === t), samples.length)} |`),
  '',
  `| kind of request | n | ${tierNames.join(' | ')} |`,
  `|---|---|${tierNames.map(() => '---').join('|')}|`,
  ...kinds.map((k) => {
    const of = (_d: DecideResult, i: number): boolean => samples[i]!.kind === k;
    return `| ${k} | ${count(of)} | ${tierNames.map((t) => count((d, i) => of(d, i) && d.tier === t)).join(' | ')} |`;
  }),
  '',
  `Decided by phase 1 alone (\`heuristic\`): ${count((d) => d.phase === 'heuristic')}; ambiguous, sent to phase 1's best guess because no`,
  `phase-2 classifier is configured (\`fallback\`): ${count((d) => d.phase === 'fallback')}. With a phase-2 classifier those would be asked.`,
  '',
  '| sample | kind | tier | phase | score |',
  '|---|---|---|---|---|',
  ...samples.map((s, i) => `| ${s.name} | ${s.kind} | ${decisions[i]!.tier} | ${decisions[i]!.phase} | ${decisions[i]!.score} |`),
  '',
  '## Router overhead per request',
  '',
  '| what | p50 | p99 | mean | calls |',
  '|---|---|---|---|---|',
  `| \`classifier.decide()\` on the samples | ${formatNs(dec.p50)} | ${formatNs(dec.p99)} | ${formatNs(dec.mean)} | ${decideNs.length} |`,
  `| \`apiMap.execute()\` around a no-op call | ${formatNs(exe.p50)} | ${formatNs(exe.p99)} | ${formatNs(exe.mean)} | ${executeNs.length} |`,
  `| POST /v1/messages straight to the upstream (loopback) | ${formatNs(direct.p50)} | ${formatNs(direct.p99)} | ${formatNs(direct.mean)} | ${directNs.length} |`,
  `| POST /v1/messages through the gateway (loopback) | ${formatNs(via.p50)} | ${formatNs(via.p99)} | ${formatNs(via.mean)} | ${viaNs.length} |`,
  `| gateway − straight, paired per request | ${formatNs(diff.p50)} | ${formatNs(diff.p99)} | ${formatNs(diff.mean)} | ${diffNs.length} |`,
  `| streamed: first bytes through the gateway | ${formatNs(ttfbVia.p50)} | ${formatNs(ttfbVia.p99)} | ${formatNs(ttfbVia.mean)} | ${ttfbViaNs.length} |`,
  `| streamed: first bytes, gateway − straight, paired | ${formatNs(ttfbDiff.p50)} | ${formatNs(ttfbDiff.p99)} | ${formatNs(ttfbDiff.mean)} | ${ttfbDiffNs.length} |`,
  '',
  '- Each call is timed on its own with `process.hrtime.bigint()`; HTTP requests are sent one at a time with',
  `  keep-alive, ${rounds} rounds over the samples, the order of each pair alternating per round. "Streamed" rows`,
  '  send the same samples with `stream: true` and time the first bytes of the event stream (the gateway',
  '  relays whole events, so its first bytes are the whole `message_start` event).',
  `- Request bodies: ${Math.min(...bodyKb).toFixed(1)}–${Math.max(...bodyKb).toFixed(1)} KiB. The fake upstream answers at once, so the`,
  '  gateway row is almost all overhead: a second loopback HTTP hop, parsing and re-serialising the body,',
  '  `decide()` and `execute()`. A real model takes hundreds of milliseconds to seconds per request.',
  '',
].join('\n');

console.log(md);
if (write) {
  const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'GATEWAY.md');
  await writeFile(out, md);
  console.log(`wrote ${out}`);
}
