import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalyticsFit } from './fit-command.ts';
import { CDNOW_SUMMARY, cdnowDirectory, loadCdnowLog } from './models/cdnow.ts';
import { dayToDate } from './models/summary.ts';

let dir: string;
let summaryFile: string;
let transactionsFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hearth-analytics-'));
  summaryFile = join(cdnowDirectory(), CDNOW_SUMMARY);
  transactionsFile = join(dir, 'cdnow-transactions.csv');
  const lines = loadCdnowLog().map((t) => `${t.customerId},${dayToDate(t.day)},${t.amount}`);
  writeFileSync(transactionsFile, ['customer_id,date,amount', ...lines].join('\n') + '\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('hearth analytics fit', () => {
  it('prints exactly model, n, params and logLikelihood as JSON', () => {
    const out = runAnalyticsFit({ model: 'bgnbd', input: summaryFile, format: 'summary', json: true });
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toBe('');
    const json = JSON.parse(out.stdout) as { model: string; n: number; params: Record<string, number>; logLikelihood: number };
    expect(Object.keys(json)).toEqual(['model', 'n', 'params', 'logLikelihood']);
    expect(json.model).toBe('bgnbd');
    expect(json.n).toBe(2357);
    expect(Object.keys(json.params)).toEqual(['r', 'alpha', 'a', 'b']);
    expect(json.params.r).toBeCloseTo(0.243, 2);
    expect(json.logLikelihood).toBeCloseTo(-9582.4, 1);
  });

  it('names the parameters of each model', () => {
    const gg = JSON.parse(runAnalyticsFit({ model: 'gamma-gamma', input: summaryFile, format: 'summary', json: true }).stdout) as { n: number; params: object };
    expect(gg.n).toBe(946);
    expect(Object.keys(gg.params)).toEqual(['p', 'q', 'v']);
    const first500 = write('first500.csv', readFileSync(summaryFile, 'utf8').split('\n').slice(0, 501).join('\n'));
    const pnbd = JSON.parse(runAnalyticsFit({ model: 'pareto-nbd', input: first500, format: 'summary', json: true }).stdout) as { n: number; params: object };
    expect(pnbd.n).toBe(500);
    expect(Object.keys(pnbd.params)).toEqual(['r', 'alpha', 's', 'beta']);
  });

  it('summarises a transaction log up to the calibration end and fits it', () => {
    const out = runAnalyticsFit({ model: 'bgnbd', input: transactionsFile, format: 'transactions', calibrationEnd: '1997-09-30', timeUnit: 'week', json: true });
    expect(out.exitCode).toBe(0);
    const json = JSON.parse(out.stdout) as { n: number; params: Record<string, number>; logLikelihood: number };
    expect(json.n).toBe(2357);
    expect(json.params.alpha).toBeCloseTo(4.414, 1);
    expect(json.params.b).toBeCloseTo(2.426, 2);
    expect(json.logLikelihood).toBeCloseTo(-9582.4, 1);
  });

  it('prints a readable table without --json', () => {
    const out = runAnalyticsFit({ model: 'gamma-gamma', input: summaryFile, format: 'summary' });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toMatch(/^Gamma-Gamma/);
    expect(out.stdout).toMatch(/\np {10}6\.24\d*\n/);
    expect(out.stdout).toMatch(/log-likelihood {2}-\d+\.\d{4}\n/);
  });

  it('refuses bad input with the row and the reason, on stderr, with a non-zero exit', () => {
    const missing = write('missing.csv', 'customer_id,amount\nc1,3\n');
    expect(runAnalyticsFit({ model: 'bgnbd', input: missing, format: 'transactions' })).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: `hearth analytics fit: ${missing} line 1: missing column "date" (expected the columns customer_id,date,amount)\n`,
    });
    const badDate = write('bad-date.csv', 'customer_id,date,amount\nc1,2024-01-01,3\nc1,2024-13-01,3\n');
    expect(runAnalyticsFit({ model: 'bgnbd', input: badDate, format: 'transactions' }).stderr).toMatch(/line 3: date is not a valid date \("2024-13-01"/);
    const negative = write('negative.csv', 'customer_id,date,amount\nc1,2024-01-01,-3\n');
    const out = runAnalyticsFit({ model: 'gamma-gamma', input: negative, format: 'transactions' });
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toMatch(/line 2: amount is negative \(-3\)/);
    expect(runAnalyticsFit({ model: 'bgnbd', input: join(dir, 'nope.csv'), format: 'summary' }).stderr).toMatch(/cannot read/);
  });

  it('refuses unknown options with exit code 2', () => {
    expect(runAnalyticsFit({ model: 'pareto', input: summaryFile, format: 'summary' }).exitCode).toBe(2);
    expect(runAnalyticsFit({ model: 'bgnbd', input: summaryFile, format: 'xml' }).exitCode).toBe(2);
    expect(runAnalyticsFit({ model: 'bgnbd', input: transactionsFile, format: 'transactions', calibrationEnd: '1997-02-31' }).stderr).toMatch(/--calibration-end must be a date/);
    expect(runAnalyticsFit({ model: 'bgnbd', input: transactionsFile, format: 'transactions', timeUnit: 'month' }).exitCode).toBe(2);
  });

  it('says so when the fit does not converge, and where it stopped', () => {
    const out = runAnalyticsFit({ model: 'bgnbd', input: summaryFile, format: 'summary', maxIterations: '5', json: true });
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/the bgnbd fit did not converge: it stopped after 5 iterations \(\d+ likelihood evaluations\) at r = [\d.e-]+, alpha = [\d.e-]+, a = [\d.e-]+, b = [\d.e-]+, log-likelihood -\d+/);
  });

  it('says when parameters run off to the edge of the parameter space', () => {
    // Nobody ever lapses and everyone buys at the same pace: the dropout parameters run to the boundary.
    const rows = Array.from({ length: 60 }, (_, i) => `${i},${i % 4},${i % 4 === 0 ? 0 : 10 + (i % 7)},30`);
    const flat = write('flat.csv', ['id,frequency,recency,T', ...rows].join('\n'));
    const out = runAnalyticsFit({ model: 'bgnbd', input: flat, format: 'summary', maxIterations: '1500' });
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toMatch(/did not converge: it stopped after 1500 iterations .* heading to 0 or infinity/);
  });

  it('refuses a spend-model fit without repeat buyers', () => {
    const none = write('none.csv', 'id,frequency,recency,T,monetary_value\n1,0,0,10,0\n');
    const out = runAnalyticsFit({ model: 'gamma-gamma', input: none, format: 'summary' });
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toMatch(/no repeat buyers/);
  });

  it('runs as a hearth command', async () => {
    const root = resolve(import.meta.dirname, '../../..');
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'analytics', 'fit', '--model', 'gamma-gamma', '--input', summaryFile, '--format', 'summary', '--json'], { cwd: root });
    expect(JSON.parse(stdout)).toMatchObject({ model: 'gamma-gamma', n: 946 });
    const failed = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'analytics', 'fit', '--model', 'bgnbd', '--input', join(dir, 'missing.csv'), '--format', 'transactions'], { cwd: root }).catch(
      (err: unknown) => err as { code: number; stderr: string },
    );
    expect(failed).toMatchObject({ code: 1 });
    expect('stderr' in failed ? failed.stderr : '').toMatch(/line 1: missing column "date"/);
  }, 30_000);
});
