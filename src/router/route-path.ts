// The routing path: request text -> L1 (explicit model, pattern) -> embed -> score the matrices
// -> per-project maxima plus keyword boosts -> top-k -> pick or fall back, with reasons. The
// hot path: nothing here allocates per project, and scores never leave the index's buffers.
import type { EventEmitter } from 'eventemitter3';
import type { Embedder } from '../embed/embedder.js';
import { SwitchyardError } from '../errors.js';
import { extractRouteText, type RouteInput } from '../internal/message-text.js';
import { metricsChannel } from '../telemetry/diagnostics.js';
import type { KeywordRule } from './keyword-matcher.js';
import type { LearnedHead } from './learned-head.js';
import { batchLength, readRequest } from './batch-input.js';
import { BATCH_WIDTH } from './project-index.js';
import type { Entry, ExplicitTarget, ProjectRegistry } from './registry.js';
import type { RouteCandidate, RouteResult } from './route-result.js';
import { RouteStats } from './route-stats.js';
import { publishRouteMetric, routeTracing, traceRoute, traceRouteSync } from './route-telemetry.js';
import type { FastProjectRouterEvents } from './router-events.js';
import type { RouteRequest } from './router-types.js';
import { topK } from './similarity.js';

/** What the route path reads of the resolved options. @internal */
export interface RoutePathSettings {
  readonly nodeId: string;
  readonly defaultProject: string | undefined;
  readonly topK: number;
  readonly maxBoost: number;
  readonly maxPromptChars: number;
  /** Decisions kept for stats. */
  readonly recentDecisions: number;
}

const EMPTY: readonly RouteCandidate[] = Object.freeze([]);

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** Routes requests over a {@link ProjectRegistry}. @internal */
export class RoutePath {
  readonly #s: RoutePathSettings;
  readonly #reg: ProjectRegistry;
  readonly #explicit: ReadonlyMap<string, ExplicitTarget>;
  readonly #embedder: Embedder;
  readonly #sync: boolean;
  readonly #embed: (texts: readonly string[]) => Promise<Float32Array[]>;
  /** Counters of every decision made here. */
  readonly stats: RouteStats;
  readonly #events: EventEmitter<FastProjectRouterEvents>;
  readonly #topIdx: Int32Array;
  readonly #topScore: Float32Array;
  #stamp = 0;

  /**
   * @param embed - the checked batch embed (`ERR_EMBEDDER_FAILED` on a bad answer)
   * @param events - where `route:selected` is emitted
   */
  constructor(s: RoutePathSettings, reg: ProjectRegistry, embedder: Embedder, embed: (texts: readonly string[]) => Promise<Float32Array[]>, events: EventEmitter<FastProjectRouterEvents>) {
    this.#s = s;
    this.#reg = reg;
    this.#explicit = reg.explicitTargets;
    this.#embedder = embedder;
    this.#sync = typeof embedder.embedInto === 'function';
    this.#embed = embed;
    this.stats = new RouteStats(s.recentDecisions);
    this.#events = events;
    this.#topIdx = new Int32Array(s.topK);
    this.#topScore = new Float32Array(s.topK);
  }

