import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Currency } from '#core/accounts/account.ts';
import type { FxQuote } from '#core/currency/fx.ts';
import { InvalidRequestError, NotFoundError } from '#core/errors.ts';
import { deriveLogCursorKey } from '#core/logs/log-cursor.ts';
import {
  createLogsExporter,
  EXPORT_BATCH_SIZE,
  type LogsExporter,
} from '#core/logs/logs-export.ts';
import { createLogsService, type LogsService } from '#core/logs/logs-service.ts';
import { LOG_PAGE_SIZE } from '#core/usage/usage-query.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryUsageLog } from '../../../fakes/in-memory-usage-log.ts';
import { usageRecord } from '../../../fixtures/usage-record.ts';

const NOW_MS = Date.parse('2026-11-24T12:00:00.000Z');
const KEEP = { expiresAtEpochSeconds: NOW_MS / 1000 + 86_400 * 30 };

const QUOTE: FxQuote = { date: '2026-11-24', usdPerEur: '1.25', chfPerEur: '0.95', source: 'ecb' };
let currency: Currency;
/** The account store and FX rates the service reads the display currency from. */
const money = {
  accounts: { getAccount: async () => ({ currency }) as never },
  fxRates: { put: async () => undefined, latest: async () => QUOTE },
};

/** No sealed rollups: totals come from the raw records (log-count.test.ts covers the rest). */
const NO_ROLLUPS = { query: async () => [], queryTagValues: async () => [] };

let clock: FakeClock;
let log: InMemoryUsageLog;
let service: LogsService;
let exporter: LogsExporter;
/** The account's tag keys as the aggregator noted them (one stale, one recent). */
const knownKeys = {
  listTagKeys: async () => [
    { key: 'team', lastSeenAt: new Date(NOW_MS - 60_000).toISOString() },
    { key: 'legacy', lastSeenAt: '2026-11-01T00:00:00.000Z' },
  ],
};

function record(accountId: string, minutesAgo: number, overrides: Partial<UsageRecord> = {}) {
  return usageRecord({
    accountId,
    at: new Date(NOW_MS - minutesAgo * 60_000).toISOString(),
    ...overrides,
  });
}

beforeEach(() => {
  currency = 'USD';
  clock = new FakeClock({ startMs: NOW_MS });
  log = new InMemoryUsageLog({ clock });
  service = createLogsService({
    ...money,
    rollups: NO_ROLLUPS,
    logs: log,
    clock,
    cursorKey: deriveLogCursorKey(new Uint8Array([1, 2, 3])),
  });
  exporter = createLogsExporter({ ...money, logs: log, tagKeys: knownKeys, clock });
});

describe('listLogs', () => {
  it('pins the window and total of the first page for the pages after it', async () => {
    // Arrange: 60 records in the last 24 h
    for (let minutes = 1; minutes <= 60; minutes += 1) await log.append(record('a', minutes), KEEP);

    // Act: a new record arrives and time passes between page 1 and page 2
    const first = await service.listLogs('a', { range: '24h' });
    clock.advance(60_000);
    await log.append(record('a', 0), KEEP);
    const second = await service.listLogs('a', { range: '24h' }, first.nextCursor ?? '');

    // Assert
    expect(first.rows).toHaveLength(LOG_PAGE_SIZE);
    expect(first.totalCount).toBe(60);
    expect(second.rows).toHaveLength(10);
    expect(second.totalCount).toBe(60);
    expect(second.range).toEqual(first.range);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses a cursor of another account or another filter', async () => {
    for (let minutes = 1; minutes <= 51; minutes += 1) await log.append(record('a', minutes), KEEP);
    const { nextCursor } = await service.listLogs('a', { range: '24h' });

    await expect(service.listLogs('b', { range: '24h' }, nextCursor ?? '')).rejects.toThrow(
      InvalidRequestError,
    );
    await expect(
      service.listLogs('a', { range: '24h', model: ['gpt-4o-mini'] }, nextCursor ?? ''),
    ).rejects.toThrow(InvalidRequestError);
    await expect(service.listLogs('a', { range: '7d' }, nextCursor ?? '')).rejects.toThrow(
      InvalidRequestError,
    );
  });

  it('counts only the filtered, live records of the window', async () => {
    await log.append(record('a', 5, { status: 500 }), KEEP);
    await log.append(record('a', 6, { status: 502 }), KEEP);
    await log.append(record('a', 7, { status: 200 }), KEEP);
    await log.append(record('a', 8, { status: 503 }), { expiresAtEpochSeconds: NOW_MS / 1000 });
    await log.append(record('a', 60 * 25, { status: 500 }), KEEP);

    const page = await service.listLogs('a', { range: '24h', status: ['5xx'] });

    expect(page.totalCount).toBe(2);
    expect(page.rows.map((r) => r.status)).toEqual([500, 502]);
  });
});

