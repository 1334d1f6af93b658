import { describe, expect, it } from 'vitest';
import {
  currencySymbol,
  formatAlertThreshold,
  formatAlertValue,
  formatBudgetPeriod,
  formatCountTick,
  formatEstimatedNote,
  formatFxRate,
  formatMoney,
  formatMoneyDecimal,
  formatMoneyTick,
  formatRowTime,
  formatWait,
  plural,
  timingRows,
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

describe('timingRows', () => {
  it('lists the overhead, then each phase, as the server-timing header has them (ms, one decimal)', () => {
    expect(
      timingRows({ overheadMs: 5, authMs: 2, upstreamHeadersMs: 40, upstreamBodyMs: 0.3 }),
    ).toEqual([
      ['Metrion overhead', '5.0 ms'],
      ['Auth and limits', '2.0 ms'],
      ['Upstream headers', '40.0 ms'],
      ['Upstream body', '0.3 ms'],
    ]);
  });

  it('leaves out phases not reached, and has no rows for records without timing', () => {
    expect(
      timingRows({ overheadMs: 1, authMs: 1, upstreamHeadersMs: null, upstreamBodyMs: null }),
    ).toEqual([
      ['Metrion overhead', '1.0 ms'],
      ['Auth and limits', '1.0 ms'],
    ]);
    expect(timingRows(null)).toEqual([]);
  });
});

describe('formatFxRate', () => {
  it('shows the rate with 4 decimals, rounded from the exact decimal, with source and date', () => {
    expect(
      formatFxRate({ currency: 'EUR', rate: '0.86782956', rateDate: '2026-11-20', source: 'ecb' }),
    ).toBe('1 USD = 0.8678 EUR (ECB, 2026-11-20)');
    expect(
      formatFxRate({
        currency: 'CHF',
        rate: '0.79995000',
        rateDate: '2026-11-21',
        source: 'fallback',
      }),
    ).toBe('1 USD = 0.8000 CHF (fallback rate, 2026-11-21)');
  });
});

describe('plural', () => {
  it('uses the singular for exactly one', () => {
    expect(`1 ${plural(1, 'request', 'requests')}`).toBe('1 request');
    expect(`0 ${plural(0, 'request', 'requests')}`).toBe('0 requests');
    expect(`2 ${plural(2, 'request', 'requests')}`).toBe('2 requests');
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
    [{ type: 'forecast', threshold: 400, currency: 'EUR' }, '€400.00'],
    [{ type: 'spike', threshold: 2.5 }, '2.5× median'],
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

describe('formatRowTime', () => {
  const NOW_MS = Date.parse('2026-12-06T12:00:00Z');

  it('fits one short line: month, day and a 24-hour time with seconds', () => {
    expect(formatRowTime('2026-12-06T13:57:04Z', 'en-US', NOW_MS)).toMatch(/^Dec 6, \d{2}:57:04$/);
  });

  it('adds the year only for another year', () => {
    expect(formatRowTime('2025-12-30T12:00:00Z', 'en-US', NOW_MS)).toContain('2025');
    expect(formatRowTime('2026-01-02T10:00:00Z', 'en-US', NOW_MS)).not.toContain('2026');
  });
});

describe('formatAlertValue', () => {
  const now = (value: string | null) => ({ value });

  it('writes the figure to be read before its threshold, in the same unit', () => {
    expect(
      formatAlertValue({ type: 'budget', currency: 'EUR', current: now('12.345678') }, 'en-US'),
    ).toBe('€12.35');
    expect(
      formatAlertValue({ type: 'error_rate', unit: 'percent', current: now('7.5') }, 'en-US'),
    ).toBe('7.5%');
    expect(
      formatAlertValue({ type: 'error_rate', unit: 'count', current: now('3') }, 'en-US'),
    ).toBe('3');
    expect(formatAlertValue({ type: 'latency_p95', current: now('1812') }, 'en-US')).toBe('1,812');
    expect(formatAlertValue({ type: 'request_volume', current: now('0') }, 'en-US')).toBe('0');
  });

  it('shows a dash when nothing was measured', () => {
    expect(formatAlertValue({ type: 'latency_p95', current: now(null) }, 'en-US')).toBe('—');
  });
});
