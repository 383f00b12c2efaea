// BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
// Pareto/NBD model", Marketing Science 24(2). While active a customer buys at rate λ ~ Gamma(r, α); after
// each purchase they drop out with probability p ~ Beta(a, b).
import { aggregateChecked, maximizeLogLikelihood, sampleOf, WARM_START_ROWS, type FitOptions, type FitResult } from './fit.ts';
import { hyp2f1, logBeta, logGamma } from './special-functions.ts';
import type { AggregatedSummary, SummaryColumns } from './summary.ts';

export interface BgnbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** A customer's calibration summary: repeat purchases x, time of the last purchase t_x, age T. */
export interface PurchaseHistory {
  frequency: number;
  recency: number;
  T: number;
}

/** log L(r, α, a, b | x, t_x, T), FHL (2005) equation 6. */
export function bgnbdLogLikelihood(params: BgnbdParams, c: PurchaseHistory): number {
  const { r, alpha, a, b } = params;
  const x = c.frequency;
  const base = logGamma(r + x) - logGamma(r) + r * Math.log(alpha) + logBeta(a, b + x) - logBeta(a, b);
  const stillActive = -(r + x) * Math.log(alpha + c.T);
  if (x === 0) return base + stillActive;
  const droppedOut = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + c.recency);
  return base + logAdd(stillActive, droppedOut);
}

function logAdd(u: number, v: number): number {
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}

/**
 * The total log-likelihood over aggregated rows as a function of log-parameters. Everything that depends on
 * x alone (the gamma functions) is computed once per distinct x, the logarithms once per distinct t_x and
 * T, so the loop over rows does one exp and one log1p per row and allocates nothing.
 */
export function bgnbdLogLikelihoodOf(d: AggregatedSummary): (theta: Float64Array) => number {
  const nx = d.distinctX.length;
  const c1 = new Float64Array(nx);
  const rx = new Float64Array(nx);
  const c4 = new Float64Array(nx);
  const logAT = new Float64Array(d.distinctT.length);
  const logAtx = new Float64Array(d.distinctTx.length);
  const { weight, xIndex, txIndex, TIndex, distinctX, distinctT, distinctTx } = d;
  return (theta) => {
    const r = Math.exp(theta[0] ?? 0);
    const alpha = Math.exp(theta[1] ?? 0);
    const a = Math.exp(theta[2] ?? 0);
    const b = Math.exp(theta[3] ?? 0);
    const base = -logGamma(r) + r * Math.log(alpha) + logGamma(a + b) - logGamma(b);
    const logA = Math.log(a);
    for (let k = 0; k < nx; k++) {
      const x = distinctX[k] ?? 0;
      c1[k] = base + logGamma(r + x) + logGamma(b + x) - logGamma(a + b + x);
      rx[k] = r + x;
      c4[k] = x > 0 ? logA - Math.log(b + x - 1) : -Infinity;
    }
    for (let k = 0; k < distinctT.length; k++) logAT[k] = Math.log(alpha + (distinctT[k] ?? 0));
    for (let k = 0; k < distinctTx.length; k++) logAtx[k] = Math.log(alpha + (distinctTx[k] ?? 0));
    let total = 0;
    for (let i = 0; i < weight.length; i++) {
      const xi = xIndex[i] ?? 0;
      const q = rx[xi] ?? 0;
      const u = -q * (logAT[TIndex[i] ?? 0] ?? 0);
      const c = c4[xi] ?? -Infinity;
      let ll: number;
      if (c === -Infinity) {
        ll = u;
      } else {
        const v = c - q * (logAtx[txIndex[i] ?? 0] ?? 0);
        ll = u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
      }
      total += (weight[i] ?? 0) * ((c1[xi] ?? 0) + ll);
    }
    return total;
  };
}

export function toBgnbdParams(v: readonly number[]): BgnbdParams {
  return { r: v[0] ?? NaN, alpha: v[1] ?? NaN, a: v[2] ?? NaN, b: v[3] ?? NaN };
}

