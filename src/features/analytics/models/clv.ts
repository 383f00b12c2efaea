// Customer lifetime value as a discounted cash flow over months, in the manner of the lifetimes library:
// each month's expected purchases (the difference of the cumulative forecast at its end and its start)
// times the expected order value, discounted at a monthly rate.
import type { TimeUnit } from './summary.ts';

/** Model time units in a month (lifetimes uses 4.345 weeks and 30 days). */
export const UNITS_PER_MONTH: Record<TimeUnit, number> = { week: 4.345, day: 30 };

export interface ClvOptions {
  /** Horizon in months. */
  months: number;
  /** Discount rate per month, e.g. 0.01. */
  monthlyDiscountRate: number;
  /** The time unit the purchase model was fitted in. */
  timeUnit: TimeUnit;
  /** Overrides the time units in a month (UNITS_PER_MONTH[timeUnit]). */
  unitsPerMonth?: number;
}

/**
 * Σ over months m = 1…M of value · (E[purchases by m] − E[purchases by m − 1]) / (1 + d)^m, where
 * expectedPurchasesWithin(t) is the customer's conditional expected purchases in the next t time units.
 */
export function customerLifetimeValue(expectedPurchasesWithin: (t: number) => number, expectedOrderValue: number, options: ClvOptions): number {
  const { months, monthlyDiscountRate } = options;
  if (!(Number.isInteger(months) && months >= 0)) throw new RangeError('months must be a whole number >= 0');
  if (!(monthlyDiscountRate > -1)) throw new RangeError('the monthly discount rate must be > -1');
  const unit = options.unitsPerMonth ?? UNITS_PER_MONTH[options.timeUnit];
  if (!(unit > 0)) throw new RangeError('a month must hold a positive number of time units');
  let value = 0;
  let previous = 0;
  for (let m = 1; m <= months; m++) {
    const cumulative = expectedPurchasesWithin(m * unit);
    value += (expectedOrderValue * (cumulative - previous)) / Math.pow(1 + monthlyDiscountRate, m);
    previous = cumulative;
  }
  return value;
}
