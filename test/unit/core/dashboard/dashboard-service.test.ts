import { describe, expect, it } from 'vitest';
import type { Currency } from '#core/accounts/account.ts';
import type { FxQuote } from '#core/currency/fx.ts';
import { createDashboardService } from '#core/dashboard/dashboard-service.ts';
import { changePct } from '#core/dashboard/sums.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryRollupStore } from '../../../fakes/in-memory-rollup-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { testAccount } from '../../../fixtures/account.ts';
import { addLive } from '../../../fixtures/live-rollups.ts';

const NOW = Date.parse('2026-03-10T12:30:00.000Z');
const KEEP = { expiresAtEpochSeconds: NOW / 1000 + 86_400 * 365 };
const QUOTE: FxQuote = {
  date: '2026-03-09',
  usdPerEur: '1.2500',
  chfPerEur: '1.0000',
  source: 'ecb',
};

function rec(at: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId: `${at}-${Math.random()}`,
    accountId: 'acct',
    at,
    provider: 'openai',
    model: 'gpt-4o-mini',
    status: 200,
    inputTokens: 10,
    outputTokens: 5,
    cacheReadTokens: 1,
    cacheWriteTokens: 0,
    totalTokens: 16,
    costPicoUsd: 1_000_000_000_000n,
    priceVersion: 't',
    latencyMs: 100,
    streamed: false,
    cached: false,
    mode: 'stored',
    ...overrides,
  };
}

async function serviceWith(records: UsageRecord[], currency: Currency = 'USD') {
  const clock = new FakeClock({ startMs: NOW });
  const usage = new InMemoryUsageStore({ clock });
  const rollups = new InMemoryRollupStore({ usage, clock });
  for (const r of records) await addLive(rollups, r, KEEP);
  return createDashboardService({
    rollups,
    accounts: { getAccount: async () => testAccount('acc_1', { currency }) },
    fxRates: { put: async () => undefined, latest: async () => QUOTE },
    clock,
  });
}

const ALL = { model: [], provider: [], requester: [], status: [], kind: [] };

