// node:test reporter for `npm test` / `npm run test:stress`: one line per test file with its
// duration and test count, the full error of every failed test, a "still running" line for a
// file silent for 10 s, and the totals. Plain .mjs so it loads without a TypeScript loader.
import { Transform } from 'node:stream';
import path from 'node:path';
import { inspect } from 'node:util';

const HEARTBEAT_MS = 10_000;
const rel = (file) => path.relative(process.cwd(), file);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const indent = (text) => String(text).split('\n').map((l) => `    ${l}`).join('\n');

export default function fileReporter() {
  const files = new Map(); // file -> { started, lastOutput, tests, failed }
  const finished = new Set();
  const totals = { files: 0, failedFiles: 0, tests: 0, failed: 0, skipped: 0 };
  const started = Date.now();
  const isFileLevel = (data) => data?.file !== undefined && typeof data.name === 'string' && path.resolve(data.name) === path.resolve(data.file);
  const stateOf = (file) => {
    let s = files.get(file);
    if (!s) files.set(file, (s = { started: Date.now(), lastOutput: Date.now(), tests: 0, failed: 0 }));
    return s;
  };
  const heartbeat = setInterval(() => {
    const now = Date.now();
    for (const [file, s] of files) {
      if (now - s.lastOutput < HEARTBEAT_MS) continue;
      s.lastOutput = now;
      stream.push(`  … ${rel(file)} still running (${seconds(now - s.started)}, ${s.tests} tests done)\n`);
    }
  }, 1_000);
  heartbeat.unref();

  const finishFile = (data, failedEvent) => {
    if (finished.has(data.file)) return undefined;
    finished.add(data.file);
    const s = stateOf(data.file);
    files.delete(data.file);
    totals.files++;
    const failed = failedEvent || s.failed > 0 || data.details?.passed === false;
    if (failed) totals.failedFiles++;
    const why = failed && s.failed === 0 ? `\n${indent(inspect(data.details?.error, { depth: 4 }))}` : '';
    return `${failed ? '✖' : '✔'} ${rel(data.file)} ${seconds(data.details?.duration_ms ?? Date.now() - s.started)}` +
      ` (${s.tests} tests${s.failed ? `, ${s.failed} failed` : ''})${why}\n`;
  };

  const stream = new Transform({
    writableObjectMode: true,
    transform({ type, data }, _enc, done) {
      // test:complete arrives when a test ends; test:pass / test:fail arrive later, in declaration
      // order across files (buffered while files run concurrently), so only test:complete is timely
      if (type === 'test:dequeue' && isFileLevel(data)) stateOf(data.file);
      else if (type === 'test:complete' && isFileLevel(data)) return done(null, finishFile(data, false));
      else if (type === 'test:complete' && data.file && data.details?.type !== 'suite') {
        const s = stateOf(data.file);
        s.lastOutput = Date.now();
        s.tests++;
        totals.tests++;
        if (data.skip !== undefined && data.skip !== false) totals.skipped++;
        if (data.details?.passed === false) {
          s.failed++;
          totals.failed++;
          return done(null, `  ✖ ${rel(data.file)} › ${data.name}\n${indent(inspect(data.details?.error, { depth: 4 }))}\n`);
        }
      } else if ((type === 'test:stderr' || type === 'test:stdout') && data.file) {
        stateOf(data.file).lastOutput = Date.now();
        if (type === 'test:stderr') return done(null, indent(`${rel(data.file)}: ${data.message}`).trimEnd() + '\n');
      }
      done();
    },
    flush(done) {
      clearInterval(heartbeat);
      this.push(`\n${totals.files} files (${totals.failedFiles} failed), ${totals.tests} tests, ${totals.failed} failed, ` +
        `${totals.skipped} skipped, ${seconds(Date.now() - started)}\n`);
      done();
    },
  });
  return stream;
}
