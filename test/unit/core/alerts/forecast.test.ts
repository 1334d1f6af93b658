import { describe, expect, it } from 'vitest';
import {
  type DaySpend,
  forecastCrossingMs,
  forecastMonthEnd,
  forecastReadSpan,
  type MonthForecast,
} from '#core/alerts/forecast.ts';

const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);
/** Dollars as picodollars. */
const usd = (dollars: number) => BigInt(dollars) * 1_000_000_000_000n;

/** One sealed item of `dollars` on each day from `first` through `last` (inclusive, ISO dates). */
function days(first: string, last: string, dollars: number, sealed = true): DaySpend[] {
  const items: DaySpend[] = [];
  for (let ms = at(`${first}T00:00:00Z`); ms <= at(`${last}T00:00:00Z`); ms += DAY) {
    items.push({ bucketStart: new Date(ms).toISOString(), costPicoUsd: usd(dollars), sealed });
  }
  return items;
}

function projected(result: ReturnType<typeof forecastMonthEnd>): MonthForecast {
  if (result.kind !== 'projected') throw new Error(`expected a projection, got ${result.kind}`);
  return result.forecast;
}

const LONG_AGO = at('2026-01-01T00:00:00Z');

describe('forecastMonthEnd: spent + 7-day pace x days left', () => {
  it('projects $300 on Nov 12 from $10 a day (11 days spent, 19 left)', () => {
    const now = at('2026-11-12T10:00:00Z');
    const forecast = projected(
      forecastMonthEnd(days('2026-10-20', '2026-11-11', 10), now, LONG_AGO),
    );
    expect(forecast).toMatchObject({
      exactThroughMs: at('2026-11-12T00:00:00Z'),
      spentPicoUsd: usd(110),
      paceDays: 7,
      paceSpendPicoUsd: usd(70),
      projectedPicoUsd: usd(300),
      monthEndMs: at('2026-12-01T00:00:00Z'),
    });
  });

  it('ignores today: its live rollups are projected at the pace, not counted', () => {
    const now = at('2026-11-12T10:00:00Z');
    const today = {
      bucketStart: '2026-11-12T00:00:00.000Z',
      costPicoUsd: usd(5000),
      sealed: false,
    };
    // A day before the read span, given anyway, counts for nothing either.
    const before = days('2026-10-20', '2026-10-20', 5000);
    const forecast = projected(
      forecastMonthEnd([...before, ...days('2026-11-01', '2026-11-11', 10), today], now, LONG_AGO),
    );
    expect(forecast.projectedPicoUsd).toBe(usd(300));
  });

  it('stops counting at the first unsealed day: a doubled live day cannot raise it', () => {
    const now = at('2026-11-12T10:00:00Z');
    const exact = [
      ...days('2026-11-01', '2026-11-09', 10),
      ...days('2026-11-11', '2026-11-11', 10),
    ];
    // Nov 10 counted twice by a redelivered batch, not sealed yet.
    const doubled = [...exact, ...days('2026-11-10', '2026-11-10', 20, false)];
    const forecast = projected(forecastMonthEnd(doubled, now, LONG_AGO));
    // Spent Nov 1-9 ($90), pace Nov 3-9 ($70 / 7), 21 days left from Nov 10: 90 + 210.
    expect(forecast).toMatchObject({
      exactThroughMs: at('2026-11-10T00:00:00Z'),
      spentPicoUsd: usd(90),
      projectedPicoUsd: usd(300),
    });
  });

  it('on the 1st, before the last day of the month before is sealed, projects from the pace only', () => {
    const now = at('2026-12-01T00:30:00Z');
    const items = [
      ...days('2026-11-20', '2026-11-29', 10),
      ...days('2026-11-30', '2026-11-30', 10, false),
    ];
    const forecast = projected(forecastMonthEnd(items, now, LONG_AGO));
    // 31 days of December at $10.
    expect(forecast).toMatchObject({ spentPicoUsd: 0n, projectedPicoUsd: usd(310) });
  });

  it.each([
    ['2026-11-09T00:00:01Z', 'too_little_history', 2],
    ['2026-11-09T00:00:00Z', 'projected', 3],
    ['2026-11-08T23:59:59Z', 'projected', 3],
  ])('an account created at %s has %s (%i days of pace)', (created, kind, paceDays) => {
    const result = forecastMonthEnd(
      days('2026-11-09', '2026-11-11', 10),
      at('2026-11-12T10:00:00Z'),
      at(created),
    );
    expect(result.kind).toBe(kind);
    expect(result.kind === 'projected' ? result.forecast.paceDays : result.paceDays).toBe(paceDays);
  });

  it('rounds the projection half up to a picodollar', () => {
    // Pace 1 pico over 7 days, 19 days left: 19/7 = 2.71 -> 3; 0.5 rounds up.
    const now = at('2026-11-12T10:00:00Z');
    const one: DaySpend = {
      bucketStart: '2026-11-11T00:00:00.000Z',
      costPicoUsd: 1n,
      sealed: true,
    };
    expect(projected(forecastMonthEnd([one], now, LONG_AGO)).projectedPicoUsd).toBe(1n + 3n);
    // 14 days of pace, 7 days left from Nov 24: 1 x 7/14 = 0.5 -> 1.
    const late = at('2026-11-24T10:00:00Z');
    const item: DaySpend = {
      bucketStart: '2026-11-20T00:00:00.000Z',
      costPicoUsd: 1n,
      sealed: true,
    };
    const result = projected(forecastMonthEnd([item], late, LONG_AGO));
    expect(result.paceDays).toBe(7);
    // Spent 1 (Nov 20); pace 1/7 per day, 7 days left: 1 -> total 2.
    expect(result.projectedPicoUsd).toBe(2n);
  });

  it('reads the month and the 7 days before today', () => {
    expect(forecastReadSpan(at('2026-11-12T10:00:00Z'))).toEqual({
      fromMs: at('2026-11-01T00:00:00Z'),
      toMs: at('2026-11-12T00:00:00Z'),
    });
    expect(forecastReadSpan(at('2026-11-03T10:00:00Z'))).toEqual({
      fromMs: at('2026-10-27T00:00:00Z'),
      toMs: at('2026-11-03T00:00:00Z'),
    });
  });
});

describe('forecastCrossingMs: when the threshold is reached at this pace', () => {
  const forecast = {
    monthStartMs: at('2026-11-01T00:00:00Z'),
    monthEndMs: at('2026-12-01T00:00:00Z'),
    exactThroughMs: at('2026-11-12T00:00:00Z'),
    paceDays: 7,
  };

  it('spent 110, 70 per 7 days, threshold 200: 9 days after Nov 12', () => {
    expect(forecastCrossingMs(forecast, { spent: 110n, paceSpend: 70n, threshold: 200n })).toBe(
      at('2026-11-21T00:00:00Z'),
    );
  });

  it('a threshold reached exactly at the month end is not within the month; one unit less is', () => {
    expect(forecastCrossingMs(forecast, { spent: 110n, paceSpend: 70n, threshold: 300n })).toBe(
      undefined,
    );
    expect(
      forecastCrossingMs(forecast, { spent: 110n, paceSpend: 70n, threshold: 299n }),
    ).toBeLessThan(forecast.monthEndMs);
  });

  it('already reached: the start of the projected part; no pace: never', () => {
    expect(forecastCrossingMs(forecast, { spent: 200n, paceSpend: 0n, threshold: 200n })).toBe(
      forecast.exactThroughMs,
    );
    expect(forecastCrossingMs(forecast, { spent: 199n, paceSpend: 0n, threshold: 200n })).toBe(
      undefined,
    );
  });
});