describe('dashboard overview assembly', () => {
  it('compares with the previous period of the same length', async () => {
    const service = await serviceWith([
      rec('2026-03-10T11:00:00.000Z'),
      rec('2026-03-10T12:00:00.000Z', { status: 500, latencyMs: 300 }),
      rec('2026-03-09T10:00:00.000Z'), // previous 24 h
    ]);
    const overview = await service.overview('acct', { range: '24h', ...ALL });
    expect(overview.requests).toMatchObject({ total: 2, previousTotal: 1, changePct: 100 });
    expect(overview.requests.success.at(-1)).toBe(0);
    expect(overview.requests.errors.at(-1)).toBe(1);
    expect(overview.requests.success.at(-2)).toBe(1);
    expect(overview.errors).toMatchObject({
      total: 1,
      rate: 0.5,
      byStatus: [{ status: 500, count: 1 }],
    });
    expect(overview.avgLatencyMs).toMatchObject({ value: 200, previous: 100, changePct: 100 });
    expect(overview.cost).toMatchObject({
      total: '2.000000',
      previousTotal: '1.000000',
      changePct: 100,
    });
  });

  it('splits cost by model and provider share, unpriced requests counted apart', async () => {
    const service = await serviceWith([
      rec('2026-03-10T11:00:00.000Z', {
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        costPicoUsd: 3_000_000_000_000n,
      }),
      rec('2026-03-10T11:10:00.000Z'),
      rec('2026-03-10T11:20:00.000Z', { model: 'mystery', costPicoUsd: null }),
    ]);
    const overview = await service.overview('acct', { range: '24h', ...ALL });
    expect(overview.topProviders).toEqual([
      { provider: 'anthropic', cost: '3.000000', share: 0.75 },
      { provider: 'openai', cost: '1.000000', share: 0.25 },
    ]);
    expect(overview.costByModel[0]).toMatchObject({ model: 'claude-haiku-4-5', total: '3.000000' });
    expect(overview.cost.unpricedRequests).toBe(1);
  });

  it('names the unpriced models and counts requests priced without their tier price', async () => {
    const service = await serviceWith([
      rec('2026-03-10T11:00:00.000Z', { model: 'gpt-9', costPicoUsd: null }),
      rec('2026-03-10T11:05:00.000Z', { model: 'gpt-9', costPicoUsd: null, status: 500 }),
      rec('2026-03-10T11:10:00.000Z', { provider: 'mistral', model: 'next', costPicoUsd: null }),
      rec('2026-03-10T11:20:00.000Z', { serviceTier: 'scale', tierUnpriced: true }),
      rec('2026-03-10T11:30:00.000Z'),
    ]);
    const costs = await service.costs('acct', { range: '24h', ...ALL });
    expect(costs.cost).toMatchObject({
      unpricedRequests: 3,
      unpricedModels: [
        { provider: 'openai', model: 'gpt-9', requests: 2 },
        { provider: 'mistral', model: 'next', requests: 1 },
      ],
      tierUnpricedRequests: 1,
    });
  });

  it('filters by requester (none selected with -), status class and model, and converts to EUR', async () => {
    const service = await serviceWith(
      [
        rec('2026-03-10T11:00:00.000Z', { requester: 'ci' }),
        rec('2026-03-10T11:00:00.000Z', { requester: 'ci', status: 429 }),
        rec('2026-03-10T11:00:00.000Z'),
      ],
      'EUR',
    );
    const ci = await service.overview('acct', {
      range: '24h',
      ...ALL,
      requester: ['ci'],
      status: ['2xx'],
    });
    expect(ci.requests.total).toBe(1);
    expect(ci.fx).toEqual({
      currency: 'EUR',
      rate: '0.80000000',
      rateDate: '2026-03-09',
      source: 'ecb',
    });
    expect(ci.cost.total).toBe('0.800000');
    const none = await service.overview('acct', { range: '24h', ...ALL, requester: ['-'] });
    expect(none.requests.total).toBe(1);
    expect(none.uniqueRequesters.total).toBe(0);
    const other = await service.overview('acct', { range: '24h', ...ALL, model: ['gpt-4o'] });
    expect(other.requests.total).toBe(0);
    expect(other.dimensions.requesters).toEqual(['ci']);
  });

  it('filters by kind, chat including the records written without one, and lists the kinds seen', async () => {
    const service = await serviceWith([
      rec('2026-03-10T11:00:00.000Z'), // before kinds: chat
      rec('2026-03-10T11:01:00.000Z', { kind: 'chat' }),
      rec('2026-03-10T11:02:00.000Z', { kind: 'embeddings', model: 'text-embedding-3-small' }),
      rec('2026-03-10T11:03:00.000Z', { kind: 'embeddings', model: 'text-embedding-3-small' }),
      rec('2026-03-10T11:04:00.000Z', { kind: 'embeddings', model: 'text-embedding-3-small' }),
    ]);
    const chat = await service.overview('acct', { range: '24h', ...ALL, kind: ['chat'] });
    expect(chat.requests.total).toBe(2);
    const embeddings = await service.overview('acct', {
      ...ALL,
      range: '24h',
      kind: ['embeddings'],
    });
    expect(embeddings.requests.total).toBe(3);
    expect(embeddings.requestsByModel.map((m) => m.model)).toEqual(['text-embedding-3-small']);
    const none = await service.overview('acct', { range: '24h', ...ALL, kind: ['responses'] });
    expect(none.requests.total).toBe(0);
    expect(none.dimensions.kinds).toEqual(['chat', 'embeddings']);
  });

  it('counts the estimated requests of the range (dropped streams) and their share, filters applied', async () => {
    const service = await serviceWith([
      rec('2026-03-10T11:00:00.000Z', { streamed: true, estimated: true }),
      rec('2026-03-10T11:05:00.000Z', { streamed: true, estimated: true, model: 'gpt-4o' }),
      rec('2026-03-10T11:10:00.000Z', { streamed: true }),
      rec('2026-03-10T11:15:00.000Z'),
      rec('2026-03-09T10:00:00.000Z', { streamed: true, estimated: true }), // previous 24 h
    ]);
    const overview = await service.overview('acct', { range: '24h', ...ALL });
    expect(overview.estimated).toEqual({ count: 2, share: 0.5 });
    const mini = await service.overview('acct', { range: '24h', ...ALL, model: ['gpt-4o-mini'] });
    expect(mini.estimated).toEqual({ count: 1, share: 1 / 3 });
  });

  it('has no estimated share without requests', async () => {
    const service = await serviceWith([]);
    const overview = await service.overview('acct', { range: '24h', ...ALL });
    expect(overview.estimated).toEqual({ count: 0, share: 0 });
  });

  it('has no change percentage without a baseline', () => {
    expect(changePct(5, 0)).toBeNull();
    expect(changePct(1, 4)).toBe(-75);
  });
});

describe('dashboard tokens by model', () => {
  it('lists cache reads and writes per model, so each row adds up to its total', async () => {
    const service = await serviceWith([
      rec('2026-03-10T11:00:00.000Z', { cacheReadTokens: 7, cacheWriteTokens: 3 }),
      rec('2026-03-10T11:30:00.000Z', { cacheReadTokens: 0, cacheWriteTokens: 20 }),
    ]);

    const tokens = await service.tokens('acct', { range: '24h', ...ALL });

    // Two requests of 10 input and 5 output tokens each, plus their cache tokens.
    expect(tokens.byModel).toEqual([
      {
        provider: 'openai',
        model: 'gpt-4o-mini',
        input: 20,
        output: 10,
        cacheRead: 7,
        cacheWrite: 23,
        total: 60,
      },
    ]);
  });
});
