// What the pages should show for the traffic a test sent, computed here from the price data,
// the token counts the fake reported and the shipped fallback rate, in exact bigint arithmetic
// (independent of the server's conversion code).
import { FALLBACK_FX } from '#core/currency/fx.ts';
import { GENERATED_PRICES } from '#core/pricing/generated-prices.ts';

/**
 * Exact USD cost of one OpenAI request in pico-USD (micro-USD per MTok × tokens), for a model
 * with one flat price in the generated table, looked up by its id there.
 */
export function picoUsdOf(
  model: string,
  tokens: { readonly inputTokens: number; readonly outputTokens: number },
): bigint {
  const entry = GENERATED_PRICES.openai.find(({ id }) => id === model);
  const prices = entry?.periods.length === 1 ? entry.periods[0]?.prices : undefined;
  if (!prices || typeof prices.input !== 'number' || typeof prices.output !== 'number') {
    throw new Error(`${model} has no single flat price in the generated table`);
  }
  return (
    BigInt(tokens.inputTokens) * BigInt(prices.input) +
    BigInt(tokens.outputTokens) * BigInt(prices.output)
  );
}

/** `"0.000123400000"` (any number of decimals) as pico-USD. */
export function picoFromDecimal(text: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,12}))?$/.exec(text);
  if (!match) throw new Error(`Not a decimal with at most 12 places: ${text}`);
  return BigInt(`${match[1]}${(match[2] ?? '').padEnd(12, '0')}`);
}

function halfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twice = (numerator % denominator) * 2n;
  return twice > denominator || (twice === denominator && quotient % 2n === 1n)
    ? quotient + 1n
    : quotient;
}

function decimal(scaled: bigint, places: number): string {
  const digits = scaled.toString().padStart(places + 1, '0');
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

/** EUR per USD of the fallback quote as a fraction (the quote is USD per EUR). */
function eurPerUsd(): { numerator: bigint; denominator: bigint } {
  const [whole, fraction = ''] = FALLBACK_FX.usdPerEur.split('.');
  return { numerator: 10n ** BigInt(fraction.length), denominator: BigInt(`${whole}${fraction}`) };
}

/** Pico-USD as USD with 6 decimals, rounded half to even. */
export function usd6(picoUsd: bigint): string {
  return decimal(halfEven(picoUsd, 1_000_000n), 6);
}

/** Pico-USD converted to EUR at the fallback rate, 6 decimals, rounded half to even once. */
export function eur6(picoUsd: bigint): string {
  const rate = eurPerUsd();
  return decimal(halfEven(picoUsd * rate.numerator, rate.denominator * 1_000_000n), 6);
}

/** The fallback EUR rate as the API and the CSV carry it: EUR per USD, 8 decimals. */
export function eurRate8(): string {
  const rate = eurPerUsd();
  return decimal(halfEven(rate.numerator * 10n ** 8n, rate.denominator), 8);
}

/** The fallback EUR rate as the pages show it: the 8-decimal rate rounded to 4, half up. */
export function eurRate4(): string {
  const scaled = BigInt(eurRate8().replace('.', ''));
  return decimal((scaled + 5_000n) / 10_000n, 4);
}

/** Reference date of the fallback rate (the local stack stores no ECB rate). */
export const FALLBACK_RATE_DATE = FALLBACK_FX.date;
