// Doc check: relative links of README.md and docs/*.md point at files that exist, and their
// #anchors at headings that exist (GitHub's slugs), so moving or renaming a section breaks CI.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { guideFiles } from './markdown-blocks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

async function anchorsOf(file: string): Promise<Set<string>> {
  const text = await readFile(file, 'utf8');
  const withoutCode = text.replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...withoutCode.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!)));
}

let links = 0;
let failed = 0;
for (const file of await guideFiles(root)) {
  const text = (await readFile(path.join(root, file), 'utf8')).replace(/^```[\s\S]*?^```/gm, '');
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1]!;
    if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
    links++;
    const [rel = '', anchor] = target.split('#');
    const resolved = rel ? path.resolve(root, path.dirname(file), rel) : path.join(root, file);
    if (!existsSync(resolved)) {
      console.log(`✖ ${file}: link to ${target}: ${path.relative(root, resolved)} does not exist`);
      failed++;
    } else if (anchor && resolved.endsWith('.md') && !(await anchorsOf(resolved)).has(anchor)) {
      console.log(`✖ ${file}: link to ${target}: no heading with that anchor`);
      failed++;
    }
  }
}
console.log(`${links - failed} of ${links} relative links resolve`);
if (failed) process.exitCode = 1;
