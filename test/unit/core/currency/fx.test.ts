import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  convertPicoUsd,
  displayRate,
  FALLBACK_FX,
  type FxQuote,
  parseEcbDailyXml,
} from '#core/currency/fx.ts';

const QUOTE: FxQuote = {
  date: '2026-11-23',
  usdPerEur: '1.1000',
  chfPerEur: '0.9350',
  source: 'ecb',
};

describe('FX conversion', () => {
  it('keeps USD exact to the micro-dollar, rounding half to even once', () => {
    expect(convertPicoUsd(1_234_567_890_123n, 'USD', QUOTE)).toBe('1.234568');
    expect(convertPicoUsd(2_500_000n, 'USD', QUOTE)).toBe('0.000002');
    expect(convertPicoUsd(3_500_000n, 'USD', QUOTE)).toBe('0.000004');
    expect(convertPicoUsd(0n, 'EUR', QUOTE)).toBe('0.000000');
  });

  it('converts to EUR by dividing by the quoted USD rate exactly', () => {
    // 11 USD / 1.1 = 10 EUR exactly: no float could drift here.
    expect(convertPicoUsd(11_000_000_000_000n, 'EUR', QUOTE)).toBe('10.000000');
    expect(convertPicoUsd(1_000_000_000_000n, 'EUR', QUOTE)).toBe('0.909091');
  });

  it('converts to CHF through the euro cross rate', () => {
    expect(convertPicoUsd(1_100_000_000_000n, 'CHF', QUOTE)).toBe('0.935000');
    expect(displayRate('CHF', QUOTE)).toBe('0.85000000');
    expect(displayRate('EUR', QUOTE)).toBe('0.90909091');
  });

  it('converting a sum equals summing exact rationals (no accumulated rounding)', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 10n ** 15n }), { maxLength: 30 }), (parts) => {
        const total = parts.reduce((a, b) => a + b, 0n);
        const micros = (total * 10n + 5_500_000n) / 11_000_000n; // USD/1.1, half-up
        const [whole, fraction] = convertPicoUsd(total, 'EUR', QUOTE).split('.');
        expect(BigInt(`${whole}${fraction}`) - micros).toBeLessThanOrEqual(0n);
        expect(micros - BigInt(`${whole}${fraction}`)).toBeLessThanOrEqual(1n);
      }),
    );
  });

  it('parses the ECB daily XML and rejects a document without USD or CHF', () => {
    const xml = `<Cube><Cube time='2026-11-23'><Cube currency='USD' rate='1.1000'/><Cube currency='CHF' rate='0.9350'/></Cube></Cube>`;
    expect(parseEcbDailyXml(xml)).toEqual(QUOTE);
    expect(() => parseEcbDailyXml(xml.replace("'CHF'", "'JPY'"))).toThrow(RangeError);
  });

  it('ships fallback rates with their date', () => {
    expect(FALLBACK_FX.source).toBe('fallback');
    expect(FALLBACK_FX.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Number(displayRate('EUR', FALLBACK_FX))).toBeGreaterThan(0);
  });
});
