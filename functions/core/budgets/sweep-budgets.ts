import type { FxQuote } from '../currency/fx.ts';
import { currentFxQuote } from '../currency/refresh-fx-rates.ts';
import type { AccountStore } from '../ports/account-store.ts';
import type { BudgetLedger, LedgerState } from '../ports/budget-ledger.ts';
import type { BudgetStore } from '../ports/budget-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { Mailer } from '../ports/mailer.ts';
import { BUDGET_WARNING_PERCENT, type Budget, type BudgetLevel } from './budget.ts';
import { budgetEmail } from './budget-email.ts';
import { periodStartMs } from './budget-period.ts';
import { type BudgetStatus, budgetStatus } from './budget-status.ts';
import { convertLimit } from './limit-conversion.ts';
import { type BudgetCharge, chargeKey } from './reservation.ts';

/**
 * An open reservation older than this is given back: its request can no longer be running (API
 * Gateway and Lambda end every request within 15 minutes) and a record for it should have
 * settled it long since (a trace sweep turns lost requests into records well within the hour).
 */
export const RESERVATION_HORIZON_MS = 60 * 60_000;
/** How long a release is remembered, so that a record arriving after it still counts once. */
export const RELEASE_MEMORY_MS = 24 * 60 * 60_000;
/** A claimed email level is retried by another sweep after this long. */
const EMAIL_LEASE_MS = 5 * 60_000;
const PAGE_SIZE = 100;

export interface SweepBudgetsDeps {
  readonly budgets: BudgetStore;
  readonly ledger: BudgetLedger;
  readonly accounts: Pick<AccountStore, 'getAccount'>;
  readonly fxRates: Parameters<typeof currentFxQuote>[0];
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The Dashboard's base URL, for links in emails. */
  readonly dashboardUrl: string;
}

export interface SweepBudgetsReport {
  readonly accounts: number;
  readonly budgets: number;
  /** Reservations given back because their request never settled. */
  readonly released: number;
  /** Limits converted again with a newer reference rate. */
  readonly reconverted: number;
  readonly emailed: number;
  /** Accounts whose sweep failed (logged; the next run tries again). */
  readonly failures: number;
}

type Tally = { -readonly [K in keyof SweepBudgetsReport]: SweepBudgetsReport[K] };

/**
 * The budget sweep (a schedule, every 5 minutes): for every account with an active budget,
 * 1. gives back reservations older than {@link RESERVATION_HORIZON_MS} (a proxy that died after
 *    admitting; the release is remembered, so a record that still arrives adds its cost once),
 * 2. drops the ledger of periods no request can settle into any more and old release marks,
 * 3. converts limits again when a newer reference rate exists (EUR and CHF budgets follow the
 *    Dashboard's rate; the proxy's view is refreshed with the new limit),
 * 4. emails the account at 90% and at 100% of each budget (a `block` budget also at its first
 *    refusal), once per level per period, through the alert mailer.
 */
export async function sweepBudgets(deps: SweepBudgetsDeps): Promise<SweepBudgetsReport> {
  const quote = await currentFxQuote(deps.fxRates);
  const tally: Tally = {
    accounts: 0,
    budgets: 0,
    released: 0,
    reconverted: 0,
    emailed: 0,
    failures: 0,
  };
  let after: string | undefined;
  let pending: Budget[] = [];
  do {
    const page = await deps.budgets.listActive({ after, limit: PAGE_SIZE });
    for (const budget of page.budgets) {
      if (pending.length > 0 && pending[0]?.accountId !== budget.accountId) {
        await sweepAccount(deps, pending, quote, tally);
        pending = [];
      }
      pending.push(budget);
    }
    after = page.next;
  } while (after !== undefined);
  if (pending.length > 0) await sweepAccount(deps, pending, quote, tally);
  return tally;
}

