// Synthetic routing data for the fit tests: each project has a few topic words of its own;
// every example and query is one topic word hidden among shared noise words, so similarity to
// single examples is dominated by noise while a learned head can ignore it.
import type { ProjectSpec } from '../../src/index.js';
import { prng } from './random.js';

function word(rnd: () => number, len: number): string {
  let w = '';
  for (let i = 0; i < len; i++) w += String.fromCharCode(97 + Math.floor(rnd() * 26));
  return w;
}

/** Projects plus labelled held-out queries (model path, prompt). */
export interface NoisyTopics {
  readonly projects: ProjectSpec[];
  readonly queries: [modelPath: string, prompt: string][];
}

/** `projects` projects with `examples` examples each and `queries` queries per project. */
export function noisyTopics(projects: number, examples: number, queries: number, seed: number): NoisyTopics {
  const rnd = prng(seed);
  const noise = Array.from({ length: 40 }, () => word(rnd, 6));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const sentence = (topic: string): string => {
    const words = Array.from({ length: 5 }, () => pick(noise));
    words[Math.floor(rnd() * words.length)] = topic;
    return words.join(' ');
  };
  const out: ProjectSpec[] = [];
  const qs: [string, string][] = [];
  for (let p = 0; p < projects; p++) {
    const topics = Array.from({ length: 3 }, () => word(rnd, 7));
    const name = `topic-${p}`;
    out.push({ namespace: 'syn', name, description: 'general assistant', examples: Array.from({ length: examples }, () => sentence(pick(topics))) });
    for (let q = 0; q < queries; q++) qs.push([`syn/${name}`, sentence(pick(topics))]);
  }
  return { projects: out, queries: qs };
}

/** Share of queries routed to their project. */
export function accuracy(route: (prompt: string) => string | null, queries: readonly [string, string][]): number {
  let ok = 0;
  for (const [want, prompt] of queries) if (route(prompt) === want) ok++;
  return ok / queries.length;
}
