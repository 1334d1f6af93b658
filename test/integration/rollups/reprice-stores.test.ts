import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRepriceStore } from '#adapters/dynamodb/dynamo-reprice-store.ts';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { DynamoUsageStore } from '#adapters/dynamodb/dynamo-usage-store.ts';
import { BUNDLED_PRICE_VERSION } from '#core/pricing/bundled-prices.ts';
import { repriceUsage } from '#core/pricing/reprice.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { fixedPrices } from '../../fakes/fixed-prices.ts';
import { type DynaliteFixture, startDynaliteFixture } from '../../fixtures/dynalite.ts';
import { addLive } from '../../fixtures/live-rollups.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOUR = Date.parse('2026-11-30T09:00:00Z');
const clock = { nowMs: () => NOW };
const retention = { expiresAtEpochSeconds: NOW / 1000 + 86_400 * 30 };
const tokens = { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0 };

let fixture: DynaliteFixture;
beforeAll(async () => {
  fixture = await startDynaliteFixture();
});
afterAll(async () => {
  await fixture?.close();
});

function stores(accountId: string) {
  const options = { client: fixture.documentClient, tableName: fixture.tableNames.usage, clock };
  const usage = new DynamoUsageStore(options);
  const rollups = new DynamoRollupStore(options);
  const deps = {
    records: new DynamoRepriceStore(options),
    rollups,
    prices: fixedPrices(),
    clock,
    logger: SILENT_LOGGER,
  };
  const write = async (overrides: Partial<UsageRecord>) => {
    const record = usageRecord({
      accountId,
      at: new Date(HOUR + 60_000).toISOString(),
      ...tokens,
      ...overrides,
    });
    await usage.append(record, retention);
    await addLive(rollups, record, retention);
    return record;
  };
  const hourTotals = async () => {
    const rows = await rollups.query(accountId, 'hour', HOUR, HOUR + 3_600_000);
    return {
      sealed: rows.every((row) => row.sealed),
      costPicoUsd: rows.reduce((sum, row) => sum + row.costPicoUsd, 0n),
      unpriced: rows.reduce((sum, row) => sum + row.unpricedRequests, 0),
    };
  };
  return { usage, rollups, deps, write, hourTotals };
}

