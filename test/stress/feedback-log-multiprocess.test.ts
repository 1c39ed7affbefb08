// Issue 12 finding 3, across processes (a Node cluster): two processes append 100,000 records
// (~700 bytes each) to one FeedbackLog file at the same time: 0 torn lines (6 of 20,000 before).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { audit } from '../helpers/feedback-burst.js';

const helper = fileURLToPath(new URL('../helpers/feedback-burst.ts', import.meta.url));

function child(file: string, tag: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', helper, file, tag, String(count)], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${tag} exited ${code}`))));
  });
}

test('two processes, 100,000 records into one FeedbackLog file: 0 torn lines, none lost', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'swy-fbmp-'));
  try {
    const file = path.join(dir, 'feedback.jsonl');
    await Promise.all([child(file, 'P1', 50_000), child(file, 'P2', 50_000)]);
    const { torn, perTag } = audit(file);
    assert.equal(torn, 0);
    assert.equal(perTag.get('P1')?.size, 50_000);
    assert.equal(perTag.get('P2')?.size, 50_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
