import { histogramPercentile } from '../rollups/latency-histogram.ts';
import {
  type DashboardQueryInput,
  type DashboardServiceDeps,
  loadDashboardView,
} from './dashboard-query.ts';
import { avgOrNull, sumCounts } from './sums.ts';

/** Latency tab: p50/p95/p99 per bucket from merged histograms, averages, TTFT. */
export async function latency(
  deps: DashboardServiceDeps,
  accountId: string,
  query: DashboardQueryInput,
) {
  const view = await loadDashboardView(deps, accountId, query);
  const buckets = view.perBucket(view.current);
  const current = sumCounts(view.current);
  const previous = sumCounts(view.previous);
  return {
    range: view.rangeDto(),
    series: {
      p50: buckets.map((b) => histogramPercentile(b.latencyHistogram, 0.5)),
      p95: buckets.map((b) => histogramPercentile(b.latencyHistogram, 0.95)),
      p99: buckets.map((b) => histogramPercentile(b.latencyHistogram, 0.99)),
      avg: buckets.map((b) => avgOrNull(b.latencyMsSum, b.requests)),
      avgTimeToFirstToken: buckets.map((b) =>
        avgOrNull(b.timeToFirstTokenMsSum, b.timeToFirstTokenCount),
      ),
    },
    overall: {
      p50: histogramPercentile(current.latencyHistogram, 0.5),
      p95: histogramPercentile(current.latencyHistogram, 0.95),
      p99: histogramPercentile(current.latencyHistogram, 0.99),
      avg: avgOrNull(current.latencyMsSum, current.requests),
      previousP95: histogramPercentile(previous.latencyHistogram, 0.95),
    },
  };
}