/** Fits BG/NBD by maximum likelihood. Throws a RangeError on invalid summaries. */
export function fitBgnbd(data: SummaryColumns | AggregatedSummary, options: FitOptions = {}): FitResult<BgnbdParams> {
  const aggregated = 'weight' in data ? data : aggregateChecked(data);
  const problem = {
    logLikelihood: bgnbdLogLikelihoodOf(aggregated),
    sample: aggregated.rows > WARM_START_ROWS ? sampleOf(aggregated, bgnbdLogLikelihoodOf) : undefined,
  };
  const fit = maximizeLogLikelihood(problem, 4, options);
  return { ...fit, params: toBgnbdParams(fit.params), n: aggregated.customers };
}

// The expectations below divide by (a − 1); at a = 1 the limit exists, and we take it by interpolating
// between a = 1 ± this distance.
const A_NEAR_ONE = 1e-6;

/**
 * E[Y(t) | x, t_x, T]: expected purchases in the next t time units of a customer with this history, FHL
 * (2005) equation 10. With x = t_x = T = 0 it is E[X(t)] of a new customer (equation 9).
 * Written with Euler's transformation, (1 − z)^(r+x) 2F1(r + x, b + x; a + b + x − 1; z)
 * = (1 − z)^(a−1) 2F1(a + b − 1 − r, a − 1; a + b + x − 1; z), whose parameters do not grow with x.
 */
export function bgnbdConditionalExpectedPurchases(params: BgnbdParams, t: number, c: PurchaseHistory): number {
  if (t <= 0) return 0;
  if (Math.abs(params.a - 1) < A_NEAR_ONE) {
    const low = bgnbdConditionalExpectedPurchases({ ...params, a: 1 - A_NEAR_ONE }, t, c);
    const high = bgnbdConditionalExpectedPurchases({ ...params, a: 1 + A_NEAR_ONE }, t, c);
    return low + ((high - low) * (params.a - (1 - A_NEAR_ONE))) / (2 * A_NEAR_ONE);
  }
  const { r, alpha, a, b } = params;
  const x = c.frequency;
  const z = t / (alpha + c.T + t);
  const f = hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z);
  const bracket = -Math.expm1((a - 1) * Math.log1p(-z)) - Math.exp((a - 1) * Math.log1p(-z)) * (f - 1);
  return (((a + b + x - 1) / (a - 1)) * bracket) * bgnbdProbabilityAlive(params, c);
}

/** E[X(t)]: expected purchases of a new customer in a period of length t (FHL 2005, equation 9). */
export function bgnbdExpectedPurchases(params: BgnbdParams, t: number): number {
  return bgnbdConditionalExpectedPurchases(params, t, { frequency: 0, recency: 0, T: 0 });
}

/** P(alive | x, t_x, T) (FHL 2005 appendix / lifetimes' conditional_probability_alive). */
export function bgnbdProbabilityAlive(params: BgnbdParams, c: PurchaseHistory): number {
  const { r, alpha, a, b } = params;
  const x = c.frequency;
  if (x === 0) return 1;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + c.T) - Math.log(alpha + c.recency));
  return 1 / (1 + Math.exp(logOdds));
}

/** P(X(t) = n): probability that a new customer makes exactly n purchases in a period of length t (equation 8). */
export function bgnbdProbabilityOfPurchases(params: BgnbdParams, t: number, n: number): number {
  const { r, alpha, a, b } = params;
  const logStay = r * (Math.log(alpha) - Math.log(alpha + t));
  const logRate = Math.log(t) - Math.log(alpha + t);
  const logNbd = (j: number) => logGamma(r + j) - logGamma(r) - logGamma(j + 1) + logStay + (j === 0 ? 0 : j * logRate);
  let p = Math.exp(logBeta(a, b + n) - logBeta(a, b) + logNbd(n));
  if (n > 0) {
    let cumulative = 0;
    for (let j = 0; j < n; j++) cumulative += Math.exp(logNbd(j));
    p += Math.exp(logBeta(a + 1, b + n - 1) - logBeta(a, b)) * (1 - cumulative);
  }
  return p;
}
