import { describe, expect, it } from 'vitest';
import type { FxQuote } from '#core/currency/fx.ts';
import { currentFxQuote } from '#core/currency/refresh-fx-rates.ts';
import { ServiceUnavailableError } from '#core/errors.ts';
import type { FxRateStore } from '#core/ports/fx-rate-store.ts';
import type { Logger } from '#core/ports/logger.ts';
import { createFxRatesHandler } from '#handlers/fx-rates.ts';

const QUOTE: FxQuote = { date: '2026-11-23', usdPerEur: '1.1', chfPerEur: '0.935', source: 'ecb' };

function memoryStore(): FxRateStore & { quotes: FxQuote[] } {
  const quotes: FxQuote[] = [];
  return {
    quotes,
    put: async (quote) => {
      quotes.push(quote);
    },
    latest: async () => [...quotes].sort((a, b) => (a.date < b.date ? 1 : -1))[0],
  };
}

function logger() {
  const lines: string[] = [];
  const log: Logger = {
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message) => lines.push(`error ${message}`),
  };
  return { lines, log };
}

describe('fx-rates handler', () => {
  it('stores the fetched quote, which readers then use instead of the fallback', async () => {
    const store = memoryStore();
    expect((await currentFxQuote(store)).source).toBe('fallback');
    const handler = createFxRatesHandler({
      source: { fetchDaily: async () => QUOTE },
      store,
      logger: logger().log,
    });
    await handler({ source: 'aws.events' });
    expect(await currentFxQuote(store)).toEqual(QUOTE);
  });

  it('logs and rethrows when the ECB cannot be read, storing nothing', async () => {
    const store = memoryStore();
    const { lines, log } = logger();
    const handler = createFxRatesHandler({
      source: {
        fetchDaily: async () => {
          throw new Error('ECB reference rates answered 503');
        },
      },
      store,
      logger: log,
    });
    await expect(handler()).rejects.toThrow('503');
    expect(store.quotes).toEqual([]);
    expect(lines).toEqual([
      'error fx rates refresh failed; costs keep using the last stored (or shipped) rates',
    ]);
  });

  it('logs an unreachable source as one warning without a stack (offline is expected)', async () => {
    // Arrange
    const entries: { level: string; message: string; fields: unknown }[] = [];
    const record = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      entries.push({ level, message, fields });
    const handler = createFxRatesHandler({
      source: {
        fetchDaily: async () => {
          throw new ServiceUnavailableError('The ECB reference rates could not be fetched.', {
            service: 'ecb',
            operation: 'GET',
            cause: new TypeError('fetch failed'),
          });
        },
      },
      store: memoryStore(),
      logger: { info: record('info'), warn: record('warn'), error: record('error') },
    });

    // Act
    await expect(handler()).rejects.toBeInstanceOf(ServiceUnavailableError);

    // Assert
    expect(entries).toEqual([
      {
        level: 'warn',
        message: 'fx rates refresh failed; costs keep using the last stored (or shipped) rates',
        fields: {
          source: 'ecb',
          operation: 'GET',
          error: 'The ECB reference rates could not be fetched.',
        },
      },
    ]);
  });
});
