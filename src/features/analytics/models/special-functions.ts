// Special functions for the lifetime-value likelihoods: log-gamma (with sign, for negative arguments),
// log-beta, log-sum-exp and the Gauss hypergeometric function 2F1 on the real line z < 1.

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

// Lanczos approximation, g = 7, n = 9: about 15 significant digits for x >= 0.5.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;

function isNonPositiveInteger(x: number): boolean {
  return x <= 0 && Number.isInteger(x);
}

/** log |Γ(x)|; +Infinity at the poles (0, -1, -2, …). */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (isNonPositiveInteger(x)) return Infinity;
  if (x < 0.5) {
    // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
    return Math.log(Math.PI) - Math.log(Math.abs(sinPi(x))) - logGamma(1 - x);
  }
  const y = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] ?? 0) / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return LOG_SQRT_2PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The sign of Γ(x): +1 for x > 0, alternating between the poles below 0; 0 at a pole. */
export function gammaSign(x: number): number {
  if (x > 0) return 1;
  if (isNonPositiveInteger(x)) return 0;
  return Math.floor(x) % 2 === 0 ? 1 : -1;
}

/** sin(πx), reduced to the nearest integer first (x − round(x) is exact), so it stays accurate near the poles. */
function sinPi(x: number): number {
  const n = Math.round(x);
  const r = x - n;
  if (r === 0) return 0;
  const s = Math.sin(Math.PI * r);
  return n % 2 === 0 ? s : -s;
}

/** log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b), for a, b > 0. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** log(e^u + e^v) without overflow; either may be −Infinity. */
export function logAddExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}

/** log(e^u − e^v) for u >= v; −Infinity when they are equal. */
export function logSubExp(u: number, v: number): number {
  if (v === -Infinity) return u;
  if (v > u) return NaN;
  if (v === u) return -Infinity;
  return u + Math.log(-Math.expm1(v - u));
}

const SERIES_MAX_TERMS = 100_000;

/** The power series of 2F1, for |z| <= ~0.6 where it converges geometrically; NaN if it does not converge. */
export function hyp2f1Series(a: number, b: number, c: number, z: number): number {
  let sum = 1;
  let term = 1;
  for (let n = 0; n < SERIES_MAX_TERMS; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    if (term === 0) return sum;
    sum += term;
    if (!Number.isFinite(sum)) return sum;
    // Terms shrink geometrically once n is past the parameters; stop when they no longer matter.
    if (Math.abs(term) <= 1e-17 * Math.abs(sum) && n > 2) return sum;
  }
  return NaN;
}

/** sign · exp(Σ log|Γ(num)| − Σ log|Γ(den)|), zero when a denominator sits on a pole (1/Γ = 0). */
function gammaRatio(num1: number, num2: number, den1: number, den2: number, extraLog: number): number {
  if (isNonPositiveInteger(den1) || isNonPositiveInteger(den2)) return 0;
  const sign = gammaSign(num1) * gammaSign(num2) * gammaSign(den1) * gammaSign(den2);
  return sign * Math.exp(logGamma(num1) + logGamma(num2) - logGamma(den1) - logGamma(den2) + extraLog);
}

/**
 * 2F1 for 0.5 < z < 1 through the linear transformation z → 1 − z (Abramowitz & Stegun 15.3.6), whose two
 * series converge fast because 1 − z < 0.5. Requires c − a − b not an integer.
 */
function hyp2f1OneMinusZ(a: number, b: number, c: number, z: number): number {
  const w = 1 - z;
  const d = c - a - b;
  const first = gammaRatio(c, d, c - a, c - b, 0);
  const second = gammaRatio(c, -d, a, b, d * Math.log(w));
  const s1 = first === 0 ? 0 : first * hyp2f1Series(a, b, 1 - d, w);
  const s2 = second === 0 ? 0 : second * hyp2f1Series(c - a, c - b, 1 + d, w);
  return s1 + s2;
}

// When c − a − b is within this distance of an integer, the gamma factors of 15.3.6 have poles that cancel;
// we evaluate at c moved to exactly ± this distance from the integer and interpolate linearly (error O(h²)).
const INTEGER_GAP = 1e-5;

/**
 * The Gauss hypergeometric function 2F1(a, b; c; z) for real arguments and z < 1 (z = 1 when c − a − b > 0).
 * Near z = 1 the power series converges slowly or not at all in floating point, so it uses the 1 − z
 * transformation there (with the degenerate integer case handled by interpolation) and Pfaff's
 * transformation for z < 0.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(c) || Number.isNaN(z)) return NaN;
  if (z === 0 || a === 0 || b === 0) return 1;
  if (z > 1) return NaN;
  if (z === 1) {
    const d = c - a - b;
    if (d <= 0) return Infinity;
    return gammaRatio(c, d, c - a, c - b, 0);
  }
  if (z < 0) {
    // Pfaff: 2F1(a, b; c; z) = (1 − z)^(−a) 2F1(a, c − b; c; z / (z − 1)), and z / (z − 1) is in (0, 1).
    return Math.pow(1 - z, -a) * hyp2f1(a, c - b, c, z / (z - 1));
  }
  if (z <= 0.5 || isNonPositiveInteger(a) || isNonPositiveInteger(b)) return hyp2f1Series(a, b, c, z);
  const d = c - a - b;
  const k = Math.round(d);
  if (Math.abs(d - k) >= INTEGER_GAP) return hyp2f1OneMinusZ(a, b, c, z);
  const cLow = c - (d - k) - INTEGER_GAP;
  const cHigh = c - (d - k) + INTEGER_GAP;
  const low = hyp2f1OneMinusZ(a, b, cLow, z);
  const high = hyp2f1OneMinusZ(a, b, cHigh, z);
  return low + ((high - low) * (c - cLow)) / (cHigh - cLow);
}
