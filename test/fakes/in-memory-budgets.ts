import {
  type Budget,
  type BudgetLevel,
  type BudgetView,
  enforcedBudget,
} from '#core/budgets/budget.ts';
import { type BudgetCharge, chargeKey } from '#core/budgets/reservation.ts';
import type {
  BudgetLedger,
  LedgerState,
  OpenReservation,
  SettleOutcome,
} from '#core/ports/budget-ledger.ts';
import type { ActiveBudgetsPage, BudgetChanges, BudgetStore } from '#core/ports/budget-store.ts';
import type { BudgetAdmission, BudgetRefusalFigures } from '#core/ports/proxy-admission.ts';

const copy = <T>(value: T): T => structuredClone(value);

interface Ledger {
  readonly committed: Map<string, bigint>;
  readonly blocked: Map<string, number>;
  readonly reservations: Map<string, OpenReservation>;
  readonly released: Map<string, number>;
}

interface AccountBudgets {
  readonly budgets: Map<string, Budget>;
  readonly claims: Map<string, number>;
  /** Bumped by every budget change, like the lookup item's view version. */
  viewVersion: number;
  readonly ledger: Ledger;
}

const activeKey = (budget: Pick<Budget, 'accountId' | 'budgetId'>) =>
  `${budget.accountId}#${budget.budgetId}`;

/**
 * BudgetStore and BudgetLedger in memory (with what InMemoryAccountStore's admission needs of
 * them), passing the same contract suites as DynamoBudgetStore and DynamoBudgetLedger. Each
 * method checks and writes without awaiting in between, like the conditional writes it stands
 * for. Values are copied in and out.
 */
export class InMemoryBudgets implements BudgetStore, BudgetLedger {
  readonly #accounts = new Map<string, AccountBudgets>();

