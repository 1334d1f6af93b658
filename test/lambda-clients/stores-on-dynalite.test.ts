// The DynamoDB adapters of the functions that bundle it (the proxy, the secret migrator) on dynalite over the signed JSON client its bundle ships in place
// of the AWS SDK (this project resolves the SDK packages to `functions/lambda/lean-aws/` for
// Lambda code): the same contract suites the SDK-backed adapters pass in `test/contract`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '#adapters/dynamodb/document-client.ts';
import { DynamoAccountDataKeyStore } from '#adapters/dynamodb/dynamo-account-data-key-store.ts';
import { DynamoResponseCacheStore } from '#adapters/dynamodb/dynamo-response-cache-store.ts';
import { DynamoSealedSecretStore } from '#adapters/dynamodb/dynamo-sealed-secret-store.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { DynamoDBDocumentClient } from '#lambda/lean-aws/lib-dynamodb.ts';
import { accountDataKeyStoreContract } from '../contract/account-data-key-store.contract.ts';
import { proxyAdmissionContract } from '../contract/proxy-admission.contract.ts';
import { responseCacheStoreContract } from '../contract/response-cache-store.contract.ts';
import { sealedSecretStoreContract } from '../contract/sealed-secret-store.contract.ts';
import { usageStoreContract } from '../contract/usage-store.contract.ts';
import { dynamoAccountPorts } from '../fixtures/account-stores.ts';
import { setDynamoWindowCount } from '../fixtures/admission.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';

describe('the lean functions’ adapters over the signed JSON client, on dynalite', () => {
  let dynalite: DynaliteFixture;
  // Built by the adapters' own factory, which this project resolves to the signed JSON client
  // (the fixture's own client is the SDK's: it also creates the tables).
  let fixture: Pick<DynaliteFixture, 'documentClient' | 'tableNames'>;
  beforeAll(async () => {
    dynalite = await startDynaliteFixture();
    fixture = {
      documentClient: createDocumentClient({
        endpoint: dynalite.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      tableNames: dynalite.tableNames,
    };
  });
  afterAll(async () => {
    fixture.documentClient.destroy();
    await dynalite.close();
  });

  it('really runs on the signed JSON client, not the AWS SDK', () => {
    expect(fixture.documentClient).toBeInstanceOf(DynamoDBDocumentClient);
    expect(fixture.documentClient).not.toHaveProperty('middlewareStack');
  });

  describe('DynamoProxyAdmission', () => {
    proxyAdmissionContract(() => {
      const table = { client: fixture.documentClient, tableName: fixture.tableNames.accounts };
      return {
        ...dynamoAccountPorts(table),
        setWindowCount: (digest, counter, count) =>
          setDynamoWindowCount(table, digest, counter, count),
      };
    });
  });

  describe('DynamoUsageStore', () => {
    usageStoreContract(
      (clock) =>
        new DynamoUsageStore({
          client: fixture.documentClient,
          tableName: fixture.tableNames.usage,
          clock,
        }),
    );
  });

  describe('DynamoResponseCacheStore', () => {
    responseCacheStoreContract(
      () =>
        new DynamoResponseCacheStore({
          client: fixture.documentClient,
          tableName: fixture.tableNames.responseCache,
        }),
    );
  });

  describe('DynamoSealedSecretStore', () => {
    sealedSecretStoreContract(() => {
      const table = { client: fixture.documentClient, tableName: fixture.tableNames.accounts };
      return {
        ...dynamoAccountPorts(table),
        secrets: new DynamoSealedSecretStore({ ...table, scanPageSize: 3 }),
      };
    });
  });

  describe('DynamoAccountDataKeyStore', () => {
    accountDataKeyStoreContract(
      () =>
        new DynamoAccountDataKeyStore({
          client: fixture.documentClient,
          tableName: fixture.tableNames.accounts,
        }),
    );
  });
});
