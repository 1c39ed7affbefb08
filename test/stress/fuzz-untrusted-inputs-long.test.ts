// The fuzz suite of test/fuzz-untrusted-inputs.test.ts with 1,000 runs per entry point (CI's
// stress job; the PR suite runs 100).
process.env['FUZZ_RUNS'] ??= '1000';
await import('../fuzz-untrusted-inputs.test.js');
