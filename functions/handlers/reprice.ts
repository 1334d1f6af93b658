import * as z from 'zod';
import { InvalidRequestError } from '#core/errors.ts';
import { type RepriceDeps, type RepriceReport, repriceUsage } from '#core/pricing/reprice.ts';

export type RepriceHandlerDeps = RepriceDeps;

/**
 * The operator's invocation payload: `{"since": "2026-11-30"}` or a full ISO time, and
 * `"onlyUnpriced": true` to re-price only records without a cost.
 */
const repriceEventSchema = z.object({
  since: z.union([z.iso.date(), z.iso.datetime({ offset: true })]),
  onlyUnpriced: z.boolean().optional(),
});

/**
 * The re-pricing job, invoked by an operator (`aws lambda invoke`), never scheduled: re-prices
 * the records other price data priced since `since` (only the unpriced ones with
 * `onlyUnpriced`) with the current price version, and returns the report. A bad
 * event, or a `since` outside the window `repriceUsage` accepts, fails the invocation with a
 * message saying what to send.
 */
export function createRepriceHandler(deps: RepriceHandlerDeps) {
  return async (event: unknown): Promise<RepriceReport> => {
    const parsed = repriceEventSchema.safeParse(event);
    if (!parsed.success) {
      throw new InvalidRequestError(
        `The event must be {"since": "<ISO date or time>"}, e.g. {"since": "2026-11-30"}: ${z.prettifyError(parsed.error)}`,
      );
    }
    try {
      return await repriceUsage(deps, {
        sinceMs: Date.parse(parsed.data.since),
        onlyUnpriced: parsed.data.onlyUnpriced ?? false,
      });
    } catch (error) {
      if (error instanceof RangeError) throw new InvalidRequestError(error.message);
      throw error;
    }
  };
}
