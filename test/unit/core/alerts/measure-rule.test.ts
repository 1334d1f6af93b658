import { describe, expect, it } from 'vitest';
import type { AlertRuleSpec } from '#core/alerts/alert-rule.ts';
import {
  budgetReads,
  budgetStartMs,
  levelToEmail,
  measureRule,
  type Span,
  windowSpan,
} from '#core/alerts/measure-rule.ts';
import { FALLBACK_FX } from '#core/currency/fx.ts';
import { EMPTY_COUNTS, type Rollup, rollupsFromRecords } from '#core/rollups/rollup.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

const USD = { currency: 'USD', quote: FALLBACK_FX } as const;

function rollup(fields: Partial<Rollup>): Rollup {
  return {
    ...EMPTY_COUNTS,
    accountId: 'acc',
    granularity: 'hour',
    bucketStart: '2026-11-24T10:00:00.000Z',
    provider: 'openai',
    model: 'gpt-4o-mini',
    requester: null,
    status: 200,
    kind: 'chat',
    expiresAtEpochSeconds: 2_000_000_000,
    sealed: false,
    ...fields,
  };
}

const budget = (threshold: number, extra: Partial<AlertRuleSpec> = {}): AlertRuleSpec => ({
  type: 'budget',
  threshold,
  paused: false,
  ...extra,
});
const dollars = (micros: bigint) => micros * 1_000_000n; // micro-USD -> pico-USD

describe('measureRule: levels at 89.9% / 90% / 100%', () => {
  it.each([
    [899_000n, []],
    [900_000n, ['warning']],
    [999_999n, ['warning']],
    [1_000_000n, ['warning', 'alert']],
  ])('a $1.00 budget at %s micro-USD reaches %j', (micros, levels) => {
    const measured = measureRule(budget(1), [rollup({ costPicoUsd: dollars(micros) })], USD);
    expect(measured.levels).toEqual(levels);
  });

  it('converts to the account currency with the quote (EUR: 1 USD = 1/1.1523 EUR)', () => {
    // $1.1523 is exactly 1.00 EUR at the fallback rate.
    const eur = { currency: 'EUR', quote: FALLBACK_FX } as const;
    expect(
      measureRule(budget(1), [rollup({ costPicoUsd: dollars(1_152_300n) })], eur),
    ).toMatchObject({
      levels: ['warning', 'alert'],
      figure: '1.00 EUR',
    });
    expect(
      measureRule(budget(1), [rollup({ costPicoUsd: dollars(1_152_299n) })], eur).levels,
    ).toEqual(['warning']);
  });

  it('needs 20 requests for an error rate in percent', () => {
    const rule: AlertRuleSpec = {
      type: 'error_rate',
      unit: 'percent',
      threshold: 10,
      paused: false,
    };
    expect(
      measureRule(rule, [rollup({ requests: 1, errors: 1, status: 500 })], USD).levels,
    ).toEqual([]);
    const rollups = [rollup({ requests: 18 }), rollup({ requests: 2, errors: 2, status: 502 })];
    expect(measureRule(rule, rollups, USD).levels).toEqual(['warning', 'alert']);
    const ninety = [rollup({ requests: 91 }), rollup({ requests: 9, errors: 9, status: 429 })];
    expect(measureRule(rule, ninety, USD).levels).toEqual(['warning']);
  });

  it('counts request volume exactly at 90%', () => {
    const rule: AlertRuleSpec = { type: 'request_volume', threshold: 100, paused: false };
    expect(measureRule(rule, [rollup({ requests: 89 })], USD).levels).toEqual([]);
    expect(measureRule(rule, [rollup({ requests: 90 })], USD).levels).toEqual(['warning']);
    expect(measureRule(rule, [rollup({ requests: 100 })], USD).levels).toEqual([
      'warning',
      'alert',
    ]);
  });
});

