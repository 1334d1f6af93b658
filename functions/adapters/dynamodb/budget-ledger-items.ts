// The budget attributes of a Metrion Key lookup item, shared by DynamoProxyAdmission (which
// reserves), DynamoBudgetLedger (which settles, releases and prunes) and the key replacement
// (which carries them to the new key's item). No SDK calls here.
import type { BudgetView } from '#core/budgets/budget.ts';
import { type BudgetCharge, chargeKey } from '#core/budgets/reservation.ts';
import type { LedgerState, OpenReservation } from '#core/ports/budget-ledger.ts';
import { enforcedFromView } from './budget-items.ts';

/** `b:<budgetId>@<period>`: committed pico-USD (spent + reserved) of a budget period. */
export const COMMITTED_PREFIX = 'b:';
/** `x:<budgetId>@<period>`: requests the budget refused in the period. */
export const BLOCKED_PREFIX = 'x:';
/** `q:<requestId>`: an open reservation `{m: pico-USD, t: reserved at ms, c: [charge keys]}`. */
export const RESERVATION_PREFIX = 'q:';
/** `z:<requestId>`: when an unsettled reservation was released (ms). */
export const RELEASED_PREFIX = 'z:';

const BUDGET_STATE_PREFIXES = [
  COMMITTED_PREFIX,
  BLOCKED_PREFIX,
  RESERVATION_PREFIX,
  RELEASED_PREFIX,
] as const;

export const committedAttribute = (charge: BudgetCharge): string =>
  `${COMMITTED_PREFIX}${chargeKey(charge)}`;
export const blockedAttribute = (charge: BudgetCharge): string =>
  `${BLOCKED_PREFIX}${chargeKey(charge)}`;
export const reservationAttribute = (requestId: string): string =>
  `${RESERVATION_PREFIX}${requestId}`;
export const releasedAttribute = (requestId: string): string => `${RELEASED_PREFIX}${requestId}`;

/** The stored form of an open reservation (short keys: it sits on the item every request writes). */
export function reservationValue(reservation: {
  readonly reservedPicoUsd: bigint;
  readonly reservedAtMs: number;
  readonly charges: readonly BudgetCharge[];
}): Record<string, unknown> {
  return {
    m: reservation.reservedPicoUsd,
    t: reservation.reservedAtMs,
    c: reservation.charges.map(chargeKey),
  };
}

function chargeFromKey(key: string): BudgetCharge {
  const at = key.lastIndexOf('@');
  return { budgetId: key.slice(0, at), period: key.slice(at + 1) };
}

const big = (value: unknown): bigint =>
  typeof value === 'bigint' ? value : BigInt(typeof value === 'number' ? value : 0);

/** The account's budget ledger as a lookup item holds it. */
export function ledgerStateOf(item: object): LedgerState {
  const committed = new Map<string, bigint>();
  const blocked = new Map<string, number>();
  const released = new Map<string, number>();
  const reservations: OpenReservation[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(COMMITTED_PREFIX)) {
      committed.set(name.slice(COMMITTED_PREFIX.length), big(value));
    } else if (name.startsWith(BLOCKED_PREFIX)) {
      blocked.set(name.slice(BLOCKED_PREFIX.length), Number(value));
    } else if (name.startsWith(RELEASED_PREFIX)) {
      released.set(name.slice(RELEASED_PREFIX.length), Number(value));
    } else if (name.startsWith(RESERVATION_PREFIX) && typeof value === 'object' && value !== null) {
      const stored = value as { m?: unknown; t?: unknown; c?: unknown };
      reservations.push({
        requestId: name.slice(RESERVATION_PREFIX.length),
        reservedPicoUsd: big(stored.m),
        reservedAtMs: Number(stored.t),
        charges: Array.isArray(stored.c) ? stored.c.map((key) => chargeFromKey(String(key))) : [],
      });
    }
  }
  return { committed, blocked, reservations, released };
}

/** What a period's reservations add up to, in pico-USD, for one charge key. */
export function reservedOn(state: LedgerState, key: string): bigint {
  let reserved = 0n;
  for (const reservation of state.reservations) {
    if (reservation.charges.some((charge) => chargeKey(charge) === key)) {
      reserved += reservation.reservedPicoUsd;
    }
  }
  return reserved;
}

/** The enforced budgets of the item's view, or undefined when it has none active. */
export function budgetViewOf(item: object): BudgetView | undefined {
  const { budgets, viewVersion } = item as { budgets?: unknown; viewVersion?: unknown };
  if (!Array.isArray(budgets) || budgets.length === 0 || typeof viewVersion !== 'number') {
    return undefined;
  }
  return {
    viewVersion,
    budgets: budgets.map((viewed) => enforcedFromView(viewed as Record<string, unknown>)),
  };
}

/** The budget attributes a regenerated key's lookup item takes over from the old one. */
export function budgetStateOf(item: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(item).filter(([name]) =>
      BUDGET_STATE_PREFIXES.some((prefix) => name.startsWith(prefix)),
    ),
  );
}
