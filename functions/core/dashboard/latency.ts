import {
  histogramPercentile,
  type LatencyHistogram,
  mergeAllHistograms,
} from '../rollups/latency-histogram.ts';
import type { Rollup } from '../rollups/rollup.ts';
import { sumTotals } from '../rollups/rollup.ts';
import {
  type DashboardQueryInput,
  type DashboardServiceDeps,
  loadDashboardView,
} from './dashboard-query.ts';
import { avgOrNull } from './sums.ts';

/** Latency tab: p50/p95/p99 per bucket from merged histograms, averages, TTFT. */
export async function latency(
  deps: DashboardServiceDeps,
  accountId: string,
  query: DashboardQueryInput,
) {
  const view = await loadDashboardView(deps, accountId, query);
  const buckets = view.perBucket(view.current);
  const histograms = view.histogramsPerBucket(view.current);
  const current = sumTotals(view.current);
  const currentHistogram = histogramOf(view.current);
  return {
    range: view.rangeDto(),
    series: {
      p50: histograms.map((h) => histogramPercentile(h, 0.5)),
      p95: histograms.map((h) => histogramPercentile(h, 0.95)),
      p99: histograms.map((h) => histogramPercentile(h, 0.99)),
      avg: buckets.map((b) => avgOrNull(b.latencyMsSum, b.requests)),
      avgTimeToFirstToken: buckets.map((b) =>
        avgOrNull(b.timeToFirstTokenMsSum, b.timeToFirstTokenCount),
      ),
    },
    overall: {
      p50: histogramPercentile(currentHistogram, 0.5),
      p95: histogramPercentile(currentHistogram, 0.95),
      p99: histogramPercentile(currentHistogram, 0.99),
      avg: avgOrNull(current.latencyMsSum, current.requests),
      previousP95: histogramPercentile(histogramOf(view.previous), 0.95),
    },
  };
}

function histogramOf(rollups: readonly Rollup[]): LatencyHistogram {
  return mergeAllHistograms(rollups.map((rollup) => rollup.latencyHistogram));
}
