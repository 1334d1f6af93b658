import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { PriceDataSource } from '../ports/price-data-source.ts';
import type { PriceVersionStore } from '../ports/price-version-store.ts';
import { PROVIDER_IDS } from '../providers/provider-registry.ts';
import type { PriceCatalogData } from './price-catalog.ts';
import { priceDataJson, readPriceData } from './price-data.ts';
import type { PriceTable } from './price-table.ts';
import { priceTableOf } from './price-table-from-data.ts';

export interface RefreshPricesDeps {
  readonly source: PriceDataSource;
  readonly store: PriceVersionStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** What prices when nothing is stored yet (the bundled table): the first refresh's baseline. */
  readonly bundled: PriceCatalogData;
}

/** What a refresh did. `kept`: the fetched data was refused and the version in use stays. */
export type PriceRefreshReport =
  | { readonly status: 'stored'; readonly dataVersion: string; readonly models: number }
  | { readonly status: 'unchanged'; readonly dataVersion: string }
  | { readonly status: 'kept'; readonly dataVersion: string; readonly reason: string };

/**
 * The version prices come from now, and its table: the stored one, else the bundled one (also
 * when the stored one cannot be read: a refresh is what replaces it).
 */
async function currentTable(
  deps: RefreshPricesDeps,
): Promise<{ readonly dataVersion: string; readonly table: PriceTable }> {
  const dataVersion = await deps.store.currentVersion();
  if (dataVersion === undefined) return deps.bundled;
  const stored = await deps.store.load(dataVersion);
  try {
    if (stored !== undefined) {
      return { dataVersion, table: priceTableOf(readPriceData(JSON.parse(stored.json))) };
    }
  } catch {
    // Unreadable: compared with the bundled table below, and replaced.
  }
  deps.logger.warn('stored price version unreadable; comparing with the bundled prices', {
    dataVersion,
  });
  return deps.bundled;
}

const pricedModels = (table: PriceTable, provider: keyof PriceTable): number =>
  table[provider].filter((entry) => entry.periods.at(-1)?.prices != null).length;

/** Why `next` is less than `previous` (a provider with fewer models, or fewer priced), if so. */
export function shrinkage(previous: PriceTable, next: PriceTable): string | undefined {
  const losses = PROVIDER_IDS.flatMap((provider) => {
    const [before, after] = [previous[provider].length, next[provider].length];
    const [pricedBefore, pricedAfter] = [
      pricedModels(previous, provider),
      pricedModels(next, provider),
    ];
    if (after < before) return [`${provider}: ${before} models before, ${after} now`];
    if (pricedAfter < pricedBefore) {
      return [`${provider}: ${pricedBefore} priced models before, ${pricedAfter} now`];
    }
    return [];
  });
  return losses.length === 0 ? undefined : losses.join('; ');
}

/** The fetched data, checked with the build's schema, or why it was refused. */
function checked(
  text: string,
): { data: ReturnType<typeof readPriceData>; table: PriceTable } | string {
  try {
    const data = readPriceData(JSON.parse(text));
    return { data, table: priceTableOf(data) };
  } catch (error) {
    return `the data does not fit the schema: ${error instanceof Error ? error.message : 'unknown'}`;
  }
}

function kept(
  deps: RefreshPricesDeps,
  refusal: { readonly dataVersion: string; readonly url: string; readonly reason: string },
): PriceRefreshReport {
  deps.logger.error('price refresh kept the version in use', refusal);
  return { status: 'kept', dataVersion: refusal.dataVersion, reason: refusal.reason };
}

/**
 * The daily price refresh: fetches the maintained genai-prices data, checks it with the schema
 * the build uses, and stores it as a new price version that the proxy picks up within minutes.
 * Data that does not fit, or that has fewer models (or fewer priced ones) for a provider than
 * the version in use, is refused: the version in use stays, and the reason is logged. Data
 * that prices exactly like the version in use stores nothing.
 *
 * @throws when the source cannot be fetched (the version in use stays)
 */
export async function refreshPrices(deps: RefreshPricesDeps): Promise<PriceRefreshReport> {
  const fetched = await deps.source.fetchData();
  const previous = await currentTable(deps);
  const refused = (reason: string) =>
    kept(deps, { dataVersion: previous.dataVersion, url: fetched.url, reason });
  const next = checked(fetched.text);
  if (typeof next === 'string') return refused(next);
  const reason = shrinkage(previous.table, next.table);
  if (reason !== undefined) return refused(reason);
  if (JSON.stringify(next.table) === JSON.stringify(previous.table)) {
    deps.logger.info('price data unchanged', { dataVersion: previous.dataVersion });
    return { status: 'unchanged', dataVersion: previous.dataVersion };
  }
  const fetchedAt = new Date(deps.clock.nowMs()).toISOString();
  const dataVersion = `genai-prices-data@${fetchedAt}`;
  await deps.store.publish({
    dataVersion,
    fetchedAt,
    sourceUrl: fetched.url,
    json: priceDataJson(next.data),
  });
  const models = PROVIDER_IDS.reduce((sum, provider) => sum + next.table[provider].length, 0);
  deps.logger.info('price version stored', { dataVersion, previous: previous.dataVersion, models });
  return { status: 'stored', dataVersion, models };
}
