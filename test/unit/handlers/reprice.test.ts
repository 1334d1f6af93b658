import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '#core/errors.ts';
import type { RepricedCost, RepriceStore } from '#core/ports/reprice-store.ts';
import { BUNDLED_PRICE_VERSION } from '#core/pricing/bundled-prices.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { createRepriceHandler } from '#handlers/reprice.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { fixedPrices } from '../../fakes/fixed-prices.ts';
import { InMemoryRollupStore } from '../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../fakes/in-memory-usage-store.ts';
import { SILENT_LOGGER } from '../../fixtures/silent-logger.ts';
import { usageRecord } from '../../fixtures/usage-record.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');

/** Records in memory; `updateCost` conditional on the price version, as the contract says. */
class ListRepriceStore implements RepriceStore {
  readonly records: UsageRecord[];
  constructor(records: UsageRecord[]) {
    this.records = records;
  }
  async *recordsBetween(fromMs: number, toMs: number): AsyncIterable<UsageRecord> {
    for (const record of this.records) {
      const atMs = Date.parse(record.at);
      if (atMs >= fromMs && atMs < toMs) yield record;
    }
  }
  async updateCost(record: UsageRecord, cost: RepricedCost) {
    const index = this.records.findIndex((r) => r.requestId === record.requestId);
    if (this.records[index]?.priceVersion !== record.priceVersion) return false;
    const { tierUnpriced, ...rest } = cost;
    this.records[index] = { ...record, ...rest, ...(tierUnpriced ? { tierUnpriced } : {}) };
    return true;
  }
}

async function setup(records: UsageRecord[] = []) {
  const clock = new FakeClock({ startMs: NOW });
  const store = new ListRepriceStore(records);
  // The same records again where the seal reads an hour's raw records.
  const usage = new InMemoryUsageStore({ clock });
  const keep = { expiresAtEpochSeconds: NOW / 1000 + 30 * 86_400 };
  for (const record of records) await usage.append(record, keep);
  const rollups = new InMemoryRollupStore({ usage, clock });
  const handler = createRepriceHandler({
    records: store,
    rollups,
    prices: fixedPrices(),
    clock,
    logger: SILENT_LOGGER,
  });
  return { store, rollups, handler };
}

