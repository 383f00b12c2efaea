// From an order history to the per-customer summary the lifetime-value models read: frequency (repeat
// purchase days), recency (first to last purchase), T (first purchase to the calibration end) and the
// mean value of the repeat purchases, in the conventions of the "buy till you die" literature (and of the
// Python lifetimes library): purchases on one day are one purchase, only repeat purchases count.

export type TimeUnit = 'week' | 'day';

export interface Transaction {
  customerId: string;
  /** Whole days since 1970-01-01 (UTC): see dayNumber(). */
  day: number;
  /** In major units (dollars, euros); summed per day. */
  amount: number;
}

export interface CustomerSummary {
  id: string;
  /** Repeat purchases: distinct purchase days after the first, up to the calibration end. */
  frequency: number;
  /** Time from the first to the last purchase, in the time unit. */
  recency: number;
  /** Time from the first purchase to the calibration end, in the time unit. */
  T: number;
  /** Mean value of the repeat purchases (a day's purchases summed); 0 without repeat purchases. */
  monetaryValue: number;
}

/** The same summaries as columns, the shape the fitting code works on (a million rows stay compact). */
export interface SummaryColumns {
  frequency: Float64Array;
  recency: Float64Array;
  T: Float64Array;
  monetaryValue?: Float64Array;
}

export const DAYS_PER_UNIT: Record<TimeUnit, number> = { week: 7, day: 1 };
const MS_PER_DAY = 86_400_000;

/** Whole UTC days since 1970-01-01 of a YYYY-MM-DD date, or null when it is not a real calendar date. */
export function dayNumber(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return ms / MS_PER_DAY;
}

/** YYYY-MM-DD of a day number. */
export function dayToDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export interface SummarizeOptions {
  /** Last day of the calibration period (inclusive), as a day number; default: the last purchase day. */
  calibrationEnd?: number;
  timeUnit?: TimeUnit;
}

/**
 * Summarises a transaction log per customer, in order of each customer's first appearance in the log.
 * Purchases after the calibration end are ignored, and so are customers whose first purchase is after it.
 */
export function summarizeTransactions(transactions: readonly Transaction[], options: SummarizeOptions = {}): CustomerSummary[] {
  const unit = DAYS_PER_UNIT[options.timeUnit ?? 'week'];
  let end = options.calibrationEnd;
  if (end === undefined) {
    end = -Infinity;
    for (const t of transactions) end = Math.max(end, t.day);
  }
  // customer → (day → amount), insertion-ordered
  const byCustomer = new Map<string, Map<number, number>>();
  for (const t of transactions) {
    let days = byCustomer.get(t.customerId);
    if (!days) {
      days = new Map();
      byCustomer.set(t.customerId, days);
    }
    if (t.day > end) continue;
    days.set(t.day, (days.get(t.day) ?? 0) + t.amount);
  }
  const out: CustomerSummary[] = [];
  for (const [id, days] of byCustomer) {
    if (days.size === 0) continue;
    const sorted = [...days.keys()].sort((a, b) => a - b);
    const first = sorted[0] ?? 0;
    const last = sorted[sorted.length - 1] ?? first;
    let repeatTotal = 0;
    for (let i = 1; i < sorted.length; i++) repeatTotal += days.get(sorted[i] ?? 0) ?? 0;
    const frequency = sorted.length - 1;
    out.push({
      id,
      frequency,
      recency: (last - first) / unit,
      T: (end - first) / unit,
      monetaryValue: frequency > 0 ? repeatTotal / frequency : 0,
    });
  }
  return out;
}

export function toColumns(rows: readonly CustomerSummary[]): Required<SummaryColumns> {
  const n = rows.length;
  const frequency = new Float64Array(n);
  const recency = new Float64Array(n);
  const T = new Float64Array(n);
  const monetaryValue = new Float64Array(n);
  rows.forEach((r, i) => {
    frequency[i] = r.frequency;
    recency[i] = r.recency;
    T[i] = r.T;
    monetaryValue[i] = r.monetaryValue;
  });
  return { frequency, recency, T, monetaryValue };
}

/**
 * Identical (frequency, recency, T) rows, merged and counted. A likelihood summed over these rows, each
 * term weighted by its count, equals the sum over customers; with times on a day grid a million customers
 * collapse to far fewer rows. The distinct values of each column are indexed too, so a likelihood can
 * compute what depends on x, t_x or T alone once per distinct value instead of once per row.
 */
export interface AggregatedSummary {
  /** Customers represented (sum of weights). */
  customers: number;
  rows: number;
  weight: Float64Array;
  xIndex: Int32Array;
  txIndex: Int32Array;
  TIndex: Int32Array;
  distinctX: Float64Array;
  distinctTx: Float64Array;
  distinctT: Float64Array;
}

