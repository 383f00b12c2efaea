import { describe, expect, it } from 'vitest';
import { maximizeLogLikelihood } from './fit.ts';
import { minimize } from './optimize.ts';

describe('minimize (Nelder–Mead with restarts)', () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const rosenbrock = (x: Float64Array) => 100 * ((x[1] ?? 0) - (x[0] ?? 0) ** 2) ** 2 + (1 - (x[0] ?? 0)) ** 2;
    const result = minimize(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
    expect(result.iterations).toBeGreaterThan(0);
  });

  it('finds a 4-dimensional quadratic minimum and restarts at least once to confirm it', () => {
    const target = [0.3, -2, 5, 1.5];
    const f = (x: Float64Array) => target.reduce((sum, t, i) => sum + (i + 1) * ((x[i] ?? 0) - t) ** 2, 0);
    const result = minimize(f, [0, 0, 0, 0]);
    expect(result.converged).toBe(true);
    expect(result.restarts).toBeGreaterThanOrEqual(1);
    result.x.forEach((v, i) => expect(v).toBeCloseTo(target[i] ?? NaN, 5));
  });

  it('reports non-convergence with where it stopped', () => {
    const result = minimize((x) => (x[0] ?? 0) ** 2 + (x[1] ?? 0) ** 2, [10, 10], { maxIterations: 3 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(3);
    expect(result.value).toBeLessThanOrEqual(200);
  });

  it('steps back from points where the function is not finite', () => {
    const f = (x: Float64Array) => ((x[0] ?? 0) < 0 ? NaN : ((x[0] ?? 0) - 1) ** 2);
    const result = minimize(f, [0.1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
  });

  it('does not converge on an unbounded function', () => {
    const result = minimize((x) => x[0] ?? 0, [0], { maxIterations: 200 });
    expect(result.converged).toBe(false);
  });
});

describe('maximizeLogLikelihood', () => {
  it('polishes a smooth maximum with Newton steps', () => {
    // log-likelihood of exponential data with mean 2.5, over θ = log(rate): maximum at rate 0.4
    const fit = maximizeLogLikelihood({ logLikelihood: (t) => 10 * ((t[0] ?? 0) - Math.exp(t[0] ?? 0) * 2.5) }, 1);
    expect(fit.converged).toBe(true);
    expect(fit.params[0]).toBeCloseTo(0.4, 6);
  });

  it('falls back to Nelder–Mead when Newton steps cannot work (a kink at the maximum)', () => {
    const fit = maximizeLogLikelihood({ logLikelihood: (t) => -Math.abs((t[0] ?? 0) - Math.log(3)) - Math.abs((t[1] ?? 0) - Math.log(0.5)) }, 2);
    expect(fit.converged).toBe(true);
    expect(fit.params[0]).toBeCloseTo(3, 5);
    expect(fit.params[1]).toBeCloseTo(0.5, 5);
  });
});