  #account(accountId: string): AccountBudgets {
    let account = this.#accounts.get(accountId);
    if (account === undefined) {
      account = {
        budgets: new Map(),
        claims: new Map(),
        viewVersion: 1,
        ledger: {
          committed: new Map(),
          blocked: new Map(),
          reservations: new Map(),
          released: new Map(),
        },
      };
      this.#accounts.set(accountId, account);
    }
    return account;
  }

  async list(accountId: string): Promise<Budget[]> {
    return [...this.#account(accountId).budgets.values()]
      .map(copy)
      .sort(
        (a, b) => a.createdAt.localeCompare(b.createdAt) || a.budgetId.localeCompare(b.budgetId),
      );
  }

  async get(accountId: string, budgetId: string): Promise<Budget | undefined> {
    const budget = this.#account(accountId).budgets.get(budgetId);
    return budget === undefined ? undefined : copy(budget);
  }

  async create(budget: Budget, maxBudgets: number): Promise<boolean> {
    const account = this.#account(budget.accountId);
    if (account.budgets.size >= maxBudgets || account.budgets.has(budget.budgetId)) return false;
    account.budgets.set(budget.budgetId, copy(budget));
    account.viewVersion += 1;
    return true;
  }

  async update(
    accountId: string,
    budgetId: string,
    changes: BudgetChanges,
    expectedVersion?: number,
  ): Promise<Budget | 'conflict' | undefined> {
    const account = this.#account(accountId);
    const budget = account.budgets.get(budgetId);
    if (budget === undefined) return undefined;
    if (expectedVersion !== undefined && budget.version !== expectedVersion) return 'conflict';
    const defined = Object.fromEntries(
      Object.entries(changes).filter(([, value]) => value !== undefined),
    );
    const changed: Budget = { ...budget, ...copy(defined), version: budget.version + 1 };
    account.budgets.set(budgetId, changed);
    account.viewVersion += 1;
    return copy(changed);
  }

  async delete(accountId: string, budgetId: string): Promise<boolean> {
    const account = this.#account(accountId);
    if (!account.budgets.delete(budgetId)) return false;
    account.viewVersion += 1;
    return true;
  }

  async listActive(options: { after?: string; limit: number }): Promise<ActiveBudgetsPage> {
    const active = [...this.#accounts.values()]
      .flatMap((account) => [...account.budgets.values()])
      .filter((budget) => !budget.paused)
      .sort((a, b) => (activeKey(a) < activeKey(b) ? -1 : 1))
      .filter((budget) => options.after === undefined || activeKey(budget) > options.after);
    const page = active.slice(0, Math.max(1, options.limit));
    const last = page.at(-1);
    return {
      budgets: page.map(copy),
      ...(active.length > page.length && last !== undefined ? { next: activeKey(last) } : {}),
    };
  }

  async claimLevel(
    accountId: string,
    budgetId: string,
    level: BudgetLevel,
    options: { period: string; nowMs: number; leaseMs: number },
  ): Promise<boolean> {
    const account = this.#account(accountId);
    const budget = account.budgets.get(budgetId);
    const claimKey = `${budgetId}:${level}`;
    if (budget === undefined || budget.notified[level] === options.period) return false;
    if ((account.claims.get(claimKey) ?? 0) > options.nowMs) return false;
    account.claims.set(claimKey, options.nowMs + options.leaseMs);
    return true;
  }

  async confirmLevel(accountId: string, budgetId: string, level: BudgetLevel, period: string) {
    const account = this.#account(accountId);
    const budget = account.budgets.get(budgetId);
    if (budget === undefined) return;
    account.budgets.set(budgetId, { ...budget, notified: { ...budget.notified, [level]: period } });
    account.claims.delete(`${budgetId}:${level}`);
  }

  async releaseLevel(accountId: string, budgetId: string, level: BudgetLevel) {
    this.#account(accountId).claims.delete(`${budgetId}:${level}`);
  }

  // The ledger.

  async state(accountId: string): Promise<LedgerState> {
    const { ledger } = this.#account(accountId);
    return {
      committed: new Map(ledger.committed),
      blocked: new Map(ledger.blocked),
      reservations: [...ledger.reservations.values()].map(copy),
      released: new Map(ledger.released),
    };
  }

  async settle(
    accountId: string,
    requestId: string,
    reservation: { reservedPicoUsd: bigint; charges: readonly BudgetCharge[] },
    actualPicoUsd: bigint,
  ): Promise<SettleOutcome> {
    const { ledger } = this.#account(accountId);
    if (ledger.reservations.delete(requestId)) {
      this.#add(ledger, reservation.charges, actualPicoUsd - reservation.reservedPicoUsd);
      return 'settled';
    }
    if (ledger.released.delete(requestId)) {
      this.#add(ledger, reservation.charges, actualPicoUsd);
      return 'settled-late';
    }
    return 'already-settled';
  }

  async release(accountId: string, reservation: OpenReservation, nowMs: number): Promise<boolean> {
    const { ledger } = this.#account(accountId);
    if (!ledger.reservations.delete(reservation.requestId)) return false;
    this.#add(ledger, reservation.charges, -reservation.reservedPicoUsd);
    ledger.released.set(reservation.requestId, nowMs);
    return true;
  }

  async prune(
    accountId: string,
    stale: { charges: readonly BudgetCharge[]; released: readonly string[] },
  ): Promise<void> {
    const { ledger } = this.#account(accountId);
    for (const charge of stale.charges) {
      ledger.committed.delete(chargeKey(charge));
      ledger.blocked.delete(chargeKey(charge));
    }
    for (const requestId of stale.released) ledger.released.delete(requestId);
  }

  #add(ledger: Ledger, charges: readonly BudgetCharge[], delta: bigint): void {
    for (const charge of charges) {
      const key = chargeKey(charge);
      ledger.committed.set(key, (ledger.committed.get(key) ?? 0n) + delta);
    }
  }

  // What InMemoryAccountStore's admission asks.

  /** The active budgets as the lookup item's view would hold them; undefined when none. */
  viewOf(accountId: string): BudgetView | undefined {
    const account = this.#account(accountId);
    const budgets = [...account.budgets.values()].filter((budget) => !budget.paused);
    return budgets.length === 0
      ? undefined
      : { viewVersion: account.viewVersion, budgets: budgets.map(enforcedBudget) };
  }

  /** Whether a budget part was planned from another view than the current one. */
  changedSince(accountId: string, budget: BudgetAdmission): boolean {
    return budget.viewVersion === undefined
      ? this.viewOf(accountId) !== undefined
      : this.#account(accountId).viewVersion !== budget.viewVersion;
  }

  /** The first checked charge over its ceiling, as the refusal to tally; undefined when none. */
  exceeded(
    accountId: string,
    budget: BudgetAdmission,
  ): Extract<BudgetAdmission, { kind: 'refuse' }> | undefined {
    if (budget.kind === 'refuse') return budget;
    const { ledger } = this.#account(accountId);
    const over = budget.charges.find(
      (charge) =>
        charge.ceilingPicoUsd !== undefined &&
        (ledger.committed.get(chargeKey(charge)) ?? 0n) > charge.ceilingPicoUsd,
    );
    return over === undefined
      ? undefined
      : {
          kind: 'refuse',
          viewVersion: this.#account(accountId).viewVersion,
          budgetId: over.budgetId,
          period: over.period,
        };
  }

  /** Tallies a refusal and answers its figures. */
  block(accountId: string, refusal: BudgetCharge): BudgetRefusalFigures {
    const { ledger } = this.#account(accountId);
    const key = chargeKey(refusal);
    ledger.blocked.set(key, (ledger.blocked.get(key) ?? 0) + 1);
    let reserved = 0n;
    for (const reservation of ledger.reservations.values()) {
      if (reservation.charges.some((charge) => chargeKey(charge) === key)) {
        reserved += reservation.reservedPicoUsd;
      }
    }
    return {
      budgetId: refusal.budgetId,
      period: refusal.period,
      committedPicoUsd: ledger.committed.get(key) ?? 0n,
      reservedPicoUsd: reserved,
    };
  }

  /** Adds a planned reservation. */
  reserve(accountId: string, budget: Extract<BudgetAdmission, { kind: 'reserve' }>): void {
    if (budget.charges.length === 0) return;
    const { ledger } = this.#account(accountId);
    this.#add(ledger, budget.charges, budget.reservedPicoUsd);
    ledger.reservations.set(budget.requestId, {
      requestId: budget.requestId,
      reservedPicoUsd: budget.reservedPicoUsd,
      reservedAtMs: budget.reservedAtMs,
      charges: budget.charges.map(({ budgetId, period }) => ({ budgetId, period })),
    });
  }
}
