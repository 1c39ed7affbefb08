import { invalidOption } from '../errors.js';
import { isPlainObject, optBoolean, optInteger, optNumber, optOneOf } from '../internal/validate.js';
import type { FeedbackSource } from './feedback.js';
import type { Embedder } from '../embed/embedder.js';
import type { FitFeatures } from '../internal/fit-features.js';

/** Options of {@link FastProjectRouter.fit} (and of the `fit` option of `create()`). All optional. */
export interface FitOptions {
  /** Most passes over the examples (early stopping may end sooner). @defaultValue 15 */
  readonly epochs?: number;
  /** Initial SGD learning rate; epoch `e` uses `learningRate / (1 + decay * e)`. @defaultValue 1 */
  readonly learningRate?: number;
  /** Learning-rate decay per epoch. @defaultValue 0.2 */
  readonly decay?: number;
  /** L2 penalty (weight decay per step). @defaultValue 1e-6 */
  readonly l2?: number;
  /**
   * Share of each project's examples held out for early stopping and calibration (projects
   * with fewer than 3 examples hold none out). 0 disables early stopping.
   * @defaultValue 0.05
   */
  readonly heldOutFraction?: number;
  /** Epochs without a held-out improvement before stopping. @defaultValue 3 */
  readonly patience?: number;
  /**
   * After early stopping, train again on all examples (held-out ones included) for the best
   * epoch count. Costs a second run for a few tenths of a point (CLINC150: 91.6% vs 91.4%).
   * @defaultValue false
   */
  readonly refit?: boolean;
  /** Seed of the held-out split and the shuffles: the same seed and data give the same rows. @defaultValue 1 */
  readonly seed?: number;
  /** Train on each project's main text (name, description, topics, keywords) as one more example. @defaultValue true */
  readonly includeMainText?: boolean;
  /**
   * Learned rows are scaled so the median winning score of the calibration examples (held-out,
   * else training) equals this value, keeping scores comparable with the cosine rows of
   * unfitted projects and with `threshold`.
   * @defaultValue 0.6
   */
  readonly calibrationTarget?: number;
  /**
   * Routing feedback: records `{ prompt, chosen, rejected }` naming projects by model path or
   * alias (an array or an async iterable). `chosen` becomes a positive example of that project,
   * `rejected` (without `chosen`) a negative one. Malformed records and unknown projects are
   * counted in {@link FitReport.feedbackDropped}, never thrown.
   * @defaultValue undefined
   */
  readonly feedback?: FeedbackSource;
  /** Gradient weight of one feedback record relative to one example. @defaultValue 1 */
  readonly feedbackWeight?: number;
  /**
   * What the learned head reads (see {@link FitFeatures}). When not given: the embedder's
   * {@link Embedder.fitFeatures} if it names one (`StaticEmbedder`: `'hybrid'`); else an
   * asynchronous embedder is a model (e.g. MiniLM) and its head reads `'hybrid'` features,
   * because a head over hashed features alone routes worse than the model unfitted (CLINC150,
   * all examples: hybrid 96.5% intent vs 88.6% kept unfitted; bench/QUALITY.md); a synchronous
   * one (the hash embedder) uses `'hashed'`.
   * @defaultValue the embedder's `fitFeatures`, else `'hashed'` with a synchronous embedder and `'hybrid'` with an asynchronous one
   */
  readonly features?: FitFeatures;
  /**
   * Buckets of the head's own hashed feature space (`'hashed'` and `'hybrid'`).
   * @defaultValue 2048
   */
  readonly hashDim?: number;
  /**
   * `'always'`: the learned rows replace every project's rows. `'auto'`: they do only when
   * they route the held-out slice better than the unfitted rows (the unfitted rows scored
   * without the held-out examples); otherwise the unfitted rows are kept and the report says
   * why ({@link FitReport.kept}). `create()`'s default fit uses `'auto'`.
   * @defaultValue 'always'
   */
  readonly adopt?: 'always' | 'auto';
  /**
   * In-scope loss allowed when the out-of-scope threshold is calibrated: after a fit whose
   * learned rows are adopted, the router's threshold becomes the score below which this share
   * of the correctly routed held-out examples falls (unless the router was created with an
   * explicit `threshold`). 0 keeps the router's threshold. The held-out examples are easier
   * than unseen requests, so the loss on real traffic is larger (CLINC150: 0.01 lost 1.0
   * point of accuracy on `val` and caught 66% of its out-of-scope queries; 0.02 lost 3.6
   * points and caught 86%; see docs/quality.md).
   * @defaultValue 0.01
   */
  readonly thresholdLoss?: number;
  /**
   * Train in a worker thread (a second core; the event loop only copies the inputs and swaps
   * the rows in). `false` trains on the calling thread, yielding between slices of work.
   * When a worker cannot start (e.g. a bundler dropped the worker file) the fit falls back to
   * the calling thread.
   * @defaultValue true
   */
  readonly worker?: boolean;
}

