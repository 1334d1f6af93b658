import { describe, expect, it } from 'vitest';
import { usageBatchMetrics } from '#core/observability/usage-batch-metrics.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

describe('usageBatchMetrics', () => {
  it('counts the records, the unpriced ones, and the oldest wait on the stream', () => {
    const records = [
      usageRecord({ costPicoUsd: 5n }),
      usageRecord({ costPicoUsd: null, model: 'brand-new-model' }),
      usageRecord({ costPicoUsd: 0n, cached: true }),
      usageRecord({ costPicoUsd: null, status: 502, errorSource: 'metrion' }),
    ];
    expect(usageBatchMetrics(records, 1_000_000, 1_002_500)).toEqual({
      Requests: 4,
      UnpricedRequests: 2,
      AggregatorLagMs: 2_500,
    });
  });

  it('leaves the lag out when the stream gave no write time, and never reports a negative one', () => {
    expect(usageBatchMetrics([], undefined, 10)).toEqual({ Requests: 0, UnpricedRequests: 0 });
    expect(usageBatchMetrics([usageRecord()], 2_000, 1_000).AggregatorLagMs).toBe(0);
  });
});
