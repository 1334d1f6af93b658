import { describe, expect, it } from 'vitest';
import {
  currencySymbol,
  formatAlertThreshold,
  formatBudgetPeriod,
  formatCountTick,
  formatEstimatedNote,
  formatMoney,
  formatMoneyDecimal,
  formatMoneyTick,
  formatOverhead,
  formatWait,
} from '../../../frontend/src/lib/format.ts';

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

describe('formatMoneyDecimal', () => {
  it.each([
    ['12.345678', 'USD', '$12.35'],
    ['0.0042', 'USD', '$0.0042'],
    ['-0.000123', 'EUR', '-€0.000123'],
    ['1234', 'CHF', 'CHF\u00a01,234.00'],
  ] as const)('formats %s %s as %s', (amount, currency, expected) => {
    expect(formatMoneyDecimal(amount, currency, 'en-US')).toBe(expected);
  });

  it.each([
    ['0.000025', 6, '€0.000025'],
    ['1.5', 2, '€1.50'],
    ['1234', 0, '€1,234'],
    // The fixed decimals win over the sub-cent rule: every tick of an axis looks alike.
    ['0.0042', 2, '€0.00'],
  ] as const)('formats %s with exactly %i decimals as %s', (amount, digits, expected) => {
    expect(formatMoneyDecimal(amount, 'EUR', 'en-US', digits)).toBe(expected);
  });

  it('keeps amounts beyond float precision exact', () => {
    expect(formatMoneyDecimal('9007199254740993.5', 'USD', 'en-US', 1)).toBe(
      '$9,007,199,254,740,993.5',
    );
  });
});

describe('formatMoneyTick', () => {
  it('gives every tick of an axis the decimals its step needs, at least 2 below 1', () => {
    const ticks = [0, 0.05, 0.1, 0.15].map((value) => formatMoneyTick(value, 0.05, 'USD', 'en-US'));

    expect(ticks).toEqual(['$0.00', '$0.05', '$0.10', '$0.15']);
  });

  it.each([
    [0.000025, 0.000025, 'EUR', '€0.000025'],
    [1.5, 0.5, 'CHF', 'CHF\u00a01.50'],
    [1000, 250, 'USD', '$1,000'],
    [-0.5, 0.25, 'USD', '-$0.50'],
    // A step small enough that JavaScript prints it with an exponent (1e-7).
    [3e-7, 1e-7, 'USD', '$0.0000003'],
  ] as const)('formats %d with step %d in %s as %s', (value, step, currency, expected) => {
    expect(formatMoneyTick(value, step, currency, 'en-US')).toBe(expected);
  });

  it('does not show float noise of the computed tick values', () => {
    // 0.1 + 0.2 is 0.30000000000000004 as a float.
    expect(formatMoneyTick(0.1 + 0.2, 0.1, 'USD', 'en-US')).toBe('$0.30');
  });
});

describe('formatCountTick', () => {
  it('ignores the step a chart passes second (it is no locale)', () => {
    const tick = formatCountTick as (value: number, step: number) => string;

    expect(tick(12_500, 2_500)).toBe(new Intl.NumberFormat().format(12_500));
  });
});

describe('formatOverhead', () => {
  it('says the overhead and the phases as the server-timing header does (ms, one decimal)', () => {
    expect(
      formatOverhead({
        overheadMs: 3.4,
        authMs: 2.1,
        upstreamHeadersMs: 143,
        upstreamBodyMs: null,
      }),
    ).toBe('Metrion overhead 3.4 ms (auth+limits 2.1 ms, upstream headers 143.0 ms)');
    expect(
      formatOverhead({ overheadMs: 5, authMs: 2, upstreamHeadersMs: 40, upstreamBodyMs: 0.3 }),
    ).toBe(
      'Metrion overhead 5.0 ms (auth+limits 2.0 ms, upstream headers 40.0 ms, upstream body 0.3 ms)',
    );
  });

  it('leaves out phases not reached, and shows a dash for records without timing', () => {
    expect(
      formatOverhead({ overheadMs: 1, authMs: 1, upstreamHeadersMs: null, upstreamBodyMs: null }),
    ).toBe('Metrion overhead 1.0 ms (auth+limits 1.0 ms)');
    expect(formatOverhead(null)).toBe('—');
  });
});

describe('formatEstimatedNote', () => {
  it('says how many requests have estimated tokens and their share, nothing when none', () => {
    expect(formatEstimatedNote({ count: 0, share: 0 }, 'en-US')).toBeNull();
    expect(formatEstimatedNote({ count: 1_234, share: 0.0456 }, 'en-US')).toBe(
      '1,234 requests (4.6%) have estimated tokens: the client left the stream before the provider reported usage.',
    );
    expect(formatEstimatedNote({ count: 1, share: 0.5 }, 'en-US')).toMatch(
      /^1 request \(50%\) has estimated tokens/,
    );
  });
});

describe('alert formatting', () => {
  it('shows each currency symbol', () => {
    expect(currencySymbol('USD', 'en-US')).toBe('$');
    expect(currencySymbol('EUR', 'en-US')).toBe('€');
    expect(currencySymbol('CHF', 'en-US')).toBe('CHF');
  });

  it.each([
    [{ type: 'budget', threshold: 50, currency: 'CHF' }, 'CHF\u00a050.00'],
    [{ type: 'budget', threshold: 2.5, currency: 'EUR' }, '€2.50'],
    [{ type: 'error_rate', threshold: 2.5, unit: 'percent' }, '2.5%'],
    [{ type: 'error_rate', threshold: 12, unit: 'count' }, '12 errors'],
    [{ type: 'latency_p95', threshold: 2000 }, '2,000 ms'],
    [{ type: 'request_volume', threshold: 1 }, '1 request'],
  ] as const)('formats the threshold %o as %s', (rule, expected) => {
    expect(formatAlertThreshold(rule, 'en-US')).toBe(expected);
  });

  it('names budget periods', () => {
    expect(formatBudgetPeriod({ kind: 'month' })).toBe('this calendar month (UTC)');
    expect(formatBudgetPeriod({ kind: 'since', since: '2026-11-01T00:00:00Z' }, 'en-US')).toBe(
      'since Nov 1, 2026',
    );
  });

  it.each([
    [30, '30 s'],
    [60, '1 min'],
    [61, '2 min'],
    [3600, '1 h'],
    [43_199, '12 h'],
    [40_000, '11 h 7 min'],
  ])('formats a wait of %i s as %s', (seconds, expected) => {
    expect(formatWait(seconds)).toBe(expected);
  });
});
