import {
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClientFrom } from '#adapters/dynamodb/document-client.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { ServiceUnavailableError } from '#core/errors.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { InMemoryUsageStore } from '../fakes/in-memory-usage-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { usageStoreContract } from './usage-store.contract.ts';

describe('InMemoryUsageStore', () => {
  usageStoreContract((clock) => new InMemoryUsageStore({ clock }));
});

describe('DynamoUsageStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  usageStoreContract(
    (clock) =>
      new DynamoUsageStore({
        client: fixture.documentClient,
        tableName: fixture.tableNames.usage,
        clock,
      }),
  );

  it('stores the cost as an exact DynamoDB Number and the TTL attribute', async () => {
    const store = new DynamoUsageStore({
      client: fixture.documentClient,
      tableName: fixture.tableNames.usage,
    });
    await store.append(RECORD, { expiresAtEpochSeconds: 4_102_444_800 });

    const raw = await fixture.client.send(
      new GetItemCommand({
        TableName: fixture.tableNames.usage,
        Key: { pk: { S: 'ACCOUNT#acct-raw' }, sk: { S: `REQ#${RECORD.at}#${RECORD.requestId}` } },
      }),
    );

    expect(raw.Item?.costPicoUsd).toEqual({ N: '123456789012345678901' });
    expect(raw.Item?.expiresAtEpochSeconds).toEqual({ N: '4102444800' });
  });
});

const RECORD: UsageRecord = {
  requestId: 'req-1',
  accountId: 'acct-raw',
  at: '2026-11-24T12:00:00.000Z',
  provider: 'openai',
  model: 'gpt-5',
  status: 200,
  inputTokens: 10,
  outputTokens: 5,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  totalTokens: 15,
  costPicoUsd: 123_456_789_012_345_678_901n,
  priceVersion: '2026-11-01',
  latencyMs: 120,
  streamed: false,
  cached: false,
  mode: 'stored',
};

describe('DynamoUsageStore with injected DynamoDB failures', () => {
  const documentClient = documentClientFrom(
    new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
  const mock = mockClient(documentClient);
  const store = new DynamoUsageStore({ client: documentClient, tableName: 'metrion-test-usage' });

  afterAll(() => {
    mock.restore();
  });

  it('surfaces ProvisionedThroughputExceeded on PutItem as a retryable ServiceUnavailableError', async () => {
    mock
      .on(PutCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    const error = await store
      .append(RECORD, { expiresAtEpochSeconds: 1 })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).not.toBeInstanceOf(ProvisionedThroughputExceededException);
    expect((error as ServiceUnavailableError).retryable).toBe(true);
    expect((error as ServiceUnavailableError).operation).toBe('PutItem');
    expect(mock.commandCalls(PutCommand)[0]?.args[0].input.ConditionExpression).toBe(
      'attribute_not_exists(pk)',
    );
  });
});
