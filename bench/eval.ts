// npm run eval -- <dataset.json> [--no-fit | --ablation | --fit] [--domains <map.json>] [--model <MiniLM folder>] [--static <table file>] [--quick] [--write | --out <file.md>]
// Routes every query of the evaluated split (test if present, else val) through
// FastProjectRouter, one project per label. Without a mode flag: the default path
// (`create({ projects })`, background auto-fit) first, then `fit: false`. Prints the table; `--write`
// also writes it to bench/QUALITY.md (bench/QUALITY-FIT.md with --fit), the files the docs quote.
// --no-fit: only the fit: false rows. --ablation: the embedder ablation. --fit: fit designs (QUALITY-FIT.md).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluate, formatRouterRows, formatRows, labelToDomain, type Dataset, type EvalConfig, type EvalRow } from './eval-core.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const VALUE_FLAGS = new Set(['--domains', '--model', '--static', '--out']); // the others (--fit, --no-fit, --ablation, --quick, --write) take no value
const file = args.find((a, i) => !a.startsWith('--') && (i === 0 || !VALUE_FLAGS.has(args[i - 1]!)));
if (!file) {
  console.error('usage: npm run eval -- <dataset.json> [--no-fit | --ablation | --fit] [--domains <map.json>] [--model <MiniLM folder>] [--static <table file>] [--quick] [--write | --out <file.md>]');
  process.exit(2);
}
const data = JSON.parse(readFileSync(file, 'utf8')) as Dataset;
const domainFile = opt('--domains') ?? path.join(path.dirname(file), 'domains.json');
const domains = labelToDomain(existsSync(domainFile) ? JSON.parse(readFileSync(domainFile, 'utf8')) : {});
// the committed result files change only when asked: --write, or an explicit --out
const out = opt('--out') ?? (args.includes('--write') ? path.join(import.meta.dirname, args.includes('--fit') ? 'QUALITY-FIT.md' : 'QUALITY.md') : undefined);
const quick = args.includes('--quick');
// --fit: fitted vs unfitted (router.fit()) per K instead of the embedder ablation
const fitMode = args.includes('--fit');
const ablation = args.includes('--ablation');
const noFitOnly = args.includes('--no-fit');
const defaultMode = !fitMode && !ablation;

const ks = quick ? [10] : [5, 10, Infinity];
const configs: EvalConfig[] = [];
for (const k of defaultMode ? ks : []) {
  if (!noFitOnly) configs.push({ name: 'defaults: create({ projects })', k, aggregate: 'max', defaults: true });
  configs.push({ name: 'fit: false (unfitted, max over examples)', k, aggregate: 'max' });
}
// the out-of-scope threshold's trade-off around the default thresholdLoss (0.01)
for (const thresholdLoss of defaultMode && !quick && !noFitOnly ? [0.005, 0.015, 0.02] : []) {
  configs.push({ name: `defaults, fit: { thresholdLoss: ${thresholdLoss} }`, k: Infinity, aggregate: 'max', defaults: true, fit: { thresholdLoss } });
}
for (const k of ablation ? ks : []) {
  configs.push({ name: 'hash default (max over examples)', k, aggregate: 'max' });
  if (quick) continue;
  configs.push({ name: 'hash default, centroid', k, aggregate: 'centroid' });
  configs.push({ name: 'hash + IDF fitted on projects (max)', k, aggregate: 'max', hash: { idf: 'fit' } });
  configs.push({ name: 'hash + IDF, centroid', k, aggregate: 'centroid', hash: { idf: 'fit' } });
  configs.push({ name: 'hash n2-4, dim 1024, IDF (max)', k, aggregate: 'max', hash: { idf: 'fit', minN: 2, maxN: 4, dim: 1024 } });
}
for (const k of fitMode ? ks : []) {
  // the learned head profits from every word (no stopwords) and from more buckets
  const wide = { dim: 2048, stopwords: 'none' } as const;
  configs.push({ name: 'hash default (max)', k, aggregate: 'max' });
  configs.push({ name: 'hash default, centroid', k, aggregate: 'centroid' });
  configs.push({ name: 'hash default + fit({ features: embedder })', k, aggregate: 'max', fit: { features: 'embedder' } });
  configs.push({ name: 'hash no stopwords, dim 2048, centroid', k, aggregate: 'centroid', hash: wide });
  // design B: the defaults change so one space serves unfitted rows and the head
  configs.push({ name: 'B: embedder dim 2048 no stopwords + fit({ features: embedder })', k, aggregate: 'max', hash: wide, fit: { features: 'embedder' } });
  // design A (the default): the head has its own hashed space beside the 384-d embedder
  configs.push({ name: 'A: default embedder + fit() (head: own 2048-d hashed space)', k, aggregate: 'max', fit: {} });
  configs.push({ name: 'A, head 1024-d', k, aggregate: 'max', fit: { hashDim: 1024 } });
  configs.push({ name: 'hybrid: default embedder + fit({ features: hybrid })', k, aggregate: 'max', fit: { features: 'hybrid' } });
}
const modelPath = opt('--model') ?? process.env['SWITCHYARD_MINILM_PATH'];
if (modelPath) {
  // every text embedded once (batched, kept in ~/.cache/switchyard/eval/) and shared by all MiniLM rows
  const { TransformersEmbedder } = await import('../src/embed/transformers-embedder.js');
  const { PrecomputedEmbedder } = await import('./eval-precomputed-embedder.js');
  const model = new TransformersEmbedder({ modelPath });
  const texts = Object.values(data).flatMap((rows) => (Array.isArray(rows) ? rows.map((r) => r[0]) : []));
  texts.push(...new Set(Object.values(data).flatMap((rows) => (Array.isArray(rows) ? rows.map((r) => r[1].replace(/_/g, ' ')) : []))));
  const store = path.join(os.homedir(), '.cache', 'switchyard', 'eval', `${path.basename(file, '.json')}.minilm-${path.basename(path.resolve(modelPath))}.bin`);
  const minilm = await PrecomputedEmbedder.open(model, store, texts, (m) => console.log(m));
  for (const k of ks) {
    configs.push({ name: 'MiniLM unfitted (max over examples)', k, aggregate: 'max', embedder: minilm });
    configs.push({ name: 'MiniLM unfitted, centroid', k, aggregate: 'centroid', embedder: minilm });
    configs.push({ name: 'MiniLM + fit({ features: embedder })', k, aggregate: 'max', embedder: minilm, fit: { features: 'embedder' } });
    configs.push({ name: 'hybrid: MiniLM + fit({ features: hybrid })', k, aggregate: 'max', embedder: minilm, fit: { features: 'hybrid' } });
    configs.push({ name: 'MiniLM defaults: create({ projects, embedder })', k, aggregate: 'max', embedder: minilm, defaults: true });
  }
}

