import * as z from 'zod';
import { InvalidRequestError } from '#core/errors.ts';
import { type RepriceDeps, type RepriceReport, repriceUsage } from '#core/pricing/reprice.ts';
import { type ResealReport, resealUsage } from '#core/rollups/reseal-usage.ts';

export type RepriceHandlerDeps = RepriceDeps;

const isoTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/**
 * The operator's invocation payload: `{"since": "2026-11-30"}` or a full ISO time, and
 * `"onlyUnpriced": true` to re-price only records without a cost.
 */
const repriceEventSchema = z.object({
  since: isoTime,
  onlyUnpriced: z.boolean().optional(),
});

/** `{"reseal": {"since": "2026-11-30", "until": "...", "account": "<id>"}}`; until and account optional. */
const resealEventSchema = z.object({
  reseal: z.strictObject({
    since: isoTime,
    until: isoTime.optional(),
    account: z.string().min(1).optional(),
  }),
});

/** `shape` says what to send, with an example. */
function invalidEvent(shape: string, error: z.ZodError): InvalidRequestError {
  return new InvalidRequestError(`The event must be ${shape}: ${z.prettifyError(error)}`);
}

async function reseal(deps: RepriceHandlerDeps, event: object): Promise<ResealReport> {
  const parsed = resealEventSchema.safeParse(event);
  if (!parsed.success) {
    throw invalidEvent(
      '{"reseal": {"since": "<ISO date or time>", "until"?: "<ISO date or time>", "account"?: "<id>"}}, e.g. {"reseal": {"since": "2026-11-30"}}',
      parsed.error,
    );
  }
  const { since, until, account } = parsed.data.reseal;
  return resealUsage(deps, {
    sinceMs: Date.parse(since),
    untilMs: until === undefined ? undefined : Date.parse(until),
    accountId: account,
  });
}

async function reprice(deps: RepriceHandlerDeps, event: unknown): Promise<RepriceReport> {
  const parsed = repriceEventSchema.safeParse(event);
  if (!parsed.success) {
    throw invalidEvent(
      '{"since": "<ISO date or time>"}, e.g. {"since": "2026-11-30"}',
      parsed.error,
    );
  }
  return repriceUsage(deps, {
    sinceMs: Date.parse(parsed.data.since),
    onlyUnpriced: parsed.data.onlyUnpriced ?? false,
  });
}

/**
 * The re-pricing job, invoked by an operator (`aws lambda invoke`), never scheduled: re-prices
 * the records other price data priced since `since` (only the unpriced ones with
 * `onlyUnpriced`) with the current price version, and returns the report. With a `reseal`
 * event it instead rebuilds the rollups of every account-hour holding records in the window
 * (`resealUsage`). A bad event, or a window outside the one those accept, fails the invocation
 * with a message saying what to send.
 */
export function createRepriceHandler(deps: RepriceHandlerDeps) {
  return async (event: unknown): Promise<RepriceReport | ResealReport> => {
    try {
      return typeof event === 'object' && event !== null && 'reseal' in event
        ? await reseal(deps, event)
        : await reprice(deps, event);
    } catch (error) {
      if (error instanceof RangeError) throw new InvalidRequestError(error.message);
      throw error;
    }
  };
}
