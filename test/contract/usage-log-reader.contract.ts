import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '#core/ports/clock.ts';
import type { UsageLogQuery, UsageLogReader } from '#core/ports/usage-log-reader.ts';
import type { UsageRetention } from '#core/ports/usage-store.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { usageRecord as baseRecord } from '../fixtures/usage-record.ts';

const NOW_MS = Date.parse('2026-11-24T12:00:00.000Z');
const NOW_EPOCH_SECONDS = NOW_MS / 1000;
const KEEP: UsageRetention = { expiresAtEpochSeconds: NOW_EPOCH_SECONDS + 30 * 86_400 };
const DAY_AGO_ISO = new Date(NOW_MS - 86_400_000).toISOString();
const NOW_ISO = new Date(NOW_MS + 1).toISOString();

/** What a contract run needs: a writer (the usage store) and the reader under test. */
export interface UsageLogReaderFixture {
  append(record: UsageRecord, retention: UsageRetention): Promise<unknown>;
  readonly reader: UsageLogReader;
}

function usageRecord(
  accountId: string,
  secondsAgo: number,
  overrides: Partial<UsageRecord> = {},
): UsageRecord {
  return baseRecord({
    accountId,
    at: new Date(NOW_MS - secondsAgo * 1000).toISOString(),
    ...overrides,
  });
}

/**
 * The UsageLogReader contract, run against the in-memory fake and DynamoUsageLogReader (records
 * written by DynamoUsageStore). Fresh account ids per test, so a table may be shared.
 */
