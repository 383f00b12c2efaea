import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv, readSummaryCsv, readTransactionsCsv } from './csv.ts';
import { dayNumber } from './summary.ts';

function csvError(fn: () => unknown): CsvError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CsvError) return err;
    throw err;
  }
  throw new Error('expected a CsvError');
}

describe('parseCsv', () => {
  it('reads quoted fields, CRLF and blank lines, numbering records by line', () => {
    const { header, records } = parseCsv('\uFEFFa,b\r\n"x, ""y""",2\r\n\r\n"multi\nline",3\n');
    expect(header).toEqual(['a', 'b']);
    expect(records).toEqual([
      { line: 2, cells: ['x, "y"', '2'] },
      { line: 4, cells: ['multi\nline', '3'] },
    ]);
  });

  it('refuses an unclosed quote and an empty file', () => {
    expect(csvError(() => parseCsv('a\n"open')).line).toBe(2);
    expect(csvError(() => parseCsv('')).reason).toMatch(/empty/);
  });
});

describe('readTransactionsCsv', () => {
  it('reads customer_id,date,amount in any column order, dates as UTC days', () => {
    const rows = readTransactionsCsv('amount,customer_id,date\n12.50,c1,2024-02-29\n0,c2,2024-03-01T23:30:00-02:00\n');
    expect(rows).toEqual([
      { customerId: 'c1', day: dayNumber('2024-02-29'), amount: 12.5 },
      { customerId: 'c2', day: dayNumber('2024-03-02'), amount: 0 },
    ]);
  });

  it('refuses a missing column, a bad date and a negative amount with the line and the reason', () => {
    expect(csvError(() => readTransactionsCsv('customer_id,date\nc1,2024-01-01\n')).message).toBe(
      'line 1: missing column "amount" (expected the columns customer_id,date,amount)',
    );
    expect(csvError(() => readTransactionsCsv('customer_id,date,amount\nc1,2024-01-01,3\nc1,2023-02-30,4\n')).message).toBe(
      'line 3: date is not a valid date ("2023-02-30"; expected YYYY-MM-DD)',
    );
    expect(csvError(() => readTransactionsCsv('customer_id,date,amount\nc1,01/02/2024,4\n')).line).toBe(2);
    expect(csvError(() => readTransactionsCsv('customer_id,date,amount\nc1,2024-01-01,3\n\nc2,2024-01-02,-4.5\n')).message).toBe('line 4: amount is negative (-4.5)');
    expect(csvError(() => readTransactionsCsv('customer_id,date,amount\nc1,2024-01-01,abc\n')).message).toBe('line 2: amount is not a number ("abc")');
    expect(csvError(() => readTransactionsCsv('customer_id,date,amount\n,2024-01-01,1\n')).message).toBe('line 2: customer_id is empty');
  });
});

describe('readSummaryCsv', () => {
  it('reads id,frequency,recency,T[,monetary_value] and the CDNOW names ID,x,t_x,T,zbar', () => {
    const expected = [{ id: '1', frequency: 2, recency: 30.43, T: 38.86, monetaryValue: 22.35 }];
    expect(readSummaryCsv('id,frequency,recency,T,monetary_value\n1,2,30.43,38.86,22.35\n', { monetary: true })).toEqual(expected);
    expect(readSummaryCsv('ID,x,t_x,T,zbar\r\n1,2,30.43,38.86,22.35\r\n', { monetary: true })).toEqual(expected);
  });

  it('needs monetary_value only for the spend model', () => {
    expect(readSummaryCsv('id,frequency,recency,T\n1,0,0,10\n')).toHaveLength(1);
    expect(csvError(() => readSummaryCsv('id,frequency,recency,T\n1,0,0,10\n', { monetary: true })).message).toMatch(/^line 1: missing column "monetary_value"/);
  });

  it('refuses impossible rows', () => {
    const head = 'id,frequency,recency,T,monetary_value\n';
    expect(csvError(() => readSummaryCsv(head + '1,1.5,2,3,1\n')).message).toBe('line 2: frequency must be a whole number >= 0 (got 1.5)');
    expect(csvError(() => readSummaryCsv(head + '1,1,4,3,1\n')).message).toBe('line 2: recency must be between 0 and T (got 4, T = 3)');
    expect(csvError(() => readSummaryCsv(head + '1,0,1,3,1\n')).message).toBe('line 2: recency must be 0 when frequency is 0 (got 1)');
    expect(csvError(() => readSummaryCsv(head + '1,1,1,3,-2\n', { monetary: true })).message).toBe('line 2: monetary_value is negative (-2)');
    expect(csvError(() => readSummaryCsv(head + '1,1,,3,2\n')).message).toBe('line 2: recency is empty');
  });
});
