// Derivative-free minimisation (Nelder–Mead) for the maximum-likelihood fits. The models optimise over
// log-parameters, so every point of the search space is a valid parameter set and no bounds are needed.

export interface MinimizeOptions {
  /** Iterations over all restarts together before giving up (not converged). */
  maxIterations?: number;
  /** Converged when the simplex's function values differ by at most fTolerance · (1 + |f|)… */
  fTolerance?: number;
  /** …and its vertices by at most xTolerance in every coordinate. */
  xTolerance?: number;
  /** Edge of the first simplex, in the units of x. */
  initialStep?: number;
  /** After converging, restart from the best point with a fresh simplex at most this many times. */
  maxRestarts?: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  converged: boolean;
  iterations: number;
  evaluations: number;
  restarts: number;
}

interface RunResult {
  x: Float64Array;
  value: number;
  converged: boolean;
  iterations: number;
}

/**
 * Minimises f from x0 with the Nelder–Mead simplex method, using the dimension-adapted coefficients of
 * Gao & Han (2012), and restarts from the best point until a restart no longer improves it — a collapsed
 * simplex is the classic failure of Nelder–Mead, and a restart is the classic cure.
 * Non-finite values of f count as +Infinity, so the search steps back from regions where it overflows.
 */
export function minimize(f: (x: Float64Array) => number, x0: readonly number[], options: MinimizeOptions = {}): MinimizeResult {
  const maxIterations = options.maxIterations ?? 5000;
  const fTolerance = options.fTolerance ?? 1e-11;
  const xTolerance = options.xTolerance ?? 1e-7;
  const maxRestarts = options.maxRestarts ?? 4;
  let evaluations = 0;
  const g = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };

  let best: Float64Array = new Float64Array(x0);
  let bestValue = g(best);
  let iterations = 0;
  let restarts = 0;
  let step = options.initialStep ?? 0.5;
  for (;;) {
    const run = nelderMeadRun(g, best, step, maxIterations - iterations, fTolerance, xTolerance);
    iterations += run.iterations;
    const improved = bestValue - run.value > fTolerance * (1 + Math.abs(run.value));
    if (run.value <= bestValue) {
      best = run.x;
      bestValue = run.value;
    }
    if (!run.converged) return { x: [...best], value: bestValue, converged: false, iterations, evaluations, restarts };
    if (restarts > 0 && !improved) break;
    if (restarts >= maxRestarts) break;
    restarts++;
    step = Math.max(step / 2, 0.05);
  }
  return { x: [...best], value: bestValue, converged: Number.isFinite(bestValue), iterations, evaluations, restarts };
}

function nelderMeadRun(
  g: (x: Float64Array) => number,
  start: Float64Array,
  step: number,
  maxIterations: number,
  fTolerance: number,
  xTolerance: number,
): RunResult {
  const n = start.length;
  const alpha = 1;
  const gamma = 1 + 2 / n;
  const rho = 0.75 - 1 / (2 * n);
  const sigma = 1 - 1 / n;

  const points: Float64Array[] = [];
  const values = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    const p = new Float64Array(start);
    if (i > 0) p[i - 1] = (p[i - 1] ?? 0) + step;
    points.push(p);
    values[i] = g(p);
  }
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const reflected = new Float64Array(n);
  const expanded = new Float64Array(n);
  const contracted = new Float64Array(n);
  const at = (i: number): Float64Array => points[order[i] ?? 0] ?? start;
  const valueAt = (i: number): number => values[order[i] ?? 0] ?? Infinity;
  const replaceWorst = (p: Float64Array, v: number) => {
    const worst = order[n] ?? 0;
    (points[worst] ?? start).set(p);
    values[worst] = v;
  };

  let iterations = 0;
  while (iterations < maxIterations) {
    order.sort((i, j) => (values[i] ?? Infinity) - (values[j] ?? Infinity));
    const fBest = valueAt(0);
    const fWorst = valueAt(n);
    let spread = 0;
    const bestPoint = at(0);
    for (let i = 1; i <= n; i++) {
      const p = at(i);
      for (let k = 0; k < n; k++) spread = Math.max(spread, Math.abs((p[k] ?? 0) - (bestPoint[k] ?? 0)));
    }
    if (Number.isFinite(fBest) && fWorst - fBest <= fTolerance * (1 + Math.abs(fBest)) && spread <= xTolerance) {
      return { x: new Float64Array(bestPoint), value: fBest, converged: true, iterations };
    }
    iterations++;

    centroid.fill(0);
    for (let i = 0; i < n; i++) {
      const p = at(i);
      for (let k = 0; k < n; k++) centroid[k] = (centroid[k] ?? 0) + (p[k] ?? 0) / n;
    }
    const worstPoint = at(n);
    for (let k = 0; k < n; k++) reflected[k] = (centroid[k] ?? 0) + alpha * ((centroid[k] ?? 0) - (worstPoint[k] ?? 0));
    const fReflected = g(reflected);
    const fSecondWorst = valueAt(n - 1);

    if (fReflected < fBest) {
      for (let k = 0; k < n; k++) expanded[k] = (centroid[k] ?? 0) + gamma * ((reflected[k] ?? 0) - (centroid[k] ?? 0));
      const fExpanded = g(expanded);
      if (fExpanded < fReflected) replaceWorst(expanded, fExpanded);
      else replaceWorst(reflected, fReflected);
      continue;
    }
    if (fReflected < fSecondWorst) {
      replaceWorst(reflected, fReflected);
      continue;
    }
    // Contract: outside when the reflection beat the worst point, inside otherwise.
    const outside = fReflected < fWorst;
    for (let k = 0; k < n; k++) {
      const towards = outside ? (reflected[k] ?? 0) : (worstPoint[k] ?? 0);
      contracted[k] = (centroid[k] ?? 0) + rho * (towards - (centroid[k] ?? 0));
    }
    const fContracted = g(contracted);
    if (fContracted < (outside ? fReflected : fWorst)) {
      replaceWorst(contracted, fContracted);
      continue;
    }
    // Shrink every vertex towards the best one.
    for (let i = 1; i <= n; i++) {
      const p = at(i);
      for (let k = 0; k < n; k++) p[k] = (bestPoint[k] ?? 0) + sigma * ((p[k] ?? 0) - (bestPoint[k] ?? 0));
      values[order[i] ?? 0] = g(p);
    }
  }
  order.sort((i, j) => (values[i] ?? Infinity) - (values[j] ?? Infinity));
  return { x: new Float64Array(at(0)), value: valueAt(0), converged: false, iterations };
}