  /** See FastProjectRouter.routeSync. */
  routeSync(model: string | undefined, messages: RouteInput): RouteResult {
    if (routeTracing.hasSubscribers) return traceRouteSync(model, this.#s.nodeId, () => this.#routeSync(model, messages));
    return this.#routeSync(model, messages);
  }

  /** See FastProjectRouter.route. */
  route(model: string | undefined, messages: RouteInput): Promise<RouteResult> {
    if (routeTracing.hasSubscribers) return traceRoute(model, this.#s.nodeId, () => this.#route(model, messages));
    return this.#route(model, messages);
  }

  #routeSync(model: string | undefined, messages: RouteInput): RouteResult {
    const t0 = performance.now();
    const explicit = this.#routeExplicit(model, t0);
    if (explicit) return explicit;
    if (!this.#sync) {
      throw new SwitchyardError('ERR_SYNC_EMBEDDER_REQUIRED', `routeSync() needs a synchronous embedder; '${this.#embedder.id}' is asynchronous: use route()`);
    }
    const reasons: string[] = [];
    const text = this.#prepare(messages, t0, reasons);
    if (typeof text !== 'string') return text;
    const reg = this.#reg;
    const index = reg.index;
    const head = reg.head;
    if (index.rows > 0 || (head && reg.headFeatures!.needsEmbedder)) {
      this.#embedder.embedInto!(text, index.f32, index.queryOffset(0));
      index.score();
    }
    if (head) this.#scoreHead(head, text, index.f32, index.queryOffset(0));
    return this.#finish(text, 0, t0, reasons);
  }

  async #route(model: string | undefined, messages: RouteInput): Promise<RouteResult> {
    if (this.#sync) return this.#routeSync(model, messages);
    const t0 = performance.now();
    const explicit = this.#routeExplicit(model, t0);
    if (explicit) return explicit;
    const reasons: string[] = [];
    const text = this.#prepare(messages, t0, reasons);
    if (typeof text !== 'string') return text;
    const reg = this.#reg;
    const needed = reg.index.rows > 0 || (reg.head !== undefined && reg.headFeatures!.needsEmbedder);
    const vec = needed ? (await this.#embed([text]))[0]! : undefined;
    // read after the await: a fit may have swapped the matrices meanwhile
    const index = reg.index;
    const head = reg.head;
    if (vec && index.rows > 0) {
      index.f32.set(vec, index.queryOffset(0));
      index.score();
    }
    if (head) {
      if (reg.headFeatures!.needsEmbedder && !vec) return this.#route(model, messages);
      this.#scoreHead(head, text, vec, 0);
    }
    return this.#finish(text, 0, t0, reasons);
  }

  /** See FastProjectRouter.routeBatch. */
  async routeBatch(requests: readonly RouteRequest[]): Promise<RouteResult[]> {
    const count = batchLength(requests);
    const t0 = performance.now();
    const results = new Array<RouteResult>(count);
    const pending: { i: number; text: string; reasons: string[] }[] = [];
    for (let i = 0; i < count; i++) {
      const req = readRequest(requests, i);
      if (req === null) {
        results[i] = this.#fallback('invalid messages (ERR_INVALID_MESSAGES): the request could not be read (a getter or Proxy trap threw)', [], EMPTY, -Infinity, t0);
        continue;
      }
      const { model, messages } = req;
      const explicit = this.#routeExplicit(typeof model === 'string' ? model : undefined, t0);
      if (explicit) { results[i] = explicit; continue; }
      const reasons: string[] = [];
      const text = this.#prepare(messages as RouteInput, t0, reasons);
      if (typeof text !== 'string') { results[i] = text; continue; }
      pending.push({ i, text, reasons });
    }
    if (pending.length === 0) return results;
    const reg = this.#reg;
    // every project fitted in the head's own hashed space: the embedder is not needed at all
    const needed = reg.index.rows > 0 || (reg.head !== undefined && reg.headFeatures!.needsEmbedder);
    const vectors = this.#sync || !needed ? null : await this.#embed(pending.map((p) => p.text));
    const index = reg.index;
    const head = reg.head;
    for (let start = 0; start < pending.length; start += BATCH_WIDTH) {
      const n = Math.min(BATCH_WIDTH, pending.length - start);
      for (let j = 0; j < BATCH_WIDTH; j++) {
        const off = index.queryOffset(j);
        if (j >= n || !needed) index.f32.fill(0, off, off + index.dim);
        else if (vectors) index.f32.set(vectors[start + j]!, off);
        else this.#embedder.embedInto!(pending[start + j]!.text, index.f32, off);
      }
      index.scoreBatch(n);
      for (let j = 0; j < n; j++) {
        const p = pending[start + j]!;
        if (head) {
          if (vectors) this.#scoreHead(head, p.text, vectors[start + j]!, 0);
          else this.#scoreHead(head, p.text, index.f32, index.queryOffset(j));
        }
        results[p.i] = this.#finish(p.text, j, t0, p.reasons);
      }
    }
    return results;
  }

  /** Writes the head features of `text` (with the embedder vector at dense[off..] when needed) and scores the head. */
  #scoreHead(head: LearnedHead, text: string, dense: Float32Array | undefined, off: number): void {
    this.#reg.headFeatures!.write(text, dense, off, head.f32, head.queryOffset);
    head.score();
  }

  #routeExplicit(model: string | undefined, t0: number): RouteResult | null {
    if (typeof model !== 'string') return null;
    const target = this.#explicit.get(model);
    if (target === undefined) return null;
    const project = target.entry.n.project;
    return this.#record({
      modelPath: project.modelPath, project, method: 'explicit', score: 1,
      candidates: target.entry.explicitCandidates, reasons: target.reasons, latencyMs: performance.now() - t0,
    });
  }

  /** Text to embed, or a finished result (invalid input, pattern decision). */
  #prepare(messages: RouteInput, t0: number, reasons: string[]): string | RouteResult {
    const max = this.#s.maxPromptChars;
    const extracted = extractRouteText(messages, max);
    if (extracted.invalid !== undefined) return this.#fallback(`invalid messages (ERR_INVALID_MESSAGES): ${extracted.invalid}`, reasons, EMPTY, -Infinity, t0);
    if (extracted.truncated) reasons.push(`prompt cut to ${max} chars for routing`);
    if (extracted.text.length === 0) return this.#fallback('no text to route on', reasons, EMPTY, -Infinity, t0);
    const matcher = this.#reg.matcher;
    if (matcher.hasPatterns) {
      const hit = matcher.matchPattern(extracted.text);
      if (hit) {
        const project = hit.owner.n.project;
        reasons.push(`pattern ${hit.re.display} matched`);
        return this.#record({
          modelPath: project.modelPath, project, method: 'keyword', score: 1,
          candidates: hit.owner.explicitCandidates, reasons, latencyMs: performance.now() - t0,
        });
      }
    }
    return extracted.text;
  }

  /** Picks from query slot `j`'s scores (of the last index scoring) and the head's. */
  #finish(text: string, j: number, t0: number, reasons: string[]): RouteResult {
    const reg = this.#reg;
    const entries = reg.entries;
    const nProj = entries.length;
    if (nProj === 0) return this.#fallback('no projects registered', reasons, EMPTY, -Infinity, t0);
    const ps = reg.projScores;
    ps.fill(-Infinity, 0, nProj);
    reg.index.maxByOwner(j, ps);
    reg.head?.maxByOwner(ps);
    // keyword / domain boosts (sparse)
    const stamp = ++this.#stamp;
    const matcher = reg.matcher;
    const hits = matcher.match(text) > 0 ? matcher.hits : null;
    if (hits) {
      const maxBoost = this.#s.maxBoost;
      for (const rule of hits) {
        const e = rule.owner;
        if (e.hitStamp !== stamp) { e.hitStamp = stamp; e.boost = 0; }
        const add = Math.min(rule.boost, maxBoost - e.boost);
        if (add <= 0) continue;
        e.boost += add;
        ps[e.slot]! += add;
      }
    }
    const topIdx = this.#topIdx;
    const topScore = this.#topScore;
    const k = topK(ps, 0, nProj, this.#s.topK, topIdx, topScore);
    const candidates: RouteCandidate[] = [];
    for (let i = 0; i < k; i++) candidates.push({ modelPath: entries[topIdx[i]!]!.n.project.modelPath, score: round(topScore[i]!) });
    const best = k > 0 ? entries[topIdx[0]!]! : undefined;
    const bestScore = k > 0 ? topScore[0]! : -Infinity;
    const bestBoost = best && best.hitStamp === stamp ? best.boost : 0;
    if (hits) explainHits(hits, best, reasons);
    const threshold = reg.threshold;
    if (!best || !(bestScore >= threshold)) {
      const why = best
        ? `best score ${round(bestScore)} ('${best.n.project.modelPath}') below threshold ${round(threshold)}`
        : 'no candidate scored';
      return this.#fallback(why, reasons, candidates, bestScore, t0);
    }
    const project = best.n.project;
    const semantic = bestScore - bestBoost;
    reasons.push(`semantic ${round(semantic)} for '${project.modelPath}'${bestBoost > 0 ? ` + boost ${round(bestBoost)}` : ''} >= threshold ${round(threshold)}`);
    return this.#record({
      modelPath: project.modelPath, project, method: bestBoost > 0 ? 'keyword' : 'semantic',
      score: round(bestScore), candidates, reasons, latencyMs: performance.now() - t0,
    });
  }

  #fallback(why: string, reasons: string[], candidates: readonly RouteCandidate[], bestScore: number, t0: number): RouteResult {
    const d = this.#s.defaultProject;
    const target = d === undefined ? undefined : this.#reg.byPath(d);
    reasons.push(why);
    reasons.push(target ? `fallback to default project '${target.n.project.modelPath}'` : 'fallback: no default project configured');
    return this.#record({
      modelPath: target ? target.n.project.modelPath : null,
      project: target ? target.n.project : null,
      method: 'fallback',
      score: Number.isFinite(bestScore) ? round(bestScore) : 0,
      candidates, reasons, latencyMs: performance.now() - t0,
    });
  }

  #record(result: RouteResult): RouteResult {
    this.stats.record(result);
    const events = this.#events;
    if (events.listenerCount('route:selected') > 0) events.emit('route:selected', result);
    if (metricsChannel.hasSubscribers) publishRouteMetric(this.#s.nodeId, result);
    return result;
  }
}

/** Reasons name the winner's rules first, then others (bounded). */
function explainHits(hits: readonly KeywordRule<Entry>[], best: Entry | undefined, reasons: string[]): void {
  let listed = 0;
  for (let pass = 0; pass < 2; pass++) {
    const winners = pass === 0;
    for (const rule of hits) {
      if ((rule.owner === best) !== winners || listed >= 8) continue;
      reasons.push(`${rule.kind} '${rule.label}' +${rule.boost}${winners ? '' : ` (for '${rule.owner.n.project.modelPath}')`}`);
      listed++;
    }
  }
}
