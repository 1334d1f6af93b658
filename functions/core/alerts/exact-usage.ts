import type { RollupSealStore } from '../ports/rollup-seal-store.ts';
import { bucketStartMs, DAY_MS, HOUR_MS } from '../rollups/buckets.ts';
import { type Rollup, rollupsFromRecords } from '../rollups/rollup.ts';
import { tagRollupsFromRecords } from '../rollups/tag-rollup.ts';
import { ACCOUNT_SCOPE, type AlertRuleSpec } from './alert-rule.ts';
import {
  type ScopedRollup,
  type ScopedUsageReader,
  type ScopedUsageRollups,
  scopedUsage,
  withinScope,
} from './scoped-usage.ts';

/** The reads an {@link exactUsage} reader makes: the live rollups and the raw records. */
export type ExactUsageRollups = ScopedUsageRollups & Pick<RollupSealStore, 'rawRecordsInHour'>;

/**
 * The reading an alert fires on: the scope's rollups, except that every bucket holding an
 * unsealed item is recounted from the raw usage records, as the seal job will count it. Live
 * items are ADDs that a redelivered aggregator batch applies twice until the seal corrects them;
 * a raw record is stored once per request, so no redelivery moves this reading. It costs the
 * raw records of the unsealed hours (the last hour or two), so it is read only to confirm a
 * level the live reading reached.
 */
export function exactUsage(rollups: ExactUsageRollups): ScopedUsageReader {
  const live = scopedUsage(rollups);
  const reader: ScopedUsageReader = {
    async read(accountId, rule, granularity, span, nowMs) {
      const items = await live.read(accountId, rule, granularity, span, nowMs);
      const unsealed = new Set(items.filter((item) => !item.sealed).map((i) => i.bucketStart));
      const exact: ScopedRollup[] = items.filter((item) => !unsealed.has(item.bucketStart));
      for (const bucketStart of unsealed) {
        const startMs = Date.parse(bucketStart);
        // An unsealed day is its hours, each exact; labelled with the day, as a daily read is.
        const recounted =
          granularity === 'hour'
            ? await recountHour(rollups, accountId, rule, startMs)
            : await reader.read(
                accountId,
                rule,
                'hour',
                { fromMs: startMs, toMs: Math.min(startMs + DAY_MS, nextHourMs(nowMs)) },
                nowMs,
              );
        exact.push(...recounted.map((item) => ({ ...item, bucketStart })));
      }
      return exact;
    },
  };
  return reader;
}

function nextHourMs(nowMs: number): number {
  return bucketStartMs(nowMs, 'hour') + HOUR_MS;
}

/** An hour's items in the rule's scope, folded from its raw records as the seal folds them. */
async function recountHour(
  rollups: Pick<RollupSealStore, 'rawRecordsInHour'>,
  accountId: string,
  rule: Pick<AlertRuleSpec, 'scope' | 'providers'>,
  hourMs: number,
): Promise<Rollup[]> {
  const records = await rollups.rawRecordsInHour(accountId, hourMs);
  const scope = rule.scope ?? ACCOUNT_SCOPE;
  const items =
    scope.kind === 'tag'
      ? tagRollupsFromRecords(records, 'hour', true).filter(
          (item) => item.tagKey === scope.key && item.tagValue === scope.value,
        )
      : rollupsFromRecords(records, 'hour', true);
  return withinScope(rule, items);
}
