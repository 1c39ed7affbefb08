// Starts a private redis-server and switchyard node processes, and talks to the nodes over
// stdin/stdout. Used by demo.ts and test/stress/gossip-redis-e2e.test.ts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const NODE_SCRIPT = fileURLToPath(new URL('./node.ts', import.meta.url));

/** Whether `redis-server` is on PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts redis-server on 127.0.0.1:port (no persistence); resolves once it accepts connections. */
export function startRedis(port: number, timeoutMs = 10_000): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error('redis-server did not start')); }, timeoutMs);
    proc.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) { clearTimeout(timer); resolve(proc); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited with ${code}`)); });
  });
}

/** A running node process. */
export class NodeProcess {
  readonly id: string;
  readonly proc: ChildProcess;
  readonly events: Record<string, unknown>[] = [];
  #next = 1;
  readonly #waiting = new Map<number, (v: Record<string, unknown>) => void>();
  #stderr = '';

  private constructor(id: string, proc: ChildProcess) {
    this.id = id;
    this.proc = proc;
    proc.stderr!.on('data', (d: Buffer) => { this.#stderr += d.toString(); });
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as Record<string, unknown>;
      const id = msg['id'];
      if (typeof id === 'number') { this.#waiting.get(id)?.(msg); this.#waiting.delete(id); }
      else this.events.push(msg);
    });
  }

  /** Spawns a node and waits for its `ready` event. */
  static async start(id: string, redisUrl: string, timeoutMs = 15_000): Promise<NodeProcess> {
    const proc = spawn(process.execPath, ['--import', 'tsx', NODE_SCRIPT, id], { env: { ...process.env, REDIS_URL: redisUrl }, stdio: ['pipe', 'pipe', 'pipe'] });
    const node = new NodeProcess(id, proc);
    await node.waitFor((e) => e['event'] === 'ready', timeoutMs);
    return node;
  }

  /** Sends a command and resolves with the answer. */
  send(command: Record<string, unknown>, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.id}: no answer to ${JSON.stringify(command)}; stderr: ${this.#stderr}`)), timeoutMs);
      this.#waiting.set(id, (v) => { clearTimeout(timer); resolve(v); });
      this.proc.stdin!.write(JSON.stringify({ ...command, id }) + '\n');
    });
  }

  /** Resolves when an event matching `pred` has been printed. */
  async waitFor(pred: (e: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      if (this.proc.exitCode !== null) throw new Error(`${this.id} exited (${this.proc.exitCode}): ${this.#stderr}`);
      if (Date.now() > deadline) throw new Error(`${this.id}: timed out waiting for an event; stderr: ${this.#stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Kills the process (SIGKILL: a crash, no goodbye) and waits for it to exit. */
  async kill(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGKILL');
    await exited;
  }
}

/** Polls until every node lists the same projects; returns that list. */
export async function converged(nodes: readonly NodeProcess[], timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last: string[][] = [];
  for (;;) {
    last = await Promise.all(nodes.map(async (n) => (await n.send({ cmd: 'projects' }))['projects'] as string[]));
    if (last.every((l) => JSON.stringify(l) === JSON.stringify(last[0]))) return last[0]!;
    if (Date.now() > deadline) throw new Error(`nodes did not converge: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