describe('periods and windows (UTC)', () => {
  it('starts a month budget at the UTC month start, also across a year rollover', () => {
    const rule = { createdAt: '2026-01-01T00:00:00Z', period: { kind: 'month' } } as const;
    expect(new Date(budgetStartMs(rule, Date.parse('2026-12-31T23:59:59Z'))).toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    );
    expect(new Date(budgetStartMs(rule, Date.parse('2027-01-01T00:00:00Z'))).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });

  it('snaps since/since_creation down to the hour', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(
      budgetStartMs({ createdAt: '2026-11-20T08:30:00Z', period: { kind: 'since_creation' } }, now),
    ).toBe(Date.parse('2026-11-20T08:00:00Z'));
    expect(
      budgetStartMs(
        { createdAt: 'x', period: { kind: 'since', since: '2026-11-01T00:00:00Z' } },
        now,
      ),
    ).toBe(Date.parse('2026-11-01T00:00:00Z'));
  });

  it('windows are the previous and the current UTC hour', () => {
    const span = windowSpan(Date.parse('2026-11-24T12:34:00Z'));
    expect(new Date(span.fromMs).toISOString()).toBe('2026-11-24T11:00:00.000Z');
    expect(new Date(span.toMs).toISOString()).toBe('2026-11-24T13:00:00.000Z');
  });
});

describe('budgetReads: hourly items up to the first UTC midnight, daily items after', () => {
  const ms = (iso: string) => Date.parse(iso);
  const iso = (span: Span | undefined) =>
    span && [new Date(span.fromMs).toISOString(), new Date(span.toMs).toISOString()];
  const isoSpans = ({ hourly, daily }: ReturnType<typeof budgetReads>) => ({
    hourly: iso(hourly),
    daily: iso(daily),
  });

  it('reads only hours while the budget started today, through the current hour', () => {
    const reads = budgetReads(ms('2026-11-24T08:00:00Z'), ms('2026-11-24T12:34:00Z'));
    expect(isoSpans(reads)).toEqual({
      hourly: ['2026-11-24T08:00:00.000Z', '2026-11-24T13:00:00.000Z'],
    });
  });

  it('reads only hours in the last hour before midnight', () => {
    const reads = budgetReads(ms('2026-11-24T08:00:00Z'), ms('2026-11-24T23:59:00Z'));
    expect(isoSpans(reads)).toEqual({
      hourly: ['2026-11-24T08:00:00.000Z', '2026-11-25T00:00:00.000Z'],
    });
  });

  it('reads the hours of the first day and whole days from its midnight through today', () => {
    const reads = budgetReads(ms('2026-11-20T08:00:00Z'), ms('2026-11-24T12:34:00Z'));
    expect(isoSpans(reads)).toEqual({
      hourly: ['2026-11-20T08:00:00.000Z', '2026-11-21T00:00:00.000Z'],
      daily: ['2026-11-21T00:00:00.000Z', '2026-11-25T00:00:00.000Z'],
    });
  });

  it('reads days only for a budget starting at a midnight, from the first minute', () => {
    expect(isoSpans(budgetReads(ms('2026-11-01T00:00:00Z'), ms('2026-11-24T12:34:00Z')))).toEqual({
      daily: ['2026-11-01T00:00:00.000Z', '2026-11-25T00:00:00.000Z'],
    });
    expect(isoSpans(budgetReads(ms('2026-11-24T00:00:00Z'), ms('2026-11-24T00:00:00Z')))).toEqual({
      daily: ['2026-11-24T00:00:00.000Z', '2026-11-25T00:00:00.000Z'],
    });
  });
});

