/**
 * Money as integer minor units. Stores send decimal strings ("12.50"); they are converted digit by
 * digit, never through a float, so "0.10" is exactly 10 and a yen price stays whole.
 */

/** ISO 4217 currencies whose minor unit is not the cent: none (the yen) or a thousandth (the dinar). */
const exponents: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

export function currencyExponent(currency: string): number {
  return exponents[currency.toUpperCase()] ?? 2;
}

export class MoneyError extends Error {}

const DECIMAL = /^(-)?(\d{1,18})(?:\.(\d{1,12}))?$/;

/**
 * "12.50" GBP → 1250; "1500" or "1500.00" JPY → 1500; "0.10" → 10. Digits beyond the currency's
 * minor unit must be zeros ("12.345" GBP is refused rather than rounded). Numbers are accepted as
 * their shortest decimal text, which is what JSON parsing of a price gives.
 */
export function toMinorUnits(amount: string | number, currency: string): number {
  const text = typeof amount === 'number' ? numberText(amount) : amount.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyError(`"${String(amount)}" is not a decimal amount such as 12.50`);
  const [, sign, whole = '0', fraction = ''] = match;
  const exponent = currencyExponent(currency);
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0');
  if (/[^0]/.test(fraction.slice(exponent))) {
    throw new MoneyError(`${text} has more decimal places than ${currency.toUpperCase()} allows (${exponent})`);
  }
  const minor = BigInt(whole + kept) * (sign ? -1n : 1n);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < -BigInt(Number.MAX_SAFE_INTEGER)) throw new MoneyError(`${text} is too large`);
  return Number(minor);
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new MoneyError(`${n} is not an amount`);
  const text = String(n);
  if (/e/i.test(text)) throw new MoneyError(`${text} is not a decimal amount such as 12.50`);
  return text;
}

/** 1250 GBP → "12.50"; 1500 JPY → "1500". */
export function fromMinorUnits(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative ? `-${text}` : text;
}

/** For people: "£12.50", "¥1,500". */
export function formatMoney(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  try {
    return new Intl.NumberFormat('en-GB', { style: 'currency', currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent }).format(Number(fromMinorUnits(minor, currency)));
  } catch {
    return `${fromMinorUnits(minor, currency)} ${currency}`;
  }
}
