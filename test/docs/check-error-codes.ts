// Doc check: docs/errors.md names every code of SwitchyardErrorCode (src/errors.ts), and no other.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const source = await readFile(path.join(root, 'src', 'errors.ts'), 'utf8');
const union = /export type SwitchyardErrorCode =([^;]+);/.exec(source)?.[1] ?? '';
const codes = new Set(union.match(/'ERR_[A-Z0-9_]+'/g)?.map((c) => c.slice(1, -1)) ?? []);
const guide = await readFile(path.join(root, 'docs', 'errors.md'), 'utf8');
const listed = new Set([...guide.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));

const missing = [...codes].filter((c) => !listed.has(c));
const unknown = [...listed].filter((c) => !codes.has(c));
for (const c of missing) console.log(`✖ docs/errors.md: ${c} (src/errors.ts) has no row`);
for (const c of unknown) console.log(`✖ docs/errors.md: ${c} is not a SwitchyardErrorCode`);
if (codes.size === 0) console.log('✖ src/errors.ts: SwitchyardErrorCode not found');
console.log(`${codes.size - missing.length} of ${codes.size} error codes listed in docs/errors.md`);
if (missing.length || unknown.length || codes.size === 0) process.exitCode = 1;
