import { beforeAll, describe, expect, it } from 'vitest';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import { measureNow } from '#core/alerts/measure-now.ts';
import { scopedUsage } from '#core/alerts/scoped-usage.ts';
import { FALLBACK_FX } from '#core/currency/fx.ts';
import { HOUR_MS } from '#core/rollups/buckets.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { addLive } from '../../../fixtures/live-rollups.ts';
import { SILENT_LOGGER } from '../../../fixtures/silent-logger.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

/*
 * Traffic from 2026-11-01 00:00 to the observed hour 2026-11-12 09:00-10:00 (now is 10:30):
 * every hour one request tagged feature:search and one tagged feature:chat, $0.01 each; in the
 * observed hour search costs $0.03 instead. Untagged requests: $2.40 at noon of each day and
 * $5.00 in the observed hour, so every account-wide figure below would cross its threshold.
 */
const ACCOUNT_ID = 'acct-tag-rules';
const HISTORY_START_MS = Date.parse('2026-11-01T00:00:00.000Z');
const OBSERVED_HOUR_MS = Date.parse('2026-11-12T09:00:00.000Z');
const NOW_MS = Date.parse('2026-11-12T10:30:00.000Z');
const CENT_PICO = 10_000_000_000n;
const USD = { currency: 'USD', quote: FALLBACK_FX, historyStartMs: HISTORY_START_MS } as const;

let rollups: InMemoryRollupStore;

beforeAll(async () => {
  const clock = new FakeClock({ startMs: NOW_MS });
  const usage = new InMemoryUsageStore({ clock });
  rollups = new InMemoryRollupStore({ usage, clock });
  const keep = { expiresAtEpochSeconds: NOW_MS / 1000 + 90 * 86_400 };
  const request = async (atMs: number, costPicoUsd: bigint, tags?: UsageRecord['tags']) => {
    const record = usageRecord({
      accountId: ACCOUNT_ID,
      at: new Date(atMs).toISOString(),
      costPicoUsd,
      ...(tags === undefined ? {} : { tags }),
    });
    await usage.append(record, keep);
    await addLive(rollups, record, keep);
  };
  for (let hourMs = HISTORY_START_MS; hourMs <= OBSERVED_HOUR_MS; hourMs += HOUR_MS) {
    const at = hourMs + 5 * 60_000;
    const observed = hourMs === OBSERVED_HOUR_MS;
    await request(at, observed ? 3n * CENT_PICO : CENT_PICO, { feature: 'search' });
    await request(at, CENT_PICO, { feature: 'chat' });
    if (new Date(hourMs).getUTCHours() === 12) await request(at, 240n * CENT_PICO);
    if (observed) await request(at, 500n * CENT_PICO);
  }
  await sealRollups({ rollups, clock, logger: SILENT_LOGGER }, { lookbackMs: 13 * 24 * HOUR_MS });
});

function rule(overrides: Partial<AlertRule>): AlertRule {
  return {
    accountId: ACCOUNT_ID,
    ruleId: 'rule_tag',
    name: 'Tagged',
    type: 'budget',
    threshold: 1,
    paused: false,
    createdAt: '2026-11-01T00:00:00.000Z',
    lastFired: {},
    state: 'ok',
    ...overrides,
  };
}

const search = { kind: 'tag', key: 'feature', value: 'search' } as const;
const chat = { kind: 'tag', key: 'feature', value: 'chat' } as const;

async function measure(overrides: Partial<AlertRule>) {
  const { measurement } = await measureNow(
    { usage: scopedUsage(rollups) },
    rule(overrides),
    USD,
    NOW_MS,
  );
  return measurement;
}

describe('tag-scoped rules measure exactly the tagged requests', () => {
  it('a threshold rule sums the tag value only: search $2.76, chat $2.74 (account: $36.90)', async () => {
    // search: 11 days x 24 h x $0.01 + 9 h x $0.01 today + $0.03 = $2.76; chat: $2.64 + $0.10.
    const searchBudget = await measure({ scope: search, threshold: 2.76 });
    expect(searchBudget.value).toBe('2.760000');
    expect(searchBudget.levels).toEqual(['warning', 'alert']);

    const chatBudget = await measure({ scope: chat, threshold: 5 });
    expect(chatBudget.value).toBe('2.740000');
    expect(chatBudget.levels).toEqual([]);

    // The same threshold over the whole account is crossed: + 11 x $2.40 + $5.00 untagged.
    const account = await measure({ threshold: 5 });
    expect(account.value).toBe('36.900000');
    expect(account.levels).toEqual(['warning', 'alert']);
  });

  it('a forecast rule projects the tag value only: $7.20 for chat', async () => {
    // Closed days Nov 1-11: $0.24 a day; pace over Nov 5-11 = $0.24 a day; 19 days left.
    // 11 x 0.24 + 19 x 0.24 = $7.20. The account's projection is (0.48 + 2.40) x 30 = $86.40.
    const reached = await measure({ type: 'forecast', scope: chat, threshold: 7.2 });
    expect(reached.value).toBe('7.200000');
    expect(reached.levels).toEqual(['warning', 'alert']);

    const under = await measure({ type: 'forecast', scope: chat, threshold: 10 });
    expect(under.value).toBe('7.200000');
    expect(under.levels).toEqual([]);
    const account = await measure({ type: 'forecast', threshold: 10 });
    expect(account.value).toBe('86.400000');
    expect(account.levels).toEqual(['warning', 'alert']);
  });

  it('a spike rule compares the tag value with its own median, not the untagged spike', async () => {
    const spike = { type: 'spike', metric: 'cost', threshold: 3 } as const;
    // search: $0.03 observed against a $0.01 median: exactly 3x.
    const searchSpike = await measure({ ...spike, scope: search });
    expect(searchSpike.value).toBe('0.030000');
    expect(searchSpike.levels).toEqual(['warning', 'alert']);

    // chat: $0.01 against $0.01, though the untagged $5.00 made the account's hour spike.
    const chatSpike = await measure({ ...spike, scope: chat });
    expect(chatSpike.value).toBe('0.010000');
    expect(chatSpike.levels).toEqual([]);
    const account = await measure(spike);
    expect(account.value).toBe('5.040000');
    expect(account.levels).toEqual(['warning', 'alert']);
  });
});