describe('getLog', () => {
  it('finds the record, and 404s for other accounts', async () => {
    const mine = record('a', 1, { errorMessage: 'boom', errorSource: 'metrion', status: 502 });
    await log.append(mine, KEEP);

    expect(await service.getLog('a', mine.requestId)).toMatchObject({
      requestId: mine.requestId,
      status: 502,
      errorSource: 'metrion',
      errorMessage: 'boom',
    });
    await expect(service.getLog('b', mine.requestId)).rejects.toThrow(NotFoundError);
  });

  it('404s without a store read for ids that cannot exist', async () => {
    const reads: string[] = [];
    const counting = createLogsService({
      ...money,
      rollups: NO_ROLLUPS,
      logs: {
        queryLogs: log.queryLogs.bind(log),
        countLogs: log.countLogs.bind(log),
        getLog: async (accountId, requestId) => {
          reads.push(requestId);
          return log.getLog(accountId, requestId);
        },
      },
      clock,
      cursorKey: new Uint8Array(32),
    });

    for (const id of ['x'.repeat(129), 'a b', '', 'ä']) {
      await expect(counting.getLog('a', id)).rejects.toThrow(NotFoundError);
    }
    await expect(counting.getLog('a', randomUUID())).rejects.toThrow(NotFoundError);
    expect(reads).toHaveLength(1);
  });
});

describe('exportLogs', () => {
  it('yields every match newest first across store batches', async () => {
    const total = EXPORT_BATCH_SIZE + 7;
    for (let index = 0; index < total; index += 1) {
      await log.append(record('a', 1 + index / 100), KEEP);
    }

    const exported = await exporter.exportLogs('a', { range: '24h' });
    const seen: string[] = [];
    for await (const item of exported.records) seen.push(item.at);

    expect(seen).toHaveLength(total);
    expect(seen).toEqual([...seen].sort().reverse());
  });

  it('has a column for every key seen in the window and every key of the first page', async () => {
    await log.append(record('a', 5, { tags: { feature: 'search' } }), KEEP);
    await log.append(record('a', 4, { tags: { run: 'r-1' } }), KEEP);

    const day = await exporter.exportLogs('a', { range: '24h' });
    const quarter = await exporter.exportLogs('a', { range: '90d' });

    // `team` from the key list (seen a minute ago); `legacy` last seen before the 24h window.
    expect(day.tagKeys).toEqual(['feature', 'run', 'team']);
    expect(quarter.tagKeys).toEqual(['feature', 'legacy', 'run', 'team']);
  });

  it('validates before yielding anything', async () => {
    await expect(exporter.exportLogs('a', { range: 'custom' })).rejects.toThrow(
      InvalidRequestError,
    );
  });
});

describe('display money', () => {
  it("converts with the account's currency and the latest rate on every use case", async () => {
    currency = 'EUR';
    const priced = record('a', 1, { costPicoUsd: 2_500_000_000n });
    await log.append(priced, KEEP);

    const page = await service.listLogs('a', { range: '24h' });
    const detail = await service.getLog('a', priced.requestId);
    const exported = await exporter.exportLogs('a', { range: '24h' });

    // 0.0025 USD at 1.25 USD per EUR
    const fx = { currency: 'EUR', rate: '0.80000000', rateDate: '2026-11-24', source: 'ecb' };
    expect(page.rows[0]?.cost).toBe('0.002000');
    expect(detail.cost).toBe('0.002000');
    expect(exported.money.convert(2_500_000_000n)).toBe('0.002000');
    for (const used of [page.fx, detail.fx, exported.money.fx]) expect(used).toEqual(fx);
  });
});
