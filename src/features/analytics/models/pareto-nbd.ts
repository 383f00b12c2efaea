// Pareto/NBD: Schmittlein, Morrison & Colombo (1987). While active a customer buys at rate λ ~ Gamma(r, α);
// their lifetime is exponential with rate μ ~ Gamma(s, β). The likelihood is that of Fader & Hardie (2005),
// "A note on deriving the Pareto/NBD model and related expressions", written with the Gauss hypergeometric
// function, with its two forms for α >= β and α < β.
import type { PurchaseHistory } from './bgnbd.ts';
import { aggregateChecked, maximizeLogLikelihood, sampleOf, WARM_START_ROWS, type FitOptions, type FitResult } from './fit.ts';
import { hyp2f1, logAddExp, logGamma, logSubExp } from './special-functions.ts';
import type { AggregatedSummary, SummaryColumns } from './summary.ts';

export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

/**
 * log A0 of the note (equations 19–20): the part of the likelihood for a customer who dropped out between
 * t_x and T, a difference of two 2F1 terms evaluated in log space. The 2F1 argument is |α − β| / (max + t),
 * which approaches 1 when one of α, β is much smaller than the other; hyp2f1 transforms it there.
 */
export function paretoLogA0(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = params;
  const rsx = r + s + x;
  const big = Math.max(alpha, beta);
  const gap = Math.abs(alpha - beta);
  const second = alpha >= beta ? s + 1 : r + x;
  const logTerm = (t: number) => Math.log(hyp2f1(rsx, second, rsx + 1, gap / (big + t))) - rsx * Math.log(big + t);
  return logSubExp(logTerm(tx), logTerm(T));
}

/** log L(r, α, s, β | x, t_x, T) (Fader & Hardie 2005 note, equation 18). */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, c: PurchaseHistory): number {
  const { r, alpha, s, beta } = params;
  const x = c.frequency;
  const base = logGamma(r + x) - logGamma(r) + r * Math.log(alpha) + s * Math.log(beta);
  const aliveAtT = -(r + x) * Math.log(alpha + c.T) - s * Math.log(beta + c.T);
  const diedBefore = Math.log(s) - Math.log(r + s + x) + paretoLogA0(params, x, c.recency, c.T);
  return base + logAddExp(aliveAtT, diedBefore);
}

export function paretoNbdLogLikelihoodOf(d: AggregatedSummary): (theta: Float64Array) => number {
  const { weight, xIndex, txIndex, TIndex, distinctX, distinctT, distinctTx } = d;
  return (theta) => {
    const params = toParetoNbdParams([...theta].map(Math.exp));
    let total = 0;
    for (let i = 0; i < weight.length; i++) {
      const c = {
        frequency: distinctX[xIndex[i] ?? 0] ?? 0,
        recency: distinctTx[txIndex[i] ?? 0] ?? 0,
        T: distinctT[TIndex[i] ?? 0] ?? 0,
      };
      total += (weight[i] ?? 0) * paretoNbdLogLikelihood(params, c);
    }
    return total;
  };
}

export function toParetoNbdParams(v: readonly number[]): ParetoNbdParams {
  return { r: v[0] ?? NaN, alpha: v[1] ?? NaN, s: v[2] ?? NaN, beta: v[3] ?? NaN };
}

export function fitParetoNbd(data: SummaryColumns | AggregatedSummary, options: FitOptions = {}): FitResult<ParetoNbdParams> {
  const aggregated = 'weight' in data ? data : aggregateChecked(data);
  const problem = {
    logLikelihood: paretoNbdLogLikelihoodOf(aggregated),
    sample: aggregated.rows > WARM_START_ROWS ? sampleOf(aggregated, paretoNbdLogLikelihoodOf) : undefined,
  };
  const fit = maximizeLogLikelihood(problem, 4, options);
  return { ...fit, params: toParetoNbdParams(fit.params), n: aggregated.customers };
}

/** P(alive at T | x, t_x, T) (note, equation 21). */
export function paretoNbdProbabilityAlive(params: ParetoNbdParams, c: PurchaseHistory): number {
  const { r, alpha, s, beta } = params;
  const x = c.frequency;
  const logAlive = logGamma(r + x) - logGamma(r) + r * Math.log(alpha) + s * Math.log(beta) - (r + x) * Math.log(alpha + c.T) - s * Math.log(beta + c.T);
  return Math.min(1, Math.exp(logAlive - paretoNbdLogLikelihood(params, c)));
}

/** [1 − (1 + t/k)^(−(s−1))] / (s − 1), with its limit log(1 + t/k) at s = 1. */
function lifetimeFactor(s: number, t: number, k: number): number {
  const u = Math.log1p(t / k);
  if (Math.abs(s - 1) < 1e-12) return u;
  return -Math.expm1(-(s - 1) * u) / (s - 1);
}

/** E[Y(t) | x, t_x, T]: expected purchases in the next t time units (note, equation 22). */
export function paretoNbdConditionalExpectedPurchases(params: ParetoNbdParams, t: number, c: PurchaseHistory): number {
  if (t <= 0) return 0;
  const { r, alpha, beta, s } = params;
  const x = c.frequency;
  return (paretoNbdProbabilityAlive(params, c) * (r + x) * (beta + c.T)) / (alpha + c.T) * lifetimeFactor(s, t, beta + c.T);
}

/** E[X(t)]: expected purchases of a new customer in a period of length t. */
export function paretoNbdExpectedPurchases(params: ParetoNbdParams, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, s, beta } = params;
  return ((r * beta) / alpha) * lifetimeFactor(s, t, beta);
}
