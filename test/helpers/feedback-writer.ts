// Child process for feedback-dpo-export.test.ts: records into a FeedbackLog forever (until killed).
import { FeedbackLog } from '../../src/index.js';

const log = await FeedbackLog.open(process.argv[2]!, { maxBatch: 50 });
for (let i = 0; i < 100; i++) log.record({ prompt: `q${i} ${'x'.repeat(200)}`, chosen: `a${i}`, rejected: `b${i}` });
await log.flush();
process.stdout.write('ready\n');
for (let i = 100; ; i++) {
  log.record({ prompt: `q${i} ${'x'.repeat(200)}`, chosen: `a${i}`, rejected: `b${i}` });
  if (i % 50 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
}
