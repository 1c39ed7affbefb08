// `npm run test:docs`: the doc checks, one after another (each sets process.exitCode on failure).
await import('./check-error-codes.js');
await import('./check-links.js');
await import('./check-numbers.js');
await import('./check-snippets.js');
