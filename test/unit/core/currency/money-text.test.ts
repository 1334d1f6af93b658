import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  convertPicoUsdHalfEven,
  exactUsd,
  halfEvenDecimal,
  scaledDecimal,
} from '#core/currency/money-text.ts';

describe('scaledDecimal', () => {
  it.each([
    [1_234_560_000n, 6, '1234.560000'],
    [0n, 6, '0.000000'],
    [5n, 2, '0.05'],
    [-5n, 2, '-0.05'],
    [42n, 0, '42'],
  ])('writes %s units of 10^-%s as %s', (units, decimals, expected) => {
    expect(scaledDecimal(units, decimals)).toBe(expected);
  });

  it.each([-1, 2.5])('rejects %s decimals', (decimals) => {
    expect(() => scaledDecimal(1n, decimals)).toThrow(RangeError);
  });
});

describe('exactUsd (rule 1: no rounding)', () => {
  it.each([
    [null, null],
    [0n, '0'],
    [1n, '0.000000000001'],
    [5_000_000_000n, '0.005'],
    [8_775_000_000n, '0.008775'],
    [12_500_000_000_000n, '12.5'],
    [100_000_000_000_000n, '100'],
  ])('writes %s pico-USD as %j', (picoUsd, expected) => {
    expect(exactUsd(picoUsd)).toBe(expected);
  });

  it('round-trips every amount exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (picoUsd) => {
        const [whole = '', fraction = ''] = exactUsd(picoUsd).split('.');
        expect(BigInt(whole + fraction.padEnd(12, '0'))).toBe(picoUsd);
      }),
    );
  });
});

describe('half-even (rule 2: one rounding to N decimals)', () => {
  it('rounds ties to the even neighbour and everything else to the nearest', () => {
    expect(halfEvenDecimal({ numerator: 25n, denominator: 1000n }, 2)).toBe('0.02');
    expect(halfEvenDecimal({ numerator: 35n, denominator: 1000n }, 2)).toBe('0.04');
    expect(halfEvenDecimal({ numerator: 251n, denominator: 10_000n }, 2)).toBe('0.03');
    expect(halfEvenDecimal({ numerator: 10n, denominator: 11n }, 8)).toBe('0.90909091');
    expect(halfEvenDecimal({ numerator: 5n, denominator: 2n }, 0)).toBe('2');
  });

  it('converts pico-USD at a rational rate with one rounding', () => {
    const usd = { numerator: 1n, denominator: 1n };
    expect(convertPicoUsdHalfEven(2_500_000n, usd, 6)).toBe('0.000002');
    expect(convertPicoUsdHalfEven(3_500_000n, usd, 6)).toBe('0.000004');
    expect(convertPicoUsdHalfEven(1_234_567_890_123n, usd, 6)).toBe('1.234568');
    // 11 USD at 10/11 EUR per USD is exactly 10 EUR.
    const eur = { numerator: 10n, denominator: 11n };
    expect(convertPicoUsdHalfEven(11_000_000_000_000n, eur, 6)).toBe('10.000000');
    expect(convertPicoUsdHalfEven(5_000_000_000n, usd, 2)).toBe('0.00');
  });

  it('is never more than half a unit away from the exact value', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        (picoUsd, numerator, denominator) => {
          const [whole = '', fraction = ''] = convertPicoUsdHalfEven(
            picoUsd,
            { numerator, denominator },
            6,
          ).split('.');
          const micros = BigInt(whole + fraction);
          // |micros - exact| <= 1/2  <=>  |2 * micros * den * 10^6 - 2 * pico * num| <= den * 10^6
          const scale = denominator * 1_000_000n;
          const gap = 2n * micros * scale - 2n * picoUsd * numerator;
          expect(gap <= scale && -gap <= scale).toBe(true);
        },
      ),
    );
  });
});
