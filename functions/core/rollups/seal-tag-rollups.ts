import type { TagRollupSealStore } from '../ports/tag-rollup-store.ts';
import { bucketIso, DAY_MS } from './buckets.ts';
import type { StoredUsageRecord } from './rollup.ts';
import { regroupTagRollups, type TagRollup, tagRollupsFromRecords } from './tag-rollup.ts';
import { summarizeTagBucket } from './tag-summary.ts';

/**
 * The seal job's tag step for one account-hour, from the hour's raw records: for every tag key
 * they carry, the key is noted as seen (the day rebuild finds keys there, also when the live
 * path never noted it), the key's hourly items are replaced by the exact fold and the hour's
 * summary is written. Runs before the hour's usage rollups are replaced, so a usage bucket found
 * sealed has sealed tag items too (the Logs totals rely on it).
 */
export async function sealTagHour(
  store: TagRollupSealStore,
  accountId: string,
  hourMs: number,
  records: readonly StoredUsageRecord[],
  keepValues: number,
): Promise<void> {
  const byKey = groupByKey(tagRollupsFromRecords(records, 'hour', true));
  await Promise.all(
    [...byKey].map(async ([key, rollups]) => {
      const lastSeenAt = records.reduce(
        (latest, { record }) =>
          record.tags?.[key] !== undefined && record.at > latest ? record.at : latest,
        '',
      );
      await store.noteTagKey(accountId, key, lastSeenAt);
      await store.replaceTagHour(
        accountId,
        key,
        hourMs,
        rollups,
        summarizeTagBucket(
          { accountId, tagKey: key, granularity: 'hour', bucketStart: bucketIso(hourMs) },
          rollups,
          keepValues,
        ),
      );
    }),
  );
}

/**
 * The tag step of a day rebuild: for every key the account used since the day began, the day's
 * items from its hourly items (sealed when all of them are), and, for a closed day whose hours
 * are all sealed, the day's summary. Keys come from the account's key list, not from this run's
 * hours: a key may have traffic only in hours sealed by earlier runs.
 */
export async function sealTagDay(
  store: TagRollupSealStore,
  accountId: string,
  dayMs: number,
  dayClosed: boolean,
  keepValues: number,
): Promise<void> {
  const dayIso = bucketIso(dayMs);
  const keys = (await store.listTagKeys(accountId)).filter(
    ({ lastSeenAt }) => lastSeenAt >= dayIso,
  );
  await Promise.all(
    keys.map(async ({ key }) => {
      const hours = await store.queryTagHours(accountId, key, dayMs, dayMs + DAY_MS);
      if (hours.length === 0) return;
      const allSealed = hours.every((hour) => hour.sealed);
      const days = regroupTagRollups(hours, 'day', allSealed);
      const summary =
        dayClosed && allSealed
          ? summarizeTagBucket(
              { accountId, tagKey: key, granularity: 'day', bucketStart: dayIso },
              days,
              keepValues,
            )
          : undefined;
      await store.putTagDay(accountId, key, dayMs, days, summary);
    }),
  );
}

function groupByKey(rollups: readonly TagRollup[]): Map<string, TagRollup[]> {
  const byKey = new Map<string, TagRollup[]>();
  for (const rollup of rollups) {
    const group = byKey.get(rollup.tagKey);
    if (group === undefined) byKey.set(rollup.tagKey, [rollup]);
    else group.push(rollup);
  }
  return byKey;
}
