import { describe, expect, it } from 'vitest';
import { logDetailSchema, logRowSchema, logsPageSchema } from '#contracts/logs-api.ts';
import { exactUsd } from '#core/currency/money-text.ts';
import { toLogDetail, toLogRow, toLogsPage } from '#core/logs/log-views.ts';
import { CHF_AT_0_8, OVERLOADED_STREAM_RECORD } from '../../../fixtures/log-views.ts';

const RECORD = OVERLOADED_STREAM_RECORD;
const CHF = CHF_AT_0_8;

describe('row and detail views', () => {
  it('fit the contract schemas exactly', () => {
    const row = toLogRow(RECORD, CHF);
    const detail = toLogDetail(RECORD, CHF);
    expect(logRowSchema.strict().parse(row)).toEqual(row);
    expect(logDetailSchema.strict().parse(detail)).toEqual(detail);
    expect(row).toMatchObject({ costUsd: '0.0000015', cost: '0.000001', requester: '-rm -rf' });
    // Every kind the total counts is on the row, so the Logs table's columns add up.
    expect(row).toMatchObject({
      inputTokens: 10,
      outputTokens: 2,
      cacheReadTokens: 3,
      cacheWriteTokens: 4,
      totalTokens: 19,
    });
    expect(detail).toMatchObject({
      errorMessage: 'Overloaded, "retry"',
      timeToFirstTokenMs: 120,
      fx: { currency: 'CHF', rate: '0.80000000', rateDate: '2026-11-24', source: 'ecb' },
      timing: { authMs: 2.1, upstreamHeadersMs: 143, upstreamBodyMs: null, overheadMs: 3.4 },
    });
  });

  it('shows absent optional fields as null, and unpriced cost as null', () => {
    const {
      requester: _r,
      errorSource: _s,
      errorMessage: _m,
      timeToFirstTokenMs: _t,
      timing: _timing,
      ...bare
    } = RECORD;
    expect(toLogDetail({ ...bare, costPicoUsd: null }, CHF)).toMatchObject({
      requester: null,
      tags: {},
      errorSource: null,
      errorMessage: null,
      timeToFirstTokenMs: null,
      timing: null,
      costUsd: null,
      cost: null,
    });
  });
});

describe('tags', () => {
  it('are a row and detail field, key to value', () => {
    const tagged = { ...RECORD, tags: { feature: 'search', customer_id: 'cus_1' } };
    expect(toLogRow(tagged, CHF).tags).toEqual({ feature: 'search', customer_id: 'cus_1' });
    expect(logDetailSchema.strict().parse(toLogDetail(tagged, CHF)).tags).toEqual({
      feature: 'search',
      customer_id: 'cus_1',
    });
  });
});

describe('toLogsPage', () => {
  it('fits the page schema exactly, every row converted with the same rate', () => {
    const page = toLogsPage({
      records: [RECORD, { ...RECORD, requestId: 'req-2', costPicoUsd: null }],
      nextCursor: null,
      totalCount: 2,
      window: {
        range: '24h',
        fromIso: '2026-11-23T12:00:00.000Z',
        toIso: '2026-11-24T12:00:00.000Z',
      },
      money: CHF,
    });

    expect(logsPageSchema.strict().parse(page)).toEqual(page);
    expect(page.rows.map((row) => row.cost)).toEqual(['0.000001', null]);
    expect(page.range).toEqual({
      range: '24h',
      from: '2026-11-23T12:00:00.000Z',
      to: '2026-11-24T12:00:00.000Z',
    });
    expect(page.fx).toEqual(CHF.fx);
  });
});

describe('exactUsd', () => {
  it.each([
    [null, null],
    [0n, '0'],
    [1n, '0.000000000001'],
    [8_775_000_000n, '0.008775'],
    [12_500_000_000_000n, '12.5'],
    [123_456_789_012_345_678_901n, '123456789.012345678901'],
  ])('formats %s pico-USD as %j', (pico, expected) => {
    expect(exactUsd(pico)).toBe(expected);
  });
});
