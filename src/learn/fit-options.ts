import { invalidOption } from '../errors.js';
import { isPlainObject, optBoolean, optInteger, optNumber } from '../config/validate.js';
import type { FeedbackSource } from './feedback.js';

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
}

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
}

/** Validates {@link FitOptions} eagerly (ERR_INVALID_OPTION) and fills defaults. @internal */
export function resolveFitOptions(options: unknown): ResolvedFitOptions {
  if (options === undefined || options === true) options = {};
  if (!isPlainObject(options)) invalidOption('fit', 'true or a plain FitOptions object', options);
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
  };
}

/** Fingerprint text of the options that change the learned rows (feedback excluded). @internal */
export function fitOptionsKey(o: ResolvedFitOptions): string {
  const { feedback: _feedback, ...rest } = o;
  return JSON.stringify(rest);
}
