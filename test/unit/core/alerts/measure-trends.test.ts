import { describe, expect, it } from 'vitest';
import { measureForecast, measureSpikeRule } from '#core/alerts/measure-trends.ts';
import type { ScopedRollup } from '#core/alerts/scoped-usage.ts';
import { FALLBACK_FX } from '#core/currency/fx.ts';
import { EMPTY_COUNTS } from '#core/rollups/rollup.ts';

const USD = { currency: 'USD', quote: FALLBACK_FX } as const;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DOLLAR = 1_000_000_000_000n;
const at = (iso: string) => Date.parse(iso);
const LONG_AGO = at('2026-01-01T00:00:00Z');

function item(startMs: number, fields: Partial<ScopedRollup> = {}): ScopedRollup {
  return {
    ...EMPTY_COUNTS,
    bucketStart: new Date(startMs).toISOString(),
    sealed: true,
    ...fields,
  };
}

describe('measureForecast: what a forecast notice says', () => {
  // Nov 12, 10:00: $10 a day sealed on Nov 1-11 ($110), a pace of $10 a day over the last 7,
  // 19 days left: $300 projected.
  const NOW = at('2026-11-12T10:00:00Z');
  const days = Array.from({ length: 11 }, (_, i) =>
    item(at('2026-11-01T00:00:00Z') + i * DAY, { costPicoUsd: 10n * DOLLAR }),
  );
  const forecast = (threshold: number, historyStartMs = LONG_AGO) =>
    measureForecast({ threshold }, days, USD, NOW, historyStartMs);

  it('gives the projection, the crossing date, the exact spend and the pace', () => {
    expect(forecast(200)).toEqual({
      figure: '300.00 USD projected for the month',
      thresholdText: '200.00 USD',
      value: '300.000000',
      ratio: 1.5,
      levels: ['warning', 'alert'],
      details: [
        ['Projected month end', '300.00 USD'],
        ['Threshold reached', 'on 2026-11-21 at this pace'],
        ['Spent through 2026-11-11 (exact)', '110.00 USD'],
        ['Daily pace (last 7 days)', '10.00 USD'],
      ],
      forecast: { projected: '300.000000', currency: 'USD', crossesOn: '2026-11-21' },
      span: { fromMs: at('2026-11-01T00:00:00Z'), toMs: at('2026-12-01T00:00:00Z') },
    });
  });

  it('reaches a threshold met exactly at the month end, with no crossing date in the month', () => {
    const measured = forecast(300);
    expect(measured.levels).toEqual(['warning', 'alert']);
    expect(measured.details?.[1]).toEqual([
      'Threshold reached',
      'at the end of the month at this pace',
    ]);
    expect(measured.forecast).toEqual({ projected: '300.000000', currency: 'USD' });
  });

  it('warns from 90% of the threshold and says when it is not reached this month', () => {
    expect(forecast(333.33).levels).toEqual(['warning']);
    const below = forecast(333.34);
    expect(below.levels).toEqual([]);
    expect(below.details?.[1]).toEqual(['Threshold reached', 'not this month at this pace']);
  });

  it('warns at exactly 90% of the threshold', () => {
    // $9 a day: $270 projected, 90% of $300.
    const nineADay = days.map((day) => ({ ...day, costPicoUsd: 9n * DOLLAR }));
    expect(measureForecast({ threshold: 300 }, nineADay, USD, NOW, LONG_AGO).levels).toEqual([
      'warning',
    ]);
  });

  it('does not speak with fewer than 3 whole days of pace', () => {
    expect(forecast(200, at('2026-11-09T00:00:00Z')).levels).toEqual(['warning', 'alert']);
    expect(forecast(200, at('2026-11-09T00:00:01Z'))).toEqual({
      figure: 'not enough history yet (2 whole days)',
      thresholdText: '200.00 USD',
      value: null,
      ratio: null,
      levels: [],
      skipped: 'too_little_history',
    });
    expect(forecast(200, at('2026-11-11T00:00:00Z')).figure).toBe(
      'not enough history yet (1 whole day)',
    );
  });
});

