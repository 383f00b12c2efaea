import { describe, expect, it } from 'vitest';
import { gammaSign, hyp2f1, logAddExp, logBeta, logGamma, logSubExp } from './special-functions.ts';

// Reference values computed with mpmath at 30 digits.
const LOG_GAMMA: Array<[number, number]> = [
  [0.1, 2.252712651734206],
  [0.5, 0.5723649429247001],
  [1, 0],
  [1.5, -0.12078223763524522],
  [2.5, 0.2846828704729192],
  [7.25, 7.0521854507385395],
  [33.3, 82.60372358165495],
  [171.5, 709.1431630309282],
  [100000, 1051287.7089736569],
  [-0.5, 1.2655121234846454],
  [-2.3, 0.36956666345500805],
];

const HYP2F1: Array<[number, number, number, number, number]> = [
  // Pareto/NBD shapes: 2F1(r+s+x, s+1; r+s+x+1; z) close to z = 1
  [30.5, 1.606, 31.5, 0.99, 397.7092003132117],
  [30.5, 1.606, 31.5, 0.999999, 216815.6802727814],
  [12.3, 0.4, 13.3, 0.95, 2.4873829579667146],
  // BG/NBD E[X(78)] at the published parameters
  [0.243, 2.426, 2.219, 0.946, 2.38341190916359],
  [2.243, 4.426, 4.219, 0.5, 5.161693901383613],
  [1.5, 2.5, 0.3, 0.7, 649.6119409437141],
  // c − a − b an integer (0, −4, 0): the degenerate case of the 1 − z transformation
  [0.5, 0.5, 1, 0.9, 1.6412644143423707],
  [3, 2, 1, 0.75, 640.0],
  [2.5, 1.5, 4, 0.9999, 37.27717771546119],
  // negative c, negative z
  [1.2, 3.4, -2.5, 0.3, -51.81435990347371],
  [1.2, 3.4, -2.5, 0.8, -12408402.633544331],
  [0.7, 1.3, 2.5, -3, 0.5549690207507578],
];

describe('logGamma', () => {
  it.each(LOG_GAMMA)('log|Γ(%d)| = %d', (x, expected) => {
    expect(Math.abs(logGamma(x) - expected)).toBeLessThan(1e-13 * Math.max(1, Math.abs(expected)));
  });

  it('has poles at the non-positive integers and the right sign between them', () => {
    expect(logGamma(0)).toBe(Infinity);
    expect(logGamma(-3)).toBe(Infinity);
    expect(gammaSign(-0.5)).toBe(-1);
    expect(gammaSign(-1.5)).toBe(1);
    expect(gammaSign(-2.3)).toBe(-1);
    expect(gammaSign(-3)).toBe(0);
  });

  it('gives log B(a, b)', () => {
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 14);
  });
});

describe('log-sum-exp', () => {
  it('adds and subtracts without overflow', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logSubExp(1000, 1000 + Math.log(0.5) - Math.log(1))).toBeCloseTo(1000 + Math.log(0.5), 12);
    expect(logSubExp(2, 2)).toBe(-Infinity);
  });
});

describe('hyp2f1', () => {
  it.each(HYP2F1)('2F1(%d, %d; %d; %d) = %d', (a, b, c, z, expected) => {
    expect(Math.abs(hyp2f1(a, b, c, z) - expected)).toBeLessThan(1e-8 * Math.abs(expected));
  });

  it('matches closed forms up to z = 1 − 1e-9', () => {
    for (const z of [0.01, 0.3, 0.5, 0.51, 0.75, 0.9, 0.99, 0.9999, 1 - 1e-9, -0.5, -20]) {
      // 2F1(1, 1; 2; z) = −log(1 − z) / z (c − a − b = 0, the degenerate case)
      const log = -Math.log1p(-z) / z;
      expect(Math.abs(hyp2f1(1, 1, 2, z) - log)).toBeLessThan(1e-8 * log);
      // 2F1(a, b; b; z) = (1 − z)^(−a)
      const power = Math.pow(1 - z, -2.3);
      expect(Math.abs(hyp2f1(2.3, 1.7, 1.7, z) - power)).toBeLessThan(1e-10 * power);
      if (z > 0) {
        // 2F1(1/2, 1/2; 3/2; z) = arcsin(√z) / √z
        expect(hyp2f1(0.5, 0.5, 1.5, z)).toBeCloseTo(Math.asin(Math.sqrt(z)) / Math.sqrt(z), 10);
      }
    }
  });

  it('is Gauss’s sum at z = 1 and infinite when that diverges', () => {
    // 2F1(a, b; c; 1) = Γ(c) Γ(c − a − b) / (Γ(c − a) Γ(c − b))
    expect(hyp2f1(0.5, 0.5, 2, 1)).toBeCloseTo(Math.exp(logGamma(2) + logGamma(1) - 2 * logGamma(1.5)), 12);
    expect(hyp2f1(1, 1, 2, 1)).toBe(Infinity);
  });

  it('stops at a terminating series', () => {
    // 2F1(−2, b; c; z) = 1 − 2bz/c + b(b+1)z²/(c(c+1))
    const b = 1.5;
    const c = 2.5;
    const z = 0.9;
    expect(hyp2f1(-2, b, c, z)).toBeCloseTo(1 - (2 * b * z) / c + (b * (b + 1) * z * z) / (c * (c + 1)), 13);
  });
});
