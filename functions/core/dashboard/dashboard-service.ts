import {
  accountDisplayMoney,
  type DisplayMoney,
  type DisplayMoneyDeps,
} from '../currency/display-money.ts';
import { recordMatches, toLogFilter } from '../logs/log-query.ts';
import type { Clock } from '../ports/clock.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import { bucketIso, type ResolvedRange, resolveRange } from '../rollups/buckets.ts';
import { histogramPercentile } from '../rollups/latency-histogram.ts';
import {
  addCounts,
  EMPTY_COUNTS,
  isErrorStatus,
  type Rollup,
  type RollupCounts,
} from '../rollups/rollup.ts';
import type { TimeRange } from '../usage/usage-query.ts';
import { USAGE_KINDS, type UsageKind, type UsageRecord } from '../usage/usage-record.ts';

const RECENT_ERRORS = 50;

/** A validated dashboard query (the handler parses the query string into this). */
export interface DashboardQueryInput {
  readonly range: TimeRange;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly model: readonly string[];
  readonly provider: readonly string[];
  readonly requester: readonly string[];
  /** Exact statuses (`429`) or classes (`4xx`). */
  readonly status: readonly string[];
  /** Chat, Responses API or embeddings; chat includes rollups written before kinds existed. */
  readonly kind: readonly UsageKind[];
}

export interface DashboardServiceDeps extends DisplayMoneyDeps {
  /** Rollups for every figure, error copies for the recent errors. */
  readonly rollups: Pick<RollupStore, 'query' | 'recentErrors'>;
  readonly clock: Clock;
}

/**
 * Predicate over rollup dimensions (and raw records, which share them): the Logs filter rules, so
 * the Dashboard and Logs agree on what a filter selects.
 */
function matcher(query: DashboardQueryInput) {
  const filter = toLogFilter(query);
  return (item: Parameters<typeof recordMatches>[1]): boolean => recordMatches(filter, item);
}

/** Percent change vs the previous period, 1 decimal; null without a baseline. */
export function changePct(current: number, previous: number): number | null {
  if (previous === 0) return null;
  return Math.round(((current - previous) / previous) * 1000) / 10;
}

function bigChangePct(current: bigint, previous: bigint): number | null {
  if (previous === 0n) return null;
  // Ratio of exact integers in basis points of a tenth of a percent, then one division.
  return Number(((current - previous) * 1000n) / previous) / 10;
}

function sumCounts(rollups: Iterable<RollupCounts>): RollupCounts {
  let total = EMPTY_COUNTS;
  for (const rollup of rollups) total = addCounts(total, rollup);
  return total;
}

function groupBy<K>(rollups: readonly Rollup[], key: (rollup: Rollup) => K): Map<K, Rollup[]> {
  const groups = new Map<K, Rollup[]>();
  for (const rollup of rollups) {
    const k = key(rollup);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [rollup]);
    else group.push(rollup);
  }
  return groups;
}

function avgOrNull(sum: number, count: number): number | null {
  return count === 0 ? null : Math.round((sum / count) * 10) / 10;
}

/** Everything one query needs: range, filtered rollups of both periods, per-bucket views. */
class QueryView {
  readonly range: ResolvedRange;
  readonly current: readonly Rollup[];
  readonly previous: readonly Rollup[];
  readonly unfiltered: readonly Rollup[];
  readonly displayMoney: DisplayMoney;
  readonly #bucketIndex: Map<string, number>;