describe('measureSpikeRule: what a spike notice says', () => {
  // Nov 24, 10:25: the observed hour is 09:00-10:00, after 168 baseline hours.
  const NOW = at('2026-11-24T10:25:00Z');
  const OBSERVED = at('2026-11-24T09:00:00Z');
  const HOUR_TEXT = '2026-11-24 09:00-10:00 UTC';
  const baseline = (fields: Partial<ScopedRollup>) =>
    Array.from({ length: 168 }, (_, i) => item(OBSERVED - (i + 1) * HOUR, fields));
  const spike = (
    rule: { threshold: number; metric?: 'cost' | 'requests' | 'errors'; minimum?: number },
    hours: ScopedRollup[],
    historyStartMs = LONG_AGO,
  ) => measureSpikeRule(rule, hours, USD, NOW, historyStartMs);

  it('gives the observed hour against the median of the week before', () => {
    const hours = [...baseline({ requests: 10 }), item(OBSERVED, { requests: 30 })];
    expect(spike({ threshold: 3 }, hours)).toEqual({
      figure: `30 requests in ${HOUR_TEXT}`,
      thresholdText: '3x the hourly median of 10 requests',
      value: '30',
      ratio: 1,
      levels: ['warning', 'alert'],
      details: [
        ['Hour', HOUR_TEXT],
        ['Baseline median (168 hours)', '10 requests'],
      ],
      spike: {
        metric: 'requests',
        hour: '2026-11-24T09:00:00.000Z',
        observed: '30 requests',
        baselineMedian: '10 requests',
        factor: 3,
      },
      span: { fromMs: OBSERVED, toMs: OBSERVED + HOUR },
    });
    expect(spike({ threshold: 3.5 }, hours).levels).toEqual([]);
    expect(spike({ threshold: 3.3 }, hours).levels).toEqual(['warning']);
  });

  it('fires nothing below the rule minimum, 1 by default', () => {
    const hours = [...baseline({ requests: 10 }), item(OBSERVED, { requests: 30 })];
    expect(spike({ threshold: 3, minimum: 30 }, hours).levels).toEqual(['warning', 'alert']);
    expect(spike({ threshold: 3, minimum: 31 }, hours)).toMatchObject({
      levels: [],
      skipped: 'below_minimum',
    });
    const quiet = spike({ threshold: 2 }, [...baseline({}), item(OBSERVED)]);
    expect(quiet).toMatchObject({ levels: [], skipped: 'below_minimum', ratio: null });
    const one = spike({ threshold: 2 }, [...baseline({}), item(OBSERVED, { requests: 1 })]);
    expect(one).toMatchObject({
      levels: ['warning', 'alert'],
      figure: `1 request in ${HOUR_TEXT}`,
    });
    expect(one.skipped).toBeUndefined();
  });

  it('measures cost in the account currency, its minimum in money', () => {
    const hours = [
      ...baseline({ costPicoUsd: DOLLAR }),
      item(OBSERVED, { costPicoUsd: (7n * DOLLAR) / 2n }),
    ];
    const measured = spike({ threshold: 3, metric: 'cost', minimum: 3.5 }, hours);
    expect(measured).toMatchObject({
      figure: `3.50 USD in ${HOUR_TEXT}`,
      thresholdText: '3x the hourly median of 1.00 USD',
      value: '3.500000',
      levels: ['warning', 'alert'],
    });
    expect(measured.spike).toMatchObject({ observed: '3.50 USD', baselineMedian: '1.00 USD' });
    expect(spike({ threshold: 3, metric: 'cost', minimum: 3.51 }, hours).levels).toEqual([]);
    expect(spike({ threshold: 3, metric: 'cost' }, hours).levels).toEqual(['warning', 'alert']);
  });

  it('counts provider errors, with a half median when the middle hours differ', () => {
    const hours = [
      ...baseline({ requests: 10, errors: 1 }).map((hour, i) =>
        i < 84 ? hour : { ...hour, errors: 2 },
      ),
      item(OBSERVED, { requests: 10, errors: 5 }),
    ];
    expect(spike({ threshold: 2, metric: 'errors' }, hours)).toMatchObject({
      figure: `5 errors in ${HOUR_TEXT}`,
      thresholdText: '2x the hourly median of 1.5 errors',
      value: '5',
      levels: ['warning', 'alert'],
    });
  });

  it('waits for the observed hour to be sealed', () => {
    const hours = [...baseline({ requests: 1 }), item(OBSERVED, { requests: 90, sealed: false })];
    expect(spike({ threshold: 2 }, hours)).toEqual({
      figure: `${HOUR_TEXT} is not sealed yet`,
      thresholdText: '2x the hourly median',
      value: null,
      ratio: null,
      levels: [],
      skipped: 'awaiting_seal',
    });
  });

  it('needs 24 hours of history', () => {
    const hours = [...baseline({ requests: 1 }), item(OBSERVED, { requests: 90 })];
    expect(spike({ threshold: 2 }, hours, OBSERVED - 23 * HOUR)).toEqual({
      figure: 'not enough history yet (23 hours)',
      thresholdText: '2x the hourly median',
      value: null,
      ratio: null,
      levels: [],
      skipped: 'too_little_history',
    });
    expect(spike({ threshold: 2 }, hours, OBSERVED - HOUR).figure).toBe(
      'not enough history yet (1 hour)',
    );
    expect(spike({ threshold: 2 }, hours, OBSERVED - 24 * HOUR).levels).toEqual([
      'warning',
      'alert',
    ]);
  });
});
