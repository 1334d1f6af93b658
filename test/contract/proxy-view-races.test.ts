// The proxy's view on the Metrion Key lookup item against racing writers, on dynalite: every
// writer refreshes the view, a refresh that read the truth earlier may land its write later, and
// a refresh may fail after the truth changed. The view must never go back to an older truth
// (a deleted provider key served again), and a failed refresh must never be reported as done.
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '#core/errors.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import { testAccount, UNOPENED_SEALED_SECRET } from '../fixtures/account.ts';
import { type AccountPorts, dynamoAccountPorts } from '../fixtures/account-stores.ts';
import { currentKeyDigest, proxyViewOf } from '../fixtures/admission.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { type DynamoCall, type Fault, faultyDocumentClient } from '../fixtures/dynamodb-faults.ts';

let fixture: DynaliteFixture;
let tableName: string;
beforeAll(async () => {
  fixture = await startDynaliteFixture();
  tableName = fixture.tableNames.accounts;
});
afterAll(async () => {
  await fixture.close();
});

const CREATED_AT = '2026-12-01T10:00:00.000Z';

function storesOn(client: DynamoDBDocumentClient): AccountPorts {
  return dynamoAccountPorts({ client, tableName });
}

/** A view write of `proxy-view.ts`: the one UpdateItem on a lookup item that sets `account`. */
const isViewWrite = (command: string, input: Record<string, unknown>) =>
  command === 'UpdateItemCommand' &&
  String(input.UpdateExpression ?? '').startsWith('SET account = :account');

/**
 * A client whose first view write waits at the gate until `release()`: the refresh that made it
 * read the truth before anything that happens while it waits. `reached` resolves once it waits.
 */
function gatedClient() {
  let open: () => void = () => undefined;
  let reach: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    open = resolve;
  });
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  let held = false;
  const client = faultyDocumentClient(fixture.endpoint, () => undefined);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (
        !held &&
        isViewWrite(String(context.commandName), args.input as Record<string, unknown>)
      ) {
        held = true;
        reach();
        await released;
      }
      return next(args);
    },
    { step: 'initialize', name: 'holdFirstViewWrite' },
  );
  return { client, reached, release: () => open() };
}

async function accountWithKeys(providers: readonly ProviderId[]) {
  const accountId = `acct-${randomUUID()}`;
  const { accounts, providerKeys } = storesOn(fixture.documentClient);
  await accounts.createAccount(testAccount(accountId), {
    digest: `digest-${accountId}`,
    sealed: UNOPENED_SEALED_SECRET,
  });
  for (const provider of providers) {
    await providerKeys.putProviderKey({
      accountId,
      provider,
      sealed: UNOPENED_SEALED_SECRET,
      createdAt: CREATED_AT,
    });
  }
  return accountId;
}

/** The providers whose keys the proxy would use now, and the account it would act for. */
async function proxySees(accountId: string, providers: readonly ProviderId[]) {
  const { admission } = storesOn(fixture.documentClient);
  const digest = await currentKeyDigest({ client: fixture.documentClient, tableName }, accountId);
  const usable: ProviderId[] = [];
  let account: unknown;
  for (const provider of providers) {
    const caller = await proxyViewOf(admission, digest, provider);
    account = caller?.account;
    if (caller?.providerKey !== undefined) usable.push(provider);
  }
  return { usable, account };
}

type Stores = AccountPorts;