  constructor(options: {
    range: ResolvedRange;
    rollups: readonly Rollup[];
    accept: (rollup: Rollup) => boolean;
    displayMoney: DisplayMoney;
  }) {
    this.range = options.range;
    this.displayMoney = options.displayMoney;
    const fromIso = bucketIso(options.range.fromMs);
    this.unfiltered = options.rollups.filter((rollup) => rollup.bucketStart >= fromIso);
    this.current = this.unfiltered.filter(options.accept);
    this.previous = options.rollups.filter(
      (rollup) => rollup.bucketStart < fromIso && options.accept(rollup),
    );
    this.#bucketIndex = new Map(
      options.range.bucketStartsMs.map((startMs, index) => [bucketIso(startMs), index]),
    );
  }

  /** Counts per bucket of the given rollups, aligned with the range's buckets. */
  perBucket(rollups: readonly Rollup[]): RollupCounts[] {
    const buckets: RollupCounts[] = this.range.bucketStartsMs.map(() => EMPTY_COUNTS);
    for (const rollup of rollups) {
      const index = this.#bucketIndex.get(rollup.bucketStart);
      if (index !== undefined) buckets[index] = addCounts(buckets[index] ?? EMPTY_COUNTS, rollup);
    }
    return buckets;
  }

  money(picoUsd: bigint): string {
    return this.displayMoney.convert(picoUsd);
  }

  rangeDto() {
    const { range } = this;
    return {
      from: bucketIso(range.fromMs),
      to: bucketIso(range.toMs),
      bucket: range.granularity,
      buckets: range.bucketStartsMs.map(bucketIso),
      previousFrom: bucketIso(range.previousFromMs),
      previousTo: bucketIso(range.previousToMs),
    };
  }

  uniqueRequesters(rollups: readonly Rollup[]): number {
    return new Set(rollups.flatMap((r) => (r.requester === null ? [] : [r.requester]))).size;
  }

  requesterSeries(): number[] {
    const sets = this.range.bucketStartsMs.map(() => new Set<string>());
    for (const rollup of this.current) {
      const index = this.#bucketIndex.get(rollup.bucketStart);
      if (index !== undefined && rollup.requester !== null) sets[index]?.add(rollup.requester);
    }
    return sets.map((set) => set.size);
  }

  moneyByModel() {
    return [...groupBy(this.current, (r) => `${r.provider}\u0000${r.model}`).values()]
      .map((group) => {
        const first = group[0] as Rollup;
        const total = sumCounts(group).costPicoUsd;
        return {
          provider: first.provider,
          model: first.model,
          totalPicoUsd: total,
          total: this.money(total),
          series: this.perBucket(group).map((counts) => this.money(counts.costPicoUsd)),
        };
      })
      .sort((a, b) =>
        a.totalPicoUsd === b.totalPicoUsd ? 0 : a.totalPicoUsd > b.totalPicoUsd ? -1 : 1,
      )
      .map(({ totalPicoUsd: _total, ...rest }) => rest);
  }

  providerShares() {
    const total = sumCounts(this.current).costPicoUsd;
    return [...groupBy(this.current, (r) => r.provider)]
      .map(([provider, group]) => {
        const cost = sumCounts(group).costPicoUsd;
        return {
          provider,
          costPicoUsd: cost,
          share: total === 0n ? 0 : Number((cost * 1_000_000n) / total) / 1_000_000,
        };
      })
      .sort((a, b) => b.share - a.share || a.provider.localeCompare(b.provider))
      .map(({ provider, costPicoUsd, share }) => ({
        provider,
        cost: this.money(costPicoUsd),
        share,
      }));
  }

  costStat() {
    const current = sumCounts(this.current);
    const previous = sumCounts(this.previous).costPicoUsd;
    return {
      total: this.money(current.costPicoUsd),
      previousTotal: this.money(previous),
      changePct: bigChangePct(current.costPicoUsd, previous),
      series: this.perBucket(this.current).map((counts) => this.money(counts.costPicoUsd)),
      unpricedRequests: current.unpricedRequests,
      unpricedModels: this.unpricedModels(),
      tierUnpricedRequests: current.tierUnpricedRequests,
    };
  }

  /** The models of the range's unpriced requests, most requests first. */
  unpricedModels() {
    return [...groupBy(this.current, (r) => `${r.provider}\u0000${r.model}`).values()]
      .map((group) => ({
        provider: (group[0] as Rollup).provider,
        model: (group[0] as Rollup).model,
        requests: sumCounts(group).unpricedRequests,
      }))
      .filter((entry) => entry.requests > 0)
      .sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model));
  }

  errorsByStatus() {
    return [
      ...groupBy(
        this.current.filter((r) => isErrorStatus(r.status)),
        (r) => r.status,
      ),
    ]
      .map(([status, group]) => ({
        status,
        total: sumCounts(group).requests,
        series: this.perBucket(group).map((counts) => counts.requests),
      }))
      .sort((a, b) => b.total - a.total || a.status - b.status);
  }
}

