// Per-customer predictions from fitted models: what the nightly job will store in the rollup tables.
import { bgnbdConditionalExpectedPurchases, bgnbdProbabilityAlive, type BgnbdParams } from './bgnbd.ts';
import { customerLifetimeValue, type ClvOptions } from './clv.ts';
import { gammaGammaConditionalExpectedValue, type GammaGammaParams } from './gamma-gamma.ts';
import { paretoNbdConditionalExpectedPurchases, paretoNbdProbabilityAlive, type ParetoNbdParams } from './pareto-nbd.ts';
import type { CustomerSummary } from './summary.ts';

export type PurchaseModel = { kind: 'bgnbd'; params: BgnbdParams } | { kind: 'pareto-nbd'; params: ParetoNbdParams };

export interface CustomerPrediction {
  probabilityAlive: number;
  /** Expected purchases in the next `horizon` time units. */
  expectedPurchases: number;
  /** Expected value of the customer's future orders (Gamma-Gamma). */
  expectedOrderValue: number;
  /** Discounted value over `months` months. */
  lifetimeValue: number;
}

export interface PredictOptions extends ClvOptions {
  /** Horizon of expectedPurchases, in the model's time unit. */
  horizon: number;
}

export function expectedPurchasesOf(model: PurchaseModel, customer: CustomerSummary): (t: number) => number {
  return model.kind === 'bgnbd'
    ? (t) => bgnbdConditionalExpectedPurchases(model.params, t, customer)
    : (t) => paretoNbdConditionalExpectedPurchases(model.params, t, customer);
}

export function predictCustomer(model: PurchaseModel, spend: GammaGammaParams, customer: CustomerSummary, options: PredictOptions): CustomerPrediction {
  const expected = expectedPurchasesOf(model, customer);
  const expectedOrderValue = gammaGammaConditionalExpectedValue(spend, customer.frequency, customer.monetaryValue);
  return {
    probabilityAlive: model.kind === 'bgnbd' ? bgnbdProbabilityAlive(model.params, customer) : paretoNbdProbabilityAlive(model.params, customer),
    expectedPurchases: expected(options.horizon),
    expectedOrderValue,
    lifetimeValue: customerLifetimeValue(expected, expectedOrderValue, options),
  };
}
