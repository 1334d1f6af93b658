import { describe, expect, it } from 'vitest';
import {
  periodEndMs,
  periodKey,
  periodStartMs,
  previousPeriodKey,
} from '#core/budgets/budget-period.ts';

const at = (iso: string) => Date.parse(iso);

describe('budget periods', () => {
  it('names the UTC day and the UTC month a moment falls in', () => {
    expect(periodKey('day', at('2026-12-05T23:59:59.999Z'))).toBe('2026-12-05');
    expect(periodKey('day', at('2026-12-06T00:00:00.000Z'))).toBe('2026-12-06');
    expect(periodKey('month', at('2026-12-31T23:59:59.999Z'))).toBe('2026-12');
    expect(periodKey('month', at('2027-01-01T00:00:00.000Z'))).toBe('2027-01');
  });

  it('resets at 00:00 UTC of the next day and of the 1st of the next month', () => {
    expect(new Date(periodEndMs('2026-12-05')).toISOString()).toBe('2026-12-06T00:00:00.000Z');
    expect(new Date(periodEndMs('2026-12')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(new Date(periodEndMs('2028-02-28')).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(new Date(periodEndMs('2028-02')).toISOString()).toBe('2028-03-01T00:00:00.000Z');
    expect(new Date(periodStartMs('2026-12')).toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('names the period before, across a year', () => {
    expect(previousPeriodKey('day', at('2027-01-01T00:00:00Z'))).toBe('2026-12-31');
    expect(previousPeriodKey('month', at('2027-01-15T12:00:00Z'))).toBe('2026-12');
  });

  it('refuses a key that names no period', () => {
    expect(() => periodStartMs('2026/12')).toThrow(RangeError);
  });

  it('refuses a period key with anything before or after it, naming at most 20 characters', () => {
    for (const key of ['x2026-12', '2026-12x', '2026-12-05T00', '2026-1']) {
      expect(() => periodStartMs(key)).toThrow(new RangeError(`Not a budget period: ${key}`));
    }
    expect(() => periodStartMs(`2026-12${'x'.repeat(30)}`)).toThrow(
      new RangeError(`Not a budget period: 2026-12${'x'.repeat(13)}`),
    );
  });
});
