// Fenced code blocks of the guides, with the line each starts on, for the doc checks.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** One fenced block of a markdown file. */
export interface MarkdownBlock {
  /** Markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the block's first code line (the line after the opening fence). */
  readonly line: number;
  /** Info string after the fence, e.g. `ts` or `ts fragment`. */
  readonly info: string;
  /** The code between the fences. */
  readonly code: string;
}

/** README.md plus every markdown file directly in docs/ (docs/api is typedoc's output). */
export async function guideFiles(root: string): Promise<string[]> {
  const docs = await readdir(path.join(root, 'docs')).catch(() => [] as string[]);
  return ['README.md', ...docs.filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
}

/** Splits a markdown text into its fenced blocks (``` or ~~~, no nesting). */
export function fencedBlocks(file: string, text: string): MarkdownBlock[] {
  const lines = text.split('\n');
  const blocks: MarkdownBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith(fence)) body.push(lines[j++]!);
    blocks.push({ file, line: i + 2, info: open[3]!.trim(), code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** Every fenced block of README.md and docs/*.md. */
export async function allBlocks(root: string): Promise<MarkdownBlock[]> {
  const out: MarkdownBlock[] = [];
  for (const file of await guideFiles(root)) out.push(...fencedBlocks(file, await readFile(path.join(root, file), 'utf8')));
  return out;
}
