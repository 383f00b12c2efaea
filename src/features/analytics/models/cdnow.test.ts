// Validation on the CDNOW reference data: the published parameters, log-likelihoods and figures of
// data-sets/cdnow/README.md (read from ../shared/data/cdnow when present, else the copy in data-sets/).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bgnbdConditionalExpectedPurchases, bgnbdExpectedPurchases, bgnbdLogLikelihood, bgnbdProbabilityOfPurchases, fitBgnbd, type BgnbdParams } from './bgnbd.ts';
import { CDNOW_CALIBRATION_END, CDNOW_LOG, CDNOW_SUMMARY, cdnowDirectory, loadCdnowLog, loadCdnowSummary } from './cdnow.ts';
import { customerLifetimeValue } from './clv.ts';
import { fitGammaGamma, gammaGammaConditionalExpectedValue } from './gamma-gamma.ts';
import { fitParetoNbd, paretoNbdConditionalExpectedPurchases, paretoNbdExpectedPurchases, paretoNbdLogLikelihood, paretoNbdProbabilityAlive, type ParetoNbdParams } from './pareto-nbd.ts';
import { predictCustomer } from './predict.ts';
import { dayNumber, summarizeTransactions, toColumns, type CustomerSummary } from './summary.ts';

const PUBLISHED_BGNBD: BgnbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

let summary: CustomerSummary[];
let fromLog: CustomerSummary[];

beforeAll(() => {
  const dir = cdnowDirectory();
  summary = loadCdnowSummary(dir);
  const end = dayNumber(CDNOW_CALIBRATION_END);
  if (end === null) throw new Error('bad calibration end');
  fromLog = summarizeTransactions(loadCdnowLog(dir), { calibrationEnd: end, timeUnit: 'week' });
});

function expectParams(actual: object, expected: Record<string, number>, loose: readonly string[]) {
  for (const [name, value] of Object.entries(expected)) {
    const got = (actual as Record<string, number>)[name];
    const tolerance = loose.includes(name) ? 0.1 : 0.01;
    expect(Math.abs((got ?? NaN) - value), `${name} = ${got}, published ${value}`).toBeLessThanOrEqual(tolerance);
  }
}

describe('summary from the raw CDNOW log', () => {
  it('equals the published summary file row for row (to 2 decimals)', () => {
    expect(fromLog).toHaveLength(2357);
    expect(fromLog.map((c) => c.id)).toEqual(summary.map((c) => c.id));
    const close = (a: number, b: number) => Math.abs(a - b) <= 0.005 + 1e-9;
    const mismatches = summary.filter((ref, i) => {
      const c = fromLog[i];
      return !c || c.frequency !== ref.frequency || !close(c.recency, ref.recency) || !close(c.T, ref.T) || !close(c.monetaryValue, ref.monetaryValue);
    });
    expect(mismatches).toEqual([]);
  });

  it('merges purchases on the same day and counts only repeat purchases', () => {
    // Customer 1: 1997-01-01, 01-18, 08-02 in calibration (12-12 after it) → 2 repeats, mean of 29.73 and 14.96
    expect(fromLog[0]).toMatchObject({ id: '1', frequency: 2, monetaryValue: (29.73 + 14.96) / 2 });
    expect(fromLog[0]?.recency).toBeCloseTo(213 / 7, 12);
    expect(fromLog[0]?.T).toBeCloseTo(272 / 7, 12);
  });
});

