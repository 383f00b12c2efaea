// The CDNOW reference data (see data-sets/cdnow/README.md), for the validation tests and the benchmark.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSummaryCsv } from './csv.ts';
import { dayNumber, type CustomerSummary, type Transaction } from './summary.ts';

export const CDNOW_LOG = 'CDNOW_sample.txt';
export const CDNOW_SUMMARY = 'cdnow_customers_summary_with_transactions.csv';
/** The calibration period of the published fits ends on this day (inclusive), 39 weeks into the study. */
export const CDNOW_CALIBRATION_END = '1997-09-30';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The team's shared copy (../shared/data/cdnow) when present, else the copy shipped in data-sets/cdnow. */
export function cdnowDirectory(root: string = repoRoot): string {
  const shared = resolve(root, '../shared/data/cdnow');
  if (existsSync(join(shared, CDNOW_LOG)) && existsSync(join(shared, CDNOW_SUMMARY))) return shared;
  return resolve(root, 'data-sets/cdnow');
}

/**
 * The raw log: whitespace-separated `master_id sample_id yyyymmdd number_of_cds dollar_value`. Customers are
 * named by sample_id without leading zeros, as in the summary file's ID column.
 */
export function parseCdnowLog(text: string): Transaction[] {
  const out: Transaction[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const [, sampleId, ymd, , value] = line.split(/\s+/);
    const day = ymd ? dayNumber(`${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}`) : null;
    const amount = Number(value);
    if (!sampleId || day === null || !Number.isFinite(amount)) throw new Error(`${CDNOW_LOG} line ${i + 1}: cannot read "${line}"`);
    out.push({ customerId: String(Number(sampleId)), day, amount });
  });
  return out;
}

export function loadCdnowLog(dir: string = cdnowDirectory()): Transaction[] {
  return parseCdnowLog(readFileSync(join(dir, CDNOW_LOG), 'utf8'));
}

/** The published calibration summary (ID, x, t_x, T, zbar: weeks, dollars). */
export function loadCdnowSummary(dir: string = cdnowDirectory()): CustomerSummary[] {
  return readSummaryCsv(readFileSync(join(dir, CDNOW_SUMMARY), 'utf8'), { monetary: true });
}
