import { randomBytes, randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupKey } from '#adapters/dynamodb/account-items.ts';
import { DynamoAccountStore } from '#adapters/dynamodb/dynamo-account-store.ts';
import { DynamoProxyAdmission } from '#adapters/dynamodb/dynamo-proxy-admission.ts';
import { PLAN_LIMITS } from '#core/billing/plans.ts';
import { ServiceUnavailableError } from '#core/errors.ts';
import { admissionRequest, type PlanLimitTable } from '#core/limits/request-limits.ts';
import { InMemoryAccountStore } from '../fakes/in-memory-account-store.ts';
import { testAccount, UNOPENED_SEALED_SECRET } from '../fixtures/account.ts';
import { dynamoAccountPorts, inMemoryAccountPorts } from '../fixtures/account-stores.ts';
import { setDynamoWindowCount } from '../fixtures/admission.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { faultyDocumentClient } from '../fixtures/dynamodb-faults.ts';
import { proxyAdmissionContract } from './proxy-admission.contract.ts';

describe('InMemoryAccountStore as ProxyAdmission', () => {
  proxyAdmissionContract(() => {
    const store = new InMemoryAccountStore();
    return {
      ...inMemoryAccountPorts(store),
      setWindowCount: async (digest, counter, count) =>
        store.setWindowCount(digest, counter, count),
    };
  });
});

