import { settleReservations } from '../budgets/settle-reservations.ts';
import type { BudgetLedger } from '../ports/budget-ledger.ts';
import type { Logger } from '../ports/logger.ts';
import type { RollupSealStore } from '../ports/rollup-seal-store.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import type { TagRollupStore } from '../ports/tag-rollup-store.ts';
import { bucketStartMs, type Granularity } from './buckets.ts';
import {
  dimensionKey,
  isErrorStatus,
  type Rollup,
  rollupsFromRecords,
  type StoredUsageRecord,
} from './rollup.ts';
import { tagRollupKey, tagRollupsFromRecords } from './tag-rollup.ts';

/**
 * The rollup writes the aggregator makes: markers, usage and tag rollup ADDs, tag keys seen and
 * error copies (single-item writes).
 */
export type AggregateUsageStore = Pick<RollupStore, 'markDirty' | 'addToRollup'> &
  Pick<RollupSealStore, 'putErrors'> &
  Pick<TagRollupStore, 'addToTagRollup' | 'noteTagKey'>;

export interface AggregateUsageDeps {
  readonly rollups: AggregateUsageStore;
  readonly logger: Logger;
  /** Settles the budget reservations the records carry (exactly once per record). */
  readonly budgetLedger: Pick<BudgetLedger, 'settle'>;
}

export interface AggregateUsageReport {
  /** Records of the batch that are done: always a prefix, `batch.slice(0, aggregated)`. */
  readonly aggregated: number;
  /**
   * Index of the first record that must be delivered again (every record from it on), or
   * undefined when the whole batch is done. Writes already applied for records from this index
   * on will be applied again by the retry: the dirty markers make the seal job correct that.
   */
  readonly retryFrom: number | undefined;
  /** `UpdateItem ADD`s applied: one per (account, bucket, dimension combination). */
  readonly rollupsAdded: number;
  /** Tag rollup ADDs: one per (account, bucket, tag, dimension combination). */
  readonly tagRollupsAdded: number;
}

/** Writes in flight at once: enough to hide round trips, few enough not to burst a partition. */
const WRITE_CONCURRENCY = 16;
const GRANULARITIES: readonly Granularity[] = ['hour', 'day'];

interface Indexed<T> {
  readonly value: T;
  /** The earliest batch index of a record this write carries. */
  readonly firstIndex: number;
}

/**
 * The live rollup path: folds a batch of newly appended usage records (in the order they were
 * appended, e.g. a DynamoDB Stream batch) into one ADD per (account, bucket, dimension
 * combination), and keeps the seal job able to make every hour exact:
 *
 * 1. a dirty marker per account-hour of the batch, before any ADD (a crash after some ADDs, or
 *    a batch delivered twice, leaves the hour marked: the seal recomputes it from the raw records);
 * 2. the ADDs (hour and day; usage rollups and, for every tag a record carries, tag rollups),
 *    the tag keys seen and the error copies, from the same folds the seal job uses
 *    (`rollupsFromRecords`, `tagRollupsFromRecords`), so the live and sealed paths cannot count
 *    differently;
 * 3. the budget settles: each record's reservation replaced by its actual cost, exactly once
 *    (conditional on the reservation's entry, so a redelivered record changes nothing);
 * 4. the markers again, after the ADDs: a seal that ran between 1 and 2 cleared the marker and
 *    overwrote the hour without these ADDs; this marker makes the next run reseal it.
 *
 * A failed write is never retried here: the report says from which record on the batch must be
 * delivered again (the first record any failed write carries), and the caller's transport
 * redelivers (Lambda's partial batch response; the local feed). Records before that index are
 * fully counted. Never throws for a store failure.
 */
export async function aggregateUsage(
  deps: AggregateUsageDeps,
  batch: readonly StoredUsageRecord[],
): Promise<AggregateUsageReport> {
  const hours = accountHours(batch);
  let cut = await firstFailure(deps, 'mark dirty (before)', hours, ({ accountId, hourMs }) =>
    deps.rollups.markDirty(accountId, hourMs),
  );
  const done = batch.slice(0, cut ?? batch.length);
  const rollups = foldBatch(done, (stored, granularity) => {
    const live = (records: StoredUsageRecord[]) => rollupsFromRecords(records, granularity, false);
    return live([stored]).map((single) => ({ single, key: dimensionKey(single), fold: live }));
  });
  const tagRollups = foldBatch(done, (stored, granularity) => {
    const live = (records: StoredUsageRecord[]) =>
      tagRollupsFromRecords(records, granularity, false);
    return live([stored]).map((single) => ({
      single,
      key: `${single.tagKey}|${tagRollupKey(single)}`,
      // The item's records share its tag value, one per key: its key picks its rollup.
      fold: (records) => live(records).filter((rollup) => rollup.tagKey === single.tagKey),
    }));
  });
  const tagKeys = tagKeysSeen(done);
  const errors = done
    .map((stored, index) => ({ value: stored, firstIndex: index }))
    .filter(({ value }) => isErrorStatus(value.record.status));
  const writes: Indexed<() => Promise<void>>[] = [
    ...rollups.map(({ value, firstIndex }) => ({
      value: () => deps.rollups.addToRollup(value),
      firstIndex,
    })),
    ...tagRollups.map(({ value, firstIndex }) => ({
      value: () => deps.rollups.addToTagRollup(value),
      firstIndex,
    })),
    ...tagKeys.map(({ value: { accountId, key, seenAt }, firstIndex }) => ({
      value: () => deps.rollups.noteTagKey(accountId, key, seenAt),
      firstIndex,
    })),
    ...errors.map(({ value, firstIndex }) => ({
      value: () => deps.rollups.putErrors([value]),
      firstIndex,
    })),
  ];
  cut = earlier(cut, await firstFailure(deps, 'rollup add', writes, (write) => write()));
  cut = earlier(
    cut,
    await settleReservations({ ledger: deps.budgetLedger, logger: deps.logger }, done),
  );
  const touched = hours.filter(({ firstIndex }) => firstIndex < (cut ?? batch.length));
  cut = earlier(
    cut,
    await firstFailure(deps, 'mark dirty (after)', touched, ({ accountId, hourMs }) =>
      deps.rollups.markDirty(accountId, hourMs),
    ),
  );
  const aggregated = cut ?? batch.length;
  return {
    aggregated,
    retryFrom: cut,
    rollupsAdded: rollups.length,
    tagRollupsAdded: tagRollups.length,
  };
}

