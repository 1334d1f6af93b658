import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../../frontend/src/lib/format.ts';

describe('formatMoney', () => {
  it.each([
    [1_234_560_000, 'USD', '$1,234.56'],
    [1_234_560_000, 'EUR', '€1,234.56'],
    [1_234_560_000, 'CHF', 'CHF\u00a01,234.56'],
    [0, 'USD', '$0.00'],
    [-2_500_000, 'USD', '-$2.50'],
  ] as const)('formats %i micros in %s as %s', (micros, currency, expected) => {
    expect(formatMoney(micros, currency, 'en-US')).toBe(expected);
  });

  it('keeps amounts beyond float precision exact', () => {
    // 9,007,199,254.740993 USD: as a float quotient the last digits would drift.
    expect(formatMoney(9_007_199_254_740_993n, 'USD', 'en-US')).toBe('$9,007,199,254.74');
  });

  it('shows sub-cent amounts with significant digits instead of $0.00', () => {
    expect(formatMoney(4_200, 'USD', 'en-US')).toBe('$0.0042');
    expect(formatMoney(123, 'USD', 'en-US')).toBe('$0.000123');
  });
});
