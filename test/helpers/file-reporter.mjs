// node:test reporter for `npm test` / `npm run test:stress`: one line per test file when it
// ends, with its duration; the full error of every failed test; a "still running" line for a
// file silent for 10 s; the totals. Plain .mjs so it loads without a TypeScript loader.
//
// With several files running at once, Node 20 delivers a file's subtest events in file order,
// possibly after the file itself has ended: file lines come from the file-level test:complete
// (timely), failures are printed whenever their events arrive, counts only in the totals.
import { Transform } from 'node:stream';
import path from 'node:path';
import { inspect } from 'node:util';

const HEARTBEAT_MS = 10_000;
const rel = (file) => path.relative(process.cwd(), file);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const indent = (text) => String(text).split('\n').map((l) => `    ${l}`).join('\n');

export default function fileReporter() {
  const running = new Map(); // file -> { started, lastOutput }
  const finished = new Set();
  const totals = { files: 0, failedFiles: 0, tests: 0, failed: 0, skipped: 0 };
  const started = Date.now();
  const isFileLevel = (data) => data?.file !== undefined && typeof data.name === 'string' && path.resolve(data.name) === path.resolve(data.file);
  const heartbeat = setInterval(() => {
    const now = Date.now();
    for (const [file, s] of running) {
      if (now - s.lastOutput < HEARTBEAT_MS) continue;
      s.lastOutput = now;
      stream.push(`  … ${rel(file)} still running (${seconds(now - s.started)})\n`);
    }
  }, 1_000);
  heartbeat.unref();

  const finishFile = (data) => {
    if (finished.has(data.file)) return undefined;
    finished.add(data.file);
    const s = running.get(data.file);
    running.delete(data.file);
    totals.files++;
    const failed = data.details?.passed === false;
    if (failed) totals.failedFiles++;
    const ms = data.details?.duration_ms ?? (s ? Date.now() - s.started : 0);
    // a file that fails without a failing test (crash, non-zero exit, hang) shows its error here
    const error = failed && data.details?.error?.failureType !== 'subtestsFailed' ? `\n${indent(inspect(data.details?.error, { depth: 4 }))}` : '';
    return `${failed ? '✖' : '✔'} ${rel(data.file)} ${seconds(ms)}${error}\n`;
  };

  const stream = new Transform({
    writableObjectMode: true,
    transform({ type, data }, _enc, done) {
      if (type === 'test:dequeue' && isFileLevel(data)) {
        if (!running.has(data.file)) running.set(data.file, { started: Date.now(), lastOutput: Date.now() });
      } else if ((type === 'test:complete' || type === 'test:pass' || type === 'test:fail') && isFileLevel(data)) {
        return done(null, finishFile(data));
      } else if (type === 'test:complete' && data?.file && data.details?.type !== 'suite') {
        const s = running.get(data.file);
        if (s) s.lastOutput = Date.now();
        totals.tests++;
        if (data.skip !== undefined && data.skip !== false) totals.skipped++;
        if (data.details?.passed === false) {
          totals.failed++;
          return done(null, `  ✖ ${rel(data.file)} › ${data.name}\n${indent(inspect(data.details?.error, { depth: 4 }))}\n`);
        }
      } else if ((type === 'test:stderr' || type === 'test:stdout') && data?.file) {
        const s = running.get(data.file);
        if (s) s.lastOutput = Date.now();
        if (type === 'test:stderr') return done(null, indent(`${rel(data.file)}: ${data.message}`).trimEnd() + '\n');
      }
      done();
    },
    flush(done) {
      clearInterval(heartbeat);
      this.push(`\n${totals.files} files (${totals.failedFiles} failed), ${totals.tests} tests, ${totals.failed} failed, ` +
        `${totals.skipped} skipped, ${seconds(Date.now() - started)}\n` +
        // the plain closing line CI tools read
        `tests: ${totals.tests - totals.failed - totals.skipped} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
      done();
    },
  });
  return stream;
}
