// What one usage record adds to a rollup, and how records and rollups group, with hand-counted
// expectations: the error boundary, Metrion's own errors, unpriced and tier-unpriced requests,
// first-token times, estimates and the expiries a sealed rollup keeps.
import { describe, expect, it } from 'vitest';
import {
  countsOf,
  EMPTY_COUNTS,
  providerErrorsOf,
  regroupRollups,
  rollupsFromRecords,
  sumTotals,
} from '#core/rollups/rollup.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

const AT = '2026-11-24T12:00:00.000Z';

describe('countsOf', () => {
  it.each([
    [399, 'provider', { errors: 0, metrionErrors: 0 }],
    [400, 'provider', { errors: 1, metrionErrors: 0 }],
    [429, 'metrion', { errors: 1, metrionErrors: 1 }],
    [200, 'metrion', { errors: 0, metrionErrors: 0 }],
    [502, undefined, { errors: 1, metrionErrors: 0 }],
  ] as const)('counts status %d from %s as %o', (status, errorSource, expected) => {
    const record = usageRecord({ status, ...(errorSource ? { errorSource } : {}) });

    expect(countsOf(record)).toMatchObject(expected);
  });

  it('counts the unpriced, the tier-unpriced, first-token times and estimates once each', () => {
    const unpriced = countsOf(usageRecord({ costPicoUsd: null, tierUnpriced: true }));
    const timed = countsOf(usageRecord({ timeToFirstTokenMs: 0, estimated: true }));
    const plain = countsOf(usageRecord({ costPicoUsd: 7n }));

    expect(unpriced).toMatchObject({
      costPicoUsd: 0n,
      unpricedRequests: 1,
      tierUnpricedRequests: 1,
    });
    expect(timed).toMatchObject({
      timeToFirstTokenMsSum: 0,
      timeToFirstTokenCount: 1,
      estimatedRequests: 1,
    });
    expect(plain).toMatchObject({
      costPicoUsd: 7n,
      unpricedRequests: 0,
      tierUnpricedRequests: 0,
      timeToFirstTokenCount: 0,
      estimatedRequests: 0,
    });
  });

  it('leaves the provider errors once Metrion errors are taken out', () => {
    expect(providerErrorsOf({ errors: 5, metrionErrors: 2 })).toBe(3);
  });

  it('sums tier-unpriced requests', () => {
    const { latencyHistogram: _ignored, ...empty } = EMPTY_COUNTS;
    const totals = sumTotals([
      { ...empty, tierUnpricedRequests: 2 },
      { ...empty, tierUnpricedRequests: 3 },
    ]);

    expect(totals.tierUnpricedRequests).toBe(5);
  });

  it('folds the tier-unpriced requests of several records into one rollup', () => {
    const records = [true, true, false].map((tierUnpriced) => ({
      record: usageRecord({ at: AT, tierUnpriced }),
      expiresAtEpochSeconds: 100,
    }));

    const [rollup] = rollupsFromRecords(records, 'hour', false);

    expect(rollup).toMatchObject({ requests: 3, tierUnpricedRequests: 2 });
  });
});

describe('rollupsFromRecords and regroupRollups', () => {
  const stored = (expiresAtEpochSeconds: number, at = AT) => ({
    record: usageRecord({ at }),
    expiresAtEpochSeconds,
  });

  it('keeps the latest expiry, and the earliest too on a sealed rollup', () => {
    const records = [stored(100), stored(50), stored(80)];

    const [sealed] = rollupsFromRecords(records, 'hour', true);
    const [live] = rollupsFromRecords(records, 'hour', false);

    expect(sealed).toMatchObject({
      requests: 3,
      expiresAtEpochSeconds: 100,
      earliestExpiresAtEpochSeconds: 50,
    });
    expect(live).toMatchObject({ requests: 3, expiresAtEpochSeconds: 100 });
    expect(live?.earliestExpiresAtEpochSeconds).toBeUndefined();
  });

  it('regroups hours into their day with the earliest expiry only when every hour knows it', () => {
    const hours = [stored(100), stored(40, '2026-11-24T13:00:00.000Z')].flatMap((s) =>
      rollupsFromRecords([s], 'hour', true),
    );
    const unknown = rollupsFromRecords([stored(30, '2026-11-24T14:00:00.000Z')], 'hour', false);

    const [day] = regroupRollups(hours, 'day', true);
    const [mixed] = regroupRollups([...hours, ...unknown], 'day', true);

    expect(day).toMatchObject({
      requests: 2,
      expiresAtEpochSeconds: 100,
      earliestExpiresAtEpochSeconds: 40,
    });
    expect(mixed).toMatchObject({ requests: 3, expiresAtEpochSeconds: 100 });
    expect(mixed?.earliestExpiresAtEpochSeconds).toBeUndefined();
  });
});
