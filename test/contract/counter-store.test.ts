import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { documentClientFrom } from '#adapters/dynamodb/document-client.ts';
import { DynamoCounterStore } from '#adapters/dynamodb/dynamo-counter-store.ts';
import { DynamoUnavailableError } from '#adapters/dynamodb/dynamo-errors.ts';
import { InMemoryCounterStore } from '../fakes/in-memory-counter-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { counterStoreContract } from './counter-store.contract.ts';

describe('InMemoryCounterStore', () => {
  counterStoreContract(() => new InMemoryCounterStore());
});

describe('DynamoCounterStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  counterStoreContract(
    () =>
      new DynamoCounterStore({
        client: fixture.documentClient,
        tableName: fixture.tableNames.counters,
      }),
  );
});

describe('DynamoCounterStore requests', () => {
  const documentClient = documentClientFrom(
    new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
  const mock = mockClient(documentClient);
  const store = new DynamoCounterStore({ client: documentClient, tableName: 'metrion-test' });

  beforeEach(() => {
    mock.reset();
  });
  afterAll(() => {
    mock.restore();
  });

  it('counts with one conditional UpdateItem ADD and a TTL', async () => {
    mock.on(UpdateCommand).resolves({});

    expect(await store.incrementIfBelow('RPM#abc#2026-11-24T12:00', 100, 1_800_000_000)).toBe(true);

    const calls = mock.commandCalls(UpdateCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({
      Key: { pk: 'RPM#abc#2026-11-24T12:00' },
      UpdateExpression: 'ADD #count :one SET #expires = :expires',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
      ExpressionAttributeValues: { ':one': 1, ':limit': 100, ':expires': 1_800_000_000 },
    });
  });

  it('answers false when the condition fails, and a DynamoUnavailableError on other failures', async () => {
    mock
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'full', $metadata: {} }))
      .rejectsOnce(new Error('socket hang up'));

    expect(await store.incrementIfBelow('k', 1, 1)).toBe(false);
    await expect(store.incrementIfBelow('k', 1, 1)).rejects.toBeInstanceOf(DynamoUnavailableError);
  });
});