export function usageLogReaderContract(
  createFixture: (clock: Clock) => UsageLogReaderFixture | Promise<UsageLogReaderFixture>,
): void {
  let fixture: UsageLogReaderFixture;
  let clock: FakeClock;
  let accountId: string;
  const query = (overrides: Partial<UsageLogQuery> = {}): UsageLogQuery => ({
    accountId,
    fromIso: DAY_AGO_ISO,
    toIso: NOW_ISO,
    filter: {},
    ...overrides,
  });

  beforeEach(async () => {
    clock = new FakeClock({ startMs: NOW_MS });
    fixture = await createFixture(clock);
    accountId = randomUUID();
  });

  async function appendAll(records: readonly UsageRecord[], retention = KEEP) {
    for (const record of records) await fixture.append(record, retention);
  }

  describe('queryLogs', () => {
    it('pages newest first with exact next positions until the window is exhausted', async () => {
      // Arrange: 7 records, pages of 3
      const records = [70, 60, 50, 40, 30, 20, 10].map((s) => usageRecord(accountId, s));
      await appendAll(records);
      await fixture.append(usageRecord(randomUUID(), 5), KEEP);
      const newestFirst = [...records].reverse();

      // Act
      const first = await fixture.reader.queryLogs({ ...query(), limit: 3 });
      const second = await fixture.reader.queryLogs({ ...query(), limit: 3, after: first.next });
      const third = await fixture.reader.queryLogs({ ...query(), limit: 3, after: second.next });

      // Assert
      expect(first.records).toEqual(newestFirst.slice(0, 3));
      expect(second.records).toEqual(newestFirst.slice(3, 6));
      expect(third.records).toEqual(newestFirst.slice(6));
      expect(third.next).toBeUndefined();
    });

    it('has no next position when the last page is exactly full', async () => {
      await appendAll([30, 20, 10].map((s) => usageRecord(accountId, s)));

      const page = await fixture.reader.queryLogs({ ...query(), limit: 3 });

      expect(page.records).toHaveLength(3);
      expect(page.next).toBeUndefined();
    });

    it('keeps `from` inclusive and `to` exclusive', async () => {
      const atFrom = usageRecord(accountId, 0, { at: '2026-11-24T10:00:00.000Z' });
      const atTo = usageRecord(accountId, 0, { at: '2026-11-24T11:00:00.000Z' });
      const before = usageRecord(accountId, 0, { at: '2026-11-24T09:59:59.999Z' });
      await appendAll([atFrom, atTo, before]);

      const page = await fixture.reader.queryLogs({
        ...query({ fromIso: '2026-11-24T10:00:00.000Z', toIso: '2026-11-24T11:00:00.000Z' }),
        limit: 10,
      });

      expect(page.records).toEqual([atFrom]);
    });

    it('applies model, provider, requester and status filters with AND, across pages', async () => {
      // Arrange: matches spread between many non-matching records
      const matching: UsageRecord[] = [];
      for (let index = 0; index < 40; index += 1) {
        const hit = index % 8 === 0;
        const record = usageRecord(accountId, 400 - index, {
          model: hit ? 'claude-haiku-4-5' : 'gpt-4o-mini',
          provider: hit ? 'anthropic' : 'openai',
          requester: hit ? 'agent-7' : 'agent-8',
          status: hit ? 429 : 200,
        });
        if (hit) matching.unshift(record);
        await fixture.append(record, KEEP);
      }
      await fixture.append(
        usageRecord(accountId, 1, {
          model: 'claude-haiku-4-5',
          provider: 'anthropic',
          status: 500,
        }),
        KEEP,
      );
      const filter = {
        models: ['claude-haiku-4-5'],
        providers: ['anthropic'],
        requesters: ['agent-7'],
        statuses: [{ kind: 'range', min: 400, max: 499 }],
      } as const;

      // Act
      const first = await fixture.reader.queryLogs({ ...query({ filter }), limit: 3 });
      const second = await fixture.reader.queryLogs({
        ...query({ filter }),
        limit: 3,
        after: first.next,
      });

      // Assert
      expect([...first.records, ...second.records]).toEqual(matching);
      expect(second.next).toBeUndefined();
      expect(
        (
          await fixture.reader.queryLogs({
            ...query({ filter: { statuses: [{ kind: 'exact', status: 500 }] } }),
            limit: 10,
          })
        ).records.map((record) => record.status),
      ).toEqual([500]);
    });

    it('matches model and requester exactly (case and prefix matter)', async () => {
      const exact = usageRecord(accountId, 3, { model: 'gpt-4o', requester: 'Bob' });
      await appendAll([
        exact,
        usageRecord(accountId, 2, { model: 'gpt-4o-mini', requester: 'Bob' }),
        usageRecord(accountId, 1, { model: 'gpt-4o', requester: 'bob' }),
      ]);

      const page = await fixture.reader.queryLogs({
        ...query({ filter: { models: ['gpt-4o'], requesters: ['Bob'] } }),
        limit: 10,
      });

      expect(page.records).toEqual([exact]);
    });

    it('combines values of one filter with OR; a null requester selects records without one', async () => {
      const anonymous = usageRecord(accountId, 4, { status: 503 });
      const tagged = usageRecord(accountId, 3, { requester: 'ci', status: 201 });
      const other = usageRecord(accountId, 2, { requester: 'cron', status: 404 });
      const mistral = usageRecord(accountId, 1, { provider: 'mistral', model: 'mistral-small' });
      await appendAll([anonymous, tagged, other, mistral]);
      const list = async (filter: UsageLogQuery['filter']) =>
        (await fixture.reader.queryLogs({ ...query({ filter }), limit: 10 })).records;

      expect(await list({ requesters: [null, 'ci'] })).toEqual([mistral, tagged, anonymous]);
      expect(await list({ requesters: ['cron'] })).toEqual([other]);
      expect(
        await list({
          statuses: [
            { kind: 'exact', status: 404 },
            { kind: 'range', min: 500, max: 599 },
          ],
        }),
      ).toEqual([other, anonymous]);
      expect(await list({ providers: ['mistral', 'anthropic'] })).toEqual([mistral]);
      expect(await list({ models: ['mistral-small', 'gpt-4o-mini'] })).toHaveLength(4);
    });

    it('filters by kind; chat also selects records written before kinds existed', async () => {
      const legacy = usageRecord(accountId, 4); // no kind: a chat completion
      const chat = usageRecord(accountId, 3, { kind: 'chat' });
      const responses = usageRecord(accountId, 2, { kind: 'responses' });
      const embeddings = usageRecord(accountId, 1, { kind: 'embeddings', requester: 'ci' });
      await appendAll([legacy, chat, responses, embeddings]);
      const list = async (filter: UsageLogQuery['filter']) =>
        (await fixture.reader.queryLogs({ ...query({ filter }), limit: 10 })).records;

      expect(await list({ kinds: ['chat'] })).toEqual([chat, legacy]);
      expect(await list({ kinds: ['embeddings', 'responses'] })).toEqual([embeddings, responses]);
      expect(await list({ kinds: ['chat', 'embeddings'], requesters: ['ci'] })).toEqual([
        embeddings,
      ]);
      expect(await fixture.reader.countLogs(query({ filter: { kinds: ['chat'] } }))).toBe(2);
    });

    it('filters by tag: values of one key OR, keys AND, untagged records never match', async () => {
      const untagged = usageRecord(accountId, 5);
      const search = usageRecord(accountId, 4, { tags: { feature: 'search', team: 'core' } });
      const chat = usageRecord(accountId, 3, { tags: { feature: 'chat' } });
      const other = usageRecord(accountId, 2, { tags: { feature: 'search:v2', team: 'ml' } });
      const shadow = usageRecord(accountId, 1, { tags: { tostring: 'x', toString: 'y' } });
      await appendAll([untagged, search, chat, other, shadow]);
      const list = async (filter: UsageLogQuery['filter']) =>
        (await fixture.reader.queryLogs({ ...query({ filter }), limit: 10 })).records;

      expect(await list({ tags: { feature: ['search'] } })).toEqual([search]);
      expect(await list({ tags: { feature: ['search', 'search:v2'] } })).toEqual([other, search]);
      expect(await list({ tags: { feature: ['search', 'search:v2'], team: ['ml'] } })).toEqual([
        other,
      ]);
      expect(await list({ tags: { feature: ['chat'] }, models: ['other-model'] })).toEqual([]);
      expect(await list({ tags: { toString: ['y'] } })).toEqual([shadow]);
      expect(await list({ tags: { hasOwnProperty: ['y'] } })).toEqual([]);
      expect(
        await fixture.reader.countLogs(query({ filter: { tags: { team: ['core', 'ml'] } } })),
      ).toBe(2);
      expect((await fixture.reader.getLog(accountId, search.requestId))?.tags).toEqual({
        feature: 'search',
        team: 'core',
      });
    });

    it('hides expired records, also when they sit between live ones', async () => {
      const live = [50, 10].map((s) => usageRecord(accountId, s));
      await appendAll(live);
      await appendAll(
        [40, 30, 20].map((s) => usageRecord(accountId, s)),
        { expiresAtEpochSeconds: NOW_EPOCH_SECONDS },
      );

      const page = await fixture.reader.queryLogs({ ...query(), limit: 2 });

      expect(page.records).toEqual([live[1], live[0]]);
      expect(page.next).toBeUndefined();
      expect(await fixture.reader.countLogs(query())).toBe(2);
    });
  });

  describe('countLogs', () => {
    it('counts every match in the window, not just a page', async () => {
      await appendAll(
        Array.from({ length: 30 }, (_, index) =>
          usageRecord(accountId, 100 + index, { status: index % 3 === 0 ? 502 : 200 }),
        ),
      );
      await fixture.append(usageRecord(accountId, 90_000), KEEP);

      expect(await fixture.reader.countLogs(query())).toBe(30);
      expect(
        await fixture.reader.countLogs(
          query({ filter: { statuses: [{ kind: 'range', min: 500, max: 599 }] } }),
        ),
      ).toBe(10);
      expect(await fixture.reader.countLogs(query({ accountId: randomUUID() }))).toBe(0);
    });
  });

  describe('getLog', () => {
    it('finds a record by request id, with its error fields and phase timing', async () => {
      const failed = usageRecord(accountId, 5, {
        status: 400,
        errorSource: 'provider',
        errorMessage: 'max_tokens is too large',
        timeToFirstTokenMs: 40,
        requester: 'ci',
        timing: { authMs: 2.1, upstreamHeadersMs: 143, upstreamBodyMs: 0.4, overheadMs: 3.4 },
      });
      await appendAll([failed, usageRecord(accountId, 4)]);

      expect(await fixture.reader.getLog(accountId, failed.requestId)).toStrictEqual(failed);
    });

    it('finds a record with its service tier, tier flag and cache-write lifetimes', async () => {
      const tiered = usageRecord(accountId, 3, {
        provider: 'anthropic',
        cacheWriteTokens: 30,
        cacheWrite5mTokens: 10,
        cacheWrite1hTokens: 20,
        serviceTier: 'priority',
        tierUnpriced: true,
      });
      await appendAll([tiered]);

      expect(await fixture.reader.getLog(accountId, tiered.requestId)).toStrictEqual(tiered);
    });

    it('finds a request a budget refused, with the budget that refused it', async () => {
      const blocked = usageRecord(accountId, 2, {
        status: 402,
        errorSource: 'metrion',
        errorMessage: 'Budget "Search" has no room for this request',
        costPicoUsd: 0n,
        blockedBy: { budgetId: 'bud_0000000a', budgetName: 'Search' },
      });
      await appendAll([blocked]);

      expect(await fixture.reader.getLog(accountId, blocked.requestId)).toStrictEqual(blocked);
      const page = await fixture.reader.queryLogs({
        ...query({ filter: { statuses: [{ kind: 'exact', status: 402 }] } }),
        limit: 10,
      });
      expect(page.records.map((record) => record.blockedBy)).toEqual([
        { budgetId: 'bud_0000000a', budgetName: 'Search' },
      ]);
    });

    it("returns nothing for another account's request id, an unknown one, or an expired one", async () => {
      const foreign = usageRecord(randomUUID(), 5);
      const expiring = usageRecord(accountId, 5);
      await fixture.append(foreign, KEEP);
      await fixture.append(expiring, { expiresAtEpochSeconds: NOW_EPOCH_SECONDS + 10 });

      expect(await fixture.reader.getLog(accountId, foreign.requestId)).toBeUndefined();
      expect(await fixture.reader.getLog(accountId, randomUUID())).toBeUndefined();
      expect(await fixture.reader.getLog(accountId, expiring.requestId)).toEqual(expiring);
      clock.set(NOW_MS + 11_000);
      expect(await fixture.reader.getLog(accountId, expiring.requestId)).toBeUndefined();
    });
  });
}
