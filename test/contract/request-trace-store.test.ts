import { randomBytes } from 'node:crypto';
import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRequestTraceStore } from '#adapters/dynamodb/dynamo-request-trace-store.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { USAGE_BY_REQUEST_ID_INDEX } from '#adapters/dynamodb/table-definitions.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { ensureTables } from '#local/stand-ins.ts';
import { InMemoryRequestTraceStore } from '../fakes/in-memory-request-trace-store.ts';
import { InMemoryUsageStore } from '../fakes/in-memory-usage-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { requestTraceStoreContract } from './request-trace-store.contract.ts';

describe('InMemoryRequestTraceStore', () => {
  requestTraceStoreContract(async () => {
    const usage = new InMemoryUsageStore();
    return { traces: new InMemoryRequestTraceStore({ usage }), usage };
  });
});

describe('DynamoRequestTraceStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  /** Tables of their own per test: the sweep cursor is one item per table. */
  async function freshStores() {
    const tables = await ensureTables(fixture.client, `trace-${randomBytes(4).toString('hex')}`);
    const options = { client: fixture.documentClient, tableName: tables.usage };
    return {
      tableName: tables.usage,
      traces: new DynamoRequestTraceStore(options),
      usage: new DynamoUsageStore(options),
    };
  }

  requestTraceStoreContract(freshStores);

  it('keeps a trace out of the records: its own partition, no request-id index entry, a 7-day TTL', async () => {
    // Arrange
    const stores = await freshStores();
    const record: UsageRecord = {
      requestId: 'req-trace-layout',
      accountId: 'acct-layout',
      at: '2026-12-01T10:00:00.000Z',
      provider: 'openai',
      model: 'gpt-4o-mini',
      status: 502,
      inputTokens: 6,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      totalTokens: 6,
      costPicoUsd: 900_000n,
      priceVersion: 'test',
      latencyMs: 0,
      streamed: false,
      cached: false,
      mode: 'stored',
      estimated: true,
      interrupted: true,
    };

    // Act
    await stores.traces.put({ record, retention: { expiresAtEpochSeconds: 4_102_444_800 } });

    // Assert: found under TRACE#<shard> with sk <at>#<id>; nothing in the record's partition or index
    const byIndex = await fixture.client.send(
      new QueryCommand({
        TableName: stores.tableName,
        IndexName: USAGE_BY_REQUEST_ID_INDEX,
        KeyConditionExpression: 'requestId = :id',
        ExpressionAttributeValues: { ':id': { S: record.requestId } },
      }),
    );
    const asRecord = await fixture.client.send(
      new GetItemCommand({
        TableName: stores.tableName,
        Key: {
          pk: { S: 'ACCOUNT#acct-layout' },
          sk: { S: `REQ#${record.at}#${record.requestId}` },
        },
      }),
    );
    const shards = await Promise.all(
      Array.from({ length: 16 }, (_, shard) =>
        fixture.client.send(
          new GetItemCommand({
            TableName: stores.tableName,
            Key: {
              pk: { S: `TRACE#${String(shard).padStart(2, '0')}` },
              sk: { S: `${record.at}#${record.requestId}` },
            },
          }),
        ),
      ),
    );
    const items = shards.flatMap((output) => (output.Item ? [output.Item] : []));
    expect(byIndex.Items).toEqual([]);
    expect(asRecord.Item).toBeUndefined();
    expect(items).toHaveLength(1);
    expect(items[0]?.requestId).toBeUndefined();
    // 2026-12-01T10:00Z + 7 days = 2026-12-08T10:00Z.
    expect(items[0]?.expiresAtEpochSeconds).toEqual({
      N: String(Date.parse('2026-12-08T10:00:00.000Z') / 1000),
    });
  });
});