export type { FitFeatures } from '../internal/fit-features.js';

/** Fully resolved {@link FitOptions}. @internal */
export interface ResolvedFitOptions {
  readonly epochs: number;
  readonly learningRate: number;
  readonly decay: number;
  readonly l2: number;
  readonly heldOutFraction: number;
  readonly patience: number;
  readonly refit: boolean;
  readonly seed: number;
  readonly includeMainText: boolean;
  readonly calibrationTarget: number;
  readonly feedback: FeedbackSource | undefined;
  readonly feedbackWeight: number;
  readonly features: FitFeatures;
  readonly hashDim: number;
  readonly adopt: 'always' | 'auto';
  readonly thresholdLoss: number;
  readonly worker: boolean;
}

/**
 * Validates {@link FitOptions} eagerly (ERR_INVALID_OPTION) and fills defaults. `defaultFeatures`
 * is the router's choice when `features` is not given (see {@link FitOptions.features}).
 * @internal
 */
export function resolveFitOptions(options: unknown, defaultFeatures: FitFeatures = 'hashed'): ResolvedFitOptions {
  if (options === undefined || options === true) options = {};
  if (!isPlainObject(options)) invalidOption('fit', "'auto', a boolean or a plain FitOptions object", options);
  const o = options as Record<string, unknown>;
  const feedback = o['feedback'];
  if (feedback !== undefined && !Array.isArray(feedback) &&
    !(typeof feedback === 'object' && feedback !== null && Symbol.asyncIterator in feedback)) {
    invalidOption('feedback', 'an array or an async iterable of feedback records', feedback);
  }
  return {
    epochs: optInteger('epochs', o['epochs'], 15, 1, 1000),
    learningRate: optNumber('learningRate', o['learningRate'], 1, 1e-6, 100),
    decay: optNumber('decay', o['decay'], 0.2, 0, 100),
    l2: optNumber('l2', o['l2'], 1e-6, 0, 1),
    heldOutFraction: optNumber('heldOutFraction', o['heldOutFraction'], 0.05, 0, 0.5),
    patience: optInteger('patience', o['patience'], 3, 1, 1000),
    refit: optBoolean('refit', o['refit'], false),
    seed: optInteger('seed', o['seed'], 1, 0, 0xffffffff),
    includeMainText: optBoolean('includeMainText', o['includeMainText'], true),
    calibrationTarget: optNumber('calibrationTarget', o['calibrationTarget'], 0.6, 0.01, 100),
    feedback: feedback as FeedbackSource | undefined,
    feedbackWeight: optNumber('feedbackWeight', o['feedbackWeight'], 1, 0, 1000),
    features: optOneOf('features', o['features'], ['hashed', 'embedder', 'hybrid'] as const, defaultFeatures),
    hashDim: optInteger('hashDim', o['hashDim'], 2048, 16, 65_535),
    adopt: optOneOf('adopt', o['adopt'], ['always', 'auto'] as const, 'always'),
    thresholdLoss: optNumber('thresholdLoss', o['thresholdLoss'], 0.01, 0, 0.5),
    worker: optBoolean('worker', o['worker'], true),
  };
}

/** Fingerprint text of the options that change the learned rows (feedback excluded). @internal */
export function fitOptionsKey(o: ResolvedFitOptions): string {
  const { feedback: _feedback, worker: _worker, ...rest } = o;
  return JSON.stringify(rest);
}
