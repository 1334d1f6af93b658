import { exactUsd } from '../currency/money-text.ts';

/** The response header that tells the caller what a proxied answer cost (product.md §1). */
export const COST_HEADER = 'x-metrion-cost-usd';

/** What a caller sees when the model has no price: the record is kept, its cost is unknown. */
export const UNPRICED_COST = 'unpriced';

/**
 * The header value for a recorded cost: the exact USD decimal (`"0.000175"`, `"0"` for a cache
 * hit), or `unpriced`. Sent only when the cost is known before the headers leave (JSON answers
 * and cache hits); a live stream's cost is in Logs, because its body is never altered.
 */
export function costHeaderValue(costPicoUsd: bigint | null): string {
  return exactUsd(costPicoUsd) ?? UNPRICED_COST;
}
