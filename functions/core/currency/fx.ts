import type { Currency } from '../accounts/account.ts';
import { convertPicoUsdHalfEven, halfEvenDecimal, type Rational } from './money-text.ts';

/**
 * Euro reference rates as the ECB publishes them: units of each currency per 1 EUR, as decimal
 * strings exactly as quoted (`"1.0512"`), so conversions stay exact rationals.
 */
export interface FxQuote {
  /** Reference date (YYYY-MM-DD). */
  readonly date: string;
  /** USD per 1 EUR. */
  readonly usdPerEur: string;
  /** CHF per 1 EUR. */
  readonly chfPerEur: string;
  readonly source: 'ecb' | 'fallback';
}

/**
 * Shipped with the code for when no stored rate exists (offline, first deploy): ECB euro
 * reference rates of the date below. Update with each release.
 */
export const FALLBACK_FX: FxQuote = {
  date: '2026-11-20',
  usdPerEur: '1.1523',
  chfPerEur: '0.9318',
  source: 'fallback',
};

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** Parses a plain positive decimal string exactly. @throws RangeError otherwise */
export function parseDecimal(text: string): Rational {
  const match = DECIMAL.exec(text.trim());
  if (match === null) throw new RangeError(`Not a decimal: ${text.slice(0, 40)}`);
  const fraction = match[2] ?? '';
  const rational = {
    numerator: BigInt(`${match[1]}${fraction}`),
    denominator: 10n ** BigInt(fraction.length),
  };
  if (rational.numerator === 0n) throw new RangeError('A rate must be positive.');
  return rational;
}

/** Units of `currency` per 1 USD, exactly. */
export function perUsd(currency: Currency, quote: FxQuote): Rational {
  if (currency === 'USD') return { numerator: 1n, denominator: 1n };
  const usd = parseDecimal(quote.usdPerEur);
  const target =
    currency === 'EUR' ? { numerator: 1n, denominator: 1n } : parseDecimal(quote.chfPerEur);
  return {
    numerator: target.numerator * usd.denominator,
    denominator: target.denominator * usd.numerator,
  };
}

/** Decimal places of converted money in API responses (micro-units of the currency). */
export const MONEY_DECIMALS = 6;

/**
 * Converts an exact picodollar amount into `currency`, as a decimal string with 6 decimals,
 * rounded half to even once from the exact rational (no float ever touches the amount).
 */
export function convertPicoUsd(picoUsd: bigint, currency: Currency, quote: FxQuote): string {
  return convertPicoUsdHalfEven(picoUsd, perUsd(currency, quote), MONEY_DECIMALS);
}

/**
 * Whole cents of `currency` in pico-USD at `quote`, rounded down (a limit converted this way
 * never allows more than it states).
 */
export function centsToPicoUsdFloor(cents: number, currency: Currency, quote: FxQuote): bigint {
  const rate = perUsd(currency, quote);
  return (BigInt(cents) * 10n ** 10n * rate.denominator) / rate.numerator;
}

/** Decimal places of the rate shown next to converted figures. */
const RATE_DECIMALS = 8;

/** The rate shown next to converted figures: units of `currency` per USD, 8 decimals. */
export function displayRate(currency: Currency, quote: FxQuote): string {
  return halfEvenDecimal(perUsd(currency, quote), RATE_DECIMALS);
}

/**
 * Reads the ECB daily XML (`eurofxref-daily.xml`): the `time` of the day's cube and the USD and
 * CHF rates. @throws RangeError when the document lacks any of them.
 */
export function parseEcbDailyXml(xml: string): FxQuote {
  const date = /time=['"](\d{4}-\d{2}-\d{2})['"]/.exec(xml)?.[1];
  const rate = (code: string): string | undefined =>
    new RegExp(`currency=['"]${code}['"]\\s+rate=['"]([0-9.]+)['"]`).exec(xml)?.[1];
  const usd = rate('USD');
  const chf = rate('CHF');
  if (date === undefined || usd === undefined || chf === undefined) {
    throw new RangeError('The ECB reference rate document lacks the date, USD or CHF.');
  }
  parseDecimal(usd);
  parseDecimal(chf);
  return { date, usdPerEur: usd, chfPerEur: chf, source: 'ecb' };
}