describe('BG/NBD on CDNOW', () => {
  it('reproduces the published parameters and log-likelihood, from the summary file and from the raw log', () => {
    for (const data of [summary, fromLog]) {
      const fit = fitBgnbd(toColumns(data));
      expect(fit.converged).toBe(true);
      expect(fit.n).toBe(2357);
      expectParams(fit.params, { ...PUBLISHED_BGNBD }, ['alpha']);
      expect(Math.abs(fit.logLikelihood - -9582.4)).toBeLessThan(0.05);
    }
  });

  it('fits the same model in days: alpha × 7, the log-likelihood shifted by the time-unit Jacobian', () => {
    const end = dayNumber(CDNOW_CALIBRATION_END) ?? NaN;
    const inDays = summarizeTransactions(loadCdnowLog(cdnowDirectory()), { calibrationEnd: end, timeUnit: 'day' });
    const weeks = fitBgnbd(toColumns(fromLog));
    const days = fitBgnbd(toColumns(inDays));
    expect(days.params.alpha / 7).toBeCloseTo(weeks.params.alpha, 3);
    expect(days.params.r).toBeCloseTo(weeks.params.r, 4);
    expect(days.params.b).toBeCloseTo(weeks.params.b, 3);
    const repeatPurchases = inDays.reduce((sum, c) => sum + c.frequency, 0);
    expect(days.logLikelihood).toBeCloseTo(weeks.logLikelihood - repeatPurchases * Math.log(7), 4);
  });

  it('reproduces the published forecasts', () => {
    const fitted = fitBgnbd(toColumns(summary)).params;
    // E[X(t)] at t = 1, 3, 32, 78 weeks (published to 4 decimals from the unrounded estimates)
    const expected = [0.0532, 0.1506, 1.0437, 1.8576];
    [1, 3, 32, 78].forEach((t, i) => {
      expect(Math.abs(bgnbdExpectedPurchases(fitted, t) - (expected[i] ?? NaN))).toBeLessThan(5e-4);
    });
    // Conditional expectation for x = 2, t_x = 30.43, T = 38.86 over the next 39 weeks
    const customer = { frequency: 2, recency: 30.43, T: 38.86 };
    expect(bgnbdConditionalExpectedPurchases(fitted, 39, customer)).toBeCloseTo(1.226, 3);
    expect(bgnbdConditionalExpectedPurchases(PUBLISHED_BGNBD, 39, customer)).toBeCloseTo(1.226, 3);
    // P(X(39) = 0) for a new customer: 0.5738 at the published (rounded) parameters
    expect(bgnbdProbabilityOfPurchases(PUBLISHED_BGNBD, 39, 0)).toBeCloseTo(0.5738, 4);
    expect(Math.abs(bgnbdProbabilityOfPurchases(fitted, 39, 0) - 0.5738)).toBeLessThan(1e-3);
  });

  it('has a total log-likelihood of -9582.4 at the published parameters (to their rounding)', () => {
    const total = summary.reduce((sum, c) => sum + bgnbdLogLikelihood(PUBLISHED_BGNBD, c), 0);
    expect(Math.abs(total - -9582.4)).toBeLessThan(0.5);
  });

  it('P(X(t) = n) is a distribution', () => {
    let sum = 0;
    for (let n = 0; n < 400; n++) sum += bgnbdProbabilityOfPurchases(PUBLISHED_BGNBD, 39, n);
    expect(sum).toBeCloseTo(1, 9);
  });
});

describe('Pareto/NBD on CDNOW', () => {
  it('reproduces the published parameters and log-likelihood', () => {
    const fit = fitParetoNbd(toColumns(summary));
    expect(fit.converged).toBe(true);
    expectParams(fit.params, { r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 }, ['alpha', 'beta']);
    expect(Math.abs(fit.logLikelihood - -9595.0)).toBeLessThan(0.05);
    // Its forecasts are consistent: a new customer's E[X(t)] is the conditional one at x = t_x = T = 0.
    expect(paretoNbdConditionalExpectedPurchases(fit.params, 39, { frequency: 0, recency: 0, T: 0 })).toBeCloseTo(paretoNbdExpectedPurchases(fit.params, 39), 12);
    const alive = paretoNbdProbabilityAlive(fit.params, { frequency: 2, recency: 30.43, T: 38.86 });
    expect(alive).toBeGreaterThan(0);
    expect(alive).toBeLessThan(1);
  }, 20_000);

  it('computes the likelihood with both 2F1 forms (α ≥ β and α < β), also with the 2F1 argument near 1', () => {
    // L = Γ(r+x)α^r β^s / Γ(r) · [ (α+T)^-(r+x) (β+T)^-s + s ∫_{t_x}^T (α+τ)^-(r+x) (β+τ)^-(s+1) dτ ],
    // the integral over the dropout time evaluated by mpmath at 30 digits.
    const customers = [
      { frequency: 0, recency: 0, T: 38.86 },
      { frequency: 2, recency: 30.43, T: 38.86 },
      { frequency: 14, recency: 5.5, T: 60 },
    ];
    const cases: Array<[ParetoNbdParams, number[]]> = [
      [{ r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 }, [-0.5210064705683346, -9.554246553409405, -19.10236253609818]],
      [{ r: 0.553, alpha: 11.67, s: 0.606, beta: 10.58 }, [-0.4799391826843432, -9.599319807627525, -19.90417406453739]],
      [{ r: 2.5, alpha: 0.05, s: 1.0, beta: 80 }, [-7.785469189809605, -22.06275359520199, -12.32483912346921]],
      [{ r: 0.3, alpha: 120, s: 3.2, beta: 0.02 }, [-2.2723432474428755e-05, -34.571284656678074, -63.63546195625315]],
    ];
    for (const [params, expected] of cases) {
      customers.forEach((c, i) => {
        const want = expected[i] ?? NaN;
        expect(Math.abs(paretoNbdLogLikelihood(params, c) - want)).toBeLessThan(1e-8 * Math.max(1, Math.abs(want)));
      });
    }
  });
});

