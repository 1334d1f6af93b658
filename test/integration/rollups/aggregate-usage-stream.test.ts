// The usage aggregator Lambda's handler on real stream images of dynalite items, with DynamoDB
// faults injected into its client: partial batch failure and retry from the reported record, a
// run that dies mid-batch and is redelivered whole, then the seal job: every total equals the raw
// records, nothing lost, nothing counted twice.
import { type AttributeValue, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { usageRecordFromStreamImage } from '#adapters/dynamodb/usage-stream-image.ts';
import { DAY_MS, HOUR_MS } from '#core/rollups/buckets.ts';
import type { StoredUsageRecord } from '#core/rollups/rollup.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import { createAggregateUsageHandler } from '#handlers/aggregate-usage.ts';
import { buildAggregateUsageDeps } from '#lambda/aggregate-usage.deps.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../../fixtures/dynalite.ts';
import {
  type DynamoCall,
  type Fault,
  faultyDocumentClient,
} from '../../fixtures/dynamodb-faults.ts';
import {
  sequenceNumber,
  streamEvent,
  streamRecord,
} from '../../fixtures/events/dynamodb-stream.ts';
import { prng } from '../../fixtures/prng.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';
import { totalsOfRecords, totalsOfRollups, type UsageTotals } from '../../fixtures/usage-totals.ts';

const START_MS = Date.parse('2026-05-04T10:00:00.000Z');
const ACCOUNTS = ['acct-stream-a', 'acct-stream-b'];

let fixture: DynaliteFixture;
let clock: FakeClock;
let run = 0;
let accounts: string[];

beforeAll(async () => {
  fixture = await startDynaliteFixture();
});
afterAll(async () => {
  await fixture.close();
});
beforeEach(() => {
  clock = new FakeClock({ startMs: START_MS + 2 * HOUR_MS });
  run += 1;
  accounts = ACCOUNTS.map((account) => `${account}-${run}`);
});

function handlerWith(decide: (call: DynamoCall) => Fault = () => undefined) {
  return createAggregateUsageHandler(
    buildAggregateUsageDeps({
      documentClient: faultyDocumentClient(fixture.endpoint, decide),
      usageTable: fixture.tableNames.usage,
      accountsTable: fixture.tableNames.accounts,
      logger: SILENT_LOGGER,
      clock,
    }),
  );
}

function rollupStore(): DynamoRollupStore {
  return new DynamoRollupStore({
    client: fixture.documentClient,
    tableName: fixture.tableNames.usage,
    clock,
  });
}

/** Random records of two accounts over two hours, appended through the proxy's store. */
async function appendTraffic(count: number): Promise<StoredUsageRecord[]> {
  const random = prng(0xa99 + run);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const usage = new DynamoUsageStore({
    client: fixture.documentClient,
    tableName: fixture.tableNames.usage,
    clock,
  });
  const stored: StoredUsageRecord[] = [];
  for (let index = 0; index < count; index += 1) {
    const status = pick([200, 200, 200, 429, 503]);
    const record = usageRecord({
      accountId: pick(accounts),
      // Increasing times: the stream's order is the order the records were written.
      at: new Date(START_MS + Math.floor(((index + random()) / count) * 2 * HOUR_MS)).toISOString(),
      model: pick(['gpt-4o-mini', 'gpt-4o', 'o3']),
      ...(random() < 0.5 ? { requester: pick(['ci', 'bot']) } : {}),
      status,
      ...(status >= 400 ? { errorSource: 'provider' as const, errorMessage: 'overloaded' } : {}),
      inputTokens: Math.floor(random() * 4000),
      outputTokens: Math.floor(random() * 900),
      cacheReadTokens: Math.floor(random() * 2000),
      cacheWriteTokens: Math.floor(random() * 300),
      costPicoUsd: BigInt(Math.floor(random() * 1e9)) * 10_000_019n,
      latencyMs: Math.floor(random() * 20_000),
    });
    const retention = { expiresAtEpochSeconds: Math.floor(START_MS / 1000) + 30 * 86_400 };
    expect(await usage.append(record, retention)).toBe('appended');
    stored.push({ record, ...retention });
  }
  return stored;
}

/**
 * The stream of the traffic's inserts, in write order, built from the items as stored (wire
 * attribute values, exactly a NEW_IMAGE), with a rollup MODIFY and a marker INSERT mixed in:
 * the event source's filter drops those in AWS, and the handler ignores them regardless.
 */
async function streamOf(stored: readonly StoredUsageRecord[]): Promise<DynamoDBRecord[]> {
  const images = new Map<string, Record<string, AttributeValue>>();
  for (const accountId of accounts) {
    const page = await fixture.client.send(
      new QueryCommand({
        TableName: fixture.tableNames.usage,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `ACCOUNT#${accountId}` } },
      }),
    );
    for (const item of page.Items ?? []) images.set(String(item.requestId?.S), item);
  }
  const records = stored.map(({ record }, index) => {
    const image = images.get(record.requestId);
    if (image === undefined) throw new Error(`no stored item for ${record.requestId}`);
    return streamRecord(image, sequenceNumber(2 * index + 1));
  });
  const rollupImage = {
    pk: { S: `ROLLUP#${accounts[0]}` },
    sk: { S: 'H#x' },
    requests: { N: '1' },
  };
  const markerImage = { pk: { S: 'DIRTY#2026-05-04T10:00:00.000Z#3' }, sk: { S: 'acct' } };
  records.splice(3, 0, streamRecord(rollupImage, sequenceNumber(6), 'MODIFY'));
  records.splice(7, 0, streamRecord(markerImage, sequenceNumber(14)));
  return records;
}

