// `npm run bench` (tag cardinality): the Dashboard's "By tag" 30-day query against the 30-day
// overview, in the same run, over one account whose requests carry a `customer` tag with 10,000
// distinct values in the last 30 days (every value at least once, then a skewed draw, as
// customer spend is), 10,000 requests a day for 60 days (the overview also reads the previous 30
// days). The rollups are built from generated usage records with the seal job's own folds
// (usage rollups, month packs, tag rollups and tag summaries) and written as the seal job leaves
// them at 12:30 UTC: every closed day summarised, today's sealed hours summarised, the last two
// hours live. Only what the two queries read is written (other items lie outside their sort-key
// ranges): the By tag view re-reads a named value's daily items on the days a summary folded it,
// so today's daily items are written, and a closed day's for the 100 values of highest 30-day
// cost where that day folded them. Items and read capacity come from every DynamoDB Query the
// queries make; the named values are checked against totals kept from the generated records.
import { performance } from 'node:perf_hooks';
import type { QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { DynamoRollupStore, rollupItem } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { tagItem } from '#adapters/dynamodb/dynamo-tag-rollup-store.ts';
import { manifestItem, packItem } from '#adapters/dynamodb/rollup-pack-items.ts';
import { summaryItems } from '#adapters/dynamodb/tag-summary-items.ts';
import { exactUsd } from '#core/currency/money-text.ts';
import { createDashboardService } from '#core/dashboard/dashboard-service.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { bucketIso, DAY_MS, HOUR_MS } from '#core/rollups/buckets.ts';
import { type MonthPacks, repackDay } from '#core/rollups/month-packs.ts';
import {
  type Rollup,
  regroupRollups,
  rollupsFromRecords,
  type StoredUsageRecord,
} from '#core/rollups/rollup.ts';
import { ROLLUP_PACK_FAMILY } from '#core/rollups/rollup-packs.ts';
import {
  regroupTagRollups,
  type TagRollup,
  tagRollupsFromRecords,
} from '#core/rollups/tag-rollup.ts';
import { summarizeTagBucket } from '#core/rollups/tag-summary.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { startDynaliteFixture } from '../fixtures/dynalite.ts';
import { prng } from '../fixtures/prng.ts';
import { batchSeeder } from './support/batch-seeder.ts';
import { summarize } from './support/percentiles.ts';

const DAYS = 60;
const TAGGED_DAYS = 30;
const REQUESTS_PER_DAY = 10_500;
const VALUES = 10_000;
const MODELS: readonly [ProviderId, string][] = [
  ['openai', 'gpt-4o-mini'],
  ['openai', 'gpt-4o'],
  ['anthropic', 'claude-haiku-4-5'],
  ['anthropic', 'claude-sonnet-4-5'],
  ['gemini', 'gemini-2.5-flash'],
  ['mistral', 'mistral-small-latest'],
];
const REQUESTERS = [undefined, 'web', 'ios', 'batch', 'agent-1', 'agent-2', 'ci'] as const;
const ERROR_STATUSES = [429, 500, 400] as const;
const ACCOUNT = 'bench-tags';
const KEY = 'customer';
const NOW_MS = Date.parse('2026-11-24T12:30:00.000Z');
const TODAY_MS = Math.floor(NOW_MS / DAY_MS) * DAY_MS;
/** The seal job has sealed every hour that ended 20 minutes ago or earlier. */
const LAST_SEALED_HOUR_MS = Math.floor((NOW_MS - 20 * 60_000) / HOUR_MS) * HOUR_MS - HOUR_MS;
const KEEP = { expiresAtEpochSeconds: NOW_MS / 1000 + 365 * 86_400 };

const random = prng(7);
let requestNumber = 0;
/** One generated request of the hour: the existing dashboard bench's shape, plus a customer. */
function usageRecordAt(atMs: number, tagged: boolean): StoredUsageRecord {
  const [provider, model] = MODELS[Math.floor(random() ** 1.5 * MODELS.length)] as [
    ProviderId,
    string,
  ];
  const requester = REQUESTERS[Math.floor(random() * REQUESTERS.length)];
  const status = random() < 0.03 ? (ERROR_STATUSES[Math.floor(random() * 3)] as number) : 200;
  const input = Math.floor(random() * 3000);
  const output = Math.floor(random() * 800);
  // The first 10,000 tagged requests name every value once; the rest lean to the first values.
  const customer = requestNumber < VALUES ? requestNumber : Math.floor(random() ** 3 * VALUES);
  if (tagged) requestNumber += 1;
  const record: UsageRecord = {
    requestId: `r${atMs}-${random()}`,
    accountId: ACCOUNT,
    at: new Date(atMs).toISOString(),
    provider,
    model,
    ...(requester === undefined ? {} : { requester }),
    ...(tagged ? { tags: { [KEY]: `cus_${String(customer).padStart(5, '0')}` } } : {}),
    status,
    inputTokens: input,
    outputTokens: output,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    totalTokens: input + output,
    costPicoUsd: BigInt(input * 150_000 + output * 600_000),
    priceVersion: 'bench',
    latencyMs: Math.floor(200 + random() ** 2 * 8000),
    streamed: false,
    cached: false,
    mode: 'stored',
  };
  return { record, ...KEEP };
}

const fixture = await startDynaliteFixture();
const { documentClient, tableNames: tables } = fixture;
const { pending, flush } = batchSeeder(documentClient, tables.usage);

// Arrange: 60 days of requests folded into what the seal job writes.
const seedStart = performance.now();
const pk = `TAG#${ACCOUNT}#${KEY}`;
let records = 0;
let taggedRecords = 0;
let usageItems = 0;
let tagItems = 0;
let month: MonthPacks<Rollup> = { packs: [], manifests: [] };
/** Per value, the generated records' requests and cost over the last 30 days. */
const exact = new Map<string, { requests: number; costPicoUsd: bigint }>();
/** Per value, its daily rollups of the closed days whose summary folded it. */
const foldedDays = new Map<string, TagRollup[]>();
function tally(stored: readonly StoredUsageRecord[]): void {
  for (const { record } of stored) {
    const value = record.tags?.[KEY];
    if (value === undefined) continue;
    const seen = exact.get(value) ?? { requests: 0, costPicoUsd: 0n };
    exact.set(value, {
      requests: seen.requests + 1,
      costPicoUsd: seen.costPicoUsd + (record.costPicoUsd ?? 0n),
    });
  }
}
const flushMonth = () => {
  for (const pack of month.packs) pending.push(packItem(`ROLLUP#${ACCOUNT}`, pack));
  for (const manifest of month.manifests) pending.push(manifestItem(`ROLLUP#${ACCOUNT}`, manifest));
  usageItems += month.packs.length + month.manifests.length;
  month = { packs: [], manifests: [] };
};
for (let day = DAYS - 1; day >= 0; day -= 1) {
  const dayMs = TODAY_MS - day * DAY_MS;
  const tagged = day < TAGGED_DAYS;
  const hourCount = dayMs === TODAY_MS ? Math.floor((NOW_MS - dayMs) / HOUR_MS) + 1 : 24;
  const perHour = Math.round(REQUESTS_PER_DAY / 24);
  const usageHours: Rollup[] = [];
  const tagHours = [];
  for (let hour = 0; hour < hourCount; hour += 1) {
    const hourMs = dayMs + hour * HOUR_MS;
    const stored = Array.from({ length: perHour }, () =>
      usageRecordAt(hourMs + (Math.floor(random() * HOUR_MS) % (NOW_MS - hourMs + 1)), tagged),
    );
    records += stored.length;
    if (tagged) {
      taggedRecords += stored.length;
      tally(stored);
    }
    const sealed = hourMs <= LAST_SEALED_HOUR_MS;
    usageHours.push(...rollupsFromRecords(stored, 'hour', sealed));
    const tagRollups = tagRollupsFromRecords(stored, 'hour', sealed);
    tagHours.push(...tagRollups);
    if (dayMs !== TODAY_MS || !tagged) continue;
    // Today: the sealed hours' summaries and the live hours' items (what the view reads).
    if (sealed) {
      const bucket = { accountId: ACCOUNT, tagKey: KEY, granularity: 'hour' as const };
      const summary = summarizeTagBucket({ ...bucket, bucketStart: bucketIso(hourMs) }, tagRollups);
      pending.push(...summaryItems(pk, summary));
      tagItems += 1;
    } else {
      pending.push(...tagRollups.map(tagItem));
      tagItems += tagRollups.length;
    }
  }
  const usageDays = regroupRollups(usageHours, 'day', dayMs !== TODAY_MS);
  const usageKept = day <= 1 ? [...usageHours, ...usageDays] : usageDays;
  pending.push(...usageKept.map(rollupItem));
  usageItems += usageKept.length;
  if (new Date(dayMs).getUTCDate() === 1) flushMonth();
  if (dayMs !== TODAY_MS) {
    const update = repackDay(ROLLUP_PACK_FAMILY, month, { accountId: ACCOUNT, dayMs }, usageDays);
    const kept = month.packs.filter((pack) => !update.put.some((put) => put.key === pack.key));
    month = { packs: [...kept, ...update.put], manifests: [update.manifest] };
    if (tagged) {
      const daily = regroupTagRollups(tagHours, 'day', true);
      const summary = summarizeTagBucket(
        { accountId: ACCOUNT, tagKey: KEY, granularity: 'day', bucketStart: bucketIso(dayMs) },
        daily,
      );
      pending.push(...summaryItems(pk, summary));
      tagItems += 1;
      const keptValues = new Set(summary.values.map(({ value }) => value));
      for (const rollup of daily) {
        if (keptValues.has(rollup.tagValue)) continue;
        const folded = foldedDays.get(rollup.tagValue);
        if (folded === undefined) foldedDays.set(rollup.tagValue, [rollup]);
        else folded.push(rollup);
      }
    }
  } else if (tagged) {
    const daily = regroupTagRollups(tagHours, 'day', false);
    pending.push(...daily.map(tagItem));
    tagItems += daily.length;
  }
  await flush(false);
}
flushMonth();
const topValues = [...exact]
  .sort(([, a], [, b]) => (a.costPicoUsd > b.costPicoUsd ? -1 : 1))
  .slice(0, 100);
for (const [value] of topValues) {
  const daily = foldedDays.get(value) ?? [];
  pending.push(...daily.map(tagItem));
  tagItems += daily.length;
}
pending.push({
  pk: `TAG#${ACCOUNT}`,
  sk: `KEY#${KEY}`,
  tagKey: KEY,
  lastSeenAt: new Date(NOW_MS).toISOString(),
  expiresAtEpochSeconds: KEEP.expiresAtEpochSeconds,
});
await flush(true);
const seedSeconds = (performance.now() - seedStart) / 1000;

// Act: both queries through the real adapter and service; every Query's items and capacity.
let itemsRead = 0;
let capacityRead = 0;
let queries = 0;
documentClient.middlewareStack.add(
  (next) => async (args) => {
    const input = args.input as {
      KeyConditionExpression?: string;
      ReturnConsumedCapacity?: string;
    };
    if (input.KeyConditionExpression !== undefined) input.ReturnConsumedCapacity = 'TOTAL';
    const result = await next(args);
    const output = result.output as Partial<QueryCommandOutput>;
    if (input.KeyConditionExpression !== undefined) queries += 1;
    itemsRead += output.Count ?? 0;
    capacityRead += output.ConsumedCapacity?.CapacityUnits ?? 0;
    return result;
  },
  { step: 'initialize', name: 'countQueryReads' },
);
const dashboard = createDashboardService({
  rollups: new DynamoRollupStore({
    client: documentClient,
    tableName: tables.usage,
    clock: { nowMs: () => NOW_MS },
  }),
  accounts: { getAccount: async () => undefined },
  fxRates: { put: async () => undefined, latest: async () => undefined },
  clock: { nowMs: () => NOW_MS },
});
const query = {
  range: '30d',
  model: [],
  provider: [],
  requester: [],
  status: [],
  kind: [],
} as const;

async function time<T>(read: () => Promise<T>, runs: number) {
  const samples: number[] = [];
  let reads = { items: 0, capacity: 0, queries: 0 };
  let answer: T | undefined;
  for (let run = 0; run < runs + 2; run += 1) {
    itemsRead = 0;
    capacityRead = 0;
    queries = 0;
    const start = performance.now();
    answer = await read();
    if (run >= 2) samples.push(performance.now() - start);
    reads = { items: itemsRead, capacity: capacityRead, queries };
  }
  return { stats: summarize(samples), reads, answer: answer as T };
}

// Alternate the two, so load on the shared machine hits both alike.
const overviewRuns: Awaited<ReturnType<typeof time<unknown>>>[] = [];
const tagRuns: Awaited<ReturnType<typeof time<unknown>>>[] = [];
for (let round = 0; round < 3; round += 1) {
  overviewRuns.push(await time(() => dashboard.overview(ACCOUNT, query), 5));
  tagRuns.push(await time(() => dashboard.tags(ACCOUNT, { ...query, key: KEY }), 5));
}
const p50 = (runs: typeof overviewRuns) => {
  const all = runs.map((run) => run.stats.p50).sort((a, b) => a - b);
  return all[Math.floor(all.length / 2)] as number;
};
const overview = overviewRuns.at(-1) as (typeof overviewRuns)[number];
const byTag = tagRuns.at(-1) as (typeof tagRuns)[number];
const tagAnswer = byTag.answer as Awaited<ReturnType<typeof dashboard.tags>>;
const overviewAnswer = overview.answer as Awaited<ReturnType<typeof dashboard.overview>>;
const ratio = p50(tagRuns) / p50(overviewRuns);

const lines = [
  '',
  '## "By tag" 30-day query vs the 30-day overview (dynalite in process, one account)',
  '',
  `History: ${records.toLocaleString('en-US')} requests over ${DAYS} days, ${taggedRecords.toLocaleString('en-US')} of them in the last ${TAGGED_DAYS} days tagged \`${KEY}\` with ${VALUES.toLocaleString('en-US')} distinct values; ${usageItems.toLocaleString('en-US')} usage rollup items and month packs, ${tagItems.toLocaleString('en-US')} tag summaries, live hourly and daily tag items; seeded in ${seedSeconds.toFixed(1)} s`,
  '',
  '| query | requests counted | Queries | items read | read capacity units | p50 ms (median of 3 rounds) | p95 ms (last round) |',
  '|---|---|---|---|---|---|---|',
  `| overview 30d (range + previous 30 d) | ${overviewAnswer.requests.total.toLocaleString('en-US')} | ${overview.reads.queries} | ${overview.reads.items} | ${overview.reads.capacity.toFixed(1)} | ${p50(overviewRuns).toFixed(1)} | ${overview.stats.p95.toFixed(1)} |`,
  `| By tag 30d, key \`${KEY}\` | ${tagAnswer.total.requests.toLocaleString('en-US')} | ${byTag.reads.queries} | ${byTag.reads.items} | ${byTag.reads.capacity.toFixed(1)} | ${p50(tagRuns).toFixed(1)} | ${byTag.stats.p95.toFixed(1)} |`,
  '',
  `By tag / overview p50: ${ratio.toFixed(2)}x (target: within 2x) ${ratio <= 2 ? 'MET' : 'MISSED'}; items read ${(byTag.reads.items / Math.max(1, overview.reads.items)).toFixed(2)}x, read capacity ${(byTag.reads.capacity / Math.max(1, overview.reads.capacity)).toFixed(2)}x.`,
  `Named values equal to the generated records' totals (requests and exact cost): ${
    tagAnswer.values.filter(
      (v) =>
        exact.get(v.value)?.requests === v.requests &&
        exactUsd(exact.get(v.value)?.costPicoUsd ?? -1n) === v.costUsd,
    ).length
  } of ${tagAnswer.values.length}.`,
  `Top value ${tagAnswer.values[0]?.value} (${tagAnswer.values[0]?.requests} requests, complete: ${tagAnswer.values[0]?.complete}); ${tagAnswer.values.filter((v) => !v.complete).length} of the ${tagAnswer.values.length} named values incomplete; other: ${tagAnswer.other.requests.toLocaleString('en-US')} requests.`,
  '',
];
process.stdout.write(lines.join('\n'));

await fixture.close();
