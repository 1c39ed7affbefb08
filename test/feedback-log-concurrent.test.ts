// Issue 12 finding 3: two FeedbackLogs on one file in one process write 100,000 records
// without a torn line (appendFile split batches above 512 KiB into several writes: 10 torn
// lines of 6,000 before). The multi-process run is in test/stress/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { audit, burst } from './helpers/feedback-burst.js';

test('two FeedbackLogs in one process, 100,000 records of ~700 bytes: 0 torn lines, none lost', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'swy-fb-'));
  try {
    const file = path.join(dir, 'feedback.jsonl');
    await Promise.all([burst(file, 'A', 50_000), burst(file, 'B', 50_000)]);
    const { torn, perTag } = audit(file);
    assert.equal(torn, 0);
    assert.equal(perTag.get('A')?.size, 50_000);
    assert.equal(perTag.get('B')?.size, 50_000);
    assert.equal(existsSync(file + '.lock'), false, 'the lock is released');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
