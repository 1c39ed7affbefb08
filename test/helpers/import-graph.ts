import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

// The import graph of src/, read from the source text (every static, type-only, dynamic and
// worker-URL import counts: a type cycle is still a cycle for the reader).

/** One module of src/ and the src/ modules it imports. */
export interface ModuleNode {
  /** Path relative to src/, with forward slashes, e.g. `router/route-path.ts`. */
  readonly id: string;
  /** Imported modules, same form. */
  readonly imports: readonly string[];
  /** Modules this one re-exports from (`export ... from`). */
  readonly reExports: readonly string[];
}

const IMPORT = /(?:^|[\s;])(import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;
const DYNAMIC = /(?:import\(\s*|new URL\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
const COMMENT = /\/\*[\s\S]*?\*\/|(?<![:'"`])\/\/[^\n]*/g;

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTs(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function toId(srcDir: string, file: string): string {
  return relative(srcDir, file).split(sep).join('/');
}

/** Reads every `.ts` module under `srcDir` and the relative imports between them. */
export function readImportGraph(srcDir: string): Map<string, ModuleNode> {
  const graph = new Map<string, ModuleNode>();
  for (const file of listTs(srcDir)) {
    const text = readFileSync(file, 'utf8').replace(COMMENT, '');
    const imports = new Set<string>();
    const reExports = new Set<string>();
    const target = (spec: string): string =>
      toId(srcDir, resolve(dirname(file), spec.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts')));
    for (const m of text.matchAll(IMPORT)) {
      const t = target(m[2]!);
      imports.add(t);
      if (m[1] === 'export') reExports.add(t);
    }
    for (const m of text.matchAll(DYNAMIC)) imports.add(target(m[1]!));
    const id = toId(srcDir, file);
    graph.set(id, { id, imports: [...imports], reExports: [...reExports] });
  }
  return graph;
}

/** Every import cycle, each as the list of modules along it (Tarjan's strongly connected components). */
export function findCycles(graph: ReadonlyMap<string, ModuleNode>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.imports ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = graph.get(v)?.imports.includes(v) ?? false;
      if (component.length > 1 || selfLoop) cycles.push(component.sort());
    }
  };
  for (const id of [...graph.keys()].sort()) if (!index.has(id)) visit(id);
  return cycles;
}

/** The folder of a module (`router` for `router/route-path.ts`), or `''` for a top-level file. */
export function folderOf(id: string): string {
  const slash = id.indexOf('/');
  return slash < 0 ? '' : id.slice(0, slash);
}
