import type { Account } from '../accounts/account.ts';
import { currentFxQuote } from '../currency/refresh-fx-rates.ts';
import type { FxRateStore } from '../ports/fx-rate-store.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import type { Rollup } from '../rollups/rollup.ts';
import type { MeasurementSkip } from './alert-policy.ts';
import type { AlertRule } from './alert-rule.ts';
import { measureNow } from './evaluate-alerts.ts';

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
  readonly rollups: Pick<RollupStore, 'query'>;
  readonly fxRates: FxRateStore;
}

/**
 * Reads the account's rules' figures at `nowMs`, each measured by the evaluator's own
 * `measureNow` (the figure an email would carry, not a second computation). Rules read through
 * one reader share a rollup read per span: all window rules read the same two hours, month
 * budgets the same month.
 */
export async function currentValueReader(
  deps: CurrentValuesDeps,
  account: Pick<Account, 'currency'>,
  nowMs: number,
): Promise<(rule: AlertRule) => Promise<CurrentValue>> {
  const money = { currency: account.currency, quote: await currentFxQuote(deps.fxRates) };
  const reads = new Map<string, Promise<Rollup[]>>();
  const rollups: Pick<RollupStore, 'query'> = {
    query(accountId, granularity, fromMs, toMs) {
      const key = `${accountId}/${granularity}/${fromMs}/${toMs}`;
      let read = reads.get(key);
      if (read === undefined) {
        read = deps.rollups.query(accountId, granularity, fromMs, toMs);
        reads.set(key, read);
      }
      return read;
    },
  };
  return async (rule) => {
    const { measurement } = await measureNow({ rollups }, rule, money, nowMs);
    return {
      value: measurement.value,
      ratio: measurement.ratio,
      ...(measurement.skipped === undefined ? {} : { skipped: measurement.skipped }),
    };
  };
}
