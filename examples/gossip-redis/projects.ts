// Configuration every node starts with (not replicated state: each node loads it itself).
import type { ProjectSpec } from '../../src/index.js';

export const BASE_PROJECTS: readonly ProjectSpec[] = [
  { namespace: 'dev', name: 'code-helper', description: 'programming help: bugs, stack traces, refactoring, tests', keywords: ['python', 'typescript'] },
  { namespace: 'ops', name: 'incidents', description: 'production incidents, outages and on-call paging', keywords: ['outage', 'incident'] },
  { namespace: 'fin', name: 'tax', description: 'tax returns, deductions and invoices', keywords: ['tax', 'invoice'] },
];