describe('Gamma-Gamma on CDNOW', () => {
  it('reproduces the published parameters on the 946 repeat buyers', () => {
    for (const data of [summary, fromLog]) {
      const fit = fitGammaGamma(toColumns(data));
      expect(fit.converged).toBe(true);
      expect(fit.n).toBe(946);
      expectParams(fit.params, { p: 6.25, q: 3.74, v: 15.44 }, ['v']);
    }
  });

  it('reproduces the published conditional expected order values of customers 1–10', () => {
    const fit = fitGammaGamma(toColumns(summary));
    const published = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
    summary.slice(0, 10).forEach((c, i) => {
      expect(Math.abs(gammaGammaConditionalExpectedValue(fit.params, c.frequency, c.monetaryValue) - (published[i] ?? NaN))).toBeLessThan(0.01);
    });
  });
});

describe('customer lifetime value on CDNOW', () => {
  it('reproduces the lifetimes library’s documented CLV of customers 1–10', () => {
    // lifetimes' quickstart: ggf.customer_lifetime_value(bgf, …, time=12, discount_rate=0.01) with its default
    // freq="D", which counts 30 model time units (here weeks) to a month.
    const bg = fitBgnbd(toColumns(summary)).params;
    const gg = fitGammaGamma(toColumns(summary)).params;
    const documented = [140.096218, 18.943466, 38.180575, 38.180575, 38.180575, 1003.868285, 28.109681, 38.180575, 167.418224, 38.180575];
    summary.slice(0, 10).forEach((c, i) => {
      const clv = customerLifetimeValue(
        (t) => bgnbdConditionalExpectedPurchases(bg, t, c),
        gammaGammaConditionalExpectedValue(gg, c.frequency, c.monetaryValue),
        { months: 12, monthlyDiscountRate: 0.01, timeUnit: 'week', unitsPerMonth: 30 },
      );
      expect(Math.abs(clv - (documented[i] ?? NaN))).toBeLessThan(0.01);
    });
  });

  it('without discounting is the expected order value times the expected purchases', () => {
    const bg = fitBgnbd(toColumns(summary)).params;
    const c = { frequency: 2, recency: 30.43, T: 38.86 };
    const clv = customerLifetimeValue((t) => bgnbdConditionalExpectedPurchases(bg, t, c), 20, { months: 12, monthlyDiscountRate: 0, timeUnit: 'week' });
    expect(clv).toBeCloseTo(20 * bgnbdConditionalExpectedPurchases(bg, 12 * 4.345, c), 10);
  });
});

describe('predictCustomer', () => {
  it('gathers the forecasts of one customer', () => {
    const bg = fitBgnbd(toColumns(summary)).params;
    const gg = fitGammaGamma(toColumns(summary)).params;
    const customer = summary[0];
    if (!customer) throw new Error('no customer');
    const prediction = predictCustomer({ kind: 'bgnbd', params: bg }, gg, customer, { horizon: 39, months: 12, monthlyDiscountRate: 0.01, timeUnit: 'week', unitsPerMonth: 30 });
    expect(prediction.expectedOrderValue).toBeCloseTo(24.6586, 3);
    expect(prediction.lifetimeValue).toBeCloseTo(140.096, 2);
    expect(prediction.expectedPurchases).toBeCloseTo(bgnbdConditionalExpectedPurchases(bg, 39, customer), 12);
    expect(prediction.probabilityAlive).toBeGreaterThan(0.5);
    const pareto = predictCustomer({ kind: 'pareto-nbd', params: { r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 } }, gg, customer, { horizon: 39, months: 12, monthlyDiscountRate: 0.01, timeUnit: 'week' });
    expect(pareto.expectedPurchases).toBeGreaterThan(0);
    expect(pareto.probabilityAlive).toBeLessThanOrEqual(1);
  });
});

describe('the CDNOW data', () => {
  it('ships with the project in data-sets/cdnow, identical to the shared copy when there is one', () => {
    const root = resolve(import.meta.dirname, '../../../..');
    const shipped = resolve(root, 'data-sets/cdnow');
    expect(cdnowDirectory(join(root, 'no-such-dir', 'x'))).toBe(resolve(root, 'no-such-dir/x/data-sets/cdnow'));
    for (const file of [CDNOW_LOG, CDNOW_SUMMARY]) {
      expect(existsSync(join(shipped, file))).toBe(true);
      const shared = resolve(root, '../shared/data/cdnow', file);
      if (existsSync(shared)) expect(readFileSync(join(shipped, file)).equals(readFileSync(shared))).toBe(true);
    }
  });
});
