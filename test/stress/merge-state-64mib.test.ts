// Issue 12 finding 2: a hostile 64 MiB state merged with mergeStateAsync while routing runs:
// the longest event-loop stall is measured (monitorEventLoopDelay, a 1 ms interval, and the CPU
// time this process used between two ticks, which leaves out time other processes held the
// core) and printed; the bound asserted is generous (this machine's scheduler alone stalls
// 15–25 ms under load).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { FastProjectRouter } from '../../src/index.js';

const NOW = 1_700_000_000_000;
const MiB = 1 << 20;
const head = '{"type":"route_state","from_node":"peer","entries":[';
const flat = (s: string): string => Buffer.from(s).toString();
const fill = (unit: string): string => flat(head + unit.repeat(Math.floor((64 * MiB - head.length - 2) / unit.length)).slice(0, -1) + ']}');

test('a hostile 64 MiB state does not stall routing (event-loop delay while merging)', { timeout: 300_000 }, async () => {
  const router = await FastProjectRouter.create({ wallClock: () => NOW, nodeId: 'me', projects: [{ name: 'base', description: 'llama care' }] });
  const cases: [string, string | Uint8Array][] = [
    ['64 MiB of `0,` entries', fill('0,')],
    ['64 MiB of `{},` entries', fill('{},')],
    ['64 MiB of wrong-shaped objects', fill('{"type":"route_update","action":"add"},')],
    ['64 MiB single string entry', flat(head + '"' + 'x'.repeat(64 * MiB - head.length - 4) + '"]}')],
    ['64 MiB of nesting', flat(head + '['.repeat(64 * MiB - head.length - 2) + ']}')],
    ['64 MiB as bytes', Buffer.from(fill('{},'))],
  ];
  const lines: string[] = [];
  for (const [name, input] of cases) {
    const h = monitorEventLoopDelay({ resolution: 1 });
    let maxGap = 0;
    let routes = 0;
    let maxCpu = 0;
    let last = performance.now();
    let lastCpu = process.cpuUsage();
    const iv = setInterval(() => {
      const t = performance.now();
      const cpu = process.cpuUsage(lastCpu);
      // CPU time this process spent between two ticks: the stretch of its own work, without the
      // time other processes on a shared machine held the core
      maxCpu = Math.max(maxCpu, (cpu.user + cpu.system) / 1000);
      lastCpu = process.cpuUsage();
      maxGap = Math.max(maxGap, t - last);
      last = t;
      if (router.routeSync('auto', 'llama care').modelPath === 'default/base') routes++;
    }, 1);
    h.enable();
    const t0 = performance.now();
    const out = await router.mergeStateAsync(input);
    const ms = performance.now() - t0;
    h.disable();
    clearInterval(iv);
    const bytes = typeof input === 'string' ? input.length : input.byteLength;
    lines.push(`${name}: ${ms.toFixed(0)} ms (${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s), longest stall ${maxGap.toFixed(1)} ms wall / ${maxCpu.toFixed(1)} ms CPU (event-loop delay max ${(h.max / 1e6).toFixed(1)} ms), ${routes} routes meanwhile; ${out.error ? out.error.message.slice(0, 50) : `rejected ${out.rejected}`}`);
    assert.ok(routes >= Math.floor(ms / 100), `${name}: only ${routes} routes in ${ms.toFixed(0)} ms of merging`);
    assert.ok(maxGap < 500, `${name}: the event loop stalled ${maxGap.toFixed(0)} ms`);
    assert.equal(router.size, 1);
  }
  process.stdout.write(`# mergeStateAsync on hostile 64 MiB states\n${lines.map((l) => `#   ${l}`).join('\n')}\n`);
});
