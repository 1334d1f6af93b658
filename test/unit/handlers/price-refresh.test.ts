import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '#core/errors.ts';
import { GENAI_PRICES_VERSION, GENERATED_PRICES } from '#core/pricing/generated-prices.ts';
import { createPriceRefreshHandler } from '#handlers/price-refresh.ts';
import { FakeClock } from '../../fakes/fake-clock.ts';
import { InMemoryPriceVersionStore } from '../../fakes/in-memory-price-version-store.ts';
import { type CapturedLog, capturingLogger } from '../../fixtures/capturing-logger.ts';

function handlerWith(fetchData: () => Promise<{ url: string; text: string }>) {
  const logs: CapturedLog[] = [];
  const store = new InMemoryPriceVersionStore();
  const handler = createPriceRefreshHandler({
    source: { fetchData },
    store,
    clock: new FakeClock(),
    logger: capturingLogger(logs),
    bundled: { dataVersion: `genai-prices@${GENAI_PRICES_VERSION}`, table: GENERATED_PRICES },
  });
  return { handler, logs, store };
}

describe('price-refresh handler', () => {
  it('logs and rethrows when the data cannot be fetched, so the invocation fails', async () => {
    const { handler, logs, store } = handlerWith(async () => {
      throw new Error('genai-prices answered 503');
    });
    await expect(handler({ source: 'aws.events' })).rejects.toThrow('answered 503');
    expect(logs.map((line) => `${line.level} ${line.message}`)).toEqual([
      'error price refresh failed; the price version in use stays',
    ]);
    expect(await store.currentVersion()).toBeUndefined();
  });

  it('logs an unreachable source as one warning without a stack (offline is expected)', async () => {
    // Arrange
    const { handler, logs } = handlerWith(async () => {
      throw new ServiceUnavailableError('The genai-prices data could not be fetched.', {
        service: 'genai-prices',
        operation: 'GET',
        cause: new TypeError('fetch failed'),
      });
    });

    // Act
    await expect(handler({ source: 'aws.events' })).rejects.toBeInstanceOf(ServiceUnavailableError);

    // Assert
    expect(logs).toEqual([
      {
        level: 'warn',
        message: 'price refresh failed; the price version in use stays',
        fields: {
          source: 'genai-prices',
          operation: 'GET',
          error: 'The genai-prices data could not be fetched.',
        },
      },
    ]);
  });

  it('returns the report when refused data keeps the version in use', async () => {
    const { handler } = handlerWith(async () => ({ url: 'http://127.0.0.1:9/', text: '[]' }));
    await expect(handler({ source: 'aws.events' })).resolves.toMatchObject({ status: 'kept' });
  });
});
