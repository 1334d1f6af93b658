import type { CURRENCY_CODES } from '../../../functions/contracts/settings-api.ts';

/** A display currency the account can choose. */
export type CurrencyCode = (typeof CURRENCY_CODES)[number];

const MICROS_DECIMALS = 6;

/**
 * Money from integer micro-units (1 USD = 1,000,000 micros) as a localized string: `$1,234.57`,
 * `CHF 0.0042`. The amount is handed to `Intl` as an exact decimal string, never as a float
 * quotient. Amounts below one cent keep up to 4 significant fraction digits so they do not
 * show as zero.
 */
export function formatMoney(
  amountMicros: number | bigint,
  currency: CurrencyCode,
  locale?: string,
): string {
  const micros = BigInt(amountMicros);
  const negative = micros < 0n;
  const digits = (negative ? -micros : micros).toString().padStart(MICROS_DECIMALS + 1, '0');
  const decimal = `${negative ? '-' : ''}${digits.slice(0, -MICROS_DECIMALS)}.${digits.slice(-MICROS_DECIMALS)}`;
  const belowOneCent = micros !== 0n && (negative ? -micros : micros) < 10_000n;
  const formatter = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    ...(belowOneCent ? { maximumSignificantDigits: 4 } : {}),
  });
  // Intl formats numeric strings exactly (ES2023 Intl.NumberFormat v3).
  return formatter.format(decimal as Intl.StringNumericLiteral);
}

/** What each currency is called in pickers. */
export const CURRENCY_LABELS: Readonly<Record<CurrencyCode, string>> = {
  USD: 'US dollar (USD)',
  EUR: 'Euro (EUR)',
  CHF: 'Swiss franc (CHF)',
};

/** A date for lists: `24 Nov 2026`. */
export function formatDate(iso: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso));
}

/** A date and time: `24 Nov 2026, 14:03:12`. */
export function formatDateTime(iso: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(
    new Date(iso),
  );
}

/** A plan code for people: `free` -> `Free`. */
export function formatPlan(plan: 'free' | 'pro'): string {
  return plan === 'pro' ? 'Pro' : 'Free';
}