describe('measureRule: the figures a notice shows', () => {
  it('shows a budget spend and its threshold in cents of the account currency', () => {
    const measured = measureRule(budget(50), [rollup({ costPicoUsd: dollars(5_000n) })], USD);
    expect(measured).toMatchObject({ figure: '0.01 USD', thresholdText: '50.00 USD' });
  });

  it('shows error counts, rates and their thresholds in their unit', () => {
    const rollups = rollupsOfRecords([
      ...times(37, {}),
      ...times(3, { status: 500, errorSource: 'provider' }),
    ]);
    expect(measureRule(errorRate(6, 'count'), rollups, USD)).toMatchObject({
      figure: '3 errors',
      thresholdText: '6 errors',
    });
    expect(measureRule(errorRate(1, 'count'), rollups, USD).thresholdText).toBe('1 error');
    expect(measureRule(errorRate(10, 'percent'), rollups, USD)).toMatchObject({
      figure: '7.5% (3 of 40 requests)',
      thresholdText: '10%',
    });
    expect(measureRule(errorRate(10, 'percent'), [], USD)).toMatchObject({
      figure: '0%',
      thresholdText: '10%',
    });
  });

  it('shows latency in whole ms, and no requests when there were none', () => {
    const rule = { type: 'latency_p95', threshold: 500, paused: false } as const;
    expect(measureRule(rule, [], USD)).toMatchObject({
      figure: 'no requests',
      thresholdText: '500 ms',
      levels: [],
    });
    const measured = measureRule(rule, rollupsOfRecords(times(20, { latencyMs: 2000 })), USD);
    expect(measured.figure).toMatch(/^\d+ ms$/);
    expect(measured.figure).toBe(`${measured.value} ms`);
    expect(measured).toMatchObject({ thresholdText: '500 ms', levels: ['warning', 'alert'] });
  });

  it('shows request volume and its threshold as counts', () => {
    const rule = { type: 'request_volume', threshold: 80, paused: false } as const;
    expect(measureRule(rule, rollupsOfRecords(times(2, {})), USD)).toMatchObject({
      figure: '2 requests',
      thresholdText: '80 requests',
    });
  });

  it('leaves forecast and spike rules to their own measures', () => {
    for (const type of ['forecast', 'spike'] as const) {
      expect(() => measureRule({ type, threshold: 2, paused: false }, [], USD)).toThrow(
        new RangeError(`${type} rules are measured by measureNow (measure-trends.ts).`),
      );
    }
  });
});

const AT = '2026-03-10T12:05:00.000Z';

function rollupsOfRecords(records: readonly UsageRecord[]) {
  return rollupsFromRecords(
    records.map((record) => ({ record, expiresAtEpochSeconds: 2_000_000_000 })),
    'hour',
    true,
  );
}

function times(count: number, overrides: Partial<UsageRecord>): UsageRecord[] {
  return Array.from({ length: count }, () => usageRecord({ at: AT, ...overrides }));
}

const errorRate = (threshold: number, unit: 'percent' | 'count'): AlertRuleSpec => ({
  type: 'error_rate',
  threshold,
  unit,
  paused: false,
});

describe('measureRule: error rate', () => {
  it("counts the provider's errors and leaves Metrion's own out of both sides of the rate", () => {
    // 30 answered by the provider (3 of them provider 5xx), plus 40 Metrion 429/504s.
    const rollups = rollupsOfRecords([
      ...times(27, {}),
      ...times(2, { status: 500, errorSource: 'provider' }),
      ...times(1, { status: 529 }), // no source recorded: the provider's
      ...times(30, { status: 429, errorSource: 'metrion' }),
      ...times(10, { status: 504, errorSource: 'metrion' }),
    ]);
    const percent = measureRule(errorRate(10, 'percent'), rollups, USD);
    expect(percent.figure).toBe('10% (3 of 30 requests)');
    expect(percent.levels).toEqual(['warning', 'alert']);
    const count = measureRule(errorRate(4, 'count'), rollups, USD);
    expect(count.figure).toBe('3 errors');
    expect(count.levels).toEqual([]);
  });

  it('says one error and one request in the singular', () => {
    const rollups = rollupsOfRecords([...times(1, { status: 500, errorSource: 'provider' })]);
    expect(measureRule(errorRate(2, 'count'), rollups, USD).figure).toBe('1 error');
    expect(measureRule(errorRate(50, 'percent'), rollups, USD).figure).toBe(
      '100% (1 of 1 request)',
    );
    const volume = { type: 'request_volume', threshold: 1, paused: false } as const;
    expect(measureRule(volume, rollups, USD)).toMatchObject({
      figure: '1 request',
      thresholdText: '1 request',
    });
  });

  it("does not fire on Metrion's own errors alone, however many", () => {
    const rollups = rollupsOfRecords([
      ...times(20, {}),
      ...times(500, { status: 502, errorSource: 'metrion' }),
    ]);
    expect(measureRule(errorRate(1, 'percent'), rollups, USD).levels).toEqual([]);
    expect(measureRule(errorRate(1, 'count'), rollups, USD).levels).toEqual([]);
  });

  it('needs the minimum of requests the provider answered, not counting Metrion errors', () => {
    const rollups = rollupsOfRecords([
      ...times(19, { status: 500, errorSource: 'provider' }),
      ...times(5, { status: 429, errorSource: 'metrion' }),
    ]);
    const measured = measureRule(errorRate(50, 'percent'), rollups, USD);
    expect(measured.skipped).toBe('too_few_requests');
    expect(measured.levels).toEqual([]);
  });
});