describe('reprice handler', () => {
  it("re-prices since the event's date and returns the report", async () => {
    const { store, handler } = await setup([
      usageRecord({
        at: '2026-11-30T09:00:00.000Z',
        provider: 'anthropic',
        model: 'claude-opus-4-6',
        inputTokens: 1000,
        outputTokens: 100,
        costPicoUsd: null,
        priceVersion: '2025-11-24',
      }),
    ]);
    const report = await handler({ since: '2026-11-30' });
    expect(report).toMatchObject({ considered: 1, repriced: 1, costChanged: 1 });
    expect(store.records[0]).toMatchObject({
      costPicoUsd: 1000n * 5_000_000n + 100n * 25_000_000n,
      priceVersion: BUNDLED_PRICE_VERSION,
    });
  });

  it('re-prices only records without a cost with onlyUnpriced', async () => {
    const old = { at: '2026-11-30T09:00:00.000Z', priceVersion: '2025-11-24', outputTokens: 0 };
    const { store, handler } = await setup([
      usageRecord({ ...old, model: 'gpt-4o-mini', inputTokens: 10, costPicoUsd: 7n }),
      usageRecord({ ...old, model: 'gpt-4o-mini', inputTokens: 10, costPicoUsd: null }),
    ]);
    const report = await handler({ since: '2026-11-30', onlyUnpriced: true });
    expect(report).toMatchObject({ considered: 1, repriced: 1 });
    // 10 x $0.15 per MTok; the priced record keeps its cost and version.
    expect(store.records.map((r) => [r.costPicoUsd, r.priceVersion])).toEqual([
      [7n, '2025-11-24'],
      [1_500_000n, BUNDLED_PRICE_VERSION],
    ]);
  });

  it('accepts a full ISO time with a zone', async () => {
    const { handler } = await setup();
    await expect(handler({ since: '2026-11-30T08:00:00+01:00' })).resolves.toMatchObject({
      considered: 0,
    });
  });

  it.each([
    [undefined],
    [{}],
    [{ since: 'yesterday' }],
    [{ since: 1_764_460_800_000 }],
    [{ since: '2026-11-30T08:00:00' }],
    [{ since: '2026-11-30', onlyUnpriced: 'yes' }],
  ])('fails on %o with the expected shape in the message', async (event) => {
    const { handler } = await setup();
    const failed = handler(event);
    await expect(failed).rejects.toThrow(InvalidRequestError);
    await expect(failed).rejects.toThrow('The event must be {"since": "<ISO date or time>"}');
  });

  it('fails on a window older than the rollup markers live, saying so', async () => {
    const { handler } = await setup();
    await expect(handler({ since: '2026-10-01' })).rejects.toThrow(
      /since must be a past time within 718 hours/,
    );
  });

  describe('with a reseal event', () => {
    const hourOf = (hour: string) => Date.parse(`${hour}:00:00Z`);
    const records = () => [
      usageRecord({ accountId: 'acct-a', at: '2026-11-30T09:10:00.000Z' }),
      usageRecord({ accountId: 'acct-a', at: '2026-11-30T11:10:00.000Z' }),
      usageRecord({ accountId: 'acct-b', at: '2026-11-30T09:20:00.000Z' }),
    ];

    it("marks the window's account-hours of the account, seals them, and returns the report", async () => {
      const { rollups, handler } = await setup(records());

      const report = await handler({
        reseal: { since: '2026-11-30', until: '2026-11-30T10:00:00Z', account: 'acct-a' },
      });

      // Sealing clears the marker it finds: the one hour marked is the one sealed.
      expect(report).toEqual({
        hoursMarked: 1,
        sealed: { hoursSealed: 1, daysRebuilt: 1, daysPacked: 1 },
      });
      const sealed = await rollups.query('acct-a', 'hour', hourOf('2026-11-30T09'), NOW);
      expect(sealed.map((r) => [r.bucketStart, r.requests, r.sealed])).toEqual([
        ['2026-11-30T09:00:00.000Z', 1, true],
      ]);
      expect(await rollups.query('acct-b', 'hour', hourOf('2026-11-30T09'), NOW)).toEqual([]);
    });

    it('reseals every account up to now without until and account', async () => {
      const { handler } = await setup(records());

      await expect(handler({ reseal: { since: '2026-11-30T00:00:00+01:00' } })).resolves.toEqual({
        hoursMarked: 3,
        sealed: { hoursSealed: 3, daysRebuilt: 2, daysPacked: 2 },
      });
    });

    it.each([
      [{ reseal: {} }],
      [{ reseal: 'yesterday' }],
      [{ reseal: { since: 'yesterday' } }],
      [{ reseal: { since: '2026-11-30', until: 1_764_460_800_000 } }],
      [{ reseal: { since: '2026-11-30', account: '' } }],
      [{ reseal: { since: '2026-11-30', acount: 'acct-a' } }],
    ])('fails on %o with the reseal shape in the message', async (event) => {
      const { handler } = await setup();
      const failed = handler(event);
      await expect(failed).rejects.toThrow(InvalidRequestError);
      await expect(failed).rejects.toThrow('The event must be {"reseal": {"since": ');
    });

    it.each([
      [{ since: '2026-10-01' }, /since must be a past time within 718 hours/],
      [{ since: '2026-11-30', until: '2026-11-29' }, /until must be after since/],
    ])('fails on a window it cannot reseal (%o), saying why', async (reseal, message) => {
      const { handler } = await setup();
      const failed = handler({ reseal });
      await expect(failed).rejects.toThrow(InvalidRequestError);
      await expect(failed).rejects.toThrow(message);
    });
  });
});
