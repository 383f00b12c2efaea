// Reading customer summaries and transaction logs from CSV, refusing bad input with the line and the reason.
import { dayNumber, type CustomerSummary, type Transaction } from './summary.ts';

export class CsvError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'CsvError';
  }
}

export interface CsvRecord {
  /** 1-based line of the file where the record starts (the header is line 1). */
  line: number;
  cells: string[];
}

/** RFC 4180 CSV: quoted fields (with "" for a quote and line breaks inside), CRLF or LF; blank lines skipped. */
export function parseCsv(text: string): { header: string[]; records: CsvRecord[] } {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    cells.push(cell);
    if (cells.length > 1 || (cells[0] ?? '').trim() !== '') records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      cell += ch;
    }
  }
  if (quoted) throw new CsvError(recordLine, 'a quoted field is not closed');
  if (cell !== '' || cells.length > 0) endRecord();
  const first = records.shift();
  if (!first) throw new CsvError(1, 'the file is empty (expected a header line)');
  return { header: first.cells.map((h) => h.trim()), records };
}

function columnIndex(header: string[], names: readonly string[], expected: string): number {
  const lower = header.map((h) => h.toLowerCase());
  for (const name of names) {
    const i = lower.indexOf(name.toLowerCase());
    if (i >= 0) return i;
  }
  throw new CsvError(1, `missing column "${names[0]}" (expected the columns ${expected})`);
}

function numberCell(record: CsvRecord, index: number, column: string): number {
  const text = (record.cells[index] ?? '').trim();
  if (text === '') throw new CsvError(record.line, `${column} is empty`);
  const value = Number(text);
  if (!Number.isFinite(value)) throw new CsvError(record.line, `${column} is not a number ("${text}")`);
  return value;
}

export interface ReadSummaryOptions {
  /** Require the monetary_value column (Gamma-Gamma). */
  monetary?: boolean;
}

const SUMMARY_COLUMNS = 'id,frequency,recency,T (and monetary_value for gamma-gamma)';

/**
 * A summary CSV: `id,frequency,recency,T[,monetary_value]`. The column names of the CDNOW summary file
 * (`ID,x,t_x,T,zbar`) are accepted too.
 */
export function readSummaryCsv(text: string, options: ReadSummaryOptions = {}): CustomerSummary[] {
  const { header, records } = parseCsv(text);
  const idCol = columnIndex(header, ['id', 'customer_id'], SUMMARY_COLUMNS);
  const xCol = columnIndex(header, ['frequency', 'x'], SUMMARY_COLUMNS);
  const txCol = columnIndex(header, ['recency', 't_x'], SUMMARY_COLUMNS);
  const TCol = columnIndex(header, ['T'], SUMMARY_COLUMNS);
  const mCol = options.monetary ? columnIndex(header, ['monetary_value', 'zbar'], SUMMARY_COLUMNS) : -1;
  const out: CustomerSummary[] = [];
  for (const record of records) {
    const id = (record.cells[idCol] ?? '').trim();
    if (id === '') throw new CsvError(record.line, 'id is empty');
    const frequency = numberCell(record, xCol, 'frequency');
    const recency = numberCell(record, txCol, 'recency');
    const T = numberCell(record, TCol, 'T');
    const monetaryValue = mCol >= 0 ? numberCell(record, mCol, 'monetary_value') : 0;
    if (!Number.isInteger(frequency) || frequency < 0) throw new CsvError(record.line, `frequency must be a whole number >= 0 (got ${frequency})`);
    if (T < 0) throw new CsvError(record.line, `T must be >= 0 (got ${T})`);
    if (recency < 0 || recency > T) throw new CsvError(record.line, `recency must be between 0 and T (got ${recency}, T = ${T})`);
    if (frequency === 0 && recency !== 0) throw new CsvError(record.line, `recency must be 0 when frequency is 0 (got ${recency})`);
    if (monetaryValue < 0) throw new CsvError(record.line, `monetary_value is negative (${monetaryValue})`);
    out.push({ id, frequency, recency, T, monetaryValue });
  }
  return out;
}

const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A date cell as a UTC day number: YYYY-MM-DD, or an ISO 8601 time with a zone (its UTC day). */
export function parseDateCell(text: string): number | null {
  const day = dayNumber(text);
  if (day !== null) return day;
  const m = ISO_DATETIME.exec(text);
  if (!m || dayNumber(m[1] ?? '') === null) return null;
  const ms = Date.parse(text.replace(' ', 'T'));
  if (Number.isNaN(ms)) return null;
  return Math.floor(ms / 86_400_000);
}

const TRANSACTION_COLUMNS = 'customer_id,date,amount';

/** A transactions CSV: `customer_id,date,amount`, amount in major units (12.50), date YYYY-MM-DD. */
export function readTransactionsCsv(text: string): Transaction[] {
  const { header, records } = parseCsv(text);
  const idCol = columnIndex(header, ['customer_id'], TRANSACTION_COLUMNS);
  const dateCol = columnIndex(header, ['date'], TRANSACTION_COLUMNS);
  const amountCol = columnIndex(header, ['amount'], TRANSACTION_COLUMNS);
  const out: Transaction[] = [];
  for (const record of records) {
    const customerId = (record.cells[idCol] ?? '').trim();
    if (customerId === '') throw new CsvError(record.line, 'customer_id is empty');
    const dateText = (record.cells[dateCol] ?? '').trim();
    const day = parseDateCell(dateText);
    if (day === null) throw new CsvError(record.line, `date is not a valid date ("${dateText}"; expected YYYY-MM-DD)`);
    const amount = numberCell(record, amountCol, 'amount');
    if (amount < 0) throw new CsvError(record.line, `amount is negative (${amount})`);
    out.push({ customerId, day, amount });
  }
  return out;
}