function indexDistinct(values: Float64Array): { index: Int32Array; distinct: Float64Array } {
  const ids = new Map<number, number>();
  const index = new Int32Array(values.length);
  const distinct: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    let id = ids.get(v);
    if (id === undefined) {
      id = distinct.length;
      ids.set(v, id);
      distinct.push(v);
    }
    index[i] = id;
  }
  return { index, distinct: Float64Array.from(distinct) };
}

const hashScratch = new Float64Array(3);
const hashBits = new Uint32Array(hashScratch.buffer);

/** A 32-bit hash of the bit patterns of three doubles. */
function hashTriple(a: number, b: number, c: number): number {
  hashScratch[0] = a;
  hashScratch[1] = b;
  hashScratch[2] = c;
  let h = 0x811c9dc5;
  for (let k = 0; k < 6; k++) h = Math.imul(h ^ (hashBits[k] ?? 0), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

export function aggregateSummary(data: SummaryColumns): AggregatedSummary {
  const n = data.frequency.length;
  // Open addressing over typed arrays: a million rows in tens of milliseconds, where a Map of string keys
  // takes most of a second.
  let capacity = 16;
  while (capacity < 2 * n) capacity *= 2;
  const mask = capacity - 1;
  const slots = new Int32Array(capacity).fill(-1);
  const ux = new Float64Array(n);
  const utx = new Float64Array(n);
  const uT = new Float64Array(n);
  const counts = new Float64Array(n);
  let rows = 0;
  for (let i = 0; i < n; i++) {
    const x = data.frequency[i] ?? 0;
    const tx = data.recency[i] ?? 0;
    const T = data.T[i] ?? 0;
    let h = hashTriple(x, tx, T) & mask;
    for (;;) {
      const s = slots[h] ?? -1;
      if (s === -1) {
        slots[h] = rows;
        ux[rows] = x;
        utx[rows] = tx;
        uT[rows] = T;
        counts[rows] = 1;
        rows++;
        break;
      }
      if (ux[s] === x && utx[s] === tx && uT[s] === T) {
        counts[s] = (counts[s] ?? 0) + 1;
        break;
      }
      h = (h + 1) & mask;
    }
  }
  const xs = indexDistinct(ux.subarray(0, rows));
  const txs = indexDistinct(utx.subarray(0, rows));
  const Ts = indexDistinct(uT.subarray(0, rows));
  return {
    customers: n,
    rows,
    weight: counts.slice(0, rows),
    xIndex: xs.index,
    txIndex: txs.index,
    TIndex: Ts.index,
    distinctX: xs.distinct,
    distinctTx: txs.distinct,
    distinctT: Ts.distinct,
  };
}

/**
 * A systematic sample of about `target` customers, as aggregated rows reweighted so that a weighted sum
 * over the sample estimates the sum over all customers without bias (Horvitz–Thompson). A row stands for
 * w customers and is kept with probability min(1, w · target / customers), so the heavy rows (the many
 * customers without repeat purchases) are always kept, exactly, and the light ones are thinned.
 */
export function sampleRows(data: AggregatedSummary, target: number): AggregatedSummary {
  const c = target / data.customers;
  const keep: number[] = [];
  const weights: number[] = [];
  let carry = 0.5;
  for (let i = 0; i < data.rows; i++) {
    const w = data.weight[i] ?? 0;
    const p = w * c;
    if (p >= 1) {
      keep.push(i);
      weights.push(w);
      continue;
    }
    carry += p;
    if (carry >= 1) {
      carry -= 1;
      keep.push(i);
      weights.push(w / p);
    }
  }
  const pick = (from: Int32Array) => Int32Array.from(keep, (i) => from[i] ?? 0);
  return {
    ...data,
    customers: data.customers,
    rows: keep.length,
    weight: Float64Array.from(weights),
    xIndex: pick(data.xIndex),
    txIndex: pick(data.txIndex),
    TIndex: pick(data.TIndex),
  };
}

/** Checks the summaries a model is given; returns the first problem, naming the row (0-based). */
export function validateSummary(data: SummaryColumns): string | null {
  const n = data.frequency.length;
  if (data.recency.length !== n || data.T.length !== n) return 'frequency, recency and T have different lengths';
  for (let i = 0; i < n; i++) {
    const x = data.frequency[i] ?? NaN;
    const tx = data.recency[i] ?? NaN;
    const T = data.T[i] ?? NaN;
    if (!(Number.isInteger(x) && x >= 0)) return `row ${i}: frequency must be a whole number >= 0 (got ${x})`;
    if (!(Number.isFinite(T) && T >= 0)) return `row ${i}: T must be >= 0 (got ${T})`;
    if (!(Number.isFinite(tx) && tx >= 0 && tx <= T)) return `row ${i}: recency must be between 0 and T (got ${tx}, T = ${T})`;
    if (x === 0 && tx !== 0) return `row ${i}: recency must be 0 when frequency is 0 (got ${tx})`;
  }
  return null;
}
