// Gamma-Gamma spend model: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer
// base analysis", and Fader & Hardie's note "The Gamma-Gamma model of monetary value". A transaction's value
// is Gamma(p, ν) around the customer's mean, and ν ~ Gamma(q, v) across customers. Fitted to repeat buyers
// (x > 0) on the mean value of their repeat purchases; independent of the purchase-count model.
import { maximizeLogLikelihood, WARM_START_ROWS, type FitOptions, type FitResult } from './fit.ts';
import { logGamma } from './special-functions.ts';

export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

/** log L(p, q, v | x, z̄) for a customer with x > 0 repeat purchases of mean value z̄ > 0. */
export function gammaGammaLogLikelihood(params: GammaGammaParams, frequency: number, monetaryValue: number): number {
  const { p, q, v } = params;
  const x = frequency;
  const m = monetaryValue;
  return (
    logGamma(p * x + q) - logGamma(p * x) - logGamma(q) + q * Math.log(v) + (p * x - 1) * Math.log(m) + p * x * Math.log(x) - (p * x + q) * Math.log(x * m + v)
  );
}

/**
 * Customers grouped by x: the gamma functions and the terms in log z̄ are summed per distinct x, so each
 * evaluation costs one logarithm per customer (of x z̄ + v), over typed arrays.
 */
export interface GammaGammaData {
  customers: number;
  /** Per customer (x > 0, z̄ > 0): its x's group, and x·z̄. */
  group: Int32Array;
  xm: Float64Array;
  /** Per distinct x: the x, the number of customers, and Σ log z̄ over them. */
  groupX: Float64Array;
  groupCount: Float64Array;
  groupSumLogM: Float64Array;
}

/** The repeat buyers (frequency > 0 and monetary value > 0) of a summary, prepared for fitting. */
export function prepareGammaGamma(frequency: ArrayLike<number>, monetaryValue: ArrayLike<number>): GammaGammaData {
  const groups = new Map<number, number>();
  const groupX: number[] = [];
  const groupCount: number[] = [];
  const groupSumLogM: number[] = [];
  const group = new Int32Array(frequency.length);
  const xm = new Float64Array(frequency.length);
  let customers = 0;
  for (let i = 0; i < frequency.length; i++) {
    const x = frequency[i] ?? 0;
    const m = monetaryValue[i] ?? 0;
    if (!(x > 0 && m > 0)) continue;
    if (!Number.isFinite(m) || !Number.isInteger(x)) throw new RangeError(`row ${i}: frequency must be a whole number and monetary value finite`);
    let g = groups.get(x);
    if (g === undefined) {
      g = groupX.length;
      groups.set(x, g);
      groupX.push(x);
      groupCount.push(0);
      groupSumLogM.push(0);
    }
    groupCount[g] = (groupCount[g] ?? 0) + 1;
    groupSumLogM[g] = (groupSumLogM[g] ?? 0) + Math.log(m);
    group[customers] = g;
    xm[customers] = x * m;
    customers++;
  }
  return {
    customers,
    group: group.slice(0, customers),
    xm: xm.slice(0, customers),
    groupX: Float64Array.from(groupX),
    groupCount: Float64Array.from(groupCount),
    groupSumLogM: Float64Array.from(groupSumLogM),
  };
}

export function gammaGammaLogLikelihoodOf(d: GammaGammaData): (theta: Float64Array) => number {
  const pxq = new Float64Array(d.groupX.length);
  const { group, xm, groupX, groupCount, groupSumLogM } = d;
  return (theta) => {
    const p = Math.exp(theta[0] ?? 0);
    const q = Math.exp(theta[1] ?? 0);
    const v = Math.exp(theta[2] ?? 0);
    let total = 0;
    const perCustomer = -logGamma(q) + q * Math.log(v);
    for (let g = 0; g < groupX.length; g++) {
      const x = groupX[g] ?? 0;
      const px = p * x;
      pxq[g] = px + q;
      total += (groupCount[g] ?? 0) * (logGamma(px + q) - logGamma(px) + perCustomer + px * Math.log(x)) + (px - 1) * (groupSumLogM[g] ?? 0);
    }
    for (let i = 0; i < xm.length; i++) total -= (pxq[group[i] ?? 0] ?? 0) * Math.log((xm[i] ?? 0) + v);
    return total;
  };
}

function subsample(d: GammaGammaData, k: number): GammaGammaData {
  const n = Math.ceil(d.customers / k);
  const group = new Int32Array(n);
  const xm = new Float64Array(n);
  const groupCount = new Float64Array(d.groupX.length);
  const groupSumLogM = new Float64Array(d.groupX.length);
  for (let j = 0, i = 0; i < d.customers; i += k, j++) {
    const g = d.group[i] ?? 0;
    const x = d.groupX[g] ?? 1;
    group[j] = g;
    xm[j] = d.xm[i] ?? 0;
    groupCount[g] = (groupCount[g] ?? 0) + 1;
    groupSumLogM[g] = (groupSumLogM[g] ?? 0) + Math.log((d.xm[i] ?? 0) / x);
  }
  return { customers: n, group, xm, groupX: d.groupX, groupCount, groupSumLogM };
}

export function toGammaGammaParams(values: readonly number[]): GammaGammaParams {
  return { p: values[0] ?? NaN, q: values[1] ?? NaN, v: values[2] ?? NaN };
}

/** Fits Gamma-Gamma to the repeat buyers among the given customers (the others are skipped; n counts those used). */
export function fitGammaGamma(
  data: { frequency: ArrayLike<number>; monetaryValue: ArrayLike<number> } | GammaGammaData,
  options: FitOptions = {},
): FitResult<GammaGammaParams> {
  const d = 'xm' in data ? data : prepareGammaGamma(data.frequency, data.monetaryValue);
  if (d.customers === 0) throw new RangeError('no repeat buyers with a positive monetary value to fit the spend model to');
  let sample;
  if (d.customers > WARM_START_ROWS) {
    const part = subsample(d, Math.ceil(d.customers / (WARM_START_ROWS / 2)));
    sample = { logLikelihood: gammaGammaLogLikelihoodOf(part), scale: d.customers / part.customers };
  }
  const fit = maximizeLogLikelihood({ logLikelihood: gammaGammaLogLikelihoodOf(d), sample }, 3, options);
  return { ...fit, params: toGammaGammaParams(fit.params), n: d.customers };
}

/**
 * E[M | p, q, v, x, z̄]: the expected mean transaction value of a customer, a weighted mean of the
 * population mean p·v / (q − 1) and the customer's own z̄ (defined for q > 1).
 */
export function gammaGammaConditionalExpectedValue(params: GammaGammaParams, frequency: number, monetaryValue: number): number {
  const { p, q, v } = params;
  const x = frequency;
  const denominator = p * x + q - 1;
  // With q <= 1 the population mean spend is infinite: no finite expectation for a customer without history.
  if (!(denominator > 0)) return NaN;
  return (p * (v + x * monetaryValue)) / denominator;
}
