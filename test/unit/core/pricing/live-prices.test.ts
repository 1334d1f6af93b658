import { describe, expect, it } from 'vitest';
import { BUNDLED_PRICES } from '#core/pricing/bundled-prices.ts';
import { createLivePrices, PRICE_CHECK_INTERVAL_MS } from '#core/pricing/live-prices.ts';
import { priceDataJson, readPriceData } from '#core/pricing/price-data.ts';
import { packagePriceData } from '../../../../scripts/generate-prices.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryPriceVersionStore } from '../../../fakes/in-memory-price-version-store.ts';
import { type CapturedLog, capturingLogger } from '../../../fixtures/capturing-logger.ts';

const NOW = Date.parse('2026-12-07T03:00:00Z');
const JSON_TEXT = priceDataJson(readPriceData(packagePriceData()));

function setup() {
  const store = new InMemoryPriceVersionStore();
  const clock = new FakeClock({ startMs: NOW });
  const logs: CapturedLog[] = [];
  const prices = createLivePrices({
    store,
    clock,
    logger: capturingLogger(logs),
    fallback: BUNDLED_PRICES,
  });
  const publish = (dataVersion: string, json = JSON_TEXT) =>
    store.publish({ dataVersion, fetchedAt: new Date(NOW).toISOString(), sourceUrl: 'x', json });
  /** Lets a background check finish (it runs on the in-memory store's promises). */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { store, clock, logs, prices, publish, settle };
}

describe('createLivePrices', () => {
  it('prices with the bundled table until a version is stored', async () => {
    const { prices } = setup();
    expect(prices.current()).toBe(BUNDLED_PRICES);
    expect(await prices.latest()).toBe(BUNDLED_PRICES);
  });

  it('answers at once and loads a stored version in the background', async () => {
    const { prices, publish, settle } = setup();
    await publish('genai-prices-data@a');

    expect(prices.current()).toBe(BUNDLED_PRICES);
    await settle();

    expect(prices.current().version).toMatch(/^genai-prices-data@a\+overrides@\d+$/);
  });

  it('looks for a new version at most once per interval, and loads data only when it moved', async () => {
    const { store, clock, prices, publish, settle } = setup();
    await publish('genai-prices-data@a');
    prices.current();
    await settle();
    for (let call = 0; call < 50; call += 1) prices.current();
    await settle();
    expect(store.reads).toEqual({ currentVersion: 1, load: 1 });

    clock.advance(PRICE_CHECK_INTERVAL_MS - 1);
    prices.current();
    await settle();
    expect(store.reads.currentVersion).toBe(1);

    clock.advance(1);
    prices.current();
    await settle();
    expect(store.reads).toEqual({ currentVersion: 2, load: 1 });

    await publish('genai-prices-data@b');
    clock.advance(PRICE_CHECK_INTERVAL_MS);
    prices.current();
    await settle();
    expect(store.reads).toEqual({ currentVersion: 3, load: 2 });
    expect(prices.current().version).toMatch(/^genai-prices-data@b\+/);
  });

  it('answers the version in use from inUse() without ever looking for a new one', async () => {
    const { store, clock, prices, publish, settle } = setup();
    await publish('genai-prices-data@a');

    clock.advance(PRICE_CHECK_INTERVAL_MS);
    const inUse = prices.inUse();
    await settle();

    expect(inUse).toBe(BUNDLED_PRICES);
    expect(store.reads).toEqual({ currentVersion: 0, load: 0 });
    prices.current();
    await settle();
    expect(prices.inUse().version).toMatch(/^genai-prices-data@a\+overrides@\d+$/);
  });

  it('keeps the version in use, and logs why, when the store fails', async () => {
    const { store, clock, logs, prices, publish, settle } = setup();
    await publish('genai-prices-data@a');
    const loaded = await prices.latest();
    store.failure = new Error('throttled');
    clock.advance(PRICE_CHECK_INTERVAL_MS);
    prices.current();
    await settle();
    expect(prices.current()).toBe(loaded);
    expect(logs.at(-1)).toMatchObject({
      level: 'warn',
      message: 'price version check failed; pricing with the version in use',
      fields: { priceVersion: loaded.version, error: 'Error: throttled' },
    });
  });

  it('keeps the version in use when the stored data does not fit the schema', async () => {
    const { prices, publish } = setup();
    await publish('genai-prices-data@broken', '[{"id":"anthropic"}]');
    expect(await prices.latest()).toBe(BUNDLED_PRICES);
  });

  it('makes latest() wait for a check that current() started', async () => {
    const { prices, publish } = setup();
    await publish('genai-prices-data@a');
    prices.current();
    expect((await prices.latest()).version).toMatch(/^genai-prices-data@a\+/);
  });
});
