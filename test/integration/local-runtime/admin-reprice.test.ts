import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { BUNDLED_PRICE_VERSION } from '#core/pricing/bundled-prices.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import { AdminUsageError, runAdminCommand } from '#local/admin-commands.ts';
import { type LocalData, openLocalData } from '#local/local-data.ts';
import { startDynalite } from '#local/stand-ins.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { addLive } from '../../fixtures/live-rollups.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
// The stores' clock too: records kept 30 days from NOW must not expire by the real date.
const clock = new FakeClock({ startMs: NOW });
const retention = { expiresAtEpochSeconds: NOW / 1000 + 30 * 86_400 };

let dynalite: Awaited<ReturnType<typeof startDynalite>>;
let data: LocalData;
beforeAll(async () => {
  dynalite = await startDynalite();
  data = await openLocalData({ dynamoEndpoint: dynalite.endpoint, clock });
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
        `Re-priced 1 of 1 records priced by other price data (now ${BUNDLED_PRICE_VERSION}).`,
        '1 costs changed; 1 hours and 1 days of rollups rebuilt.',
      ].join('\n'),
    );
    const [stored] = await data.usage.listRecent('acct-admin', 1);
    expect(stored).toMatchObject({ costPicoUsd: cost, priceVersion: BUNDLED_PRICE_VERSION });
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
    [{}, /--since or --days is required/],
    [{ days: 'two' }, /--days must be a whole number of days: two/],
    [{ days: '2', only: 'priced' }, /--only takes one value, unpriced: priced/],
    [{ since: 'last tuesday' }, /--since must be an ISO date: last tuesday/],
    [{ since: '2026-10-01' }, /since must be a past time within 718 hours/],
  ])('refuses %o with a usage message', async (options, message) => {
    const refused = reprice(options);
    await expect(refused).rejects.toThrow(AdminUsageError);
    await expect(refused).rejects.toThrow(message);
  });

  it('re-prices only the unpriced records of the last N days with --days and --only unpriced', async () => {
    // Arrange: an unpriced opus request and a priced one, both by older data, in the window.
    const accountId = 'acct-admin-unpriced';
    const opus = usageRecord({
      accountId,
      at: '2026-12-01T08:00:00.000Z',
      provider: 'anthropic',
      model: 'claude-opus-4-6',
      inputTokens: 10,
      outputTokens: 0,
      costPicoUsd: null,
      priceVersion: '2025-11-24',
    });
    const priced = usageRecord({
      accountId,
      at: '2026-12-01T08:30:00.000Z',
      costPicoUsd: 42n,
      priceVersion: '2025-11-24',
    });
    for (const record of [opus, priced]) await data.usage.append(record, retention);

    // Act
    const output = await reprice({ days: '1', only: 'unpriced' });

    // Assert: 10 x $5 per MTok; the priced record keeps its cost and version.
    expect(output).toMatch(/^Re-priced 1 of 1 unpriced records \(now /);
    const byId = new Map((await data.usage.listRecent(accountId, 5)).map((r) => [r.requestId, r]));
    expect(byId.get(opus.requestId)).toMatchObject({ costPicoUsd: 50_000_000n });
    expect(byId.get(priced.requestId)).toMatchObject({
      costPicoUsd: 42n,
      priceVersion: '2025-11-24',
    });
  });
});

describe('npm run admin -- unpriced-models', () => {
  it("lists every account's unpriced models with their first-seen date, most requests first", async () => {
    // Arrange: gpt-9 twice (two accounts), mistral-next once, and records that do not count.
    const unpriced = (accountId: string, at: string, model: string) =>
      usageRecord({ accountId, at, model, costPicoUsd: null, priceVersion: 'test' });
    const records = [
      unpriced('acct-u1', '2026-11-28T10:00:00.000Z', 'gpt-9-turbo'),
      unpriced('acct-u2', '2026-11-29T11:00:00.000Z', 'gpt-9-turbo'),
      {
        ...unpriced('acct-u1', '2026-11-29T12:00:00.000Z', 'mistral-next'),
        provider: 'mistral' as const,
      },
      {
        ...unpriced('acct-u1', '2026-11-29T13:00:00.000Z', 'gpt-9-turbo'),
        cached: true,
        costPicoUsd: 0n,
      },
      unpriced('acct-u1', '2026-10-01T00:00:00.000Z', 'gpt-3-ancient'),
    ];
    for (const record of records) await data.usage.append(record, retention);

    // Act
    const output = await runAdminCommand(data, {
      command: 'unpriced-models',
      options: { days: '7' },
      readStdin: async () => '',
      clock,
    });

    // Assert
    const lines = output.split('\n').map((line) => line.split(/\s{2,}/));
    expect(lines[0]).toEqual([
      'provider',
      'model',
      'requests',
      'accounts',
      'first seen',
      'last seen',
    ]);
    expect(lines.slice(1)).toEqual([
      ['openai', 'gpt-9-turbo', '2', '2', '2026-11-28T10:00:00.000Z', '2026-11-29T11:00:00.000Z'],
      ['mistral', 'mistral-next', '1', '1', '2026-11-29T12:00:00.000Z', '2026-11-29T12:00:00.000Z'],
    ]);
  });
});