async function sweepAccount(
  deps: SweepBudgetsDeps,
  budgets: readonly Budget[],
  quote: FxQuote,
  tally: Tally,
): Promise<void> {
  const accountId = budgets[0]?.accountId ?? '';
  const nowMs = deps.clock.nowMs();
  tally.accounts += 1;
  tally.budgets += budgets.length;
  try {
    let ledger = await deps.ledger.state(accountId);
    const released = await releaseExpired(deps, accountId, ledger, nowMs);
    tally.released += released;
    if (released > 0) ledger = await deps.ledger.state(accountId);
    await deps.ledger.prune(accountId, staleEntries(ledger, nowMs));
    const current: Budget[] = [];
    for (const budget of budgets) current.push(await reconverted(deps, budget, quote, tally));
    tally.emailed += await notify(deps, accountId, current, ledger, nowMs);
  } catch (error) {
    tally.failures += 1;
    deps.logger.error('budget sweep failed for an account; the next run retries', {
      accountId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}

async function releaseExpired(
  deps: SweepBudgetsDeps,
  accountId: string,
  ledger: LedgerState,
  nowMs: number,
): Promise<number> {
  let released = 0;
  for (const reservation of ledger.reservations) {
    if (reservation.reservedAtMs > nowMs - RESERVATION_HORIZON_MS) continue;
    if (await deps.ledger.release(accountId, reservation, nowMs)) {
      released += 1;
      deps.logger.warn('budget reservation released unsettled', {
        accountId,
        requestId: reservation.requestId,
        reservedAtMs: reservation.reservedAtMs,
      });
    }
  }
  return released;
}

/**
 * Budget periods older than the previous one (no request admitted then can still settle: the
 * horizon is far shorter than a day) that no open reservation names, and release marks older
 * than {@link RELEASE_MEMORY_MS}.
 */
export function staleEntries(
  ledger: LedgerState,
  nowMs: number,
): { charges: BudgetCharge[]; released: string[] } {
  const open = new Set(
    ledger.reservations.flatMap((reservation) => reservation.charges.map(chargeKey)),
  );
  const charges = [...new Set([...ledger.committed.keys(), ...ledger.blocked.keys()])]
    .filter((key) => !open.has(key))
    .map((key) => {
      const at = key.lastIndexOf('@');
      return { budgetId: key.slice(0, at), period: key.slice(at + 1) };
    })
    .filter((charge) => isPastPrevious(charge.period, nowMs));
  const released = [...ledger.released]
    .filter(([, releasedAtMs]) => releasedAtMs <= nowMs - RELEASE_MEMORY_MS)
    .map(([requestId]) => requestId);
  return { charges, released };
}

/** A period that ended before the previous period of its kind started. */
function isPastPrevious(period: string, nowMs: number): boolean {
  const now = new Date(nowMs);
  const previousStartMs =
    period.length === 10
      ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1)
      : Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  try {
    return periodStartMs(period) < previousStartMs;
  } catch {
    return false;
  }
}

/** The budget with its limit converted at `quote` when that is newer than its own rate. */
async function reconverted(
  deps: SweepBudgetsDeps,
  budget: Budget,
  quote: FxQuote,
  tally: Tally,
): Promise<Budget> {
  if (budget.currency === 'USD' || budget.conversion.fx.date >= quote.date) return budget;
  const updated = await deps.budgets.update(
    budget.accountId,
    budget.budgetId,
    { conversion: convertLimit(budget, quote) },
    budget.version,
  );
  if (updated === undefined || updated === 'conflict') return budget;
  tally.reconverted += 1;
  return updated;
}

/** The highest level `status` has crossed, if any. */
export function crossedLevel(budget: Budget, status: BudgetStatus): BudgetLevel | undefined {
  const limit = budget.conversion.limitPicoUsd;
  if (status.spentPicoUsd >= limit || (budget.action === 'block' && status.blocked > 0)) {
    return 'reached';
  }
  if (status.spentPicoUsd * 100n >= limit * BigInt(BUDGET_WARNING_PERCENT)) return 'warning';
  return undefined;
}

/** Emails each budget's highest newly crossed level; answers how many emails went out. */
async function notify(
  deps: SweepBudgetsDeps,
  accountId: string,
  budgets: readonly Budget[],
  ledger: LedgerState,
  nowMs: number,
): Promise<number> {
  let emailed = 0;
  let to: string | undefined;
  for (const budget of budgets) {
    const status = budgetStatus(budget, ledger, nowMs);
    const level = crossedLevel(budget, status);
    if (level === undefined || budget.notified[level] === status.period) continue;
    const claim = { period: status.period, nowMs, leaseMs: EMAIL_LEASE_MS };
    if (!(await deps.budgets.claimLevel(accountId, budget.budgetId, level, claim))) continue;
    to ??= (await deps.accounts.getAccount(accountId))?.email;
    if (to === undefined) {
      await deps.budgets.releaseLevel(accountId, budget.budgetId, level);
      return emailed;
    }
    try {
      await deps.mailer.send(
        budgetEmail({ to, budget, level, status, dashboardUrl: deps.dashboardUrl }),
      );
    } catch (error) {
      deps.logger.warn('budget email failed; the next sweep retries', {
        accountId,
        budgetId: budget.budgetId,
        level,
        error: error instanceof Error ? error.name : 'unknown',
      });
      await deps.budgets.releaseLevel(accountId, budget.budgetId, level);
      continue;
    }
    emailed += 1;
    await deps.budgets.confirmLevel(accountId, budget.budgetId, level, status.period);
    // Past 100% the 90% email would only repeat older news.
    if (level === 'reached' && budget.notified.warning !== status.period) {
      await deps.budgets.confirmLevel(accountId, budget.budgetId, 'warning', status.period);
    }
  }
  return emailed;
}
