import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import type { PriceVersionStore, StoredPriceData } from '#core/ports/price-version-store.ts';

function version(fetchedAt: string, json = '[]'): StoredPriceData {
  return {
    dataVersion: `genai-prices-data@${fetchedAt}#${randomUUID().slice(0, 8)}`,
    fetchedAt,
    sourceUrl: 'http://127.0.0.1:9/data.json',
    json,
  };
}

/** The PriceVersionStore contract: what the price refresh and the proxy rely on. */
export function priceVersionStoreContract(createStore: () => Promise<PriceVersionStore>): void {
  let store: PriceVersionStore;

  beforeEach(async () => {
    store = await createStore();
  });

  it('has no current version before the first publish', async () => {
    expect(await store.currentVersion()).toBeUndefined();
  });

  it('makes a published version current and returns its data unchanged', async () => {
    // Multibyte text and a large body, as the real data has (about 55 KB).
    const json = JSON.stringify([{ id: 'anthropic', note: 'Grüße 👋', pad: 'x'.repeat(60_000) }]);
    const published = version('2026-12-07T03:00:00.000Z', json);
    await store.publish(published);
    expect(await store.currentVersion()).toBe(published.dataVersion);
    expect(await store.load(published.dataVersion)).toEqual(published);
  });

  it('keeps earlier versions loadable after a newer one became current', async () => {
    const first = version('2026-12-07T03:00:00.000Z', '[1]');
    const second = version('2026-12-08T03:00:00.000Z', '[2]');
    await store.publish(first);
    await store.publish(second);
    expect(await store.currentVersion()).toBe(second.dataVersion);
    expect(await store.load(first.dataVersion)).toEqual(first);
  });

  it('answers undefined for a version never stored', async () => {
    expect(await store.load('genai-prices-data@never')).toBeUndefined();
  });
}
