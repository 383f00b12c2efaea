// Lifetime-value benchmark: BG/NBD + Gamma-Gamma fitted on CDNOW (target < 200 ms) and on 1,000,000
// generated customers (target < 5 s), with the generated data drawn from known parameters so the fit can
// be checked to recover them.
//   npm run bench:ltv -- [--customers 1000000] [--runs 5] [--seed 42]
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Random } from '../src/demo/random.ts';
import { fitBgnbd, type BgnbdParams } from '../src/features/analytics/models/bgnbd.ts';
import { cdnowDirectory, loadCdnowSummary } from '../src/features/analytics/models/cdnow.ts';
import { fitGammaGamma, type GammaGammaParams } from '../src/features/analytics/models/gamma-gamma.ts';
import { aggregateSummary, toColumns, validateSummary, type SummaryColumns } from '../src/features/analytics/models/summary.ts';

const { values } = parseArgs({
  options: { customers: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '5' }, seed: { type: 'string', default: '42' } },
});
const customers = Number(values.customers);
const runs = Number(values.runs);
const seed = Number(values.seed);

const TRUE_BGNBD: BgnbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const TRUE_GG: GammaGammaParams = { p: 6.25, q: 3.74, v: 15.44 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function fmt(params: object): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v.toPrecision(4) : String(v)}`)
    .join(' ');
}

/** Standard normal (Box–Muller). */
function normal(rng: Random): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Gamma(shape, 1) by Marsaglia & Tsang, boosted for shape < 1. */
function gamma(rng: Random, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * A CDNOW-like cohort drawn from the models: first purchases over 12 weeks, calibration end 39 weeks after
 * the first day, times on a day grid (in weeks), BG/NBD purchasing and dropout, Gamma-Gamma spend in cents.
 */
function generate(n: number, rng: Random): Required<SummaryColumns> {
  const frequency = new Float64Array(n);
  const recency = new Float64Array(n);
  const T = new Float64Array(n);
  const monetaryValue = new Float64Array(n);
  const endDay = 272;
  for (let i = 0; i < n; i++) {
    const ageDays = endDay - rng.int(0, 83);
    const age = ageDays / 7;
    const lambda = gamma(rng, TRUE_BGNBD.r) / TRUE_BGNBD.alpha;
    const g1 = gamma(rng, TRUE_BGNBD.a);
    const p = g1 / (g1 + gamma(rng, TRUE_BGNBD.b));
    let t = 0;
    let x = 0;
    let last = 0;
    for (;;) {
      t += -Math.log(1 - rng.next()) / lambda;
      if (t > age) break;
      x++;
      last = t;
      if (rng.next() < p) break;
    }
    frequency[i] = x;
    recency[i] = x === 0 ? 0 : Math.floor(last * 7) / 7;
    T[i] = age;
    if (x > 0) {
      const nu = gamma(rng, TRUE_GG.q) / TRUE_GG.v;
      const mean = gamma(rng, TRUE_GG.p * x) / nu / x;
      monetaryValue[i] = Math.max(0.01, Math.round(mean * 100) / 100);
    }
  }
  return { frequency, recency, T, monetaryValue };
}

function relativeErrors(fitted: object, truth: object): string {
  const t = truth as Record<string, number>;
  return Object.entries(fitted)
    .map(([k, v]) => `${k} ${(((v as number) / (t[k] ?? NaN) - 1) * 100).toFixed(1)}%`)
    .join(', ');
}

process.stdout.write(`CDNOW (${cdnowDirectory()}), BG/NBD + Gamma-Gamma, ${runs} runs\n`);
const cdnow = toColumns(loadCdnowSummary());
const cdnowTimes: number[] = [];
const cdnowCpu: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const bg = fitBgnbd(cdnow);
  const gg = fitGammaGamma(cdnow);
  const ms = performance.now() - started;
  cdnowTimes.push(ms);
  const used = process.cpuUsage(cpuAtStart);
  cdnowCpu.push((used.user + used.system) / 1000);
  if (i === 0) {
    process.stdout.write(`  BG/NBD  ${fmt(bg.params)}  LL=${bg.logLikelihood.toFixed(2)}  ${bg.iterations} iterations, ${bg.evaluations} evaluations, ${bg.ms.toFixed(0)} ms\n`);
    process.stdout.write(`  GG      ${fmt(gg.params)}  LL=${gg.logLikelihood.toFixed(2)}  ${gg.iterations} iterations, ${gg.evaluations} evaluations, ${gg.ms.toFixed(0)} ms\n`);
  }
}
const cdnowMedian = median(cdnowTimes);
process.stdout.write(`  time: median ${cdnowMedian.toFixed(0)} ms wall, ${median(cdnowCpu).toFixed(0)} ms CPU (first ${cdnowTimes[0]?.toFixed(0)} ms; all ${cdnowTimes.map((t) => t.toFixed(0)).join(', ')})  target < 200 ms: ${cdnowMedian < 200 ? 'met' : 'MISSED'}\n\n`);

process.stdout.write(`Generated: ${customers.toLocaleString('en')} customers from BG/NBD ${fmt(TRUE_BGNBD)}, Gamma-Gamma ${fmt(TRUE_GG)} (seed ${seed})\n`);
const genStarted = performance.now();
const data = generate(customers, new Random(seed));
process.stdout.write(`  generated in ${(performance.now() - genStarted).toFixed(0)} ms (not timed below)\n`);

const started = performance.now();
const cpuStarted = process.cpuUsage();
const problem = validateSummary(data);
if (problem) throw new Error(problem);
const aggregated = aggregateSummary(data);
const aggregatedMs = performance.now() - started;
const bg = fitBgnbd(aggregated);
const gg = fitGammaGamma(data);
const total = performance.now() - started;
const cpu = process.cpuUsage(cpuStarted);
process.stdout.write(`  validate + aggregate: ${aggregatedMs.toFixed(0)} ms → ${aggregated.rows.toLocaleString('en')} distinct (x, t_x, T) rows\n`);
process.stdout.write(`  BG/NBD  ${bg.ms.toFixed(0)} ms, ${bg.iterations} iterations (${bg.evaluations} evaluations), converged ${bg.converged}: ${fmt(bg.params)}\n`);
process.stdout.write(`          vs true: ${relativeErrors(bg.params, TRUE_BGNBD)}\n`);
process.stdout.write(`  GG      ${gg.ms.toFixed(0)} ms over ${gg.n.toLocaleString('en')} repeat buyers, ${gg.iterations} iterations (${gg.evaluations} evaluations), converged ${gg.converged}: ${fmt(gg.params)}\n`);
process.stdout.write(`          vs true: ${relativeErrors(gg.params, TRUE_GG)}\n`);
process.stdout.write(`  time: ${total.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU  target < 5000 ms: ${total < 5000 ? 'met' : 'MISSED'}\n`);
const load = loadavg()[0] ?? 0;
if (load > availableParallelism()) process.stdout.write(`  (load average ${load.toFixed(1)} on ${availableParallelism()} CPUs: other work competes, wall times are inflated)\n`);
