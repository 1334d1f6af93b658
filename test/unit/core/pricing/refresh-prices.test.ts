import { REMOTE_DATA_JSON_URL } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { GENAI_PRICES_DATA_URL } from '#adapters/http/genai-prices-source.ts';
import type { FetchedPriceData, PriceDataSource } from '#core/ports/price-data-source.ts';
import { GENAI_PRICES_VERSION, GENERATED_PRICES } from '#core/pricing/generated-prices.ts';
import { catalogOfStored } from '#core/pricing/live-prices.ts';
import { refreshPrices, shrinkage } from '#core/pricing/refresh-prices.ts';
import { packagePriceData } from '../../../../scripts/generate-prices.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryPriceVersionStore } from '../../../fakes/in-memory-price-version-store.ts';
import { type CapturedLog, capturingLogger } from '../../../fixtures/capturing-logger.ts';

const NOW = Date.parse('2026-12-07T03:00:00Z');
const URL = 'http://127.0.0.1:9/data.json';

/** The package's data with one more OpenAI model, as the maintained file has after a release. */
function dataWithNewModel(): unknown[] {
  return (packagePriceData() as { id: string; models: unknown[] }[]).map((provider) =>
    provider.id === 'openai'
      ? {
          ...provider,
          models: [
            {
              id: 'gpt-9-turbo',
              match: { starts_with: 'gpt-9-turbo' },
              prices: { input_mtok: 2, cache_read_mtok: 0.2, output_mtok: 8 },
            },
            ...provider.models,
          ],
        }
      : provider,
  );
}

class FakeSource implements PriceDataSource {
  text: string;
  failure: Error | undefined;
  constructor(body: unknown) {
    this.text = JSON.stringify(body);
  }
  async fetchData(): Promise<FetchedPriceData> {
    if (this.failure) throw this.failure;
    return { url: URL, text: this.text };
  }
}

function setup(body: unknown) {
  const logs: CapturedLog[] = [];
  const deps = {
    source: new FakeSource(body),
    store: new InMemoryPriceVersionStore(),
    clock: new FakeClock({ startMs: NOW }),
    logger: capturingLogger(logs),
    bundled: { dataVersion: `genai-prices@${GENAI_PRICES_VERSION}`, table: GENERATED_PRICES },
  };
  return { deps, logs };
}

describe('refreshPrices', () => {
  it('stores data with a new model as a new version that prices it', async () => {
    const { deps } = setup(dataWithNewModel());

    const report = await refreshPrices(deps);

    const dataVersion = 'genai-prices-data@2026-12-07T03:00:00.000Z';
    expect(report).toMatchObject({ status: 'stored', dataVersion });
    expect(await deps.store.currentVersion()).toBe(dataVersion);
    const stored = await deps.store.load(dataVersion);
    expect(stored).toMatchObject({ fetchedAt: '2026-12-07T03:00:00.000Z', sourceUrl: URL });
    const catalog = catalogOfStored(stored ?? expect.fail('not stored'));
    const usage = { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0 };
    // 1000 x $2 + 100 x $8 per MTok.
    expect(catalog.computeCost('openai', 'gpt-9-turbo', usage, NOW).costPicoUsd).toBe(
      2_800_000_000n,
    );
  });

  it('stores nothing when the data prices exactly like the version in use', async () => {
    const { deps } = setup(packagePriceData());
    expect(await refreshPrices(deps)).toEqual({
      status: 'unchanged',
      dataVersion: `genai-prices@${GENAI_PRICES_VERSION}`,
    });
    expect(await deps.store.currentVersion()).toBeUndefined();
  });

  it('compares with the stored version once there is one', async () => {
    const { deps } = setup(dataWithNewModel());
    await refreshPrices(deps);
    deps.clock.advance(86_400_000);
    expect(await refreshPrices(deps)).toMatchObject({ status: 'unchanged' });
    deps.source.text = JSON.stringify(packagePriceData());
    // The package's data lacks the model the stored version has: less data, kept.
    const openai = GENERATED_PRICES.openai.length;
    expect(await refreshPrices(deps)).toMatchObject({
      status: 'kept',
      dataVersion: 'genai-prices-data@2026-12-07T03:00:00.000Z',
      reason: `openai: ${openai + 1} models before, ${openai} now`,
    });
  });

  it('keeps the version in use, and logs why, when a provider has fewer models', async () => {
    const fewer = (packagePriceData() as { id: string; models: unknown[] }[]).map((provider) =>
      provider.id === 'x-ai' ? { ...provider, models: provider.models.slice(1) } : provider,
    );
    const { deps, logs } = setup(fewer);

    const report = await refreshPrices(deps);

    const grok = GENERATED_PRICES.grok.length;
    expect(report).toEqual({
      status: 'kept',
      dataVersion: `genai-prices@${GENAI_PRICES_VERSION}`,
      reason: `grok: ${grok} models before, ${grok - 1} now`,
    });
    expect(await deps.store.currentVersion()).toBeUndefined();
    expect(logs).toContainEqual({
      level: 'error',
      message: 'price refresh kept the version in use',
      fields: expect.objectContaining({
        reason: report.status === 'kept' && report.reason,
        url: URL,
      }),
    });
  });

  it.each([
    ['not JSON', '<html>rate limited</html>', /does not fit the schema/],
    ['a provider missing', '[]', /provider anthropic is missing/],
    ['an object instead of a list', '{"providers":[]}', /expected an array of providers/],
  ])('keeps the version in use when the data is %s', async (_case, text, reason) => {
    const { deps } = setup([]);
    deps.source.text = text;
    const report = await refreshPrices(deps);
    expect(report.status).toBe('kept');
    expect(report.status === 'kept' && report.reason).toMatch(reason);
    expect(await deps.store.currentVersion()).toBeUndefined();
  });

  it('fails, storing nothing, when the data cannot be fetched', async () => {
    const { deps } = setup(dataWithNewModel());
    deps.source.failure = new Error('connect ECONNREFUSED');
    await expect(refreshPrices(deps)).rejects.toThrow('ECONNREFUSED');
    expect(await deps.store.currentVersion()).toBeUndefined();
  });
});

describe('shrinkage', () => {
  it('names every provider that lost models or priced models', () => {
    const lessPriced = {
      ...GENERATED_PRICES,
      mistral: GENERATED_PRICES.mistral.map((entry) => ({ ...entry, periods: [{ prices: null }] })),
    };
    expect(shrinkage(GENERATED_PRICES, lessPriced)).toMatch(
      /^mistral: \d+ priced models before, 0 now$/,
    );
    expect(shrinkage(GENERATED_PRICES, GENERATED_PRICES)).toBeUndefined();
  });
});

describe('GENAI_PRICES_DATA_URL', () => {
  it("is the package's REMOTE_DATA_JSON_URL (the package stays out of the bundles)", () => {
    expect(GENAI_PRICES_DATA_URL).toBe(REMOTE_DATA_JSON_URL);
  });
});