// --static <table>: the same rows over a StaticEmbedder (npm run distill:static builds the table)
const staticPath = opt('--static') ?? process.env['SWITCHYARD_STATIC_TABLE'];
if (staticPath) {
  const { StaticEmbedder } = await import('../src/embed/static-embedder.js');
  const embedder = await StaticEmbedder.load(staticPath);
  for (const k of ks) {
    if (defaultMode) {
      if (!noFitOnly) configs.push({ name: 'static: create({ projects, embedder })', k, aggregate: 'max', defaults: true, embedder });
      configs.push({ name: 'static, fit: false (max over examples)', k, aggregate: 'max', embedder });
      configs.push({ name: 'static, fit: false, centroid', k, aggregate: 'centroid', embedder });
    }
    if (ablation) {
      configs.push({ name: 'static (max)', k, aggregate: 'max', embedder });
      configs.push({ name: 'static, centroid', k, aggregate: 'centroid', embedder });
    }
    if (fitMode) {
      configs.push({ name: 'static + fit({ features: embedder })', k, aggregate: 'max', embedder, fit: { features: 'embedder' } });
      configs.push({ name: 'static + fit({ features: hashed }) (head: own hashed space)', k, aggregate: 'max', embedder, fit: { features: 'hashed' } });
      configs.push({ name: 'hybrid: static + fit({ features: hybrid })', k, aggregate: 'max', embedder, fit: { features: 'hybrid' } });
    }
  }
}

const rows: EvalRow[] = [];
for (const cfg of configs) {
  const r = await evaluate(data, domains, cfg);
  rows.push(r);
  console.log(`${cfg.name.padEnd(40)} K=${r.k.padEnd(3)}${r.router ? ` kept ${r.router.kept}, router threshold ${r.router.threshold.toFixed(3)}: OOS recall ${r.router.oosRecall === undefined ? 'n/a' : (r.router.oosRecall * 100).toFixed(1) + '%'}, in-scope loss ${(r.router.inScopeLoss * 100).toFixed(1)} pts;` : ''} intent ${(r.intentAcc * 100).toFixed(1)}%  domain ${r.domainAcc === undefined ? 'n/a' : (r.domainAcc * 100).toFixed(1) + '%'}  OOS recall ${r.oosRecall === undefined ? 'n/a' : (r.oosRecall * 100).toFixed(1) + '%'} precision ${r.oosPrecision === undefined ? 'n/a' : (r.oosPrecision * 100).toFixed(1) + '%'}  p50 ${r.p50Us.toFixed(1)} µs${r.fitMs === undefined ? '' : `  fit ${r.fitMs.toFixed(0)} ms`}`);
}
const evalSplit = Array.isArray(data['test']) && data['test'].length ? 'test' : 'val';
const md = [
  '# Routing quality',
  '',
  `Dataset: \`${path.basename(file)}\`, evaluated split: \`${evalSplit}\` (+ out-of-scope queries), domain map: ${domains.size ? `\`${path.basename(domainFile)}\` (${domains.size} labels)` : 'none'}.`,
  `One project per label: description = the label with \`_\` as spaces, examples = the first K train utterances (file order).`,
  `Intent/domain accuracy are top-1 without threshold; the threshold is chosen on \`val\` to maximise (in-scope correct + out-of-scope caught)${evalSplit === 'val' ? ' — the same split that is evaluated, so the OOS numbers are optimistic' : ''}.`,
  `Latency: one \`routeSync()\` (hash) or \`route()\` per query, ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}.${modelPath ? ' MiniLM rows route with vectors embedded beforehand (the model\'s own time per query is in bench/RESULTS.md), so their latency column is the routing alone.' : ''}`,
  '',
  formatRows(rows),
  '',
  ...(rows.some((r) => r.router) ? [
    'With the router\'s own threshold (the default path calibrates it on the held-out slice of the training examples; no out-of-scope data is used):',
    '',
    formatRouterRows(rows),
    '',
  ] : []),
].join('\n');
if (out) {
  writeFileSync(out, md);
  console.log(`wrote ${out}`);
} else {
  console.log(`\n${md}`);
  console.log(`(bench/${args.includes('--fit') ? 'QUALITY-FIT.md' : 'QUALITY.md'} not written: add --write)`);
}