interface AccountHour {
  readonly accountId: string;
  readonly hourMs: number;
}

/** Distinct account-hours of the batch, each with the index of its first record. */
function accountHours(batch: readonly StoredUsageRecord[]): Indexed<AccountHour>[] {
  const found = new Map<string, Indexed<AccountHour>>();
  batch.forEach(({ record }, index) => {
    const hourMs = bucketStartMs(Date.parse(record.at), 'hour');
    const key = `${record.accountId}|${hourMs}`;
    if (!found.has(key)) {
      found.set(key, { value: { accountId: record.accountId, hourMs }, firstIndex: index });
    }
  });
  return [...found.values()];
}

/** How one record enters the fold: its one-record rollup, the item it lands on, the fold. */
interface FoldPart<R extends Rollup> {
  readonly single: R;
  /** Identifies the stored item within (account, granularity, bucket). */
  readonly key: string;
  /** The fold over all the batch's records of this item (a one-element result). */
  readonly fold: (records: StoredUsageRecord[]) => R[];
}

/**
 * One rollup per stored item the batch touches (account, granularity, bucket and the part's
 * key), each with the first record it carries. Grouping keys come from the fold itself (a
 * one-record rollup), so a new dimension in `rollup.ts` needs no change here.
 */
function foldBatch<R extends Rollup>(
  batch: readonly StoredUsageRecord[],
  partsOf: (stored: StoredUsageRecord, granularity: Granularity) => FoldPart<R>[],
): Indexed<R>[] {
  const groups = new Map<
    string,
    { fold: FoldPart<R>['fold']; records: StoredUsageRecord[]; firstIndex: number }
  >();
  batch.forEach((stored, index) => {
    for (const granularity of GRANULARITIES) {
      for (const { single, key, fold } of partsOf(stored, granularity)) {
        const id = `${single.accountId}|${granularity}|${single.bucketStart}|${key}`;
        const group = groups.get(id);
        if (group === undefined) groups.set(id, { fold, records: [stored], firstIndex: index });
        else group.records.push(stored);
      }
    }
  });
  return [...groups.values()].flatMap(({ fold, records, firstIndex }) =>
    fold(records).map((value) => ({ value, firstIndex })),
  );
}

/** Per account and tag key of the batch: the latest request time, and its first record. */
function tagKeysSeen(
  batch: readonly StoredUsageRecord[],
): Indexed<{ accountId: string; key: string; seenAt: string }>[] {
  const found = new Map<string, Indexed<{ accountId: string; key: string; seenAt: string }>>();
  batch.forEach(({ record }, index) => {
    for (const key of Object.keys(record.tags ?? {})) {
      const id = `${record.accountId}|${key}`;
      const previous = found.get(id);
      const seenAt =
        previous === undefined || record.at > previous.value.seenAt
          ? record.at
          : previous.value.seenAt;
      found.set(id, {
        value: { accountId: record.accountId, key, seenAt },
        firstIndex: previous?.firstIndex ?? index,
      });
    }
  });
  return [...found.values()];
}

function earlier(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/**
 * Runs `write` for every item, at most {@link WRITE_CONCURRENCY} at a time, and answers the
 * smallest `firstIndex` among the items whose write failed (undefined: none failed).
 */
async function firstFailure<T>(
  deps: AggregateUsageDeps,
  step: string,
  items: readonly Indexed<T>[],
  write: (value: T) => Promise<void>,
): Promise<number | undefined> {
  let failedFrom: number | undefined;
  let failures = 0;
  let lastError: unknown;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as Indexed<T>;
      next += 1;
      try {
        await write(item.value);
      } catch (error) {
        failures += 1;
        lastError = error;
        failedFrom = earlier(failedFrom, item.firstIndex);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, items.length) }, worker));
  if (failures > 0) {
    deps.logger.warn('usage aggregation step failed; the batch is redelivered from a record', {
      step,
      failures,
      retryFrom: failedFrom,
      error: lastError instanceof Error ? lastError.name : 'unknown',
    });
  }
  return failedFrom;
}
