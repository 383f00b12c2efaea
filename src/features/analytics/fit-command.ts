// `hearth analytics fit`: fits a lifetime-value model to a CSV of customer summaries or transactions.
// Kept apart from src/main.ts so it can be tested without spawning a process.
import { readFileSync } from 'node:fs';
import { fitBgnbd } from './models/bgnbd.ts';
import { CsvError, readSummaryCsv, readTransactionsCsv } from './models/csv.ts';
import type { FitResult } from './models/fit.ts';
import { fitGammaGamma } from './models/gamma-gamma.ts';
import { fitParetoNbd } from './models/pareto-nbd.ts';
import { dayNumber, summarizeTransactions, toColumns, type CustomerSummary, type TimeUnit } from './models/summary.ts';

export const MODELS = ['bgnbd', 'pareto-nbd', 'gamma-gamma'] as const;
export type ModelName = (typeof MODELS)[number];
const FORMATS = ['summary', 'transactions'] as const;
const TIME_UNITS = ['week', 'day'] as const;

const MODEL_TITLES: Record<ModelName, string> = {
  bgnbd: 'BG/NBD (Fader, Hardie & Lee 2005)',
  'pareto-nbd': 'Pareto/NBD (Schmittlein, Morrison & Colombo 1987)',
  'gamma-gamma': 'Gamma-Gamma spend model (Fader, Hardie & Lee 2005), repeat buyers only',
};

export interface AnalyticsFitArgs {
  model: string;
  /** Path of the CSV file. */
  input: string;
  format: string;
  calibrationEnd?: string;
  timeUnit?: string;
  maxIterations?: string;
  json?: boolean;
}

export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const PREFIX = 'hearth analytics fit';

function fail(exitCode: number, message: string): CommandOutput {
  return { exitCode, stdout: '', stderr: `${PREFIX}: ${message}\n` };
}

function isOneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

/** Six significant digits without trailing zeros: 4.4136, 0.242594, 1.5e-7. */
function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const [mantissa = '', exponent] = v.toPrecision(6).split('e');
  const trimmed = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return exponent === undefined ? trimmed : `${trimmed}e${exponent}`;
}

export function runAnalyticsFit(args: AnalyticsFitArgs): CommandOutput {
  const { model, format } = args;
  if (!isOneOf(MODELS, model)) return fail(2, `--model must be one of ${MODELS.join(', ')} (got "${model}")`);
  if (!isOneOf(FORMATS, format)) return fail(2, `--format must be summary or transactions (got "${format}")`);
  const timeUnitText = args.timeUnit ?? 'week';
  if (!isOneOf(TIME_UNITS, timeUnitText)) return fail(2, `--time-unit must be week or day (got "${timeUnitText}")`);
  const timeUnit: TimeUnit = timeUnitText;
  if (format === 'summary' && (args.calibrationEnd !== undefined || args.timeUnit !== undefined)) {
    return fail(2, '--calibration-end and --time-unit apply to --format transactions; a summary already has them built in');
  }
  let calibrationEnd: number | undefined;
  if (args.calibrationEnd !== undefined) {
    const day = dayNumber(args.calibrationEnd);
    if (day === null) return fail(2, `--calibration-end must be a date YYYY-MM-DD (got "${args.calibrationEnd}")`);
    calibrationEnd = day;
  }
  let maxIterations: number | undefined;
  if (args.maxIterations !== undefined) {
    maxIterations = Number(args.maxIterations);
    if (!Number.isInteger(maxIterations) || maxIterations < 1) return fail(2, `--max-iterations must be a whole number >= 1 (got "${args.maxIterations}")`);
  }

  let text: string;
  try {
    text = readFileSync(args.input, 'utf8');
  } catch (err) {
    return fail(1, `cannot read ${args.input}: ${err instanceof Error ? err.message : String(err)}`);
  }

  let customers: CustomerSummary[];
  try {
    if (format === 'summary') {
      customers = readSummaryCsv(text, { monetary: model === 'gamma-gamma' });
    } else {
      customers = summarizeTransactions(readTransactionsCsv(text), { calibrationEnd, timeUnit });
    }
  } catch (err) {
    if (err instanceof CsvError) return fail(1, `${args.input} ${err.message}`);
    throw err;
  }
  if (customers.length === 0) return fail(1, `${args.input} has no customers to fit`);

  const columns = toColumns(customers);
  let fit: FitResult<Record<string, number>>;
  try {
    const options = { maxIterations };
    if (model === 'bgnbd') fit = widen(fitBgnbd(columns, options));
    else if (model === 'pareto-nbd') fit = widen(fitParetoNbd(columns, options));
    else fit = widen(fitGammaGamma(columns, options));
  } catch (err) {
    if (err instanceof RangeError) return fail(1, `${args.input}: ${err.message}`);
    throw err;
  }

  const where = Object.entries(fit.params)
    .map(([k, v]) => `${k} = ${formatNumber(v)}`)
    .join(', ');
  const runsAway = Object.values(fit.params).some((v) => !(v > 1e-6 && v < 1e6));
  if (!fit.converged) {
    return fail(
      1,
      `the ${model} fit did not converge: it stopped after ${fit.iterations} iterations (${fit.evaluations} likelihood evaluations) at ${where}, log-likelihood ${formatNumber(fit.logLikelihood)}. ` +
        (runsAway
          ? 'Some parameters are heading to 0 or infinity: the likelihood has no maximum inside the parameter space on this data (too few customers or repeat purchases for this model?).'
          : 'Raise --max-iterations, or check the data (enough repeat buyers? times in one unit?).'),
    );
  }
  if (!Number.isFinite(fit.logLikelihood) || Object.values(fit.params).some((v) => !Number.isFinite(v))) {
    return fail(1, `the ${model} fit ended at a degenerate point (${where}, log-likelihood ${fit.logLikelihood}); the data may not fit this model`);
  }

  if (args.json) {
    return { exitCode: 0, stderr: '', stdout: JSON.stringify({ model, n: fit.n, params: fit.params, logLikelihood: fit.logLikelihood }) + '\n' };
  }
  const names = Object.keys(fit.params);
  const width = Math.max(...names.map((n) => n.length), 'parameter'.length);
  const lines = [
    MODEL_TITLES[model],
    `customers       ${fit.n}`,
    '',
    `${'parameter'.padEnd(width)}  value`,
    ...names.map((n) => `${n.padEnd(width)}  ${formatNumber(fit.params[n] ?? NaN)}`),
    '',
    `log-likelihood  ${fit.logLikelihood.toFixed(4)}`,
    `converged after ${fit.iterations} iterations (${fit.evaluations} evaluations, ${fit.restarts} restart${fit.restarts === 1 ? '' : 's'}) in ${Math.round(fit.ms)} ms`,
  ];
  return { exitCode: 0, stderr: '', stdout: lines.join('\n') + '\n' };
}

function widen<P extends object>(fit: FitResult<P>): FitResult<Record<string, number>> {
  return { ...fit, params: Object.fromEntries(Object.entries(fit.params).filter((e): e is [string, number] => typeof e[1] === 'number')) };
}
