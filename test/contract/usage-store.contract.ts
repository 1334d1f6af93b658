import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/ports/clock.ts';
import type { UsageRetention, UsageStore } from '#core/ports/usage-store.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FakeClock } from '../fakes/fake-clock.ts';

const NOW_MS = Date.parse('2026-11-24T12:00:00.000Z');
const NOW_EPOCH_SECONDS = NOW_MS / 1000;
const DAY_SECONDS = 86_400;
const KEEP: UsageRetention = { expiresAtEpochSeconds: NOW_EPOCH_SECONDS + 30 * DAY_SECONDS };

function usageRecord(
  accountId: string,
  secondsAgo: number,
  overrides: Partial<UsageRecord> = {},
): UsageRecord {
  return {
    requestId: randomUUID(),
    accountId,
    at: new Date(NOW_MS - secondsAgo * 1000).toISOString(),
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    status: 200,
    inputTokens: 1200,
    outputTokens: 345,
    cacheReadTokens: 100,
    cacheWriteTokens: 0,
    totalTokens: 1645,
    costPicoUsd: 8_775_000_000n,
    priceVersion: '2026-11-01',
    latencyMs: 1834,
    streamed: false,
    cached: false,
    mode: 'stored',
    ...overrides,
  };
}

/**
 * The UsageStore contract: every implementation (in-memory fake, DynamoUsageStore) must pass
 * it. `createStore` gets the clock that decides expiry and is called before each test; tests
 * use fresh account ids, so the underlying table may be shared.
 */
export function usageStoreContract(
  createStore: (clock: Clock) => UsageStore | Promise<UsageStore>,
): void {
  let store: UsageStore;
  let clock: FakeClock;
  let accountId: string;

  beforeEach(async () => {
    clock = new FakeClock({ startMs: NOW_MS });
    store = await createStore(clock);
    accountId = randomUUID();
  });

  describe('append and listRecent', () => {
    it('lists the records of the account newest first', async () => {
      const older = usageRecord(accountId, 300);
      const newest = usageRecord(accountId, 10);
      const middle = usageRecord(accountId, 60);
      for (const record of [older, newest, middle]) await store.append(record, KEEP);
      await store.append(usageRecord(randomUUID(), 5), KEEP);

      expect(await store.listRecent(accountId, 10)).toEqual([newest, middle, older]);
    });

    it('returns at most `limit` records, the newest ones', async () => {
      const records = [400, 300, 200, 100].map((secondsAgo) => usageRecord(accountId, secondsAgo));
      for (const record of records) await store.append(record, KEEP);

      expect(await store.listRecent(accountId, 2)).toEqual([records[3], records[2]]);
      expect(await store.listRecent(accountId, 0)).toEqual([]);
    });

    it('returns nothing for an account without records', async () => {
      expect(await store.listRecent(randomUUID(), 5)).toEqual([]);
    });

    it('keeps one record when the same record is appended twice (retried write)', async () => {
      const record = usageRecord(accountId, 20);

      expect(await store.append(record, KEEP)).toBe('appended');
      expect(await store.append(record, KEEP)).toBe('duplicate');

      expect(await store.listRecent(accountId, 10)).toEqual([record]);
    });
  });

  describe('fields', () => {
    it.each([
      ['beyond 2^64', 123_456_789_012_345_678_901n],
      ['just beyond Number.MAX_SAFE_INTEGER', 9_007_199_254_740_993n],
      ['small', 7n],
      ['zero', 0n],
    ])('round-trips a %s cost exactly as a bigint', async (_label, costPicoUsd) => {
      await store.append(usageRecord(accountId, 1, { costPicoUsd }), KEEP);

      const [read] = await store.listRecent(accountId, 1);

      expect(typeof read?.costPicoUsd).toBe('bigint');
      expect(read?.costPicoUsd).toBe(costPicoUsd);
    });

    it('round-trips a null (unpriced) cost as null', async () => {
      const record = usageRecord(accountId, 1, { costPicoUsd: null, model: 'mystery-model' });
      await store.append(record, KEEP);

      const [read] = await store.listRecent(accountId, 1);

      expect(read?.costPicoUsd).toBeNull();
      expect(read).toEqual(record);
    });

    it('round-trips every optional field, and leaves absent ones absent', async () => {
      const failed = usageRecord(accountId, 2, {
        provider: 'openai',
        model: 'gpt-5',
        requester: 'batch-job-7',
        status: 429,
        errorSource: 'provider',
        errorMessage: 'Rate limit reached for gpt-5',
        timeToFirstTokenMs: 412,
        streamed: true,
        cached: true,
        mode: 'pass-through',
        timing: { authMs: 1.5, overheadMs: 2.5 },
      });
      const plain = usageRecord(accountId, 1);
      await store.append(failed, KEEP);
      await store.append(plain, KEEP);

      const [readPlain, readFailed] = await store.listRecent(accountId, 2);

      expect(readFailed).toStrictEqual(failed);
      expect(readPlain).toStrictEqual(plain);
      expect(Object.keys(readPlain ?? {}).sort()).toEqual(Object.keys(plain).sort());
    });
  });

  describe('retention', () => {
    it('does not return records whose expiry is now or in the past', async () => {
      const live = usageRecord(accountId, 30);
      await store.append(live, { expiresAtEpochSeconds: NOW_EPOCH_SECONDS + 1 });
      await store.append(usageRecord(accountId, 20), { expiresAtEpochSeconds: NOW_EPOCH_SECONDS });
      await store.append(usageRecord(accountId, 10), {
        expiresAtEpochSeconds: NOW_EPOCH_SECONDS - 60,
      });

      expect(await store.listRecent(accountId, 10)).toEqual([live]);
    });

    it('hides records once the clock passes their expiry', async () => {
      const record = usageRecord(accountId, 5);
      await store.append(record, { expiresAtEpochSeconds: NOW_EPOCH_SECONDS + 60 });
      expect(await store.listRecent(accountId, 10)).toEqual([record]);

      clock.set(NOW_MS + 61_000);

      expect(await store.listRecent(accountId, 10)).toEqual([]);
    });

    it('fills the limit with older live records when newer ones expired first', async () => {
      // Arrange: newer records under a shorter retention (plan downgrade) already expired
      const expired = { expiresAtEpochSeconds: NOW_EPOCH_SECONDS - 1 };
      const oldLive = [500, 400].map((secondsAgo) => usageRecord(accountId, secondsAgo));
      for (const record of oldLive) await store.append(record, KEEP);
      for (const secondsAgo of [300, 200, 100]) {
        await store.append(usageRecord(accountId, secondsAgo), expired);
      }

      // Act
      const listed = await store.listRecent(accountId, 2);

      // Assert
      expect(listed).toEqual([oldLive[1], oldLive[0]]);
    });
  });
}