/** Every write that refreshes the view, each with what it changes. */
const WRITERS: readonly {
  name: string;
  write: (stores: Stores, accountId: string) => Promise<unknown>;
}[] = [
  {
    name: 'updateProfile',
    write: ({ accounts }, accountId) => accounts.updateProfile(accountId, { currency: 'EUR' }),
  },
  {
    name: 'putProviderKey',
    write: ({ providerKeys }, accountId) =>
      providerKeys.putProviderKey({
        accountId,
        provider: 'gemini',
        sealed: UNOPENED_SEALED_SECRET,
        createdAt: CREATED_AT,
      }),
  },
  {
    name: 'deleteProviderKey',
    write: ({ providerKeys }, accountId) => providerKeys.deleteProviderKey(accountId, 'anthropic'),
  },
  {
    name: 'replaceMetrionKey',
    write: ({ metrionKeys }, accountId) =>
      metrionKeys.replaceMetrionKey(accountId, {
        digest: `next-${accountId}`,
        sealed: UNOPENED_SEALED_SECRET,
      }),
  },
  {
    name: 'setStripeCustomerId',
    write: ({ billing }, accountId) => billing.setStripeCustomerId(accountId, `cus_${accountId}`),
  },
  {
    name: 'saveBillingState',
    write: async ({ billing }, accountId) => {
      const record = await billing.getBillingRecord(accountId);
      if (record === undefined) throw new Error('no billing record');
      return billing.saveBillingState(
        accountId,
        { billing: { ...record.billing, stripeCustomerId: 'cus_saved' }, plan: record.plan },
        record.version,
      );
    },
  },
];

describe('racing view refreshes on DynamoDB', () => {
  for (const { name, write } of WRITERS) {
    it(`a ${name} refresh that lands after a newer one never brings back a deleted key`, async () => {
      // Arrange: the writer's refresh reads the truth (openai key present), then waits
      const providers: ProviderId[] = ['openai', 'anthropic'];
      const accountId = await accountWithKeys(providers);
      const gate = gatedClient();
      const slow = write(storesOn(gate.client), accountId);
      await gate.reached;

      // Act: meanwhile the openai key is deleted (its refresh is newer), then the slow write lands
      await storesOn(fixture.documentClient).providerKeys.deleteProviderKey(accountId, 'openai');
      gate.release();
      await slow;

      // Assert: the proxy sees the truth as it is now, not as the slow refresh read it
      const seen = await proxySees(accountId, ['openai', 'anthropic', 'gemini']);
      const truth = await storesOn(fixture.documentClient).providerKeys.listProviderKeys(accountId);
      expect(seen.usable).not.toContain('openai');
      expect(seen.usable).toEqual(truth.map((key) => key.provider));
      expect(seen.account).toEqual(
        await storesOn(fixture.documentClient).accounts.getAccount(accountId),
      );
    });
  }
});

describe('a provider-key delete whose view refresh fails', () => {
  /** Fails every view write (a throttled or unreachable table right after the delete). */
  function failingViewWrites(): { client: DynamoDBDocumentClient; calls: DynamoCall[] } {
    const calls: DynamoCall[] = [];
    const fail = (call: DynamoCall): Fault =>
      call.command === 'UpdateItemCommand' && call.sk === 'LOOKUP' ? 'throttle' : undefined;
    return { client: faultyDocumentClient(fixture.endpoint, fail, calls), calls };
  }

  it('is not reported as done while the proxy can still use the key, and a retry completes it', async () => {
    // Arrange
    const accountId = await accountWithKeys(['openai']);
    const { client, calls } = failingViewWrites();

    // Act
    const failed = await storesOn(client)
      .providerKeys.deleteProviderKey(accountId, 'openai')
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const usableAfterFailure = (await proxySees(accountId, ['openai'])).usable;
    const retried = await storesOn(fixture.documentClient).providerKeys.deleteProviderKey(
      accountId,
      'openai',
    );

    // Assert: the fault hit the view write; the delete reported it, and the retry closed the view
    expect(calls.some((call) => call.command === 'UpdateItemCommand' && call.sk === 'LOOKUP')).toBe(
      true,
    );
    expect(failed).toBeInstanceOf(ServiceUnavailableError);
    expect(usableAfterFailure).toEqual(['openai']);
    expect(retried).toBe(false);
    expect((await proxySees(accountId, ['openai'])).usable).toEqual([]);
    expect(await storesOn(fixture.documentClient).providerKeys.listProviderKeys(accountId)).toEqual(
      [],
    );
  });
});
