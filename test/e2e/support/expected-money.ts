// What the pages should show for the traffic a test sent, computed here from OpenAI's published
// prices, the token counts the fake reported and the shipped fallback rate, written out as
// literals, in exact bigint arithmetic: independent of the server's price table and conversion.

/**
 * OpenAI's published standard prices in pico-USD per token ($1 per 1M tokens is 1,000,000
 * pico-USD per token).
 */
const PUBLISHED_OPENAI_PRICES: Readonly<Record<string, { input: bigint; output: bigint }>> = {
  // $0.15 per 1M input tokens, $0.60 per 1M output tokens
  'gpt-4o-mini': { input: 150_000n, output: 600_000n },
  // $2.50 per 1M input tokens, $10.00 per 1M output tokens
  'gpt-4o': { input: 2_500_000n, output: 10_000_000n },
  // $0.40 per 1M input tokens, $1.60 per 1M output tokens
  'gpt-4.1-mini': { input: 400_000n, output: 1_600_000n },
};

/** The shipped fallback quote: the ECB reference rate of 20 November 2026, 1 EUR = 1.1523 USD. */
const FALLBACK_USD_PER_EUR = '1.1523';

/** Exact USD cost of one OpenAI request in pico-USD, at the model's published prices. */
export function picoUsdOf(
  model: string,
  tokens: { readonly inputTokens: number; readonly outputTokens: number },
): bigint {
  const prices = PUBLISHED_OPENAI_PRICES[model];
  if (prices === undefined) throw new Error(`No published price written here for ${model}`);
  return BigInt(tokens.inputTokens) * prices.input + BigInt(tokens.outputTokens) * prices.output;
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
  const [whole, fraction = ''] = FALLBACK_USD_PER_EUR.split('.');
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
export const FALLBACK_RATE_DATE = '2026-11-20';
