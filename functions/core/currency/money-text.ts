/**
 * Money to text, in one place: the two named rules every figure Metrion shows or sends goes
 * through. Amounts are integers (pico-USD, micro-units), never floats; this module imports
 * nothing, so the dashboard reaches the same rules through `#contracts/money-text.ts`.
 *
 * 1. {@link exactUsd}: exact USD, no rounding (Logs `costUsd`, CSV `cost_usd`, the admin CLI).
 * 2. {@link halfEvenDecimal} / {@link convertPicoUsdHalfEven}: one half-to-even rounding of an
 *    exact rational to N decimals (converted costs in the account's currency, the shown rate).
 */

/** Pico-USD (10^-12 USD) per USD, as a power of ten. */
export const PICO_DECIMALS = 12;

/** An exact positive rational `numerator / denominator` (a rate, units per USD). */
export interface Rational {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/**
 * Integer units of 10^-`decimals` as a plain decimal string, exactly: `scaledDecimal(1_234_560_000n,
 * 6)` is `'1234.560000'`, `scaledDecimal(-5n, 2)` is `'-0.05'`.
 * @throws RangeError when `decimals` is not a non-negative integer.
 */
export function scaledDecimal(units: bigint, decimals: number): string {
  if (!Number.isInteger(decimals) || decimals < 0) {
    throw new RangeError(`decimals must be a non-negative integer, got ${decimals}`);
  }
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const text = decimals === 0 ? whole : `${whole}.${digits.slice(digits.length - decimals)}`;
  return negative ? `-${text}` : text;
}

/**
 * Rule 1, exact USD: pico-USD as a decimal USD string without rounding and without trailing
 * zeros (`"0.008775"`, `"12.5"`, `"0"`); null stays null (unpriced).
 */
export function exactUsd(picoUsd: bigint): string;
export function exactUsd(picoUsd: bigint | null): string | null;
export function exactUsd(picoUsd: bigint | null): string | null {
  if (picoUsd === null) return null;
  return scaledDecimal(picoUsd, PICO_DECIMALS).replace(/\.?0+$/, '') || '0';
}

/** `numerator / denominator` rounded half to even (denominator > 0). */
function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const absolute = negative ? -numerator : numerator;
  let quotient = absolute / denominator;
  const twiceRemainder = (absolute % denominator) * 2n;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) {
    quotient += 1n;
  }
  return negative ? -quotient : quotient;
}

/**
 * Rule 2, half-even: an exact rational as a decimal string with exactly `decimals` places,
 * rounded half to even once (`2.5` units → `2`, `3.5` → `4`).
 * @throws RangeError when `decimals` is not a non-negative integer.
 */
export function halfEvenDecimal(value: Rational, decimals: number): string {
  if (!Number.isInteger(decimals) || decimals < 0) {
    throw new RangeError(`decimals must be a non-negative integer, got ${decimals}`);
  }
  const scaled = divideHalfEven(value.numerator * 10n ** BigInt(decimals), value.denominator);
  return scaledDecimal(scaled, decimals);
}

/**
 * Rule 2 applied to money: exact pico-USD converted with `rate` (units of the target currency
 * per USD) and rounded half to even once to `decimals` places; no float touches the amount.
 */
export function convertPicoUsdHalfEven(picoUsd: bigint, rate: Rational, decimals: number): string {
  return halfEvenDecimal(
    {
      numerator: picoUsd * rate.numerator,
      denominator: rate.denominator * 10n ** BigInt(PICO_DECIMALS),
    },
    decimals,
  );
}
