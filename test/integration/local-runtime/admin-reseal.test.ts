import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRollupStore } from '#adapters/dynamodb/dynamo-rollup-store.ts';
import { NotFoundError } from '#core/errors.ts';
import type { Granularity } from '#core/rollups/buckets.ts';
import { rollupsFromRecords } from '#core/rollups/rollup.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { AdminUsageError, runAdminCommand } from '#local/admin-commands.ts';
import { type LocalData, openLocalData } from '#local/local-data.ts';
import { startDynalite } from '#local/stand-ins.ts';
import { addLive } from '../../fixtures/live-rollups.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';
import { totalsOfRollups } from '../../fixtures/usage-totals.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const HOUR = Date.parse('2026-11-30T09:00:00Z');
const DAY = Date.parse('2026-11-30T00:00:00Z');
const clock = { nowMs: () => NOW };
const retention = { expiresAtEpochSeconds: NOW / 1000 + 30 * 86_400 };

let dynalite: Awaited<ReturnType<typeof startDynalite>>;
let data: LocalData;
let rollups: DynamoRollupStore;
beforeAll(async () => {
  dynalite = await startDynalite();
  data = await openLocalData({ dynamoEndpoint: dynalite.endpoint });
  rollups = new DynamoRollupStore({
    client: data.documentClient,
    tableName: data.usageTable,
    clock,
  });
});
afterAll(async () => {
  await dynalite?.close();
});

function reseal(options: Record<string, string | undefined>) {
  return runAdminCommand(data, { command: 'reseal', options, readStdin: async () => '', clock });
}

async function createAccount(email: string): Promise<string> {
  return (await data.accountService.createAccount({ email })).account.accountId;
}

/** Records its live rollups as the aggregator does, then seals them: exact, no marker left. */
async function recordSealed(records: readonly UsageRecord[]): Promise<void> {
  for (const record of records) {
    await data.usage.append(record, retention);
    await addLive(rollups, record, retention);
  }
  await sealRollups({ rollups, clock, logger: SILENT_LOGGER });
}

/** An ADD applied twice (a replayed batch) that wrote no dirty marker. */
async function addAgainWithoutMarker(record: UsageRecord): Promise<void> {
  const stored = [{ record, expiresAtEpochSeconds: retention.expiresAtEpochSeconds }];
  for (const granularity of ['hour', 'day'] as const) {
    for (const rollup of rollupsFromRecords(stored, granularity, false)) {
      await rollups.addToRollup(rollup);
    }
  }
}

async function totals(accountId: string, granularity: Granularity, startMs: number) {
  const span = granularity === 'hour' ? 3_600_000 : 86_400_000;
  const { requests, inputTokens, outputTokens, costPicoUsd, sealed } = totalsOfRollups(
    await rollups.query(accountId, granularity, startMs, startMs + span),
  );
  return { requests, inputTokens, outputTokens, costPicoUsd, sealed };
}

describe('npm run admin -- reseal', () => {
  it('rebuilds wrong live rollups that carry no dirty marker, for one account or all', async () => {
    // Arrange: two accounts' sealed hours, then a doubled ADD on each with no marker.
    const a = await createAccount('reseal-a@example.com');
    const b = await createAccount('reseal-b@example.com');
    const record = (accountId: string, at: string, tokens: number, costPicoUsd: bigint) =>
      usageRecord({ accountId, at, inputTokens: tokens, outputTokens: tokens / 10, costPicoUsd });
    const a1 = record(a, '2026-11-30T09:05:00.000Z', 100, 150_000_000n);
    const a2 = record(a, '2026-11-30T09:50:00.000Z', 200, 250_000_000n);
    const a3 = record(a, '2026-11-30T14:30:00.000Z', 50, 40_000_000n);
    const b1 = record(b, '2026-11-30T09:30:00.000Z', 300, 700_000_000n);
    await recordSealed([a1, a2, a3, b1]);
    await addAgainWithoutMarker(a1);
    await addAgainWithoutMarker(b1);
    expect(await totals(a, 'hour', HOUR)).toMatchObject({ requests: 3, sealed: false });
    expect(await rollups.listDirty(HOUR)).toEqual([]);

    // Act: one account first.
    const one = await reseal({ since: '2026-11-30', account: a });

    // Assert: a's hours and day are the hand sums of its records again; b's hour is still off.
    expect(one).toBe(
      [
        `Marked 2 hours holding records of ${a} from 2026-11-30T00:00:00.000Z to now dirty.`,
        '2 hours and 1 days of rollups rebuilt; hours not over yet are rebuilt by the seal job.',
      ].join('\n'),
    );
    expect(await totals(a, 'hour', HOUR)).toEqual({
      requests: 2,
      inputTokens: 300,
      outputTokens: 30,
      costPicoUsd: 400_000_000n,
      sealed: true,
    });
    expect(await totals(a, 'day', DAY)).toEqual({
      requests: 3,
      inputTokens: 350,
      outputTokens: 35,
      costPicoUsd: 440_000_000n,
      sealed: true,
    });
    expect(await totals(b, 'hour', HOUR)).toMatchObject({
      requests: 2,
      costPicoUsd: 1_400_000_000n,
    });

    // Act: every account, one hour.
    const all = await reseal({ since: '2026-11-30T09:00:00Z', until: '2026-11-30T10:00:00Z' });

    // Assert
    expect(all).toBe(
      [
        'Marked 2 hours holding records of every account from 2026-11-30T09:00:00.000Z to 2026-11-30T10:00:00.000Z dirty.',
        '2 hours and 2 days of rollups rebuilt; hours not over yet are rebuilt by the seal job.',
      ].join('\n'),
    );
    const exactB = { requests: 1, inputTokens: 300, outputTokens: 30, costPicoUsd: 700_000_000n };
    expect(await totals(b, 'hour', HOUR)).toEqual({ ...exactB, sealed: true });
    expect(await totals(b, 'day', DAY)).toEqual({ ...exactB, sealed: true });
  });

  it.each([
    [{}, /--since is required/],
    [{ since: 'last tuesday' }, /--since must be an ISO date: last tuesday/],
    [{ since: '2026-11-30', until: 'soon' }, /--until must be an ISO date: soon/],
    [{ since: '2026-10-01' }, /since must be a past time within 718 hours/],
    [{ since: '2026-11-30', until: '2026-11-29' }, /until must be after since/],
  ])('refuses %o with a usage message', async (options, message) => {
    const refused = reseal(options);
    await expect(refused).rejects.toThrow(AdminUsageError);
    await expect(refused).rejects.toThrow(message);
  });

  it('refuses an account that does not exist', async () => {
    await expect(reseal({ since: '2026-11-30', account: 'acct-nope' })).rejects.toThrow(
      new NotFoundError('Account not found: acct-nope'),
    );
  });
});
