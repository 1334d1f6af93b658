import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertRuleSpec } from '#core/alerts/alert-rule.ts';
import { exactUsage } from '#core/alerts/exact-usage.ts';
import { scopedUsage } from '#core/alerts/scoped-usage.ts';
import type { Granularity } from '#core/rollups/buckets.ts';
import { rollupsFromRecords } from '#core/rollups/rollup.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { addLive } from '../../../fixtures/live-rollups.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

const NOW_MS = Date.parse('2026-11-12T10:30:00.000Z');
const ACCOUNT = 'acct-exact';
const RETENTION = { expiresAtEpochSeconds: Math.floor(NOW_MS / 1000) + 86_400 };
const SINCE_9 = { fromMs: Date.parse('2026-11-12T09:00:00.000Z'), toMs: NOW_MS };
const TODAY = { fromMs: Date.parse('2026-11-12T00:00:00.000Z'), toMs: NOW_MS };

let usage: InMemoryUsageStore;
let rollups: InMemoryRollupStore;
let records: UsageRecord[];

beforeEach(async () => {
  const clock = new FakeClock({ startMs: NOW_MS });
  usage = new InMemoryUsageStore({ clock });
  rollups = new InMemoryRollupStore({ usage, clock });
  records = (
    [
      ['openai', 'gpt-4o-mini', 'alice', 'search'],
      ['openai', 'gpt-4o', undefined, undefined],
      ['anthropic', 'claude-haiku-4-5', 'alice', 'search'],
      ['mistral', 'mistral-small', 'bob', 'chat'],
    ] as const
  ).map(([provider, model, requester, feature], index) =>
    usageRecord({
      accountId: ACCOUNT,
      at: `2026-11-12T${index < 2 ? '09' : '10'}:05:00.000Z`,
      provider,
      model,
      requester,
      tags: feature === undefined ? undefined : { feature },
    }),
  );
  for (const record of records) {
    await usage.append(record, RETENTION);
    // The aggregator's batch delivered twice: every live item counts double.
    await addLive(rollups, record, RETENTION);
    await addLive(rollups, record, RETENTION);
  }
});

async function requestsIn(
  reader: 'live' | 'exact',
  rule: Pick<AlertRuleSpec, 'scope' | 'providers'>,
  granularity: Granularity = 'hour',
): Promise<number> {
  const read = reader === 'live' ? scopedUsage(rollups) : exactUsage(rollups);
  const span = granularity === 'hour' ? SINCE_9 : TODAY;
  const items = await read.read(ACCOUNT, rule, granularity, span, NOW_MS);
  return items.reduce((sum, item) => sum + item.requests, 0);
}

describe('exactUsage: unsealed buckets recounted from the stored requests', () => {
  // Plain test names: the mutation runner selects tests by name.
  it.each([
    ['the account', {}, 4],
    ['a provider', { scope: { kind: 'provider', provider: 'openai' } }, 2],
    ['a requester', { scope: { kind: 'requester', requester: 'alice' } }, 2],
    ['a tag value', { scope: { kind: 'tag', key: 'feature', value: 'search' } }, 2],
    ['another value of the tag', { scope: { kind: 'tag', key: 'feature', value: 'chat' } }, 1],
    ['the value under another key', { scope: { kind: 'tag', key: 'team', value: 'search' } }, 0],
    ['a list of providers', { providers: ['openai', 'mistral'] }, 3],
  ] as const)(
    '%s counts its requests once, though a batch was counted twice',
    async (_name, rule, count) => {
      expect(await requestsIn('live', rule)).toBe(2 * count);
      expect(await requestsIn('exact', rule)).toBe(count);
      expect(await requestsIn('exact', rule, 'day')).toBe(count);
    },
  );

  it('recounts a tag scope by its key as well as its value', async () => {
    // Arrange: a request tagged team=search at 10:10, counted twice live too.
    const team = usageRecord({
      accountId: ACCOUNT,
      at: '2026-11-12T10:10:00.000Z',
      tags: { team: 'search' },
    });
    await usage.append(team, RETENTION);
    await addLive(rollups, team, RETENTION);
    await addLive(rollups, team, RETENTION);

    // Act + Assert: feature=search is another key with the same value.
    const rule = { scope: { kind: 'tag', key: 'team', value: 'search' } } as const;
    expect(await requestsIn('live', rule)).toBe(2);
    expect(await requestsIn('exact', rule)).toBe(1);
  });

  it('marks what it recounted exact', async () => {
    for (const rule of [{}, { scope: { kind: 'tag', key: 'feature', value: 'search' } }] as const) {
      const items = await exactUsage(rollups).read(ACCOUNT, rule, 'hour', SINCE_9, NOW_MS);
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((item) => item.sealed)).toBe(true);
    }
  });

  it('recounts an unsealed past day from its own hours only', async () => {
    // Arrange: a request yesterday at 23:00, counted twice live too.
    const late = usageRecord({ accountId: ACCOUNT, at: '2026-11-11T23:30:00.000Z' });
    await usage.append(late, RETENTION);
    await addLive(rollups, late, RETENTION);
    await addLive(rollups, late, RETENTION);
    const twoDays = { fromMs: Date.parse('2026-11-11T00:00:00.000Z'), toMs: NOW_MS };

    // Act
    const items = await exactUsage(rollups).read(ACCOUNT, {}, 'day', twoDays, NOW_MS);

    // Assert: 1 request on the 11th, 4 on the 12th.
    const perDay = new Map<string, number>();
    for (const item of items) {
      perDay.set(item.bucketStart, (perDay.get(item.bucketStart) ?? 0) + item.requests);
    }
    expect(Object.fromEntries(perDay)).toEqual({
      '2026-11-11T00:00:00.000Z': 1,
      '2026-11-12T00:00:00.000Z': 4,
    });
  });

  it('answers an unsealed day as its hours, under the day and exact', async () => {
    const items = await exactUsage(rollups).read(ACCOUNT, {}, 'day', TODAY, NOW_MS);
    expect(new Set(items.map((item) => item.bucketStart))).toEqual(
      new Set(['2026-11-12T00:00:00.000Z']),
    );
    expect(items.every((item) => item.sealed)).toBe(true);
    expect(items.reduce((sum, item) => sum + item.costPicoUsd, 0n)).toBe(4n);
  });

  it('keeps sealed buckets as they are and recounts only the unsealed ones', async () => {
    // Arrange: the 09:00 hour is sealed with one more request than the raw records hold now
    // (one expired since), so a recount would differ.
    const nine = Date.parse('2026-11-12T09:00:00.000Z');
    const sealedNine = rollupsFromRecords(
      [...records.slice(0, 2), usageRecord({ accountId: ACCOUNT, at: records[0]?.at })].map(
        (record) => ({ record, expiresAtEpochSeconds: RETENTION.expiresAtEpochSeconds }),
      ),
      'hour',
      true,
    );
    await rollups.replaceBucket(ACCOUNT, 'hour', nine, sealedNine);

    // Act + Assert: 3 sealed at 09:00, 2 recounted at 10:00 (4 live).
    expect(await requestsIn('live', {})).toBe(3 + 4);
    expect(await requestsIn('exact', {})).toBe(3 + 2);
  });
});
