import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readCsv } from './csv.ts';
import { normalizeEmail } from './customers.ts';
import { formatMoney, fromMinorUnits, MoneyError, toMinorUnits } from './money.ts';

describe('decimal strings to minor units', () => {
  it('is exact where floats are not', () => {
    expect(toMinorUnits('0.10', 'GBP')).toBe(10);
    expect(toMinorUnits('0.1', 'GBP')).toBe(10);
    expect(toMinorUnits('12.50', 'GBP')).toBe(1250);
    expect(() => toMinorUnits('1.005', 'USD')).toThrow(MoneyError);
    expect(toMinorUnits('1.10', 'EUR')).toBe(110);
    // 0.29 * 100 is 28.999999999999996 in floating point.
    expect(toMinorUnits('0.29', 'GBP')).toBe(29);
    expect(toMinorUnits('19.99', 'USD')).toBe(1999);
    expect(toMinorUnits('4.35', 'GBP')).toBe(435);
    expect(toMinorUnits('12', 'GBP')).toBe(1200);
    expect(toMinorUnits('12.500', 'GBP')).toBe(1250);
    expect(toMinorUnits('90071992547409.91', 'GBP')).toBe(9007199254740991);
  });

  it('knows zero- and three-decimal currencies', () => {
    expect(toMinorUnits('1500', 'JPY')).toBe(1500);
    expect(toMinorUnits('1500.00', 'JPY')).toBe(1500);
    expect(toMinorUnits('1500', 'jpy')).toBe(1500);
    expect(() => toMinorUnits('1500.50', 'JPY')).toThrow('more decimal places than JPY allows (0)');
    expect(() => toMinorUnits('0.10', 'JPY')).toThrow(MoneyError);
    expect(toMinorUnits('1.234', 'KWD')).toBe(1234);
    expect(toMinorUnits('7', 'KRW')).toBe(7);
  });

  it('accepts JSON numbers and refuses what is not an amount', () => {
    expect(toMinorUnits(12.5, 'GBP')).toBe(1250);
    expect(toMinorUnits(0.1, 'GBP')).toBe(10);
    for (const bad of ['', 'abc', '1,50', '1.2.3', '.5', '1e3', ' ', '£5']) expect(() => toMinorUnits(bad, 'GBP')).toThrow(MoneyError);
    expect(() => toMinorUnits(1e21, 'GBP')).toThrow(MoneyError);
    expect(() => toMinorUnits('99999999999999999', 'GBP')).toThrow('too large');
  });

  it('round-trips every amount of cents', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom('GBP', 'JPY', 'KWD'), (minor, currency) => {
        expect(toMinorUnits(fromMinorUnits(minor, currency), currency)).toBe(minor);
      }),
    );
    expect(fromMinorUnits(5, 'GBP')).toBe('0.05');
    expect(fromMinorUnits(1500, 'JPY')).toBe('1500');
    expect(formatMoney(1250, 'GBP')).toBe('£12.50');
    expect(formatMoney(1500, 'JPY')).toBe('JP¥1,500');
  });
});

describe('normalizeEmail', () => {
  it('drops +tags, case, and Gmail dots', () => {
    expect(normalizeEmail('Jane.Doe+shop@Gmail.com')).toBe('janedoe@gmail.com');
    expect(normalizeEmail('jane.doe@googlemail.com')).toBe('janedoe@gmail.com');
    expect(normalizeEmail('Jane.Doe+x@Example.com')).toBe('jane.doe@example.com');
  });
});

async function* chunks(...parts: string[]) {
  for (const p of parts) yield new TextEncoder().encode(p);
}
async function records(...parts: string[]) {
  const out: Array<[number, string[]]> = [];
  for await (const r of readCsv(chunks(...parts))) out.push([r.number, r.fields]);
  return out;
}

describe('readCsv', () => {
  it('reads quoted fields, escaped quotes, line breaks in quotes and CRLF', async () => {
    expect(await records('\uFEFFa,b,c\r\n1,"x, ""y""","line\nbreak"\r\n\r\n2,,\n')).toEqual([
      [1, ['a', 'b', 'c']],
      [2, ['1', 'x, "y"', 'line\nbreak']],
      [3, ['2', '', '']],
    ]);
  });

  it('gives the same records however the bytes are split', async () => {
    const text = 'name,note\r\n"Zoë","say ""hi"", then\r\nleave"\r\nplain,£5\n';
    const whole = await records(text);
    const bytes = new TextEncoder().encode(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      async function* split() {
        yield bytes.slice(0, cut);
        yield bytes.slice(cut);
      }
      const out: Array<[number, string[]]> = [];
      for await (const r of readCsv(split())) out.push([r.number, r.fields]);
      expect(out).toEqual(whole);
    }
    expect(whole).toEqual([
      [1, ['name', 'note']],
      [2, ['Zoë', 'say "hi", then\r\nleave']],
      [3, ['plain', '£5']],
    ]);
  });

  it('names the row of a syntax error', async () => {
    await expect(records('a,b\n1,"open\n')).rejects.toThrow('Row 2: a quoted field is never closed');
    await expect(records('a,b\n1,2\n3,x"y\n')).rejects.toThrow('Row 3: a quote inside an unquoted field');
  });
});