function tokenSeries(buckets: readonly RollupCounts[]) {
  return {
    input: buckets.map((b) => b.inputTokens),
    output: buckets.map((b) => b.outputTokens),
    cacheRead: buckets.map((b) => b.cacheReadTokens),
    cacheWrite: buckets.map((b) => b.cacheWriteTokens),
  };
}

function totalTokens(counts: RollupCounts): number {
  return (
    counts.inputTokens + counts.outputTokens + counts.cacheReadTokens + counts.cacheWriteTokens
  );
}

function recentErrorDto(record: UsageRecord) {
  return {
    requestId: record.requestId,
    at: record.at,
    provider: record.provider,
    model: record.model,
    requester: record.requester ?? null,
    status: record.status,
    errorSource: record.errorSource ?? null,
    errorMessage: record.errorMessage ?? null,
    latencyMs: record.latencyMs,
  };
}

/**
 * The Dashboard's read model: every answer is assembled from the account's hourly or daily
 * rollups of the range and of the previous period (one Query), so its cost grows with the number
 * of buckets and dimension combinations, never with the number of requests. Money is converted
 * from exact picodollar sums with the stored (or shipped) reference rate.
 */
export function createDashboardService(deps: DashboardServiceDeps) {
  async function view(accountId: string, query: DashboardQueryInput): Promise<QueryView> {
    const range = resolveRange(
      query.range,
      deps.clock.nowMs(),
      query.from !== undefined && query.to !== undefined
        ? { fromMs: Date.parse(query.from), toMs: Date.parse(query.to) }
        : undefined,
    );
    const [displayMoney, rollups] = await Promise.all([
      accountDisplayMoney(deps, accountId),
      deps.rollups.query(accountId, range.granularity, range.previousFromMs, range.toMs),
    ]);
    return new QueryView({
      range,
      rollups,
      accept: matcher(query),
      displayMoney,
    });
  }

  return {
    /** Overview tab: requests, errors, tokens, cost by model, providers, requesters, latency. */
    async overview(accountId: string, query: DashboardQueryInput) {
      const v = await view(accountId, query);
      const buckets = v.perBucket(v.current);
      const current = sumCounts(v.current);
      const previous = sumCounts(v.previous);
      const previousRequesters = v.uniqueRequesters(v.previous);
      const currentRequesters = v.uniqueRequesters(v.current);
      const avg = avgOrNull(current.latencyMsSum, current.requests);
      const previousAvg = avgOrNull(previous.latencyMsSum, previous.requests);
      const { series: costSeries, ...costRest } = v.costStat();
      return {
        range: v.rangeDto(),
        fx: v.displayMoney.fx,
        dimensions: {
          providers: [...new Set(v.unfiltered.map((r) => r.provider))].sort(),
          models: [...new Set(v.unfiltered.map((r) => r.model))].sort(),
          requesters: [
            ...new Set(v.unfiltered.flatMap((r) => (r.requester === null ? [] : [r.requester]))),
          ].sort(),
          statuses: [...new Set(v.unfiltered.map((r) => r.status))].sort((a, b) => a - b),
          // In catalogue order (chat, responses, embeddings), not alphabetical.
          kinds: USAGE_KINDS.filter((kind) => v.unfiltered.some((r) => r.kind === kind)),
        },
        requests: {
          total: current.requests,
          previousTotal: previous.requests,
          changePct: changePct(current.requests, previous.requests),
          success: buckets.map((b) => b.requests - b.errors),
          errors: buckets.map((b) => b.errors),
        },
        requestsByModel: [...groupBy(v.current, (r) => `${r.provider}\u0000${r.model}`).values()]
          .map((group) => ({
            provider: (group[0] as Rollup).provider,
            model: (group[0] as Rollup).model,
            requests: sumCounts(group).requests,
          }))
          .sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model)),
        errors: {
          total: current.errors,
          previousTotal: previous.errors,
          changePct: changePct(current.errors, previous.errors),
          rate: current.requests === 0 ? 0 : current.errors / current.requests,
          byStatus: v.errorsByStatus().map(({ status, total }) => ({ status, count: total })),
        },
        tokens: { ...tokenSeries(buckets), total: totalTokens(current) },
        costByModel: v.moneyByModel(),
        topProviders: v.providerShares(),
        cost: { ...costRest, series: costSeries },
        estimated: {
          count: current.estimatedRequests,
          share: current.requests === 0 ? 0 : current.estimatedRequests / current.requests,
        },
        uniqueRequesters: {
          total: currentRequesters,
          previousTotal: previousRequesters,
          changePct: changePct(currentRequesters, previousRequesters),
          series: v.requesterSeries(),
        },
        avgLatencyMs: {
          value: avg,
          previous: previousAvg,
          changePct: avg === null || previousAvg === null ? null : changePct(avg, previousAvg),
          series: buckets.map((b) => avgOrNull(b.latencyMsSum, b.requests)),
        },
      };
    },

    /** Costs tab: totals and series by model, provider and requester. */
    async costs(accountId: string, query: DashboardQueryInput) {
      const v = await view(accountId, query);
      return {
        range: v.rangeDto(),
        fx: v.displayMoney.fx,
        cost: v.costStat(),
        byModel: v.moneyByModel(),
        byProvider: v.providerShares().map(({ provider, cost, share }) => ({
          provider,
          total: cost,
          share,
        })),
        byRequester: [...groupBy(v.current, (r) => r.requester)]
          .map(([requester, group]) => {
            const counts = sumCounts(group);
            return { requester, picos: counts.costPicoUsd, requests: counts.requests };
          })
          .sort((a, b) =>
            a.picos === b.picos ? b.requests - a.requests : a.picos > b.picos ? -1 : 1,
          )
          .map(({ requester, picos, requests }) => ({
            requester,
            total: v.money(picos),
            requests,
          })),
      };
    },

    /** Tokens tab: series by kind, totals with change, and by model. */
    async tokens(accountId: string, query: DashboardQueryInput) {
      const v = await view(accountId, query);
      const current = sumCounts(v.current);
      const previousTotal = totalTokens(sumCounts(v.previous));
      return {
        range: v.rangeDto(),
        series: tokenSeries(v.perBucket(v.current)),
        totals: {
          input: current.inputTokens,
          output: current.outputTokens,
          cacheRead: current.cacheReadTokens,
          cacheWrite: current.cacheWriteTokens,
          total: totalTokens(current),
          previousTotal,
          changePct: changePct(totalTokens(current), previousTotal),
        },
        byModel: [...groupBy(v.current, (r) => `${r.provider}\u0000${r.model}`).values()]
          .map((group) => {
            const counts = sumCounts(group);
            return {
              provider: (group[0] as Rollup).provider,
              model: (group[0] as Rollup).model,
              input: counts.inputTokens,
              output: counts.outputTokens,
              total: totalTokens(counts),
            };
          })
          .sort((a, b) => b.total - a.total || a.model.localeCompare(b.model)),
      };
    },

    /** Latency tab: p50/p95/p99 per bucket from merged histograms, averages, TTFT. */
    async latency(accountId: string, query: DashboardQueryInput) {
      const v = await view(accountId, query);
      const buckets = v.perBucket(v.current);
      const current = sumCounts(v.current);
      const previous = sumCounts(v.previous);
      return {
        range: v.rangeDto(),
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
    },

    /** Errors tab: errors over time, by status, and the 50 most recent matching errors. */
    async errors(accountId: string, query: DashboardQueryInput) {
      const v = await view(accountId, query);
      const current = sumCounts(v.current);
      const previous = sumCounts(v.previous);
      const recent = await deps.rollups.recentErrors(
        accountId,
        v.range.fromMs,
        v.range.toMs,
        matcher(query),
        RECENT_ERRORS,
      );
      return {
        range: v.rangeDto(),
        errors: {
          total: current.errors,
          previousTotal: previous.errors,
          changePct: changePct(current.errors, previous.errors),
          rate: current.requests === 0 ? 0 : current.errors / current.requests,
          series: v.perBucket(v.current).map((b) => b.errors),
        },
        byStatus: v.errorsByStatus(),
        recent: recent.map(recentErrorDto),
      };
    },
  };
}

/** The Dashboard read model's use cases. */
export type DashboardService = ReturnType<typeof createDashboardService>;