/**
 * Hourly and daily totals per account: from the store, and hand-summed from the raw records
 * (never through the production fold, so a fold that drops a field fails here).
 */
async function totals(stored: readonly StoredUsageRecord[]) {
  const rollups = rollupStore();
  const fromStore: Record<string, UsageTotals> = {};
  const fromRaw: Record<string, UsageTotals> = {};
  for (const accountId of accounts) {
    const own = stored.filter((s) => s.record.accountId === accountId).map((s) => s.record);
    for (const granularity of ['hour', 'day'] as const) {
      const key = `${accountId}/${granularity}`;
      const { sealed: _sealed, ...counts } = totalsOfRollups(
        await rollups.query(accountId, granularity, START_MS - DAY_MS, START_MS + DAY_MS),
      );
      fromStore[key] = counts;
      fromRaw[key] = totalsOfRecords(own);
    }
  }
  return { fromStore, fromRaw };
}

async function sealAll() {
  clock.set(START_MS + 3 * HOUR_MS);
  await sealRollups({ rollups: rollupStore(), clock, logger: SILENT_LOGGER });
}

async function errorCopies(): Promise<number> {
  let count = 0;
  for (const accountId of accounts) {
    const copies = await rollupStore().recentErrors(
      accountId,
      START_MS - DAY_MS,
      START_MS + DAY_MS,
      () => true,
      1000,
    );
    count += copies.length;
  }
  return count;
}

describe('usageRecordFromStreamImage', () => {
  it('reads back the record the store wrote (cost beyond 2^53 exact), and nothing else', async () => {
    const big = usageRecord({
      accountId: accounts[0],
      requestId: `req-big-${run}`,
      requester: 'ci',
      status: 502,
      errorSource: 'metrion',
      errorMessage: 'upstream failed',
      costPicoUsd: 9_007_199_254_740_993_123n,
      streamed: true,
      timeToFirstTokenMs: 42,
    });
    await new DynamoUsageStore({
      client: fixture.documentClient,
      tableName: fixture.tableNames.usage,
    }).append(big, { expiresAtEpochSeconds: 1_900_000_000 });
    const [record] = await streamOf([{ record: big, expiresAtEpochSeconds: 1_900_000_000 }]);
    const image = record?.dynamodb?.NewImage ?? {};

    expect(usageRecordFromStreamImage(image)).toEqual({
      record: big,
      expiresAtEpochSeconds: 1_900_000_000,
    });
    expect(usageRecordFromStreamImage({ ...image, sk: { S: 'H#2026' } })).toBeUndefined();
    expect(usageRecordFromStreamImage({ pk: { S: 'ERRORS#a' }, sk: { S: 'REQ#x' } })).toBe(
      undefined,
    );
  });
});

