import type { CostsDto } from '#contracts/dashboard-api.ts';
import { MAX_FILTER_VALUES } from '#contracts/usage-query.ts';
import { queryString } from './api-client.ts';
import { formatCount } from './format.ts';

type UnpricedModel = CostsDto['cost']['unpricedModels'][number];

/** The Logs page over exactly `range`, filtered to the unpriced models (as many as a filter takes). */
export function unpricedLogsHref(
  models: readonly UnpricedModel[],
  range: { readonly from: string; readonly to: string },
): string {
  return `/logs${queryString({
    range: 'custom',
    from: range.from,
    to: range.to,
    model: models.slice(0, MAX_FILTER_VALUES).map((entry) => entry.model),
  })}`;
}

/** `gpt-9-turbo (openai, 10), mistral-next (mistral, 2)`: most requests first, as the API sends them. */
export function unpricedModelList(models: readonly UnpricedModel[]): string {
  return models
    .map((entry) => `${entry.model} (${entry.provider}, ${formatCount(entry.requests)})`)
    .join(', ');
}