describe('DynamoProxyAdmission on dynalite', () => {
  let fixture: DynaliteFixture;
  let table: { client: DynaliteFixture['documentClient']; tableName: string };
  /** Every command the adapters send, by name. */
  const sent: string[] = [];

  beforeAll(async () => {
    fixture = await startDynaliteFixture();
    table = { client: fixture.documentClient, tableName: fixture.tableNames.accounts };
    fixture.documentClient.middlewareStack.add(
      (next, context) => (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
  });
  afterAll(async () => {
    await fixture.close();
  });

  proxyAdmissionContract(() => ({
    ...dynamoAccountPorts(table),
    setWindowCount: (digest, counter, count) => setDynamoWindowCount(table, digest, counter, count),
  }));

  async function createdAccount() {
    const store = new DynamoAccountStore(table);
    const account = testAccount(randomUUID());
    const digest = randomBytes(32).toString('hex');
    await store.createAccount(account, { digest, sealed: UNOPENED_SEALED_SECRET });
    return { store, account, digest };
  }

  const request = (digest: string, nowMs = Date.parse('2026-11-24T12:00:00Z')) =>
    admissionRequest({ keyDigest: digest, provider: 'openai' }, nowMs);

  it('admits with exactly one call: a conditional UpdateItem returning the view', async () => {
    const { digest } = await createdAccount();
    const admission = new DynamoProxyAdmission(table);
    sent.length = 0;

    const answer = await admission.admit(request(digest));

    expect(answer.outcome).toBe('admitted');
    expect(sent).toEqual(['UpdateItemCommand']);
  });

  it('upgrades a lookup item written before views existed, once, then admits in one call', async () => {
    // Arrange: a lookup item as the previous release wrote it (account id only)
    const { account, digest } = await createdAccount();
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...lookupKey(digest), accountId: account.accountId },
      }),
    );
    const admission = new DynamoProxyAdmission(table);

    // Act
    const first = await admission.admit(request(digest));
    sent.length = 0;
    const second = await admission.admit(request(digest));

    // Assert
    expect(first).toEqual({ outcome: 'admitted', caller: { account } });
    expect(second.outcome).toBe('admitted');
    expect(sent).toEqual(['UpdateItemCommand']);
  });

  it('rebuilds a view versioned under the attribute’s earlier name before admitting', async () => {
    // Arrange: the view as releases before the rename stored it, with a stale display name
    const { account, digest } = await createdAccount();
    const stored = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: lookupKey(digest), ConsistentRead: true }),
    );
    const { viewVersion, ...item } = stored.Item ?? {};
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...item,
          projectionVersion: viewVersion,
          account: { ...account, displayName: 'Stale name' },
        },
      }),
    );

    const answer = await new DynamoProxyAdmission(table).admit(request(digest));

    expect(viewVersion).toBe(1);
    expect(answer).toEqual({ outcome: 'admitted', caller: { account } });
  });

  it('never admits a lookup item the profile does not name (a lost regeneration race)', async () => {
    const { account } = await createdAccount();
    const stale = randomBytes(32).toString('hex');
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...lookupKey(stale), accountId: account.accountId },
      }),
    );

    expect(await new DynamoProxyAdmission(table).admit(request(stale))).toEqual({
      outcome: 'unknown-key',
    });
  });

  /** A client of its own that records what it sends and fails every admission write's condition. */
  function conditionNeverHolds() {
    const client = faultyDocumentClient(fixture.endpoint, () => undefined);
    const inputs: { command: string; input: Record<string, unknown> }[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        inputs.push({ command: String(context.commandName), input });
        if (String(input.ConditionExpression).startsWith('attribute_exists(viewVersion)')) {
          throw Object.assign(new Error('The conditional request failed'), {
            name: 'ConditionalCheckFailedException',
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failAdmissionConditions' },
    );
    return { client, inputs };
  }

  it('gives up, retryable, after four writes that failed while every read found room', async () => {
    const { digest } = await createdAccount();
    const { client, inputs } = conditionNeverHolds();

    const failure = await new DynamoProxyAdmission({ client, tableName: table.tableName })
      .admit(request(digest))
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ServiceUnavailableError);
    expect(failure).toMatchObject({ operation: 'UpdateItem', retryable: true });
    const sentCommands = inputs.map(({ command }) => command);
    expect(sentCommands.filter((command) => command === 'UpdateItemCommand')).toHaveLength(4);
    expect(sentCommands.filter((command) => command === 'GetItemCommand')).toHaveLength(4);
    expect(
      inputs
        .filter(({ command }) => command === 'GetItemCommand')
        .every(({ input }) => input.ConsistentRead === true),
    ).toBe(true);
  });

  it('builds the view from strongly consistent reads of the provider keys and budgets', async () => {
    const { client, inputs } = conditionNeverHolds();
    const account = testAccount(randomUUID());

    await new DynamoAccountStore({ client, tableName: table.tableName }).createAccount(account, {
      digest: randomBytes(32).toString('hex'),
      sealed: UNOPENED_SEALED_SECRET,
    });

    const queries = inputs.filter(({ command }) => command === 'QueryCommand');
    expect(queries.map(({ input }) => input.ExpressionAttributeValues)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ':prefix': 'PROVIDER_KEY#' }),
        expect.objectContaining({ ':prefix': 'BUDGET#' }),
      ]),
    );
    expect(queries.every(({ input }) => input.ConsistentRead === true)).toBe(true);
  });

  it('sweeps past minutes only beyond six, and keeps the live month’s refusal tally', async () => {
    // Arrange: one request in each of 7 hours (6 past minutes when the 7th comes); 7 a month
    const { store, account, digest } = await createdAccount();
    const admission = new DynamoProxyAdmission(table);
    const startMs = Date.parse('2026-11-24T00:00:00Z');
    const sevenAMonth: PlanLimitTable = {
      free: { ...PLAN_LIMITS.free, monthlyRequests: 7 },
      pro: PLAN_LIMITS.pro,
    };
    const admit = async (nowMs: number) => {
      const answer = await admission.admit(
        admissionRequest({ keyDigest: digest, provider: 'openai' }, nowMs, {}, sevenAMonth),
      );
      await admission.whenSwept();
      return answer.outcome;
    };
    const minutesKept = async () =>
      Object.keys(
        (
          await table.client.send(
            new GetCommand({ TableName: table.tableName, Key: lookupKey(digest) }),
          )
        ).Item ?? {},
      ).filter((name) => name.startsWith('n:rpm@'));
    for (let hour = 0; hour < 7; hour += 1) await admit(startMs + hour * 3_600_000);
    const beforeSweep = await minutesKept();

    // Act: the month refuses, then Pro admits (7 past minutes: a sweep)
    const refused = await admit(startMs + 7 * 3_600_000);
    await store.updateProfile(account.accountId, { plan: 'pro' });
    const admitted = await admit(startMs + 7 * 3_600_000 + 1_000);

    // Assert
    expect(beforeSweep).toHaveLength(7);
    expect([refused, admitted]).toEqual(['refused', 'admitted']);
    expect(await minutesKept()).toEqual(['n:rpm@2026-11-24T07:00']);
    expect(await admission.windowCount(digest, 'month@2026-11')).toEqual({ count: 8, refused: 1 });
  });

  it('reports a failed read on the refusal path as a retryable GetItem outage', async () => {
    const { digest } = await createdAccount();
    const client = faultyDocumentClient(fixture.endpoint, (call) =>
      call.command === 'GetItemCommand' ? 'throttle' : undefined,
    );
    const nothingAMinute: PlanLimitTable = {
      free: { ...PLAN_LIMITS.free, requestsPerMinutePerKey: 0 },
      pro: { ...PLAN_LIMITS.pro, requestsPerMinutePerKey: 0 },
    };

    const failure = await new DynamoProxyAdmission({ client, tableName: table.tableName })
      .admit(
        admissionRequest(
          { keyDigest: digest, provider: 'openai' },
          Date.parse('2026-11-24T12:00:00Z'),
          {},
          nothingAMinute,
        ),
      )
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ServiceUnavailableError);
    expect(failure).toMatchObject({ operation: 'GetItem', retryable: true });
  });

  it('removes the counters and refusal tallies of past windows once a few have piled up', async () => {
    // Arrange: in each of 10 minutes an hour apart, one request admitted and one refused
    const { digest } = await createdAccount();
    const admission = new DynamoProxyAdmission(table);
    const startMs = Date.parse('2026-11-24T00:00:00Z');
    const oneAMinute: PlanLimitTable = {
      free: { ...PLAN_LIMITS.free, requestsPerMinutePerKey: 1 },
      pro: { ...PLAN_LIMITS.pro, requestsPerMinutePerKey: 1 },
    };
    const admit = (nowMs: number) =>
      admission.admit(
        admissionRequest({ keyDigest: digest, provider: 'openai' }, nowMs, {}, oneAMinute),
      );

    // Act
    for (let hour = 0; hour < 10; hour += 1) {
      await admit(startMs + hour * 3_600_000);
      await admit(startMs + hour * 3_600_000 + 1_000);
      await admission.whenSwept();
    }

    // Assert: never more than the limit of strays plus the live windows; the view is intact
    const item = (
      await table.client.send(
        new GetCommand({
          TableName: table.tableName,
          Key: lookupKey(digest),
          ConsistentRead: true,
        }),
      )
    ).Item as Record<string, unknown>;
    const counters = Object.keys(item).filter((name) => /^[nr]:/.test(name));
    expect(counters.length).toBeLessThanOrEqual(6 + 3);
    expect(counters).toContain('n:rpm@2026-11-24T09:00');
    expect(counters).toContain('r:rpm@2026-11-24T09:00');
    expect(counters).toContain('n:month@2026-11');
    expect(item['n:month@2026-11']).toBe(10);
    expect(item.viewVersion).toEqual(expect.any(Number));
    expect(item.proUntilMs).toEqual(expect.any(Number));
  });
});
