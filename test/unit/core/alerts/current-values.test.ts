import { describe, expect, it } from 'vitest';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import { currentValueReader } from '#core/alerts/current-values.ts';
import { measureRule } from '#core/alerts/measure-rule.ts';
import type { ScopedUsageRollups } from '#core/alerts/scoped-usage.ts';
import { FALLBACK_FX } from '#core/currency/fx.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { addLive } from '../../../fixtures/live-rollups.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

const NOW_MS = Date.parse('2026-03-10T12:30:00.000Z');
const ACCOUNT_ID = 'acct-current';

function rule(fields: Partial<AlertRule> & Pick<AlertRule, 'ruleId' | 'type'>): AlertRule {
  return {
    accountId: ACCOUNT_ID,
    threshold: 10,
    paused: false,
    createdAt: '2026-03-01T00:00:00.000Z',
    lastFired: {},
    state: 'ok',
    ...fields,
  };
}

async function seededRollups() {
  const clock = new FakeClock({ startMs: NOW_MS });
  const rollups = new InMemoryRollupStore({ usage: new InMemoryUsageStore({ clock }), clock });
  const keep = { expiresAtEpochSeconds: NOW_MS / 1000 + 365 * 86_400 };
  // $3 this month (on the 2nd), 4 requests in the current hour.
  await addLive(
    rollups,
    usageRecord({
      accountId: ACCOUNT_ID,
      at: '2026-03-02T08:00:00.000Z',
      costPicoUsd: 3_000_000_000_000n,
    }),
    keep,
  );
  for (let index = 0; index < 4; index += 1) {
    await addLive(
      rollups,
      usageRecord({ accountId: ACCOUNT_ID, at: '2026-03-10T12:10:00.000Z', costPicoUsd: 0n }),
      keep,
    );
  }
  return rollups;
}

const NO_STORED_RATES = { put: async () => undefined, latest: async () => undefined };

describe('currentValueReader', () => {
  it("gives each rule the evaluator's measurement: the value and its share of the threshold", async () => {
    const rollups = await seededRollups();
    const rules = [
      rule({ ruleId: 'budget', type: 'budget', threshold: 12, period: { kind: 'month' } }),
      rule({ ruleId: 'volume', type: 'request_volume', threshold: 8 }),
      rule({ ruleId: 'latency', type: 'latency_p95', threshold: 100, providers: ['anthropic'] }),
    ];

    const currentOf = await currentValueReader(
      { rollups, fxRates: NO_STORED_RATES },
      { currency: 'USD', createdAt: '2026-01-01T00:00:00.000Z' },
      NOW_MS,
    );
    const values = await Promise.all(rules.map(currentOf));

    expect(values).toEqual([
      { value: '3.000000', ratio: 0.25 },
      { value: '4', ratio: 0.5 },
      // No Anthropic request in the window: nothing to measure.
      { value: null, ratio: null, skipped: 'no_requests' },
    ]);
    // The same figure the evaluator measures from the same rollups.
    const window = await rollups.query(ACCOUNT_ID, 'hour', NOW_MS - 90 * 60_000, NOW_MS);
    const measured = measureRule(rules[1] as AlertRule, window, {
      currency: 'USD',
      quote: FALLBACK_FX,
    });
    expect(values[1]).toEqual({ value: measured.value, ratio: measured.ratio });
  });

  it('reads the rollups of one span once for all the rules that cover it', async () => {
    const store = await seededRollups();
    const reads: string[] = [];
    const rollups: ScopedUsageRollups = {
      query: (accountId, granularity, fromMs, toMs) => {
        reads.push(`${granularity}/${fromMs}/${toMs}`);
        return store.query(accountId, granularity, fromMs, toMs);
      },
      queryMonthPacks: (accountId, fromMs, toMs) => store.queryMonthPacks(accountId, fromMs, toMs),
      queryTagValues: (...args) => store.queryTagValues(...args),
    };
    const windowRules = (['a', 'b', 'c'] as const).map((id) =>
      rule({ ruleId: id, type: 'request_volume' }),
    );

    const currentOf = await currentValueReader(
      { rollups, fxRates: NO_STORED_RATES },
      { currency: 'USD', createdAt: '2026-01-01T00:00:00.000Z' },
      NOW_MS,
    );
    await Promise.all(windowRules.map(currentOf));

    expect(reads).toHaveLength(1);
  });
});
