import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRollupStore, rollupItem } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { providerErrorsOf, rollupsFromRecords } from '#core/rollups/rollup.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { InMemoryRollupStore } from '../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../fakes/in-memory-usage-store.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../fixtures/dynalite.ts';
import { addLive } from '../fixtures/live-rollups.ts';
import { usageRecord } from '../fixtures/usage-record.ts';
import { rollupStoreContract } from './rollup-store.contract.ts';

describe('InMemoryRollupStore', () => {
  rollupStoreContract(async (clock) => {
    const usage = new InMemoryUsageStore({ clock });
    return { usage, rollups: new InMemoryRollupStore({ usage, clock }) };
  });
});

describe('DynamoRollupStore on dynalite', () => {
  let fixture: DynaliteFixture;
  beforeAll(async () => {
    fixture = await startDynaliteFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  rollupStoreContract(async (clock) => ({
    usage: new DynamoUsageStore({
      client: fixture.documentClient,
      tableName: fixture.tableNames.usage,
      clock,
    }),
    rollups: new DynamoRollupStore({
      client: fixture.documentClient,
      tableName: fixture.tableNames.usage,
      clock,
    }),
  }));

  /**
   * An hour's rollup as the adapter wrote it before some attribute existed: the item of
   * `records` (all in one hour) with `strip` applied, put directly. Returns a store on a clock in
   * that hour, the records' retention and a read of the hour.
   */
  async function storeLegacyHour(
    records: readonly UsageRecord[],
    strip: (item: Record<string, unknown>) => Record<string, unknown>,
  ) {
    const at = records[0]?.at ?? '';
    const hourMs = Date.parse(`${at.slice(0, 13)}:00:00.000Z`);
    const clock = new FakeClock({ startMs: hourMs + 30 * 60_000 });
    const store = new DynamoRollupStore({
      client: fixture.documentClient,
      tableName: fixture.tableNames.usage,
      clock,
    });
    const retention = { expiresAtEpochSeconds: Math.floor(clock.nowMs() / 1000) + 86_400 };
    const [legacy] = rollupsFromRecords(
      records.map((record) => ({ record, ...retention })),
      'hour',
      false,
    );
    const item = strip(rollupItem(legacy as NonNullable<typeof legacy>));
    await fixture.documentClient.send(
      new PutCommand({ TableName: fixture.tableNames.usage, Item: item }),
    );
    const hour = () => store.query(records[0]?.accountId ?? '', 'hour', hourMs, hourMs + 3_600_000);
    return { store, retention, item, hour };
  }

  it('reads an item written before metrionErrors existed as all provider errors, and keeps them after live ADDs', async () => {
    // Arrange: an hourly item as the adapter wrote it before the count (attribute absent).
    const accountId = 'acct-legacy-rollup';
    const at = '2026-03-10T12:05:00.000Z';
    const { store, retention, hour } = await storeLegacyHour(
      [0, 1, 2].map((i) => usageRecord({ accountId, requestId: `req-${i}`, at, status: 502 })),
      ({ metrionErrors: _absent, ...item }) => item,
    );

    // Act + Assert: 3 errors, none Metrion's; a later Metrion 502 in the same item is told apart.
    const [before] = await hour();
    expect(before?.errors).toBe(3);
    expect(before?.metrionErrors).toBe(0);
    await addLive(
      store,
      usageRecord({ accountId, requestId: 'req-3', at, status: 502, errorSource: 'metrion' }),
      retention,
    );
    const [after] = await hour();
    expect(after?.errors).toBe(4);
    expect(providerErrorsOf(after as NonNullable<typeof after>)).toBe(3);
  });

  it('reads an item written before estimatedRequests existed as none estimated, and counts later live ADDs', async () => {
    // Arrange: an hourly item as the adapter wrote it before the count (attribute absent).
    const accountId = 'acct-legacy-estimated';
    const at = '2026-03-11T12:05:00.000Z';
    const { store, retention, hour } = await storeLegacyHour(
      [0, 1].map((i) => usageRecord({ accountId, requestId: `req-${i}`, at })),
      ({ estimatedRequests: _absent, ...item }) => item,
    );

    // Act + Assert: 2 requests, none estimated; a later estimated one in the same item counts.
    const [before] = await hour();
    expect(before?.requests).toBe(2);
    expect(before?.estimatedRequests).toBe(0);
    await addLive(
      store,
      usageRecord({ accountId, requestId: 'req-2', at, streamed: true, estimated: true }),
      retention,
    );
    const [after] = await hour();
    expect(after?.requests).toBe(3);
    expect(after?.estimatedRequests).toBe(1);
  });

  it('reads an item written before tierUnpricedRequests existed as none, and counts later live ADDs', async () => {
    const accountId = 'acct-legacy-tier';
    const at = '2026-03-11T12:05:00.000Z';
    const { store, retention, hour } = await storeLegacyHour(
      [usageRecord({ accountId, requestId: 'req-0', at })],
      ({ tierUnpricedRequests: _absent, ...item }) => item,
    );
    expect((await hour())[0]?.tierUnpricedRequests).toBe(0);
    await addLive(
      store,
      usageRecord({ accountId, requestId: 'req-1', at, serviceTier: 'scale', tierUnpriced: true }),
      retention,
    );
    expect((await hour())[0]).toMatchObject({ requests: 2, tierUnpricedRequests: 1 });
  });

  it('reads an item written before kinds existed as chat, and adds later chat records to that same item', async () => {
    // Arrange: an hourly item as the adapter wrote it before kinds (no attribute, 4-part key).
    const accountId = 'acct-legacy-kind';
    const at = '2026-03-12T12:05:00.000Z';
    const { store, retention, item, hour } = await storeLegacyHour(
      [0, 1].map((i) => usageRecord({ accountId, requestId: `req-${i}`, at })),
      ({ kind: _absent, ...item }) => item,
    );
    expect(String(item.sk).split('|')).toHaveLength(4);

    // Act + Assert: read as chat; a chat ADD lands on it, a Responses ADD gets its own item.
    expect((await hour()).map((r) => [r.kind, r.requests])).toEqual([['chat', 2]]);
    await addLive(
      store,
      usageRecord({ accountId, requestId: 'req-2', at, kind: 'chat' }),
      retention,
    );
    await addLive(
      store,
      usageRecord({ accountId, requestId: 'req-3', at, kind: 'responses' }),
      retention,
    );
    const after = (await hour()).map((r) => [r.kind, r.requests]);
    expect(after.sort()).toEqual([
      ['chat', 3],
      ['responses', 1],
    ]);
  });
});
