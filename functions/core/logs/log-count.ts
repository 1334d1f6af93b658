import type { Clock } from '../ports/clock.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import type { UsageLogQuery, UsageLogReader } from '../ports/usage-log-reader.ts';
import { bucketMs, bucketStartMs, type Granularity } from '../rollups/buckets.ts';
import type { Rollup } from '../rollups/rollup.ts';
import { recordMatches } from './log-query.ts';

export interface LogCountDeps {
  readonly logs: Pick<UsageLogReader, 'countLogs'>;
  readonly rollups: Pick<RollupStore, 'query' | 'queryTagValues'>;
  readonly clock: Clock;
}

/** Raw-count Queries in flight at once. */
const RAW_COUNT_CONCURRENCY = 4;

/** A half-open span of epoch milliseconds. */
type Span = readonly [fromMs: number, toMs: number];

/**
 * Counts the records matching a Logs query exactly, reading as little as it can: whole days and
 * hours whose rollups can stand in for their records are summed from those rollups, and only the
 * rest (the window's ragged edges, hours not sealed yet, buckets near a retention edge) is counted
 * from the raw records. A 90-day total thus reads about 90 days of rollups and a few hours of
 * records instead of every record in the window.
 *
 * A bucket stands in for its records when it has rollup items, all sealed (recomputed from the
 * raw records, and untouched by a live write since), and every matching item's earliest record
 * expiry is still ahead (no counted record has expired since the seal). The rollup dimensions
 * are exactly the Logs filters (provider, model, requester, exact status, kind), so any filter
 * applies. Under a tag filter of one key the counted items are that key's tag rollups of the
 * filter's values, which must be sealed too (the seal writes a bucket's tag items before its
 * usage rollups, so a sealed usage bucket has its tag items complete); a filter on two keys is
 * counted raw (a tag rollup knows one key).
 */
export async function countMatchingLogs(deps: LogCountDeps, query: UsageLogQuery): Promise<number> {
  const fromMs = Date.parse(query.fromIso);
  const toMs = Date.parse(query.toIso);
  const nowSeconds = Math.floor(deps.clock.nowMs() / 1000);
  const { tags: tagFilter = {}, ...dimensionFilter } = query.filter;
  const tagKeys = Object.entries(tagFilter);
  if (tagKeys.length > 1) return deps.logs.countLogs(query);
  const [tag] = tagKeys;
  const accepts = (rollup: Rollup) => recordMatches(dimensionFilter, rollup);
  /** The items a bucket's count comes from: usage rollups, or the tag filter's tag rollups. */
  const counted = (granularity: Granularity, fromMs: number, toMs: number) =>
    tag === undefined
      ? undefined
      : deps.rollups.queryTagValues(query.accountId, tag[0], tag[1], granularity, fromMs, toMs);

  /** Sums the spans' whole buckets that qualify; returns the total and what is left. */
  async function fromRollups(
    spans: readonly Span[],
    granularity: Granularity,
  ): Promise<{ total: number; rest: Span[] }> {
    const size = bucketMs(granularity);
    let total = 0;
    const rest: Span[] = [];
    for (const [spanFrom, spanTo] of spans) {
      const first = Math.ceil(spanFrom / size) * size;
      const end = bucketStartMs(spanTo, granularity);
      if (first >= end) {
        rest.push([spanFrom, spanTo]);
        continue;
      }
      if (spanFrom < first) rest.push([spanFrom, first]);
      const [usage, tagged] = await Promise.all([
        deps.rollups.query(query.accountId, granularity, first, end),
        counted(granularity, first, end),
      ]);
      const byBucket = groupByBucket(usage);
      const taggedByBucket = tagged === undefined ? undefined : groupByBucket(tagged);
      for (let bucket = first; bucket < end; bucket += size) {
        const items = byBucket.get(bucket) ?? [];
        const matching = (
          taggedByBucket?.get(bucket) ?? (tagged === undefined ? items : [])
        ).filter(accepts);
        // An empty bucket is read raw: no traffic (a cheap empty Query) cannot be told apart
        // from records whose live ADDs all failed before a seal.
        const standsIn =
          items.length > 0 &&
          items.every((item) => item.sealed) &&
          matching.every(
            (item) => item.sealed && (item.earliestExpiresAtEpochSeconds ?? 0) > nowSeconds,
          );
        if (standsIn) total += matching.reduce((sum, item) => sum + item.requests, 0);
        else rest.push([bucket, bucket + size]);
      }
      if (end < spanTo) rest.push([end, spanTo]);
    }
    return { total, rest: merge(rest) };
  }

  const days = await fromRollups([[fromMs, toMs]], 'day');
  const hours = await fromRollups(days.rest, 'hour');
  const spans = [...hours.rest];
  // A few raw counts at a time: quiet days between busy ones make many small (cheap) spans.
  const worker = async (): Promise<number> => {
    let counted = 0;
    for (let span = spans.shift(); span !== undefined; span = spans.shift()) {
      counted += await deps.logs.countLogs({
        ...query,
        fromIso: new Date(span[0]).toISOString(),
        toIso: new Date(span[1]).toISOString(),
      });
    }
    return counted;
  };
  const raw = await Promise.all(Array.from({ length: RAW_COUNT_CONCURRENCY }, worker));
  return raw.reduce((sum, counted) => sum + counted, days.total + hours.total);
}

function groupByBucket(rollups: readonly Rollup[]): Map<number, Rollup[]> {
  const groups = new Map<number, Rollup[]>();
  for (const rollup of rollups) {
    const start = Date.parse(rollup.bucketStart);
    const group = groups.get(start) ?? [];
    group.push(rollup);
    groups.set(start, group);
  }
  return groups;
}

/** Sorted spans with touching neighbours joined (fewer, larger raw reads). */
function merge(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && last[1] >= from) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}
