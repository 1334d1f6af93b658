import type { UsageRecord } from '../usage/usage-record.ts';
import type { MetricValues } from './operational-metrics.ts';

/**
 * The operational metrics of one aggregated batch of usage records: how many requests were
 * recorded, how many of them are unpriced (the rollups' rule: no cost), and how long the oldest
 * one waited on the stream (`oldestWrittenAtMs`, when the stream says when it was written).
 */
export function usageBatchMetrics(
  records: readonly UsageRecord[],
  oldestWrittenAtMs: number | undefined,
  nowMs: number,
): MetricValues {
  const metrics: MetricValues = {
    Requests: records.length,
    UnpricedRequests: records.filter((record) => record.costPicoUsd === null).length,
  };
  if (oldestWrittenAtMs !== undefined) {
    metrics.AggregatorLagMs = Math.max(0, nowMs - oldestWrittenAtMs);
  }
  return metrics;
}