describe('measureRule: the current value the Alerts list shows', () => {
  it('gives a budget the exact spend in the account currency and its share of the threshold', () => {
    // $12.345678 of a $50 budget.
    const measured = measureRule(budget(50), [rollup({ costPicoUsd: dollars(12_345_678n) })], USD);
    expect(measured).toMatchObject({ value: '12.345678', figure: '12.35 USD' });
    expect(measured.ratio).toBeCloseTo(12.345678 / 50, 9);
  });

  it('gives rates, counts and latency in the unit of their threshold', () => {
    // 40 answered requests, 3 of them provider errors: 7.5%.
    const rollups = rollupsOfRecords([
      ...times(37, { latencyMs: 200 }),
      ...times(3, { status: 500, errorSource: 'provider', latencyMs: 200 }),
    ]);
    expect(measureRule(errorRate(10, 'percent'), rollups, USD)).toMatchObject({
      value: '7.5',
      ratio: 0.75,
    });
    expect(measureRule(errorRate(6, 'count'), rollups, USD)).toMatchObject({
      value: '3',
      ratio: 0.5,
    });
    const volume = { type: 'request_volume', threshold: 80, paused: false } as const;
    expect(measureRule(volume, rollups, USD)).toMatchObject({ value: '40', ratio: 0.5 });
    const latency = measureRule(
      { type: 'latency_p95', threshold: 1000, paused: false },
      rollups,
      USD,
    );
    // Histogram percentiles are within about 9% of the exact 200 ms.
    expect(Number(latency.value)).toBeGreaterThan(180);
    expect(Number(latency.value)).toBeLessThan(220);
    expect(latency.ratio).toBeCloseTo(Number(latency.value) / 1000, 3);
  });

  it('has no value where nothing was measured', () => {
    expect(
      measureRule({ type: 'latency_p95', threshold: 500, paused: false }, [], USD),
    ).toMatchObject({ value: null, ratio: null, skipped: 'no_requests' });
    expect(measureRule(errorRate(5, 'percent'), [], USD)).toMatchObject({
      value: null,
      ratio: null,
    });
  });
});

describe('levelToEmail', () => {
  const NOW_MS = Date.parse('2026-11-24T12:00:00.000Z');
  const DAY_MS = 24 * 60 * 60_000;
  const hoursAgo = (hours: number) => new Date(NOW_MS - hours * 60 * 60_000).toISOString();
  const pick = (
    reached: ('warning' | 'alert')[],
    lastFired: { warning?: string; alert?: string } = {},
  ) => levelToEmail(reached, lastFired, NOW_MS, DAY_MS);

  it('emails nothing below the Warning level', () => {
    expect(pick([])).toBeUndefined();
  });

  it('emails only Alert when both levels are reached in one step', () => {
    expect(pick(['warning', 'alert'])).toBe('alert');
  });

  it('escalates from a Warning sent earlier to the Alert', () => {
    expect(pick(['warning', 'alert'], { warning: hoursAgo(1) })).toBe('alert');
  });

  it('sends no Warning within 24 h of an Alert, nor the Alert again', () => {
    expect(pick(['warning'], { alert: hoursAgo(3) })).toBeUndefined();
    expect(pick(['warning', 'alert'], { alert: hoursAgo(23) })).toBeUndefined();
  });

  it('emails each level again once its 24 h are over', () => {
    expect(pick(['warning', 'alert'], { alert: hoursAgo(24), warning: hoursAgo(30) })).toBe(
      'alert',
    );
    expect(pick(['warning'], { warning: hoursAgo(24), alert: hoursAgo(48) })).toBe('warning');
    expect(pick(['warning'], { warning: hoursAgo(2) })).toBeUndefined();
  });
});
