import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { documentClientFrom } from '#adapters/dynamodb/document-client.ts';
import { DynamoCounterStore } from '#adapters/dynamodb/dynamo-counter-store.ts';
import { PLAN_LIMITS } from '#core/billing/plans.ts';
import { type LimitReachedError, ServiceUnavailableError } from '#core/errors.ts';
import { enforceRequestLimits } from '#core/limits/request-limits.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
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

  it('gives enforceRequestLimits fresh windows across the minute and month boundaries', async () => {
    // Arrange: shortly before the end of November (UTC), small limits
    const clock = new FakeClock({ startMs: Date.parse('2026-11-30T23:58:30.000Z') });
    const deps = {
      counters: new DynamoCounterStore({
        client: fixture.documentClient,
        tableName: fixture.tableNames.counters,
      }),
      clock,
      logger: { info: () => {}, warn: () => {}, error: () => {} },
      planLimits: {
        free: { ...PLAN_LIMITS.free, requestsPerMinutePerKey: 2, monthlyRequests: 3 },
        pro: { ...PLAN_LIMITS.pro, requestsPerMinutePerKey: 2 },
      },
    };
    const caller = { accountId: `acct-${randomUUID()}`, plan: 'free' as const, keyDigest: 'd' };
    const check = () =>
      enforceRequestLimits(deps, caller).then(
        () => 'ok',
        (error: LimitReachedError) => `retry in ${error.retryAfterSeconds} s`,
      );

    // Act + Assert: the minute fills, the next minute opens, the month fills, the 1st resets all
    expect([await check(), await check(), await check()]).toEqual(['ok', 'ok', 'retry in 30 s']);
    clock.set(Date.parse('2026-11-30T23:59:59.000Z'));
    expect([await check(), await check()]).toEqual(['ok', 'retry in 1 s']);
    clock.set(Date.parse('2026-11-30T23:59:59.500Z'));
    expect(await check()).toBe('retry in 1 s');
    clock.set(Date.parse('2026-12-01T00:00:00.000Z'));
    expect([await check(), await check(), await check()]).toEqual(['ok', 'ok', 'retry in 60 s']);
  });
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

  it('answers false when the condition fails, and a ServiceUnavailableError on other failures', async () => {
    mock
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'full', $metadata: {} }))
      .rejectsOnce(new Error('socket hang up'));

    expect(await store.incrementIfBelow('k', 1, 1)).toBe(false);
    await expect(store.incrementIfBelow('k', 1, 1)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});
