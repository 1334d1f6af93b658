import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileKey } from '#adapters/dynamodb/account-items.ts';
import { documentClientFrom } from '#adapters/dynamodb/document-client.ts';
import { DynamoMetrionKeyStore } from '#adapters/dynamodb/dynamo-metrion-key-store.ts';
import { MetrionError } from '#core/errors.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { testAccount, UNOPENED_SEALED_SECRET } from '../fixtures/account.ts';
import {
  dynamoAccountPorts,
  expectMetrionError,
  inMemoryAccountPorts,
  newAccount,
  newMetrionKey,
} from '../fixtures/account-stores.ts';
import { proxyViewOf } from '../fixtures/admission.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { metrionKeyStoreContract } from './metrion-key-store.contract.ts';

const ACCOUNT = testAccount('acct-1');
const SEALED = UNOPENED_SEALED_SECRET;

describe('InMemoryAccountStore as MetrionKeyStore', () => {
  metrionKeyStoreContract(() => inMemoryAccountPorts());
});

describe('DynamoMetrionKeyStore on dynalite', () => {
  let fixture: DynaliteFixture;
  let table: { client: DynaliteFixture['documentClient']; tableName: string };
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
    table = { client: fixture.documentClient, tableName: fixture.tableNames.accounts };
  });
  afterAll(async () => {
    await fixture.close();
  });

  metrionKeyStoreContract(() => dynamoAccountPorts(table));

  it('frees a crashed replacement’s lease once 10 s have passed on the injected clock', async () => {
    // Arrange: a replacement took the lease 9.9 s ago (on the clock) and never finished
    const clock = new FakeClock();
    const ports = dynamoAccountPorts(table, clock);
    const account = newAccount();
    const current = newMetrionKey();
    await ports.accounts.createAccount(account, current);
    const leaseUntilMs = clock.nowMs() + 10_000;
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: profileKey(account.accountId),
        UpdateExpression: 'SET keyLeaseToken = :token, keyLeaseUntilMs = :until',
        ExpressionAttributeValues: { ':token': 'crashed', ':until': leaseUntilMs },
      }),
    );
    clock.advance(9_900);

    // Act: one replacement waits the lease out, the next one takes it
    const waited = ports.metrionKeys.replaceMetrionKey(account.accountId, newMetrionKey());
    await expectMetrionError(waited, 'metrion_key_conflict');
    const waitedUntilMs = clock.nowMs();
    const next = newMetrionKey();
    await ports.metrionKeys.replaceMetrionKey(account.accountId, next);

    // Assert
    expect(waitedUntilMs).toBeGreaterThan(leaseUntilMs);
    expect(waitedUntilMs).toBeLessThan(leaseUntilMs + 1_000);
    expect((await proxyViewOf(ports.admission, current.digest))?.account).toBeUndefined();
    expect((await proxyViewOf(ports.admission, next.digest))?.account.accountId).toBe(
      account.accountId,
    );
  });
});

describe('DynamoMetrionKeyStore with injected DynamoDB failures', () => {
  const documentClient = documentClientFrom(
    new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
  const mock = mockClient(documentClient);
  const store = new DynamoMetrionKeyStore({
    client: documentClient,
    tableName: 'metrion-test-accounts',
  });
  const profileItem = {
    pk: 'ACCOUNT#acct-1',
    sk: 'PROFILE',
    ...ACCOUNT,
    metrionKeyDigest: 'd',
    metrionKeySealed: SEALED,
  };

  afterAll(() => {
    mock.restore();
  });

  it('rejects a key replacement that lost a race, without writing its lookup item', async () => {
    // Arrange: the profile's digest changed between our read and our conditional update
    mock.reset();
    mock.on(GetCommand).resolves({ Item: profileItem });
    mock.on(DeleteCommand).resolves({});
    // The replacement lease is taken and released; only the digest swap loses.
    mock.on(UpdateCommand).resolves({});
    mock.on(UpdateCommand, { ConditionExpression: 'metrionKeyDigest = :previous' }).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
      }),
    );
    mock.on(PutCommand).resolves({});

    // Act
    const error = await store
      .replaceMetrionKey('acct-1', { digest: 'next', sealed: SEALED })
      .catch((caught: unknown) => caught);

    // Assert
    expect(error).toBeInstanceOf(MetrionError);
    expect((error as MetrionError).code).toBe('metrion_key_conflict');
    const update = mock
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input)
      .find((input) => input.UpdateExpression?.includes('metrionKeyDigest'));
    expect(update?.ConditionExpression).toBe('metrionKeyDigest = :previous');
    expect(update?.ExpressionAttributeValues?.[':previous']).toBe('d');
    expect(mock.commandCalls(PutCommand)).toHaveLength(0);
  });
});