describe('repriceUsage on dynalite', () => {
  it('re-prices old and unpriced records once, rebuilds their rollups, and leaves the rest', async () => {
    // Arrange: records written before claude-opus-4-6 had a price, and others that must not move.
    const { usage, deps, write, hourTotals } = stores('acct-reprice');
    const opus = { provider: 'anthropic', model: 'claude-opus-4-6' } as const;
    const unpricedOld = await write({ ...opus, costPicoUsd: null, priceVersion: '2025-11-24' });
    const pricedOld = await write({
      model: 'gpt-4o-mini',
      costPicoUsd: 210_000_000n,
      priceVersion: '2025-11-24',
    });
    const unknown = await write({
      model: 'gpt-9-ultra',
      costPicoUsd: null,
      priceVersion: '2025-11-24',
    });
    const current = await write({ ...opus, costPicoUsd: 7n, priceVersion: BUNDLED_PRICE_VERSION });
    const cached = await write({
      ...opus,
      costPicoUsd: 0n,
      cached: true,
      priceVersion: '2025-11-24',
    });
    const beforeWindow = await write({
      ...opus,
      at: '2026-11-20T00:00:00.000Z',
      costPicoUsd: null,
      priceVersion: '2025-11-24',
    });
    await sealRollups({ rollups: deps.rollups, clock, logger: SILENT_LOGGER });
    expect(await hourTotals()).toEqual({ sealed: true, costPicoUsd: 210_000_007n, unpriced: 2 });

    // Act
    const report = await repriceUsage(deps, { sinceMs: Date.parse('2026-11-30T00:00:00Z') });

    // Assert: opus at $5 / $25 per MTok; gpt-4o-mini unchanged; gpt-9-ultra still unpriced.
    const opusCost = 1000n * 5_000_000n + 100n * 25_000_000n;
    expect(report).toMatchObject({ considered: 3, repriced: 3, costChanged: 1 });
    const byId = new Map((await usage.listRecent('acct-reprice', 10)).map((r) => [r.requestId, r]));
    expect(byId.get(unpricedOld.requestId)).toMatchObject({
      costPicoUsd: opusCost,
      priceVersion: BUNDLED_PRICE_VERSION,
    });
    expect(byId.get(pricedOld.requestId)).toMatchObject({
      costPicoUsd: 210_000_000n,
      priceVersion: BUNDLED_PRICE_VERSION,
    });
    expect(byId.get(unknown.requestId)).toMatchObject({
      costPicoUsd: null,
      priceVersion: BUNDLED_PRICE_VERSION,
    });
    expect(byId.get(current.requestId)).toMatchObject({ costPicoUsd: 7n });
    expect(byId.get(cached.requestId)).toMatchObject({
      costPicoUsd: 0n,
      priceVersion: '2025-11-24',
    });
    expect(byId.get(beforeWindow.requestId)).toMatchObject({
      costPicoUsd: null,
      priceVersion: '2025-11-24',
    });
    expect(await hourTotals()).toEqual({
      sealed: true,
      costPicoUsd: 210_000_007n + opusCost,
      unpriced: 1,
    });

    // A rerun finds nothing left to do.
    const again = await repriceUsage(deps, { sinceMs: Date.parse('2026-11-30T00:00:00Z') });
    expect(again).toMatchObject({ considered: 0, repriced: 0, costChanged: 0 });
    expect((await hourTotals()).costPicoUsd).toBe(210_000_007n + opusCost);
  });

  it('changes each record exactly once when two runs race', async () => {
    const { deps, write, hourTotals } = stores('acct-race');
    for (let index = 0; index < 6; index += 1) {
      await write({
        provider: 'anthropic',
        model: 'claude-opus-4-6',
        costPicoUsd: null,
        priceVersion: '2025-11-24',
      });
    }
    const sinceMs = Date.parse('2026-11-30T00:00:00Z');
    const [a, b] = await Promise.all([
      repriceUsage(deps, { sinceMs }),
      repriceUsage(deps, { sinceMs }),
    ]);
    expect(a.repriced + b.repriced).toBe(6);
    expect(await hourTotals()).toEqual({
      sealed: true,
      costPicoUsd: 6n * (1000n * 5_000_000n + 100n * 25_000_000n),
      unpriced: 0,
    });
  });

  it("refreshes a repriced error record's copy, which the Errors tab lists", async () => {
    // Arrange: an error that still carries tokens (a stream cut off by the provider), once
    // unpriced, and one whose cost does not change (only its price version moves on).
    const { rollups, deps, write } = stores('acct-errors');
    const opus = { provider: 'anthropic', model: 'claude-opus-4-6', status: 529 } as const;
    const unpriced = await write({ ...opus, costPicoUsd: null, priceVersion: '2025-11-24' });
    const unchanged = await write({
      ...opus,
      model: 'gpt-9-ultra',
      at: new Date(HOUR - 3_600_000 + 60_000).toISOString(), // alone in the hour before
      costPicoUsd: null,
      priceVersion: '2025-11-24',
    });
    await sealRollups({ rollups, clock, logger: SILENT_LOGGER });

    // Act
    await repriceUsage(deps, { sinceMs: Date.parse('2026-11-30T00:00:00Z') });

    // Assert
    const copies = new Map(
      (await rollups.recentErrors('acct-errors', HOUR - 3_600_000, NOW, () => true, 10)).map(
        (r) => [r.requestId, r],
      ),
    );
    expect(copies.get(unpriced.requestId)).toMatchObject({
      costPicoUsd: 1000n * 5_000_000n + 100n * 25_000_000n,
      priceVersion: BUNDLED_PRICE_VERSION,
    });
    expect(copies.get(unchanged.requestId)).toMatchObject({
      costPicoUsd: null,
      priceVersion: BUNDLED_PRICE_VERSION,
    });
  });

  it('refuses a window older than the rollup markers live', async () => {
    const { deps } = stores('acct-window');
    await expect(repriceUsage(deps, { sinceMs: NOW - 40 * 86_400_000 })).rejects.toThrow(
      RangeError,
    );
  });
});
