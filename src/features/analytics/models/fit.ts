// Maximum likelihood over log-parameters, shared by the three models.
import { minimize, newtonPolish } from './optimize.ts';
import { aggregateSummary, sampleRows, validateSummary, type AggregatedSummary, type SummaryColumns } from './summary.ts';

export interface FitOptions {
  /** Iteration budget of the optimiser (all restarts together). */
  maxIterations?: number;
  /** Starting point (default: every parameter 1, as the lifetimes library does). */
  initial?: readonly number[];
}

export interface FitResult<P> {
  params: P;
  logLikelihood: number;
  /** Customers the model was fitted to. */
  n: number;
  converged: boolean;
  iterations: number;
  evaluations: number;
  restarts: number;
  /** Milliseconds spent fitting. */
  ms: number;
}

export interface LogLikelihoodProblem {
  /** Total log-likelihood at the parameters exp(theta). */
  logLikelihood(theta: Float64Array): number;
  /** The same on a small part of the data, to find a starting point cheaply on big data sets. */
  sample?: { logLikelihood(theta: Float64Array): number; scale: number };
}

export interface RawFit {
  params: number[];
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  evaluations: number;
  restarts: number;
  ms: number;
}

export function maximizeLogLikelihood(problem: LogLikelihoodProblem, dimension: number, options: FitOptions = {}): RawFit {
  const started = performance.now();
  const initial = options.initial ?? new Array<number>(dimension).fill(1);
  if (initial.length !== dimension || initial.some((v) => !(v > 0 && Number.isFinite(v)))) {
    throw new RangeError(`the starting point needs ${dimension} positive parameters`);
  }
  let theta0 = initial.map(Math.log);
  let iterations = 0;
  let evaluations = 0;
  const maxIterations = options.maxIterations ?? 5000;
  const negative = (t: Float64Array) => -problem.logLikelihood(t);
  // Nelder–Mead finds the neighbourhood of the optimum (on a sample of big data sets: the sample's optimum is
  // close to the full one), then Newton steps on all the data converge in two or three steps from there and
  // confirm a maximum (positive-definite Hessian). If they fail, Nelder–Mead with restarts finishes the job.
  const sample = problem.sample;
  const coarse = sample ? (t: Float64Array) => -sample.logLikelihood(t) * sample.scale : negative;
  const pre = minimize(coarse, theta0, { maxIterations, fTolerance: 1e-9, xTolerance: 1e-4, maxRestarts: 1 });
  iterations += pre.iterations;
  evaluations += pre.evaluations;
  if (pre.converged) {
    const polished = newtonPolish(negative, pre.x);
    iterations += polished.steps;
    evaluations += polished.evaluations;
    if (polished.converged) {
      return {
        params: polished.x.map(Math.exp),
        logLikelihood: -polished.value,
        converged: iterations <= maxIterations,
        iterations,
        evaluations,
        restarts: pre.restarts,
        ms: performance.now() - started,
      };
    }
    theta0 = sample || polished.value <= pre.value ? polished.x : pre.x;
  } else if (iterations >= maxIterations) {
    return { params: pre.x.map(Math.exp), logLikelihood: sample ? -negative(new Float64Array(pre.x)) : -pre.value, converged: false, iterations, evaluations, restarts: pre.restarts, ms: performance.now() - started };
  }
  const result = minimize(negative, theta0, {
    maxIterations: Math.max(1, maxIterations - iterations),
    initialStep: 0.05,
  });
  return {
    params: result.x.map(Math.exp),
    logLikelihood: -result.value,
    converged: result.converged,
    iterations: iterations + result.iterations,
    evaluations: evaluations + result.evaluations,
    restarts: result.restarts,
    ms: performance.now() - started,
  };
}

/** Rows above which a fit first runs on a sample of the aggregated rows. */
export const WARM_START_ROWS = 20_000;

export function aggregateChecked(data: SummaryColumns): AggregatedSummary {
  const problem = validateSummary(data);
  if (problem) throw new RangeError(problem);
  return aggregateSummary(data);
}

export function sampleOf(
  d: AggregatedSummary,
  make: (d: AggregatedSummary) => (theta: Float64Array) => number,
): { logLikelihood: (theta: Float64Array) => number; scale: number } {
  return { logLikelihood: make(sampleRows(d, WARM_START_ROWS / 2)), scale: 1 };
}
