import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  InternalServerError,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClientFrom } from '#adapters/dynamodb/document-client.ts';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import type { Account } from '#core/accounts/account.ts';
import { MetrionError, ServiceUnavailableError } from '#core/errors.ts';
import { ensureTables, startDynalite } from '#local/stand-ins.ts';
import { InMemoryAccountStore } from '../fakes/in-memory-account-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { accountStoreContract } from './account-store.contract.ts';

const TABLE = 'metrion-test-accounts';
const ACCOUNT: Account = {
  accountId: 'acct-1',
  email: 'ada@example.com',
  displayName: 'Ada',
  currency: 'USD',
  plan: 'free',
  createdAt: '2026-11-24T10:00:00.000Z',
};
const SEALED = {
  version: 1,
  encryptedDataKey: 'a2V5',
  iv: 'aXY=',
  ciphertext: 'Y3Q=',
  authTag: 'dGFn',
} as const;

describe('InMemoryAccountStore', () => {
  accountStoreContract(() => new InMemoryAccountStore());
});

describe('DynamoAccountStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  accountStoreContract(
    () =>
      new DynamoAccountStore({
        client: fixture.documentClient,
        tableName: fixture.tableNames.accounts,
      }),
  );
});

describe('DynamoAccountStore on dynalite with a data dir', () => {
  it('keeps accounts across a restart, and ensureTables skips existing tables', async () => {
    // Arrange
    const dataDir = await mkdtemp(join(tmpdir(), 'metrion-dynalite-'));
    const open = async () => {
      const dynalite = await startDynalite({ dataDir });
      const client = new DynamoDBClient({
        endpoint: dynalite.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      const names = await ensureTables(client, 'persist');
      const store = new DynamoAccountStore({
        client: documentClientFrom(client),
        tableName: names.accounts,
      });
      const close = async () => {
        client.destroy();
        await dynalite.close();
      };
      return { store, close };
    };
    try {
      const first = await open();
      await first.store.createAccount(ACCOUNT, { digest: 'digest-1', sealed: SEALED });
      await first.close();

      // Act
      const second = await open();
      const account = await second.store.getAccount(ACCOUNT.accountId);
      const owner = await second.store.findAccountIdByKeyDigest('digest-1');
      await second.close();

      // Assert
      expect(account).toEqual(ACCOUNT);
      expect(owner).toBe(ACCOUNT.accountId);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('DynamoAccountStore with injected DynamoDB failures', () => {
  const documentClient = documentClientFrom(
    new DynamoDBClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    }),
  );
  const mock = mockClient(documentClient);
  const store = new DynamoAccountStore({ client: documentClient, tableName: TABLE });
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

  it('surfaces a DynamoDB InternalServerError as ServiceUnavailableError with a safe message', async () => {
    mock.reset();
    mock.on(GetCommand).rejects(new InternalServerError({ message: 'boom inside', $metadata: {} }));

    const error = await store
      .findAccountIdByKeyDigest('secret-digest')
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).not.toBeInstanceOf(InternalServerError);
    const unavailable = error as ServiceUnavailableError;
    expect(unavailable.operation).toBe('GetItem');
    expect(unavailable.service).toBe('dynamodb');
    expect((unavailable.cause as Error).name).toBe('InternalServerError');
    expect(unavailable.retryable).toBe(true);
    expect(unavailable.message).not.toMatch(/secret-digest|boom|metrion-test/);
    expect(mock.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
  });

  it('rejects a key replacement that lost a race, without writing its lookup item', async () => {
    // Arrange: the profile's digest changed between our read and our conditional update
    mock.reset();
    mock.on(GetCommand).resolves({ Item: profileItem });
    mock.on(DeleteCommand).resolves({});
    mock.on(UpdateCommand).rejects(
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
    const update = mock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.ConditionExpression).toBe('metrionKeyDigest = :previous');
    expect(update?.ExpressionAttributeValues?.[':previous']).toBe('d');
    expect(mock.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('retries unprocessed keys of the proxy-view BatchGetItem', async () => {
    mock.reset();
    mock
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [] },
        UnprocessedKeys: {
          [TABLE]: { Keys: [{ pk: 'ACCOUNT#acct-1', sk: 'PROFILE' }], ConsistentRead: true },
        },
      })
      .resolvesOnce({ Responses: { [TABLE]: [profileItem] } });

    const view = await store.getProxyView('acct-1', 'openai');

    expect(view).toEqual({ account: ACCOUNT, metrionKeyDigest: profileItem.metrionKeyDigest });
    const calls = mock.commandCalls(BatchGetCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input.RequestItems?.[TABLE]?.ConsistentRead).toBe(true);
    expect(calls[0]?.args[0].input.RequestItems?.[TABLE]?.Keys).toHaveLength(2);
    expect(calls[1]?.args[0].input.RequestItems?.[TABLE]?.Keys).toEqual([
      { pk: 'ACCOUNT#acct-1', sk: 'PROFILE' },
    ]);
  });

  it('gives up with ServiceUnavailableError when keys stay unprocessed', async () => {
    mock.reset();
    mock.on(BatchGetCommand).resolves({
      Responses: { [TABLE]: [] },
      UnprocessedKeys: { [TABLE]: { Keys: [{ pk: 'ACCOUNT#acct-1', sk: 'PROFILE' }] } },
    });

    await expect(store.getProxyView('acct-1', 'openai')).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(mock.commandCalls(BatchGetCommand)).toHaveLength(4);
  });
});
