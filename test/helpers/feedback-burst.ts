// Child process for the FeedbackLog concurrency tests: appends `count` records tagged `tag`
// (~700 bytes each, so a 1000-record batch is above the 512 KiB that appendFile splits at).
import { readFileSync } from 'node:fs';
import { FeedbackLog } from '../../src/index.js';

/** Writes `count` records through one log; resolves after close(). */
export async function burst(file: string, tag: string, count: number): Promise<void> {
  const log = await FeedbackLog.open(file, { maxBatch: 1000, maxQueue: 20_000 });
  const pad = 'x'.repeat(600);
  for (let i = 0; i < count; i++) {
    while (!log.record({ prompt: `${tag} ${i} ${pad}`, chosen: 'a/b', rejected: 'c/d', meta: { tag, i } })) await log.flush();
    if (i % 500 === 499) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await log.close();
}

/** Lines that are not a whole record, and the records per tag. */
export function audit(file: string): { torn: number; perTag: Map<string, Set<number>> } {
  const text = readFileSync(file, 'utf8');
  let torn = 0;
  const perTag = new Map<string, Set<number>>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let rec: { meta?: { tag?: string; i?: number }; prompt?: string };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      torn++;
      continue;
    }
    const tag = rec.meta?.tag ?? '?';
    if (!rec.prompt?.startsWith(`${tag} ${rec.meta?.i} `)) torn++;
    let set = perTag.get(tag);
    if (!set) perTag.set(tag, (set = new Set()));
    set.add(rec.meta!.i!);
  }
  return { torn, perTag };
}

if (process.argv[1]?.endsWith('feedback-burst.ts') && process.argv[2]) {
  await burst(process.argv[2], process.argv[3] ?? 'child', Number(process.argv[4] ?? 1000));
}
