import type { Account } from '../accounts/account.ts';
import { currentFxQuote } from '../currency/refresh-fx-rates.ts';
import type { FxRateStore } from '../ports/fx-rate-store.ts';
import type { MonthPacks } from '../rollups/month-packs.ts';
import type { Rollup } from '../rollups/rollup.ts';
import type { TagRollup } from '../rollups/tag-rollup.ts';
import type { MeasurementSkip } from './alert-policy.ts';
import type { AlertRule } from './alert-rule.ts';
import { measureNow } from './measure-now.ts';
import { type ScopedUsageRollups, scopedUsage } from './scoped-usage.ts';

/** A rule's figure now, as the Alerts list shows it next to the threshold. */
export interface CurrentValue {
  /** In the threshold's unit, an exact decimal string; null when nothing could be measured. */
  readonly value: string | null;
  /** `value` as a share of the threshold (1 = reached), for a gauge; null without a value. */
  readonly ratio: number | null;
  /** Why the evaluator would judge no level now. */
  readonly skipped?: MeasurementSkip;
}

export interface CurrentValuesDeps {
  readonly rollups: ScopedUsageRollups;
  readonly fxRates: FxRateStore;
}

/** `read` once per key: later calls with the same key share the first call's promise. */
function once<T>(reads: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let pending = reads.get(key);
  if (pending === undefined) {
    pending = read();
    reads.set(key, pending);
  }
  return pending;
}

/**
 * Reads the account's rules' figures at `nowMs`, each measured by the evaluator's own
 * `measureNow` (the figure a notice would carry, not a second computation). Rules read through
 * one reader share a rollup read per span: all window rules read the same two hours, month
 * budgets the same month, forecasts the same days (rules of one tag value, the same tag rollups).
 */
export async function currentValueReader(
  deps: CurrentValuesDeps,
  account: Pick<Account, 'currency' | 'createdAt'>,
  nowMs: number,
): Promise<(rule: AlertRule) => Promise<CurrentValue>> {
  const context = {
    currency: account.currency,
    quote: await currentFxQuote(deps.fxRates),
    historyStartMs: Date.parse(account.createdAt),
  };
  const reads = new Map<string, Promise<Rollup[]>>();
  const packs = new Map<string, Promise<MonthPacks<Rollup>>>();
  const tagReads = new Map<string, Promise<TagRollup[]>>();
  const usage = scopedUsage({
    query: (accountId, granularity, fromMs, toMs) =>
      once(reads, `${accountId}/${granularity}/${fromMs}/${toMs}`, () =>
        deps.rollups.query(accountId, granularity, fromMs, toMs),
      ),
    queryMonthPacks: (accountId, fromMs, toMs) =>
      once(packs, `${accountId}/${fromMs}/${toMs}`, () =>
        deps.rollups.queryMonthPacks(accountId, fromMs, toMs),
      ),
    queryTagValues: (accountId, key, values, granularity, fromMs, toMs) =>
      once(tagReads, JSON.stringify([accountId, key, values, granularity, fromMs, toMs]), () =>
        deps.rollups.queryTagValues(accountId, key, values, granularity, fromMs, toMs),
      ),
  });
  return async (rule) => {
    const { measurement } = await measureNow({ usage }, rule, context, nowMs);
    return {
      value: measurement.value,
      ratio: measurement.ratio,
      skipped: measurement.skipped,
    };
  };
}