describe('aggregate-usage handler on stream images', () => {
  it('folds a clean batch into the rollups, equal to the raw records before any seal', async () => {
    const stored = await appendTraffic(40);
    const response = await handlerWith()(streamEvent(await streamOf(stored)));
    expect(response).toEqual({ batchItemFailures: [] });
    const { fromStore, fromRaw } = await totals(stored);
    expect(fromStore).toEqual(fromRaw);
    expect(await errorCopies()).toBe(stored.filter((s) => s.record.status >= 400).length);
  });

  it('reports the first record of a throttled ADD; the retry from it and the seal make every total exact', async () => {
    // Arrange: every ADD into an `o3` item is throttled on the first delivery.
    const stored = await appendTraffic(60);
    const records = await streamOf(stored);
    const throttleO3 = (call: DynamoCall): Fault =>
      call.command === 'UpdateItemCommand' && call.sk.includes('|o3|') ? 'throttle' : undefined;

    // Act: the first delivery, then Lambda's retry from the reported sequence number.
    const first = await handlerWith(throttleO3)(streamEvent(records));
    const [failure] = first.batchItemFailures;
    const from = records.findIndex((r) => r.dynamodb?.SequenceNumber === failure?.itemIdentifier);
    const retry = await handlerWith()(streamEvent(records.slice(from)));

    // Assert: it names the first o3 record; the retry is clean; live totals overcount (ADDs of
    // records after it landed twice) until the seal makes them exact.
    const firstO3 = stored.findIndex((s) => s.record.model === 'o3');
    expect(first.batchItemFailures).toHaveLength(1);
    expect(records[from]?.dynamodb?.NewImage?.requestId?.S).toBe(stored[firstO3]?.record.requestId);
    expect(retry).toEqual({ batchItemFailures: [] });
    const live = await totals(stored);
    expect(live.fromStore).not.toEqual(live.fromRaw);
    await sealAll();
    const sealed = await totals(stored);
    expect(sealed.fromStore).toEqual(sealed.fromRaw);
    expect(await errorCopies()).toBe(stored.filter((s) => s.record.status >= 400).length);
  });

  it('redelivers a batch whose run died mid-way; after the seal nothing is lost or doubled', async () => {
    // Arrange: the run hangs from its 5th ADD on (frozen, then killed by its timeout).
    const stored = await appendTraffic(50);
    const records = await streamOf(stored);
    let adds = 0;
    const dies = (call: DynamoCall): Fault => {
      if (call.command !== 'UpdateItemCommand') return undefined;
      adds += 1;
      return adds > 4 ? 'hang' : undefined;
    };

    // Act: the dead run never answers; Lambda delivers the whole batch again.
    const dead = handlerWith(dies)(streamEvent(records));
    const outcome = await Promise.race([
      dead.then(() => 'answered'),
      new Promise((resolve) => setTimeout(() => resolve('still running'), 500)),
    ]);
    const again = await handlerWith()(streamEvent(records));

    // Assert
    expect(outcome).toBe('still running');
    expect(adds).toBeGreaterThan(4);
    expect(again).toEqual({ batchItemFailures: [] });
    const live = await totals(stored);
    expect(live.fromStore).not.toEqual(live.fromRaw);
    await sealAll();
    const sealed = await totals(stored);
    expect(sealed.fromStore).toEqual(sealed.fromRaw);
    for (const [key, counts] of Object.entries(sealed.fromStore)) {
      expect(counts.requests, key).toBe(
        stored.filter((s) => s.record.accountId === key.split('/')[0]).length,
      );
    }
  });
});
