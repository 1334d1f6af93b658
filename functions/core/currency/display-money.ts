import type { Currency } from '../accounts/account.ts';
import type { AccountStore } from '../ports/account-store.ts';
import type { FxRateStore } from '../ports/fx-rate-store.ts';
import { convertPicoUsd, displayRate, type FxQuote } from './fx.ts';
import { currentFxQuote } from './refresh-fx-rates.ts';

/** Which rate converted a response's money (the `fx` object of the Dashboard and Logs APIs). */
export interface FxUsed {
  readonly currency: Currency;
  /** Units of `currency` per 1 USD, 8 decimals, for display. */
  readonly rate: string;
  readonly rateDate: string;
  readonly source: FxQuote['source'];
}

/** Money in one account's display currency, converted with one quote for a whole response. */
export interface DisplayMoney {
  readonly currency: Currency;
  /** Exact picodollars as a 6-decimal string in {@link currency}. */
  convert(picoUsd: bigint): string;
  /** The rate and its date, so every converted figure says where it came from. */
  readonly fx: FxUsed;
}

/** A {@link DisplayMoney} for a currency and quote. */
export function displayMoney(currency: Currency, quote: FxQuote): DisplayMoney {
  return {
    currency,
    convert: (picoUsd) => convertPicoUsd(picoUsd, currency, quote),
    fx: {
      currency,
      rate: displayRate(currency, quote),
      rateDate: quote.date,
      source: quote.source,
    },
  };
}

/** What reading an account's display money needs. */
export interface DisplayMoneyDeps {
  readonly accounts: Pick<AccountStore, 'getAccount'>;
  readonly fxRates: FxRateStore;
}

/**
 * The account's currency (USD when the account has no item yet) with the latest stored
 * reference rate, else the shipped fallback.
 */
export async function accountDisplayMoney(
  deps: DisplayMoneyDeps,
  accountId: string,
): Promise<DisplayMoney> {
  const [account, quote] = await Promise.all([
    deps.accounts.getAccount(accountId),
    currentFxQuote(deps.fxRates),
  ]);
  return displayMoney(account?.currency ?? 'USD', quote);
}
