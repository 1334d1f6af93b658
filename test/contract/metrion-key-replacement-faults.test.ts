// A key replacement interrupted between deleting the old lookup item and writing the new one,
// on dynalite with the fault injected at that step: the replacement reports the failure, no key
// is left half-working, the lease is given back, and a retry completes the replacement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoMetrionKeyStore } from '#adapters/dynamodb/dynamo-metrion-key-store.ts';
import { dynamoAccountPorts, newAccount, newMetrionKey } from '../fixtures/account-stores.ts';
import { proxyViewOf } from '../fixtures/admission.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { type DynamoCall, faultyDocumentClient } from '../fixtures/dynamodb-faults.ts';

let fixture: DynaliteFixture;
beforeAll(async () => {
  fixture = await startDynaliteFixture();
});
afterAll(async () => {
  await fixture.close();
});

/** The writes after the old lookup item's delete: the profile's digest swap, the new lookup's put. */
const STEPS: readonly { name: string; step: (call: DynamoCall) => boolean }[] = [
  {
    name: 'the digest swap on the profile',
    step: (call) => call.command === 'UpdateItemCommand' && call.sk === 'PROFILE',
  },
  {
    name: 'the new lookup item put',
    step: (call) => call.command === 'PutItemCommand' && call.sk === 'LOOKUP',
  },
];

describe('a key replacement interrupted after the old lookup item was deleted', () => {
  it.each(STEPS)(
    'fails at $name, leaves no usable half, and a retry completes',
    async ({ step }) => {
      // Arrange
      const table = { client: fixture.documentClient, tableName: fixture.tableNames.accounts };
      const ports = dynamoAccountPorts(table);
      const account = newAccount();
      const old = newMetrionKey();
      await ports.accounts.createAccount(account, old);
      // Only the first such write after the delete fails (the lease release after it must land).
      let deleted = false;
      let failed = false;
      const faulty = faultyDocumentClient(fixture.endpoint, (call) => {
        if (call.command === 'DeleteItemCommand' && call.sk === 'LOOKUP') deleted = true;
        if (!deleted || failed || !step(call)) return undefined;
        failed = true;
        return 'throttle';
      });
      const interrupted = new DynamoMetrionKeyStore({ client: faulty, tableName: table.tableName });

      // Act
      const failure = await interrupted.replaceMetrionKey(account.accountId, newMetrionKey()).then(
        () => undefined,
        (error: unknown) => error,
      );
      const oldAfterFailure = await proxyViewOf(ports.admission, old.digest);
      const next = newMetrionKey();
      await ports.metrionKeys.replaceMetrionKey(account.accountId, next);

      // Assert
      expect(failed).toBe(true);
      expect(failure).toBeInstanceOf(Error);
      expect(oldAfterFailure?.account).toBeUndefined();
      expect(await ports.metrionKeys.getMetrionKey(account.accountId)).toEqual(next);
      expect((await proxyViewOf(ports.admission, next.digest))?.account.accountId).toBe(
        account.accountId,
      );
    },
  );
});
