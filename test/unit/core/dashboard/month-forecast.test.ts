import { describe, expect, it } from 'vitest';
import { measureNow } from '#core/alerts/measure-now.ts';
import { scopedUsage } from '#core/alerts/scoped-usage.ts';
import { FALLBACK_FX } from '#core/currency/fx.ts';
import { createDashboardService } from '#core/dashboard/dashboard-service.ts';
import { sealRollups } from '#core/rollups/seal-rollups.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { addLive } from '../../../fixtures/live-rollups.ts';
import { SILENT_LOGGER } from '../../../fixtures/silent-logger.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-12T10:00:00.000Z');
const CREATED = '2026-10-01T00:00:00.000Z';
const TEN_USD = 10_000_000_000_000n;
const ALL = { model: [], provider: [], requester: [], status: [], kind: [] };

/** $10 of OpenAI and $1 of Anthropic on every day from Nov 1 to Nov 11, all sealed. */
async function sealedMonth() {
  const clock = new FakeClock({ startMs: Date.parse('2026-11-01T00:00:00.000Z') });
  const usage = new InMemoryUsageStore({ clock });
  const rollups = new InMemoryRollupStore({ usage, clock });
  const keep = { expiresAtEpochSeconds: NOW / 1000 + 365 * 86_400 };
  for (let day = 1; day <= 11; day += 1) {
    const at = new Date(Date.UTC(2026, 10, day, 9)).toISOString();
    for (const record of [
      usageRecord({ accountId: 'acct', requestId: `o${day}`, at, costPicoUsd: TEN_USD }),
      usageRecord({
        accountId: 'acct',
        requestId: `a${day}`,
        at,
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        costPicoUsd: TEN_USD / 10n,
      }),
    ]) {
      await usage.append(record, keep);
      await addLive(rollups, record, keep);
    }
  }
  clock.set(NOW);
  await sealRollups({ rollups, clock, logger: SILENT_LOGGER }, { lookbackMs: 13 * DAY });
  return { rollups, clock };
}

describe('the Costs tab projects the month with the forecast rules’ function', () => {
  it('shows $330 for the account and $300 for OpenAI alone, as a forecast rule measures', async () => {
    const { rollups, clock } = await sealedMonth();
    const service = createDashboardService({
      rollups,
      accounts: { getAccount: async () => ({ currency: 'USD', createdAt: CREATED }) as never },
      fxRates: { put: async () => undefined, latest: async () => undefined },
      clock,
    });

    const all = (await service.costs('acct', { range: '24h', ...ALL })).monthForecast;
    const openai = (await service.costs('acct', { range: '24h', ...ALL, provider: ['openai'] }))
      .monthForecast;

    // Hand sums: 11 days of $11 spent, $11 a day for the 19 days left: 121 + 209 = 330.
    expect(all).toEqual({
      status: 'projected',
      month: '2026-11',
      projected: '330.000000',
      spent: '121.000000',
      exactThrough: '2026-11-12T00:00:00.000Z',
      dailyPace: '11.000000',
      paceDays: 7,
    });
    expect(openai).toMatchObject({ projected: '300.000000', spent: '110.000000' });
    const rule = {
      accountId: 'acct',
      ruleId: 'rule_f',
      type: 'forecast' as const,
      threshold: 400,
      scope: { kind: 'provider' as const, provider: 'openai' as const },
      paused: false,
      createdAt: CREATED,
      lastFired: {},
      state: 'ok' as const,
    };
    const { measurement } = await measureNow(
      { usage: scopedUsage(rollups) },
      rule,
      { currency: 'USD', quote: FALLBACK_FX, historyStartMs: Date.parse(CREATED) },
      NOW,
    );
    expect(measurement.value).toBe('300.000000');
    // 300 of 400 is 75%: no level.
    expect(measurement.levels).toEqual([]);
  });

  it('says when there is too little history', async () => {
    const { rollups, clock } = await sealedMonth();
    const service = createDashboardService({
      rollups,
      accounts: {
        getAccount: async () =>
          ({ currency: 'USD', createdAt: '2026-11-10T08:00:00.000Z' }) as never,
      },
      fxRates: { put: async () => undefined, latest: async () => undefined },
      clock,
    });
    expect((await service.costs('acct', { range: '24h', ...ALL })).monthForecast).toEqual({
      status: 'too_little_history',
      month: '2026-11',
      paceDays: 1,
      neededDays: 3,
    });
  });
});
