import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, InternalServerError } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClientFrom } from '#adapters/dynamodb/document-client.ts';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoProxyAdmission } from '#adapters/dynamodb/dynamo-proxy-admission.ts';
import type { Account } from '#core/accounts/account.ts';
import { ServiceUnavailableError } from '#core/errors.ts';
import { ensureTables, startDynalite } from '#local/stand-ins.ts';
import { dynamoAccountPorts, inMemoryAccountPorts } from '../fixtures/account-stores.ts';
import { proxyViewOf } from '../fixtures/admission.ts';
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
  accountStoreContract(() => inMemoryAccountPorts());
});

describe('DynamoAccountStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  accountStoreContract(() =>
    dynamoAccountPorts({ client: fixture.documentClient, tableName: fixture.tableNames.accounts }),
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
      const table = { client: documentClientFrom(client), tableName: names.accounts };
      const store = new DynamoAccountStore(table);
      const admission = new DynamoProxyAdmission(table);
      const close = async () => {
        client.destroy();
        await dynalite.close();
      };
      return { store, admission, close };
    };
    try {
      const first = await open();
      await first.store.createAccount(ACCOUNT, { digest: 'digest-1', sealed: SEALED });
      await first.close();

      // Act
      const second = await open();
      const account = await second.store.getAccount(ACCOUNT.accountId);
      const owner = (await proxyViewOf(second.admission, 'digest-1'))?.account.accountId;
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

  afterAll(() => {
    mock.restore();
  });

  it('surfaces a DynamoDB InternalServerError as ServiceUnavailableError with a safe message', async () => {
    mock.reset();
    mock.on(GetCommand).rejects(new InternalServerError({ message: 'boom inside', $metadata: {} }));

    const error = await store.getAccount('secret-digest').catch((caught: unknown) => caught);

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
});
