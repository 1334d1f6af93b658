// `npm run bench` (third part): dashboard query cost vs range, on a large history.
// Seeds one account with hourly and daily rollups and month packs worth >= 1 million usage
// records over 95 days (written directly, as the seal job would leave them: every day before
// today packed; realistic dimension cardinality: 6 models, 7 requesters, 3% errors over 3
// statuses), into in-process dynalite, then times overviews of several ranges through the real
// DynamoRollupStore + dashboard service, counting the items every DynamoDB Query returned and
// the read capacity it consumed. None reads records; hourly ranges read hours x dimension
// combinations, daily ones months x combinations plus today's daily items.
import { performance } from 'node:perf_hooks';
import type { QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { DynamoRollupStore, rollupItem } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { manifestItem, packItem } from '#adapters/dynamodb/rollup-pack-items.ts';
import { createDashboardService } from '#core/dashboard/dashboard-service.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { bucketIso, DAY_MS, HOUR_MS } from '#core/rollups/buckets.ts';
import { latencyBucketIndex } from '#core/rollups/latency-histogram.ts';
import { type MonthPacks, repackDay } from '#core/rollups/month-packs.ts';
import { EMPTY_COUNTS, type Rollup, regroupRollups } from '#core/rollups/rollup.ts';
import { ROLLUP_PACK_FAMILY } from '#core/rollups/rollup-packs.ts';
import { startDynaliteFixture } from '../fixtures/dynalite.ts';
import { prng } from '../fixtures/prng.ts';
import { batchSeeder } from './support/batch-seeder.ts';
import { summarize } from './support/percentiles.ts';

const DAYS = 95;
/**
 * Hourly items are written for the last days only, to keep the run short: older hourly items lie
 * outside every sort-key range both queries read (a Query reads its range, not the partition).
 */
const HOURLY_DAYS = 4;
const REQUESTS_PER_HOUR = 470; // 95 d x 24 h x 470 = 1,071,600 records
const MODELS: readonly [ProviderId, string][] = [
  ['openai', 'gpt-4o-mini'],
  ['openai', 'gpt-4o'],
  ['anthropic', 'claude-haiku-4-5'],
  ['anthropic', 'claude-sonnet-4-5'],
  ['gemini', 'gemini-2.5-flash'],
  ['mistral', 'mistral-small-latest'],
];
const REQUESTERS: readonly (string | null)[] = [
  null,
  'web',
  'ios',
  'batch',
  'agent-1',
  'agent-2',
  'ci',
];
const ERROR_STATUSES = [429, 500, 400] as const;
const ACCOUNT = 'bench-account';
const NOW_MS = Date.parse('2026-11-24T12:30:00.000Z');

function hourRollups(hourMs: number, random: () => number): Rollup[] {
  const groups = new Map<string, Rollup>();
  for (let i = 0; i < REQUESTS_PER_HOUR; i += 1) {
    const [provider, model] = MODELS[Math.floor(random() ** 1.5 * MODELS.length)] as [
      ProviderId,
      string,
    ];
    const requester = REQUESTERS[Math.floor(random() * REQUESTERS.length)] ?? null;
    const status = random() < 0.03 ? (ERROR_STATUSES[Math.floor(random() * 3)] as number) : 200;
    const key = `${model}|${requester}|${status}`;
    const previous = groups.get(key);
    const counts = previous ?? { ...EMPTY_COUNTS, latencyHistogram: new Map<number, number>() };
    const latencyMs = Math.floor(200 + random() ** 2 * 8000);
    const histogram = new Map(counts.latencyHistogram);
    const bucket = latencyBucketIndex(latencyMs);
    histogram.set(bucket, (histogram.get(bucket) ?? 0) + 1);
    const input = Math.floor(random() * 3000);
    const output = Math.floor(random() * 800);
    groups.set(key, {
      accountId: ACCOUNT,
      granularity: 'hour',
      bucketStart: bucketIso(hourMs),
      provider,
      model,
      requester,
      status,
      kind: 'chat',
      requests: counts.requests + 1,
      errors: counts.errors + (status >= 400 ? 1 : 0),
      metrionErrors: counts.metrionErrors,
      inputTokens: counts.inputTokens + input,
      outputTokens: counts.outputTokens + output,
      cacheReadTokens: counts.cacheReadTokens,
      cacheWriteTokens: counts.cacheWriteTokens,
      costPicoUsd: counts.costPicoUsd + BigInt(input * 150_000 + output * 600_000),
      unpricedRequests: 0,
      tierUnpricedRequests: 0,
      latencyMsSum: counts.latencyMsSum + latencyMs,
      latencyHistogram: histogram,
      timeToFirstTokenMsSum: counts.timeToFirstTokenMsSum,
      timeToFirstTokenCount: counts.timeToFirstTokenCount,
      streamedRequests: counts.streamedRequests,
      cachedRequests: counts.cachedRequests,
      estimatedRequests: counts.estimatedRequests,
      expiresAtEpochSeconds: NOW_MS / 1000 + 365 * 86_400,
      sealed: true,
    });
  }
  return [...groups.values()];
}

const fixture = await startDynaliteFixture();
const { documentClient, tableNames: tables } = fixture;

// Arrange: the history, written in batches of 25 with 8 in flight.
const seedStart = performance.now();
const random = prng(42);
const firstDayMs = Math.floor(NOW_MS / DAY_MS) * DAY_MS - (DAYS - 1) * DAY_MS;
let items = 0;
let hourlyItems = 0;
let dailyItems = 0;
let records = 0;
const { pending, flush } = batchSeeder(documentClient, tables.usage);
/** Month packs as the seal job leaves them, built with its own `repackDay`, one month at a time. */
let month: MonthPacks<Rollup> = { packs: [], manifests: [] };
let packItems = 0;
function flushMonth(): void {
  for (const pack of month.packs) pending.push(packItem(`ROLLUP#${ACCOUNT}`, pack));
  for (const manifest of month.manifests) pending.push(manifestItem(`ROLLUP#${ACCOUNT}`, manifest));
  packItems += month.packs.length + month.manifests.length;
  month = { packs: [], manifests: [] };
}
const todayMs = Math.floor(NOW_MS / DAY_MS) * DAY_MS;
for (let day = 0; day < DAYS; day += 1) {
  const dayMs = firstDayMs + day * DAY_MS;
  const hours: Rollup[] = [];
  for (let hour = 0; hour < 24; hour += 1)
    hours.push(...hourRollups(dayMs + hour * HOUR_MS, random));
  const days = regroupRollups(hours, 'day', true);
  const keptHours = day >= DAYS - HOURLY_DAYS ? hours : [];
  for (const rollup of [...keptHours, ...days]) pending.push(rollupItem(rollup));
  if (new Date(dayMs).getUTCDate() === 1) flushMonth();
  if (dayMs < todayMs) {
    const update = repackDay(ROLLUP_PACK_FAMILY, month, { accountId: ACCOUNT, dayMs }, days);
    const kept = month.packs.filter((pack) => !update.put.some((put) => put.key === pack.key));
    month = { packs: [...kept, ...update.put], manifests: [update.manifest] };
  }
  records += hours.reduce((sum, r) => sum + r.requests, 0);
  hourlyItems += keptHours.length;
  dailyItems += days.length;
  items += keptHours.length + days.length;
  await flush(false);
}
flushMonth();
items += packItems;
await flush(true);
const seedSeconds = (performance.now() - seedStart) / 1000;

// Act: time overviews through the real adapter and service. Every DynamoDB Query's items and
// read capacity are counted, and the time while any rollup read is in flight is the store's.
let itemsRead = 0;
let capacityRead = 0;
documentClient.middlewareStack.add(
  (next) => async (args) => {
    const input = args.input as {
      KeyConditionExpression?: string;
      ReturnConsumedCapacity?: string;
    };
    if (input.KeyConditionExpression !== undefined) input.ReturnConsumedCapacity = 'TOTAL';
    const result = await next(args);
    const output = result.output as Partial<QueryCommandOutput>;
    itemsRead += output.Count ?? 0;
    capacityRead += output.ConsumedCapacity?.CapacityUnits ?? 0;
    return result;
  },
  { step: 'initialize', name: 'countQueryReads' },
);
const rollups = new DynamoRollupStore({
  client: documentClient,
  tableName: tables.usage,
  clock: { nowMs: () => NOW_MS },
});
let storeMs = 0;
let inFlight = 0;
let busySince = 0;
function timed<A extends unknown[], R>(read: (...args: A) => Promise<R>) {
  return async (...args: A): Promise<R> => {
    if (inFlight++ === 0) busySince = performance.now();
    try {
      return await read(...args);
    } finally {
      if (--inFlight === 0) storeMs += performance.now() - busySince;
    }
  };
}
const timedRollups: typeof rollups = Object.assign(Object.create(rollups), {
  query: timed(rollups.query.bind(rollups)),
  queryMonthPacks: timed(rollups.queryMonthPacks.bind(rollups)),
});
const dashboard = createDashboardService({
  rollups: timedRollups,
  accounts: { getAccount: async () => undefined },
  fxRates: { put: async () => undefined, latest: async () => undefined },
  clock: { nowMs: () => NOW_MS },
});
const filters = { model: [], provider: [], requester: [], status: [], kind: [] };
/** A custom range of 60 days ending 10 days ago (daily buckets, like the named ranges). */
const CUSTOM = {
  range: 'custom',
  from: new Date(todayMs - 70 * DAY_MS).toISOString(),
  to: new Date(todayMs - 10 * DAY_MS).toISOString(),
} as const;

async function time(query: Parameters<typeof dashboard.overview>[1], runs: number) {
  const samples: number[] = [];
  const storeSamples: number[] = [];
  let requests = 0;
  let reads = { items: 0, capacity: 0 };
  for (let run = 0; run < runs + 2; run += 1) {
    itemsRead = 0;
    capacityRead = 0;
    storeMs = 0;
    const start = performance.now();
    const overview = await dashboard.overview(ACCOUNT, query);
    if (run >= 2) {
      samples.push(performance.now() - start);
      storeSamples.push(storeMs);
    }
    requests = overview.requests.total;
    reads = { items: itemsRead, capacity: capacityRead };
  }
  return { stats: summarize(samples), store: summarize(storeSamples), reads, requests };
}

const rows = [
  { label: '24h', buckets: '24 hourly', result: await time({ range: '24h', ...filters }, 7) },
  { label: '7d', buckets: '7 daily', result: await time({ range: '7d', ...filters }, 7) },
  { label: '30d', buckets: '30 daily', result: await time({ range: '30d', ...filters }, 7) },
  { label: '90d', buckets: '90 daily', result: await time({ range: '90d', ...filters }, 7) },
  { label: 'custom 60 d', buckets: '60 daily', result: await time({ ...CUSTOM, ...filters }, 7) },
];
const day = rows[0]?.result as Awaited<ReturnType<typeof time>>;
const quarter = rows[3]?.result as Awaited<ReturnType<typeof time>>;

const lines = [
  '',
  '## Dashboard overview query by range (dynalite in process, one account)',
  '',
  `History: ${records.toLocaleString('en-US')} usage records over ${DAYS} days as ${items.toLocaleString('en-US')} rollup items (${dailyItems.toLocaleString('en-US')} daily, ${hourlyItems.toLocaleString('en-US')} hourly for the last ${HOURLY_DAYS} days, ${packItems.toLocaleString('en-US')} month packs and manifests); seeded in ${seedSeconds.toFixed(1)} s`,
  '',
  '| range | buckets | records in range | items read (range + previous) | read capacity units | p50 ms | p95 ms | of which rollup reads p50 ms |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    ({ label, buckets, result }) =>
      `| ${label} | ${buckets} | ${result.requests.toLocaleString('en-US')} | ${result.reads.items} | ${result.reads.capacity.toFixed(1)} | ${result.stats.p50.toFixed(1)} | ${result.stats.p95.toFixed(1)} | ${result.store.p50.toFixed(1)} |`,
  ),
  '',
  `90d / 24h time ratio (p50): ${(quarter.stats.p50 / day.stats.p50).toFixed(1)}x for ${(quarter.requests / Math.max(1, day.requests)).toFixed(0)}x the records and ${(quarter.reads.items / Math.max(1, day.reads.items)).toFixed(1)}x the rollup items: both read rollups only (hourly: buckets x dimension combinations; daily: month packs x combinations plus today's daily items), never the ${records.toLocaleString('en-US')} records.`,
  '',
];
process.stdout.write(lines.join('\n'));

await fixture.close();
