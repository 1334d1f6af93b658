import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { DynamoUsageLogReader } from '#adapters/dynamodb/dynamo-usage-log-reader.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { countMatchingLogs } from '#core/logs/log-count.ts';
import { recordMatches, toLogFilter } from '#core/logs/log-query.ts';
import type { UsageLogQuery } from '#core/ports/usage-log-reader.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { bucketStartMs, DAY_MS, HOUR_MS } from '#core/rollups/buckets.ts';
import type { StoredUsageRecord } from '#core/rollups/rollup.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../../fixtures/dynalite.ts';
import { addLive } from '../../fixtures/live-rollups.ts';
import { prng } from '../../fixtures/prng.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';

const ACCOUNT = 'acct-count';
/** Traffic spans 2026-01-29 00:00 .. 2026-02-02 00:00 (four days across a month boundary). */
const START_MS = Date.parse('2026-01-29T00:00:00.000Z');
const SPAN_MS = 4 * DAY_MS;
const PROVIDERS: readonly [ProviderId, readonly string[]][] = [
  ['openai', ['gpt-4o-mini', 'gpt-4o']],
  ['anthropic', ['claude-haiku-4-5']],
  ['mistral', ['mistral-small']],
];

let fixture: DynaliteFixture;
let clock: FakeClock;
let reader: DynamoUsageLogReader;
let rollups: DynamoRollupStore;
/** Every record written, with its expiry, to count by brute force. */
const written: StoredUsageRecord[] = [];
/** The raw spans the count read, to show that sealed buckets were not re-read. */
const rawSpans: [number, number][] = [];

beforeAll(async () => {
  fixture = await startDynaliteFixture();
  clock = new FakeClock({ startMs: START_MS });
  const options = { client: fixture.documentClient, tableName: fixture.tableNames.usage, clock };
  reader = new DynamoUsageLogReader(options);
  rollups = new DynamoRollupStore(options);
  const usage = new DynamoUsageStore(options);
  const random = prng(0xc0ffee);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  /** `loseAdds`: some records lose their ADDs (the aggregator died after its dirty markers). */
  async function traffic(count: number, fromMs: number, toMs: number, loseAdds: boolean) {
    for (let index = 0; index < count; index += 1) {
      const [provider, models] = pick(PROVIDERS);
      const atMs = fromMs + Math.floor(random() * (toMs - fromMs));
      const record = usageRecord({
        accountId: ACCOUNT,
        at: new Date(atMs).toISOString(),
        provider,
        model: pick(models),
        ...(random() < 0.6 ? { requester: pick(['alice', 'bob']) } : {}),
        status: pick([200, 200, 200, 400, 429, 500]),
        tags: {
          ...(random() < 0.7 ? { feature: pick(['search', 'chat', 'a:b']) } : {}),
          ...(random() < 0.3 ? { team: pick(['core', 'ml']) } : {}),
        },
      });
      // Most records are kept 30 days; some of the first day's only 2 (expired by the count).
      const keepDays = atMs < START_MS + DAY_MS && random() < 0.3 ? 2 : 30;
      const retention = { expiresAtEpochSeconds: Math.floor(atMs / 1000) + keepDays * 86_400 };
      written.push({ record, ...retention });
      await usage.append(record, retention);
      if (loseAdds && random() < 0.1) {
        await rollups.markDirty(ACCOUNT, bucketStartMs(atMs, 'hour'));
      } else await addLive(rollups, record, retention);
    }
  }

  // Three sealed days, then a fourth day whose traffic arrives after the seal.
  await traffic(400, START_MS, START_MS + 3 * DAY_MS, true);
  clock.set(START_MS + 3 * DAY_MS + HOUR_MS);
  await sealRollups({ rollups, clock, logger: SILENT_LOGGER }, { lookbackMs: 4 * DAY_MS });
  await traffic(120, START_MS + 3 * DAY_MS - 2 * HOUR_MS, START_MS + SPAN_MS, false);
  // Now: the fourth day is over and some 2-day records of the first day have expired.
  clock.set(START_MS + SPAN_MS + 30 * 60_000);

  const rawReader = new DynamoUsageLogReader(options);
  reader = Object.assign(Object.create(rawReader), {
    countLogs: (query: UsageLogQuery) => {
      rawSpans.push([Date.parse(query.fromIso), Date.parse(query.toIso)]);
      return rawReader.countLogs(query);
    },
  });
}, 120_000);

afterAll(async () => {
  await fixture?.close();
});