export interface NewtonResult {
  x: number[];
  value: number;
  converged: boolean;
  steps: number;
  evaluations: number;
}

/**
 * Polishes a point already near a minimum with Newton steps on finite-difference derivatives (central
 * differences, step h), with a backtracking line search. Cheaper than letting Nelder–Mead crawl the last
 * digits on a big data set: each step costs 1 + 2n² evaluations and the convergence is quadratic. Fails
 * (converged: false) when the Hessian is not positive definite or no step decreases f, so the caller can
 * fall back to a robust method.
 */
export function newtonPolish(f: (x: Float64Array) => number, x0: readonly number[], options: { maxSteps?: number; h?: number; tolerance?: number } = {}): NewtonResult {
  const n = x0.length;
  const h = options.h ?? 1e-4;
  const maxSteps = options.maxSteps ?? 10;
  // Converged when the predicted decrease to the minimum, gᵀH⁻¹g / 2, is below this.
  const tolerance = options.tolerance ?? 1e-10;
  let evaluations = 0;
  const g = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const x = new Float64Array(x0);
  const probe = new Float64Array(n);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n * n);
  const at = (di: number, si: number, dj: number, sj: number): number => {
    probe.set(x);
    probe[di] = (probe[di] ?? 0) + si * h;
    if (dj >= 0) probe[dj] = (probe[dj] ?? 0) + sj * h;
    return g(probe);
  };
  let value = g(x);
  let previousDecrement = Infinity;
  for (let step = 0; step < maxSteps; step++) {
    const diagonal = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const plus = at(i, 1, -1, 0);
      const minus = at(i, -1, -1, 0);
      grad[i] = (plus - minus) / (2 * h);
      diagonal[i] = (plus - 2 * value + minus) / (h * h);
    }
    // Close to the optimum the last Hessian is still good: test convergence with it before paying for a new one.
    if (previousDecrement < 1e-2) {
      const d = solveSymmetricPositive(hess, grad, n);
      let decrement = 0;
      for (let i = 0; i < n; i++) decrement += (grad[i] ?? 0) * (d?.[i] ?? NaN);
      if (decrement / 2 <= tolerance) return { x: [...x], value, converged: true, steps: step, evaluations };
    }
    for (let i = 0; i < n; i++) {
      hess[i * n + i] = diagonal[i] ?? 0;
      for (let j = 0; j < i; j++) {
        const hij = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * h * h);
        hess[i * n + j] = hij;
        hess[j * n + i] = hij;
      }
    }
    const direction = solveSymmetricPositive(hess, grad, n);
    if (!direction || !Number.isFinite(value)) return { x: [...x], value, converged: false, steps: step, evaluations };
    let decrement = 0;
    for (let i = 0; i < n; i++) decrement += (grad[i] ?? 0) * (direction[i] ?? 0);
    if (decrement / 2 <= tolerance) return { x: [...x], value, converged: true, steps: step, evaluations };
    previousDecrement = decrement;
    let t = 1;
    let moved = false;
    for (let k = 0; k < 20; k++, t /= 2) {
      for (let i = 0; i < n; i++) probe[i] = (x[i] ?? 0) - t * (direction[i] ?? 0);
      const v = g(probe);
      if (v < value) {
        x.set(probe);
        value = v;
        moved = true;
        break;
      }
    }
    // No step decreases f: at the rounding-noise floor this is convergence, elsewhere a failure.
    if (!moved) return { x: [...x], value, converged: decrement / 2 <= 1e-12 * Math.max(1, Math.abs(value)), steps: step, evaluations };
  }
  return { x: [...x], value, converged: false, steps: maxSteps, evaluations };
}

/** Solves H d = g by Cholesky; null when H is not positive definite. */
function solveSymmetricPositive(hess: Float64Array, grad: Float64Array, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = hess[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) sum -= (L[i * n + k] ?? 0) * (L[j * n + k] ?? 0);
      if (i === j) {
        if (!(sum > 0)) return null;
        L[i * n + i] = Math.sqrt(sum);
      } else {
        L[i * n + j] = sum / (L[j * n + j] ?? 1);
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = grad[i] ?? 0;
    for (let k = 0; k < i; k++) sum -= (L[i * n + k] ?? 0) * (y[k] ?? 0);
    y[i] = sum / (L[i * n + i] ?? 1);
  }
  const d = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i] ?? 0;
    for (let k = i + 1; k < n; k++) sum -= (L[k * n + i] ?? 0) * (d[k] ?? 0);
    d[i] = sum / (L[i * n + i] ?? 1);
  }
  return d;
}
