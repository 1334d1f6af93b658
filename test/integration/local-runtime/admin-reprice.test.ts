import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { PRICE_VERSION } from '#core/pricing/price-version.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import { AdminUsageError, runAdminCommand } from '#local/admin-commands.ts';
import { type LocalData, openLocalData } from '#local/local-data.ts';
import { startDynalite } from '#local/stand-ins.ts';
import { addLive } from '../../fixtures/live-rollups.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const clock = { nowMs: () => NOW };
const retention = { expiresAtEpochSeconds: NOW / 1000 + 30 * 86_400 };

let dynalite: Awaited<ReturnType<typeof startDynalite>>;
let data: LocalData;
beforeAll(async () => {
  dynalite = await startDynalite();
  data = await openLocalData({ dynamoEndpoint: dynalite.endpoint });
});
afterAll(async () => {
  await dynalite?.close();
});

function reprice(options: Record<string, string | undefined>) {
  return runAdminCommand(data, {
    command: 'reprice',
    options,
    readStdin: async () => '',
    clock,
  });
}

describe('npm run admin -- reprice', () => {
  it('re-prices local records priced by older price data and rebuilds their rollups', async () => {
    // Arrange: a claude-opus-4-6 request recorded unpriced by the hand-kept table, sealed.
    const rollups = new DynamoRollupStore({
      client: data.documentClient,
      tableName: data.usageTable,
      clock,
    });
    const record = usageRecord({
      accountId: 'acct-admin',
      at: '2026-11-30T09:01:00.000Z',
      provider: 'anthropic',
      model: 'claude-opus-4-6',
      inputTokens: 1000,
      outputTokens: 100,
      costPicoUsd: null,
      priceVersion: '2025-11-24',
    });
    await data.usage.append(record, retention);
    await addLive(rollups, record, retention);
    await sealRollups({ rollups, clock, logger: SILENT_LOGGER });

    // Act
    const output = await reprice({ since: '2026-11-30' });

    // Assert: $5 / $25 per MTok.
    const cost = 1000n * 5_000_000n + 100n * 25_000_000n;
    expect(output).toBe(
      [
        `Re-priced 1 of 1 records priced by older price data (now ${PRICE_VERSION}).`,
        '1 costs changed; 1 hours and 1 days of rollups rebuilt.',
      ].join('\n'),
    );
    const [stored] = await data.usage.listRecent('acct-admin', 1);
    expect(stored).toMatchObject({ costPicoUsd: cost, priceVersion: PRICE_VERSION });
    const [hour] = await rollups.query(
      'acct-admin',
      'hour',
      Date.parse('2026-11-30T09:00:00Z'),
      NOW,
    );
    expect(hour).toMatchObject({ costPicoUsd: cost, unpricedRequests: 0, sealed: true });
    expect(await reprice({ since: '2026-11-30' })).toMatch(/^Re-priced 0 of 0 records/);
  });

  it.each([
    [{}, /--since is required/],
    [{ since: 'last tuesday' }, /--since must be an ISO date: last tuesday/],
    [{ since: '2026-10-01' }, /since must be a past time within 718 hours/],
  ])('refuses %o with a usage message', async (options, message) => {
    const refused = reprice(options);
    await expect(refused).rejects.toThrow(AdminUsageError);
    await expect(refused).rejects.toThrow(message);
  });
});