function bruteForce(query: UsageLogQuery): number {
  const nowSeconds = clock.nowMs() / 1000;
  return written.filter(
    ({ record, expiresAtEpochSeconds }) =>
      record.at >= query.fromIso &&
      record.at < query.toIso &&
      expiresAtEpochSeconds > nowSeconds &&
      recordMatches(query.filter, record),
  ).length;
}

describe('countMatchingLogs (sealed rollups stand in for their records)', () => {
  it('equals a brute-force count for random windows and filters, expiry and unsealed hours included', async () => {
    const random = prng(0xfeed);
    const filters = [
      {},
      { model: ['gpt-4o-mini'] },
      { provider: ['anthropic', 'mistral'] as ProviderId[] },
      { requester: ['-'] },
      { requester: ['alice'], status: ['4xx'] },
      { status: ['429', '500'] },
      { tag: ['feature:search'] },
      { tag: ['feature:chat', 'feature:a:b'], model: ['gpt-4o'] },
      { tag: ['feature:search', 'team:ml'] },
    ];
    for (let round = 0; round < 27; round += 1) {
      const fromMs = START_MS - HOUR_MS + Math.floor(random() * 2 * DAY_MS);
      const toMs = fromMs + Math.floor(random() * 3 * DAY_MS) + 1;
      const query: UsageLogQuery = {
        accountId: ACCOUNT,
        fromIso: new Date(fromMs).toISOString(),
        toIso: new Date(toMs).toISOString(),
        filter: toLogFilter({ range: 'custom', ...filters[round % filters.length] }),
      };

      const counted = await countMatchingLogs({ logs: reader, rollups, clock }, query);

      expect(counted, JSON.stringify(query)).toBe(bruteForce(query));
    }
    expect(bruteForce({ accountId: ACCOUNT, fromIso: '2026', toIso: '2027', filter: {} })).toBe(
      // Some records expired (the 2-day ones of the first day): the counts above excluded them.
      written.filter(({ expiresAtEpochSeconds }) => expiresAtEpochSeconds > clock.nowMs() / 1000)
        .length,
    );
  });

  it('reads raw records only where rollups cannot stand in', async () => {
    rawSpans.length = 0;
    const query: UsageLogQuery = {
      accountId: ACCOUNT,
      fromIso: new Date(START_MS + 30 * 60_000).toISOString(),
      toIso: new Date(START_MS + SPAN_MS).toISOString(),
      filter: {},
    };

    expect(await countMatchingLogs({ logs: reader, rollups, clock }, query)).toBe(
      bruteForce(query),
    );

    // Day 2 and most of day 3 came from sealed rollups; the ragged first half hour, day 1's hours
    // with expired records and the traffic after the seal (day 3's last two hours, day 4) were
    // read raw.
    const rawMs = rawSpans.reduce((sum, [from, to]) => sum + (to - from), 0);
    const inside = (atMs: number) => rawSpans.some(([from, to]) => atMs >= from && atMs < to);
    expect(inside(START_MS + DAY_MS + 12 * HOUR_MS)).toBe(false);
    expect(inside(START_MS + 2 * DAY_MS + 12 * HOUR_MS)).toBe(false);
    expect(inside(START_MS + 3 * DAY_MS + 12 * HOUR_MS)).toBe(true);
    expect(rawMs).toBeLessThan(2.5 * DAY_MS);
  });

  it('lets sealed tag rollups stand in under a tag filter of one key, and counts two keys raw', async () => {
    const window = {
      accountId: ACCOUNT,
      fromIso: new Date(START_MS + 30 * 60_000).toISOString(),
      toIso: new Date(START_MS + SPAN_MS).toISOString(),
    };
    rawSpans.length = 0;
    const oneKey = { ...window, filter: toLogFilter({ range: 'custom', tag: ['feature:search'] }) };

    expect(await countMatchingLogs({ logs: reader, rollups, clock }, oneKey)).toBe(
      bruteForce(oneKey),
    );
    const inside = (atMs: number) => rawSpans.some(([from, to]) => atMs >= from && atMs < to);
    expect(inside(START_MS + DAY_MS + 12 * HOUR_MS)).toBe(false);

    rawSpans.length = 0;
    const twoKeys = {
      ...window,
      filter: toLogFilter({ range: 'custom', tag: ['feature:search', 'team:core'] }),
    };
    expect(await countMatchingLogs({ logs: reader, rollups, clock }, twoKeys)).toBe(
      bruteForce(twoKeys),
    );
    expect(inside(START_MS + DAY_MS + 12 * HOUR_MS)).toBe(true);
  });
});
